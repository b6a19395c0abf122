"""Steps every journey takes: signing in as a person would, second factor included."""

from django_otp.plugins.otp_totp.models import TOTPDevice

from procedures.management.commands.seed_demo import DEMO_PASSWORD
from tests.accounts import fresh_totp_code

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
