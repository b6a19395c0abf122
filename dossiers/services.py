"""Every write to a dossier: drafting, the workflow transitions, their audit trail.

Each transition service checks who may act, changes the dossier through its
django-fsm transition, writes one `DossierEvent`, and queues side effects with
`transaction.on_commit`, all in one transaction: a refused or failed action
changes nothing and sends nothing.
"""

import datetime as dt
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from citizens import services as citizen_services
from citizens.constants import WalletItemKind
from citizens.models import User, WalletItem
from citizens.selectors import is_officer_of
from core import side_effects
from core.text_language import foreign_language
from core.uploads import random_upload_name, safe_display_name
from dossiers import applicant_messages, queue_counts
from dossiers.constants import (
    CODE_SEQUENCE_DIGITS,
    Channel,
    DeliveryMethod,
    DossierAction,
    DossierState,
)
from dossiers.lookup import lookup_pin_new
from dossiers.models import DeadlineAlert, Dossier, DossierDocument, DossierEvent, DossierRating
from notifications import services as notification_services
from notifications.constants import MessageKind
from portal.audit import audit_purge
from procedures import calendar
from procedures.constants import FormFieldType
from procedures.models import Agency, DocumentComponent, Procedure, ResultType
from results_store import services as result_services

DOCUMENT_FOLDER = "dossiers"

# Shown when the applicant submits without ticking the declaration; the form's
# own message too, so both say the same.
DECLARATION_REFUSED = gettext_lazy(
    "Tick the box to declare that the information you have given is true and complete"
)


class WorkflowError(ValidationError):
    """An action that the dossier's state or a concurrent action does not allow."""


# --------------------------------------------------------------------------
# Who may act
# --------------------------------------------------------------------------


def _require_officer(dossier: Dossier, actor: User) -> None:
    if not is_officer_of(actor, dossier.agency):
        raise PermissionDenied(_("Only an officer of the receiving agency can do this."))


def _require_applicant(dossier: Dossier, actor: User) -> None:
    if dossier.applicant_id != actor.pk:
        raise PermissionDenied(_("Only the applicant can do this."))


# --------------------------------------------------------------------------
# Codes
# --------------------------------------------------------------------------


def dossier_code_next(*, agency: Agency, now=None) -> str:
    """The next code of the agency's day: <agency code>-<YYMMDD>-<NNNN>.

    One atomic INSERT ... ON CONFLICT DO UPDATE ... RETURNING takes the number,
    so concurrent submissions in separate transactions never share it (the row
    lock is held until the submitting transaction ends).
    """
    local_day = timezone.localdate(now or timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO dossiers_dailysequence (agency_id, day, last_number) "
            "VALUES (%s, %s, 1) "
            "ON CONFLICT (agency_id, day) DO UPDATE "
            "SET last_number = dossiers_dailysequence.last_number + 1 "
            "RETURNING last_number",
            [agency.pk, local_day],
        )
        (number,) = cursor.fetchone()
    return f"{agency.code}-{local_day:%y%m%d}-{number:0{CODE_SEQUENCE_DIGITS}d}"


# --------------------------------------------------------------------------
# Drafting (the applicant)
# --------------------------------------------------------------------------


def dossier_draft_create(*, applicant: User, procedure: Procedure, agency: Agency) -> Dossier:
    if not procedure.is_online:
        raise ValidationError(_("This procedure cannot be filed online."), code="in_person")
    if not procedure.agencies.filter(pk=agency.pk).exists():
        raise ValidationError(_("This agency does not handle this procedure."), code="agency")
    with transaction.atomic():
        dossier = Dossier.objects.create(
            procedure=procedure,
            agency=agency,
            applicant=applicant,
            channel=Channel.ONLINE,
            applicant_name=applicant.get_full_name(),
        )
        _event(dossier, applicant, DossierAction.CREATE, DossierState.DRAFT)
    return dossier


def _store_upload(uploaded_file) -> dict:
    kind = uploaded_file.detected_kind
    name = default_storage.save(random_upload_name(kind, DOCUMENT_FOLDER), uploaded_file)
    return {
        "file": name,
        "file_kind": kind,
        "original_name": safe_display_name(uploaded_file.name),
        "file_size": uploaded_file.size,
    }


