"""Every write to the results store: issue, sign, revoke, supersede, deliver.

Issuing records the result as "being prepared" and queues `sign_result_task`
on commit; the task renders the PDF, signs it (COSE token for the QR, PAdES
for PDF readers) and delivers it to the holder's wallet. A holder without a
verified account yet receives it when an account is verified as that citizen
ID's holder; an ID merely typed into a profile receives nothing (ADR 8).
"""

import datetime as dt
import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from citizens import services as citizen_services
from citizens.constants import VERIFIED_IDENTITY_LEVELS
from citizens.models import User
from citizens.selectors import is_officer_of
from core import side_effects
from procedures.models import Agency, ResultType
from result_verifier import tokens
from results_store import keys
from results_store.constants import ResultAction, ResultStatus
from results_store.models import Result, ResultEvent


def _event(result: Result, action: str, actor: User | None, reason: str = "") -> ResultEvent:
    return ResultEvent.objects.create(result=result, action=action, actor=actor, reason=reason)


def result_file_viewed(*, result: Result, actor: User, file: str) -> ResultEvent | None:
    """Staff opened the result's signed PDF ("pdf") or paper scan ("scan").

    The store keeps the event; when the result is in its holder's wallet the
    holder also sees the read there, among who opened their documents.
    """
    if result.holder_id is not None and result.holder_id == actor.pk:
        return None
    with transaction.atomic():
        event = ResultEvent.objects.create(
            result=result, action=ResultAction.FILE_VIEWED, actor=actor, reason=file
        )
        citizen_services.wallet_result_access_record(
            holder=result.holder,
            source_reference=f"result:{result.public_id}",
            actor=actor,
            agency=result.agency,
            reference=result.number,
        )
    return event


def _holder_account(national_id: str) -> User | None:
    """The account verified as the ID's holder; a typed, unverified ID receives nothing."""
    return User.objects.filter(
        national_id=national_id, identity_level__in=VERIFIED_IDENTITY_LEVELS
    ).first()


def content_from_lines(text: str) -> dict[str, str]:
    """A result's content typed as "Label: value" lines, in order; other lines are notes."""
    content: dict[str, str] = {}
    notes = []
    for line in (text or "").splitlines():
        label, separator, value = line.partition(":")
        if separator and label.strip() and value.strip():
            content[label.strip()] = value.strip()
        elif line.strip():
            notes.append(line.strip())
    if notes:
        content["Ghi chú"] = "\n".join(notes)
    return content


def content_as_lines(content: dict) -> str:
    return "\n".join(f"{label}: {value}" for label, value in content.items())


def result_type_has_form(result_type: ResultType) -> bool:
    """Whether the result type prints a prescribed form (its lines, in its order)."""
    from results_store import documents

    return documents.has_form(result_type)


def result_content_draft(
    result_type: ResultType, values: dict[str, str], *, labels: dict[str, str]
) -> dict[str, str]:
    """The content an officer starts from: the result type's template filled from `values`.

    `values` are a declaration's texts by field key and `labels` the fields'
    labels. A result type with a prescribed form takes only its lines; any
    other takes every value given, under its field's label.
    """
    from results_store import documents

    if result_type_has_form(result_type):
        by_key_and_label = {
            **values,
            **{labels[key]: text for key, text in values.items() if key in labels},
        }
        return documents.content_draft(result_type, by_key_and_label)
    return {labels.get(key, key): text for key, text in values.items()}


# A number typed by an officer may take one the sequence would give next.
NUMBER_ATTEMPTS = 100


def result_number_next(*, agency: Agency, result_type: ResultType, issued_on: dt.date) -> str:
    """A readable number for results that have none yet: <n>/<year>/<type code tail>.

    One atomic INSERT ... ON CONFLICT DO UPDATE ... RETURNING takes n, as for
    dossier codes (ADR 4): concurrent issues in separate transactions never
    share it, and the row lock lasts only until the issuing transaction ends.
    A number an officer typed earlier is skipped.
    """
    year = issued_on.year
    tail = result_type.code.rsplit(".", 1)[-1]
    for _attempt in range(NUMBER_ATTEMPTS):
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO results_store_resultsequence "
                "(agency_id, result_type_id, year, last_number) VALUES (%s, %s, %s, 1) "
                "ON CONFLICT (agency_id, result_type_id, year) DO UPDATE "
                "SET last_number = results_store_resultsequence.last_number + 1 "
                "RETURNING last_number",
                [agency.pk, result_type.pk, year],
            )
            (sequence,) = cursor.fetchone()
        number = f"{sequence}/{year}/{tail}"
        taken = Result.objects.filter(agency=agency, result_type=result_type, number=number)
        if not taken.exists():
            return number
    raise ValidationError(_("No free result number was found; enter the number by hand."))


