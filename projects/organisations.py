"""Organisations (单位): enterprises, social organisations, merchants, government departments
and volunteer teams, with members who act for them. Each has a points account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ledger.accounts import DEBITS_MUST_NOT_EXCEED_CREDITS, open_account
from projects import errors
from projects.areas import get_area
from projects.db import atomic
from projects.errors import N_
from projects.limits import DESCRIPTION_MAX_CHARS, ORGANISATION_NAME_MAX_CHARS
from projects.members import get_member
from projects.states import text
from projects.tables import ORGANISATION_KINDS, Organisation, OrganisationMember


@dataclass(frozen=True, slots=True)
class OrganisationRecord:
    id: int
    name: str
    kind: str
    area: int
    description: str
    created_at: datetime


def organisation_account(organisation_id: int) -> str:
    return f"org:{organisation_id}"


async def create_organisation(
    name: str, kind: str, *, area_id: int, now: datetime, description: str = ""
) -> OrganisationRecord:
    name = text(name, ORGANISATION_NAME_MAX_CHARS, N_("name"), required=True)
    description = text(description, DESCRIPTION_MAX_CHARS, N_("description"))
    if kind not in ORGANISATION_KINDS:
        raise errors.Invalid(N_("Unknown kind of organisation {kind}."), kind=kind)
    async with atomic():
        await get_area(area_id)
        rows = await Organisation.insert(
            Organisation(name=name, kind=kind, area=area_id, description=description, created_at=now)
        ).returning(Organisation.id)
        organisation_id = rows[0]["id"]
        await open_account(
            organisation_account(organisation_id),
            asset="PTS",
            kind="merchant" if kind == "merchant" else "organisation",
            owner=f"org:{organisation_id}",
            name=name,
            flags=DEBITS_MUST_NOT_EXCEED_CREDITS,
        )
    return OrganisationRecord(organisation_id, name, kind, area_id, description, now)


async def get_organisation(organisation_id: int) -> OrganisationRecord:
    row = await Organisation.select().where(Organisation.id == organisation_id).first()
    if row is None:
        raise errors.NotFound(thing=N_("organisation"))
    return OrganisationRecord(**row)


async def add_member(organisation_id: int, member_id: int, *, role: str = "member", now: datetime) -> None:
    """Join a member to an organisation (or change their role in it)."""
    if role not in ("representative", "member"):
        raise errors.Invalid(N_("A role in an organisation is representative or member."))
    async with atomic():
        await get_organisation(organisation_id)
        await get_member(member_id)
        where = (OrganisationMember.organisation == organisation_id) & (
            OrganisationMember.member == member_id
        )
        if await OrganisationMember.exists().where(where):
            await OrganisationMember.update({OrganisationMember.role: role}).where(where)
        else:
            await OrganisationMember.insert(
                OrganisationMember(organisation=organisation_id, member=member_id, role=role, created_at=now)
            )


async def list_organisations(kind: str | None = None) -> list[OrganisationRecord]:
    query = Organisation.select().order_by(Organisation.id)
    if kind is not None:
        query = query.where(Organisation.kind == kind)
    return [OrganisationRecord(**row) for row in await query]
