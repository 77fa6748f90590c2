"""Triage (分流): staff grade a need A, B or C, each with its deadline, or escalate it to the
street and then the district ("small things stay in the grid, big things in the community,
major things in the street"). B and C needs get progress reports."""

from __future__ import annotations

from datetime import datetime

from projects import errors
from projects.access import Actor
from projects.areas import get_area
from projects.db import atomic
from projects.errors import N_
from projects.needs import NeedRecord, deadline_after, locked, view_need
from projects.rules import needs as need_rules
from projects.rules.needs import TRIAGEABLE
from projects.states import load, move, require_state, text, trace
from projects.tables import GRADES, Grade, Need, Project, ProjectNeed, Task

__all__ = ["TRIAGEABLE"]


async def triage_need(actor: Actor, need_id: int, *, grade: str, now: datetime) -> NeedRecord:
    """Grade a need (or re-grade it before work starts); its deadline follows the grade."""
    if grade not in GRADES:
        raise errors.Invalid(N_("The grade is A, B or C."), field="grade")
    async with atomic():
        row, _ = await locked(actor, need_id, need_rules.triage)
        await move(
            Need,
            "need",
            row,
            "triaged",
            "triage",
            actor=actor.member_id,
            now=now,
            why=grade,
            grade=grade,
            deadline=await deadline_after(grade, now),
            overdue=False,
            handled_by=actor.member_id,
        )
    return await view_need(actor, need_id)


async def escalate(row: dict, *, actor: int | None, now: datetime, why: str, overdue: bool = False) -> dict:
    """Hand the need to the parent of the area handling it; it waits for triage there.
    Call inside a transaction with the need locked."""
    handling = await get_area(row["handling_area"])
    if handling.parent is None or handling.level == "district":
        raise errors.TopOfTree()
    return await move(
        Need,
        "need",
        row,
        "new",
        "escalate",
        actor=actor,
        now=now,
        why=why,
        handling_area=handling.parent,
        grade=None,
        escalations=row["escalations"] + 1,
        deadline=await deadline_after("new", now),
        overdue=overdue,
    )


async def escalate_need(actor: Actor, need_id: int, *, reason: str = "", now: datetime) -> NeedRecord:
    """Beyond the community's authority: the street decides, then the district."""
    reason = text(reason, 500, N_("reason"))
    async with atomic():
        row, _ = await locked(actor, need_id, need_rules.escalate)
        await escalate(row, actor=actor.member_id, now=now, why=reason)
    return await view_need(actor, need_id)


async def report_progress(actor: Actor, need_id: int, *, note: str, now: datetime) -> NeedRecord:
    """B needs report progress until done; C needs report periodically on their plan."""
    note = text(note, 2000, N_("progress report"), field="note", required=True)
    async with atomic():
        row, _ = await locked(actor, need_id, need_rules.progress)
        # C is periodic work: each report starts the next period.
        period = {"deadline": await deadline_after("C", now), "overdue": False} if row["grade"] == "C" else {}
        await trace(Need, "need", row, "progress", actor=actor.member_id, now=now, why=note, **period)
    return await view_need(actor, need_id)


async def start_work(need_id: int, *, actor: int, now: datetime, why: str) -> None:
    """A task or project now works on the need (inside the caller's transaction)."""
    row = await load(Need, "need", need_id)
    require_state(row, "need", ("triaged", "in_progress"), N_("dispatch"))
    if row["status"] == "triaged":
        await move(Need, "need", row, "in_progress", "dispatch", actor=actor, now=now, why=why)


LIVE_TASKS = ("offered", "declined", "open", "full")
LIVE_PROJECTS = ("published", "claimed")


async def finish_if_done(need_id: int, *, actor: int | None, now: datetime) -> None:
    """When no task or service project still works on the need, it is done if some of that
    work was done, or back to triaged (to be planned again) if it was all called off.
    Call inside the caller's transaction."""
    # Lock the need first: a task being created for it meanwhile waits, and is counted after.
    row = await load(Need, "need", need_id)
    if row["status"] != "in_progress":
        return
    tasks = await Task.count().where((Task.need == need_id) & Task.status.is_in(list(LIVE_TASKS)))
    linked = ProjectNeed.select(ProjectNeed.project).where(ProjectNeed.need == need_id)
    projects = await Project.count().where(
        Project.id.is_in(linked) & Project.status.is_in(list(LIVE_PROJECTS))
    )
    if tasks or projects:
        return
    done = await Task.exists().where(
        (Task.need == need_id) & (Task.status == "done")
    ) or await Project.exists().where(Project.id.is_in(linked) & (Project.status == "completed"))
    if done:
        await move(Need, "need", row, "done", "complete", actor=actor, now=now, overdue=False)
    else:  # all of it was called off: to be planned again, with a fresh deadline for its grade
        deadline = await deadline_after(row["grade"], now)
        await move(Need, "need", row, "triaged", "reopen", actor=actor, now=now, deadline=deadline)


async def grade_deadlines() -> dict[str, int]:
    """Hours allowed per grade ("new": for triage itself)."""
    return {row["grade"]: row["deadline_hours"] for row in await Grade.select()}


async def set_grade_deadline(actor: Actor, grade: str, *, hours: int) -> dict[str, int]:
    """Admins set how long each grade may take; needs graded from now on get the new deadline."""
    actor.require(actor.is_admin)
    if grade not in ("new", *GRADES):
        raise errors.Invalid(N_("The grade is new, A, B or C."))
    if not 1 <= hours <= 8784:
        raise errors.Invalid(N_("A deadline is 1 hour to a year."))
    await Grade.update({Grade.deadline_hours: hours}).where(Grade.grade == grade)
    return await grade_deadlines()
