"""Files of a dossier, served to whoever the calling view has scoped the dossier to.

A `reader` who is not the applicant (an officer, a supervisor) leaves a
"file opened" event on the dossier's timeline, which the applicant sees.
"""

from django.shortcuts import get_object_or_404

from core.files import file_response
from dossiers import services
from dossiers.models import Dossier


def document_response(dossier: Dossier, document_pk: int, *, reader=None):
    document = get_object_or_404(dossier.documents.exclude(file=""), pk=document_pk)
    response = file_response(document.file, document.file_kind)
    if reader is not None:
        services.dossier_file_viewed(
            dossier=dossier,
            actor=reader,
            file="document",
            name=document.original_name or str(document.component),
            document_id=document.pk,
        )
    return response


def receipt_response(dossier: Dossier, *, reader=None):
    return _dossier_pdf(dossier, "receipt", dossier.receipt_pdf, reader)


def apology_response(dossier: Dossier, *, reader=None):
    return _dossier_pdf(dossier, "apology", dossier.apology_pdf, reader)


def _dossier_pdf(dossier, file: str, field_file, reader):
    response = file_response(field_file, "pdf")
    if reader is not None:
        services.dossier_file_viewed(dossier=dossier, actor=reader, file=file)
    return response
