"""Staff pass a second factor before any staff page; staff sessions end.

These tests sign in through the login page, as a person does; elsewhere
`client.force_login` stands for a full sign-in (tests/conftest.py).
"""

import time

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from citizens.constants import AccountAction, MembershipRole
from citizens.middleware import SEEN_AT
from citizens.models import AccountEvent, Membership
from citizens.signals import SIGNED_IN_AT
from tests.accounts import confirmed_totp_device, fresh_totp_code, totp_code
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"
SETUP = reverse("citizens:second_factor_setup")
VERIFY = reverse("citizens:second_factor")

STAFF_PAGES = [
    reverse("dossiers:queue"),
    reverse("results_store:officer_list"),
    reverse("results_store:digitize"),
    reverse("dossiers:supervision"),
    reverse("citizens:desk_verification_find"),
    reverse("admin:index"),
    reverse("admin:citizens_user_changelist"),
    reverse("citizens:dashboard"),
]


@pytest.fixture
def officer():
    user = UserFactory(username="officer")
    Membership.objects.create(user=user, agency=AgencyFactory(), role=MembershipRole.OFFICER)
    return user


@pytest.fixture
def administrator():
    return UserFactory(username="admin", administrator=True)


def password_login(client, username):
    return client.post(reverse("citizens:login"), {"username": username, "password": PASSWORD})


@pytest.mark.parametrize("page", STAFF_PAGES)
@pytest.mark.parametrize("who", ["officer", "administrator"])
def test_a_password_alone_reaches_no_staff_page(client, request, who, page):
    user = request.getfixturevalue(who)
    confirmed_totp_device(user)
    password_login(client, user.username)
    response = client.get(page)
    assert response.status_code == 302
    assert response.url.startswith(VERIFY)


def test_a_password_alone_cannot_post_to_a_staff_page(client, officer):
    confirmed_totp_device(officer)
    password_login(client, "officer")
    response = client.post(reverse("results_store:digitize"), {})
    assert response.status_code == 302 and response.url == VERIFY


def test_the_admin_login_is_the_portals_login(client, administrator):
    response = client.get(reverse("admin:login"), {"next": "/admin/"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("citizens:login"))


def test_a_first_sign_in_enrols_an_authenticator_and_hands_out_recovery_codes(client, officer):
    password_login(client, "officer")
    response = client.get(reverse("dossiers:queue"))
    assert response.url.startswith(SETUP)
    page = client.get(response.url)
    assert "data:image/svg+xml;base64," in page.text  # the QR code, no inline markup
    device = TOTPDevice.objects.get(user=officer, confirmed=False)

    wrong = client.post(SETUP, {"token": "000000"})
    assert wrong.status_code == 400
    assert client.get(reverse("dossiers:queue")).status_code == 302

    done = client.post(SETUP, {"token": totp_code(device), "next": reverse("dossiers:queue")})
    assert done.status_code == 302
    codes_page = client.get(done.url)
    codes = StaticDevice.objects.get(user=officer).token_set.values_list("token", flat=True)
    assert len(codes) == 10 and all(code in codes_page.text for code in codes)
    assert all(code not in client.get(reverse("citizens:recovery_codes")).text for code in codes)
    assert client.get(reverse("dossiers:queue")).status_code == 200
    assert AccountEvent.objects.filter(
        user=officer, action=AccountAction.SECOND_FACTOR_ENROLLED
    ).exists()


def test_the_authenticator_code_opens_staff_pages_and_is_single_use(client, officer):
    device = confirmed_totp_device(officer)
    password_login(client, "officer")
    code = fresh_totp_code(device)
    response = client.post(VERIFY, {"token": code, "next": reverse("dossiers:queue")})
    assert response.url == reverse("dossiers:queue")
    assert client.get(reverse("dossiers:queue")).status_code == 200

    client.post(reverse("citizens:logout"))
    password_login(client, "officer")
    again = client.post(VERIFY, {"token": code})
    assert again.status_code == 400  # the same code twice is a replay
    assert client.get(reverse("dossiers:queue")).status_code == 302


def test_a_recovery_code_works_once_and_is_recorded(client, officer):
    confirmed_totp_device(officer)
    device = StaticDevice.objects.create(user=officer, name="Recovery codes")
    device.token_set.create(token="abcd1234")
    password_login(client, "officer")
    assert client.post(VERIFY, {"token": "abcd1234"}).status_code == 302
    assert client.get(reverse("dossiers:queue")).status_code == 200
    assert AccountEvent.objects.filter(user=officer, action=AccountAction.RECOVERY_CODE_USED)
    client.post(reverse("citizens:logout"))
    password_login(client, "officer")
    assert client.post(VERIFY, {"token": "abcd1234"}).status_code == 400


def test_wrong_codes_are_throttled(client, officer):
    device = confirmed_totp_device(officer)
    password_login(client, "officer")
    for _ in range(3):
        client.post(VERIFY, {"token": "000000"})
    response = client.post(VERIFY, {"token": fresh_totp_code(device)})
    assert response.status_code == 400  # even the right code waits after failures


def test_an_administrator_resets_a_second_factor_with_an_audit_row(client, officer, administrator):
    confirmed_totp_device(officer)
    client.force_login(administrator)
    response = client.post(
        reverse("admin:citizens_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [officer.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=officer).exists()
    event = AccountEvent.objects.get(user=officer, action=AccountAction.SECOND_FACTOR_RESET)
    assert event.actor == administrator
    client.post(reverse("citizens:logout"))
    password_login(client, "officer")
    assert client.get(reverse("dossiers:queue")).url.startswith(SETUP)


def test_citizens_need_no_second_factor(client):
    UserFactory(username="citizen")
    password_login(client, "citizen")
    assert client.get(reverse("citizens:dashboard")).status_code == 200
    assert client.get(SETUP).status_code == 403


def test_a_staff_session_ends_after_thirty_idle_minutes(client, officer):
    client.force_login(officer)
    assert client.get(reverse("dossiers:queue")).status_code == 200
    session = client.session
    session[SEEN_AT] = int(time.time()) - 31 * 60
    session.save()
    response = client.get(reverse("dossiers:queue"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("citizens:login"))
    assert "_auth_user_id" not in client.session
    page = client.get(response.url)
    assert "30 phút không hoạt động" in page.text


def test_a_staff_session_ends_twelve_hours_after_sign_in_however_busy(client, officer):
    client.force_login(officer)
    session = client.session
    session[SIGNED_IN_AT] = int(time.time()) - 12 * 3600 - 60
    session.save()
    response = client.get(reverse("dossiers:queue"))
    assert response.url.startswith(reverse("citizens:login"))
    assert "_auth_user_id" not in client.session


def test_a_staff_session_cookie_expires_with_the_idle_limit(client, officer):
    client.force_login(officer)
    session = client.session
    session.pop(SEEN_AT)
    session.save()
    client.get(reverse("dossiers:queue"))
    assert 29 * 60 < client.session.get_expiry_age() <= 30 * 60


def test_a_citizen_session_is_not_cut_at_thirty_minutes(client):
    user = UserFactory(username="citizen")
    client.force_login(user)
    session = client.session
    session[SEEN_AT] = int(time.time()) - 3 * 3600
    session.save()
    assert client.get(reverse("citizens:dashboard")).status_code == 200
