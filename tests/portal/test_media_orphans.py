"""Files no row points at are removed; files of rows, and fresh files, are kept."""

import os
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from dossiers.constants import DossierState
from dossiers.models import Dossier
from portal.media_orphans import orphan_files, orphan_files_delete
from portal.tasks import sweep_orphan_files_task
from tests.dossiers.builders import cast
from tests.files import pdf_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _age(name: str, hours: float) -> None:
    path = default_storage.path(name)
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def test_an_old_file_without_a_row_is_deleted_and_files_of_rows_are_kept(media_root):
    c = cast()  # its wallet ID card has a file
    kept = c.id_card.file.name
    orphan = default_storage.save("receipts/left-by-a-killed-worker.pdf", ContentFile(b"%PDF-"))
    fresh = default_storage.save("receipts/being-committed.pdf", ContentFile(b"%PDF-"))
    for name in (kept, orphan):
        _age(name, 48)

    assert list(orphan_files()) == [orphan]
    assert orphan_files_delete() == (1, "")
    assert not default_storage.exists(orphan)
    assert default_storage.exists(kept)
    assert default_storage.exists(fresh)


def test_the_periodic_sweep_resumes_where_it_stopped(media_root, settings):
    names = [default_storage.save(f"dossiers/{n:03d}.pdf", ContentFile(b"x")) for n in range(5)]
    for name in names:
        _age(name, 48)
    assert sweep_orphan_files_task() == 5
    assert not any(default_storage.exists(name) for name in names)


def test_replacing_a_draft_attachment_deletes_the_replaced_file(
    client, media_root, django_capture_on_commit_callbacks
):
    c = cast()
    client.force_login(c.applicant)
    client.post(reverse("dossiers:start", args=[c.procedure.code]))
    draft = Dossier.objects.get(applicant=c.applicant, state=DossierState.DRAFT)
    component = c.procedure.components.get(position=1)

    def save_with(name):
        data = {
            "agency": c.agency.pk,
            "delivery_method": "counter",
            f"component_{component.pk}": upload(name, pdf_bytes()),
            "action": "save",
        }
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("dossiers:edit", args=[draft.pk]), data)
        return draft.documents.get(component=component).file.name

    first = save_with("to-khai.pdf")
    second = save_with("to-khai-moi.pdf")

    assert first != second
    assert default_storage.exists(second)
    assert not default_storage.exists(first)
