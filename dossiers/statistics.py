"""How agencies process dossiers, in figures: supervision, public statistics and open data.

Every figure the portal shows or publishes is computed here, so the
supervisor's dashboard, the public pages and the open-data API agree. The
indicators follow Decision 766/QĐ-TTg as far as the portal's own data allows:

* on-time rate: dossiers completed in the period with `closed_at <= due_at`,
  over dossiers completed in the period. A dossier completed after its
  `due_at` is late even when an apology set a new appointment, as the
  one-stop rules count it (see `Dossier.rescheduled_due_at`);
* average processing time: `closed_at - received_at` of the dossiers
  completed in the period, in calendar days (not working days: it is what the
  applicant waited);
* fully-online share: active procedures at the "toàn trình" service level over
  the active procedures of the agencies;
* online filing share: dossiers submitted online in the period over all
  dossiers submitted in the period;
* digital results share: completed dossiers whose procedure issues a result
  and which got a signed result in the store (`Result.source_reference` is
  "dossier:<code>"), over completed dossiers whose procedure issues a result;
* reused components share: documents taken from the citizen's wallet over all
  documents of the dossiers submitted in the period;
* satisfaction: the average rating (1 to 5) of the dossiers completed in the
  period.

Figures are counted in the database with one grouped query per kind (dossiers,
documents, procedures), per agency or per procedure; an agency's figures
include the agencies below it, summed over the agency tree in Python (per
agency, never per dossier). Periods are Vietnamese calendar days
(Asia/Ho_Chi_Minh), whatever the server's time zone.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    Count,
    DateField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Concat, Trunc
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext_lazy as _

from citizens.constants import MembershipRole
from citizens.models import User
from citizens.selectors import agencies_of
from dossiers.constants import Channel, DossierState
from dossiers.models import Dossier, DossierDocument, DossierRating
from procedures import calendar
from procedures.constants import AdministrativeLevel, ServiceLevel
from procedures.models import Agency, Procedure
from procedures.search import fold
from procedures.selectors import MAX_AGENCY_DEPTH, agency_subtree_ids
from results_store.models import Result

VN_TZ = calendar.VN_TZ

# How long the public pages and the open data keep their figures.
PUBLIC_CACHE_SECONDS = 10 * 60
OPEN_DATA_CACHE_SECONDS = 60 * 60
# Expired figures still served while one request computes the new ones, and
# how long that request may take before another one tries.
STALE_SECONDS = 24 * 60 * 60
COMPUTE_LOCK_SECONDS = 5 * 60
# Longest lists on the supervisor's dashboard.
DEADLINE_LIST_LIMIT = 50
RECENT_RATINGS_LIMIT = 10
# Periods up to this many days are charted by week, longer ones by month.
WEEKLY_TREND_MAX_DAYS = 92
# A custom period longer than this is refused: it would be charted over
# decades of months and scan the whole history for little use.
CUSTOM_PERIOD_MAX_DAYS = 5 * 366

_RESULT_PREFIX = "dossier:"
_CACHE_VERSION = "v4"


# --------------------------------------------------------------------------
# Periods
# --------------------------------------------------------------------------


class PeriodKind:
    THIS_MONTH = "month"
    LAST_30_DAYS = "30d"
    THIS_YEAR = "year"
    CUSTOM = "custom"
    LAST_12_MONTHS = "12m"
    YEAR = "y"


SUPERVISION_PERIODS = [
    (PeriodKind.THIS_MONTH, _("This month")),
    (PeriodKind.LAST_30_DAYS, _("Last 30 days")),
    (PeriodKind.THIS_YEAR, _("This year")),
    (PeriodKind.CUSTOM, _("Custom dates")),
]


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, VN_TZ)


def local_today(now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(VN_TZ).date()


@dataclass(frozen=True)
class Period:
    """Vietnamese calendar days from `first_day` to `last_day`, both included."""

    kind: str
    first_day: date
    last_day: date

    @property
    def start(self) -> datetime:
        return local_midnight(self.first_day)

    @property
    def end(self) -> datetime:
        """Exclusive: midnight after the last day."""
        return local_midnight(self.last_day + timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def monthly(self) -> bool:
        """Long periods are charted by month, short ones by week."""
        return self.days > WEEKLY_TREND_MAX_DAYS

    @property
    def key(self) -> str:
        return f"{self.first_day:%Y%m%d}-{self.last_day:%Y%m%d}"

    def q(self, field_name: str) -> Q:
        """`field_name` falls in the period."""
        return Q(**{f"{field_name}__gte": self.start, f"{field_name}__lt": self.end})


def period_this_month(today: date) -> Period:
    return Period(PeriodKind.THIS_MONTH, today.replace(day=1), today)


def period_last_30_days(today: date) -> Period:
    return Period(PeriodKind.LAST_30_DAYS, today - timedelta(days=29), today)


def period_this_year(today: date) -> Period:
    return Period(PeriodKind.THIS_YEAR, today.replace(month=1, day=1), today)


def period_last_12_months(today: date) -> Period:
    """The public pages' default: a year back from today, today included."""
    try:
        first = today.replace(year=today.year - 1) + timedelta(days=1)
    except ValueError:  # 29 February
        first = today.replace(year=today.year - 1, day=28) + timedelta(days=1)
    return Period(PeriodKind.LAST_12_MONTHS, first, today)


