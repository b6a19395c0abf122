"""Registration, login with lockout, landing pages, and password change and reset."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from citizens.constants import LOGIN_MAX_FAILURES, MembershipRole
from citizens.models import Membership
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def login(client, identifier, password=PASSWORD, **extra):
    return client.post(
        reverse("citizens:login"), {"username": identifier, "password": password}, **extra
    )


def test_registration_creates_an_argon2_account_and_logs_in(client):
    response = client.post(
        reverse("citizens:register"),
        {
            "full_name": "Lê Thị Hoa",
            "email": "Hoa.Le@Example.vn",
            "phone": "0905123456",
            "password1": "mùa-thu-Đà-Nẵng-2026",
            "password2": "mùa-thu-Đà-Nẵng-2026",
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("citizens:profile")
    user = get_user_model().objects.get(email="hoa.le@example.vn")
    assert user.password.startswith("argon2")
    assert user.full_name == "Lê Thị Hoa"
    assert client.get(reverse("citizens:dashboard")).status_code == 200


def test_registration_refuses_mismatched_passwords_and_keeps_what_was_typed(client):
    response = client.post(
        reverse("citizens:register"),
        {
            "full_name": "Lê Thị Hoa",
            "email": "hoa@example.vn",
            "phone": "0905123456",
            "password1": "mùa-thu-Đà-Nẵng-2026",
            "password2": "something-else-2026",
        },
    )
    assert response.status_code == 200
    assert "Hai mật khẩu không giống nhau" in response.text
    assert 'value="Lê Thị Hoa"' in response.text
    assert not get_user_model().objects.filter(email="hoa@example.vn").exists()


def test_registration_refuses_an_email_already_used_in_another_case(client):
    UserFactory(username="an", email="an@example.vn")
    response = client.post(
        reverse("citizens:register"),
        {
            "full_name": "Nguyễn Văn An",
            "email": "AN@example.vn",
            "phone": "0905000000",
            "password1": "mùa-thu-Đà-Nẵng-2026",
            "password2": "mùa-thu-Đà-Nẵng-2026",
        },
    )
    assert response.status_code == 200
    assert get_user_model().objects.filter(email__iexact="an@example.vn").count() == 1


@pytest.mark.parametrize("identifier", ["binh", "BINH@example.vn", "048090000123"])
def test_login_accepts_username_email_or_citizen_id(client, identifier):
    UserFactory(username="binh", email="binh@example.vn", national_id="048090000123")
    response = login(client, identifier)
    assert response.status_code == 302
    assert response.url == reverse("citizens:dashboard")


def test_wrong_password_gets_a_translated_message(client):
    UserFactory(username="binh")
    response = login(client, "binh", "wrong-password")
    assert response.status_code == 200
    assert "Thông tin đăng nhập không đúng" in response.text


def test_repeated_failures_lock_the_account_even_with_the_right_password(client):
    UserFactory(username="binh")
    for _ in range(LOGIN_MAX_FAILURES):
        login(client, "binh", "wrong-password")
    response = login(client, "binh")
    assert response.status_code == 200
    assert "tạm khóa" in response.text
    assert "_auth_user_id" not in client.session


def test_lockout_also_stops_guessing_many_accounts_from_one_address(client):
    UserFactory(username="victim")
    for number in range(LOGIN_MAX_FAILURES):
        login(client, f"someone{number}", "guess", REMOTE_ADDR="203.0.113.9")
    response = login(client, "victim", REMOTE_ADDR="203.0.113.9")
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200
    assert login(client, "victim", REMOTE_ADDR="198.51.100.7").status_code == 302


def test_officer_lands_on_the_queue_and_citizen_on_the_dashboard(client):
    officer = UserFactory(username="officer")
    Membership.objects.create(user=officer, agency=AgencyFactory(), role=MembershipRole.OFFICER)
    UserFactory(username="citizen")
    assert login(client, "officer").url == reverse("dossiers:queue")
    client.logout()
    assert login(client, "citizen").url == reverse("citizens:dashboard")


def test_login_follows_a_safe_next_url_only(client):
    UserFactory(username="binh")
    response = client.post(
        reverse("citizens:login") + "?next=https://evil.example/",
        {"username": "binh", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.url == reverse("citizens:dashboard")


def test_password_change_requires_the_old_password(client):
    user = UserFactory(username="binh")
    client.force_login(user)
    response = client.post(
        reverse("citizens:password_change"),
        {
            "old_password": "not-it",
            "new_password1": "mật-khẩu-mới-2026",
            "new_password2": "mật-khẩu-mới-2026",
        },
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_reset_sends_a_link_that_sets_a_new_password(client):
    user = UserFactory(username="binh", email="binh@example.vn")
    response = client.post(reverse("citizens:password_reset"), {"email": "binh@example.vn"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["binh@example.vn"]
    assert "Đặt lại mật khẩu" in message.subject
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", message.body).group(1)
    form_page = client.get(link, follow=True)
    set_url = form_page.redirect_chain[-1][0]
    client.post(
        set_url, {"new_password1": "mật-khẩu-mới-2026", "new_password2": "mật-khẩu-mới-2026"}
    )
    user.refresh_from_db()
    assert user.check_password("mật-khẩu-mới-2026")


def test_password_reset_for_an_unknown_email_sends_nothing_and_looks_the_same(client):
    response = client.post(reverse("citizens:password_reset"), {"email": "nobody@example.vn"})
    assert response.status_code == 302
    assert response.url == reverse("citizens:password_reset_done")
    assert mail.outbox == []


def test_pages_of_the_account_require_login(client):
    for name in ("citizens:dashboard", "citizens:profile", "citizens:wallet"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url.startswith(reverse("citizens:login"))
