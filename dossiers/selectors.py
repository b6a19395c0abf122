"""Reads of dossiers, each scoped to the person who asks.

The officer queue is the busy read: one agency, one state, sorted by
`Dossier.sort_at` (kept by the transitions) and paged by keyset on the
`dossier_queue (agency, state, sort_at, id)` index, so the thousandth page
costs what the first does. The cursor a page hands out is signed: a forged or
garbled one, or one from another tab, gives the first page instead of an error.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core import signing
from django.db.models import Case, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from citizens.constants import MembershipRole
from citizens.models import User
from citizens.selectors import agencies_of, wallet_item_uses_for_officer
from dossiers import constants
from dossiers import queue_counts as queue_counts_cache
from dossiers.constants import CLOSED_STATES, WORKFLOW_STATES, DossierState
from dossiers.lookup import lookup_code_forms, lookup_pin_matches
from dossiers.models import Dossier, DossierDocument, DossierEvent
from dossiers.services import is_officer_of
from procedures import calendar
from procedures.constants import FormFieldType, PrefillSource
from procedures.models import Agency, DocumentComponent, Procedure
from procedures.search import fold
from procedures.selectors import agency_subtree_ids
from results_store import selectors as result_selectors
from results_store import services as result_services

OFFICER_ACTIONS = ("receive", "request_supplement", "reject", "complete")

_CURSOR_SALT = "dossiers.queue.cursor"
_NEXT, _PREVIOUS = "n", "p"


# --------------------------------------------------------------------------
# Officers: agencies and scope
# --------------------------------------------------------------------------


def officer_agencies(user: User) -> QuerySet[Agency]:
    """Agencies whose queue the user may see: where they are an officer (and act), where
    they are a supervisor, and every agency below one they supervise (read only)."""
    direct = set(
        agencies_of(user, roles=[MembershipRole.OFFICER, MembershipRole.SUPERVISOR]).values_list(
            "pk", flat=True
        )
    )
    supervised = list(
        agencies_of(user, roles=[MembershipRole.SUPERVISOR]).values_list("pk", flat=True)
    )
    ids = direct.union(agency_subtree_ids(supervised)) if supervised else direct
    # The user's own agencies first, so the queue opens on one of them.
    return (
        Agency.objects.filter(pk__in=ids)
        .annotate(is_below=Case(When(pk__in=direct, then=Value(0)), default=Value(1)))
        .order_by("is_below", "name", "id")
    )


def dossiers_for_officer(user: User) -> QuerySet[Dossier]:
    """Filed dossiers of the user's agencies; every officer page starts from here.

    Drafts belong to their applicant alone, so they are never in scope.
    Supervisors see their agencies' dossiers too; only officers act (services).
    """
    return (
        Dossier.objects.filter(agency__in=list(officer_agencies(user).values_list("pk", flat=True)))
        .exclude(state=DossierState.DRAFT)
        .select_related("procedure", "agency", "applicant")
    )


# --------------------------------------------------------------------------
# The queue
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    # A procedure code, or words of procedure names (agency_procedures_matching).
    procedure: str = ""
    channel: str = ""
    submitted_from: date | None = None
    submitted_to: date | None = None
    query: str = ""


@dataclass
class QueuePage:
    items: list[Dossier]
    next_cursor: str | None
    has_next: bool
    previous_cursor: str | None = None
    has_previous: bool = False


def _is_descending(state: str) -> bool:
    # Open states: the longest waiting or the soonest due first. Closed: newest first.
    return state in CLOSED_STATES


def _local_midnight(day: date) -> datetime:
    # Officers and citizens mean Vietnamese calendar days, wherever the server runs.
    return datetime.combine(day, time.min, calendar.VN_TZ)


def queue_queryset(*, agency: Agency, state: str, filters: QueueFilters | None = None):
    """The dossiers of one tab, filtered and sorted; keyset conditions come on top."""
    filters = filters or QueueFilters()
    qs = Dossier.objects.filter(agency=agency, state=state)
    if filters.procedure:
        qs = qs.filter(procedure__in=agency_procedures_matching(agency, filters.procedure))
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.submitted_from:
        qs = qs.filter(submitted_at__gte=_local_midnight(filters.submitted_from))
    if filters.submitted_to:
        qs = qs.filter(submitted_at__lt=_local_midnight(filters.submitted_to + timedelta(days=1)))
    # Folded like Dossier.search_text; each word a LIKE '%word%' the trigram index answers.
    for word in fold(filters.query).split():
        qs = qs.filter(search_text__contains=word)
    if _is_descending(state):
        return qs.order_by("-sort_at", "-id")
    return qs.order_by("sort_at", "id")


def agency_procedures_matching(agency: Agency, text: str) -> QuerySet[Procedure]:
    """The agency's procedures an officer means by `text`: the one with that code,
    else every one whose code or name holds all its words (accent-insensitive)."""
    procedures = agency.procedures.all()
    by_code = procedures.filter(code=text.strip())
    if by_code.exists():
        return by_code
    return procedures.search(text)


def _cursor_make(direction: str, dossier: Dossier, *, agency: Agency, state: str) -> str:
    return signing.dumps(
        [direction, dossier.sort_at.isoformat(), dossier.pk, agency.pk, state],
        salt=_CURSOR_SALT,
    )


def _cursor_read(cursor: str | None, *, agency: Agency, state: str):
    """(direction, sort_at, id) of a cursor this tab issued, else None (first page)."""
    if not cursor:
        return None
    try:
        direction, sort_at, pk, agency_pk, cursor_state = signing.loads(cursor, salt=_CURSOR_SALT)
        moment = parse_datetime(sort_at)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    valid = (
        direction in (_NEXT, _PREVIOUS)
        and moment is not None
        and timezone.is_aware(moment)
        and isinstance(pk, int)
        and agency_pk == agency.pk
        and cursor_state == state
    )
    return (direction, moment, pk) if valid else None


def _after(sort_at: datetime, pk: int, *, descending: bool) -> Q:
    """Rows after (sort_at, pk) in the tab's order.

    The redundant bound on sort_at alone lets the planner start the index scan
    at the cursor (an index condition) instead of filtering from the start.
    """
    if descending:
        return Q(sort_at__lte=sort_at) & (Q(sort_at__lt=sort_at) | Q(sort_at=sort_at, id__lt=pk))
    return Q(sort_at__gte=sort_at) & (Q(sort_at__gt=sort_at) | Q(sort_at=sort_at, id__gt=pk))


def queue_page(
    *,
    agency: Agency,
    state: str,
    filters: QueueFilters | None = None,
    cursor: str | None = None,
    page_size: int | None = None,
) -> QueuePage:
    """One page of a tab. Never OFFSET: page_size + 1 rows from the cursor on.

    A "previous" cursor reads backwards from the page's first row; when fewer
    than a full page lie before it, the first page is shown instead, so
    "previous" never yields a short page in the middle of the list.
    """
    page_size = page_size or constants.QUEUE_PAGE_SIZE
    if state not in WORKFLOW_STATES:
        raise ValueError(f"{state!r} is not a queue state.")
    descending = _is_descending(state)
    qs = queue_queryset(agency=agency, state=state, filters=filters).select_related("procedure")
    position = _cursor_read(cursor, agency=agency, state=state)

    if position and position[0] == _PREVIOUS:
        _direction, sort_at, pk = position
        before = list(
            qs.filter(_after(sort_at, pk, descending=not descending)).reverse()[: page_size + 1]
        )
        if len(before) > page_size:
            items = before[:page_size][::-1]
            return _page(items, agency, state, has_next=True, has_previous=True)
        position = None

    if position:
        _direction, sort_at, pk = position
        qs = qs.filter(_after(sort_at, pk, descending=descending))
    rows = list(qs[: page_size + 1])
    return _page(
        rows[:page_size],
        agency,
        state,
        has_next=len(rows) > page_size,
        has_previous=position is not None,
    )


def _page(items, agency, state, *, has_next: bool, has_previous: bool) -> QueuePage:
    mark_deadlines(items)
    return QueuePage(
        items=items,
        next_cursor=(
            _cursor_make(_NEXT, items[-1], agency=agency, state=state)
            if has_next and items
            else None
        ),
        has_next=has_next and bool(items),
        previous_cursor=(
            _cursor_make(_PREVIOUS, items[0], agency=agency, state=state)
            if has_previous and items
            else None
        ),
        has_previous=has_previous and bool(items),
    )


def queue_counts(agency: Agency) -> dict[str, int]:
    """Dossiers per workflow state of one agency, cached until one of them moves."""
    return queue_counts_cache.get(agency.pk)


# --------------------------------------------------------------------------
# Deadlines
# --------------------------------------------------------------------------


def deadline_status(dossier: Dossier, *, now: datetime, soon_before: datetime) -> str:
    """ "late", "due_soon" or "" – due soon means within one working day."""
    if dossier.due_at is None:
        return ""
    if dossier.state == DossierState.COMPLETED:
        return "late" if dossier.closed_at and dossier.closed_at > dossier.due_at else ""
    if dossier.state != DossierState.RECEIVED:
        return ""
    if now > dossier.due_at:
        return "late"
    return "due_soon" if dossier.due_at <= soon_before else ""


def mark_deadlines(dossiers: Iterable[Dossier]) -> None:
    """Set `deadline_status` on each dossier, with one calendar for the lot."""
    dossiers = list(dossiers)
    if not any(d.due_at for d in dossiers):
        for dossier in dossiers:
            dossier.deadline_status = ""
        return
    now = timezone.now()
    soon_before = calendar.WorkingCalendar().add_working_days(now, 1)
    for dossier in dossiers:
        dossier.deadline_status = deadline_status(dossier, now=now, soon_before=soon_before)


# --------------------------------------------------------------------------
# One dossier, for the officer's page
# --------------------------------------------------------------------------


def available_actions(dossier: Dossier, user: User) -> list[str]:
    """Officer actions the dossier's state allows now, for an officer of its agency."""
    if dossier.state == DossierState.DRAFT or not is_officer_of(user, dossier.agency):
        return []
    allowed = {t.name for t in dossier.get_available_state_transitions()}
    return [action for action in OFFICER_ACTIONS if action in allowed]


