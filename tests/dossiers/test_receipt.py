"""The reception receipt (form 01): rendered by a real Celery worker, read back from the PDF.

Dossiers are built through the services, as an applicant and an officer would,
and due dates come from the real working-day calendar: nothing is frozen, the
assertions use the due date the dossier stored.
"""

import subprocess
import time
import unicodedata
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import zxingcpp
from django.conf import settings as django_settings
from django.urls import reverse
from PIL import Image

from citizens.constants import Gender, MembershipRole, WalletItemKind
from citizens.models import Membership, WalletItem
from core.uploads import ContentCheckedFileField
from dossiers import services
from dossiers.constants import DeliveryMethod
from dossiers.models import Dossier
from dossiers.receipt import processing_time_text, receipt_render_and_store
from procedures.constants import AdministrativeLevel, PersonalDocumentType, TimeUnit
from procedures.models import DocumentComponent
from tests.factories import AgencyFactory, ProcedureFactory, UserFactory
from tests.files import png_bytes, upload

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
TITLE = "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"
APPLICANT = "Nguyễn Thị Ánh Tuyết"
OFFICER = "Lê Văn Hùng"
PROCEDURE = "Cấp Giấy xác nhận tình trạng hôn nhân"
AGENCY = "Ủy ban nhân dân phường Hải Châu"
PARENT_AGENCY = "Ủy ban nhân dân thành phố Đà Nẵng"
WORKER_TIMEOUT_SECONDS = 20


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploads and receipts go to a fresh directory (the worker thread shares settings)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _checked_png(name="to-khai.png"):
    field = ContentCheckedFileField(max_bytes=5 * 1024 * 1024)
    return field.clean(upload(name, png_bytes(), "image/png"))


def _submitted_dossier() -> tuple[Dossier, object]:
    """A dossier filed online by its applicant: one upload, one document from the wallet."""
    parent = AgencyFactory(name=PARENT_AGENCY, level=AdministrativeLevel.PROVINCE)
    agency = AgencyFactory(
        name=AGENCY, parent=parent, address="Số 1 Lê Duẩn, phường Hải Châu, thành phố Đà Nẵng"
    )
    procedure = ProcedureFactory(
        name=PROCEDURE,
        agencies=[agency],
        processing_time=3,
        time_unit=TimeUnit.WORKING_DAYS,
    )
    declaration_form = DocumentComponent.objects.create(
        procedure=procedure,
        name="Tờ khai cấp Giấy xác nhận tình trạng hôn nhân",
        copies="1 bản chính",
        position=1,
    )
    id_card = DocumentComponent.objects.create(
        procedure=procedure,
        name="Thẻ căn cước",
        copies="1 bản sao",
        document_types=[PersonalDocumentType.ID_CARD],
        position=2,
    )
    applicant = UserFactory(
        full_name=APPLICANT,
        national_id="048190012345",
        gender=Gender.FEMALE,
        phone="0905123456",
        permanent_street="12 Bạch Đằng",
        permanent_ward="Phường Hải Châu",
        permanent_province="Thành phố Đà Nẵng",
    )
    officer = UserFactory(full_name=OFFICER)
    Membership.objects.create(user=officer, agency=agency, role=MembershipRole.OFFICER)
    wallet_id_card = WalletItem.objects.create(
        owner=applicant,
        kind=WalletItemKind.DOCUMENT,
        document_type=PersonalDocumentType.ID_CARD,
        title="Thẻ căn cước",
        number="048190012345",
    )

    dossier = services.dossier_draft_create(applicant=applicant, procedure=procedure, agency=agency)
    services.dossier_draft_save(
        dossier=dossier,
        actor=applicant,
        declaration={},
        delivery_method=DeliveryMethod.COUNTER,
        delivery_address="",
        uploads={declaration_form.pk: _checked_png()},
        reused={id_card.pk: wallet_id_card},
    )
    services.dossier_submit(dossier=dossier, actor=applicant, declared=True)
    return dossier, officer


def _received_dossier() -> Dossier:
    dossier, officer = _submitted_dossier()
    services.dossier_receive(dossier=dossier, actor=officer)
    dossier.refresh_from_db()
    return dossier


def _wait_for_receipt(dossier: Dossier) -> str:
    deadline = time.monotonic() + WORKER_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        name = Dossier.objects.filter(pk=dossier.pk).values_list("receipt_pdf", flat=True).get()
        if name:
            return name
        time.sleep(0.2)
    pytest.fail(f"The worker stored no receipt within {WORKER_TIMEOUT_SECONDS} s.")


def _pdf_text(path: Path) -> str:
    """The PDF's text as pdftotext lays it out, NFC, with runs of spaces collapsed."""
    result = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    )
    return " ".join(unicodedata.normalize("NFC", result.stdout).split())


