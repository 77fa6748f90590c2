"""Piccolo Admin for reference data, mounted at /admin behind its own sign-in.

Linli's admins sign in there with their mobile number and Linli password (checked by Linli, with
the same rate limits as every other sign-in); Piccolo Admin then keeps its own session. Areas,
categories, grades, organisations, resources and catalogue items can be changed there, and every
insert, update and delete is traced (``projects.admin_edits``: who, when, the row before and
after) in the edit's own transaction. The ledger, the trace and the market's money are not there:
they change only through Linli's use cases and ledger transfers (the database refuses edits of
transfers and events anyway).
"""

from __future__ import annotations

import contextvars
import json
import re
import secrets
import urllib.parse
from http.cookies import SimpleCookie

from litestar.handlers import asgi
from litestar.types import Message, Receive, Scope, Send
from piccolo.apps.user.tables import BaseUser
from piccolo_admin.endpoints import TableConfig, create_admin
from piccolo_api.rate_limiting.middleware import RateLimitProvider
from piccolo_api.session_auth.tables import SessionsBase

from market.tables import Item, ItemArea
from projects import admin_edits, errors, signin
from projects.db import atomic, utcnow
from projects.tables import (
    Area,
    Assessor,
    CalendarDay,
    Category,
    Grade,
    Indicator,
    Member,
    Organisation,
    OrganisationMember,
    Resource,
    Role,
)
from settings import HTTPS
from web.client import address_of

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


class CountedByLinli(RateLimitProvider):
    """The admin's sign-in limit is Linli's, counted in the database (``LinliAdmin.login`` goes
    through ``projects.signin``): Piccolo Admin's default counts in each process's memory, which
    several workers would each keep apart, and by the proxy's address behind a reverse proxy."""

    def increment(self, identifier: str) -> None:
        return None


# What each table is, in Chinese first: Piccolo Admin titles a table by its name in the database
# and shows its help text beside it.
NAMES = {
    Area: "区域（区、街道、社区、网格、楼栋、单元） Areas",
    Category: "服务类别 Categories",
    Grade: "分级时限 Grades and their deadlines",
    CalendarDay: "节假日与调休（日历包尚未收录的年份） Holidays and make-up working days",
    Indicator: "考核指标（各级权重之和为100） Indicators (siblings' weights sum to 100)",
    Assessor: "考核员（街道、区工作人员） Assessors",
    Organisation: "单位与志愿服务队 Organisations and volunteer teams",
    OrganisationMember: "单位成员 Members of organisations",
    Resource: "服务资源库 Service resources",
    Member: "成员 Members",
    Role: "角色（居民、志愿者、三长、工作人员） Roles",
    Item: "积分商城商品 Catalogue items",
    ItemArea: "商品服务范围 Areas an item serves",
}


def admin_app():
    community, market = "社区 Community", "积分商城 Market"
    for table, name in NAMES.items():
        table._meta.help_text = name
    # Only what may be edited is shown: the ledger, the trace and the market's money change only
    # through Linli's own use cases (Piccolo Admin would offer "add row" on any table it shows).
    tables = [
        TableConfig(Area, menu_group=community),
        TableConfig(Category, menu_group=community),
        TableConfig(Grade, menu_group=community),
        TableConfig(CalendarDay, menu_group=community),
        TableConfig(Indicator, menu_group=community),
        TableConfig(Assessor, menu_group=community),
        TableConfig(Organisation, menu_group=community),
        TableConfig(OrganisationMember, menu_group=community),
        TableConfig(Resource, menu_group=community),
        TableConfig(Member, menu_group=community, exclude_visible_columns=[Member.password_hash]),
        TableConfig(Role, menu_group=community),
        TableConfig(Item, menu_group=market),
        TableConfig(ItemArea, menu_group=market),
    ]
    _TABLES.update((config.table_class._meta.tablename, config.table_class) for config in tables)
    return create_admin(
        tables,
        auth_table=LinliAdmin,
        site_name="邻里 Linli 管理后台",
        default_language_code="zh-CN",
        # Served over HTTPS (behind a proxy that terminates it): the admin's cookies are Secure.
        production=HTTPS.read(),
        rate_limit_provider=CountedByLinli(),
    )


