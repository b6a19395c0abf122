"""Revision 0 of a result's PDF: the document, rendered by WeasyPrint from a template.

The document is a Vietnamese administrative document whatever language the
portal is used in, so its wording is Vietnamese and not translated.
"""

from django.template.loader import select_template
from django.utils import timezone

from core.pdf import letter_header, render_pdf
from results_store.documents.content import result_sections
from results_store.documents.qr import verification_url
from results_store.documents.words import date_text

RESULT_TEMPLATE = "results_store/result_pdf.html"
RESULT_LANGUAGE = "vi"


def result_template_names(result) -> list[str]:
    """The result type's own template if it has one, then the generic one."""
    own = RESULT_TEMPLATE.replace(
        "result_pdf.html", f"result_pdf_{result.result_type.code.replace('.', '_')}.html"
    )
    return [own, RESULT_TEMPLATE]


def _template_name(result) -> str:
    return select_template(result_template_names(result)).template.name


def result_pdf_context(result) -> dict:
    """Everything the document prints, already worded in Vietnamese.

    Expects the result with its result type and agency (and its parent) loaded.
    """
    agency = result.agency
    sections = result_sections(result)
    return {
        "result": result,
        "number": result.number,
        "title": result.result_type.name.upper(),
        **letter_header(agency, result.issued_on),
        "agency_name": agency.name,
        "holder_name": result.holder_name,
        "holder_national_id": result.holder_national_id,
        "sections": sections,
        "issued_on_text": date_text(result.issued_on),
        # Rendering is the first step of signing (results_store.services.result_sign).
        "signed_on_text": date_text(timezone.localdate()),
        "valid_until_text": date_text(result.valid_until),
        "digitized": result.digitized,
        "verification_url": verification_url(result),
    }


def render_result_pdf(result, *, preview: bool = False) -> bytes:
    """Revision 0 of the result's PDF: the document, with page 1's QR square left empty.

    A `preview` is marked as such on every page and is never signed.
    """
    context = {**result_pdf_context(result), "preview": preview}
    return render_pdf(_template_name(result), context, language=RESULT_LANGUAGE)
