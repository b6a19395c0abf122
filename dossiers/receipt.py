"""The reception receipt: form 01, "Giấy tiếp nhận hồ sơ và hẹn trả kết quả".

When an officer receives a dossier, the one-stop office gives the applicant a
receipt that names what was received and the appointment for the result
(Circular 03/2025/TT-VPCP, form 01). It is a Vietnamese legal form, so it is
always rendered in Vietnamese, whatever language the applicant browses in.

`receipt_render_and_store` runs in a Celery task queued when the reception
commits; `receipt_context` is the same data for tests and previews.
"""

import logging
import math
from decimal import Decimal

from django.db.models import Prefetch

from citizens.constants import Gender
from core.pdf import letter_header, qr_png_data_uri, render_pdf
from dossiers.constants import Channel, DeliveryMethod, DossierAction
from dossiers.lookup import lookup_pin_display, lookup_url
from dossiers.models import Dossier, DossierDocument
from dossiers.pdf_files import dossier_pdf_replace
from procedures import calendar
from procedures.constants import WORKING_DAY_HOURS, TimeUnit

logger = logging.getLogger(__name__)

RECEIPT_TEMPLATE = "dossiers/receipt_pdf.html"
RECEIPT_FOLDER = "receipts"
RECEIPT_LANGUAGE = "vi"

SALUTATIONS = {Gender.MALE: "Ông", Gender.FEMALE: "Bà"}


def _dossier_for_receipt(dossier_id: int) -> Dossier | None:
    documents = DossierDocument.objects.select_related("component", "wallet_item")
    return (
        Dossier.objects.select_related("procedure", "agency", "agency__parent", "applicant")
        .prefetch_related(Prefetch("documents", queryset=documents))
        .filter(pk=dossier_id)
        .first()
    )


# --------------------------------------------------------------------------
# Vietnamese wording of dates, times and durations
# --------------------------------------------------------------------------


def _time_and_date(moment) -> str:
    """A moment as the form writes it, in Vietnam's time: "14 giờ 05 phút, ngày 16/03/2026"."""
    local = calendar.to_local(moment)
    return f"{local:%H} giờ {local:%M} phút, ngày {local:%d/%m/%Y}"


def _number(value: Decimal | int) -> str:
    """A number as Vietnamese writes it: a comma before decimals (1,5)."""
    return f"{Decimal(value).normalize():f}".replace(".", ",")


def processing_time_text(procedure, *, online: bool) -> str:
    """The processing time the dossier is held to, as the calendar counts its due date.

    An online filing that shortens the time shows the shortened time with the
    usual one beside it, so the appointment on the receipt can be checked.
    """
    if procedure.same_day or procedure.processing_time == 0:
        return "Trong ngày"
    if procedure.time_unit == TimeUnit.CALENDAR_DAYS:
        unit = "ngày"
        # Rounded up, as procedures.calendar counts them: half of 3 days is 2, never 1.
        days = (
            math.ceil(procedure.online_processing_time()) if online else procedure.processing_time
        )
        applied = Decimal(days)
    else:
        unit = "ngày làm việc"
        hours = procedure.processing_working_hours(online=online)
        applied = Decimal(hours) / WORKING_DAY_HOURS
    if applied == 0:
        return "Trong ngày"
    usual = f"{_number(procedure.processing_time)} {unit}"
    if applied == procedure.processing_time:
        return usual
    return f"{_number(applied)} {unit} (nộp trực tuyến; thời hạn thông thường {usual})"


# --------------------------------------------------------------------------
# The form's data
# --------------------------------------------------------------------------


def _document_rows(dossier: Dossier) -> list[dict]:
    """One row per document component received, in the procedure's order."""
    rows: dict[int, dict] = {}
    for document in dossier.documents.all():
        row = rows.setdefault(
            document.component_id,
            {
                "name": document.component.name,
                "copies": document.component.copies,
                "files": 0,
                "from_wallet": False,
            },
        )
        row["files"] += 1
        row["from_wallet"] = row["from_wallet"] or document.is_reused
    return list(rows.values())


def _receiving_officer_name(dossier: Dossier) -> str:
    event = (
        dossier.events.filter(action=DossierAction.RECEIVE)
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )
    return event.actor.get_full_name() if event else ""


def _delivery_text(dossier: Dossier) -> str:
    if dossier.delivery_method == DeliveryMethod.POST:
        return f"Gửi qua dịch vụ bưu chính đến: {dossier.delivery_address}"
    agency = dossier.agency
    counter = f"Bộ phận Một cửa, {agency.name}"
    return f"{counter} ({agency.address})" if agency.address else counter


def receipt_context(dossier: Dossier) -> dict:
    """Everything form 01 prints, already worded in Vietnamese.

    Expects a received dossier; load it with its procedure, agency (and
    parent), applicant and documents to keep this to two queries.
    """
    applicant = dossier.applicant
    agency = dossier.agency
    online = dossier.channel == Channel.ONLINE
    url = lookup_url(dossier.code, dossier.lookup_pin)
    return {
        "dossier": dossier,
        "code": dossier.code,
        # The header names the agency under its parent, and the day received.
        **letter_header(agency, calendar.to_local(dossier.received_at).date()),
        "agency_name": agency.name,
        "salutation": SALUTATIONS.get(applicant.gender, "Ông/Bà"),
        "applicant_name": dossier.applicant_name or applicant.get_full_name(),
        "national_id": applicant.national_id or "",
        "address": applicant.permanent_address,
        "phone": applicant.phone,
        "email": applicant.email,
        "procedure_name": dossier.procedure.name,
        "documents": _document_rows(dossier),
        "processing_time": processing_time_text(dossier.procedure, online=online),
        "received_at_text": _time_and_date(dossier.received_at),
        "due_at_text": _time_and_date(dossier.due_at) if dossier.due_at else "",
        "delivery_text": _delivery_text(dossier),
        # The code's last part is the agency's daily number: the register's entry.
        "register_number": dossier.code.rsplit("-", 1)[-1],
        "is_online": online,
        "officer_name": _receiving_officer_name(dossier),
        "lookup_url": url,
        "lookup_pin": lookup_pin_display(dossier.lookup_pin),
        "qr_data_uri": qr_png_data_uri(url),
    }


def receipt_render_and_store(dossier_id: int) -> None:
    """Render the receipt of a received dossier and keep it as `dossier.receipt_pdf`.

    Safe to run twice or concurrently: the dossier's row is locked while the
    new file replaces the old one, and the file it replaced is deleted, so
    exactly one receipt file remains. The state field is never written.
    """
    dossier = _dossier_for_receipt(dossier_id)
    if dossier is None or dossier.received_at is None:
        logger.info("No receipt for dossier %s: missing or not received.", dossier_id)
        return
    pdf = render_pdf(RECEIPT_TEMPLATE, receipt_context(dossier), language=RECEIPT_LANGUAGE)
    dossier_pdf_replace(dossier_id=dossier_id, field="receipt_pdf", folder=RECEIPT_FOLDER, pdf=pdf)
