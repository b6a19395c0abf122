"""The result issued on completing: drafted from its template, never with contact details.

The complete form starts from the result type's template filled with the
declaration: a birth certificate takes only the lines its prescribed form
prints; any other type takes the declaration without the applicant's phone,
email or contact address. Content naming the applicant's phone or email is
refused, and the preview shows the document without issuing anything.
"""

import subprocess
import unicodedata

import pytest
from django.urls import reverse

from dossiers import services as dossier_services
from dossiers.constants import DossierState
from dossiers.models import Dossier
from dossiers.officer_forms import CompleteForm
from results_store.models import Result
from tests.dossiers.builders import cast, dossier_in
from tests.factories import ResultTypeFactory

pytestmark = pytest.mark.django_db

PHONE = "0905123456"
EMAIL = "tuyet.nguyen@example.vn"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _received(result_type_code: str, declaration: dict, fields: list[tuple]) -> tuple:
    c = cast()
    c.applicant.national_id = "048190000123"
    c.applicant.phone = PHONE
    c.applicant.email = EMAIL
    c.applicant.save()
    for position, (key, label, prefill) in enumerate(fields, start=10):
        c.procedure.form_fields.create(
            key=key, label=label, prefill_source=prefill, position=position, is_required=False
        )
    result_type = ResultTypeFactory(code=result_type_code)
    c.procedure.result_types.add(result_type)
    dossier = dossier_in(DossierState.RECEIVED, c)
    Dossier.objects.filter(pk=dossier.pk).update(declaration={**dossier.declaration, **declaration})
    dossier.refresh_from_db()
    return c, dossier


CONTACT_FIELDS = [
    ("phone", "Số điện thoại", "phone"),
    ("email", "Thư điện tử", "email"),
    ("current_address", "Nơi ở hiện tại", "current_address"),
]
CONTACT_DECLARED = {
    "phone": PHONE,
    "email": EMAIL,
    "current_address": "45 Trần Phú, phường Hải Châu",
}


def test_a_birth_certificate_draft_holds_only_its_forms_lines():
    fields = [
        *CONTACT_FIELDS,
        ("child_full_name", "Họ, chữ đệm và tên của trẻ", ""),
        ("child_date_of_birth", "Ngày, tháng, năm sinh của trẻ", ""),
        ("mother_full_name", "Họ, chữ đệm và tên người mẹ", ""),
        ("mother_year_of_birth", "Năm sinh của người mẹ", ""),
        ("father_year_of_birth", "Năm sinh của người cha", ""),
    ]
    declared = {
        **CONTACT_DECLARED,
        "child_full_name": "Nguyễn Minh Khôi",
        "child_date_of_birth": "05/03/2026",
        "mother_full_name": "Trần Thị Bình",
        "mother_year_of_birth": "1994",
        "father_year_of_birth": "1992",
    }
    _c, dossier = _received("KQ.G15.000031", declared, fields)

    draft = CompleteForm(dossier=dossier).fields["result_content"].initial

    assert "Họ, chữ đệm và tên của trẻ: Nguyễn Minh Khôi" in draft
    assert "Năm sinh của người mẹ: 1994" in draft
    assert "Năm sinh của người cha: 1992" in draft
    for contact in CONTACT_DECLARED.values():
        assert contact not in draft
    assert "Mục đích sử dụng" not in draft  # not a line of a birth certificate


def test_any_other_draft_is_the_declaration_without_contact_details_or_addresses():
    fields = [*CONTACT_FIELDS, ("permanent_address", "Nơi thường trú", "permanent_address")]
    declared = {**CONTACT_DECLARED, "permanent_address": "12 Bạch Đằng, phường Hải Châu"}
    _c, dossier = _received("KQ.TEST.000002", declared, fields)

    draft = CompleteForm(dossier=dossier).fields["result_content"].initial

    assert "Mục đích sử dụng: Kết hôn" in draft
    for contact in declared.values():
        assert contact not in draft


@pytest.mark.parametrize("contact", [PHONE, EMAIL.upper(), f"Liên hệ {PHONE}"])
def test_completing_with_the_applicants_phone_or_email_is_refused_and_changes_nothing(
    client, contact
):
    c, dossier = _received("KQ.TEST.000003", CONTACT_DECLARED, CONTACT_FIELDS)
    client.force_login(c.officer)

    response = client.post(
        reverse("dossiers:officer_act", args=[dossier.pk, "complete"]),
        {
            "complete-outcome": "Đã cấp giấy xác nhận",
            "complete-result_type": dossier.procedure.result_types.get().pk,
            "complete-result_content": f"Tình trạng hôn nhân: Chưa kết hôn\nLiên hệ: {contact}",
        },
    )

    assert response.status_code == 400
    (form,) = [form for form in response.context["action_forms"] if form.action == "complete"]
    assert "result_content" in form.errors
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.RECEIVED
    assert not Result.objects.exists()


def _pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "preview.pdf"
    path.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    return " ".join(unicodedata.normalize("NFC", text).split())


def test_the_preview_shows_the_document_marked_as_such_and_issues_nothing(client, tmp_path):
    c, dossier = _received("KQ.TEST.000004", {}, [])
    client.force_login(c.officer)

    response = client.post(
        reverse("dossiers:officer_result_preview", args=[dossier.pk]),
        {
            "complete-outcome": "",
            "complete-result_type": dossier.procedure.result_types.get().pk,
            "complete-result_content": "Tình trạng hôn nhân: Chưa đăng ký kết hôn với ai",
        },
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    text = _pdf_text(response.content, tmp_path)
    assert "BẢN XEM TRƯỚC" in text
    assert "Chưa đăng ký kết hôn với ai" in text
    assert not Result.objects.exists()
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.RECEIVED


def test_only_an_officer_of_the_agency_may_preview(client):
    c, dossier = _received("KQ.TEST.000005", {}, [])
    client.force_login(c.other_officer)

    response = client.post(
        reverse("dossiers:officer_result_preview", args=[dossier.pk]),
        {"complete-result_type": dossier.procedure.result_types.get().pk},
    )

    assert response.status_code in (403, 404)


def test_a_completed_dossier_links_to_its_result_for_the_holder_and_the_officer(client):
    from results_store import services as result_services
    from tests.accounts import verify_identity

    c, dossier = _received("KQ.TEST.000006", {}, [])
    verify_identity(c.applicant, national_id="048190001111")
    dossier_services.dossier_complete(
        dossier=dossier,
        actor=c.officer,
        outcome="Đã cấp giấy xác nhận",
        result_type=dossier.procedure.result_types.get(),
        result_content={"Tình trạng hôn nhân": "Chưa kết hôn"},
    )
    result = Result.objects.get()
    result_services.result_sign(result.pk)

    client.force_login(c.applicant)
    mine = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    client.force_login(c.officer)
    officer_page = client.get(reverse("dossiers:officer_detail", args=[dossier.pk]))

    assert reverse("results_store:holder_pdf", args=[result.public_id]) in mine
    assert reverse("results_store:verify_result", args=[result.public_id]) in mine
    page = officer_page.content.decode()
    assert reverse("results_store:officer_detail", args=[result.public_id]) in page
    assert reverse("results_store:holder_pdf", args=[result.public_id]) not in page


def test_the_verify_page_is_in_the_menu_and_the_footer(client):
    page = client.get(reverse("home")).content.decode()

    nav = page[page.index('class="main-nav"') : page.index("</nav>")]
    footer = page[page.index('class="site-footer"') :]
    assert reverse("results_store:verify") in nav
    assert reverse("results_store:verify") in footer
    assert reverse("results_store:root_ca") in footer