def _remove_documents(dossier: Dossier, component, round_number: int) -> None:
    """A draft's earlier attachment for a component goes, with its file once committed.

    Reused wallet items keep their file: it is the wallet's, not the dossier's.
    """
    replaced = dossier.documents.filter(component=component, round=round_number)
    names = [name for name in replaced.values_list("file", flat=True) if name]
    replaced.delete()
    for name in names:
        side_effects.after_commit(default_storage.delete, name)


def _add_documents(
    dossier: Dossier,
    *,
    uploads: Mapping[int, object],
    reused: Mapping[int, WalletItem],
    round_number: int,
    replace: bool,
) -> None:
    """Store uploads under random names and link reused wallet items, per component.

    Files are written before the rows; if the transaction fails they are
    removed again, so a failed save leaves no file behind.
    """
    components = {c.pk: c for c in dossier.procedure.components.all()}
    stored: list[str] = []
    try:
        for component_id, uploaded_file in uploads.items():
            component = components[component_id]
            if replace:
                _remove_documents(dossier, component, round_number)
            values = _store_upload(uploaded_file)
            stored.append(values["file"])
            DossierDocument.objects.create(
                dossier=dossier, component=component, round=round_number, **values
            )
        for component_id, item in reused.items():
            component = components[component_id]
            if item.owner_id != dossier.applicant_id:
                raise PermissionDenied
            # A result is reused by the holder of its citizen ID, proven (ADR 8).
            if item.kind == WalletItemKind.RESULT and not dossier.applicant.identity_verified:
                raise PermissionDenied
            if replace:
                _remove_documents(dossier, component, round_number)
            DossierDocument.objects.create(
                dossier=dossier, component=component, wallet_item=item, round=round_number
            )
    except Exception:
        for name in stored:
            default_storage.delete(name)
        raise


@transaction.atomic
def dossier_draft_save(
    *,
    dossier: Dossier,
    actor: User,
    declaration: Mapping[str, object],
    delivery_method: str,
    delivery_address: str,
    agency: Agency | None = None,
    uploads: Mapping[int, object] | None = None,
    reused: Mapping[int, WalletItem] | None = None,
) -> Dossier:
    """Keep what the applicant typed and attached, complete or not."""
    _require_applicant(dossier, actor)
    if dossier.state != DossierState.DRAFT:
        raise WorkflowError(_("Only a draft can be edited."), code="not_draft")
    if agency is not None and agency.pk != dossier.agency_id:
        if not dossier.procedure.agencies.filter(pk=agency.pk).exists():
            raise ValidationError(_("This agency does not handle this procedure."))
        dossier.agency = agency
    dossier.declaration = {**dossier.declaration, **declaration}
    dossier.delivery_method = delivery_method or DeliveryMethod.COUNTER
    dossier.delivery_address = delivery_address
    dossier.save(update_fields=["agency", "declaration", "delivery_method", "delivery_address"])
    _add_documents(
        dossier, uploads=uploads or {}, reused=reused or {}, round_number=0, replace=True
    )
    return dossier


def _named(template: str, label) -> str:
    """`template` (e.g. "Enter %(label)s") around a catalog label, written as in a sentence.

    The label's first letter goes to lower case ("Họ và tên" in "Nhập họ và
    tên"), unless it starts an acronym ("CCCD"). A label in another language
    than the page's (an untranslated Vietnamese label on an English page)
    keeps its `lang`, so the message is returned as markup with the label
    escaped in a span.
    """
    text = str(label)
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        text = text[0].lower() + text[1:]
    lang = foreign_language(label)
    if lang is None:
        return template % {"label": text}
    span = f'<span lang="{escape(lang)}">{conditional_escape(text)}</span>'
    return mark_safe(conditional_escape(template) % {"label": span})


def declaration_missing_message(form_field) -> str:
    """What to do about a required declaration field left empty, by its kind (GOV.UK style)."""
    if form_field.field_type == FormFieldType.CHOICE:
        return _named(_("Choose %(label)s"), form_field.display_label)
    return _named(_("Enter %(label)s"), form_field.display_label)


def declaration_invalid_message(form_field) -> str:
    """What to do about a number or a date that is not one."""
    if form_field.field_type == FormFieldType.DATE:
        return _named(_("Enter %(label)s as a real date"), form_field.display_label)
    return _named(_("Enter %(label)s as a number"), form_field.display_label)


