"""The applicant's pages: intake that loses nothing, my dossiers, supplements, public lookup."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from dossiers.constants import PUBLIC_LOOKUP_LIMIT_PER_HOUR, DossierState
from dossiers.models import Dossier
from tests.accounts import verify_identity
from tests.dossiers.builders import cast, dossier_in
from tests.factories import UserFactory
from tests.files import pdf_bytes, png_bytes, upload

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


def intake_data(c, **overrides):
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
        "action": "submit",
    }
    data.update(overrides)
    return data


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
    client.post(reverse("dossiers:edit", args=[draft.pk]), intake_data(c))
    assert Dossier.objects.get(pk=draft.pk).applicant_identity_level == "declared"
    client.force_login(c.officer)
    page = client.get(reverse("dossiers:officer_detail", args=[draft.pk])).text
    assert "Chưa xác thực (do chủ tài khoản tự khai)" in page


def test_submitting_a_complete_dossier_shows_its_code(client, c):
    draft = start(client, c)
    response = client.post(reverse("dossiers:edit", args=[draft.pk]), intake_data(c))
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
    assert "Trường này là bắt buộc" in response.text
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


def test_public_lookup_shows_state_without_personal_data(client, c):
    dossier = dossier_in(DossierState.RECEIVED, c)
    client.logout()
    body = client.get(reverse("dossiers:lookup"), {"code": dossier.code}).text
    assert "Đã tiếp nhận" in body
    assert c.procedure.name in body
    assert "Nguyễn Thị Ánh Tuyết" not in body


def test_public_lookup_is_rate_limited(client, c):
    client.logout()
    for _ in range(PUBLIC_LOOKUP_LIMIT_PER_HOUR):
        assert client.get(reverse("dossiers:lookup"), {"code": "X"}).status_code == 200
    assert client.get(reverse("dossiers:lookup"), {"code": "X"}).status_code == 429
