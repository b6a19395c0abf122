"""The working-day calendar, on real Vietnamese dates.

Every expected value was worked out by hand from the 2026 calendar with the
default office hours (07:30-11:30, 13:30-17:30, Monday to Friday):
Tết 2026 is Mon 16 Feb (eve) to Fri 20 Feb; Hùng Kings' Day falls on
Sun 26 Apr and is observed on Mon 27 Apr; 30 Apr is a Thursday and 1 May a
Friday; National Day is Tue 1 and Wed 2 Sep, with Mon 31 Aug off in exchange
for Sat 22 Aug; 1 Jan 2027 is a Friday.
"""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from procedures.calendar import (
    VN_TZ,
    WorkingCalendarError,
    add_calendar_days,
    add_working_days,
    add_working_hours,
    due_at,
    is_office_time,
    is_working_day,
    next_office_moment,
    same_day_due,
    subtract_working_hours,
    working_hours_between,
)
from procedures.constants import CalendarExceptionKind, TimeUnit
from procedures.models import CalendarException, OfficeHours, Procedure

pytestmark = pytest.mark.django_db


def vn(year, month, day, hour=0, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=VN_TZ)


def procedure(processing_time, *, unit=TimeUnit.WORKING_DAYS, same_day=False, reduction=50):
    """An unsaved procedure: the calendar only reads its timing fields."""
    return Procedure(
        processing_time=processing_time,
        time_unit=unit,
        same_day=same_day,
        online_reduction_percent=reduction,
    )


def day_off(day):
    return CalendarException.objects.create(
        date=day, kind=CalendarExceptionKind.DAY_OFF, description="Extra day off"
    )


def make_up_day(day):
    return CalendarException.objects.create(
        date=day, kind=CalendarExceptionKind.WORKING_DAY, description="Make-up working day"
    )


def office_hours(weekdays, *periods):
    OfficeHours.objects.bulk_create(
        OfficeHours(weekday=weekday, opens=time(*opens), closes=time(*closes))
        for weekday in weekdays
        for opens, closes in periods
    )


# Holidays from the package


@pytest.mark.parametrize(
    "day",
    [date(2026, 2, 16), date(2026, 2, 17), date(2026, 2, 18), date(2026, 2, 19), date(2026, 2, 20)],
)
def test_tet_2026_eve_and_first_four_days_are_not_working_days(day):
    assert not is_working_day(day)


def test_weekdays_around_tet_2026_are_working_days():
    assert is_working_day(date(2026, 2, 13))
    assert is_working_day(date(2026, 2, 23))


def test_one_working_day_from_friday_before_tet_ends_monday_after_tet():
    # Fri 13 Feb: 10:00-11:30 and 13:30-17:30 = 5.5 h; Mon 23 Feb 07:30 + 2.5 h.
    assert add_working_days(vn(2026, 2, 13, 10), 1) == vn(2026, 2, 23, 10)


def test_filing_during_tet_counts_from_the_first_morning_after_tet():
    # Tue 17 Feb is Tết: counting starts Mon 23 Feb 07:30, 8 h end at 17:30.
    assert add_working_days(vn(2026, 2, 17, 9), 1) == vn(2026, 2, 23, 17, 30)


def test_hung_kings_day_on_sunday_is_observed_on_monday():
    assert not is_working_day(date(2026, 4, 27))
    assert is_working_day(date(2026, 4, 28))


def test_three_working_days_skip_hung_kings_observed_day_and_30_4_and_1_5():
    # Fri 24 Apr 08:00-17:30 = 7.5 h; Mon 27 off; Tue 28 and Wed 29 = 16 h (23.5);
    # Thu 30 Apr, Fri 1 May and the weekend off; Mon 4 May 07:30 + 0.5 h.
    assert add_working_days(vn(2026, 4, 24, 8), 3) == vn(2026, 5, 4, 8)