def _receipt_files(media_root: Path) -> list[Path]:
    folder = media_root / "receipts"
    return sorted(folder.iterdir()) if folder.exists() else []


def _vietnam_time(moment) -> str:
    local = moment.astimezone(VN_TZ)
    return f"{local:%H} giờ {local:%M} phút, ngày {local:%d/%m/%Y}"


def test_worker_renders_the_receipt_with_the_appointment_when_a_dossier_is_received(
    media_root, celery_worker
):
    dossier = _received_dossier()

    name = _wait_for_receipt(dossier)

    dossier.refresh_from_db()
    text = _pdf_text(media_root / name)
    assert TITLE in text
    assert dossier.code in text
    assert "THÀNH PHỐ ĐÀ NẴNG" in text  # the parent agency, in the header
    assert f"{AGENCY} tiếp nhận hồ sơ của: Bà {APPLICANT}" in text
    assert "Số căn cước: 048190012345" in text
    assert f"Nội dung yêu cầu giải quyết: {PROCEDURE}" in text
    assert "Thẻ căn cước (từ kho dữ liệu điện tử)" in text
    assert "Số lượng hồ sơ: 01 (bộ)" in text
    assert f"Thời gian nhận hồ sơ: {_vietnam_time(dossier.received_at)}" in text
    assert f"Thời gian trả kết quả giải quyết hồ sơ: {_vietnam_time(dossier.due_at)}" in text
    assert f"Số thứ tự: {dossier.code[-4:]}" in text
    assert OFFICER in text


def test_receipt_qr_code_opens_the_public_lookup_of_the_dossier(db, media_root, tmp_path):
    dossier = _received_dossier()

    receipt_render_and_store(dossier.pk)

    dossier.refresh_from_db()
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", "-singlefile",
         str(media_root / dossier.receipt_pdf.name), str(tmp_path / "page")],
        check=True,
    )  # fmt: skip
    with Image.open(tmp_path / "page.png") as page:
        codes = zxingcpp.read_barcodes(page)
    lookup = (
        f"{django_settings.PORTAL_BASE_URL}{reverse('dossiers:lookup')}"
        f"?code={dossier.code}&pin={dossier.lookup_pin}"
    )
    assert [code.text for code in codes] == [lookup]
    assert len(dossier.lookup_pin) == 8


def test_receipt_prints_the_lookup_pin_beside_the_code(db, media_root):
    dossier = _received_dossier()

    receipt_render_and_store(dossier.pk)

    dossier.refresh_from_db()
    text = _pdf_text(media_root / dossier.receipt_pdf.name)
    pin = f"{dossier.lookup_pin[:4]} {dossier.lookup_pin[4:]}"
    assert f"Mã PIN tra cứu: {pin}" in text


def test_rendering_the_receipt_twice_leaves_exactly_one_file(db, media_root):
    dossier = _received_dossier()

    receipt_render_and_store(dossier.pk)
    first = Dossier.objects.get(pk=dossier.pk).receipt_pdf.name
    receipt_render_and_store(dossier.pk)

    dossier.refresh_from_db()
    assert dossier.receipt_pdf.name != first
    assert _receipt_files(media_root) == [media_root / dossier.receipt_pdf.name]


def test_a_dossier_never_received_gets_no_receipt(db, media_root):
    dossier, _officer = _submitted_dossier()

    receipt_render_and_store(dossier.pk)

    dossier.refresh_from_db()
    assert not dossier.receipt_pdf
    assert _receipt_files(media_root) == []


@pytest.mark.parametrize(
    ("values", "online", "expected"),
    [
        ({"processing_time": 3}, False, "3 ngày làm việc"),
        (
            {"processing_time": 3},
            True,
            "1,5 ngày làm việc (nộp trực tuyến; thời hạn thông thường 3 ngày làm việc)",
        ),
        ({"processing_time": 3, "online_reduction_percent": 0}, True, "3 ngày làm việc"),
        ({"processing_time": 0}, False, "Trong ngày"),
        ({"processing_time": 2, "same_day": True}, True, "Trong ngày"),
        (
            {"processing_time": 5, "time_unit": TimeUnit.CALENDAR_DAYS},
            True,
            "3 ngày (nộp trực tuyến; thời hạn thông thường 5 ngày)",
        ),
    ],
)
def test_receipt_states_the_processing_time_the_due_date_was_counted_with(values, online, expected):
    procedure = ProcedureFactory.build(**values)

    assert processing_time_text(procedure, online=online) == expected


def test_rendering_a_pdf_leaves_pillow_refusing_truncated_images():
    # WeasyPrint's import makes Pillow accept truncated images process-wide,
    # which would let corrupt uploads through core.uploads in the worker.
    from PIL import ImageFile

    from core.pdf import render_pdf

    render_pdf("dossiers/receipt_pdf.html", {"code": "T.0001-260105-0001", "documents": []})

    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
