"""Quarters and years as a Chinese community lives them: a rating belongs to the quarter it was
made in, in China's time, and a quarter's figures are published once it has ended."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from projects import errors
from projects.errors import N_

ZONE = ZoneInfo("Asia/Shanghai")
QUARTER = re.compile(r"([0-9]{4})Q([1-4])")
FIRST_YEAR, LAST_YEAR = 2000, 2100  # what the databases' times hold comfortably


def quarter_of(moment: datetime) -> str:
    """The quarter ("2026Q4") that ``moment`` falls in, in China's time."""
    local = moment.astimezone(ZONE)
    return f"{local.year}Q{(local.month - 1) // 3 + 1}"


def check_quarter(period: str) -> str:
    """``period`` if it names a quarter ("2026Q4"), else ``Invalid``."""
    found = QUARTER.fullmatch(period or "")
    if found is None or not FIRST_YEAR <= int(found.group(1)) <= LAST_YEAR:
        raise errors.Invalid(N_("A quarter is written like 2026Q4."), field="period")
    return period


def check_year(year: int) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise errors.Invalid(N_("A year is from {low} to {high}."), low=FIRST_YEAR, high=LAST_YEAR)
    return year


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=ZONE)


def quarter_bounds(period: str) -> tuple[datetime, datetime]:
    """The half-open span [start, end) of a quarter, midnight to midnight in China's time."""
    year, number = int(check_quarter(period)[:4]), int(period[5])
    start = date(year, 3 * number - 2, 1)
    end = date(year + 1, 1, 1) if number == 4 else date(year, 3 * number + 1, 1)
    return _midnight(start), _midnight(end)


def year_bounds(year: int) -> tuple[datetime, datetime]:
    check_year(year)
    return _midnight(date(year, 1, 1)), _midnight(date(year + 1, 1, 1))


def quarters_of(year: int) -> list[str]:
    return [f"{check_year(year)}Q{number}" for number in range(1, 5)]


def day_start(day: date) -> datetime:
    """Midnight at the start of ``day`` in China's time (``from`` and ``to`` are such days)."""
    return _midnight(day)
