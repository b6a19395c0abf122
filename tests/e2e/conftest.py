"""Browser journeys: Playwright drives Debian's Chromium against Django's live server.

Playwright's own browser download is never used (no network for it); one
Chromium is launched per session and each test gets a fresh context.
"""

import io
import os
from pathlib import Path

import pytest

from tests.e2e.page_checks import RECORDER, PageChecks

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Playwright's sync API runs an event loop in the test thread; Django's ORM
# calls made by the test itself are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def _capturing_middleware():
    from django.conf import settings

    previous = settings.MIDDLEWARE
    settings.MIDDLEWARE = ["tests.e2e.page_checks.CaptureMiddleware", *previous]
    yield previous
    settings.MIDDLEWARE = previous


@pytest.fixture(scope="session")
def live_server(_capturing_middleware, live_server):
    """pytest-django's live server, recording every HTML page it serves, as the public address.

    Its handler loads the middleware once, when it starts; the setting goes
    back at once, so the test client of later tests runs without the recorder.
    """
    from django.conf import settings

    settings.MIDDLEWARE = _capturing_middleware
    # Links that leave the request (e-mails, PDFs, QR codes) name the site's
    # public address, which for the journeys is this server.
    previous_address = settings.PORTAL_BASE_URL
    settings.PORTAL_BASE_URL = live_server.url
    yield live_server
    settings.PORTAL_BASE_URL = previous_address


@pytest.fixture(scope="session")
def page_checks(browser):
    checks = PageChecks(browser)
    yield checks
    checks.close(ARTIFACTS / "page-checks.json")


@pytest.fixture(autouse=True)
def _every_page_checked(live_server, page_checks):
    """axe-core, the Nu HTML Checker and aria-describedby over every page the test saw."""
    RECORDER.take()
    yield
    problems = page_checks.problems(*RECORDER.take())
    if problems:
        pytest.fail(
            f"{len(problems)} problem(s) on the pages this test visited:\n" + "\n".join(problems),
            pytrace=False,
        )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Chromium announces English; the portal must still answer in Vietnamese.
    return {**browser_context_args, "locale": "en-US"}


@pytest.fixture
def phone_context_args(browser_context_args):
    return {
        **browser_context_args,
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    }


@pytest.fixture
def screenshot(request):
    """Save a full-page screenshot under test-artifacts/<test name>/<step>.png."""
    folder = ARTIFACTS / request.node.name
    folder.mkdir(parents=True, exist_ok=True)

    def take(page, step: str) -> Path:
        path = folder / f"{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def demo_catalog(transactional_db):
    from django.core.management import call_command

    call_command("seed_demo", stdout=io.StringIO())
