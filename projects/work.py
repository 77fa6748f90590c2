"""Read-only views of the loop that the pages need and the API does not: the work done for a
need, the leaders' and staff's desk (queues, work to confirm or settle), a volunteer's work to
come (by day, with where to go), ratings and teams, an organisation's tasks and projects. Who
may see what is checked here, as in the use cases they sit beside."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from projects import claims, tasks
from projects.access import MANAGERS, Actor
from projects.areas import under
from projects.claims import ClaimRecord
from projects.needs import NeedRecord
from projects.organisations import OrganisationRecord
from projects.tables import Claim, Member, Organisation, OrganisationMember, Rating, Task
from projects.tasks import TaskRecord

QUEUE = 100
ZONE = ZoneInfo("Asia/Shanghai")  # a day of work is a day in China
ON_THE_JOB = ("claimed", "checked_in")  # work still to do (submitted work is done, waiting)


@dataclass(frozen=True, slots=True)
class WorkItem:
    """A task and the claims on it that the viewer may see."""

    task: TaskRecord
    claims: tuple[ClaimRecord, ...]
    performers: dict[int, str]  # member id -> name, for the claims shown


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


def _managed(actor: Actor) -> list[str]:
    return [grant.path for grant in actor.grants if grant.role in MANAGERS]


def _any_under(column, paths: list[str]):
    clause = under(column, paths[0])
    for path in paths[1:]:
        clause = clause | under(column, path)
    return clause


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


async def organisation_tasks(actor: Actor, organisation_id: int) -> list[TaskRecord]:
    """Tasks dispatched to an organisation, or claimed for its members: for its representative."""
    actor.require(actor.represents(organisation_id))
    claimed = Claim.select(Claim.task).where(Claim.organisation == organisation_id)
    rows = (
        await Task.select()
        .where((Task.assignee_organisation == organisation_id) | Task.id.is_in(claimed))
        .order_by(Task.id, ascending=False)
        .limit(200)
    )
    return await tasks.records(actor, rows)


@dataclass(frozen=True, slots=True)
class Sendable:
    """A member an organisation's representative may send to a task."""

    organisation: int
    member: int
    name: str


async def members_to_send(actor: Actor, task_ids: list[int]) -> dict[int, list[Sendable]]:
    """For each task, the members of the organisations the actor represents who could take a
    place on it: not already holding one, and not the resident the work is for."""
    ours = actor.represented
    if not ours or not task_ids:
        return {}
    members = (
        await OrganisationMember.select(
            OrganisationMember.organisation, OrganisationMember.member, OrganisationMember.member.name
        )
        .where(OrganisationMember.organisation.is_in(ours))
        .order_by(OrganisationMember.organisation, OrganisationMember.member)
    )
    held = await Claim.select(Claim.task, Claim.member).where(
        Claim.task.is_in(task_ids) & Claim.status.not_in(["withdrawn", "cancelled"])
    )
    residents = await Task.select(Task.id, Task.need.resident.as_alias("resident")).where(
        Task.id.is_in(task_ids)
    )
    taken = {(row["task"], row["member"]) for row in held} | {
        (row["id"], row["resident"]) for row in residents if row["resident"] is not None
    }
    return {
        task: [
            Sendable(row["organisation"], row["member"], row["member.name"])
            for row in members
            if (task, row["member"]) not in taken
        ]
        for task in task_ids
    }


async def organisation_members(actor: Actor, organisation_id: int) -> list[tuple[int, str]]:
    """Who belongs to the organisation (id, name): its representative sends them to do tasks."""
    actor.require(actor.represents(organisation_id))
    rows = (
        await OrganisationMember.select(OrganisationMember.member, OrganisationMember.member.name)
        .where(OrganisationMember.organisation == organisation_id)
        .order_by(OrganisationMember.member)
    )
    return [(row["member"], row["member.name"]) for row in rows]


async def organisation_names(ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await Organisation.select(Organisation.id, Organisation.name).where(Organisation.id.is_in(ids))
    return {row["id"]: row["name"] for row in rows}


async def member_names(ids) -> dict[int, str]:
    """Names of the members who acted in a history the viewer may already see."""
    wanted = sorted({member for member in ids if member is not None})
    if not wanted:
        return {}
    rows = await Member.select(Member.id, Member.name).where(Member.id.is_in(wanted))
    return {row["id"]: row["name"] for row in rows}