def test_two_working_days_from_tuesday_before_30_4_end_monday_4_may():
    # Tue 28 Apr 14:00-17:30 = 3.5 h; Wed 29 = 8 h (11.5); Mon 4 May 4 h + 0.5 h.
    assert add_working_days(vn(2026, 4, 28, 14), 2) == vn(2026, 5, 4, 14)


def test_national_day_2026_and_its_substituted_monday_are_skipped():
    # Fri 28 Aug 14:00-17:30 = 3.5 h; Sat 29 to Wed 2 Sep off; Thu 3 Sep 4 h + 0.5 h.
    assert add_working_days(vn(2026, 8, 28, 14), 1) == vn(2026, 9, 3, 14)


def test_saturday_worked_in_exchange_for_31_august_2026_is_a_working_day():
    assert is_working_day(date(2026, 8, 22))


def test_new_years_day_2027_is_skipped_across_the_year_boundary():
    # Thu 31 Dec 14:00-17:30 = 3.5 h; Fri 1 Jan off; Mon 4 Jan 4 h + 0.5 h.
    assert add_working_days(vn(2026, 12, 31, 14), 1) == vn(2027, 1, 4, 14)


# Exceptions entered by administrators


def test_make_up_saturday_exception_counts_with_the_default_periods():
    make_up_day(date(2026, 2, 7))
    # Fri 6 Feb 16:00-17:30 = 1.5 h; Sat 7 Feb 07:30-11:30 = 4 h; 13:30 + 2.5 h.
    assert add_working_days(vn(2026, 2, 6, 16), 1) == vn(2026, 2, 7, 16)


def test_working_day_exception_overrides_a_public_holiday():
    make_up_day(date(2026, 4, 27))
    assert is_working_day(date(2026, 4, 27))


def test_extra_day_off_exception_is_skipped():
    day_off(date(2026, 2, 13))
    # Thu 12 Feb 16:00-17:30 = 1.5 h; Fri 13 off, weekend, Tết, weekend;
    # Mon 23 Feb 07:30-11:30 = 4 h; 13:30 + 2.5 h.
    assert add_working_days(vn(2026, 2, 12, 16), 1) == vn(2026, 2, 23, 16)


def test_extra_day_off_exception_overrides_a_packaged_make_up_saturday():
    day_off(date(2026, 8, 22))
    assert not is_working_day(date(2026, 8, 22))


# Office hours


def test_custom_office_hours_replace_the_defaults():
    office_hours(range(5), ((8, 0), (12, 0)), ((13, 0), (17, 0)))
    # Mon 5 Jan 2026 11:00-12:00 = 1 h; 13:00 + 2 h.
    assert add_working_hours(vn(2026, 1, 5, 11), 3) == vn(2026, 1, 5, 15)


def test_make_up_saturday_uses_mondays_custom_periods():
    office_hours(range(5), ((8, 0), (12, 0)), ((13, 0), (17, 0)))
    make_up_day(date(2026, 1, 10))
    # Fri 9 Jan 16:00-17:00 = 1 h; Sat 10 Jan 08:00 + 2 h.
    assert add_working_hours(vn(2026, 1, 9, 16), 3) == vn(2026, 1, 10, 10)


def test_saturday_office_hours_make_saturday_mornings_count():
    office_hours(range(5), ((7, 30), (11, 30)), ((13, 30), (17, 30)))
    office_hours([5], ((7, 30), (11, 30)))
    # Fri 8 May 16:30-17:30 = 1 h; Sat 9 May 07:30 + 2 h.
    assert add_working_hours(vn(2026, 5, 8, 16, 30), 3) == vn(2026, 5, 9, 9, 30)


def test_overlapping_office_hours_rows_are_not_counted_twice():
    office_hours([0], ((7, 30), (11, 30)), ((10, 0), (12, 0)))
    # Mon 5 Jan 2026: one merged period 07:30-12:00.
    assert working_hours_between(vn(2026, 1, 5, 7), vn(2026, 1, 5, 13)) == 4.5


