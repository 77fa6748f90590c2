"""Deadlines in working days: the same clock time on the Nth working day in China, with the
public holidays and their make-up working days (调休) as the State Council set them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from projects.workdays import WEEKDAYS, Calendar, package_knows

CHINA = ZoneInfo("Asia/Shanghai")


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=CHINA)


def test_the_spring_festival_week_is_skipped_and_its_saturday_make_up_day_counts():
    # Friday 13 February 2026; Saturday the 14th is worked; the 15th to the 23rd are holidays.
    due, known = WEEKDAYS.after_working_days(at(2026, 2, 13, 10, 0), 3)
    assert (due, known) == (at(2026, 2, 25, 10, 0), True)
    assert WEEKDAYS.after_working_days(at(2026, 2, 13, 10, 0), 1)[0] == at(2026, 2, 14, 10, 0)


def test_the_national_day_week_is_skipped_and_its_make_up_saturday_counts():
    start = at(2026, 9, 30, 16, 30)  # Wednesday; 1 to 7 October are holidays
    assert WEEKDAYS.after_working_days(start, 2)[0] == at(2026, 10, 9, 16, 30)
    assert WEEKDAYS.after_working_days(start, 3)[0] == at(2026, 10, 10, 16, 30)  # Saturday, worked


def test_the_day_counts_from_chinas_date_whatever_the_zone_given():
    start = datetime(2026, 2, 13, 20, 0, tzinfo=UTC)  # already Saturday the 14th, 04:00 in China
    assert WEEKDAYS.after_working_days(start, 1)[0] == at(2026, 2, 24, 4, 0)


def test_a_year_the_package_does_not_know_counts_weekdays_and_says_so():
    assert package_knows(2026) and not package_knows(2027)
    due, known = WEEKDAYS.after_working_days(at(2026, 12, 31, 9, 0), 2)
    assert (due, known) == (at(2027, 1, 4, 9, 0), False)  # 1 January 2027 counted as a Friday


def test_the_days_an_admin_entered_make_an_unknown_year_known():
    entered = Calendar({date(2027, 1, 1): False, date(2027, 1, 9): True}, frozenset({2027}))
    assert entered.knows(2027)
    due, known = entered.after_working_days(at(2026, 12, 31, 9, 0), 2)
    assert (due, known) == (at(2027, 1, 5, 9, 0), True)  # New Year's Day off
    assert entered.is_working_day(date(2027, 1, 9))  # a make-up Saturday
    assert not entered.is_working_day(date(2027, 1, 10))


@pytest.mark.parametrize("days", [0, -1, 251])
def test_working_days_are_bounded(days):
    with pytest.raises(ValueError):
        WEEKDAYS.after_working_days(at(2026, 3, 2, 9, 0), days)