@dataclass
class DeclarationRow:
    label: str
    value: object
    key: str = ""

    @property
    def is_date(self) -> bool:
        return isinstance(self.value, date)


def dossier_declaration(dossier: Dossier) -> list[DeclarationRow]:
    """The procedure's form fields with what the applicant declared, in form order."""
    rows = []
    for form_field in dossier.procedure.form_fields.all():
        value = dossier.declaration.get(form_field.key)
        if form_field.field_type == FormFieldType.DATE and isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = date.fromisoformat(value)
        elif form_field.field_type == FormFieldType.CHOICE and isinstance(value, str):
            value = form_field.choice_label(value)
        rows.append(DeclarationRow(label=form_field.display_label, value=value, key=form_field.key))
    return rows


@dataclass
class ComponentAttachment:
    component: DocumentComponent
    document: DossierDocument | None


def filed_documents_by_component(dossier: Dossier) -> dict[int, DossierDocument]:
    """What the applicant attached when filing (round 0), by document component."""
    documents = dossier.documents.filter(round=0).select_related("wallet_item")
    return {document.component_id: document for document in documents}


def dossier_documents_for_review(dossier: Dossier) -> list[ComponentAttachment]:
    """Each document the procedure lists, with what the draft attached for it (or nothing)."""
    attached = filed_documents_by_component(dossier)
    return [
        ComponentAttachment(component=component, document=attached.get(component.pk))
        for component in dossier.procedure.components.all()
    ]


