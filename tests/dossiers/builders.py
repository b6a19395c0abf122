"""Dossiers built through the real services, for tests that need the true path."""

from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile

from citizens.constants import MembershipRole, WalletItemKind
from citizens.models import Membership, User, WalletItem
from core.uploads import validate_upload
from dossiers import services
from dossiers.constants import DossierState
from dossiers.models import Dossier
from procedures.models import Agency, Procedure
from tests.factories import AgencyFactory, FieldFactory, ProcedureFactory, UserFactory
from tests.files import pdf_bytes, png_bytes, upload


def checked_upload(name="giay-to.png", content=None):
    """An upload as the forms hand it to services: checked, with its detected kind."""
    upload = SimpleUploadedFile(name, content or png_bytes(), content_type="image/png")
    upload.detected_kind = validate_upload(upload, max_bytes=10 * 1024 * 1024)
    return upload


@dataclass
class Cast:
    procedure: Procedure
    agency: Agency
    applicant: User
    officer: User
    other_officer: User
    stranger: User
    id_card: WalletItem


def cast(*, processing_days=3) -> Cast:
    ward = AgencyFactory(name="Ủy ban nhân dân phường Hải Châu")
    other_ward = AgencyFactory(name="Ủy ban nhân dân phường Thanh Khê")
    procedure = ProcedureFactory(
        name="Cấp Giấy xác nhận tình trạng hôn nhân",
        field=FieldFactory(code="ho-tich"),
        processing_time=processing_days,
        agencies=[ward, other_ward],
    )
    procedure.form_fields.create(
        key="applicant_name", label="Họ và tên", prefill_source="full_name", position=1
    )
    procedure.form_fields.create(key="purpose", label="Mục đích sử dụng", position=2)
    procedure.components.create(name="Tờ khai", position=1)
    procedure.components.create(
        name="Giấy tờ tùy thân", position=2, document_types=["id_card"], is_required=False
    )
    applicant = UserFactory(full_name="Nguyễn Thị Ánh Tuyết")
    officer = UserFactory(full_name="Trần Văn Cán")
    other_officer = UserFactory(full_name="Lê Thị Khác")
    Membership.objects.create(user=officer, agency=ward, role=MembershipRole.OFFICER)
    Membership.objects.create(user=other_officer, agency=other_ward, role=MembershipRole.OFFICER)
    id_card = WalletItem.objects.create(
        owner=applicant, kind=WalletItemKind.DOCUMENT, document_type="id_card", title="CCCD"
    )
    return Cast(procedure, ward, applicant, officer, other_officer, UserFactory(), id_card)


def dossier_in(state: str, c: Cast) -> Dossier:
    """A dossier brought to `state` by the services, as people would."""
    dossier = services.dossier_draft_create(
        applicant=c.applicant, procedure=c.procedure, agency=c.agency
    )
    form_component, id_component = c.procedure.components.order_by("position")
    services.dossier_draft_save(
        dossier=dossier,
        actor=c.applicant,
        declaration={"applicant_name": "Nguyễn Thị Ánh Tuyết", "purpose": "Kết hôn"},
        delivery_method="counter",
        delivery_address="",
        uploads={form_component.pk: checked_upload("to-khai.png")},
        reused={id_component.pk: c.id_card},
    )
    if state == DossierState.DRAFT:
        return dossier
    services.dossier_submit(dossier=dossier, actor=c.applicant, declared=True)
    if state == DossierState.SUBMITTED:
        return dossier
    if state == DossierState.SUPPLEMENT_REQUESTED:
        services.dossier_request_supplement(
            dossier=dossier,
            actor=c.officer,
            reason="Thiếu tờ khai có chữ ký",
            components=[form_component],
        )
        return dossier
    if state == DossierState.REJECTED:
        services.dossier_reject(dossier=dossier, actor=c.officer, reason="Không thuộc thẩm quyền")
        return dossier
    services.dossier_receive(dossier=dossier, actor=c.officer)
    if state == DossierState.COMPLETED:
        services.dossier_complete(dossier=dossier, actor=c.officer, outcome="Đã cấp giấy xác nhận")
    return dossier


def intake_data(c: Cast, **overrides) -> dict:
    """The intake form of the cast's procedure filled in and sent with "Continue"."""
    form_component = c.procedure.components.get(position=1)
    id_component = c.procedure.components.get(position=2)
    data = {
        "agency": c.agency.pk,
        "field_applicant_name": "Nguyễn Thị Ánh Tuyết",
        "field_purpose": "Đăng ký kết hôn",
        "delivery_method": "counter",
        "delivery_address": "",
        f"reuse_{id_component.pk}": c.id_card.pk,
        f"component_{form_component.pk}": upload("to-khai.pdf", pdf_bytes()),
        "action": "continue",
    }
    data.update(overrides)
    return data
