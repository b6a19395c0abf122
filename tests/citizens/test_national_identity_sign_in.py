"""Sign-in with the national identity provider, against a real OpenID provider process.

The provider is the `oidc-provider` package from npm (tests/identity_provider.py):
the person signs in and consents on its pages, and the portal fetches tokens,
keys and claims from it over HTTP. Forged or broken answers come from the
provider's test control API, which alters its next answer.
"""

from datetime import date
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from citizens.constants import AccountAction, IdentityLevel
from citizens.models import AccountEvent, ExternalIdentity, User, WalletItem
from tests.accounts import verify_identity
from tests.factories import AgencyFactory, ResultTypeFactory, UserFactory
from tests.identity_provider import KHANG, LAN, ProviderUser
from tests.results_store.signing import issue_result

pytestmark = pytest.mark.django_db
PORTAL = "http://testserver/"
START = reverse("citizens:national_id_start")
CHOOSE = reverse("citizens:national_id_choose")


def provider_page(client, next_url=None) -> str:
    response = client.get(START, {"next": next_url} if next_url else {})
    assert response.status_code == 302, response
    return response["Location"]


def sign_in_at_provider(client, national_id, identity=LAN, *, next_url=None):
    """The person clicks "Sign in with VNeID", signs in and consents; the portal's answer."""
    person = ProviderUser(national_id, stop_at=PORTAL)
    callback = person.authorize(provider_page(client, next_url), identity)
    return client.get(callback)


def signed_in_user(client) -> User | None:
    pk = client.session.get("_auth_user_id")
    return User.objects.get(pk=pk) if pk else None


def error_text(response) -> str:
    return " ".join(str(m) for m in response.wsgi_request._messages)


def test_the_provider_is_asked_for_a_code_with_pkce_state_and_nonce(client, national_id):
    query = parse_qs(urlparse(provider_page(client)).query)
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert len(query["state"][0]) >= 20 and len(query["nonce"][0]) >= 20
    assert query["redirect_uri"] == ["http://testserver/accounts/national-id/callback/"]
    assert set(query["scope"][0].split()) >= {"openid", "profile", "national_id"}


def test_a_first_sign_in_opens_a_verified_account_from_the_providers_claims(client, national_id):
    response = sign_in_at_provider(client, national_id)
    assert response.url == CHOOSE
    assert signed_in_user(client) is None
    page = client.get(CHOOSE)
    assert "Trần Thị Lan" in page.text

    response = client.post(CHOOSE, {"create": "1"})
    user = signed_in_user(client)
    assert response.status_code == 302
    assert (user.full_name, user.national_id) == ("Trần Thị Lan", "048195001234")
    assert (user.date_of_birth, user.gender) == (date(1995, 8, 20), "female")
    assert user.identity_level == IdentityLevel.NATIONAL_IDP
    assert not user.has_usable_password()
    link = ExternalIdentity.objects.get(user=user)
    assert (link.issuer, link.subject) == (national_id.issuer, LAN.sub)
    verification = user.identity_verifications.get()
    assert (verification.method, verification.subject) == ("national_idp", LAN.sub)


def test_the_next_sign_in_goes_straight_to_the_same_account(client, national_id):
    sign_in_at_provider(client, national_id)
    client.post(CHOOSE, {"create": "1"})
    first = signed_in_user(client)
    client.post(reverse("citizens:logout"))

    response = sign_in_at_provider(client, national_id, next_url="/me/wallet/")
    assert response.url == "/me/wallet/"
    assert signed_in_user(client) == first
    assert User.objects.filter(national_id=LAN.national_id).count() == 1


def test_results_issued_to_the_id_go_to_the_verified_holder_never_to_a_squatter(
    client, national_id
):

    officer = UserFactory(username="officer")
    ward = AgencyFactory()
    squatter = UserFactory(username="squatter", national_id=LAN.national_id)
    result = issue_result(
        result_type=ResultTypeFactory(name="Giấy khai sinh"),
        agency=ward,
        holder_national_id=LAN.national_id,
        holder_name=LAN.name,
        issued_on=date(2020, 1, 2),
        data={"Họ và tên": LAN.name},
        actor=officer,
        digitized=True,
    )
    assert result.holder is None
    assert not WalletItem.objects.filter(owner=squatter).exists()

    sign_in_at_provider(client, national_id)
    client.post(CHOOSE, {"create": "1"})

    holder = signed_in_user(client)
    result.refresh_from_db()
    assert result.holder == holder
    assert WalletItem.objects.filter(owner=holder, source_reference=f"result:{result.public_id}")
    squatter.refresh_from_db()
    assert squatter.national_id is None
    assert not WalletItem.objects.filter(owner=squatter).exists()
    assert AccountEvent.objects.filter(
        user=squatter, action=AccountAction.IDENTITY_CLAIM_REMOVED
    ).exists()