# Counting office hours


def test_hours_ending_exactly_at_the_morning_close_return_that_close():
    assert add_working_hours(vn(2026, 5, 11, 7, 30), 4) == vn(2026, 5, 11, 11, 30)


def test_hours_ending_exactly_at_the_evening_close_return_that_close():
    assert add_working_hours(vn(2026, 5, 11, 13, 30), 4) == vn(2026, 5, 11, 17, 30)


def test_moment_in_the_lunch_break_rolls_forward_to_the_afternoon_opening():
    assert next_office_moment(vn(2026, 5, 11, 12, 15)) == vn(2026, 5, 11, 13, 30)


def test_moment_at_closing_time_rolls_forward_to_the_next_morning():
    assert next_office_moment(vn(2026, 5, 11, 17, 30)) == vn(2026, 5, 12, 7, 30)


def test_aware_input_in_another_timezone_is_converted_and_returned_in_vietnam_time():
    # 02:00 UTC is 09:00 in Vietnam; 09:00-11:30 = 2.5 h, then 13:30 + 1.5 h.
    result = add_working_hours(datetime(2026, 5, 11, 2, 0, tzinfo=UTC), 4)
    assert result == vn(2026, 5, 11, 15)
    assert result.utcoffset() == timedelta(hours=7)


def test_naive_input_is_refused():
    with pytest.raises(ValueError, match="naive"):
        add_working_hours(datetime(2026, 5, 11, 9, 0), 4)  # noqa: DTZ001


def test_negative_hours_are_refused():
    with pytest.raises(ValueError, match="negative"):
        add_working_hours(vn(2026, 5, 11, 9), -1)


def test_a_calendar_without_any_working_day_raises_instead_of_looping():
    CalendarException.objects.bulk_create(
        CalendarException(
            date=date(2026, 3, 1) + timedelta(days=offset),
            kind=CalendarExceptionKind.DAY_OFF,
            description="Misentered",
        )
        for offset in range(61)
    )
    with pytest.raises(WorkingCalendarError, match="No working day"):
        add_working_hours(vn(2026, 3, 1, 9), 1)


def test_a_computation_over_tet_reads_the_database_twice(django_assert_num_queries):
    # One query for the office hours, one for the exceptions of 2026-2027.
    with django_assert_num_queries(2):
        add_working_days(vn(2026, 2, 13, 10), 5)


# Same-day procedures


def test_same_day_dossier_received_before_15_00_is_due_at_that_days_close():
    assert same_day_due(vn(2026, 5, 6, 10)) == vn(2026, 5, 6, 17, 30)


def test_same_day_dossier_received_at_exactly_15_00_is_due_the_same_day():
    assert same_day_due(vn(2026, 5, 6, 15)) == vn(2026, 5, 6, 17, 30)


def test_same_day_dossier_received_after_15_00_is_due_at_the_next_working_days_close():
    assert same_day_due(vn(2026, 5, 6, 15, 30)) == vn(2026, 5, 7, 17, 30)


def test_same_day_dossier_received_after_15_00_before_30_4_is_due_monday_4_may():
    assert same_day_due(vn(2026, 4, 29, 16)) == vn(2026, 5, 4, 17, 30)


def test_same_day_dossier_received_at_night_is_due_the_next_working_day():
    assert same_day_due(vn(2026, 5, 6, 20)) == vn(2026, 5, 7, 17, 30)


def test_due_at_treats_a_same_day_procedure_with_the_cut_off():
    same_day = procedure(0, same_day=True)
    assert due_at(same_day, vn(2026, 5, 6, 15, 30), online=False) == vn(2026, 5, 7, 17, 30)


# Working-day procedures through due_at


def test_friday_afternoon_receipt_rolls_over_the_weekend():
    # Fri 8 May 15:00-17:30 = 2.5 h; Mon 11 May 07:30-11:30 = 4 h; 13:30 + 1.5 h.
    assert due_at(procedure(1), vn(2026, 5, 8, 15), online=False) == vn(2026, 5, 11, 15)


