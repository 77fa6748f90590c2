"""The work done for a need, for its page: its tasks and the claims on them that the viewer may
see, with the names of those who hold them. Who may see what is checked here, as in the use
cases it sits beside."""

from __future__ import annotations

from dataclasses import dataclass

from projects import claims, tasks
from projects.access import Actor
from projects.claims import ClaimRecord
from projects.needs import NeedRecord
from projects.tables import Claim, Task
from projects.tasks import TaskRecord


@dataclass(frozen=True, slots=True)
class WorkItem:
    """A task and the claims on it that the viewer may see."""

    task: TaskRecord
    claims: tuple[ClaimRecord, ...]
    performers: dict[int, str]  # member id -> name, for the claims shown


async def need_work(actor: Actor, need: NeedRecord) -> list[WorkItem]:
    """The tasks for a need ``actor`` was shown (``view_need``) and their claims: for its
    resident (who confirms and rates) and for those who manage its area; neighbours who see a
    common need see its tasks only."""
    found = await tasks.records(actor, await Task.select().where(Task.need == need.id).order_by(Task.id))
    if not found:
        return []
    rows = (
        await Claim.select(*Claim.all_columns(), Claim.member.name.as_alias("member_name"))
        .where(Claim.task.is_in([task.id for task in found]))
        .order_by(Claim.id)
    )
    names = {row["member"]: row.pop("member_name") for row in rows}
    by_task: dict[int, list[ClaimRecord]] = {}
    for claim in await claims.records(actor, rows):
        by_task.setdefault(claim.task, []).append(claim)
    return [WorkItem(task, tuple(by_task.get(task.id, ())), names) for task in found]