def component_missing_message(component: DocumentComponent) -> str:
    """What to do about a required document not attached."""
    if component.document_types:
        return _named(_("Upload %(label)s, or choose it from your wallet"), component.display_name)
    return _named(_("Upload %(label)s"), component.display_name)


def dossier_completeness_errors(dossier: Dossier) -> dict[str, list[str]]:
    """Everything still missing before the dossier can be submitted, by form field name.

    All of it at once: the applicant fixes every problem in one round.
    """
    errors: dict[str, list[str]] = {}
    for form_field in dossier.procedure.form_fields.all():
        if form_field.is_required and not str(dossier.declaration.get(form_field.key) or ""):
            errors[f"field_{form_field.key}"] = [declaration_missing_message(form_field)]
    provided = set(dossier.documents.values_list("component_id", flat=True))
    for component in dossier.procedure.components.all():
        if component.is_required and component.pk not in provided:
            errors[f"component_{component.pk}"] = [component_missing_message(component)]
    if dossier.delivery_method == DeliveryMethod.POST and not dossier.delivery_address.strip():
        errors["delivery_address"] = [_("Enter the address the result should be posted to")]
    return errors


def dossier_draft_delete(*, dossier: Dossier, actor: User) -> None:
    """The applicant deletes their own draft, with the files uploaded for it.

    Reused wallet items are not touched: a document that reuses one has no
    file of its own (the file is the wallet's, and other dossiers may use it).
    The draft's audit events go with it inside `audit_purge`, after a last
    event recording the deletion, so the audit chain keeps who deleted which
    draft, when, and why its rows are gone (ADR 10).
    """
    _require_applicant(dossier, actor)
    with transaction.atomic():
        current = Dossier.objects.select_for_update().get(pk=dossier.pk)
        if current.state != DossierState.DRAFT:
            raise WorkflowError(_("Only a draft can be deleted."), code="not_draft")
        documents = current.documents.exclude(file="")
        names = set(documents.values_list("file", flat=True))
        _event(
            current,
            actor,
            DossierAction.DELETE_DRAFT,
            current.state,
            data={"procedure": current.procedure.code, "uploads": len(names)},
        )
        reason = f"draft dossier {current.pk} deleted by its applicant (user {actor.pk})"
        with audit_purge(reason=reason):
            current.delete()
        # Upload names are random and never shared, but a file some other
        # document still points to must stay whatever happens.
        still_used = set(
            DossierDocument.objects.filter(file__in=names).values_list("file", flat=True)
        )
        for name in names - still_used:
            side_effects.after_commit(default_storage.delete, name)


# --------------------------------------------------------------------------
# The workflow
# --------------------------------------------------------------------------


def _event(dossier, actor, action, from_state, *, reason="", data=None) -> DossierEvent:
    return DossierEvent.objects.create(
        dossier=dossier,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=dossier.state,
        reason=reason,
        data=data or {},
    )


def _apply(dossier: Dossier, actor: User, action: str, *, reason="", data=None, **kwargs):
    """Run one transition, save it conditionally and record it, atomically."""
    from_state = dossier.state
    try:
        with transaction.atomic():
            getattr(dossier, action)(**kwargs)
            dossier.save()
            event = _event(dossier, actor, action, from_state, reason=reason, data=data)
            # Written in this transaction: a rollback sends nothing (outbox).
            applicant_messages.notify_dossier_event(event)
            agency_id = dossier.agency_id
            side_effects.after_commit(queue_counts.forget, agency_id)
    except TransitionNotAllowed as exc:
        dossier.refresh_from_db()
        raise WorkflowError(
            _("This action is not possible while the dossier is “%(state)s”.")
            % {"state": dossier.get_state_display()},
            code="not_allowed",
        ) from exc
    except ConcurrentTransition as exc:
        dossier.refresh_from_db()
        raise WorkflowError(
            _("Someone else has just acted on this dossier. Here is its current state."),
            code="concurrent",
        ) from exc
    return event


def _required_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Give the reason; the applicant will read it.")}, code="reason"
        )
    return reason


def _on_commit_task(task, dossier_id: int) -> None:
    side_effects.queue_on_commit(task, dossier_id)


