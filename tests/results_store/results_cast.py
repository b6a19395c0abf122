"""People and results for the officer, digitization and wallet tests, built through the services."""

from dataclasses import dataclass
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from citizens.constants import MembershipRole
from citizens.models import Membership, User
from core.uploads import validate_upload
from procedures.models import Agency, ResultType
from results_store import services
from results_store.constants import ResultStatus
from results_store.models import Result
from tests.accounts import verify_identity
from tests.factories import AgencyFactory, ProcedureFactory, ResultTypeFactory, UserFactory
from tests.files import pdf_bytes
from tests.results_store.signing import issue_result

HOLDER_NATIONAL_ID = "048090012345"
NEWCOMER_NATIONAL_ID = "048195001122"


@dataclass
class Cast:
    agency: Agency
    other_agency: Agency
    result_type: ResultType
    officer: User
    other_officer: User
    supervisor: User
    holder: User
    stranger: User


def make_cast() -> Cast:
    city = AgencyFactory(name="Ủy ban nhân dân thành phố Đà Nẵng", name_en="Da Nang City")
    ward = AgencyFactory(name="Ủy ban nhân dân phường Hải Châu", parent=city)
    other_ward = AgencyFactory(name="Ủy ban nhân dân phường Thanh Khê", parent=city)
    officer = UserFactory(full_name="Trần Văn Cán")
    other_officer = UserFactory(full_name="Lê Thị Khác")
    supervisor = UserFactory(full_name="Phạm Giám Sát")
    Membership.objects.create(user=officer, agency=ward, role=MembershipRole.OFFICER)
    Membership.objects.create(user=other_officer, agency=other_ward, role=MembershipRole.OFFICER)
    Membership.objects.create(user=supervisor, agency=city, role=MembershipRole.SUPERVISOR)
    holder = UserFactory(full_name="Nguyễn Văn An", national_id=HOLDER_NATIONAL_ID)
    verify_identity(holder)
    # Both wards handle the birth registration that issues the result type.
    result_type = ResultTypeFactory(name="Giấy khai sinh", name_en="Birth certificate")
    ProcedureFactory(agencies=[ward, other_ward]).result_types.add(result_type)
    return Cast(
        agency=ward,
        other_agency=other_ward,
        result_type=result_type,
        officer=officer,
        other_officer=other_officer,
        supervisor=supervisor,
        holder=holder,
        stranger=UserFactory(full_name="Người Lạ"),
    )


def issue(c: Cast, *, number="12/2025", holder_national_id=HOLDER_NATIONAL_ID, **overrides):
    """A result of the cast's ward, being prepared, as a completed dossier would issue it."""
    kwargs = {
        "result_type": c.result_type,
        "agency": c.agency,
        "holder_national_id": holder_national_id,
        "holder_name": "Nguyễn Văn An",
        "issued_on": date(2025, 3, 14),
        "data": {"Họ và tên": "Nguyễn Văn An", "Nơi sinh": "Đà Nẵng"},
        "actor": c.officer,
        "number": number,
        **overrides,
    }
    return issue_result(**kwargs)


def sign(result: Result) -> Result:
    """Sign through the real service: render, stamp, PAdES, deliver."""
    try:
        services.result_sign(result.pk)
    except NotImplementedError:
        pytest.skip("results_store.documents is still a placeholder: results cannot be signed yet")
    result.refresh_from_db()
    return result


def mark_signed(result: Result) -> Result:
    """A stand-in for signing, for tests about who may see a result, not about signing.

    Stores a small PDF and sets the status the signing service would set,
    without rendering or delivering anything.
    """
    name = default_storage.save(f"results/{result.public_id.hex}.pdf", ContentFile(pdf_bytes()))
    Result.objects.filter(pk=result.pk).update(
        pdf=name, status=ResultStatus.VALID, status_changed_at=timezone.now()
    )
    result.refresh_from_db()
    return result


def scan_upload(content=None, name="ban-giay.pdf", content_type="application/pdf"):
    return SimpleUploadedFile(name, content or pdf_bytes(), content_type=content_type)


def checked_scan():
    """A scan as the form hands it to the service: checked, with its detected kind."""
    upload = scan_upload()
    upload.detected_kind = validate_upload(upload, max_bytes=20 * 1024 * 1024)
    return upload
