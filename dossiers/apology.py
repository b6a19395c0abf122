"""The apology for a late result: "Phiếu xin lỗi và hẹn lại ngày trả kết quả".

When the agency cannot return a result by the date on the receipt, it writes
to the applicant to apologize, give the reason and set a new appointment (the
one-stop circulars' form, first Circular 01/2018/TT-VPCP form 04). Like the
receipt, it is a Vietnamese legal form, rendered in Vietnamese whatever
language the applicant browses in, with the receipt's header and date wording.

`dossiers.services.dossier_apologize` records the apology (an audit event
holding the reason and the new date) and queues `apology_render_and_store`
when it commits; the letter is rendered from that event, the latest one.
"""

import logging

from django.utils.dateparse import parse_datetime

from core.pdf import letter_header, render_pdf
from dossiers.constants import DossierAction
from dossiers.models import Dossier, DossierEvent
from dossiers.pdf_files import dossier_pdf_replace
from dossiers.receipt import SALUTATIONS, _time_and_date
from procedures import calendar

logger = logging.getLogger(__name__)

APOLOGY_TEMPLATE = "dossiers/apology_pdf.html"
APOLOGY_FOLDER = "apologies"
APOLOGY_LANGUAGE = "vi"


def latest_apology(dossier: Dossier) -> DossierEvent | None:
    return (
        dossier.events.filter(action=DossierAction.APOLOGIZE)
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )


def apology_context(dossier: Dossier, event: DossierEvent) -> dict:
    """Everything the apology prints, already worded in Vietnamese.

    Expects the dossier with its procedure, agency (and parent) and applicant,
    and the apology event with its actor.
    """
    agency = dossier.agency
    applicant = dossier.applicant
    new_due_at = parse_datetime(event.data["new_due_at"])
    return {
        "dossier": dossier,
        "code": dossier.code,
        **letter_header(agency, calendar.to_local(event.created_at).date()),
        "agency_name": agency.name,
        "salutation": SALUTATIONS.get(applicant.gender, "Ông/Bà"),
        "applicant_name": dossier.applicant_name or applicant.get_full_name(),
        "procedure_name": dossier.procedure.name,
        "received_at_text": _time_and_date(dossier.received_at) if dossier.received_at else "",
        "due_at_text": _time_and_date(dossier.due_at) if dossier.due_at else "",
        "reason": event.reason,
        "new_due_at_text": _time_and_date(new_due_at),
        "officer_name": event.actor.get_full_name(),
    }


def apology_render_and_store(dossier_id: int) -> None:
    """Render the latest apology of a dossier and keep it as `dossier.apology_pdf`.

    Safe to run twice or concurrently, as the receipt is: the row is locked
    while the new file replaces the old one, which is then deleted, and the
    state field is never written.
    """
    dossier = (
        Dossier.objects.select_related("procedure", "agency", "agency__parent", "applicant")
        .filter(pk=dossier_id)
        .first()
    )
    event = latest_apology(dossier) if dossier is not None else None
    if event is None:
        logger.info("No apology for dossier %s: missing, or no apology recorded.", dossier_id)
        return
    pdf = render_pdf(APOLOGY_TEMPLATE, apology_context(dossier, event), language=APOLOGY_LANGUAGE)
    dossier_pdf_replace(dossier_id=dossier_id, field="apology_pdf", folder=APOLOGY_FOLDER, pdf=pdf)
