"""Deadline alerts and supplement reminders: telling people, once, that time is running out.

Four kinds of alert (`AlertKind`), each sent once per dossier and kind:

* due soon: a received dossier due within `DEADLINE_ALERT_WORKING_HOURS`
  working hours; its agency's officers and supervisors are told;
* overdue: a received dossier past its due date; the same people are told;
* not received: an online dossier waiting more than
  `RECEPTION_ALERT_WORKING_HOURS` working hours to be received; the same;
* supplement reminder: the applicant asked for documents, whose deadline
  (`Dossier.supplement_due_at`) is within `SUPPLEMENT_REMINDER_WORKING_DAYS`
  working days.

The periodic tasks split into "collect" and "act". Collecting is one indexed
query per kind: the dossiers in the kind's state whose dates cross a boundary
computed once per run with the working calendar (never per dossier), without
a `DeadlineAlert` of that kind yet (NOT EXISTS), read in keyset batches so a
million open dossiers are read in bounded chunks. Acting is one transaction
per agency (staff alerts) or per batch (supplement reminders):
`INSERT ... ON CONFLICT DO NOTHING RETURNING` writes the alert rows and
returns those this run inserted, and only those dossiers are notified. Two
runs that overlap meet on the unique (dossier, kind) index: one inserts a row,
the other waits for it to commit and skips it, so nobody is told twice. The
notifications are outbox rows written in the same transaction, so a failed
transaction sends nothing and is alerted by the next run.

Staff are told per agency, not per dossier: in one run each officer and
supervisor gets one message per kind and agency, about the dossier itself
when it is alone, else a digest listing the most urgent `DIGEST_LISTED` and
the number of the others, with a link to the queue's tab. After a backlog
(the first run over a city's open dossiers, or a week without a worker) the
officer of a large ward would otherwise get one message per dossier: 25,000
at city size (bench/README.md). So the run collects every dossier of a kind
first, then acts per agency, one transaction each. Applicants' supplement
reminders stay one per dossier: each is about their own.

A supplement request starts a new round of the dossier (it is received again
later, with a new due date) and clears its alerts (`dossiers.services`). The
notifications' deduplication keys name the alert row, so the next round's
alerts, new rows, are not taken for repeats of the last round's.
"""

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from itertools import chain
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from citizens.constants import MembershipRole
from citizens.models import User
from dossiers.constants import AlertKind, Channel, DossierState
from dossiers.models import DeadlineAlert, Dossier
from notifications import services as notification_services
from notifications.constants import MessageKind
from procedures.calendar import WorkingCalendar
from procedures.models import Agency

BATCH_SIZE = 1000
# Dossiers a digest lists by name; the others are counted.
DIGEST_LISTED = 10

# The state a dossier must still be in when its alert is written.
ALERT_STATE = {
    AlertKind.DUE_SOON: DossierState.RECEIVED,
    AlertKind.OVERDUE: DossierState.RECEIVED,
    AlertKind.NOT_RECEIVED: DossierState.SUBMITTED,
    AlertKind.SUPPLEMENT_REMINDER: DossierState.SUPPLEMENT_REQUESTED,
}
# The queue tab a digest links to, and the order it lists dossiers in.
DIGEST_TAB = {
    AlertKind.DUE_SOON: (DossierState.RECEIVED, "due_at"),
    AlertKind.OVERDUE: (DossierState.RECEIVED, "due_at"),
    AlertKind.NOT_RECEIVED: (DossierState.SUBMITTED, "sort_at"),
}
NOTIFICATION_KIND = {
    AlertKind.DUE_SOON: MessageKind.ALERT_DUE_SOON,
    AlertKind.OVERDUE: MessageKind.ALERT_OVERDUE,
    AlertKind.NOT_RECEIVED: MessageKind.ALERT_NOT_RECEIVED,
    AlertKind.SUPPLEMENT_REMINDER: MessageKind.SUPPLEMENT_REMINDER,
}


# --------------------------------------------------------------------------
# Collect
# --------------------------------------------------------------------------


def _alerted(kind: str) -> Exists:
    return Exists(DeadlineAlert.objects.filter(dossier=OuterRef("pk"), kind=kind))


def _in_batches(queryset: QuerySet, *, order: str, batch_size: int) -> Iterator[list[int]]:
    """Yield the queryset's ids in batches, by keyset on (`order`, id), never OFFSET.

    The due-date kinds key on `due_at`, the second column of the
    (state, due_at) index they are read from: the index hands the rows over
    in that order, so a batch stops after its rows, and the planner is never
    tempted to walk the primary key hoping to meet enough matches early (the
    ORDER BY id LIMIT trap, costly when most overdue dossiers were alerted
    long ago). The redundant bound on `order` alone starts the scan at the
    cursor. The other kinds key on id within their state's slice of that
    index. Batches are read lazily: the caller acts on one before the next
    is read.
    """
    columns = ("id",) if order == "id" else (order, "id")
    last = None
    while True:
        page = queryset
        if last is not None and order == "id":
            page = page.filter(id__gt=last[-1])
        elif last is not None:
            value, pk = last
            page = page.filter(
                Q(**{f"{order}__gt": value}) | Q(**{order: value, "id__gt": pk}),
                **{f"{order}__gte": value},
            )
        rows = list(page.order_by(*columns).values_list(*columns)[:batch_size])
        if rows:
            yield [row[-1] for row in rows]
        if len(rows) < batch_size:
            return
        last = rows[-1]


