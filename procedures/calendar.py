"""The working-day calendar: when a dossier is due, and how much office time is left.

Deadlines of administrative procedures are counted in office time, in Vietnam's
time zone, skipping weekends, public holidays (the `holidays` package knows the
lunar ones and its substituted days), and the days administrators enter each
year in `CalendarException` (extra days off and make-up working days).

Rules this module settles, and why:

* A working day is `WORKING_DAY_HOURS` (8) office hours, the same unit
  `Procedure.processing_working_hours` uses, so "N working days" and the
  online reduction ("50% of 1 day" = 4 hours) share one arithmetic.
* A weekday is a working day when it has office hours. With an empty
  `OfficeHours` table the Vietnamese defaults apply (Monday to Friday,
  07:30-11:30 and 13:30-17:30), so a fresh install counts correctly; a city
  that adds Saturday-morning rows makes Saturday mornings count.
* A make-up working day on a weekday without office hours (a Saturday) uses
  Monday's periods, or the defaults: it replaces an ordinary weekday.
* A moment outside office hours (night, lunch, weekend, holiday) counts from
  the next period's opening, as the law deems a dossier filed then received
  at the next working moment.
* An amount of time that runs out exactly at a closing time ends at that
  closing time (17:30), never the next morning.
* Calendar-day periods follow the Civil Code 2015: the day of receipt is not
  counted (Art. 147) and the period ends at the end of its last day, or of the
  next working day when the last day is a day off (Art. 148). For an office,
  "the end of the day" is the close of its office hours.
* Everything is computed in Asia/Ho_Chi_Minh, not `settings.TIME_ZONE`,
  because office hours are Vietnamese local times wherever the server runs.
  Vietnam has no daylight saving time, so combining a date and a time is safe.

A `WorkingCalendar` reads the office hours once and the exceptions once per
pair of years it touches; the module-level functions build a fresh one per
call so an administrator's edits apply at once. Code computing many deadlines
in a batch can reuse one instance.
"""

import math
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cache, cached_property
from zoneinfo import ZoneInfo

import holidays
from django.utils import timezone

from procedures.constants import WORKING_DAY_HOURS, CalendarExceptionKind, TimeUnit
from procedures.models import CalendarException, OfficeHours, Procedure

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# A same-day dossier received after this time is due the next working day.
SAME_DAY_CUTOFF = time(15, 0)

# The usual hours of Vietnamese public offices: 8 hours, Monday to Friday.
DEFAULT_PERIODS = ((time(7, 30), time(11, 30)), (time(13, 30), time(17, 30)))
DEFAULT_WORKING_WEEKDAYS = range(5)

# The longest real break (Tết with its swaps and weekends) is about ten days;
# six weeks without a working day means the calendar is misconfigured.
MAX_CONSECUTIVE_DAYS_OFF = 42

Period = tuple[time, time]


class WorkingCalendarError(Exception):
    """The calendar has no working day in sight, so no deadline can be computed."""


def to_local(moment: datetime) -> datetime:
    """Convert an aware moment to Vietnam time; a naive one is ambiguous, so refuse it."""
    if timezone.is_naive(moment):
        raise ValueError(f"{moment!r} is naive: pass a timezone-aware datetime.")
    return moment.astimezone(VN_TZ)


def _as_timedelta(hours: int | float | Decimal) -> timedelta:
    if hours < 0:
        raise ValueError(f"Office hours to add must not be negative, got {hours}.")
    return timedelta(hours=float(hours))


def _merge_periods(periods: list[Period]) -> tuple[Period, ...]:
    """Merge overlapping rows so a misentered overlap is not counted twice."""
    merged: list[Period] = []
    for opens, closes in sorted(periods):
        if merged and opens <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], closes))
        else:
            merged.append((opens, closes))
    return tuple(merged)