def result_issue(
    *,
    result_type: ResultType,
    agency: Agency,
    holder_national_id: str,
    holder_name: str,
    issued_on: dt.date,
    data: dict,
    actor: User,
    number: str = "",
    valid_until: dt.date | None = None,
    source_reference: str = "",
    digitized: bool = False,
    scan=None,
) -> Result:
    """Record a result and queue its signing. The caller has checked the actor's rights.

    Whoever calls, an agency issues only the result types of the procedures it
    handles: a ward cannot issue a driving licence.
    """
    from results_store.selectors import agency_issues
    from results_store.tasks import sign_result_task

    if not agency_issues(agency, result_type):
        # A field error, so that the digitize and complete forms show it there.
        raise ValidationError(
            {
                "result_type": _("%(agency)s handles no procedure that issues “%(type)s”.")
                % {"agency": agency.display_name, "type": result_type.display_name}
            },
            code="not_issued_here",
        )

    if valid_until is None and result_type.validity_months:
        valid_until = _add_months(issued_on, result_type.validity_months)
    with transaction.atomic():
        result = Result(
            number=number
            or result_number_next(agency=agency, result_type=result_type, issued_on=issued_on),
            result_type=result_type,
            agency=agency,
            holder=_holder_account(holder_national_id),
            holder_national_id=holder_national_id,
            holder_name=holder_name,
            issued_on=issued_on,
            valid_until=valid_until,
            data=[[str(label), value] for label, value in (data or {}).items()],
            source_reference=source_reference,
            digitized=digitized,
            issued_by=actor,
        )
        # The status is the workflow's (a protected FSM field), not input to validate.
        result.full_clean(exclude=["scan", "pdf", "signing_key", "holder", "status"])
        if scan is not None:
            result.scan.save(f"{result.public_id.hex}.{scan.detected_kind}", scan, save=False)
        result.save()
        _event(result, ResultAction.DIGITIZE if digitized else ResultAction.ISSUE, actor)
        if result.holder_id:
            _deliver(result)
        side_effects.queue_on_commit(sign_result_task, result.pk)
    return result


def _add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last_day in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last_day))
        except ValueError:
            continue
    raise ValueError(day)


def result_preview_pdf(
    *,
    result_type: ResultType,
    agency: Agency,
    holder_national_id: str,
    holder_name: str,
    data: dict,
    number: str = "",
    valid_until: dt.date | None = None,
) -> bytes:
    """The document a result would print, marked as a preview: nothing is saved or signed."""
    from results_store import documents

    issued_on = timezone.localdate()
    if valid_until is None and result_type.validity_months:
        valid_until = _add_months(issued_on, result_type.validity_months)
    result = Result(
        number=number or "…",
        result_type=result_type,
        agency=agency,
        holder_national_id=holder_national_id,
        holder_name=holder_name,
        issued_on=issued_on,
        valid_until=valid_until,
        data=[[str(label), value] for label, value in data.items()],
    )
    return documents.render_result_pdf(result, preview=True)


def facts_for(result: Result, content_sha256: str) -> tokens.ResultFacts:
    """What the token states: the result's identity, the document's hash, the certified digest."""
    return tokens.ResultFacts(
        result_id=result.public_id,
        number=result.number,
        result_type_code=result.result_type.code,
        holder_name=result.holder_name,
        holder_national_id=result.holder_national_id,
        issued_on=result.issued_on,
        issuer_code=result.agency.code,
        issuer_name=result.agency.name,
        content_sha256=content_sha256,
        valid_until=result.valid_until,
        digitized=result.digitized,
        certified_sha256=tokens.certified_digest(result.certified) if result.certified else "",
    )


def result_sign(result_id: int) -> None:
    """Render, sign and store a result's PDF; a result already signed is left alone.

    The file is stored inside the transaction that records it; if that
    transaction fails (a database restarting, a worker's time limit), the
    file is deleted again, so a retry leaves no orphan PDF behind.
    """
    stored = []
    try:
        _result_sign(result_id, stored)
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise


