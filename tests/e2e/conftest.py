"""Browser journeys: Playwright drives Debian's Chromium against Django's live server.

Playwright's own browser download is never used (no network for it); one
Chromium is launched per session and each test gets a fresh context.
"""

import io
import os
from pathlib import Path

import pytest

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
def live_server(live_server):
    """pytest-django's live server, as the public address.

    Links that leave the request (e-mails, PDFs, QR codes) name the site's
    public address, which for the journeys is this server.
    """
    from django.conf import settings

    previous_address = settings.PORTAL_BASE_URL
    settings.PORTAL_BASE_URL = live_server.url
    yield live_server
    settings.PORTAL_BASE_URL = previous_address


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