def dossier_submit(*, dossier: Dossier, actor: User, declared: bool) -> Dossier:
    """File the dossier, with the applicant's declaration that what they gave is true.

    `declared` is the applicant's ticked commitment ("Tôi cam đoan ..."), the
    closing line of every Vietnamese application form: without it nothing is
    filed, and its time is kept on the dossier.
    """
    _require_applicant(dossier, actor)
    if dossier.state != DossierState.DRAFT:
        raise WorkflowError(_("This dossier has already been submitted."), code="not_draft")
    errors = dossier_completeness_errors(dossier)
    if not declared:
        errors["confirm"] = [str(DECLARATION_REFUSED)]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        now = timezone.now()
        dossier.declared_at = now
        dossier.applicant_name = actor.get_full_name()
        dossier.applicant_identity_level = actor.identity_level
        dossier.fee_vnd = dossier.procedure.effective_fee_online_vnd
        code = dossier_code_next(agency=dossier.agency, now=now)
        _apply(dossier, actor, "submit", code=code, lookup_pin=lookup_pin_new(), now=now)
        for document in dossier.documents.filter(wallet_item__isnull=False):
            citizen_services.wallet_item_attach(
                item=document.wallet_item, agency=dossier.agency, reference=code
            )
    return dossier


def dossier_receive(*, dossier: Dossier, actor: User) -> Dossier:
    _require_officer(dossier, actor)
    from dossiers.tasks import render_receipt_task

    now = timezone.now()
    due_at = calendar.due_at(dossier.procedure, now, online=dossier.channel == Channel.ONLINE)
    with transaction.atomic():
        _apply(dossier, actor, "receive", now=now, due_at=due_at)
        _on_commit_task(render_receipt_task, dossier.pk)
    return dossier


def dossier_reject(*, dossier: Dossier, actor: User, reason: str) -> Dossier:
    _require_officer(dossier, actor)
    reason = _required_reason(reason)
    with transaction.atomic():
        _apply(dossier, actor, "reject", reason=reason, now=timezone.now())
        citizen_services.wallet_uses_release(reference=dossier.code)
    return dossier


def dossier_request_supplement(
    *, dossier: Dossier, actor: User, reason: str, components: Iterable[DocumentComponent]
) -> Dossier:
    _require_officer(dossier, actor)
    reason = _required_reason(reason)
    component_ids = sorted(c.pk for c in components if c.procedure_id == dossier.procedure_id)
    if not component_ids:
        raise ValidationError(
            {"components": _("Choose the documents the applicant must supply.")},
            code="components",
        )
    now = timezone.now()
    with transaction.atomic():
        _apply(
            dossier,
            actor,
            "request_supplement",
            reason=reason,
            data={"components": component_ids},
            now=now,
            supplement_due_at=calendar.add_working_days(now, settings.SUPPLEMENT_WORKING_DAYS),
        )
        # A supplement request starts a new round: the dossier is received
        # again later with a new due date, and the new supplement deadline
        # deserves its own reminder. Alerts fire once per dossier and kind
        # within a round, so the previous round's are forgotten here.
        DeadlineAlert.objects.filter(dossier=dossier).delete()
    return dossier


def requested_components(dossier: Dossier) -> list[DocumentComponent]:
    """The components asked for by the latest supplement request."""
    event = dossier.events.filter(action=DossierAction.REQUEST_SUPPLEMENT).order_by("-id").first()
    ids = (event.data or {}).get("components", []) if event else []
    return list(dossier.procedure.components.filter(pk__in=ids))


def dossier_resubmit(
    *,
    dossier: Dossier,
    actor: User,
    uploads: Mapping[int, object],
    reused: Mapping[int, WalletItem] | None = None,
    note: str = "",
) -> Dossier:
    _require_applicant(dossier, actor)
    if dossier.state != DossierState.SUPPLEMENT_REQUESTED:
        raise WorkflowError(_("No supplement has been requested."), code="not_allowed")
    reused = reused or {}
    missing = [
        c for c in requested_components(dossier) if c.pk not in uploads and c.pk not in reused
    ]
    if missing:
        raise ValidationError({f"component_{c.pk}": component_missing_message(c) for c in missing})
    round_number = dossier.events.filter(action=DossierAction.RESUBMIT).count() + 1
    with transaction.atomic():
        _add_documents(
            dossier, uploads=uploads, reused=reused, round_number=round_number, replace=False
        )
        _apply(dossier, actor, "resubmit", reason=note.strip(), now=timezone.now())
        for item in reused.values():
            citizen_services.wallet_item_attach(
                item=item, agency=dossier.agency, reference=dossier.code
            )
    return dossier


