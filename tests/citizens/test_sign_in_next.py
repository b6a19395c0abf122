"""Where people land after signing in: the page they were going to, or their start page.

A `next` page rides along every hop (the login page, registration and its
confirmation mail, the staff second factor, the national identity provider)
and is dropped when it points off the site.
"""

import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from citizens import selectors
from citizens.constants import MembershipRole
from citizens.models import Membership, User
from procedures.constants import ServiceLevel
from tests.accounts import confirmed_totp_device, fresh_totp_code
from tests.factories import AgencyFactory, ProcedureFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"
LOGIN = reverse("citizens:login")
REGISTER = reverse("citizens:register")
UNSAFE = ["//evil.example/", "https://evil.example/", "javascript:alert(1)"]
REGISTRATION = {
    "full_name": "Lê Thị Hoa",
    "email": "hoa.le@example.vn",
    "phone": "0905123456",
    "password1": "mùa-thu-Đà-Nẵng-2026",
    "password2": "mùa-thu-Đà-Nẵng-2026",
}


@pytest.fixture
def procedure():
    ward = AgencyFactory()
    return ProcedureFactory(
        code="1.001193", service_level=ServiceLevel.FULL_ONLINE, agencies=[ward]
    )


@pytest.fixture
def file_page(procedure) -> str:
    return reverse("procedures:file", args=[procedure.code])


def member(username: str, *roles: str) -> User:
    user = UserFactory(username=username)
    for role in roles:
        Membership.objects.create(user=user, agency=AgencyFactory(), role=role)
    return user


def log_in(client, username, next_url=None):
    data = {"username": username, "password": PASSWORD}
    if next_url is not None:
        data["next"] = next_url
    return client.post(LOGIN, data)


def main(response) -> str:
    """The page's own content, without the site header (whose language switch keeps the URL)."""
    return re.search(r"<main.*</main>", response.text, flags=re.S).group(0)


def confirmation_link(message) -> str:
    return re.search(
        re.escape(settings.PORTAL_BASE_URL) + r"(/accounts/register/confirm/\S+)", message.body
    ).group(1)


# --------------------------------------------------------------------------
# From a procedure to the login page and on
# --------------------------------------------------------------------------


def test_an_anonymous_visitor_filing_online_is_sent_to_log_in_with_the_page_as_next(
    client, file_page
):
    page = client.get(file_page).text
    assert f'href="{LOGIN}?next={file_page}"' in page


def test_an_anonymous_start_of_a_dossier_asks_to_log_in_with_next(client, procedure):
    start = reverse("dossiers:start", args=[procedure.code])
    response = client.post(start)
    assert response.status_code == 302
    assert parse_qs(urlparse(response.url).query)["next"] == [start]


def test_logging_in_lands_on_next(client, file_page):
    UserFactory(username="binh")
    assert log_in(client, "binh", file_page).url == file_page


def test_the_login_pages_register_link_keeps_next(client, file_page):
    page = client.get(LOGIN, {"next": file_page}).text
    assert f'href="{REGISTER}?next={file_page}"' in page


@pytest.mark.parametrize("unsafe", UNSAFE)
def test_the_login_page_drops_an_unsafe_next_from_its_links(client, unsafe):
    page = main(client.get(LOGIN, {"next": unsafe}))
    assert "evil.example" not in page and "javascript:" not in page
    assert f'href="{REGISTER}"' in page


@pytest.mark.parametrize("unsafe", UNSAFE)
def test_logging_in_refuses_an_unsafe_next(client, unsafe):
    UserFactory(username="binh")
    assert log_in(client, "binh", unsafe).url == reverse("citizens:dashboard")


# --------------------------------------------------------------------------
# Registration
# --------------------------------------------------------------------------


def test_registration_keeps_next_through_the_confirmation_mail(client, file_page):
    form = client.get(REGISTER, {"next": file_page}).text
    assert f'name="next" value="{file_page}"' in form
    sent = client.post(REGISTER, {**REGISTRATION, "next": file_page})
    assert f'href="{LOGIN}?next={file_page}"' in sent.text

    link = confirmation_link(mail.outbox[0])
    assert parse_qs(urlparse(link).query)["next"] == [file_page]
    confirm_page = client.get(link).text
    assert f'name="next" value="{file_page}"' in confirm_page
    response = client.post(link)
    assert response.url == file_page
    assert client.session["_auth_user_id"] == str(User.objects.get(email=REGISTRATION["email"]).pk)


def test_registration_without_next_still_opens_the_profile(client):
    client.post(REGISTER, REGISTRATION)
    link = confirmation_link(mail.outbox[0])
    assert "?" not in link
    assert client.post(link).url == reverse("citizens:profile")


@pytest.mark.parametrize("unsafe", UNSAFE)
def test_registration_drops_an_unsafe_next(client, unsafe):
    form = main(client.get(REGISTER, {"next": unsafe}))
    assert "evil.example" not in form and "javascript:" not in form
    client.post(REGISTER, {**REGISTRATION, "next": unsafe})
    link = confirmation_link(mail.outbox[0])
    assert "next" not in link


