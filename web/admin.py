"""Piccolo Admin for reference data, mounted at /admin behind its own sign-in.

Linli's admins sign in there with their mobile number and Linli password (checked by Linli, with
the same rate limits as every other sign-in); Piccolo Admin then keeps its own session. Areas,
categories, grades, organisations, resources and catalogue items can be changed there. The ledger,
the trace and the market's money are not there: they change only through Linli's use cases and
ledger transfers (the database refuses edits of transfers and events anyway).
"""

from __future__ import annotations

import contextvars
import os
import secrets

from litestar.handlers import asgi
from litestar.types import Receive, Scope, Send
from piccolo.apps.user.tables import BaseUser
from piccolo_admin.endpoints import TableConfig, create_admin

from market.tables import Item, ItemArea
from projects import errors, signin
from projects.db import utcnow
from projects.tables import (
    Area,
    CalendarDay,
    Category,
    Grade,
    Member,
    Organisation,
    OrganisationMember,
    Resource,
    Role,
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


# What each table is, in Chinese first: Piccolo Admin titles a table by its name in the database
# and shows its help text beside it.
NAMES = {
    Area: "区域（区、街道、社区、网格、楼栋、单元） Areas",
    Category: "服务类别 Categories",
    Grade: "分级时限 Grades and their deadlines",
    CalendarDay: "节假日与调休（日历包尚未收录的年份） Holidays and make-up working days",
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
        TableConfig(Organisation, menu_group=community),
        TableConfig(OrganisationMember, menu_group=community),
        TableConfig(Resource, menu_group=community),
        TableConfig(Member, menu_group=community, exclude_visible_columns=[Member.password_hash]),
        TableConfig(Role, menu_group=community),
        TableConfig(Item, menu_group=market),
        TableConfig(ItemArea, menu_group=market),
    ]
    return create_admin(
        tables,
        auth_table=LinliAdmin,
        site_name="邻里 Linli 管理后台",
        default_language_code="zh-CN",
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
    client = scope.get("client")
    _address.set(client[0] if client else "unknown")
    await _ADMIN(scope, receive, send)
