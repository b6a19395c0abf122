"""The reuse service: what a citizen's account already holds for a procedure."""

from datetime import date

import pytest

from citizens.constants import WalletItemKind
from citizens.models import WalletItem
from citizens.selectors import reuse_for_procedure
from tests.accounts import verify_identity
from tests.factories import ProcedureFactory, ResultTypeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen():
    """A citizen whose identity an officer verified at the desk."""
    user = UserFactory(
        username="an",
        full_name="Nguyễn Văn An",
        national_id="048090000123",
        date_of_birth=date(1990, 5, 2),
        gender="male",
        phone="0905123456",
        permanent_street="12 Lê Duẩn",
        permanent_ward="Phường Hải Châu",
        permanent_province="Thành phố Đà Nẵng",
    )
    verify_identity(user)
    return user


@pytest.fixture
def procedure():
    birth_certificate = ResultTypeFactory(code="KQ.G15.000031", name="Giấy khai sinh")
    procedure = ProcedureFactory(code="1.004873", name="Cấp Giấy xác nhận tình trạng hôn nhân")
    procedure.form_fields.create(key="applicant", label="Họ tên", prefill_source="full_name")
    procedure.form_fields.create(key="cccd", label="Số CCCD", prefill_source="national_id")
    procedure.form_fields.create(key="dob", label="Ngày sinh", prefill_source="date_of_birth")
    procedure.form_fields.create(
        key="address", label="Nơi thường trú", prefill_source="permanent_address"
    )
    procedure.form_fields.create(key="email", label="Email", prefill_source="email")
    procedure.form_fields.create(key="purpose", label="Mục đích")
    ids = procedure.components.create(
        name="Căn cước công dân", position=1, document_types=["id_card"]
    )
    birth = procedure.components.create(name="Giấy khai sinh", position=2)
    birth.satisfied_by.add(birth_certificate)
    procedure.components.create(name="Tờ khai", position=3)
    return procedure, ids, birth, birth_certificate


def test_prefill_comes_from_the_profile_for_fields_with_a_source(citizen, procedure):
    reuse = reuse_for_procedure(user=citizen, procedure=procedure[0])
    assert reuse.prefill == {
        "applicant": "Nguyễn Văn An",
        "cccd": "048090000123",
        "dob": date(1990, 5, 2),
        "address": "12 Lê Duẩn, Phường Hải Châu, Thành phố Đà Nẵng",
        "email": citizen.email,
    }


def test_components_offer_matching_documents_and_results_only(citizen, procedure):
    proc, _ids, _birth, birth_certificate = procedure
    id_card = WalletItem.objects.create(
        owner=citizen, kind=WalletItemKind.DOCUMENT, document_type="id_card", title="CCCD"
    )
    WalletItem.objects.create(
        owner=citizen, kind=WalletItemKind.DOCUMENT, document_type="other", title="Khác"
    )
    result = WalletItem.objects.create(
        owner=citizen,
        kind=WalletItemKind.RESULT,
        result_type=birth_certificate,
        title="Giấy khai sinh",
        source_reference="result:1",
    )
    offered = {
        c.component.name: [i.pk for i in c.items]
        for c in reuse_for_procedure(user=citizen, procedure=proc).components
    }
    assert offered == {
        "Căn cước công dân": [id_card.pk],
        "Giấy khai sinh": [result.pk],
        "Tờ khai": [],
    }


def test_another_citizens_items_are_never_offered(citizen, procedure):
    proc = procedure[0]
    WalletItem.objects.create(
        owner=UserFactory(username="other"),
        kind=WalletItemKind.DOCUMENT,
        document_type="id_card",
        title="CCCD của người khác",
    )
    reuse = reuse_for_procedure(user=citizen, procedure=proc)
    assert all(c.items == [] for c in reuse.components)


def test_an_unverified_account_gets_no_identity_prefill(procedure):
    claimant = UserFactory(
        username="claimant",
        full_name="Nguyễn Văn An",
        national_id="048090000123",
        date_of_birth=date(1990, 5, 2),
        gender="male",
        permanent_street="12 Lê Duẩn",
        permanent_province="Thành phố Đà Nẵng",
    )
    reuse = reuse_for_procedure(user=claimant, procedure=procedure[0])
    assert reuse.prefill == {
        "address": "12 Lê Duẩn, Thành phố Đà Nẵng",
        "email": claimant.email,
    }


def test_an_unverified_account_is_offered_its_documents_but_no_results(procedure):
    proc, _ids, _birth, birth_certificate = procedure
    claimant = UserFactory(username="claimant", national_id="048090000123")
    id_card = WalletItem.objects.create(
        owner=claimant, kind=WalletItemKind.DOCUMENT, document_type="id_card", title="CCCD"
    )
    WalletItem.objects.create(
        owner=claimant,
        kind=WalletItemKind.RESULT,
        result_type=birth_certificate,
        title="Giấy khai sinh",
        source_reference="result:9",
    )
    offered = {
        c.component.name: [i.pk for i in c.items]
        for c in reuse_for_procedure(user=claimant, procedure=proc).components
    }
    assert offered == {"Căn cước công dân": [id_card.pk], "Giấy khai sinh": [], "Tờ khai": []}