_ADMIN = None
_TABLES: dict[str, type] = {}  # the admin's tables by name, filled as it is built


# A write to one of the admin's tables: /api/tables/{table}/ (insert), .../{row}/ (update, delete).
_TABLE_WRITE = re.compile(r"^(?:/admin)?/api/tables/([a-z0-9_]+)/(?:([^/]+)/)?$")
_ACTIONS = {("POST", False): "insert", ("PATCH", True): "update", ("PUT", True): "update"}
_ACTIONS[("DELETE", True)] = "delete"


class _Refused(Exception):
    """The admin refused the edit: nothing of it may be kept (nor traced)."""


def _edit_of(scope: Scope) -> tuple[type, str | None, str] | None:
    """(table, row key or None for an insert, action) if the request edits one of the tables."""
    found = _TABLE_WRITE.match(scope.get("path", ""))
    if found is None:
        return None
    action = _ACTIONS.get((scope.get("method", ""), found.group(2) is not None))
    table = _TABLES.get(found.group(1))
    if action is None or table is None:
        return None
    return table, urllib.parse.unquote(found.group(2)) if found.group(2) else None, action


async def _admin_username(scope: Scope) -> str:
    """Who is signed in to the admin (Piccolo Admin's session cookie), as their username."""
    cookies = SimpleCookie()
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            cookies.load(value.decode("latin-1"))
    session = cookies.get("id")
    user_id = await SessionsBase.get_user_id(session.value) if session else None
    if user_id is None:
        return ""
    row = await LinliAdmin.select(LinliAdmin.username).where(LinliAdmin.id == user_id).first()
    return row["username"] if row else ""


async def _traced(scope: Scope, receive: Receive, send: Send, edit: tuple[type, str | None, str]) -> None:
    """Run the edit and append it to the admin's trace in one transaction, before the admin
    answers: an edit is kept with its trace, or neither is."""
    table, raw_key, action = edit
    held: list[Message] = []

    async def hold(message: Message) -> None:
        held.append(message)

    try:
        async with atomic():
            key = admin_edits.primary_key(table, raw_key) if raw_key is not None else None
            before = await admin_edits.row_as_json(table, key) if key is not None else ""
            await _ADMIN(scope, receive, hold)
            status = next((m["status"] for m in held if m["type"] == "http.response.start"), 500)
            if status >= 400:
                raise _Refused
            if key is None:  # an insert answers [{"<primary key>": value}]
                body = b"".join(m.get("body", b"") for m in held if m["type"] == "http.response.body")
                key = next(iter(json.loads(body)[0].values()))
            after = await admin_edits.row_as_json(table, key) if action != "delete" else ""
            await admin_edits.record(
                username=await _admin_username(scope),
                table=table,
                key=key,
                action=action,
                before=before,
                after=after,
                now=utcnow(),
            )
    except (_Refused, ValueError):  # refused, or a key that is not one (the admin answered it)
        pass
    for message in held:
        await send(message)


@asgi("/admin", is_mount=True, copy_scope=True, include_in_schema=False)
async def admin_mount(scope: Scope, receive: Receive, send: Send) -> None:
    """Piccolo Admin, built on first use (it reads the tables' engine, opened by the app); its
    edits go through ``_traced``."""
    global _ADMIN
    if _ADMIN is None:
        _ADMIN = admin_app()
    LinliAdmin._meta.db = BaseUser._meta.db  # bound with the registered apps' tables
    _address.set(address_of(scope))
    edit = _edit_of(scope)
    if edit is None:
        await _ADMIN(scope, receive, send)
    else:
        await _traced(scope, receive, send, edit)
