"""Working days in China: public holidays and their make-up working days (调休) count as they are.

A deadline in working days is the same clock time on the Nth working day after the start, in
China's time. Which days are worked comes from the ``chinese-calendar`` package for the years
up to the State Council's latest notice, then from the days an admin entered for a year it does
not know yet; a year neither knows falls back to Monday to Friday, and says so (``known``).
Pure: the admin's days are passed in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

from projects.limits import DEADLINE_MAX_WORKING_DAYS

ZONE = ZoneInfo("Asia/Shanghai")


def package_knows(year: int) -> bool:
    """Does the calendar package have the State Council's notice for ``year``?"""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class Calendar:
    """Which days are worked: the package's years, then ``entered`` (an admin's days, day ->
    worked) for the years in ``entered_years``, then weekdays."""

    entered: Mapping[date, bool]
    entered_years: frozenset[int]

    def knows(self, year: int) -> bool:
        return year in self.entered_years or package_knows(year)

    def is_working_day(self, day: date) -> bool:
        if day in self.entered:
            return self.entered[day]
        if package_knows(day.year) and day.year not in self.entered_years:
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5  # an entered year's other days, or an unknown year's

    def after_working_days(self, start: datetime, days: int) -> tuple[datetime, bool]:
        """The same clock time (China's) on the ``days``th working day after ``start``'s day,
        and whether every day counted was in a known year."""
        if not 1 <= days <= DEADLINE_MAX_WORKING_DAYS:
            raise ValueError(f"working days are 1 to {DEADLINE_MAX_WORKING_DAYS}")
        local = start.astimezone(ZONE)
        day, counted, known = local.date(), 0, True
        while counted < days:
            day += timedelta(days=1)
            known = known and self.knows(day.year)
            if self.is_working_day(day):
                counted += 1
        return datetime.combine(day, local.timetz()), known


WEEKDAYS = Calendar({}, frozenset())