def due_soon_ids(
    now: datetime, *, calendar: WorkingCalendar | None = None, batch_size: int = BATCH_SIZE
) -> Iterator[list[int]]:
    """Received dossiers due from now to `DEADLINE_ALERT_WORKING_HOURS` working hours on."""
    calendar = calendar or WorkingCalendar()
    until = calendar.add_working_hours(now, settings.DEADLINE_ALERT_WORKING_HOURS)
    queryset = Dossier.objects.filter(
        ~_alerted(AlertKind.DUE_SOON),
        state=DossierState.RECEIVED,
        due_at__gte=now,
        due_at__lte=until,
    )
    return _in_batches(queryset, order="due_at", batch_size=batch_size)


def overdue_ids(now: datetime, *, batch_size: int = BATCH_SIZE) -> Iterator[list[int]]:
    """Received dossiers whose due date has passed."""
    queryset = Dossier.objects.filter(
        ~_alerted(AlertKind.OVERDUE), state=DossierState.RECEIVED, due_at__lt=now
    )
    return _in_batches(queryset, order="due_at", batch_size=batch_size)


def not_received_ids(
    now: datetime, *, calendar: WorkingCalendar | None = None, batch_size: int = BATCH_SIZE
) -> Iterator[list[int]]:
    """Online dossiers submitted at least `RECEPTION_ALERT_WORKING_HOURS` working hours ago.

    The waiting time is office time: a dossier filed on Friday at 16:30 has
    waited one working hour on Saturday, and four on Monday at 10:30.
    Submitted dossiers are read through the partial index `dossier_waiting_reception`.
    """
    calendar = calendar or WorkingCalendar()
    submitted_before = calendar.subtract_working_hours(now, settings.RECEPTION_ALERT_WORKING_HOURS)
    queryset = Dossier.objects.filter(
        ~_alerted(AlertKind.NOT_RECEIVED),
        state=DossierState.SUBMITTED,
        channel=Channel.ONLINE,
        # For a submitted dossier `sort_at` is when it entered "submitted":
        # its submission, or its resubmission after a supplement, which starts
        # reception again. Keyed on it, the partial index of submitted
        # dossiers hands over the oldest waiting first, and a batch stops
        # after its rows.
        sort_at__lte=submitted_before,
    )
    return _in_batches(queryset, order="sort_at", batch_size=batch_size)


def supplement_reminder_ids(
    now: datetime, *, calendar: WorkingCalendar | None = None, batch_size: int = BATCH_SIZE
) -> Iterator[list[int]]:
    """Dossiers waiting for a supplement due within `SUPPLEMENT_REMINDER_WORKING_DAYS`.

    A deadline already past gets no reminder: it would remind of nothing.
    """
    calendar = calendar or WorkingCalendar()
    until = calendar.add_working_days(now, settings.SUPPLEMENT_REMINDER_WORKING_DAYS)
    queryset = Dossier.objects.filter(
        ~_alerted(AlertKind.SUPPLEMENT_REMINDER),
        state=DossierState.SUPPLEMENT_REQUESTED,
        supplement_due_at__gt=now,
        supplement_due_at__lte=until,
    )
    return _in_batches(queryset, order="id", batch_size=batch_size)


# --------------------------------------------------------------------------
# Act
# --------------------------------------------------------------------------


def alert_recipients(agency: Agency) -> list[User]:
    """The agency's officers, and the supervisors of the agency or of any agency above it."""
    supervised = [agency.pk, *(ancestor.pk for ancestor in agency.ancestors())]
    return list(
        User.objects.filter(is_active=True)
        .filter(
            Q(memberships__agency=agency, memberships__role=MembershipRole.OFFICER)
            | Q(memberships__agency__in=supervised, memberships__role=MembershipRole.SUPERVISOR)
        )
        .distinct()
        .order_by("pk")
    )


class _RecipientsByAgency(dict):
    """Recipients per agency id, looked up once per run."""

    def of(self, agency: Agency) -> list[User]:
        if agency.pk not in self:
            self[agency.pk] = alert_recipients(agency)
        return self[agency.pk]


