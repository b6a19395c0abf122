"""Steps journeys share: signing in as a person would (second factor included),
reading an authenticator, checking a phone layout, waiting for the worker."""

import base64
import time

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.management.commands.seed_demo import DEMO_PASSWORD
from results_store.constants import ResultStatus
from results_store.models import Result
from tests.accounts import fresh_totp_code

SIGNING_TIMEOUT_SECONDS = 60

LABELS = {
    "vi": {
        "identifier": "Email, số căn cước công dân hoặc tên đăng nhập",
        "password": "Mật khẩu",
        "log_in": "Đăng nhập",
        "code": "Mã đăng nhập",
        "continue": "Tiếp tục",
    },
    "en": {
        "identifier": "Email, citizen ID number or username",
        "password": "Password",
        "log_in": "Log in",
        "code": "Sign-in code",
        "continue": "Continue",
    },
}


def log_in(page, base_url, username, *, password=DEMO_PASSWORD, language="vi"):
    """Sign in on the login page; a staff member then types their authenticator's code,
    read off the device as their phone would show it."""
    labels = LABELS[language]
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label(labels["identifier"]).fill(username)
    page.get_by_label(labels["password"], exact=True).fill(password)
    page.get_by_role("button", name=labels["log_in"], exact=True).click()
    page.wait_for_load_state()
    if "/accounts/second-factor/" in page.url and "/setup/" not in page.url:
        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        page.get_by_label(labels["code"]).fill(fresh_totp_code(device))
        page.get_by_role("button", name=labels["continue"]).click()
        page.wait_for_load_state()


def authenticator_code(secret: str) -> str:
    """What an authenticator app shows for the key typed into it."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key):06d}"


def assert_fits_phone(page):
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, "the page scrolls sideways on a 390 px phone"


def open_menu(page):
    """Unfold the main navigation, as a person taps "Menu" on a phone; a no-op where
    the screen is wide enough to show it, or the menu is already open."""
    menu = page.locator("details.site-menu")
    if menu.is_visible() and menu.get_attribute("open") is None:
        menu.locator("summary").click()


def wait_until_signed(number: str) -> Result:
    """The result once the real Celery worker has signed it."""
    deadline = time.monotonic() + SIGNING_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        result = Result.objects.get(number=number)
        if result.status == ResultStatus.VALID:
            return result
        time.sleep(0.25)
    pytest.fail(f"The worker did not sign result {number} within {SIGNING_TIMEOUT_SECONDS} s.")
