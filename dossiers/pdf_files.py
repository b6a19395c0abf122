"""Storing the PDFs rendered for a dossier (receipt, apology) beside it."""

from uuid import uuid4

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from dossiers.models import Dossier


def dossier_pdf_replace(*, dossier_id: int, field: str, folder: str, pdf: bytes) -> bool:
    """Store `pdf` as the dossier's `field`, replacing and deleting the previous file.

    Safe to run twice or concurrently: the dossier's row is locked while the new
    file replaces the old one, so exactly one file remains. update(), not save():
    save() would write the protected state field and trip the optimistic lock
    if an officer acted meanwhile. Returns False if the dossier is gone.
    """
    name = default_storage.save(f"{folder}/{uuid4().hex}.pdf", ContentFile(pdf))
    try:
        with transaction.atomic():
            rows = Dossier.objects.select_for_update().filter(pk=dossier_id)
            previous = rows.values_list(field, flat=True).first()
            updated = rows.update(**{field: name})
    except BaseException:
        default_storage.delete(name)
        raise
    if not updated:
        default_storage.delete(name)
        return False
    if previous and previous != name:
        default_storage.delete(previous)
    return True
