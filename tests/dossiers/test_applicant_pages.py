"""The applicant's pages: intake that loses nothing, my dossiers, supplements, public lookup."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from dossiers.constants import DossierState
from dossiers.models import Dossier
from tests.accounts import verify_identity
from tests.dossiers.builders import cast, dossier_in, intake_data
from tests.factories import UserFactory
from tests.files import png_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()


@pytest.fixture
def c(client):
    c = cast()
    client.force_login(c.applicant)
    return c


def start(client, c):
    response = client.post(reverse("dossiers:start", args=[c.procedure.code]))
    assert response.status_code == 302
    return Dossier.objects.get(applicant=c.applicant, state=DossierState.DRAFT)


def submit(client, draft, data):
    """Fill the form, continue to the review, declare and submit, as the applicant does."""
    answered = client.post(reverse("dossiers:edit", args=[draft.pk]), data)
    assert answered.status_code == 302, answered.content
    assert answered.url == reverse("dossiers:review", args=[draft.pk])
    return client.post(answered.url, {"confirm": "on"})


def test_start_creates_one_draft_and_resumes_it(client, c):
    first = start(client, c)
    again = client.post(reverse("dossiers:start", args=[c.procedure.code]))
    assert again.url == reverse("dossiers:edit", args=[first.pk])
    assert Dossier.objects.filter(applicant=c.applicant).count() == 1


def test_intake_form_is_prefilled_from_a_verified_identity(client, c):
    c.applicant.national_id = "048190001234"
    verify_identity(c.applicant)
    draft = start(client, c)
    body = client.get(reverse("dossiers:edit", args=[draft.pk])).text
    assert 'value="Nguyễn Thị Ánh Tuyết"' in body
    assert "CCCD" in body  # the wallet item offered for the ID component


def test_intake_form_leaves_identity_fields_to_an_unverified_applicant(client, c):
    draft = start(client, c)
    body = client.get(reverse("dossiers:edit", args=[draft.pk])).text
    assert 'value="Nguyễn Thị Ánh Tuyết"' not in body
    assert "CCCD" in body  # documents are offered whatever the identity


def test_submission_records_the_applicants_level_of_identity(client, c):
    draft = start(client, c)
    submit(client, draft, intake_data(c))
    assert Dossier.objects.get(pk=draft.pk).applicant_identity_level == "declared"
    client.force_login(c.officer)
    page = client.get(reverse("dossiers:officer_detail", args=[draft.pk])).text
    assert "Chưa xác thực (do chủ tài khoản tự khai)" in page


def test_submitting_a_complete_dossier_shows_its_code(client, c):
    draft = start(client, c)
    response = submit(client, draft, intake_data(c))
    assert response.status_code == 302
    dossier = Dossier.objects.get(pk=draft.pk)
    assert dossier.state == DossierState.SUBMITTED
    page = client.get(response.url).text
    assert dossier.code in page
    assert dossier.documents.filter(wallet_item=c.id_card).exists()


def test_missing_field_keeps_everything_typed_and_attached(client, c):
    draft = start(client, c)
    response = client.post(
        reverse("dossiers:edit", args=[draft.pk]), intake_data(c, field_purpose="")
    )
    assert response.status_code == 400
    assert "Nhập mục đích sử dụng" in response.text
    dossier = Dossier.objects.get(pk=draft.pk)
    assert dossier.state == DossierState.DRAFT
    assert dossier.declaration["applicant_name"] == "Nguyễn Thị Ánh Tuyết"
    assert dossier.documents.exclude(file="").count() == 1
    assert "to-khai.pdf" in response.text


def test_a_bad_file_is_refused_while_the_rest_is_saved(client, c):
    draft = start(client, c)
    form_component = c.procedure.components.get(position=1)
    data = intake_data(
        c, **{f"component_{form_component.pk}": upload("to-khai.pdf", b"MZ" + b"\0" * 50)}
    )
    response = client.post(reverse("dossiers:edit", args=[draft.pk]), data)
    assert response.status_code == 400
    assert "không phải là tệp PDF" in response.text
    dossier = Dossier.objects.get(pk=draft.pk)
    assert dossier.state == DossierState.DRAFT
    assert dossier.declaration["purpose"] == "Đăng ký kết hôn"


def test_saving_a_draft_does_not_submit_it(client, c):
    draft = start(client, c)
    data = intake_data(c, action="save", field_purpose="")
    response = client.post(reverse("dossiers:edit", args=[draft.pk]), data)
    assert response.status_code == 302
    assert Dossier.objects.get(pk=draft.pk).state == DossierState.DRAFT


def test_another_citizen_gets_404_for_my_dossier_pages_and_files(client, c):
    dossier = dossier_in(DossierState.RECEIVED, c)
    document = dossier.documents.exclude(file="").first()
    client.force_login(UserFactory(username="someone-else"))
    urls = [
        reverse("dossiers:detail", args=[dossier.pk]),
        reverse("dossiers:submitted", args=[dossier.pk]),
        reverse("dossiers:receipt", args=[dossier.pk]),
        reverse("dossiers:document_file", args=[dossier.pk, document.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("dossiers:resubmit", args=[dossier.pk])).status_code == 404
    assert "Nguyễn Thị Ánh Tuyết" not in client.get(reverse("dossiers:mine")).text


def test_applicant_sees_the_timeline_and_answers_a_supplement_request(client, c):
    dossier = dossier_in(DossierState.SUPPLEMENT_REQUESTED, c)
    page = client.get(reverse("dossiers:detail", args=[dossier.pk])).text
    assert "Thiếu tờ khai có chữ ký" in page
    form_component = c.procedure.components.get(position=1)
    response = client.post(
        reverse("dossiers:resubmit", args=[dossier.pk]),
        {f"component_{form_component.pk}": upload("to-khai-ky.png", png_bytes()), "note": ""},
    )
    assert response.status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.SUBMITTED


def lookup(client, code, pin, address="203.0.113.7"):
    return client.get(reverse("dossiers:lookup"), {"code": code, "pin": pin}, REMOTE_ADDR=address)


def test_public_lookup_with_code_and_pin_shows_state_without_personal_data(client, c):
    dossier = dossier_in(DossierState.RECEIVED, c)
    client.logout()
    pin = f"{dossier.lookup_pin[:4]} {dossier.lookup_pin[4:]}"
    body = lookup(client, dossier.code, pin).text
    assert "Đã tiếp nhận" in body
    assert c.procedure.name in body
    assert "Nguyễn Thị Ánh Tuyết" not in body


def test_public_lookup_with_a_wrong_pin_says_what_an_unknown_code_says(client, c):
    dossier = dossier_in(DossierState.RECEIVED, c)
    client.logout()
    wrong_pin = f"{(int(dossier.lookup_pin) + 1) % 10**8:08d}"
    wrong = lookup(client, dossier.code, wrong_pin)
    unknown = lookup(client, dossier.code + "9", dossier.lookup_pin)
    assert wrong.status_code == unknown.status_code == 200
    message = "Không có hồ sơ nào khớp với mã và mã PIN này."
    assert message in wrong.text
    assert message in unknown.text
    assert "Đã tiếp nhận" not in wrong.text


def test_public_lookup_by_code_alone_asks_for_the_pin(client, c):
    dossier = dossier_in(DossierState.RECEIVED, c)
    client.logout()
    response = client.get(reverse("dossiers:lookup"), {"code": dossier.code})
    assert response.status_code == 400
    assert "Đã tiếp nhận" not in response.text
    assert "Trường này là bắt buộc." in response.text or "mã PIN" in response.text


@pytest.mark.parametrize(
    "pin", ["1234567", "123456789", "１２３４５６７８", "abcdefgh", "²²²²²²²²"]
)
def test_public_lookup_refuses_a_pin_that_cannot_be_one(client, c, pin):
    dossier = dossier_in(DossierState.RECEIVED, c)
    client.logout()
    response = lookup(client, dossier.code, pin)
    assert response.status_code == 400
    assert "8 chữ số" in response.text


def test_public_lookup_is_rate_limited_per_connection(client, c, settings):
    settings.DOSSIER_LOOKUP_RATE_PER_ADDRESS = "5/h"
    client.logout()
    for number in range(5):
        assert lookup(client, f"X-{number}", "12345678").status_code == 200
    assert lookup(client, "X-9", "12345678").status_code == 429


def test_public_lookup_is_rate_limited_per_code_whatever_the_connection(client, c, settings):
    settings.DOSSIER_LOOKUP_RATE_PER_CODE = "3/h"
    dossier = dossier_in(DossierState.RECEIVED, c)
    client.logout()
    for number in range(3):
        assert lookup(client, dossier.code, "00000000", f"198.51.100.{number}").status_code == 200
    refused = lookup(client, dossier.code, dossier.lookup_pin, "198.51.100.200")
    assert refused.status_code == 429
    assert "Đã tiếp nhận" not in refused.text


def test_the_applicant_sees_the_lookup_pin_on_the_dossier_page(client, c):
    dossier = dossier_in(DossierState.RECEIVED, c)
    body = client.get(reverse("dossiers:detail", args=[dossier.pk])).text
    assert f"{dossier.lookup_pin[:4]} {dossier.lookup_pin[4:]}" in body