def _result_sign(result_id: int, stored: list[str]) -> None:
    from results_store import documents

    with transaction.atomic():
        result = (
            Result.objects.select_for_update(of=("self",))
            .select_related("result_type", "agency", "agency__parent")
            .filter(pk=result_id, status=ResultStatus.PREPARING)
            .first()
        )
        if result is None:
            return
        signing_key = keys.active_signing_key(result.agency)
        result.certified = [list(fact) for fact in documents.certified_facts(result)]
        content = documents.render_result_pdf(result)
        content_sha256 = hashlib.sha256(content).hexdigest()
        token = tokens.sign(
            facts_for(result, content_sha256),
            kid=signing_key.kid,
            key=keys.private_key(signing_key),
            signed_at=timezone.now(),
        )
        final = documents.stamp_and_sign_pdf(content, token=token, signing_key=signing_key)
        # A file under this name is left by an attempt killed before it could
        # clean up (SIGKILL, power): no committed row names it while the result
        # is still being prepared and locked here, so it is replaced.
        name = f"results/{result.public_id.hex}.pdf"
        if default_storage.exists(name):
            default_storage.delete(name)
        name = default_storage.save(name, ContentFile(final))
        stored.append(name)
        result.pdf.name = name
        result.token = token
        result.signing_key = signing_key
        result.content_sha256 = content_sha256
        result.pdf_sha256 = hashlib.sha256(final).hexdigest()
        result.sign(now=timezone.now())
        result.save()
        _event(result, ResultAction.SIGN, None)
        if result.holder_id:
            _deliver(result)


# A task queued on commit normally runs within seconds; the sweeper leaves
# younger results to it.
SIGNING_GRACE = dt.timedelta(minutes=1)
SWEEP_BATCH_SIZE = 500


def unsigned_result_ids(*, now=None, limit: int = SWEEP_BATCH_SIZE) -> list[int]:
    """Collect: results still being prepared after the grace period (their task was lost)."""
    cutoff = (now or timezone.now()) - SIGNING_GRACE
    return list(
        Result.objects.filter(status=ResultStatus.PREPARING, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("id", flat=True)[:limit]
    )


def unsigned_results_queue(*, now=None) -> int:
    """Act: queue their signing again; stop at the first the broker refuses."""
    from results_store.tasks import sign_result_task

    queued = 0
    for result_id in unsigned_result_ids(now=now):
        if not side_effects.queue(sign_result_task, result_id):
            break
        queued += 1
    return queued


def _deliver(result: Result) -> None:
    """Put the result in its holder's wallet, or refresh the item once signed."""
    citizen_services.wallet_result_add(
        owner=result.holder,
        result_type=result.result_type,
        title=result.result_type.name,
        number=result.number,
        issuer=result.agency.name,
        issued_on=result.issued_on,
        source_reference=f"result:{result.public_id}",
        file_name=result.pdf.name if result.pdf else "",
        file_size=result.pdf.size if result.pdf else 0,
    )


def results_claim_for(user: User) -> int:
    """Deliver the results issued to this citizen ID before its holder was verified."""
    if not user.national_id or not user.identity_verified:
        return 0
    pending = list(
        Result.objects.select_related("result_type", "agency").filter(
            holder__isnull=True, holder_national_id=user.national_id
        )
    )
    for result in pending:
        with transaction.atomic():
            result.holder = user
            result.save(update_fields=["holder"])
            _event(result, ResultAction.CLAIM, user)
            _deliver(result)
    return len(pending)


def _require_issuer(result: Result, actor: User) -> None:
    if not is_officer_of(actor, result.agency):
        raise PermissionDenied(_("Only an officer of the issuing agency can do this."))


def _required(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason; verifiers will read it.")})
    return reason


@transaction.atomic
def result_revoke(*, result: Result, actor: User, reason: str) -> Result:
    _require_issuer(result, actor)
    reason = _required(reason)
    locked = Result.objects.select_for_update().get(pk=result.pk)
    if not can_proceed(locked.revoke):
        raise ValidationError(_("This result is already revoked or superseded."))
    locked.revoke(reason=reason, now=timezone.now())
    locked.save(update_fields=["status", "status_reason", "status_changed_at"])
    _event(locked, ResultAction.REVOKE, actor, reason)
    return locked


@transaction.atomic
def result_supersede(*, result: Result, replacement: Result, actor: User, reason: str) -> Result:
    _require_issuer(result, actor)
    reason = _required(reason)
    if replacement.pk == result.pk or replacement.result_type_id != result.result_type_id:
        raise ValidationError(_("The replacement must be another result of the same type."))
    locked = Result.objects.select_for_update().get(pk=result.pk)
    if not can_proceed(locked.supersede):
        raise ValidationError(_("Only a valid result can be superseded."))
    locked.supersede(replacement=replacement, reason=reason, now=timezone.now())
    locked.save(update_fields=["status", "status_reason", "status_changed_at", "superseded_by"])
    _event(locked, ResultAction.SUPERSEDE, actor, reason)
    return locked