def _refuse_contact_details(dossier: Dossier, content: dict) -> None:
    """A result is read by whoever verifies it: the applicant's phone or email never go on it."""
    from dossiers.selectors import dossier_contact_values

    contact = dossier_contact_values(dossier)
    for label, value in content.items():
        text = " ".join(str(value).split()).casefold()
        if text and any(detail in text for detail in contact):
            raise ValidationError(
                {
                    "result_content": _(
                        "“%(label)s” holds the applicant's phone number or email. Remove it: "
                        "anyone who verifies the result would read it."
                    )
                    % {"label": label}
                },
                code="contact_details",
            )


def dossier_complete(
    *,
    dossier: Dossier,
    actor: User,
    outcome: str,
    result_type: ResultType | None = None,
    result_number: str = "",
    result_content: dict | None = None,
    valid_until=None,
) -> Dossier:
    """Record the outcome and, for a procedure that issues one, hand the result to the store."""
    _require_officer(dossier, actor)
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError(
            {"outcome": _("Record the outcome; the applicant will read it.")}, code="outcome"
        )
    if result_type is not None:
        if not dossier.procedure.result_types.filter(pk=result_type.pk).exists():
            raise ValidationError({"result_type": _("This procedure does not issue this result.")})
        _refuse_contact_details(dossier, result_content or {})
        if not dossier.applicant.national_id:
            raise ValidationError(
                _(
                    "The applicant's profile has no citizen ID number, so a digital result "
                    "cannot be issued to them. Ask them to complete their profile."
                ),
                code="no_national_id",
            )
    with transaction.atomic():
        _apply(dossier, actor, "complete", reason=outcome, now=timezone.now(), outcome=outcome)
        citizen_services.wallet_uses_release(reference=dossier.code)
        if result_type is not None:
            result_services.result_issue(
                result_type=result_type,
                agency=dossier.agency,
                holder_national_id=dossier.applicant.national_id,
                holder_name=dossier.applicant_name or dossier.applicant.get_full_name(),
                issued_on=timezone.localdate(),
                valid_until=valid_until,
                number=result_number,
                data=result_content or {},
                actor=actor,
                source_reference=f"dossier:{dossier.code}",
            )
    return dossier


# --------------------------------------------------------------------------
# Late dossiers: the apology and the new appointment
# --------------------------------------------------------------------------


def dossier_apologize(*, dossier: Dossier, actor: User, reason: str, new_due_at) -> DossierEvent:
    """An officer who cannot meet the due date apologizes and sets a new appointment.

    The one-stop apology form ("Phiếu xin lỗi và hẹn lại ngày trả kết quả")
    gives the reason and the new date. It is not a transition: the dossier
    stays received, and `due_at` is left alone, so the dossier still counts as
    late against the date first promised. The new date goes in
    `rescheduled_due_at` with an UPDATE of that column alone (never `save()`,
    which would write the protected state of a possibly stale copy); the row
    is locked meanwhile, so the state checked is the state the apology joins.
    """
    from dossiers.tasks import render_apology_task

    _require_officer(dossier, actor)
    reason = _required_reason(reason)
    if new_due_at is None:
        raise ValidationError(
            {"new_due_at": _("Give the new appointment date and time.")}, code="new_due_at"
        )
    if timezone.is_naive(new_due_at):
        raise ValueError("new_due_at must be timezone-aware.")
    with transaction.atomic():
        current = Dossier.objects.select_for_update().select_related("applicant").get(pk=dossier.pk)
        if current.state != DossierState.RECEIVED:
            dossier.refresh_from_db()
            raise WorkflowError(
                _("Only a dossier being processed can get a new appointment."),
                code="not_allowed",
            )
        _check_new_appointment(current, new_due_at)
        event = _event(
            current,
            actor,
            DossierAction.APOLOGIZE,
            current.state,
            reason=reason,
            data={"new_due_at": new_due_at.isoformat()},
        )
        previous_pdf = current.apology_pdf.name
        # The letter of an earlier apology no longer holds: it is removed now
        # and the new one rendered after the commit.
        Dossier.objects.filter(pk=current.pk).update(rescheduled_due_at=new_due_at, apology_pdf="")
        current.rescheduled_due_at = new_due_at
        notification_services.notify(
            users=[current.applicant],
            kind=MessageKind.DOSSIER_APOLOGY,
            context={"dossier": current, "reason": reason, "new_due_at": new_due_at},
            link=reverse("dossiers:detail", args=[current.pk]),
            dedupe_key=f"apology:{event.pk}",
        )
        if previous_pdf:
            side_effects.after_commit(default_storage.delete, previous_pdf)
        _on_commit_task(render_apology_task, current.pk)
    dossier.rescheduled_due_at = new_due_at
    dossier.apology_pdf = ""
    return event


