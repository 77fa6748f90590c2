"""The signed-in member: who they are, their roles, their points, their statement (a line per
transfer) and their activity (a line per economic event); their settings (name, email, channels,
language) and password; their notifications."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller, Request, get, patch, post
from litestar.params import FromQuery, JSONBody
from pydantic import StringConstraints

from ledger.accounts import balance
from ledger.statements import statement
from market.activity import activity
from projects import limits
from projects.access import Actor, load_actor
from projects.members import member_account
from projects.notifications import mark_read, notification_ids, notifications, unread_count
from projects.profile import change_password, settings_of, update_settings
from web.api.deps import CurrentActor, Now, bearer_token, language
from web.api.schemas import ActivityOut, BalanceOut, In, Limit, Me, Out, RoleOut, StatementOut
from web.notices import render

OPEN_TO_PENDING = {"open_to_pending": True}  # what a pending or must-change-password member may call


class SettingsIn(In):
    name: Annotated[str, StringConstraints(max_length=limits.MEMBER_NAME_MAX_CHARS)] | None = None
    email: Annotated[str, StringConstraints(max_length=limits.EMAIL_MAX_CHARS)] | None = None
    channels: list[Annotated[str, StringConstraints(max_length=20)]] | None = None
    lang: Annotated[str, StringConstraints(max_length=8)] | None = None


class PasswordIn(In):
    old_password: Annotated[str, StringConstraints(max_length=limits.SENT_PASSWORD_MAX_CHARS)]
    new_password: Annotated[str, StringConstraints(max_length=limits.SENT_PASSWORD_MAX_CHARS)]


class NotificationOut(Out):
    id: str
    text: str
    link: str
    read: bool
    created_at: datetime


class NotificationsOut(Out):
    items: list[NotificationOut]
    next_cursor: str | None
    unread: int


class ReadIn(In):
    ids: list[Annotated[str, StringConstraints(max_length=30)]] | None = None


class ReadOut(Out):
    marked: int
    unread: int


async def me_of(actor: Actor) -> Me:
    settings = await settings_of(actor.member_id)
    return Me(
        id=actor.member_id,
        phone=actor.phone,
        name=actor.name,
        roles=actor.roles,
        balance=BalanceOut.model_validate(await balance(member_account(actor.member_id))),
        home_area_id=actor.home_area,
        areas=[RoleOut(role=g.role, area_id=g.area_id, level=g.level) for g in actor.grants],
        organisations={str(key): value for key, value in actor.organisations.items()},
        email=settings.email,
        channels=settings.channels,
        lang=settings.lang,
        pending=actor.pending,
        must_change_password=actor.must_change_password,
    )


class MeController(Controller):
    path = "/api/v1/me"
    tags = ["me"]

    @get(name="api:me", summary="The signed-in member, with their points balance", opt=OPEN_TO_PENDING)
    async def me(self, actor: CurrentActor) -> Me:
        return await me_of(actor)

    @patch(
        name="api:me-update",
        summary='Change my name, email, channels ("email") or language (zh, en)',
        opt=OPEN_TO_PENDING,
    )
    async def update(self, actor: CurrentActor, data: JSONBody[SettingsIn]) -> Me:
        await update_settings(actor, name=data.name, email=data.email, channels=data.channels, lang=data.lang)
        return await me_of(await load_actor(actor.member_id))

    @post(
        "/password",
        name="api:me-password",
        summary="Change my password (the old one required); every other session signs out",
        status_code=204,
        opt=OPEN_TO_PENDING,
    )
    async def password(
        self, request: Request, actor: CurrentActor, data: JSONBody[PasswordIn], now: Now
    ) -> None:
        await change_password(
            actor, old=data.old_password, new=data.new_password, keep_token=bearer_token(request), now=now
        )

    @get("/statement", name="api:statement", summary="My points statement, newest first (cursor paged)")
    async def statement(
        self, actor: CurrentActor, cursor: FromQuery[str | None] = None, limit: Limit = 50
    ) -> StatementOut:
        page = await statement(member_account(actor.member_id), cursor=cursor, limit=limit)
        return StatementOut.model_validate(page)

    @get(
        "/activity",
        name="api:activity",
        summary="My points, one line per economic event (a hold and what resolved it are one), "
        "newest first (cursor paged)",
    )
    async def activity(
        self, actor: CurrentActor, cursor: FromQuery[str | None] = None, limit: Limit = 50
    ) -> ActivityOut:
        return ActivityOut.model_validate(await activity(actor.member_id, cursor=cursor, limit=limit))

    @get(
        "/notifications",
        name="api:notifications",
        summary="My notifications, newest first (cursor paged), in the request's language; the unread count",
        opt=OPEN_TO_PENDING,
    )
    async def notifications(
        self,
        request: Request,
        actor: CurrentActor,
        now: Now,
        unread: FromQuery[bool] = False,
        cursor: FromQuery[str | None] = None,
    ) -> NotificationsOut:
        page = await notifications(actor, unread=unread, cursor=cursor, now=now)
        lang = language(request)
        return NotificationsOut(
            items=[
                NotificationOut(
                    id=item.id,
                    text=render(lang, item.message, item.params),
                    link=item.link,
                    read=item.read,
                    created_at=item.created_at,
                )
                for item in page.items
            ],
            next_cursor=page.next_cursor,
            unread=page.unread,
        )

    @post(
        "/notifications/read",
        name="api:notifications-read",
        summary="Mark these notifications read (ids), or all of them (no ids)",
        status_code=200,
        opt=OPEN_TO_PENDING,
    )
    async def read(self, actor: CurrentActor, now: Now, data: JSONBody[ReadIn]) -> ReadOut:
        ids = notification_ids(data.ids)
        marked = await mark_read(actor, ids, now=now)
        return ReadOut(marked=marked, unread=await unread_count(actor.member_id, now=now))