def test_online_filing_received_on_sunday_counts_from_monday_morning():
    # 2 days online at 50% = 8 h from Mon 11 May 07:30.
    assert due_at(procedure(2), vn(2026, 5, 10, 21), online=True) == vn(2026, 5, 11, 17, 30)


def test_online_reduction_of_half_makes_a_one_day_procedure_four_working_hours():
    # Mon 11 May 09:00-11:30 = 2.5 h; 13:30 + 1.5 h.
    assert due_at(procedure(1), vn(2026, 5, 11, 9), online=True) == vn(2026, 5, 11, 15)


def test_in_person_one_day_procedure_takes_eight_working_hours():
    # Mon 11 May 09:00-17:30 = 6.5 h; Tue 12 May 07:30 + 1.5 h.
    assert due_at(procedure(1), vn(2026, 5, 11, 9), online=False) == vn(2026, 5, 12, 9)


# Calendar-day procedures


def test_calendar_days_ending_on_30_4_move_to_the_close_of_the_next_working_day():
    # 15 days after Wed 15 Apr is Thu 30 Apr; Fri 1 May and the weekend are off.
    assert add_calendar_days(vn(2026, 4, 15, 10), 15) == vn(2026, 5, 4, 17, 30)


def test_calendar_days_ending_on_tet_eve_move_to_the_monday_after_tet():
    # 10 days after Fri 6 Feb is Mon 16 Feb (eve); Tết and the weekend follow.
    assert add_calendar_days(vn(2026, 2, 6, 10), 10) == vn(2026, 2, 23, 17, 30)


def test_calendar_days_ending_on_a_working_day_end_at_its_close():
    # 7 days after Wed 6 May is Wed 13 May.
    assert add_calendar_days(vn(2026, 5, 6, 10), 7) == vn(2026, 5, 13, 17, 30)


def test_calendar_days_ending_on_a_saturday_move_to_monday():
    # 3 days after Wed 6 May is Sat 9 May.
    assert add_calendar_days(vn(2026, 5, 6, 10), 3) == vn(2026, 5, 11, 17, 30)


def test_online_reduction_of_a_calendar_day_procedure_rounds_up_to_whole_days():
    # 3 days at 50% is 1.5, rounded up to 2: 2 days after Mon 11 May is Wed 13 May.
    three_days = procedure(3, unit=TimeUnit.CALENDAR_DAYS)
    assert due_at(three_days, vn(2026, 5, 11, 9), online=True) == vn(2026, 5, 13, 17, 30)


def test_calendar_day_procedure_received_on_a_holiday_counts_from_the_next_working_day():
    # Filed Thu 30 Apr, deemed received Mon 4 May; 5 days later is Sat 9 May -> Mon 11 May.
    five_days = procedure(5, unit=TimeUnit.CALENDAR_DAYS)
    assert due_at(five_days, vn(2026, 4, 30, 9), online=False) == vn(2026, 5, 11, 17, 30)


# Elapsed office hours


def test_working_hours_between_friday_afternoon_and_monday_morning_skip_the_weekend():
    # Fri 8 May 15:00-17:30 = 2.5 h; Mon 11 May 07:30-10:00 = 2.5 h.
    assert working_hours_between(vn(2026, 5, 8, 15), vn(2026, 5, 11, 10)) == 5.0


def test_working_hours_between_is_negative_when_the_end_comes_first():
    assert working_hours_between(vn(2026, 5, 11, 10), vn(2026, 5, 8, 15)) == -5.0


def test_working_hours_between_two_weekend_moments_is_zero():
    assert working_hours_between(vn(2026, 5, 9, 9), vn(2026, 5, 10, 17)) == 0.0


def test_working_hours_between_over_tet_count_only_the_days_around_it():
    # Fri 13 Feb 13:30-17:30 = 4 h; Mon 23 Feb 07:30-11:30 = 4 h.
    assert working_hours_between(vn(2026, 2, 13, 13, 30), vn(2026, 2, 23, 11, 30)) == 8.0