def test_linking_an_account_held_already_asks_for_its_password_once(client, national_id):
    own = UserFactory(username="lan", email="lan.tran@example.vn", national_id=LAN.national_id)
    sign_in_at_provider(client, national_id)

    wrong = client.post(CHOOSE, {"username": "lan.tran@example.vn", "password": "not-it"})
    assert wrong.status_code == 400
    assert signed_in_user(client) is None

    right = client.post(
        CHOOSE, {"username": "lan.tran@example.vn", "password": "a-long-test-password"}
    )
    assert right.status_code == 302
    assert signed_in_user(client) == own
    own.refresh_from_db()
    assert own.identity_level == IdentityLevel.NATIONAL_IDP
    assert ExternalIdentity.objects.get(subject=LAN.sub).user == own

    client.post(reverse("citizens:logout"))
    sign_in_at_provider(client, national_id)
    assert signed_in_user(client) == own  # no password asked again


def test_an_account_verified_as_someone_else_cannot_be_linked(client, national_id):
    other = UserFactory(username="khang", national_id=KHANG.national_id)
    verify_identity(other)
    sign_in_at_provider(client, national_id)
    response = client.post(CHOOSE, {"username": "khang", "password": "a-long-test-password"})
    assert response.status_code == 200
    assert "số định danh khác" in response.text
    assert signed_in_user(client) is None
    assert not ExternalIdentity.objects.exists()


def test_a_signed_in_citizen_verifies_their_account_from_the_profile(client, national_id):
    user = UserFactory(username="lan", national_id=LAN.national_id)
    client.force_login(user)
    response = sign_in_at_provider(client, national_id, next_url=reverse("citizens:profile"))
    assert response.url == reverse("citizens:profile")
    user.refresh_from_db()
    assert user.identity_level == IdentityLevel.NATIONAL_IDP
    assert user.full_name == "Trần Thị Lan"  # the provider's name replaces the typed one


def test_an_account_verified_at_a_desk_is_found_by_its_citizen_id(client, national_id):
    user = UserFactory(username="lan", national_id=LAN.national_id, full_name=LAN.name)
    verify_identity(user)
    response = sign_in_at_provider(client, national_id)
    assert response.status_code == 302 and response.url != CHOOSE
    assert signed_in_user(client) == user


