"""A volunteer's own work, for their pages: their claims, the work to come by day (with where to
go), how residents rated them, and the organisations and teams they belong to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from projects import claims, tasks
from projects.access import Actor
from projects.claims import ClaimRecord
from projects.organisations import OrganisationRecord
from projects.tables import Claim, OrganisationMember, Rating, Task
from projects.tasks import ZONE, TaskRecord

QUEUE = 100
ON_THE_JOB = ("claimed", "checked_in")  # work still to do (submitted work is done, waiting)


@dataclass(frozen=True, slots=True)
class ReceivedRating:
    score: int
    comment: str
    period: str
    task_title: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Membership:
    organisation: OrganisationRecord
    role: str  # representative or member


async def my_claims(actor: Actor) -> list[tuple[ClaimRecord, str]]:
    """My claims, newest first, with their task's title."""
    rows = (
        await Claim.select(*Claim.all_columns(), Claim.task.title.as_alias("task_title"))
        .where(Claim.member == actor.member_id)
        .order_by(Claim.id, ascending=False)
        .limit(200)
    )
    return [
        (ClaimRecord(**{k: v for k, v in row.items() if k != "task_title"}), row["task_title"])
        for row in rows
    ]


@dataclass(frozen=True, slots=True)
class WorkDay:
    """The work to do that starts on a day (China's), or that has no start time (``day`` None)."""

    day: date | None
    work: tuple[tuple[ClaimRecord, TaskRecord], ...]  # each claim with its task's work order


async def my_work(actor: Actor) -> list[WorkDay]:
    """My claims still to do (claimed or checked in), by the start of their task (those without
    one last), each with its task's where, whom to call and when, as I may know them."""
    rows = (
        await Claim.select()
        .where((Claim.member == actor.member_id) & Claim.status.is_in(list(ON_THE_JOB)))
        .order_by(Claim.id)
        .limit(QUEUE)
    )
    mine = await claims.records(actor, rows)
    found = await tasks.as_records(
        actor, await Task.select().where(Task.id.is_in([c.task for c in mine] or [-1]))
    )
    by_id = {task.id: task for task in found}
    items = sorted(
        ((claim, by_id[claim.task]) for claim in mine),
        key=lambda item: (item[1].starts_at is None, item[1].starts_at or item[0].created_at, item[0].id),
    )
    days: dict[date | None, list[tuple[ClaimRecord, TaskRecord]]] = {}
    for claim, task in items:
        day = task.starts_at.astimezone(ZONE).date() if task.starts_at else None
        days.setdefault(day, []).append((claim, task))
    return [WorkDay(day, tuple(found)) for day, found in days.items()]


async def ratings_received(actor: Actor) -> list[ReceivedRating]:
    """How residents rated my work (without who rated), newest first."""
    rows = (
        await Rating.select(
            Rating.score,
            Rating.comment,
            Rating.period,
            Rating.created_at,
            Rating.claim.task.title.as_alias("task_title"),
        )
        .where(Rating.performer == actor.member_id)
        .order_by(Rating.id, ascending=False)
        .limit(200)
    )
    return [ReceivedRating(**row) for row in rows]


async def memberships(actor: Actor) -> list[Membership]:
    """The organisations and volunteer teams I belong to."""
    rows = (
        await OrganisationMember.select(
            OrganisationMember.role,
            *OrganisationMember.organisation.all_columns(),
        )
        .where(OrganisationMember.member == actor.member_id)
        .order_by(OrganisationMember.organisation)
    )
    result = []
    for row in rows:
        fields = {key.removeprefix("organisation."): value for key, value in row.items() if key != "role"}
        result.append(Membership(OrganisationRecord(**fields), row["role"]))
    return result