# Counting office hours back (the moment N working hours before)


def test_hours_back_within_one_morning_stay_in_that_morning():
    assert subtract_working_hours(vn(2026, 5, 11, 11), 2) == vn(2026, 5, 11, 9)


def test_hours_back_over_the_lunch_break_skip_it():
    # Mon 11 May 13:30-14:30 = 1 h; then 11:30 - 1 h.
    assert subtract_working_hours(vn(2026, 5, 11, 14, 30), 2) == vn(2026, 5, 11, 10, 30)


def test_hours_back_over_the_weekend_reach_friday_afternoon():
    # Mon 11 May 07:30-09:30 = 2 h; Fri 8 May 17:30 - 2 h.
    assert subtract_working_hours(vn(2026, 5, 11, 9, 30), 4) == vn(2026, 5, 8, 15, 30)


def test_hours_back_running_out_at_an_opening_end_at_that_opening():
    # Not Friday 17:30: everything filed over the weekend has waited 4 hours by 11:30.
    assert subtract_working_hours(vn(2026, 5, 11, 11, 30), 4) == vn(2026, 5, 11, 7, 30)


def test_hours_back_from_a_saturday_count_from_fridays_close():
    assert subtract_working_hours(vn(2026, 5, 9, 10), 4) == vn(2026, 5, 8, 13, 30)


def test_hours_back_over_tet_skip_the_holidays():
    # Mon 23 Feb 07:30-09:30 = 2 h; Fri 13 Feb 17:30 - 2 h (16-20 Feb is Tết).
    assert subtract_working_hours(vn(2026, 2, 23, 9, 30), 4) == vn(2026, 2, 13, 15, 30)


def test_hours_back_into_the_previous_year_skip_new_years_day():
    # Mon 4 Jan 2027 07:30-08:30 = 1 h; Fri 1 Jan is a holiday; Thu 31 Dec 17:30 - 1 h.
    assert subtract_working_hours(vn(2027, 1, 4, 8, 30), 2) == vn(2026, 12, 31, 16, 30)


def test_hours_back_respect_an_extra_day_off():
    day_off(date(2026, 5, 8))
    # Mon 11 May 07:30-09:30 = 2 h; Fri 8 May is off; Thu 7 May 17:30 - 2 h.
    assert subtract_working_hours(vn(2026, 5, 11, 9, 30), 4) == vn(2026, 5, 7, 15, 30)


def test_zero_hours_back_is_the_moment_itself():
    assert subtract_working_hours(vn(2026, 5, 9, 10), 0) == vn(2026, 5, 9, 10)


@pytest.mark.parametrize("hours", [1, 4, 8, 12.5, 40])
def test_hours_back_then_forward_return_to_an_office_moment(hours):
    end = vn(2026, 5, 13, 10, 15)
    start = subtract_working_hours(end, hours)
    assert add_working_hours(start, hours) == end
    assert working_hours_between(start, end) == hours


def test_negative_hours_back_are_refused():
    with pytest.raises(ValueError, match="negative"):
        subtract_working_hours(vn(2026, 5, 11, 9), -1)


def test_naive_input_back_is_refused():
    with pytest.raises(ValueError, match="naive"):
        subtract_working_hours(datetime(2026, 5, 11, 9, 0), 4)  # noqa: DTZ001


# Office time


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (vn(2026, 5, 11, 7, 30), True),
        (vn(2026, 5, 11, 17, 30), True),
        (vn(2026, 5, 11, 12, 0), False),
        (vn(2026, 5, 11, 18, 0), False),
        (vn(2026, 5, 9, 9, 0), False),
        (vn(2026, 9, 2, 9, 0), False),
    ],
)
def test_office_time_is_office_hours_of_a_working_day_closing_time_included(moment, expected):
    assert is_office_time(moment) is expected
