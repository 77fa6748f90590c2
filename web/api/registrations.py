"""Residents registering themselves (public), their leaders and staff approving or refusing it,
and staff resetting a member's password."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller, get, post
from litestar.params import FromQuery, JSONBody
from pydantic import Field, StringConstraints

from projects import limits, registration
from projects.profile import reset_password
from web.api.deps import CurrentActor, Now
from web.api.me import OPEN_TO_PENDING
from web.api.schemas import Id, IdIn, IdPath, IdQuery, In, Out, ReasonIn


class RegistrationIn(In):
    phone: Annotated[str, StringConstraints(max_length=limits.PHONE_MAX_CHARS)]
    name: Annotated[str, StringConstraints(max_length=limits.MEMBER_NAME_MAX_CHARS)]
    password: Annotated[str, StringConstraints(max_length=limits.SENT_PASSWORD_MAX_CHARS)]
    unit_id: IdIn


class UnitChoiceIn(In):
    unit_id: IdIn


class RegistrationOut(Out):
    id: Id
    member_id: Id
    name: str
    phone: str
    unit_id: Id
    unit_name: str = Field(description="The unit with its building: 1号楼 1单元")
    status: str
    reason: str
    decided_at: datetime | None
    created_at: datetime


class UnitOut(Out):
    id: Id
    name: str
    building: str


class TemporaryPasswordOut(Out):
    temporary_password: str


def out(record: registration.RegistrationRecord) -> RegistrationOut:
    return RegistrationOut(
        id=record.id,
        member_id=record.member,
        name=record.name,
        phone=record.phone,
        unit_id=record.unit,
        unit_name=record.place,
        status=record.status,
        reason=record.reason,
        decided_at=record.decided_at,
        created_at=record.created_at,
    )


class RegistrationController(Controller):
    path = "/api/v1/registrations"
    tags = ["accounts"]

    @post(name="api:register", summary="Register as a resident of a unit (pending until approved)")
    async def register(self, data: JSONBody[RegistrationIn], now: Now) -> RegistrationOut:
        record = await registration.register_resident(
            phone=data.phone, name=data.name, password=data.password, unit_id=int(data.unit_id), now=now
        )
        return out(record)

    @get("/units", name="api:registration-units", summary="The units of a community, to register in")
    async def units(self, community: IdQuery = None) -> list[UnitOut]:
        if community is None:
            return []
        return [
            UnitOut(id=unit_id, name=name, building=building)
            for building, units in await registration.units_of(community)
            for unit_id, name in units
        ]

    @get(name="api:registrations", summary="Registrations I may decide (leaders and staff), oldest first")
    async def waiting(self, actor: CurrentActor, status: FromQuery[str] = "pending") -> list[RegistrationOut]:
        return [out(record) for record in await registration.waiting(actor, status=status)]

    @post(
        "/{registration_id:int}/approve", name="api:registration-approve", summary="Approve", status_code=200
    )
    async def approve(self, actor: CurrentActor, registration_id: IdPath, now: Now) -> RegistrationOut:
        return out(await registration.approve(actor, registration_id, now=now))

    @post("/{registration_id:int}/refuse", name="api:registration-refuse", summary="Refuse", status_code=200)
    async def refuse(
        self, actor: CurrentActor, registration_id: IdPath, data: JSONBody[ReasonIn], now: Now
    ) -> RegistrationOut:
        return out(await registration.refuse(actor, registration_id, reason=data.reason, now=now))


class MyRegistrationController(Controller):
    path = "/api/v1/me/registration"
    tags = ["me"]

    @get(name="api:my-registration", summary="My registration and where it stands", opt=OPEN_TO_PENDING)
    async def mine(self, actor: CurrentActor) -> RegistrationOut:
        return out(await registration.registration_of(actor.member_id))

    @post(
        name="api:my-registration-again",
        summary="Not approved: choose the unit again and wait for approval anew",
        opt=OPEN_TO_PENDING,
        status_code=200,
    )
    async def again(self, actor: CurrentActor, data: JSONBody[UnitChoiceIn], now: Now) -> RegistrationOut:
        return out(await registration.reapply(actor, int(data.unit_id), now=now))


class PasswordResetController(Controller):
    path = "/api/v1/members"
    tags = ["accounts"]

    @post(
        "/{member_id:int}/password-reset",
        name="api:password-reset",
        summary="Give a member a temporary password (staff over their home); they choose a new one next",
        status_code=200,
    )
    async def reset(self, actor: CurrentActor, member_id: IdPath, now: Now) -> TemporaryPasswordOut:
        return TemporaryPasswordOut(temporary_password=await reset_password(actor, member_id, now=now))