def dossier_results(dossier: Dossier, viewer: User, *, as_officer: bool) -> list:
    """The results the dossier issued (a completed dossier links to them)."""
    if dossier.state != DossierState.COMPLETED or not dossier.code:
        return []
    return result_selectors.results_of_dossier(dossier.code, viewer=viewer, as_officer=as_officer)


# Declaration fields that say how to reach the applicant: never on a result,
# which anyone holding it (or its QR code) can read.
CONTACT_PREFILLS = (PrefillSource.PHONE, PrefillSource.EMAIL, PrefillSource.CURRENT_ADDRESS)
CONTACT_KEYS = ("phone", "email", "current_address")


def _is_contact(form_field) -> bool:
    return form_field.prefill_source in CONTACT_PREFILLS or form_field.key in CONTACT_KEYS


def _is_address(form_field) -> bool:
    return (
        form_field.field_type == FormFieldType.ADDRESS
        or form_field.prefill_source == PrefillSource.PERMANENT_ADDRESS
    )


def dossier_contact_values(dossier: Dossier) -> set[str]:
    """The applicant's phone numbers and emails, declared and in the profile, folded.

    Addresses are left out: a prescribed form may print one (a birth
    certificate prints the parents' residence).
    """
    values = {dossier.applicant.phone, dossier.applicant.email}
    for form_field in dossier.procedure.form_fields.all():
        if form_field.prefill_source in (PrefillSource.PHONE, PrefillSource.EMAIL) or (
            form_field.key in ("phone", "email")
        ):
            values.add(str(dossier.declaration.get(form_field.key) or ""))
    return {" ".join(value.split()).casefold() for value in values if value and value.strip()}


