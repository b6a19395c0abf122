"""The wallet: uploads checked by content, scoped access, officer access log, deletion rules."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from citizens import services
from citizens.constants import MembershipRole, WalletItemKind
from citizens.models import Membership, WalletAccess, WalletItem
from tests.factories import AgencyFactory, ResultTypeFactory, UserFactory
from tests.files import jpeg_bytes, pdf_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root: Path) -> list[Path]:
    return [p for p in Path(root).rglob("*") if p.is_file()]


@pytest.fixture
def citizen(client):
    user = UserFactory(username="an", full_name="Nguyễn Văn An")
    client.force_login(user)
    return user


def add_document(client, name="cccd.png", content=None, **data):
    form = {
        "document_type": "id_card",
        "title": "Căn cước công dân",
        "number": "048090000123",
        "issuer": "Cục Cảnh sát QLHC về TTXH",
        "issued_on": "2021-04-12",
        "file": upload(name, png_bytes() if content is None else content),
        **data,
    }
    return client.post(reverse("citizens:wallet_add"), form)


def make_item(owner, **kwargs):
    defaults = {
        "kind": WalletItemKind.DOCUMENT,
        "document_type": "household_registration",
        "title": "Sổ hộ khẩu",
        "file_kind": "pdf",
    }
    item = WalletItem(owner=owner, **{**defaults, **kwargs})
    item.file.save("x.pdf", upload("x.pdf", pdf_bytes()), save=False)
    item.save()
    return item


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("scan.pdf", pdf_bytes(), "pdf"),
        ("photo.jpg", jpeg_bytes(), "jpg"),
        ("cccd-front.png", png_bytes(), "png"),
    ],
)
def test_upload_of_a_real_file_is_stored_under_a_random_name(
    client, citizen, media_root, name, content, kind
):
    response = add_document(client, name=name, content=content)
    assert response.status_code == 302
    item = WalletItem.objects.get(owner=citizen)
    assert item.file_kind == kind
    assert item.original_name == name
    stored = Path(item.file.name)
    assert stored.parent.name == "wallet"
    assert stored.suffix == f".{kind}"
    assert Path(name).stem not in stored.name and len(stored.stem) == 32
    assert not str(media_root).startswith(str(settings.STATIC_ROOT))


def test_executable_named_pdf_is_refused_with_a_translated_error_and_nothing_stored(
    client, citizen, media_root
):
    response = add_document(client, name="hoso.pdf", content=b"MZ\x90\x00" + b"\x00" * 200)
    assert response.status_code == 200
    assert "không phải là tệp PDF" in response.text
    assert 'value="Căn cước công dân"' in response.text
    assert not WalletItem.objects.exists()
    assert stored_files(media_root) == []


def test_empty_file_is_refused(client, citizen, media_root):
    response = add_document(client, name="empty.pdf", content=b"")
    assert response.status_code == 200
    assert not WalletItem.objects.exists()
    assert stored_files(media_root) == []


def test_oversized_file_is_refused_stating_the_limit(client, citizen, media_root, settings):
    limit = settings.WALLET_MAX_UPLOAD_MB * 1024 * 1024
    response = add_document(client, name="big.pdf", content=pdf_bytes() + b"0" * limit)
    assert response.status_code == 200
    assert f"{settings.WALLET_MAX_UPLOAD_MB} MB" in response.text
    assert not WalletItem.objects.exists()
    assert stored_files(media_root) == []


def test_truncated_image_is_refused_as_corrupt(client, citizen, media_root):
    response = add_document(client, name="cut.jpg", content=jpeg_bytes()[:200])
    assert response.status_code == 200
    assert not WalletItem.objects.exists()
    assert stored_files(media_root) == []


def test_owner_opens_the_file_with_its_real_content_type(client, citizen):
    add_document(client)
    item = WalletItem.objects.get()
    response = client.get(reverse("citizens:wallet_item_file", args=[item.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == png_bytes()
    assert not WalletAccess.objects.exists()


def test_citizen_gets_404_for_another_citizens_item_page_file_and_delete(client, citizen):
    other_item = make_item(UserFactory(username="other"))
    for name in ("citizens:wallet_item", "citizens:wallet_item_file"):
        assert client.get(reverse(name, args=[other_item.pk])).status_code == 404
    assert (
        client.post(reverse("citizens:wallet_item_delete", args=[other_item.pk])).status_code == 404
    )
    assert WalletItem.objects.filter(pk=other_item.pk).exists()


def test_wallet_list_shows_only_the_owners_items(client, citizen):
    make_item(citizen, title="Giấy của tôi")
    make_item(UserFactory(username="other"), title="Giấy của người khác")
    body = client.get(reverse("citizens:wallet")).text
    assert "Giấy của tôi" in body and "Giấy của người khác" not in body


def test_officer_of_the_agency_opens_an_attached_item_and_it_is_logged(client):
    owner = UserFactory(username="owner")
    ward = AgencyFactory(name="Ủy ban nhân dân phường Hải Châu")
    officer = UserFactory(username="officer", full_name="Trần Cán Bộ")
    Membership.objects.create(user=officer, agency=ward, role=MembershipRole.OFFICER)
    item = make_item(owner)
    use = services.wallet_item_attach(item=item, agency=ward, reference="000.01.00.H15-261123-0001")
    client.force_login(officer)
    response = client.get(reverse("citizens:officer_wallet_item_file", args=[use.pk]))
    assert response.status_code == 200
    access = WalletAccess.objects.get()
    assert (access.item, access.accessed_by, access.agency) == (item, officer, ward)
    client.force_login(owner)
    log = client.get(reverse("citizens:wallet_access_log")).text
    assert "Trần Cán Bộ" in log and "000.01.00.H15-261123-0001" in log


def test_officer_cannot_open_an_item_attached_to_another_agency(client):
    item = make_item(UserFactory(username="owner"))
    use = services.wallet_item_attach(item=item, agency=AgencyFactory(), reference="X-1")
    officer = UserFactory(username="officer")
    Membership.objects.create(user=officer, agency=AgencyFactory(), role=MembershipRole.OFFICER)
    client.force_login(officer)
    assert (
        client.get(reverse("citizens:officer_wallet_item_file", args=[use.pk])).status_code == 404
    )
    assert not WalletAccess.objects.exists()


def test_officer_cannot_open_a_wallet_item_through_the_owners_urls(client):
    item = make_item(UserFactory(username="owner"))
    officer = UserFactory(username="officer")
    Membership.objects.create(user=officer, agency=AgencyFactory(), role=MembershipRole.OFFICER)
    client.force_login(officer)
    assert client.get(reverse("citizens:wallet_item_file", args=[item.pk])).status_code == 404


def test_owner_deletes_an_unused_item_and_its_file(
    client, citizen, media_root, django_capture_on_commit_callbacks
):
    add_document(client)
    item = WalletItem.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("citizens:wallet_item_delete", args=[item.pk]))
    assert response.status_code == 302
    assert not WalletItem.objects.exists()
    assert stored_files(media_root) == []


def test_item_attached_to_an_open_dossier_cannot_be_deleted_until_released(client, citizen):
    item = make_item(citizen)
    services.wallet_item_attach(item=item, agency=AgencyFactory(), reference="D-1")
    response = client.post(reverse("citizens:wallet_item_delete", args=[item.pk]), follow=True)
    assert "vẫn đang được xử lý" in response.text
    assert WalletItem.objects.filter(pk=item.pk).exists()
    services.wallet_uses_release(reference="D-1")
    client.post(reverse("citizens:wallet_item_delete", args=[item.pk]))
    assert not WalletItem.objects.filter(pk=item.pk).exists()


def test_issued_results_join_the_same_wallet_list_once_per_source(client, citizen):
    make_item(citizen, title="Sổ hộ khẩu")
    result_type = ResultTypeFactory(code="KQ.G15.000031", name="Giấy khai sinh")
    for _ in range(2):
        services.wallet_result_add(
            owner=citizen,
            result_type=result_type,
            title="Giấy khai sinh của Nguyễn Văn Bình",
            number="123/2026",
            issuer="UBND phường Hải Châu",
            issued_on=None,
            source_reference="result:42",
        )
    kinds = sorted(WalletItem.objects.filter(owner=citizen).values_list("kind", flat=True))
    assert kinds == ["document", "result"]
    body = client.get(reverse("citizens:wallet")).text
    assert "Giấy khai sinh của Nguyễn Văn Bình" in body and "Sổ hộ khẩu" in body
