"""Residents registering themselves: a phone, a name, a password and the unit they live in. The
account is pending (it sees only that) until the unit's leader, its grid's leader or staff of
the community approve it (they know the household: the seeds' 坐地户); then it lives in the unit
as a resident. Every step is traced (``projects_member_event``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from projects import errors, events
from projects.access import Actor
from projects.area_path import GRID_DEPTH, AreaPath
from projects.areas import get_area, under
from projects.db import atomic, for_update
from projects.errors import N_
from projects.members import create_member
from projects.notification_tables import Registration
from projects.states import text
from projects.tables import Area, Member, Role

PAGE = 100


@dataclass(frozen=True, slots=True)
class RegistrationRecord:
    id: int
    member: int
    name: str
    phone: str
    unit: int
    unit_name: str
    status: str  # pending, approved, refused
    reason: str
    decided_at: datetime | None
    created_at: datetime


def _select():
    return Registration.select(
        Registration.id,
        Registration.member,
        Registration.member.name.as_alias("name"),
        Registration.member.phone.as_alias("phone"),
        Registration.unit,
        Registration.unit.name.as_alias("unit_name"),
        Registration.status,
        Registration.reason,
        Registration.decided_at,
        Registration.created_at,
    )


def may_approve(actor: Actor, unit_path: str) -> bool:
    """The unit's leader, its grid's leader, or staff over it (an admin too)."""
    if actor.is_admin or actor.is_staff(unit_path):
        return True
    grid_and_unit = {str(AreaPath.parse(unit_path).at(GRID_DEPTH)), unit_path}
    return any(grant.role == "leader" and grant.path in grid_and_unit for grant in actor.grants)


async def register_resident(
    *, phone: str, name: str, password: str, unit_id: int, now: datetime
) -> RegistrationRecord:
    """A new account, pending, living in ``unit_id`` once approved."""
    async with atomic():
        unit = await get_area(unit_id)
        if unit.level != "unit":
            raise errors.Invalid(N_("Choose the unit you live in."), field="unit_id")
        member = await create_member(phone, name, password=password, now=now)
        await Member.update({Member.pending: True}).where(Member.id == member.id)
        await Registration.insert(
            Registration(member=member.id, unit=unit.id, status="pending", created_at=now)
        )
        await events.record("member", member.id, "register", actor=member.id, now=now, to_state="pending")
    return await registration_of(member.id)


async def registration_of(member_id: int) -> RegistrationRecord:
    row = await _select().where(Registration.member == member_id).first()
    if row is None:
        raise errors.NotFound(thing=N_("registration"))
    return RegistrationRecord(**row)


async def waiting(actor: Actor, *, status: str = "pending") -> list[RegistrationRecord]:
    """The registrations this member may decide, oldest first (at most ``PAGE``)."""
    if status not in ("pending", "approved", "refused"):
        raise errors.Invalid(N_("Unknown list {name}."), field="status", name=status)
    query = _select().where(Registration.status == status).order_by(Registration.id).limit(PAGE)
    if not actor.is_admin:
        paths = [grant.path for grant in actor.grants if grant.role in ("leader", "staff")]
        if not paths:
            raise errors.NotAllowed()
        clause = None
        for path in paths:
            part = under(Registration.unit.path, path)
            clause = part if clause is None else clause | part
        query = query.where(clause)
    rows = await query
    paths = {
        row["id"]: row["path"]
        for row in await Area.select(Area.id, Area.path).where(
            Area.id.is_in([r["unit"] for r in rows] or [-1])
        )
    }
    return [RegistrationRecord(**row) for row in rows if may_approve(actor, paths[row["unit"]])]


async def _decidable(actor: Actor, registration_id: int) -> dict:
    row = await for_update(Registration.select().where(Registration.id == registration_id)).first()
    if row is None:
        raise errors.NotFound(thing=N_("registration"))
    unit = await get_area(row["unit"])
    if not may_approve(actor, unit.path):
        raise errors.NotFound(thing=N_("registration"))
    if row["status"] != "pending":
        raise errors.Conflict(N_("This registration has already been decided."))
    return row


async def approve(actor: Actor, registration_id: int, *, now: datetime) -> RegistrationRecord:
    """The member lives in the unit from now on, as a resident, and may order."""
    async with atomic():
        row = await _decidable(actor, registration_id)
        await Registration.update(
            {
                Registration.status: "approved",
                Registration.decided_by: actor.member_id,
                Registration.decided_at: now,
            }
        ).where(Registration.id == registration_id)
        await Member.update({Member.pending: False, Member.home_area: row["unit"]}).where(
            Member.id == row["member"]
        )
        await Role.insert(Role(member=row["member"], area=row["unit"], role="resident", created_at=now))
        await events.record(
            "member",
            row["member"],
            "approve",
            actor=actor.member_id,
            now=now,
            from_state="pending",
            to_state="active",
        )
    return await registration_of(row["member"])


async def refuse(actor: Actor, registration_id: int, *, reason: str, now: datetime) -> RegistrationRecord:
    """Nobody of that name lives there: the account stays pending, with the reason."""
    reason = text(reason, 500, N_("reason"), required=True)
    async with atomic():
        row = await _decidable(actor, registration_id)
        await Registration.update(
            {
                Registration.status: "refused",
                Registration.reason: reason,
                Registration.decided_by: actor.member_id,
                Registration.decided_at: now,
            }
        ).where(Registration.id == registration_id)
        await events.record(
            "member",
            row["member"],
            "refuse",
            actor=actor.member_id,
            now=now,
            from_state="pending",
            to_state="refused",
            reason=reason,
        )
    return await registration_of(row["member"])


async def units_of(community_id: int) -> list[tuple[str, list[tuple[int, str]]]]:
    """The community's units to choose from, by building: [(building name, [(unit id, name)])]."""
    community = await get_area(community_id)
    if community.level != "community":
        raise errors.NotFound(thing=N_("community"))
    rows = (
        await Area.select(
            Area.id, Area.name, Area.parent.name.as_alias("building"), Area.parent.id.as_alias("b")
        )
        .where(under(Area.path, community.path) & (Area.level == "unit"))
        .order_by(Area.path)
        .limit(5000)
    )
    grouped: dict[int, tuple[str, list[tuple[int, str]]]] = {}
    for row in rows:
        grouped.setdefault(row["b"], (row["building"], []))[1].append((row["id"], row["name"]))
    return list(grouped.values())


async def communities() -> list[tuple[int, str]]:
    rows = await Area.select(Area.id, Area.name).where(Area.level == "community").order_by(Area.id).limit(500)
    return [(row["id"], row["name"]) for row in rows]
