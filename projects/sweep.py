"""The deadline sweep (督办): overdue needs are flagged for supervision (never taken away from
their holder), supervision notices unanswered by their answer-by are flagged in turn, overdue
tasks expire or are flagged, overdue projects are flagged. ``linli sweep`` runs it; so does the
app, periodically.

Every item is checked again, locked, in its own transaction: several processes may sweep at
once, and one item that fails does not stop the rest.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from projects.db import atomic, for_update
from projects.states import load, move, trace
from projects.tables import Claim, Need, Notice, Project, Task
from projects.tasks import UNFINISHED_CLAIMS, after_task, close_if_finished
from projects.triage import LIVE_PROJECTS

logger = logging.getLogger(__name__)

BATCH = 500


@dataclass(frozen=True, slots=True)
class SweepResult:
    needs_flagged: int = 0
    notices_flagged: int = 0
    tasks_expired: int = 0
    tasks_flagged: int = 0
    tasks_completed: int = 0
    projects_flagged: int = 0


async def sweep(*, now: datetime) -> SweepResult:
    counts = dict.fromkeys(SweepResult.__dataclass_fields__, 0)
    due = (
        (Need, _need, Need.status.is_in(["new", "triaged", "in_progress"]) & (Need.deadline < now)
         & (Need.overdue == False)),  # noqa: E712
        (Task, _task, Task.status.is_in(["offered", "declined", "open", "full"]) & (Task.deadline < now)),
        (Project, _project, Project.status.is_in(list(LIVE_PROJECTS)) & (Project.deadline < now)
         & (Project.overdue == False)),  # noqa: E712 (a Piccolo expression)
        (Notice, _notice, Notice.answered_at.is_null() & (Notice.answer_by < now)
         & (Notice.overdue == False)),  # noqa: E712
    )  # fmt: skip
    for table, handle, clause in due:
        # Page by id through everything due: items already flagged stay due, and must never
        # hide the ones behind them.
        last = 0
        while True:
            query = table.select(table.id).where(clause & (table.id > last)).order_by(table.id).limit(BATCH)
            rows = await query
            for row in rows:
                await _each(handle, row["id"], now, counts)
            if len(rows) < BATCH:
                break
            last = rows[-1]["id"]
    return SweepResult(**counts)


async def _each(handle, item_id: int, now: datetime, counts: dict) -> None:
    try:
        async with atomic():
            outcome = await handle(item_id, now)
    except Exception:
        logger.exception(
            "deadline sweep: %s %s failed; it is tried again next time", handle.__name__, item_id
        )
        return
    if outcome:
        counts[outcome] += 1


async def _need(need_id: int, now: datetime) -> str | None:
    """An open need past its deadline is flagged, once, for the levels above its holder to
    supervise; the holder keeps it and every action on it."""
    row = await load(Need, "need", need_id)
    if (
        row["status"] not in ("new", "triaged", "in_progress")
        or row["deadline"] is None
        or row["deadline"] >= now
        or row["overdue"]
    ):
        return None
    await trace(
        Need,
        "need",
        row,
        "overdue",
        actor=None,
        now=now,
        overdue=True,
        overdue_since=now,
    )
    return "needs_flagged"


async def _notice(notice_id: int, now: datetime) -> str | None:
    """A supervision notice unanswered by its answer-by is overdue in turn (traced on its need)."""
    notice = await for_update(Notice.select().where(Notice.id == notice_id)).first()
    if notice is None or notice["answered_at"] is not None or notice["overdue"] or notice["answer_by"] >= now:
        return None
    need = await load(Need, "need", notice["need"])
    await Notice.update({Notice.overdue: True}).where(Notice.id == notice_id)
    await trace(Need, "need", need, "notice_overdue", actor=None, now=now, why=notice["note"])
    return "notices_flagged"


async def _task(task_id: int, now: datetime) -> str | None:
    task = await load(Task, "task", task_id)
    if task["status"] not in ("offered", "declined", "open", "full"):
        return None
    if task["deadline"] is None or task["deadline"] >= now:
        return None
    if task["status"] in ("offered", "declined") or task["claimed"] == 0:
        task = await move(Task, "task", task, "expired", "expire", actor=None, now=now)
        await after_task(task, actor=None, now=now)
        return "tasks_expired"
    unfinished = await Claim.exists().where(
        (Claim.task == task_id) & Claim.status.is_in(list(UNFINISHED_CLAIMS))
    )
    if not unfinished:
        await close_if_finished(task, actor=None, now=now, deadline_passed=True)
        return "tasks_completed"
    return await _flag(Task, "task", task, now)


async def _project(project_id: int, now: datetime) -> str | None:
    row = await load(Project, "project", project_id)
    if row["status"] not in LIVE_PROJECTS or row["deadline"] >= now:
        return None
    return await _flag(Project, "project", row, now)


async def _flag(table, subject: str, row: dict, now: datetime) -> str | None:
    """Flag an overdue item for supervision (督办), once."""
    if row["overdue"]:
        return None
    await trace(table, subject, row, "overdue", actor=None, now=now, overdue=True)
    return f"{subject}s_flagged"