@cache
def _statutory_days(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """Public holidays and the package's make-up weekend days, for one year.

    Cached for the process: the package's data only changes with a deploy,
    unlike the exceptions administrators edit, which are read every time.
    """
    calendar = holidays.country_holidays("VN", years=year)
    return frozenset(calendar), frozenset(calendar.weekend_workdays)


class WorkingCalendar:
    """Office periods day by day, from office hours, holidays and exceptions."""

    def __init__(self):
        self._loaded_years: set[int] = set()
        self._holidays: set[date] = set()
        self._make_up_days: set[date] = set()
        self._exceptions: dict[date, str] = {}

    @cached_property
    def _weekly_periods(self) -> dict[int, tuple[Period, ...]]:
        rows = OfficeHours.objects.values_list("weekday", "opens", "closes")
        by_weekday: dict[int, list[Period]] = defaultdict(list)
        for weekday, opens, closes in rows:
            by_weekday[weekday].append((opens, closes))
        if not by_weekday:
            return {weekday: DEFAULT_PERIODS for weekday in DEFAULT_WORKING_WEEKDAYS}
        return {weekday: _merge_periods(periods) for weekday, periods in by_weekday.items()}

    @property
    def _standard_periods(self) -> tuple[Period, ...]:
        return self._weekly_periods.get(0) or DEFAULT_PERIODS

    def _ensure_loaded(self, day: date) -> None:
        """Load the day's year and the next in one query: walks rarely go further.

        The next year is loaded too because the package records a swap under
        the year of the holiday, which can be the year after the worked day.
        """
        if day.year in self._loaded_years:
            return
        years = [year for year in (day.year, day.year + 1) if year not in self._loaded_years]
        for year in years:
            days_off, make_up_days = _statutory_days(year)
            self._holidays |= days_off
            self._make_up_days |= make_up_days
        rows = CalendarException.objects.filter(
            date__gte=date(years[0], 1, 1), date__lte=date(years[-1], 12, 31)
        ).values_list("date", "kind")
        self._exceptions.update(rows)
        self._loaded_years.update(years)

    def is_working_day(self, day: date) -> bool:
        """Administrators' exceptions win over the package, which wins over the week."""
        self._ensure_loaded(day)
        kind = self._exceptions.get(day)
        if kind is not None:
            return kind == CalendarExceptionKind.WORKING_DAY
        if day in self._holidays:
            return False
        if day in self._make_up_days:
            return True
        return bool(self._weekly_periods.get(day.weekday()))

    def periods_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The day's office periods as aware moments; none on a day off."""
        if not self.is_working_day(day):
            return []
        periods = self._weekly_periods.get(day.weekday()) or self._standard_periods
        return [
            (datetime.combine(day, opens, VN_TZ), datetime.combine(day, closes, VN_TZ))
            for opens, closes in periods
        ]

    def closing_time(self, day: date) -> datetime:
        """When the office closes on a working day: the end of that day for deadlines."""
        periods = self.periods_on(day)
        if not periods:
            raise ValueError(f"{day} is not a working day.")
        return periods[-1][1]

    def working_days_from(self, day: date, *, backwards: bool = False):
        """Yield working days from `day` on (or back); never walk an empty calendar forever."""
        step = timedelta(days=-1 if backwards else 1)
        days_off = 0
        while True:
            if self.is_working_day(day):
                days_off = 0
                yield day
            else:
                days_off += 1
                if days_off > MAX_CONSECUTIVE_DAYS_OFF:
                    raise WorkingCalendarError(
                        f"No working day in the {MAX_CONSECUTIVE_DAYS_OFF} days "
                        f"{'after' if backwards else 'before'} {day}: "
                        "check the office hours and the calendar exceptions."
                    )
            day += step

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        return next(self.working_days_from(day + timedelta(days=1)))

    def _periods_from(self, moment: datetime):
        """Yield the office time left from `moment` on, period by period."""
        for day in self.working_days_from(moment.date()):
            for opens, closes in self.periods_on(day):
                if closes > moment:
                    yield max(opens, moment), closes

    def add_working_hours(self, start: datetime, hours: int | float | Decimal) -> datetime:
        remaining = _as_timedelta(hours)
        for opens, closes in self._periods_from(to_local(start)):
            # `<=` so that time running out at a closing time ends there.
            if remaining <= closes - opens:
                return opens + remaining
            remaining -= closes - opens
        raise AssertionError("unreachable: _periods_from never ends")  # pragma: no cover

    def subtract_working_hours(self, end: datetime, hours: int | float | Decimal) -> datetime:
        """The latest moment from which `hours` of office time have passed by `end`.

        The mirror of `add_working_hours`: time running out exactly at an
        opening ends at that opening, not at the previous closing, so every
        moment of the night or weekend before it counts as "long enough ago"
        (a dossier filed on Saturday has waited 4 working hours at 11:30 on
        Monday). Zero hours give `end` itself.
        """
        remaining = _as_timedelta(hours)
        end = to_local(end)
        if not remaining:
            return end
        for day in self.working_days_from(end.date(), backwards=True):
            for opens, closes in reversed(self.periods_on(day)):
                if opens >= end:
                    continue
                available = min(closes, end) - opens
                if remaining <= available:
                    return min(closes, end) - remaining
                remaining -= available
        raise AssertionError("unreachable: working_days_from never ends")  # pragma: no cover

    def is_office_time(self, moment: datetime) -> bool:
        """Whether the office is open at `moment`; its closing time counts, as for due dates."""
        local = to_local(moment)
        return any(opens <= local <= closes for opens, closes in self.periods_on(local.date()))

    def next_office_moment(self, moment: datetime) -> datetime:
        """The moment itself when the office is open, else the next opening."""
        return self.add_working_hours(moment, 0)

    def add_working_days(self, start: datetime, days: int | float | Decimal) -> datetime:
        return self.add_working_hours(start, Decimal(days) * WORKING_DAY_HOURS)

    def add_calendar_days(self, start: datetime, days: int) -> datetime:
        """Civil Code Art. 147-148: count from the next day; a last day off moves forward."""
        if days < 0:
            raise ValueError(f"Days to add must not be negative, got {days}.")
        received_on = self.next_office_moment(start).date()
        last_day = received_on + timedelta(days=days)
        return self.closing_time(next(self.working_days_from(last_day)))

    def same_day_due(self, received_at: datetime) -> datetime:
        """Close of the day of receipt, or of the next working day after the cut-off."""
        received = self.next_office_moment(received_at)
        day = received.date()
        if received.time() > SAME_DAY_CUTOFF:
            day = self.next_working_day(day)
        return self.closing_time(day)

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        """Office hours elapsed from start to end; negative when end comes first (overdue)."""
        start, end = to_local(start), to_local(end)
        if end < start:
            return -self.working_hours_between(end, start)
        elapsed = timedelta()
        day = start.date()
        while day <= end.date():
            for opens, closes in self.periods_on(day):
                overlap = min(closes, end) - max(opens, start)
                elapsed += max(overlap, timedelta())
            day += timedelta(days=1)
        return elapsed / timedelta(hours=1)

    def due_at(self, procedure: Procedure, received_at: datetime, *, online: bool) -> datetime:
        """The deadline of a dossier of `procedure` received at `received_at`.

        A time of zero, or one an online reduction brings to zero, is a
        same-day procedure: due today, not at the moment of receipt.
        """
        if procedure.same_day or procedure.processing_time == 0:
            return self.same_day_due(received_at)
        if procedure.time_unit == TimeUnit.CALENDAR_DAYS:
            days = _calendar_days(procedure, online=online)
            if days == 0:
                return self.same_day_due(received_at)
            return self.add_calendar_days(received_at, days)
        hours = procedure.processing_working_hours(online=online)
        if hours == 0:
            return self.same_day_due(received_at)
        return self.add_working_hours(received_at, hours)


def _calendar_days(procedure: Procedure, *, online: bool) -> int:
    """A reduced calendar-day time is rounded up: half of 3 days is 2, never 1."""
    if not online:
        return procedure.processing_time
    return math.ceil(procedure.online_processing_time())


def due_at(procedure: Procedure, received_at: datetime, *, online: bool) -> datetime:
    """The deadline of a dossier: the entry point for dossier reception."""
    return WorkingCalendar().due_at(procedure, received_at, online=online)


def add_working_hours(start: datetime, hours: int | float | Decimal) -> datetime:
    return WorkingCalendar().add_working_hours(start, hours)


def add_working_days(start: datetime, days: int | float | Decimal) -> datetime:
    return WorkingCalendar().add_working_days(start, days)


def subtract_working_hours(end: datetime, hours: int | float | Decimal) -> datetime:
    return WorkingCalendar().subtract_working_hours(end, hours)


def add_calendar_days(start: datetime, days: int) -> datetime:
    return WorkingCalendar().add_calendar_days(start, days)


def same_day_due(received_at: datetime) -> datetime:
    return WorkingCalendar().same_day_due(received_at)


def next_office_moment(moment: datetime) -> datetime:
    return WorkingCalendar().next_office_moment(moment)


def is_office_time(moment: datetime) -> bool:
    return WorkingCalendar().is_office_time(moment)


def is_working_day(day: date) -> bool:
    """Whether `day` counts; an aware datetime is judged by its Vietnamese date."""
    if isinstance(day, datetime):
        day = to_local(day).date()
    return WorkingCalendar().is_working_day(day)


def working_hours_between(start: datetime, end: datetime) -> float:
    return WorkingCalendar().working_hours_between(start, end)