def _check_new_appointment(dossier: Dossier, new_due_at) -> None:
    """A new appointment lies in the future, in office hours, after the one it replaces."""
    replaced = max(filter(None, [dossier.due_at, dossier.rescheduled_due_at]), default=None)
    if new_due_at <= timezone.now():
        message = _("The new appointment must be in the future.")
    elif replaced is not None and new_due_at <= replaced:
        message = _("The new appointment must be later than the current one (%(date)s).") % {
            "date": timezone.localtime(replaced).strftime("%d/%m/%Y %H:%M"),
        }
    elif not calendar.is_office_time(new_due_at):
        message = _("The new appointment must be during office hours on a working day.")
    else:
        return
    raise ValidationError({"new_due_at": message}, code="new_due_at")


# --------------------------------------------------------------------------
# Staff reading a dossier's files
# --------------------------------------------------------------------------

# The officer's page embeds each upload, and an officer often opens one again
# in a new tab: reads of one file by one person this close together are one
# read on the applicant's timeline, not a row per page load.
FILE_VIEW_WINDOW = dt.timedelta(minutes=10)


def dossier_file_viewed(
    *, dossier: Dossier, actor: User, file: str, name: str = "", document_id: int | None = None
) -> DossierEvent | None:
    """Someone other than the applicant opened a file of the dossier; the applicant sees it.

    `file` says which: "document" (an upload, with its `document_id`),
    "receipt" or "apology". Sealed in the audit chain like every event.
    """
    if actor.pk == dossier.applicant_id:
        return None
    now = timezone.now()
    recent = DossierEvent.objects.filter(
        dossier=dossier,
        actor=actor,
        action=DossierAction.FILE_VIEWED,
        data__file=file,
        data__document=document_id,
        created_at__gte=now - FILE_VIEW_WINDOW,
    )
    if recent.exists():
        return None
    with transaction.atomic():
        return DossierEvent.objects.create(
            dossier=dossier,
            actor=actor,
            action=DossierAction.FILE_VIEWED,
            from_state=dossier.state,
            to_state=dossier.state,
            data={"file": file, "document": document_id, "name": name},
            created_at=now,
        )


# --------------------------------------------------------------------------
# Ratings
# --------------------------------------------------------------------------


def dossier_rate(*, dossier: Dossier, actor: User, score: int, comment: str = "") -> DossierRating:
    """The applicant rates a completed dossier, once.

    A rating is not edited afterwards: it is the applicant's answer at the
    time, counted in the published satisfaction figures, so it stays as given
    (and is its own dated record).
    """
    _require_applicant(dossier, actor)
    if dossier.state != DossierState.COMPLETED:
        raise ValidationError(_("Only a completed dossier can be rated."), code="not_completed")
    if score not in range(1, 6):
        raise ValidationError({"score": _("Choose a score from 1 to 5.")}, code="score")
    if DossierRating.objects.filter(dossier=dossier).exists():
        raise ValidationError(_("You have already rated this dossier."), code="already_rated")
    try:
        with transaction.atomic():
            return DossierRating.objects.create(
                dossier=dossier, score=score, comment=(comment or "").strip()
            )
    except IntegrityError:
        # The same applicant rating twice at once: the first one counts.
        raise ValidationError(
            _("You have already rated this dossier."), code="already_rated"
        ) from None
