"""Verifying an identity in person at a one-stop desk: recorded who, where, when, which document."""

import pytest
from django.urls import reverse

from citizens import desk_code
from citizens.constants import AccountAction, IdentityLevel, MembershipRole
from citizens.models import AccountEvent, Membership
from tests.accounts import verify_identity
from tests.factories import AgencyFactory, ResultTypeFactory, UserFactory
from tests.results_store.signing import issue_result

pytestmark = pytest.mark.django_db
FIND = reverse("citizens:desk_verification_find")
CHECK = reverse("citizens:desk_verification")


@pytest.fixture
def ward():
    return AgencyFactory(name="Ủy ban nhân dân phường Hải Châu")


@pytest.fixture
def officer(ward):
    user = UserFactory(username="officer", full_name="Trần Văn Cán")
    Membership.objects.create(user=user, agency=ward, role=MembershipRole.OFFICER)
    return user


@pytest.fixture
def citizen():
    return UserFactory(
        username="lan", full_name="Tran Thi Lan", national_id="048195001234", gender="female"
    )


def document(ward, **overrides):
    return {
        "agency": ward.pk,
        "document_type": "citizen_id_card",
        "document_number": "048195001234",
        "national_id": "048195001234",
        "full_name": "Trần Thị Lan",
        "date_of_birth": "1995-08-20",
        "gender": "female",
        "confirm": "on",
        **overrides,
    }


def open_account(client, code):
    return client.post(FIND, {"code": code})


def test_the_citizen_shows_a_code_on_the_profile_page(client, citizen):
    client.force_login(citizen)
    page = client.get(reverse("citizens:profile"))
    assert desk_code.desk_code(citizen) in page.text
    assert "Chưa xác thực" in page.text


def test_an_officer_verifies_the_identity_from_the_document(client, officer, citizen, ward):
    client.force_login(officer)
    assert open_account(client, desk_code.desk_code(citizen)).url == CHECK
    page = client.get(CHECK)
    assert "Tran Thi Lan" in page.text
    assert AccountEvent.objects.filter(
        user=citizen, actor=officer, action=AccountAction.IDENTITY_VIEWED
    ).exists()

    response = client.post(CHECK, document(ward))

    assert response.url == FIND
    citizen.refresh_from_db()
    assert citizen.identity_level == IdentityLevel.IN_PERSON
    assert citizen.full_name == "Trần Thị Lan"  # as the document says
    verification = citizen.identity_verifications.get()
    assert (verification.verified_by, verification.agency) == (officer, ward)
    assert (verification.document_type, verification.document_number) == (
        "citizen_id_card",
        "048195001234",
    )
    assert verification.verified_at is not None
    assert AccountEvent.objects.filter(
        user=citizen, actor=officer, action=AccountAction.IDENTITY_VERIFIED
    ).exists()


def test_the_verified_holder_receives_results_issued_to_the_id(client, officer, citizen, ward):
    result = issue_result(
        result_type=ResultTypeFactory(),
        agency=ward,
        holder_national_id="048195001234",
        holder_name="Trần Thị Lan",
        issued_on=citizen.date_joined.date(),
        data={},
        actor=officer,
    )
    client.force_login(officer)
    open_account(client, desk_code.desk_code(citizen))
    client.post(CHECK, document(ward))
    result.refresh_from_db()
    assert result.holder == citizen


def test_the_document_must_agree_with_itself_and_be_confirmed(client, officer, citizen, ward):
    client.force_login(officer)
    open_account(client, desk_code.desk_code(citizen))
    response = client.post(CHECK, document(ward, date_of_birth="1985-08-20", confirm=""))
    assert response.status_code == 200
    citizen.refresh_from_db()
    assert citizen.identity_level == IdentityLevel.DECLARED


def test_an_id_verified_on_another_account_is_refused(client, officer, citizen, ward):
    verify_identity(UserFactory(username="holder", national_id="048195001234"))
    client.force_login(officer)
    open_account(client, desk_code.desk_code(citizen))
    response = client.post(CHECK, document(ward))
    assert response.status_code == 200
    assert "đã được xác thực trên một tài khoản khác" in response.text
    citizen.refresh_from_db()
    assert not citizen.identity_verified


@pytest.mark.parametrize("code", ["", "12-ABCDEF", "abc", "999999-ABCDEF"])
def test_a_wrong_code_opens_nothing(client, officer, citizen, code):
    client.force_login(officer)
    response = open_account(client, code or f"{citizen.pk}-ABCDEF")
    assert response.status_code == 200
    assert client.get(CHECK).url == FIND


def test_a_code_stops_working_when_the_password_changes(client, officer, citizen):
    code = desk_code.desk_code(citizen)
    citizen.set_password("another-long-password-2026")
    citizen.save()
    client.force_login(officer)
    assert open_account(client, code).status_code == 200


def test_only_officers_reach_the_desk(client, citizen):
    client.force_login(UserFactory(username="someone"))
    assert client.get(FIND).status_code == 403
    assert client.post(FIND, {"code": desk_code.desk_code(citizen)}).status_code == 403


def test_an_officer_cannot_verify_their_own_identity(client, officer, ward):
    client.force_login(officer)
    open_account(client, desk_code.desk_code(officer))
    response = client.post(CHECK, document(ward))
    assert response.status_code == 200
    officer.refresh_from_db()
    assert not officer.identity_verified


def test_the_desk_must_be_one_the_officer_works_at(client, officer, citizen):
    other_ward = AgencyFactory()
    client.force_login(officer)
    open_account(client, desk_code.desk_code(citizen))
    response = client.post(CHECK, document(other_ward))
    assert response.status_code == 200
    citizen.refresh_from_db()
    assert not citizen.identity_verified
