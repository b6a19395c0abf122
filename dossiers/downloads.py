"""Files of a dossier, served to whoever the calling view has scoped the dossier to."""

from django.shortcuts import get_object_or_404

from dossiers.models import Dossier
from portal.files import file_response


def document_response(dossier: Dossier, document_pk: int):
    document = get_object_or_404(dossier.documents.exclude(file=""), pk=document_pk)
    return file_response(document.file, document.file_kind)


def receipt_response(dossier: Dossier):
    return file_response(dossier.receipt_pdf, "pdf")
