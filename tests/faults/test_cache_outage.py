"""The cache's Redis down: pages are computed instead of read, never an error.

The cache is pointed at a Redis of the test's own, which is stopped while a
visitor, a citizen and an officer use the pages that read and write the
cache (statistics, open data, the lookup and its rate limit, the officer's
queue counts). Every answer is the usual one; once Redis is back the cache
fills again.
"""

import pytest
from django.core.cache import caches
from django.urls import reverse

from dossiers.constants import DossierState
from tests.accounts import pass_second_factor
from tests.dossiers.builders import cast, dossier_in
from tests.faults.own_redis import OwnRedis

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_cache(settings):
    server = OwnRedis()
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache.TolerantRedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    caches._settings = None  # read the overridden setting
    try:
        yield server
    finally:
        server.stop()
        caches["default"].close()


def _pages(c, dossier):
    return [
        reverse("dossiers:statistics"),
        reverse("dossiers:open_data", args=["procedures", "json"]),
        f"{reverse('dossiers:lookup')}?code={dossier.code}&pin={dossier.lookup_pin}",
        reverse("dossiers:queue"),
        reverse("results_store:status_list"),
    ]


def test_with_the_cache_down_every_page_answers_as_usual(client, redis_cache, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    c = cast()
    dossier = dossier_in(DossierState.RECEIVED, c)
    client.force_login(c.officer)
    pass_second_factor(client, c.officer)
    before = {url: client.get(url).status_code for url in _pages(c, dossier)}
    assert set(before.values()) == {200}

    redis_cache.stop()
    during = {url: client.get(url).status_code for url in _pages(c, dossier)}
    assert during == before

    redis_cache.start()
    caches["default"]._paused_until = 0.0
    assert client.get(reverse("dossiers:statistics")).status_code == 200
    assert caches["default"].get("nothing-here", "default") == "default"
    caches["default"].set("back", 1)
    assert caches["default"].get("back") == 1
