"""Lockout after wrong passwords (django-axes): accounts protected, the city not locked out."""

import re

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.core import mail
from django.urls import reverse

from citizens.constants import (
    LOGIN_MAX_FAILURES_PER_ACCOUNT,
    LOGIN_MAX_FAILURES_PER_ADDRESS,
    AccountAction,
)
from citizens.models import AccountEvent
from tests.accounts import verify_identity
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"
OFFICE = "203.0.113.9"


def login(client, identifier, password=PASSWORD, address=OFFICE, **headers):
    return client.post(
        reverse("citizens:login"),
        {"username": identifier, "password": password},
        REMOTE_ADDR=address,
        **headers,
    )


def fail(client, identifier, times, address=OFFICE):
    for _ in range(times):
        login(client, identifier, "wrong-password", address)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def binh():
    user = UserFactory(username="binh", email="binh@example.vn", national_id="048090000123")
    verify_identity(user)
    return user


def test_five_wrong_passwords_lock_the_account_from_that_address(client, binh):
    fail(client, "binh", LOGIN_MAX_FAILURES_PER_ADDRESS)
    response = login(client, "binh")
    assert response.status_code == 429
    assert not signed_in(client)
    text = response.text
    assert "từ kết nối của bạn" in text and "tạm khóa 15 phút" in text
    assert re.search(r"đến \d\d:\d\d", text)


def test_five_wrong_passwords_on_one_name_do_not_stop_another_account_at_that_address(client, binh):
    UserFactory(username="an")
    fail(client, "binh", LOGIN_MAX_FAILURES_PER_ADDRESS + 3)
    assert login(client, "an").status_code == 302
    assert signed_in(client)


def test_guessing_many_names_from_one_address_does_not_lock_that_address(client, binh):
    for number in range(20):
        login(client, f"someone{number}", "guess")
    assert login(client, "binh").status_code == 302


def test_the_lock_holds_whichever_identifier_is_typed(client, binh):
    login(client, "binh", "wrong-password")
    login(client, "BINH@example.vn", "wrong-password")
    login(client, "048090000123", "wrong-password")
    login(client, "binh@example.vn", "wrong-password")
    login(client, "Binh", "wrong-password")
    for identifier in ("binh", "binh@example.vn", "048090000123"):
        assert login(client, identifier).status_code == 429
    assert AccessAttempt.objects.values("username").distinct().count() == 1


def test_the_same_account_from_another_address_still_signs_in(client, binh):
    fail(client, "binh", LOGIN_MAX_FAILURES_PER_ADDRESS)
    assert login(client, "binh", address="198.51.100.7").status_code == 302


def test_guessing_spread_over_many_addresses_locks_the_account_everywhere(client, binh):
    for number in range(LOGIN_MAX_FAILURES_PER_ACCOUNT):
        login(client, "binh", "wrong-password", address=f"198.51.100.{number + 1}")
    response = login(client, "binh", address="192.0.2.50")
    assert response.status_code == 429
    assert "từ mọi kết nối" in response.text


def test_an_unknown_name_is_locked_like_a_known_one(client):
    fail(client, "nobody@example.vn", LOGIN_MAX_FAILURES_PER_ADDRESS)
    response = login(client, "nobody@example.vn", "anything")
    assert response.status_code == 429  # same answer: the name's existence is not told


def test_a_forged_forwarded_header_does_not_dodge_the_lock(client, binh):
    for number in range(LOGIN_MAX_FAILURES_PER_ADDRESS):
        login(client, "binh", "wrong-password", HTTP_X_FORWARDED_FOR=f"10.9.9.{number}")
    assert login(client, "binh", HTTP_X_FORWARDED_FOR="10.9.9.99").status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_client_is_the_address(client, binh, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    for _ in range(LOGIN_MAX_FAILURES_PER_ADDRESS):
        login(client, "binh", "wrong-password", proxy, HTTP_X_FORWARDED_FOR="203.0.113.77")
    assert AccessAttempt.objects.get().ip_address == "203.0.113.77"
    # One person behind the proxy is locked; another client of the same proxy is not,
    # even one that prepends the first one's address.
    assert (
        login(client, "binh", address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.77").status_code == 429
    )
    other = login(client, "binh", address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.77, 198.51.100.4")
    assert other.status_code == 302


def test_a_lockout_is_logged_for_administrators_and_on_the_account(client, binh):
    fail(client, "binh", LOGIN_MAX_FAILURES_PER_ADDRESS + 2)
    assert AccessFailureLog.objects.filter(username="binh", locked_out=True).exists()
    events = AccountEvent.objects.filter(user=binh, action=AccountAction.LOCKED_OUT)
    assert events.count() == 1
    assert events.get().address == OFFICE


def test_a_lockout_is_visible_in_the_admin(client, binh):
    fail(client, "binh", LOGIN_MAX_FAILURES_PER_ADDRESS)
    admin = UserFactory(username="admin", administrator=True)
    client.force_login(admin)
    page = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert page.status_code == 200 and "binh" in page.text


def test_a_password_reset_ends_the_lockout(client, binh):
    for number in range(LOGIN_MAX_FAILURES_PER_ACCOUNT):
        login(client, "binh", "wrong-password", address=f"198.51.100.{number + 1}")
    client.post(reverse("citizens:password_reset"), {"email": "binh@example.vn"})
    link = re.search(
        re.escape(settings.PORTAL_BASE_URL) + r"(/accounts/password/reset/\S+/)",
        mail.outbox[0].body,
    )
    form_page = client.get(link.group(1), follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "mật-khẩu-mới-2026", "new_password2": "mật-khẩu-mới-2026"},
    )
    assert login(client, "binh", "mật-khẩu-mới-2026").status_code == 302
    assert AccountEvent.objects.filter(user=binh, action=AccountAction.LOCKOUT_CLEARED).exists()


def test_password_reset_mails_are_limited_per_email(client, binh):
    for _ in range(6):
        response = client.post(reverse("citizens:password_reset"), {"email": "binh@example.vn"})
        assert response.url == reverse("citizens:password_reset_done")
    assert len(mail.outbox) == 3


def test_password_reset_requests_are_limited_per_address(client, settings):
    settings.PASSWORD_RESET_RATE_PER_ADDRESS = "4/h"
    for number in range(4):
        client.post(reverse("citizens:password_reset"), {"email": f"x{number}@example.vn"})
    response = client.post(reverse("citizens:password_reset"), {"email": "y@example.vn"})
    assert response.status_code == 429
    assert "quá nhiều yêu cầu đặt lại mật khẩu" in response.text
