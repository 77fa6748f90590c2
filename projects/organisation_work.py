"""The work an organisation's representative oversees: the tasks dispatched to it or claimed for
its members, and the members it could send to take a place on a task."""

from __future__ import annotations

from dataclasses import dataclass

from projects import tasks
from projects.access import Actor
from projects.tables import Claim, OrganisationMember, Task
from projects.tasks import TaskRecord


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