def test_a_staff_member_signing_in_with_the_provider_still_passes_the_second_factor(
    client, national_id
):
    from citizens.constants import MembershipRole
    from citizens.models import Membership

    officer = UserFactory(username="officer", national_id=LAN.national_id, full_name=LAN.name)
    verify_identity(officer)
    Membership.objects.create(user=officer, agency=AgencyFactory(), role=MembershipRole.OFFICER)
    sign_in_at_provider(client, national_id)
    assert signed_in_user(client) == officer
    response = client.get(reverse("dossiers:queue"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("citizens:second_factor_setup"))


@pytest.mark.parametrize(
    "mode",
    [
        "wrong-nonce",
        "wrong-aud",
        "expired",
        "wrong-iss",
        "unknown-key",
        "bad-signature",
        "alg-none",
        "no-id-token",
    ],
)
def test_a_forged_or_stale_id_token_signs_nobody_in(client, national_id, mode):
    person = ProviderUser(national_id, stop_at=PORTAL)
    callback = person.authorize(provider_page(client), LAN)
    national_id.tamper("token", mode)

    response = client.get(callback, follow=True)

    assert signed_in_user(client) is None
    assert not User.objects.filter(national_id=LAN.national_id).exists()
    assert not ExternalIdentity.objects.exists()
    assert "Không thể kiểm chứng" in response.text
    # The password form is still there.
    assert response.request["PATH_INFO"] == reverse("citizens:login")


def test_userinfo_about_another_person_signs_nobody_in(client, national_id):
    person = ProviderUser(national_id, stop_at=PORTAL)
    callback = person.authorize(provider_page(client), LAN)
    national_id.tamper("userinfo", "sub-mismatch")
    response = client.get(callback, follow=True)
    assert signed_in_user(client) is None
    assert "Không thể kiểm chứng" in response.text


@pytest.mark.parametrize("mode", ["garbage", "server-error"])
def test_a_provider_answering_garbage_at_the_token_endpoint_gets_a_clear_message(
    client, national_id, mode
):
    person = ProviderUser(national_id, stop_at=PORTAL)
    callback = person.authorize(provider_page(client), LAN)
    national_id.tamper("token", mode)
    response = client.get(callback, follow=True)
    assert signed_in_user(client) is None
    assert "không phản hồi đúng" in response.text


@pytest.mark.parametrize("mode", ["garbage", "server-error"])
def test_broken_discovery_leaves_password_sign_in_working(client, national_id, mode):
    national_id.tamper("discovery", mode)
    response = client.get(START, follow=True)
    assert response.request["PATH_INFO"] == reverse("citizens:login")
    assert "không phản hồi đúng" in response.text
    UserFactory(username="binh")
    login = client.post(
        reverse("citizens:login"), {"username": "binh", "password": "a-long-test-password"}
    )
    assert login.status_code == 302
    # Once the provider answers again, sign-in works without a restart.
    sign_in_at_provider(client, national_id)


def test_a_provider_that_is_down_gets_a_clear_message(client, national_id, settings):
    from citizens import oidc

    settings.OIDC_ISSUER = "http://127.0.0.1:9"  # nothing listens on the discard port
    oidc.forget_provider()
    response = client.get(START, follow=True)
    assert response.status_code == 200
    assert response.request["PATH_INFO"] == reverse("citizens:login")
    assert "không phản hồi đúng" in response.text


def test_an_answer_replayed_or_from_another_browser_is_refused(client, national_id):
    person = ProviderUser(national_id, stop_at=PORTAL)
    callback = person.authorize(provider_page(client), LAN)
    from django.test import Client

    stranger = Client()
    response = stranger.get(callback, follow=True)
    assert "_auth_user_id" not in stranger.session
    assert "đã hết hạn" in response.text

    client.get(callback)  # the rightful browser, once
    assert client.session.get("national_id_pending_person")
    again = client.get(callback, follow=True)
    assert "đã hết hạn" in again.text


def test_refusing_consent_at_the_provider_changes_nothing(client, national_id):
    person = ProviderUser(national_id, stop_at=PORTAL)
    assert not person.open(provider_page(client))
    assert not person.sign_in(LAN)
    callback = person.refuse()
    response = client.get(callback, follow=True)
    assert signed_in_user(client) is None
    assert "Đã hủy đăng nhập bằng VNeID" in response.text


def test_the_wrong_password_at_the_provider_keeps_the_person_there(client, national_id):
    person = ProviderUser(national_id, stop_at=PORTAL)
    person.open(provider_page(client))
    assert person.sign_in(LAN, password="wrong") == ""
    assert "Số định danh hoặc mật khẩu không đúng" in person.last_page


def test_signing_out_also_signs_out_at_the_provider(client, national_id):
    sign_in_at_provider(client, national_id)
    client.post(CHOOSE, {"create": "1"})
    response = client.post(reverse("citizens:logout"))
    assert signed_in_user(client) is None
    end_session = urlparse(response["Location"])
    assert f"{end_session.scheme}://{end_session.netloc}" == national_id.issuer
    query = parse_qs(end_session.query)
    assert query["post_logout_redirect_uri"] == [PORTAL]
    assert query["id_token_hint"]


def test_the_choice_after_a_first_sign_in_expires(client, national_id):
    from citizens.identity_views import PENDING_SINCE

    sign_in_at_provider(client, national_id)
    session = client.session
    session[PENDING_SINCE] -= 16 * 60
    session.save()
    response = client.post(CHOOSE, {"create": "1"})
    assert response.url == reverse("citizens:login")
    assert not User.objects.filter(national_id=LAN.national_id).exists()


def test_administrators_cannot_read_staff_secrets_in_the_admin(client):
    client.force_login(UserFactory(username="admin", administrator=True))
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404