def dossier_result_content(dossier: Dossier, result_type=None) -> dict[str, str]:
    """A first draft of the result's content, in Vietnamese, as printed.

    The result type's template takes what it prints from the declaration
    (results_store.services.result_content_draft); the applicant's contact
    details are never offered, nor addresses to a type without a prescribed form.
    """
    has_form = result_type is not None and result_services.result_type_has_form(result_type)
    values, labels = {}, {}
    for form_field in dossier.procedure.form_fields.all():
        value = dossier.declaration.get(form_field.key)
        if value in (None, "") or _is_contact(form_field):
            continue
        # An address is printed only where a prescribed form has a line for it
        # (a birth certificate: the parents' residence).
        if not has_form and _is_address(form_field):
            continue
        if form_field.field_type == FormFieldType.DATE and isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = date.fromisoformat(value).strftime("%d/%m/%Y")
        values[form_field.key] = str(value)
        labels[form_field.key] = form_field.label
    if result_type is None:
        return {labels[key]: text for key, text in values.items()}
    return result_services.result_content_draft(result_type, values, labels=labels)


@dataclass
class DocumentEntry:
    document: DossierDocument
    url: str | None
    kind: str
    name: str

    @property
    def is_image(self) -> bool:
        return self.kind in ("jpg", "png")

    @property
    def is_pdf(self) -> bool:
        return self.kind == "pdf"


@dataclass
class ComponentDocuments:
    component: DocumentComponent
    documents: list[DocumentEntry] = field(default_factory=list)


