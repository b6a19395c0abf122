"""The PDFs of a typical demo dossier fit on one A4 page.

A receipt whose QR code, or a result whose signature, sits alone on page 2
looks unfinished and costs a second sheet at the counter. The demo citizen
files the demo's birth registration at the Hải Châu ward through the
services, the ward's officer receives it (the receipt) and completes it
(the birth certificate); the PDFs are read back with poppler.
"""

import io
import subprocess
import unicodedata
from pathlib import Path

import pytest
from django.core.management import call_command

from citizens.models import User
from core.pdf import render_pdf
from dossiers import selectors, services
from dossiers.apology import apology_context
from dossiers.constants import DeliveryMethod, DossierAction
from dossiers.models import Dossier
from dossiers.receipt import RECEIPT_LANGUAGE, RECEIPT_TEMPLATE, receipt_context
from procedures import calendar
from procedures.models import Agency, Procedure
from results_store.documents import render_result_pdf
from results_store.models import Result
from tests.dossiers.builders import checked_upload

pytestmark = pytest.mark.django_db

HAI_CHAU_WARD = "000.01.00.H15"
APPLICANT = {
    "full_name": "Nguyễn Văn An",
    "date_of_birth": "1990-05-12",
    "phone": "0905123456",
    "permanent_address": "12 Bạch Đằng, phường Hải Châu, thành phố Đà Nẵng",
}
BIRTH_REGISTRATION = (
    "1.001193",
    {
        "relationship": "Cha",
        "child_full_name": "Nguyễn Minh Khôi",
        "child_date_of_birth": "2026-03-02",
        "child_gender": "Nam",
        "child_ethnicity": "Kinh",
        "child_place_of_birth": "Bệnh viện Phụ sản - Nhi Đà Nẵng",
        "father_full_name": "Nguyễn Văn An",
        "mother_full_name": "Trần Thị Bình",
    },
    # The lines of the prescribed form the declaration does not give, which the
    # officer fills in from the civil-status register: a birth certificate in full.
    {
        "Quốc tịch của trẻ": "Việt Nam",
        "Quê quán của trẻ": "Phường Điện Bàn, thành phố Đà Nẵng",
        "Số định danh cá nhân của trẻ": "048226001234",
        "Năm sinh của người mẹ": "1994",
        "Dân tộc của người mẹ": "Kinh",
        "Quốc tịch của người mẹ": "Việt Nam",
        "Nơi cư trú của người mẹ": "12 Bạch Đằng, phường Hải Châu, thành phố Đà Nẵng",
        "Năm sinh của người cha": "1990",
        "Dân tộc của người cha": "Kinh",
        "Quốc tịch của người cha": "Việt Nam",
        "Nơi cư trú của người cha": "12 Bạch Đằng, phường Hải Châu, thành phố Đà Nẵng",
    },
)
MARITAL_STATUS = (
    "1.004873",
    {"marital_status": "Chưa kết hôn", "purpose": "Để đăng ký kết hôn"},
    {},
)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=io.StringIO())


def _received(procedure_code: str, declaration: dict) -> Dossier:
    """The demo citizen's dossier, filed online and received by the Hải Châu ward."""
    citizen = User.objects.get(username="citizen")
    officer = User.objects.get(username="officer.hai-chau")
    procedure = Procedure.objects.get(code=procedure_code)
    dossier = services.dossier_draft_create(
        applicant=citizen, procedure=procedure, agency=Agency.objects.get(code=HAI_CHAU_WARD)
    )
    required = procedure.components.filter(is_required=True).order_by("position")
    services.dossier_draft_save(
        dossier=dossier,
        actor=citizen,
        declaration={**APPLICANT, **declaration, "national_id": citizen.national_id},
        delivery_method=DeliveryMethod.COUNTER,
        delivery_address="",
        uploads={component.pk: checked_upload() for component in required},
        reused={},
    )
    services.dossier_submit(dossier=dossier, actor=citizen, declared=True)
    services.dossier_receive(dossier=dossier, actor=officer)
    dossier.refresh_from_db()
    return dossier


def _pages(tmp_path: Path, pdf: bytes) -> list[str]:
    """The text of each page, NFC, with runs of spaces collapsed."""
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    pages = unicodedata.normalize("NFC", text).rstrip("\f").split("\f")
    return [" ".join(page.split()) for page in pages]


def test_the_receipt_of_a_demo_dossier_fits_on_one_page_with_its_qr_code(demo, tmp_path):
    received_dossier = _received(*BIRTH_REGISTRATION[:2])

    pdf = render_pdf(RECEIPT_TEMPLATE, receipt_context(received_dossier), language=RECEIPT_LANGUAGE)

    pages = _pages(tmp_path, pdf)

    assert len(pages) == 1
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in pages[0]
    assert "Quét mã để tra cứu tình trạng hồ sơ" in pages[0]


def test_the_apology_of_a_demo_dossier_fits_on_one_page_with_its_signatures(demo, tmp_path):
    received_dossier = _received(*BIRTH_REGISTRATION[:2])
    officer = User.objects.get(username="officer.hai-chau")
    services.dossier_apologize(
        dossier=received_dossier,
        actor=officer,
        reason="Cần xác minh thêm thông tin với cơ quan đăng ký hộ tịch nơi cư trú trước đây",
        new_due_at=calendar.add_working_days(received_dossier.due_at, 2),
    )
    event = received_dossier.events.filter(action=DossierAction.APOLOGIZE).latest("pk")

    pages = _pages(
        tmp_path, render_pdf("dossiers/apology_pdf.html", apology_context(received_dossier, event))
    )

    assert len(pages) == 1
    assert "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ" in pages[0]


@pytest.mark.parametrize("procedure", [BIRTH_REGISTRATION, MARITAL_STATUS], ids=lambda p: p[0])
def test_the_result_of_a_demo_dossier_fits_on_one_page_with_its_signature(
    demo, procedure, tmp_path
):
    code, declaration, officer_lines = procedure
    received_dossier = _received(code, declaration)
    officer = User.objects.get(username="officer.hai-chau")
    result_type = received_dossier.procedure.result_types.order_by("code").first()
    services.dossier_complete(
        dossier=received_dossier,
        actor=officer,
        outcome="Đã đăng ký khai sinh",
        result_type=result_type,
        result_content={
            **selectors.dossier_result_content(received_dossier, result_type),
            **officer_lines,
        },
    )
    result = Result.objects.select_related("result_type", "agency__parent").get(
        source_reference=f"dossier:{received_dossier.code}"
    )

    pages = _pages(tmp_path, render_result_pdf(result))

    assert len(pages) == 1
    assert "ĐÃ KÝ SỐ" in pages[0]
    assert "Quét mã QR để xác minh kết quả này" in pages[0]
