"""Digitizing paper results, signing them, and the holder's wallet before and after."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from citizens import services as citizen_services
from citizens.constants import WalletItemKind
from citizens.models import PROFILE_FIELDS, WalletItem
from core import side_effects
from results_store import tasks
from results_store.constants import ResultAction, ResultStatus
from results_store.models import Result
from tests.accounts import verify_identity
from tests.factories import UserFactory
from tests.files import png_bytes
from tests.results_store.results_cast import (
    HOLDER_NATIONAL_ID,
    NEWCOMER_NATIONAL_ID,
    checked_scan,
    issue,
    make_cast,
    scan_upload,
    sign,
)

pytestmark = pytest.mark.django_db

DIGITIZE_URL = reverse("results_store:digitize")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def c():
    return make_cast()


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def queued(monkeypatch):
    """Result ids handed to the signing task, instead of the broker."""
    ids = []

    def queue(task, result_id):
        assert task is tasks.sign_result_task
        ids.append(result_id)
        return True

    monkeypatch.setattr(side_effects, "queue", queue)
    return ids


def paper(c, **overrides):
    data = {
        "agency": c.agency.pk,
        "result_type": c.result_type.pk,
        "number": "145/2009",
        "issued_on": "2009-06-02",
        "valid_until": "",
        "holder_national_id": HOLDER_NATIONAL_ID,
        "holder_name": "Nguyễn Văn An",
        "content": "Họ và tên: Nguyễn Văn An\nNgày sinh: 12/05/1990\nNơi sinh: Đà Nẵng\n",
        "scan": scan_upload(),
    }
    data.update(overrides)
    return data


def digitized(c, national_id=HOLDER_NATIONAL_ID):
    return issue(
        c,
        number="145/2009",
        holder_national_id=national_id,
        issued_on=date(2009, 6, 2),
        digitized=True,
        scan=checked_scan(),
        source_reference="digitized",
    )


def result_items(user):
    return WalletItem.objects.filter(owner=user, kind=WalletItemKind.RESULT)


# -- The form ----------------------------------------------------------------


def test_digitization_creates_a_digitized_result_queued_for_signing(
    client, c, queued, django_capture_on_commit_callbacks
):
    client.force_login(c.officer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(DIGITIZE_URL, paper(c))

    result = Result.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("results_store:officer_detail", args=[result.public_id])
    assert result.digitized
    assert result.status == ResultStatus.PREPARING
    assert result.source_reference == "digitized"
    assert (result.number, result.issued_on) == ("145/2009", date(2009, 6, 2))
    assert result.content_items == [
        ("Họ và tên", "Nguyễn Văn An"),
        ("Ngày sinh", "12/05/1990"),
        ("Nơi sinh", "Đà Nẵng"),
    ]
    assert result.scan.name.endswith(".pdf")
    assert result.scan.read().startswith(b"%PDF")
    assert result.events.get().action == ResultAction.DIGITIZE
    assert queued == [result.pk]


def test_digitization_accepts_a_photographed_scan(client, c, queued):
    client.force_login(c.officer)

    client.post(DIGITIZE_URL, paper(c, scan=scan_upload(png_bytes(), "anh.png", "image/png")))

    assert Result.objects.get().scan.name.endswith(".png")


def test_digitization_refuses_a_future_date_of_issue(english, c, queued):
    english.force_login(c.officer)
    tomorrow = timezone.localdate() + timedelta(days=1)

    response = english.post(DIGITIZE_URL, paper(c, issued_on=tomorrow.isoformat()))

    assert response.status_code == 400
    assert response.context["form"].errors["issued_on"]
    assert not Result.objects.exists()


def test_digitization_refuses_a_malformed_citizen_id(english, c, queued):
    english.force_login(c.officer)

    response = english.post(DIGITIZE_URL, paper(c, holder_national_id="12345"))

    assert response.status_code == 400
    assert response.context["form"].errors["holder_national_id"]
    assert not Result.objects.exists()


def test_digitization_refuses_a_number_already_in_the_store(english, c, queued):
    issue(c, number="145/2009")
    english.force_login(c.officer)

    response = english.post(DIGITIZE_URL, paper(c))

    assert response.status_code == 400
    assert response.context["form"].errors["number"]
    assert Result.objects.count() == 1


def test_digitization_refuses_a_file_that_is_not_a_scan(english, c, queued):
    english.force_login(c.officer)

    response = english.post(
        DIGITIZE_URL, paper(c, scan=scan_upload(b"MZ\x90\x00 not a document", "scan.pdf"))
    )

    assert response.status_code == 400
    assert response.context["form"].errors["scan"]
    assert not Result.objects.exists()


def test_officer_cannot_digitize_for_an_agency_they_do_not_work_for(english, c, queued):
    english.force_login(c.officer)

    response = english.post(DIGITIZE_URL, paper(c, agency=c.other_agency.pk))

    assert response.status_code == 400
    assert response.context["form"].errors["agency"]
    assert not Result.objects.exists()


def test_supervisor_gets_404_on_the_digitization_page(client, c):
    client.force_login(c.supervisor)

    assert client.get(DIGITIZE_URL).status_code == 404


def test_citizen_gets_404_on_the_digitization_page(client, c):
    client.force_login(c.holder)

    assert client.get(DIGITIZE_URL).status_code == 404


# -- Signing and the wallet ----------------------------------------------------


def test_a_digitized_result_is_signed_and_delivered_to_the_holders_wallet(c):
    result = sign(digitized(c))

    assert result.status == ResultStatus.VALID
    assert result.token and result.pdf_sha256
    assert result.pdf.open("rb").read(5) == b"%PDF-"
    item = result_items(c.holder).get()
    assert item.source_reference == f"result:{result.public_id}"
    assert item.file.name == result.pdf.name


def test_a_citizen_id_typed_into_a_profile_receives_nothing(c):
    result = digitized(c, national_id=NEWCOMER_NATIONAL_ID)
    squatter = UserFactory(full_name="Kẻ Mạo Danh")
    profile = {name: getattr(squatter, name) for name in PROFILE_FIELDS}
    citizen_services.profile_update(
        user=squatter, data={**profile, "national_id": NEWCOMER_NATIONAL_ID}
    )
    assert not result_items(squatter).exists()
    assert Result.objects.get(pk=result.pk).holder is None


def test_a_digitized_result_reaches_an_account_verified_later(c):
    result = digitized(c, national_id=NEWCOMER_NATIONAL_ID)
    assert result.holder is None
    assert not WalletItem.objects.filter(source_reference=f"result:{result.public_id}").exists()

    newcomer = UserFactory(full_name="Võ Thị Mới")
    verify_identity(newcomer, national_id=NEWCOMER_NATIONAL_ID)

    item = result_items(newcomer).get()
    assert item.source_reference == f"result:{result.public_id}"
    assert Result.objects.get(pk=result.pk).holder == newcomer
    assert result.events.filter(action=ResultAction.CLAIM, actor=newcomer).exists()


def test_holder_downloads_the_signed_pdf(client, c):
    result = sign(digitized(c))
    client.force_login(c.holder)

    response = client.get(reverse("results_store:holder_pdf", args=[result.public_id]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_another_citizen_gets_404_on_a_signed_digitized_result(client, c):
    result = sign(digitized(c))
    client.force_login(c.stranger)

    response = client.get(reverse("results_store:holder_pdf", args=[result.public_id]))

    assert response.status_code == 404


def test_wallet_shows_being_prepared_before_signing(english, c):
    result = digitized(c)
    english.force_login(c.holder)

    response = english.get(reverse("citizens:wallet"))

    content = response.content.decode()
    assert "Being prepared" in content
    assert reverse("results_store:holder_pdf", args=[result.public_id]) not in content


def test_wallet_offers_the_download_and_verification_link_once_signed(english, c):
    result = sign(digitized(c))
    english.force_login(c.holder)

    response = english.get(reverse("citizens:wallet"))

    content = response.content.decode()
    assert "Being prepared" not in content
    assert reverse("results_store:holder_pdf", args=[result.public_id]) in content
    assert reverse("results_store:verify_result", args=[result.public_id]) in content


def test_wallet_item_page_offers_the_download_once_signed(english, c):
    result = sign(digitized(c))
    item = result_items(c.holder).get()
    english.force_login(c.holder)

    response = english.get(reverse("citizens:wallet_item", args=[item.pk]))

    assert reverse("results_store:holder_pdf", args=[result.public_id]) in response.content.decode()


def test_the_signing_worker_signs_a_digitized_result(celery_worker, c):
    """The real path: the on-commit hook queues the task, the worker signs it."""
    import time

    from results_store import documents

    result = digitized(c)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        result.refresh_from_db()
        if result.status == ResultStatus.VALID:
            break
        time.sleep(0.25)
    else:
        try:
            documents.render_result_pdf(result)
        except NotImplementedError:
            pytest.skip("results_store.documents is still a placeholder: nothing signs yet")
        pytest.fail("The worker did not sign the result within a minute.")
    assert result_items(c.holder).get().file.name == result.pdf.name