def dossier_documents_for_officer(dossier: Dossier, user: User) -> list[ComponentDocuments]:
    """The procedure's components, each with what the applicant sent for it.

    Uploads open through the dossier's document view. Wallet items open
    through the citizens app, which logs the access; their link is there only
    when the user may open that attachment (officers of the agency).
    """
    documents = list(
        dossier.documents.select_related("wallet_item__result_type", "component").order_by(
            "component__position", "component_id", "round", "id"
        )
    )
    item_ids = [d.wallet_item_id for d in documents if d.wallet_item_id]
    use_by_item = {}
    if item_ids and dossier.code:
        use_by_item = dict(
            wallet_item_uses_for_officer(user)
            .filter(agency=dossier.agency, reference=dossier.code, item_id__in=item_ids)
            .values_list("item_id", "pk")
        )

    groups = {c.pk: ComponentDocuments(c) for c in dossier.procedure.components.all()}
    for document in documents:
        if document.wallet_item_id:
            item = document.wallet_item
            use_pk = use_by_item.get(item.pk)
            url = (
                reverse("citizens:officer_wallet_item_file", args=[use_pk])
                if use_pk and item.file
                else None
            )
            entry = DocumentEntry(document, url, item.file_kind, item.original_name or item.title)
        else:
            url = reverse("dossiers:officer_document_file", args=[dossier.pk, document.pk])
            entry = DocumentEntry(document, url, document.file_kind, document.original_name)
        group = groups.setdefault(document.component_id, ComponentDocuments(document.component))
        group.documents.append(entry)
    return list(groups.values())


def dossier_timeline(dossier: Dossier) -> list[DossierEvent]:
    """The dossier's audit events, oldest first, each with its actor.

    Each event also carries `by_applicant` (the applicant acted, not an
    officer) and `requested_components` (for a supplement request, what was
    asked for), so one template shows the trail to officers and applicants.
    """
    events = list(dossier.events.select_related("actor").order_by("created_at", "id"))
    wanted = {pk for e in events for pk in (e.data or {}).get("components", [])}
    components = (
        {c.pk: c for c in DocumentComponent.objects.filter(pk__in=wanted)} if wanted else {}
    )
    for event in events:
        event.by_applicant = event.actor_id == dossier.applicant_id
        event.requested_components = [
            components[pk] for pk in (event.data or {}).get("components", []) if pk in components
        ]
    return events


# --------------------------------------------------------------------------
# Applicants and the public
# --------------------------------------------------------------------------


def dossiers_for_applicant(user: User) -> QuerySet[Dossier]:
    """All of the user's dossiers, drafts included, newest first."""
    if not user.is_authenticated:
        return Dossier.objects.none()
    return (
        Dossier.objects.filter(applicant=user)
        .select_related("procedure", "agency")
        .order_by("-created_at", "-id")
    )


def suggested_agency(procedure: Procedure, user: User) -> Agency | None:
    """Where a new draft is filed by default: the agency of the applicant's ward, if it
    handles the procedure, else the first active one (the applicant may change it)."""
    agencies = list(procedure.agencies.filter(is_active=True).order_by("level", "name", "id"))
    if not agencies:
        return None
    wards = {fold(getattr(user, f"{p}_ward", "") or "") for p in ("current", "permanent")} - {""}
    for agency in agencies:
        name = fold(agency.name)
        if any(ward in name for ward in wards):
            return agency
    return agencies[0]


def public_lookup(code: str, pin: str) -> dict | None:
    """What anyone holding a dossier's code and lookup PIN may know: no personal data.

    A wrong code and a wrong PIN give the same answer, so the page does not
    tell which codes exist.
    """
    dossier = (
        Dossier.objects.filter(code__in=lookup_code_forms(code))
        .exclude(state=DossierState.DRAFT)
        .select_related("procedure", "agency")
        .first()
    )
    if dossier is None or not lookup_pin_matches(dossier.lookup_pin, pin):
        return None
    return {
        "code": dossier.code,
        "procedure": dossier.procedure.display_name,
        "agency": dossier.agency.display_name,
        "state": dossier.get_state_display(),
        "state_value": dossier.state,
        "submitted_at": dossier.submitted_at,
        "due_at": dossier.due_at,
    }


def pending_pdf_counts() -> dict[str, int]:
    """Receipts and apology letters not made yet, for /metrics (the sweeper's partial indexes)."""
    return {
        "receipt": Dossier.objects.filter(receipt_pdf="", received_at__isnull=False).count(),
        "apology": Dossier.objects.filter(apology_pdf="", rescheduled_due_at__isnull=False).count(),
    }