@pytest.mark.parametrize("unsafe", UNSAFE)
def test_a_confirmation_link_edited_to_an_unsafe_next_opens_the_profile(client, unsafe):
    client.post(REGISTER, REGISTRATION)
    link = confirmation_link(mail.outbox[0])
    response = client.post(link, {"next": unsafe})
    assert response.url == reverse("citizens:profile")


def test_the_registration_exists_mail_logs_in_with_next(client, file_page):
    UserFactory(username="hoa", email=REGISTRATION["email"])
    client.post(REGISTER, {**REGISTRATION, "next": file_page})
    assert "/accounts/login/?next=%2Fprocedures%2F1.001193%2Ffile%2F" in mail.outbox[0].body


def test_a_signed_in_visitor_opening_registration_goes_on_to_next(client, file_page):
    client.force_login(UserFactory())
    assert client.get(REGISTER, {"next": file_page}).url == file_page


# --------------------------------------------------------------------------
# The staff second factor
# --------------------------------------------------------------------------


def test_next_survives_the_second_factor(client):
    officer = member("officer", MembershipRole.OFFICER)
    device = confirmed_totp_device(officer)
    wanted = reverse("results_store:officer_list")
    response = log_in(client, "officer", wanted)
    assert response.url == wanted
    gate = client.get(wanted)
    assert gate.url.startswith(reverse("citizens:second_factor"))
    assert parse_qs(urlparse(gate.url).query)["next"] == [wanted]
    page = client.get(gate.url)
    assert f'name="next" value="{wanted}"' in page.text
    done = client.post(
        reverse("citizens:second_factor"), {"token": fresh_totp_code(device), "next": wanted}
    )
    assert done.url == wanted


@pytest.mark.parametrize("unsafe", UNSAFE)
def test_the_second_factor_refuses_an_unsafe_next(client, unsafe):
    supervisor = member("supervisor", MembershipRole.SUPERVISOR)
    device = confirmed_totp_device(supervisor)
    log_in(client, "supervisor")
    done = client.post(
        reverse("citizens:second_factor"), {"token": fresh_totp_code(device), "next": unsafe}
    )
    assert done.url == reverse("dossiers:supervision")


def test_without_next_a_supervisor_passes_the_second_factor_to_the_dashboard(client):
    supervisor = member("supervisor", MembershipRole.SUPERVISOR)
    device = confirmed_totp_device(supervisor)
    landing = log_in(client, "supervisor").url
    assert landing == reverse("dossiers:supervision")
    gate = client.get(landing)
    assert parse_qs(urlparse(gate.url).query)["next"] == [landing]
    done = client.post(
        reverse("citizens:second_factor"), {"token": fresh_totp_code(device), "next": landing}
    )
    assert done.url == landing
    assert client.get(done.url).status_code == 200


# --------------------------------------------------------------------------
# Each role's start page
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("roles", "start"),
    [
        ((), "citizens:dashboard"),
        ((MembershipRole.OFFICER,), "dossiers:queue"),
        ((MembershipRole.SUPERVISOR,), "dossiers:supervision"),
        ((MembershipRole.OFFICER, MembershipRole.SUPERVISOR), "dossiers:queue"),
    ],
)
def test_each_role_lands_on_its_own_start_page(client, roles, start):
    member("someone", *roles)
    assert log_in(client, "someone").url == reverse(start)


def test_an_administrator_lands_in_the_admin(client):
    UserFactory(username="admin", administrator=True)
    assert log_in(client, "admin").url == reverse("admin:index")


def test_the_home_link_for_a_signed_in_supervisor_is_their_dashboard(client):
    client.force_login(member("supervisor", MembershipRole.SUPERVISOR))
    assert client.get(reverse("citizens:landing")).url == reverse("dossiers:supervision")


def test_the_start_page_function_answers_for_an_anonymous_user_too():
    from django.contrib.auth.models import AnonymousUser

    assert selectors.landing_url(AnonymousUser()) == reverse("citizens:dashboard")


# --------------------------------------------------------------------------
# The national identity provider (a real OpenID provider process)
# --------------------------------------------------------------------------


def sign_in_with_the_provider(client, national_id, next_url):
    from tests.identity_provider import LAN, ProviderUser

    start = client.get(reverse("citizens:national_id_start"), {"next": next_url})
    assert start.status_code == 302
    callback = ProviderUser(national_id, stop_at="http://testserver/").authorize(
        start["Location"], LAN
    )
    return client.get(callback)


def test_the_login_pages_provider_button_keeps_next(client, national_id, file_page):
    page = client.get(LOGIN, {"next": file_page}).text
    assert f'href="{reverse("citizens:national_id_start")}?next={file_page}"' in page


def test_next_survives_a_first_sign_in_with_the_provider(client, national_id, file_page):
    response = sign_in_with_the_provider(client, national_id, file_page)
    assert response.url == reverse("citizens:national_id_choose")
    done = client.post(reverse("citizens:national_id_choose"), {"create": "1"})
    assert done.url == file_page


@pytest.mark.parametrize("unsafe", UNSAFE)
def test_the_provider_round_trip_refuses_an_unsafe_next(client, national_id, unsafe):
    sign_in_with_the_provider(client, national_id, unsafe)
    done = client.post(reverse("citizens:national_id_choose"), {"create": "1"})
    assert done.url == reverse("citizens:dashboard")