def period_year(year: int, today: date) -> Period:
    """A calendar year; the current one up to today."""
    last = min(date(year, 12, 31), today)
    return Period(PeriodKind.YEAR, date(year, 1, 1), last)


def period_custom(first_day: date, last_day: date) -> Period:
    if last_day < first_day:
        raise ValueError("The period ends before it starts.")
    if (last_day - first_day).days + 1 > CUSTOM_PERIOD_MAX_DAYS:
        raise ValueError("The period is too long.")
    return Period(PeriodKind.CUSTOM, first_day, last_day)


def supervision_period(kind: str, today: date) -> Period:
    if kind == PeriodKind.LAST_30_DAYS:
        return period_last_30_days(today)
    if kind == PeriodKind.THIS_YEAR:
        return period_this_year(today)
    return period_this_month(today)


# --------------------------------------------------------------------------
# Tallies: additive counts, and the indicators derived from them
# --------------------------------------------------------------------------


def _share(part: int, whole: int) -> float | None:
    """A percentage with one decimal; None when there is nothing to divide."""
    if not whole:
        return None
    return float((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP))


def _round1(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.1"), ROUND_HALF_UP))


@dataclass
class Tally:
    """Counts over a set of dossiers that add up across agencies.

    Averages are kept as sums and counts so that an agency's figures are the
    exact sum of its sub-agencies'. The procedure counts are the exception:
    the same procedure is offered by many wards, so they are set from
    distinct procedures, never summed.
    """

    # In the period.
    submitted: int = 0
    online: int = 0
    received: int = 0
    completed: int = 0
    late: int = 0
    rejected: int = 0
    processing_seconds: float = 0.0
    results_expected: int = 0
    results_digital: int = 0
    ratings: int = 0
    rating_points: int = 0
    documents: int = 0
    documents_reused: int = 0
    # Now, whatever the period.
    waiting: int = 0
    processing: int = 0
    supplement: int = 0
    overdue: int = 0
    # Distinct active procedures (not additive).
    procedures: int = 0
    procedures_full_online: int = 0

    _ADDITIVE = (
        "submitted",
        "online",
        "received",
        "completed",
        "late",
        "rejected",
        "processing_seconds",
        "results_expected",
        "results_digital",
        "ratings",
        "rating_points",
        "documents",
        "documents_reused",
        "waiting",
        "processing",
        "supplement",
        "overdue",
    )

    def add(self, other: Tally) -> None:
        for name in self._ADDITIVE:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def on_time(self) -> int:
        # A completed dossier without a due date cannot be late (Dossier.is_late).
        return self.completed - self.late

    @property
    def on_time_rate(self) -> float | None:
        return _share(self.on_time, self.completed)

    @property
    def average_processing_days(self) -> float | None:
        """Calendar days from reception to completion, one decimal."""
        if not self.completed:
            return None
        return _round1(Decimal(self.processing_seconds) / self.completed / 86400)

    @property
    def online_share(self) -> float | None:
        return _share(self.online, self.submitted)

    @property
    def full_online_share(self) -> float | None:
        return _share(self.procedures_full_online, self.procedures)

    @property
    def digital_results_share(self) -> float | None:
        return _share(self.results_digital, self.results_expected)

    @property
    def reused_share(self) -> float | None:
        return _share(self.documents_reused, self.documents)

    @property
    def satisfaction(self) -> float | None:
        """The average rating out of 5, one decimal."""
        if not self.ratings:
            return None
        return _round1(Decimal(self.rating_points) / self.ratings)

    @property
    def open_total(self) -> int:
        return self.waiting + self.processing + self.supplement

    def indicators(self) -> dict:
        """The published indicators and the counts behind them, for the open data."""
        return {
            "dossiers_submitted": self.submitted,
            "dossiers_online": self.online,
            "online_filing_share": self.online_share,
            "dossiers_completed": self.completed,
            "completed_on_time": self.on_time,
            "completed_late": self.late,
            "on_time_rate": self.on_time_rate,
            "average_processing_days": self.average_processing_days,
            "procedures_active": self.procedures,
            "procedures_full_online": self.procedures_full_online,
            "full_online_share": self.full_online_share,
            "results_expected": self.results_expected,
            "results_digital": self.results_digital,
            "digital_results_share": self.digital_results_share,
            "documents": self.documents,
            "documents_reused": self.documents_reused,
            "reused_documents_share": self.reused_share,
            "ratings": self.ratings,
            "satisfaction": self.satisfaction,
        }


INDICATOR_FIELDS = list(Tally().indicators())


# --------------------------------------------------------------------------
# The grouped queries
# --------------------------------------------------------------------------


def _filed_dossiers(*, agency_ids: Iterable[int] | None, procedure_id: int | None):
    qs = Dossier.objects.exclude(state=DossierState.DRAFT)
    if agency_ids is not None:
        qs = qs.filter(agency_id__in=list(agency_ids))
    if procedure_id is not None:
        qs = qs.filter(procedure_id=procedure_id)
    return qs


def _dossier_aggregates(period: Period, now: datetime) -> dict:
    completed = Q(state=DossierState.COMPLETED) & period.q("closed_at")
    issues_result = Q(
        procedure_id__in=Procedure.objects.filter(result_types__isnull=False).values("pk")
    )
    # A correlated EXISTS answered by the index on Result.source_reference: an
    # `IN (all results)` list outgrows work_mem at city size (660,000 results
    # at a million dossiers) and PostgreSQL then rescans it for every dossier.
    has_result = Q(
        Exists(
            Result.objects.filter(source_reference=Concat(Value(_RESULT_PREFIX), OuterRef("code")))
        )
    )
    processing = ExpressionWrapper(F("closed_at") - F("received_at"), output_field=DurationField())
    return {
        "submitted": Count("id", filter=period.q("submitted_at")),
        "online": Count("id", filter=period.q("submitted_at") & Q(channel=Channel.ONLINE)),
        "received": Count("id", filter=period.q("received_at")),
        "completed": Count("id", filter=completed),
        "late": Count("id", filter=completed & Q(closed_at__gt=F("due_at"))),
        "rejected": Count("id", filter=Q(state=DossierState.REJECTED) & period.q("closed_at")),
        "processing_time": Sum(processing, filter=completed & Q(received_at__isnull=False)),
        "results_expected": Count("id", filter=completed & issues_result),
        "results_digital": Count("id", filter=completed & issues_result & has_result),
        "ratings": Count("rating", filter=completed),
        "rating_points": Sum("rating__score", filter=completed),
        "waiting": Count("id", filter=Q(state=DossierState.SUBMITTED)),
        "processing": Count("id", filter=Q(state=DossierState.RECEIVED)),
        "supplement": Count("id", filter=Q(state=DossierState.SUPPLEMENT_REQUESTED)),
        "overdue": Count("id", filter=Q(state=DossierState.RECEIVED, due_at__lt=now)),
    }


def _in_scope_now_or_period(period: Period) -> Q:
    """Rows any figure may count: open now, or filed, received or closed since the start."""
    return (
        Q(state__in=[DossierState.SUBMITTED, DossierState.RECEIVED])
        | Q(state=DossierState.SUPPLEMENT_REQUESTED)
        | Q(submitted_at__gte=period.start)
        | Q(received_at__gte=period.start)
        | Q(closed_at__gte=period.start)
    )


def _tally_from_row(row: dict) -> Tally:
    duration = row.get("processing_time")
    return Tally(
        submitted=row["submitted"],
        online=row["online"],
        received=row["received"],
        completed=row["completed"],
        late=row["late"],
        rejected=row["rejected"],
        processing_seconds=duration.total_seconds() if duration else 0.0,
        results_expected=row["results_expected"],
        results_digital=row["results_digital"],
        ratings=row["ratings"],
        rating_points=row["rating_points"] or 0,
        waiting=row["waiting"],
        processing=row["processing"],
        supplement=row["supplement"],
        overdue=row["overdue"],
    )


def dossier_tallies(
    period: Period,
    *,
    group_by: str,
    agency_ids: Iterable[int] | None = None,
    procedure_id: int | None = None,
    now: datetime | None = None,
) -> dict[int, Tally]:
    """Tallies per agency or per procedure ("agency_id" / "procedure_id"), in two queries."""
    now = now or timezone.now()
    agency_ids = list(agency_ids) if agency_ids is not None else None
    rows = (
        _filed_dossiers(agency_ids=agency_ids, procedure_id=procedure_id)
        .filter(_in_scope_now_or_period(period))
        .values(group_by)
        .annotate(**_dossier_aggregates(period, now))
        .order_by()
    )
    tallies: dict[int, Tally] = {row[group_by]: _tally_from_row(row) for row in rows}

    documents = DossierDocument.objects.filter(
        dossier__submitted_at__gte=period.start, dossier__submitted_at__lt=period.end
    ).exclude(dossier__state=DossierState.DRAFT)
    if agency_ids is not None:
        documents = documents.filter(dossier__agency_id__in=agency_ids)
    if procedure_id is not None:
        documents = documents.filter(dossier__procedure_id=procedure_id)
    document_rows = (
        documents.values(key=F(f"dossier__{group_by}"))
        .annotate(
            total=Count("id"),
            reused=Count("id", filter=Q(wallet_item__isnull=False)),
        )
        .order_by()
    )
    for row in document_rows:
        tally = tallies.setdefault(row["key"], Tally())
        tally.documents = row["total"]
        tally.documents_reused = row["reused"]
    return tallies


def procedure_offer(agency_ids: Iterable[int] | None = None) -> dict[int, dict[int, str]]:
    """Active procedures of each agency: {agency id: {procedure id: service level}}."""
    links = Procedure.agencies.through.objects.filter(procedure__is_active=True)
    if agency_ids is not None:
        links = links.filter(agency_id__in=list(agency_ids))
    offer: dict[int, dict[int, str]] = defaultdict(dict)
    for agency_id, procedure_id, level in links.values_list(
        "agency_id", "procedure_id", "procedure__service_level"
    ):
        offer[agency_id][procedure_id] = level
    return offer


def _set_procedures(tally: Tally, procedures: dict[int, str]) -> None:
    tally.procedures = len(procedures)
    tally.procedures_full_online = sum(
        1 for level in procedures.values() if level == ServiceLevel.FULL_ONLINE
    )


# --------------------------------------------------------------------------
# The agency tree
# --------------------------------------------------------------------------


_LEVEL_ORDER = {
    AdministrativeLevel.PROVINCE: 0,
    AdministrativeLevel.DISTRICT: 1,
    AdministrativeLevel.COMMUNE: 2,
}


def _agency_order(agency: Agency) -> tuple:
    """City-level agencies first, then alphabetical as people read it (accents folded)."""
    return (_LEVEL_ORDER.get(agency.level, 9), fold(agency.name), agency.pk)


class AgencyTree:
    """Every agency, loaded once, to walk subtrees and sum figures over them."""

    def __init__(self, agencies: Iterable[Agency] | None = None):
        agencies = list(agencies if agencies is not None else Agency.objects.all())
        self.by_id = {agency.pk: agency for agency in agencies}
        self.children: dict[int | None, list[Agency]] = defaultdict(list)
        for agency in sorted(agencies, key=_agency_order):
            parent = agency.parent_id if agency.parent_id in self.by_id else None
            self.children[parent].append(agency)
        self.child_ids = {
            parent: [child.pk for child in children] for parent, children in self.children.items()
        }

    def roots(self) -> list[Agency]:
        return self.children[None]

    def subtree_ids(self, agency_id: int) -> list[int]:
        """The agency and every agency below it."""
        return agency_subtree_ids([agency_id], self.child_ids)

    def ancestors(self, agency_id: int) -> list[Agency]:
        """From the root down to the agency's parent."""
        chain, node = [], self.by_id[agency_id]
        for _level in range(MAX_AGENCY_DEPTH):
            if node.parent_id is None or node.parent_id not in self.by_id:
                break
            node = self.by_id[node.parent_id]
            chain.append(node)
        return chain[::-1]

    def roll_up(
        self,
        agency_id: int,
        tallies: dict[int, Tally],
        offer: dict[int, dict[int, str]],
    ) -> Tally:
        """The agency's figures with the agencies below it."""
        total = Tally()
        procedures: dict[int, str] = {}
        for pk in self.subtree_ids(agency_id):
            if pk in tallies:
                total.add(tallies[pk])
            procedures.update(offer.get(pk, {}))
        _set_procedures(total, procedures)
        return total


@dataclass
class AgencyRow:
    """A line of a breakdown table: an agency with the agencies below it."""

    agency: Agency
    tally: Tally
    has_children: bool = False
    own_only: bool = False


def _total(tallies: dict[int, Tally], procedures: dict[int, str]) -> Tally:
    total = Tally()
    for tally in tallies.values():
        total.add(tally)
    _set_procedures(total, procedures)
    return total


def breakdown_rows(
    tree: AgencyTree,
    agency_id: int | None,
    tallies: dict[int, Tally],
    offer: dict[int, dict[int, str]],
) -> list[AgencyRow]:
    """One row per agency directly below `agency_id` (or per root), each with its subtree.

    The agency's own dossiers, when it has any, come first as a row of their own.
    """
    rows = []
    if agency_id is not None and (agency_id in tallies or offer.get(agency_id)):
        own = dataclasses.replace(tallies.get(agency_id, Tally()))
        _set_procedures(own, offer.get(agency_id, {}))
        rows.append(AgencyRow(tree.by_id[agency_id], own, own_only=True))
    for child in tree.children.get(agency_id, []):
        rows.append(
            AgencyRow(
                child,
                tree.roll_up(child.pk, tallies, offer),
                has_children=bool(tree.children.get(child.pk)),
            )
        )
    return rows


# --------------------------------------------------------------------------
# Trends
# --------------------------------------------------------------------------


@dataclass
class Trend:
    monthly: bool
    buckets: list[date]
    received: list[int]
    completed: list[int]
    on_time_rate: list[float | None]

    @property
    def labels(self) -> list[str]:
        return [format_date(day, "m/Y" if self.monthly else "d/m") for day in self.buckets]

    @property
    def rows(self) -> list[tuple]:
        return list(zip(self.labels, self.received, self.completed, self.on_time_rate, strict=True))


def _bucket_of(day: date, monthly: bool) -> date:
    if monthly:
        return day.replace(day=1)
    return day - timedelta(days=day.weekday())


def _buckets(period: Period) -> list[date]:
    buckets, day = [], _bucket_of(period.first_day, period.monthly)
    while day <= period.last_day:
        buckets.append(day)
        if period.monthly:
            day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        else:
            day += timedelta(days=7)
    return buckets


def trend(
    period: Period,
    *,
    agency_ids: Iterable[int] | None = None,
    procedure_id: int | None = None,
) -> Trend:
    """Dossiers received and completed, and the on-time rate, per week or month."""
    kind = "month" if period.monthly else "week"
    base = _filed_dossiers(
        agency_ids=list(agency_ids) if agency_ids is not None else None,
        procedure_id=procedure_id,
    )

    def bucket(field_name):
        return Trunc(field_name, kind, output_field=DateField(), tzinfo=VN_TZ)

    received = dict(
        base.filter(period.q("received_at"))
        .values_list(bucket("received_at"))
        .annotate(n=Count("id"))
        .order_by()
    )
    completed_rows = (
        base.filter(period.q("closed_at"), state=DossierState.COMPLETED)
        .annotate(bucket=bucket("closed_at"))
        .values("bucket")
        .annotate(n=Count("id"), late=Count("id", filter=Q(closed_at__gt=F("due_at"))))
        .order_by()
    )
    completed = {row["bucket"]: (row["n"], row["late"]) for row in completed_rows}
    buckets = _buckets(period)
    return Trend(
        monthly=period.monthly,
        buckets=buckets,
        received=[received.get(day, 0) for day in buckets],
        completed=[completed.get(day, (0, 0))[0] for day in buckets],
        on_time_rate=[
            _share(n - late, n) for n, late in (completed.get(day, (0, 0)) for day in buckets)
        ],
    )


# --------------------------------------------------------------------------
# Supervision
# --------------------------------------------------------------------------


def supervised_agencies(user: User, tree: AgencyTree | None = None) -> list[Agency]:
    """Agencies the user supervises and every agency below them, theirs first."""
    roots = sorted(agencies_of(user, roles=[MembershipRole.SUPERVISOR]), key=_agency_order)
    if not roots:
        return []
    tree = tree or AgencyTree()
    seen: dict[int, Agency] = {}
    for root in roots:
        for pk in tree.subtree_ids(root.pk):
            seen.setdefault(pk, tree.by_id[pk])
    root_ids = [root.pk for root in roots]
    below = sorted((a for pk, a in seen.items() if pk not in root_ids), key=_agency_order)
    return [seen[pk] for pk in root_ids] + below


@dataclass
class Dashboard:
    agency: Agency
    period: Period
    figures: Tally
    breakdown: list[AgencyRow]
    trend: Trend
    overdue: list[Dossier]
    overdue_count: int
    due_soon: list[Dossier]
    due_soon_count: int
    due_soon_before: datetime
    ratings: list[DossierRating] = field(default_factory=list)
    # The dashboard is live: its figures are those of the request.
    computed_at: datetime = field(default_factory=timezone.now)


def deadline_lists(agency_ids: list[int], now: datetime, *, limit: int = DEADLINE_LIST_LIMIT):
    """Received dossiers past their due date, and those due within the alert window.

    The window is DEADLINE_ALERT_WORKING_HOURS of office time from now, the
    same as the deadline alerts.
    """
    soon_before = calendar.add_working_hours(now, settings.DEADLINE_ALERT_WORKING_HOURS)
    received = Dossier.objects.filter(
        agency_id__in=agency_ids, state=DossierState.RECEIVED
    ).select_related("procedure", "agency")
    overdue = received.filter(due_at__lt=now).order_by("due_at", "id")
    due_soon = received.filter(due_at__gte=now, due_at__lte=soon_before).order_by("due_at", "id")
    return (
        list(overdue[:limit]),
        overdue.count(),
        list(due_soon[:limit]),
        due_soon.count(),
        soon_before,
    )


def recent_ratings(agency_ids: list[int], period: Period, *, limit=RECENT_RATINGS_LIMIT):
    """The latest ratings the period's satisfaction figure counts.

    A rating belongs to the period its dossier was completed in, as in the
    figure (and on the public pages), not to the day it was given: a dossier
    completed last month and rated today is last month's.
    """
    return list(
        DossierRating.objects.filter(
            dossier__agency_id__in=agency_ids, dossier__state=DossierState.COMPLETED
        )
        .filter(period.q("dossier__closed_at"))
        .select_related("dossier__agency", "dossier__procedure")
        .order_by("-created_at", "-id")[:limit]
    )


def supervision_dashboard(
    *, agency: Agency, period: Period, tree: AgencyTree, now: datetime | None = None
) -> Dashboard:
    """Everything the supervisor's page shows for an agency and the agencies below it."""
    now = now or timezone.now()
    ids = tree.subtree_ids(agency.pk)
    tallies = dossier_tallies(period, group_by="agency_id", agency_ids=ids, now=now)
    offer = procedure_offer(ids)
    procedures: dict[int, str] = {}
    for pk in ids:
        procedures.update(offer.get(pk, {}))
    overdue, overdue_count, due_soon, due_soon_count, soon_before = deadline_lists(ids, now)
    return Dashboard(
        agency=agency,
        period=period,
        figures=_total(tallies, procedures),
        breakdown=breakdown_rows(tree, agency.pk, tallies, offer)
        if tree.children.get(agency.pk)
        else [],
        trend=trend(period, agency_ids=ids),
        overdue=overdue,
        overdue_count=overdue_count,
        due_soon=due_soon,
        due_soon_count=due_soon_count,
        due_soon_before=soon_before,
        ratings=recent_ratings(ids, period),
        computed_at=now,
    )


# --------------------------------------------------------------------------
# Public statistics (cached)
# --------------------------------------------------------------------------


@dataclass
class ProcedureRow:
    procedure: Procedure
    tally: Tally


@dataclass
class PublicStatistics:
    """Figures of a public page: no dossier, no person, only counts."""

    period: Period
    figures: Tally
    trend: Trend
    agencies: list[AgencyRow] = field(default_factory=list)
    procedures: list[ProcedureRow] = field(default_factory=list)
    # Names this computation of the figures: the pages cache their rendered
    # HTML under it, so new figures never show in an old page.
    version: str = field(default_factory=lambda: uuid.uuid4().hex)
    # When they were counted: cached, they may be up to PUBLIC_CACHE_SECONDS
    # (or, while new ones are computed, STALE_SECONDS) older than the page,
    # so the pages say so next to them.
    computed_at: datetime = field(default_factory=timezone.now)


def _cached(key: str, compute, seconds: int = PUBLIC_CACHE_SECONDS):
    """The figures under `key`, computed at most every `seconds`, by one request at a time.

    At city size the city's figures take seconds to compute. When they
    expire, the first request computes them again while every other one is
    served the previous figures (kept for STALE_SECONDS), instead of all of
    them computing the same figures at once. Only a cold start, with nothing
    kept, makes concurrent requests compute.
    """
    key = f"statistics:{_CACHE_VERSION}:{key}"
    value = cache.get(key)
    if value is not None:
        return value
    stale = cache.get(f"{key}:stale")
    if stale is not None and not cache.add(f"{key}:computing", 1, COMPUTE_LOCK_SECONDS):
        return stale
    try:
        value = compute()
        cache.set(key, value, seconds)
        cache.set(f"{key}:stale", value, STALE_SECONDS)
    finally:
        cache.delete(f"{key}:computing")
    return value


def city_statistics(period: Period) -> PublicStatistics:
    """The whole city, with one row per agency at the top of the tree."""

    def compute():
        tree = AgencyTree(Agency.objects.filter(is_active=True))
        tallies = dossier_tallies(period, group_by="agency_id")
        offer = procedure_offer()
        procedures: dict[int, str] = {}
        for by_procedure in offer.values():
            procedures.update(by_procedure)
        roots = tree.roots()
        # A city has one root (its People's Committee): list what is under it.
        top = roots[0].pk if len(roots) == 1 else None
        return PublicStatistics(
            period=period,
            figures=_total(tallies, procedures),
            trend=trend(period),
            agencies=breakdown_rows(tree, top, tallies, offer),
        )

    return _cached(f"city:{period.key}", compute)


def agency_statistics(agency: Agency, period: Period) -> PublicStatistics:
    """An agency with the agencies below it, and its procedures.

    Agencies no longer active (wards merged away) stay in the tree: their
    dossiers were this agency's subtree's, and the supervisor's dashboard and
    the city page count them too.
    """

    def compute():
        tree = AgencyTree()
        ids = tree.subtree_ids(agency.pk)
        tallies = dossier_tallies(period, group_by="agency_id", agency_ids=ids)
        offer = procedure_offer(ids)
        procedures: dict[int, str] = {}
        for pk in ids:
            procedures.update(offer.get(pk, {}))
        by_procedure = dossier_tallies(period, group_by="procedure_id", agency_ids=ids)
        procedure_rows = [
            ProcedureRow(procedure, by_procedure.get(procedure.pk, Tally()))
            for procedure in Procedure.objects.filter(pk__in=list(procedures)).select_related(
                "field"
            )
        ]
        procedure_rows.sort(key=lambda row: (-row.tally.submitted, fold(row.procedure.name)))
        return PublicStatistics(
            period=period,
            figures=_total(tallies, procedures),
            trend=trend(period, agency_ids=ids),
            agencies=breakdown_rows(tree, agency.pk, tallies, offer)
            if tree.children.get(agency.pk)
            else [],
            procedures=procedure_rows,
        )

    return _cached(f"agency:{agency.pk}:{period.key}", compute)


def procedure_statistics(procedure: Procedure, period: Period) -> PublicStatistics:
    """A procedure across the city, with one row per agency that handles it."""

    def compute():
        tallies = dossier_tallies(period, group_by="agency_id", procedure_id=procedure.pk)
        agencies = {a.pk: a for a in procedure.agencies.filter(is_active=True)}
        agencies.update(
            {a.pk: a for a in Agency.objects.filter(pk__in=list(tallies)).exclude(pk__in=agencies)}
        )
        figures = _total(tallies, {procedure.pk: procedure.service_level})
        rows = []
        for agency in sorted(agencies.values(), key=_agency_order):
            tally = tallies.get(agency.pk, Tally())
            _set_procedures(tally, {procedure.pk: procedure.service_level})
            rows.append(AgencyRow(agency, tally))
        return PublicStatistics(
            period=period,
            figures=figures,
            trend=trend(period, procedure_id=procedure.pk),
            agencies=rows,
        )

    return _cached(f"procedure:{procedure.pk}:{period.key}", compute)


# --------------------------------------------------------------------------
# Open data
# --------------------------------------------------------------------------


def agency_indicators(year: int, *, today: date | None = None) -> list[dict]:
    """Every active agency's indicators for a year, with the agencies below it (cached)."""
    period = period_year(year, today or local_today())

    def compute():
        tree = AgencyTree(Agency.objects.filter(is_active=True))
        tallies = dossier_tallies(period, group_by="agency_id")
        offer = procedure_offer()
        rows = []
        for agency in sorted(tree.by_id.values(), key=lambda a: a.code):
            parent = tree.by_id.get(agency.parent_id)
            rows.append(
                {
                    "agency_code": agency.code,
                    "agency_name": agency.name,
                    "agency_name_en": agency.name_en,
                    "parent_code": parent.code if parent else None,
                    "level": agency.level,
                    "year": year,
                    "period_start": period.first_day.isoformat(),
                    "period_end": period.last_day.isoformat(),
                    **tree.roll_up(agency.pk, tallies, offer).indicators(),
                }
            )
        return rows

    return _cached(f"indicators:{period.key}", compute, OPEN_DATA_CACHE_SECONDS)


def procedure_catalog() -> QuerySet[Procedure]:
    """The active catalog, in code order, ready for the procedures dataset."""
    return (
        Procedure.objects.active()
        .select_related("field")
        .prefetch_related(
            Prefetch("agencies", queryset=Agency.objects.only("code").order_by("code"))
        )
        .order_by("code", "id")
    )


def agency_catalog() -> QuerySet[Agency]:
    return Agency.objects.filter(is_active=True).select_related("parent").order_by("code", "id")
