"""Triage (分流) by whoever holds a need: grade it A, B or C, each with its deadline; escalate it
(上报) a level up with a reason ("small things stay in the grid, big things in the community,
major things in the street"); hand it down (交办) to the community or grid below with a
deadline, which may return it (退回); report progress to the resident, with photos."""

from __future__ import annotations

from datetime import datetime

from projects import errors
from projects.access import Actor
from projects.areas import get_area
from projects.attachments import attach, kept_if_committed
from projects.db import atomic
from projects.deadlines import deadline_after
from projects.errors import N_
from projects.images import Photo
from projects.needs import NeedRecord, locked, view_need
from projects.rules import needs as need_rules
from projects.rules.needs import TRIAGEABLE
from projects.states import load, move, require_state, text, trace
from projects.supervision import answer_notices
from projects.tables import GRADES, Event, Need, Project, ProjectNeed, Task

__all__ = ["TRIAGEABLE"]

REASON_MAX_CHARS = 500
NOTE_MAX_CHARS = 2000


async def triage_need(actor: Actor, need_id: int, *, grade: str, now: datetime) -> NeedRecord:
    """Grade a need (or re-grade it before work starts); its deadline follows the grade, unless
    it was handed down with a deadline of its own."""
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
            deadline=row["deadline"] if row["handed_from"] else await deadline_after(grade, now),
            overdue=False,
            handled_by=actor.member_id,
        )
    return await view_need(actor, need_id)


async def escalate(row: dict, *, actor: int | None, now: datetime, why: str) -> dict:
    """Hand the need to the parent of the area holding it (上报); it waits for triage there.
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
        handed_from=None,
        grade=None,
        escalations=row["escalations"] + 1,
        deadline=await deadline_after("new", now),
        overdue=False,
        overdue_since=None,
    )


async def escalate_need(actor: Actor, need_id: int, *, reason: str, now: datetime) -> NeedRecord:
    """Beyond the holder's authority: a grid passes it to the community, a community to the
    street, a street to the district; deliberately, with a reason."""
    reason = text(reason, REASON_MAX_CHARS, N_("reason"), required=True)
    async with atomic():
        row, _ = await locked(actor, need_id, need_rules.escalate)
        await escalate(row, actor=actor.member_id, now=now, why=reason)
    return await view_need(actor, need_id)


async def hand_down(
    actor: Actor, need_id: int, *, area_id: int, note: str, deadline: datetime, now: datetime
) -> NeedRecord:
    """The holder hands the need down (交办) to the community or grid below it on the need's way,
    with instructions and a deadline of its own; that level may do it or return it."""
    note = text(note, NOTE_MAX_CHARS, N_("instructions"), field="note", required=True)
    if deadline <= now:
        raise errors.Invalid(N_("The deadline must be in the future."), field="deadline")
    async with atomic():
        row, facts = await locked(actor, need_id, need_rules.hand_down)
        target = await get_area(area_id)
        if target.path not in need_rules.targets(facts):
            raise errors.Invalid(N_("Hand it down to the need's own community or grid."), field="area_id")
        await move(
            Need,
            "need",
            row,
            "new",  # the level below triages and dispatches it, by the hand-down's deadline
            "hand_down",
            actor=actor.member_id,
            now=now,
            why=note,
            handling_area=target.id,
            handed_from=row["handling_area"],
            deadline=deadline,
            overdue=False,
            overdue_since=None,
        )
    return await view_need(actor, need_id)


async def return_need(actor: Actor, need_id: int, *, reason: str, now: datetime) -> NeedRecord:
    """The level a need was handed down to gives it back (退回) with a reason: the level that
    handed it down holds it again, to triage afresh."""
    reason = text(reason, REASON_MAX_CHARS, N_("reason"), required=True)
    async with atomic():
        row, _ = await locked(actor, need_id, need_rules.return_)
        await move(
            Need,
            "need",
            row,
            "new",
            "return",
            actor=actor.member_id,
            now=now,
            why=reason,
            handling_area=row["handed_from"],
            handed_from=None,
            grade=None,
            deadline=await deadline_after("new", now),
            overdue=False,
            overdue_since=None,
        )
    return await view_need(actor, need_id)


async def report_progress(
    actor: Actor, need_id: int, *, note: str, photos: list[Photo] | tuple[()] = (), now: datetime
) -> NeedRecord:
    """Progress reported to the resident, on any open need, with photos of it (re-encoded
    already). The holder's report answers the supervision notices still open; C needs report
    periodically, each report starting the next period."""
    note = text(note, NOTE_MAX_CHARS, N_("progress report"), field="note", required=True)
    async with kept_if_committed(), atomic():
        row, facts = await locked(actor, need_id, need_rules.progress)
        period = {"deadline": await deadline_after("C", now), "overdue": False} if row["grade"] == "C" else {}
        await trace(Need, "need", row, "progress", actor=actor.member_id, now=now, why=note, **period)
        if need_rules.holds(actor, facts):
            await answer_notices(need_id, actor=actor.member_id, now=now)
        if photos:
            report = await latest_report(need_id, actor.member_id)
            await attach(list(photos), uploaded_by=actor.member_id, need=need_id, report=report, now=now)
    return await view_need(actor, need_id)


async def latest_report(need_id: int, author: int) -> int | None:
    """The trace's number of the author's latest progress report on the need (its photos hang
    on it); None if they made none."""
    row = (
        await Event.select(Event.seq)
        .where(
            (Event.subject == "need")
            & (Event.subject_id == need_id)
            & (Event.action == "progress")
            & (Event.actor == author)
        )
        .order_by(Event.seq, ascending=False)
        .first()
    )
    return row["seq"] if row else None


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
