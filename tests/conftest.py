"""Fixtures shared by every suite."""

import pytest
from django.core.cache import cache
from django.utils import translation


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Browser journeys run last, after pytest-django has ordered the rest.

    Playwright's sync API leaves its event loop registered as running in the
    test thread until the session ends; code that calls `asyncio.run()` itself
    (pyHanko signs that way) must not run after a journey in the same thread.
    """
    items.sort(key=lambda item: "tests/e2e/" in item.nodeid)


@pytest.fixture(autouse=True)
def _vietnamese_by_default(settings):
    """Each test starts in the portal's default language, whatever ran before."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True, scope="session")
def _plain_http():
    """The test client and the live server speak plain HTTP to 127.0.0.1.

    A deployment redirects HTTP to HTTPS by default (DEBUG off); that default
    is checked in a process of its own (tests/portal/test_deploy_check.py).
    Session-wide and autouse, so it is in place before the live server builds
    its middleware, which reads the setting once.
    """
    from django.conf import settings

    previous = settings.SECURE_SSL_REDIRECT
    settings.SECURE_SSL_REDIRECT = False
    yield
    settings.SECURE_SSL_REDIRECT = previous


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: ids are new, but lockouts and counts are not."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker thread consuming from the Redis broker, for this test.

    Requests `transactional_db`: the worker reads the database through its own
    connection, which only sees committed data, so the test's data must be
    committed, not held in the test's transaction. Tasks queued with
    `transaction.on_commit` are queued when the service's transaction commits.
    Settings overridden with the `settings` fixture apply to the worker too (it
    runs in this process). The queue is purged before the worker starts, and the
    worker is stopped when the test ends; a test should wait for its tasks'
    effects (poll the database) before it ends. See tests/celery_worker.py.
    """
    from tests.celery_worker import running_worker

    with running_worker() as worker:
        yield worker


@pytest.fixture(autouse=True)
def _force_login_is_a_full_sign_in(monkeypatch):
    """`client.force_login(user)` stands for a complete sign-in, second factor included.

    Staff pages need a session that passed a second factor (ADR 8); tests
    of pages behind it start from such a session, as a staff member who
    typed the code would. Tests of the second factor itself sign in through
    the login and code pages (tests/citizens/test_second_factor.py).
    """
    from django.test import Client

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        from tests.accounts import pass_second_factor

        pass_second_factor(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture(scope="session")
def identity_provider(live_server):
    """The test suite's national identity provider: a real OpenID provider process.

    It accepts the portal's callbacks on Django's test client ("testserver")
    and on the live server of the browser journeys. See tests/identity_provider.py.
    """
    from tests.identity_provider import IdentityProvider

    callback = "/accounts/national-id/callback/"
    provider = IdentityProvider(
        redirect_uris=[f"http://testserver{callback}", f"{live_server.url}{callback}"],
        post_logout_redirect_uris=["http://testserver/", f"{live_server.url}/"],
    )
    yield provider
    provider.stop()


@pytest.fixture
def national_id(settings, identity_provider):
    """The portal configured to sign in with the test provider, as a deployment would be."""
    from citizens import oidc
    from tests.identity_provider import CLIENT_ID, CLIENT_SECRET

    settings.OIDC_ISSUER = identity_provider.issuer
    settings.OIDC_CLIENT_ID = CLIENT_ID
    settings.OIDC_CLIENT_SECRET = CLIENT_SECRET
    oidc.forget_provider()
    identity_provider.reset()
    yield identity_provider
    identity_provider.reset()
    oidc.forget_provider()
