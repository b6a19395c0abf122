"""Registration, login with lockout, landing pages, and password change and reset."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from citizens.constants import MembershipRole
from citizens.models import Membership
from tests.accounts import verify_identity
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


REGISTRATION = {
    "full_name": "Lê Thị Hoa",
    "email": "Hoa.Le@Example.vn",
    "phone": "0905123456",
    "password1": "mùa-thu-Đà-Nẵng-2026",
    "password2": "mùa-thu-Đà-Nẵng-2026",
}


def confirmation_link(message) -> str:
    return re.search(
        re.escape(settings.PORTAL_BASE_URL) + r"(/accounts/register/confirm/\S+/)", message.body
    ).group(1)


def test_registration_opens_an_argon2_account_once_the_email_is_confirmed(client):
    response = client.post(reverse("citizens:register"), REGISTRATION)
    assert response.status_code == 200
    assert "Kiểm tra email của bạn" in response.text
    user = get_user_model().objects.get(email="hoa.le@example.vn")
    assert user.password.startswith("argon2")
    assert not user.is_active
    assert login(client, "hoa.le@example.vn", REGISTRATION["password1"]).status_code == 200

    [message] = mail.outbox
    assert message.to == ["hoa.le@example.vn"]
    link = confirmation_link(message)
    assert client.get(link).status_code == 200  # a mail scanner's GET opens nothing
    user.refresh_from_db()
    assert not user.is_active
    response = client.post(link)
    assert response.url == reverse("citizens:profile")
    user.refresh_from_db()
    assert user.is_active and user.full_name == "Lê Thị Hoa"
    assert client.get(reverse("citizens:dashboard")).status_code == 200
    assert client.post(link).status_code == 400  # used once


def test_registration_refuses_mismatched_passwords_and_keeps_what_was_typed(client):
    response = client.post(
        reverse("citizens:register"), {**REGISTRATION, "password2": "something-else-2026"}
    )
    assert response.status_code == 200
    assert "Hai mật khẩu không giống nhau" in response.text
    assert 'value="Lê Thị Hoa"' in response.text
    assert not get_user_model().objects.filter(email="hoa.le@example.vn").exists()


def page_without(response, email: str) -> str:
    """The page, without the email typed and the per-response CSRF token."""
    return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", response.text.replace(email, "X"))


def test_registration_with_a_taken_email_looks_the_same_and_tells_the_holder(client):
    holder = UserFactory(username="an", email="an@example.vn")
    taken = client.post(reverse("citizens:register"), {**REGISTRATION, "email": "AN@example.vn"})
    free = client.post(reverse("citizens:register"), {**REGISTRATION, "email": "new@example.vn"})
    assert taken.status_code == free.status_code == 200
    assert page_without(taken, "an@example.vn") == page_without(free, "new@example.vn")
    holder.refresh_from_db()
    assert holder.is_active and holder.full_name == "Trần Thị Bình"
    assert get_user_model().objects.filter(email__iexact="an@example.vn").count() == 1
    to_holder = next(m for m in mail.outbox if m.to == ["an@example.vn"])
    assert "/accounts/register/confirm/" not in to_holder.body
    assert "/accounts/login/" in to_holder.body


def test_an_unconfirmed_registration_does_not_hold_the_email(client):
    client.post(reverse("citizens:register"), {**REGISTRATION, "full_name": "Kẻ Giả Mạo"})
    client.post(reverse("citizens:register"), REGISTRATION)
    user = get_user_model().objects.get(email="hoa.le@example.vn")
    assert user.full_name == "Lê Thị Hoa"
    client.post(confirmation_link(mail.outbox[-1]))
    user.refresh_from_db()
    assert user.is_active


def test_confirmation_links_of_a_replaced_registration_stop_working(client):
    client.post(
        reverse("citizens:register"),
        {
            **REGISTRATION,
            "password1": "x-" + REGISTRATION["password1"],
            "password2": "x-" + REGISTRATION["password1"],
        },
    )
    first = confirmation_link(mail.outbox[0])
    client.post(reverse("citizens:register"), REGISTRATION)
    assert client.post(first).status_code == 400


@pytest.mark.parametrize("identifier", ["binh", "BINH@example.vn", "048090000123"])
def test_login_accepts_username_email_or_verified_citizen_id(client, identifier):
    user = UserFactory(username="binh", email="binh@example.vn", national_id="048090000123")
    verify_identity(user)
    response = login(client, identifier)
    assert response.status_code == 302
    assert response.url == reverse("citizens:dashboard")


def test_an_unverified_citizen_id_is_not_a_login(client):
    UserFactory(username="binh", national_id="048090000123")
    response = login(client, "048090000123")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_wrong_password_gets_a_translated_message(client):
    UserFactory(username="binh")
    response = login(client, "binh", "wrong-password")
    assert response.status_code == 200
    assert "Thông tin đăng nhập không đúng" in response.text


def test_officer_lands_on_the_queue_and_citizen_on_the_dashboard(client):
    officer = UserFactory(username="officer")
    Membership.objects.create(user=officer, agency=AgencyFactory(), role=MembershipRole.OFFICER)
    UserFactory(username="citizen")
    assert login(client, "officer").url == reverse("dossiers:queue")
    client.logout()
    assert login(client, "citizen").url == reverse("citizens:dashboard")


def test_logout_needs_a_post_and_ends_the_session(client):
    client.force_login(UserFactory(username="binh"))
    assert client.get(reverse("citizens:logout")).status_code == 405
    response = client.post(reverse("citizens:logout"))
    assert response.url == reverse("home")
    assert "_auth_user_id" not in client.session


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
    link = re.search(
        re.escape(settings.PORTAL_BASE_URL) + r"(/accounts/password/reset/\S+/)", message.body
    ).group(1)
    form_page = client.get(link, follow=True)
    set_url = form_page.redirect_chain[-1][0]
    client.post(
        set_url, {"new_password1": "mật-khẩu-mới-2026", "new_password2": "mật-khẩu-mới-2026"}
    )
    user.refresh_from_db()
    assert user.check_password("mật-khẩu-mới-2026")


def test_account_mails_name_the_public_address_not_the_host_they_were_asked_from(client, settings):
    # Host is one of the allowed names, as behind a proxy or on a second name of
    # the site: the links must still name the configured public address.
    settings.PORTAL_BASE_URL = "https://dichvucong.danang.example"
    UserFactory(username="binh", email="binh@example.vn")
    client.post(
        reverse("citizens:password_reset"), {"email": "binh@example.vn"}, HTTP_HOST="localhost"
    )
    client.post(reverse("citizens:register"), REGISTRATION, HTTP_HOST="localhost")
    client.post(
        reverse("citizens:register"),
        {**REGISTRATION, "email": "binh@example.vn"},
        HTTP_HOST="localhost",
    )

    assert len(mail.outbox) == 3
    for message in mail.outbox:
        bodies = [message.body, *(content for content, _ in message.alternatives)]
        links = [link for body in bodies for link in re.findall(r"https?://[^\s\"<>]+", body)]
        assert links, message.subject
        assert all(link.startswith("https://dichvucong.danang.example/") for link in links), links


def test_the_english_reset_subject_names_the_portal_once(client):
    UserFactory(username="binh", email="binh@example.vn")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.post(reverse("citizens:password_reset"), {"email": "binh@example.vn"})
    (message,) = mail.outbox
    assert message.subject == "Reset your password on the Citizen public services portal"


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
