"""Piccolo Admin for reference data, mounted at /admin behind its own sign-in.

Linli's admins sign in there with their mobile number and Linli password (checked by Linli, with
the same rate limits as every other sign-in); Piccolo Admin then keeps its own session. Areas,
categories, grades, organisations, resources and catalogue items can be changed there. The ledger
is shown but read-only: points and money move only through ledger transfers, never by editing a
row (the database refuses edits of transfers anyway; balances and holds are refused here).
"""

from __future__ import annotations

import contextvars
import os
import secrets

from litestar.handlers import asgi
from litestar.types import Receive, Scope, Send
from piccolo.apps.user.tables import BaseUser
from piccolo_admin.endpoints import TableConfig, create_admin
from piccolo_api.crud.validators import Validators
from starlette.exceptions import HTTPException

from ledger.tables import Account, Reservation, Transfer
from market.tables import Call, Donation, Item, ItemArea, MarketEvent, Redemption
from projects import errors, signin
from projects.db import utcnow
from projects.tables import (
    Area,
    Category,
    Event,
    Grade,
    Member,
    Organisation,
    OrganisationMember,
    Resource,
    Role,
)
from web.client import address_of

READ_ONLY_MESSAGE = (
    "Read-only here: points and money move only through ledger transfers, and the trace is never edited."
)


# Who is signing in: the address, for the rate limit (Piccolo Admin's login gives no request).
_address: contextvars.ContextVar[str] = contextvars.ContextVar("linli_admin_address", default="unknown")


class LinliAdmin(BaseUser, tablename="piccolo_user"):
    """Piccolo Admin's users, signed in by Linli: an active Linli admin's phone and password."""

    @classmethod
    async def login(cls, username: str, password: str) -> int | None:
        try:
            member = await signin.sign_in(username, password, address=_address.get(), now=utcnow())
        except errors.ProjectError:
            return None
        if not member.is_admin:
            return None
        row = await cls.select(cls.id).where(cls.username == member.phone).first()
        if row is not None:
            return row["id"]
        # Piccolo Admin's own password is never used: sign-in goes through Linli.
        user = cls(username=member.phone, password=secrets.token_urlsafe(32), admin=True, active=True)
        user.superuser = True
        await user.save()
        return user.id


def _refuse_writes(piccolo_crud, request) -> None:
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        raise HTTPException(status_code=405, detail=READ_ONLY_MESSAGE)


def _read_only(table, group: str) -> TableConfig:
    return TableConfig(table, validators=Validators(every=[_refuse_writes]), menu_group=group)


def admin_app():
    community, market, ledger = "Community 社区", "Market 市场", "Ledger 账本 (read-only)"
    tables = [
        TableConfig(Area, menu_group=community),
        TableConfig(Category, menu_group=community),
        TableConfig(Grade, menu_group=community),
        TableConfig(Organisation, menu_group=community),
        TableConfig(OrganisationMember, menu_group=community),
        TableConfig(Resource, menu_group=community),
        TableConfig(Member, menu_group=community, exclude_visible_columns=[Member.password_hash]),
        TableConfig(Role, menu_group=community),
        TableConfig(Item, menu_group=market),
        TableConfig(ItemArea, menu_group=market),
        _read_only(Redemption, market),
        _read_only(Donation, market),
        _read_only(Call, market),
        _read_only(Account, ledger),
        _read_only(Transfer, ledger),
        _read_only(Reservation, ledger),
        _read_only(Event, ledger),
        _read_only(MarketEvent, ledger),
    ]
    return create_admin(
        tables,
        auth_table=LinliAdmin,
        site_name="Linli 邻里 admin",
        default_language_code="zh",
        # Served over HTTPS (behind a proxy that terminates it): the admin's cookies are Secure.
        production=os.environ.get("LINLI_HTTPS", "") == "1",
    )


_ADMIN = None


@asgi("/admin", is_mount=True, copy_scope=True, include_in_schema=False)
async def admin_mount(scope: Scope, receive: Receive, send: Send) -> None:
    """Piccolo Admin, built on first use (it reads the tables' engine, opened by the app)."""
    global _ADMIN
    if _ADMIN is None:
        _ADMIN = admin_app()
    LinliAdmin._meta.db = BaseUser._meta.db  # bound with the registered apps' tables
    _address.set(address_of(scope))
    await _ADMIN(scope, receive, send)