def _insert_alerts(kind: str, dossier_ids: list[int]) -> dict[int, int]:
    """Write the alerts not written yet; return {dossier id: alert id} of those written.

    Raw SQL because the ORM's `bulk_create(ignore_conflicts=True)` does not
    say which rows it inserted. The dossier must still be in the kind's state:
    one received since it was collected needs no "not received" alert.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {DeadlineAlert._meta.db_table} (dossier_id, kind, created_at) "
            f"SELECT id, %s, %s FROM {Dossier._meta.db_table} "
            "WHERE id = ANY(%s) AND state = %s "
            "ON CONFLICT (dossier_id, kind) DO NOTHING "
            "RETURNING dossier_id, id",
            [kind, timezone.now(), list(dossier_ids), ALERT_STATE[kind]],
        )
        return dict(cursor.fetchall())


def alerts_send(kind: str, dossier_ids: list[int], *, recipients=None) -> int:
    """Alert the dossiers not alerted yet of this kind; return how many.

    Staff kinds act per agency, one transaction each: its alert rows and one
    message to each of its officers and supervisors. Supplement reminders,
    one per applicant and dossier, go in one transaction.
    """
    if kind == AlertKind.SUPPLEMENT_REMINDER:
        with transaction.atomic():
            alerted = _insert_alerts(kind, dossier_ids)
            _remind_applicants(alerted)
        return len(alerted)
    recipients = recipients if recipients is not None else _RecipientsByAgency()
    sent = 0
    for ids in _by_agency(dossier_ids).values():
        with transaction.atomic():
            alerted = _insert_alerts(kind, ids)
            if alerted:
                _tell_staff(kind, alerted, recipients)
        sent += len(alerted)
    return sent


def _by_agency(dossier_ids: list[int]) -> dict[int, list[int]]:
    grouped: dict[int, list[int]] = defaultdict(list)
    for start in range(0, len(dossier_ids), BATCH_SIZE):
        rows = Dossier.objects.filter(pk__in=dossier_ids[start : start + BATCH_SIZE]).values_list(
            "agency_id", "pk"
        )
        for agency_id, pk in rows:
            grouped[agency_id].append(pk)
    return grouped


def _remind_applicants(alerted: dict[int, int]) -> None:
    dossiers = (
        Dossier.objects.filter(pk__in=list(alerted))
        .select_related("agency", "procedure", "applicant")
        .order_by("pk")
    )
    for dossier in dossiers:
        notification_services.notify(
            users=[dossier.applicant],
            kind=NOTIFICATION_KIND[AlertKind.SUPPLEMENT_REMINDER],
            context={"dossier": dossier, "supplement_due_at": dossier.supplement_due_at},
            link=reverse("dossiers:detail", args=[dossier.pk]),
            dedupe_key=f"alert:{AlertKind.SUPPLEMENT_REMINDER}:{dossier.pk}:{alerted[dossier.pk]}",
        )


def _tell_staff(kind: str, alerted: dict[int, int], recipients) -> None:
    """One message to each officer and supervisor of the agency of these dossiers."""
    state, order = DIGEST_TAB[kind]
    listed = list(
        Dossier.objects.filter(pk__in=list(alerted))
        .select_related("agency", "procedure")
        .order_by(order, "pk")[:DIGEST_LISTED]
    )
    agency = listed[0].agency
    users = recipients.of(agency)
    # Nobody to tell (an agency without officers) still uses up the alerts:
    # each is due once, not again whenever someone joins.
    if not users:
        return
    # Named after an alert row: a new round's alerts are new rows, so a new message.
    first_alert = min(alerted.values())
    if len(alerted) == 1:
        dossier = listed[0]
        context = {"dossier": dossier}
        link = reverse("dossiers:officer_detail", args=[dossier.pk])
        dedupe_key = f"alert:{kind}:{dossier.pk}:{first_alert}"
    else:
        context = {
            "agency": agency,
            "dossiers": listed,
            "count": len(alerted),
            "more": len(alerted) - len(listed),
        }
        link = f"{reverse('dossiers:queue')}?{urlencode({'agency': agency.pk, 'state': state})}"
        dedupe_key = f"alerts:{kind}:{agency.pk}:{first_alert}"
    notification_services.notify(
        users=users, kind=NOTIFICATION_KIND[kind], context=context, link=link, dedupe_key=dedupe_key
    )


# --------------------------------------------------------------------------
# The periodic runs
# --------------------------------------------------------------------------


def deadline_alerts_run(
    now: datetime | None = None, *, batch_size: int = BATCH_SIZE
) -> dict[str, int]:
    """Send the due-soon, overdue and not-received alerts due now; count them by kind."""
    now = now or timezone.now()
    calendar = WorkingCalendar()
    recipients = _RecipientsByAgency()
    collected = {
        AlertKind.DUE_SOON: due_soon_ids(now, calendar=calendar, batch_size=batch_size),
        AlertKind.OVERDUE: overdue_ids(now, batch_size=batch_size),
        AlertKind.NOT_RECEIVED: not_received_ids(now, calendar=calendar, batch_size=batch_size),
    }
    # Every dossier of a kind first, then alerts_send acts per agency: its
    # staff get one message for the run, however many dossiers.
    return {
        str(kind): alerts_send(kind, list(chain.from_iterable(batches)), recipients=recipients)
        for kind, batches in collected.items()
    }


def supplement_reminders_run(now: datetime | None = None, *, batch_size: int = BATCH_SIZE) -> int:
    """Remind the applicants whose supplement deadline is near; count them."""
    now = now or timezone.now()
    batches = supplement_reminder_ids(now, batch_size=batch_size)
    return sum(alerts_send(AlertKind.SUPPLEMENT_REMINDER, ids) for ids in batches)
