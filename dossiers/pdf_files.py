"""Storing the PDFs rendered for a dossier (receipt, apology) beside it."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.crypto import salted_hmac

from dossiers.models import Dossier


def _next_name(*, dossier_id: int, field: str, folder: str, previous: str) -> str:
    """The name the file replacing `previous` gets: the same for every attempt, unguessable.

    Derived from the name the row holds, so an attempt killed after storing
    its file and before committing (SIGKILL, power) is retried under the same
    name and replaces that file instead of leaving it behind.
    """
    digest = salted_hmac("dossiers.pdf_files", f"{dossier_id}:{field}:{previous}").hexdigest()
    return f"{folder}/{digest[:32]}.pdf"


def dossier_pdf_replace(*, dossier_id: int, field: str, folder: str, pdf: bytes) -> bool:
    """Store `pdf` as the dossier's `field`, replacing and deleting the previous file.

    Safe to run twice or concurrently: the dossier's row is locked while the new
    file is stored and recorded, so exactly one file remains, even after an
    attempt killed half-way. update(), not save(): save() would write the
    protected state field and trip the optimistic lock if an officer acted
    meanwhile. Returns False if the dossier is gone.
    """
    stored = ""
    try:
        with transaction.atomic():
            rows = Dossier.objects.select_for_update().filter(pk=dossier_id)
            previous = rows.values_list(field, flat=True).first()
            if previous is None:
                return False
            name = _next_name(dossier_id=dossier_id, field=field, folder=folder, previous=previous)
            # Only a killed attempt leaves a file here: no committed row names
            # it while the row still holds `previous` and is locked.
            if default_storage.exists(name):
                default_storage.delete(name)
            stored = default_storage.save(name, ContentFile(pdf))
            rows.update(**{field: stored})
    except BaseException:
        if stored:
            default_storage.delete(stored)
        raise
    if previous and previous != stored:
        default_storage.delete(previous)
    return True
