"""The deadline a grade allows from now: hours, or working days by China's calendar (the admin's
days for a year the calendar package does not know yet); and setting what each grade allows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from projects import errors
from projects.access import Actor
from projects.errors import N_
from projects.limits import DEADLINE_MAX_HOURS, DEADLINE_MAX_WORKING_DAYS
from projects.tables import GRADES, CalendarDay, Grade
from projects.workdays import Calendar

DEFAULT_HOURS = 24


@dataclass(frozen=True, slots=True)
class GradeDeadline:
    grade: str
    deadline_hours: int | None
    deadline_working_days: int | None


async def calendar(years: range) -> Calendar:
    """China's working days for ``years``, with the days an admin entered for them."""
    first, last = date(years.start, 1, 1), date(years.stop, 1, 1)
    rows = await CalendarDay.select().where((CalendarDay.day >= first) & (CalendarDay.day < last))
    entered = {_day(row["day"]): bool(row["working"]) for row in rows}
    return Calendar(entered, frozenset(day.year for day in entered))


def _day(value) -> date:
    """A DATE as the engine answers it (SQLite: ISO text)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


async def deadline_after(grade: str, now: datetime) -> datetime:
    """When a need graded ``grade`` now is due (``new``: when its triage is)."""
    row = await Grade.select().where(Grade.grade == grade).first()
    if row is None:
        return now + timedelta(hours=DEFAULT_HOURS)
    if row["deadline_hours"] is not None:
        return now + timedelta(hours=row["deadline_hours"])
    days = row["deadline_working_days"]
    # A year of working days is at most a little over a calendar year: two years cover it.
    due, _ = (await calendar(range(now.year, now.year + 3))).after_working_days(now, days)
    return due


async def known_years(years: set[int]) -> set[int]:
    """Which of ``years`` the working days are known for (else deadlines in them count
    weekdays only, and the desk says so)."""
    if not years:
        return set()
    found = await calendar(range(min(years), max(years) + 1))
    return {year for year in years if found.knows(year)}


async def grade_deadlines() -> list[GradeDeadline]:
    rows = await Grade.select().order_by(Grade.grade)
    return [GradeDeadline(**row) for row in rows]


async def set_grade_deadline(
    actor: Actor, grade: str, *, hours: int | None = None, working_days: int | None = None
) -> list[GradeDeadline]:
    """Admins set how long each grade may take, in hours or in working days (exactly one);
    needs graded from now on get the new deadline."""
    actor.require(actor.is_admin)
    if grade not in ("new", *GRADES):
        raise errors.Invalid(N_("The grade is new, A, B or C."), field="grade")
    if (hours is None) == (working_days is None):
        raise errors.Invalid(N_("Give the deadline in hours or in working days, not both."))
    if hours is not None and not 1 <= hours <= DEADLINE_MAX_HOURS:
        raise errors.Invalid(N_("A deadline is 1 hour to a year."), field="deadline_hours")
    if working_days is not None and not 1 <= working_days <= DEADLINE_MAX_WORKING_DAYS:
        raise errors.Invalid(
            N_("A deadline is 1 to {limit} working days."),
            field="deadline_working_days",
            limit=DEADLINE_MAX_WORKING_DAYS,
        )
    await Grade.update({Grade.deadline_hours: hours, Grade.deadline_working_days: working_days}).where(
        Grade.grade == grade
    )
    return await grade_deadlines()
