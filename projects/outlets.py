"""Areas' group outlets, set by an admin: a community's or grid's work group (its WeCom, DingTalk
or Feishu group robot) or a generic JSON webhook, which is told what waits for staff there. The
robot is given as its vendor's console shows it (the webhook address, or only its key)."""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from datetime import datetime

from projects import errors
from projects.access import Actor
from projects.areas import get_area
from projects.db import atomic
from projects.errors import N_
from projects.notification_tables import OUTLET_KINDS, Outlet
from projects.tables import Area

LEVELS = ("community", "grid")
KIND_NAMES = {
    "wecom": N_("WeCom group robot"),
    "dingtalk": N_("DingTalk group robot"),
    "feishu": N_("Feishu group robot"),
    "json": N_("JSON webhook"),
}
TARGET_MAX_CHARS = 500
# The vendors' webhook addresses, and the key or token each carries.
WEBHOOKS = {
    "wecom": ("qyapi.weixin.qq.com", "/cgi-bin/webhook/send", "key", re.compile(r"[A-Za-z0-9_-]{8,100}")),
    "dingtalk": ("oapi.dingtalk.com", "/robot/send", "access_token", re.compile(r"[A-Za-z0-9]{16,100}")),
    "feishu": ("open.feishu.cn", "/open-apis/bot/v2/hook/", None, re.compile(r"[A-Za-z0-9-]{8,100}")),
}
DINGTALK_SECRET = re.compile(r"SEC[A-Za-z0-9]{16,100}")


@dataclass(frozen=True, slots=True)
class OutletRecord:
    id: int
    area: int
    area_name: str
    area_level: str
    kind: str
    target: str  # the key or address (admins only)
    has_secret: bool
    lang: str
    active: bool
    updated_at: datetime


def parse_target(kind: str, value: str) -> str:
    """The robot's key or token (or the JSON webhook's address) from what an admin pasted."""
    value = (value or "").strip()
    if kind not in OUTLET_KINDS:
        raise errors.Invalid(N_("Choose one from the list."), field="kind")
    if not value:
        raise errors.Invalid(N_("Please fill in the {label}."), field="target", label=N_("webhook address"))
    if len(value) > TARGET_MAX_CHARS:
        raise errors.Invalid(N_("The {label} is at most {limit} characters."), field="target",
                             label=N_("webhook address"), limit=TARGET_MAX_CHARS)  # fmt: skip
    if kind == "json":
        parts = urllib.parse.urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.username:
            raise errors.Invalid(N_("A webhook address starts with http:// or https://."), field="target")
        return value
    host, path, query_key, key = WEBHOOKS[kind]
    if key.fullmatch(value):
        return value
    parts = urllib.parse.urlsplit(value)
    found = ""
    if parts.scheme == "https" and parts.hostname == host:
        if query_key is not None and parts.path.rstrip("/") == path.rstrip("/"):
            found = urllib.parse.parse_qs(parts.query).get(query_key, [""])[0]
        elif query_key is None and parts.path.startswith(path):
            found = parts.path[len(path) :].strip("/")
    if not key.fullmatch(found):
        raise errors.Invalid(
            N_("Paste the robot's webhook address as its group settings show it, or its key."),
            field="target",
        )
    return found


async def set_outlet(
    actor: Actor,
    area_id: int,
    *,
    kind: str,
    target: str,
    secret: str = "",
    lang: str = "zh",
    active: bool = True,
    now: datetime,
) -> OutletRecord:
    """Set (or replace) the group outlet of a community or grid. Admins only."""
    actor.require(actor.is_admin)
    target = parse_target(kind, target)
    secret = (secret or "").strip()
    if secret and (kind != "dingtalk" or not DINGTALK_SECRET.fullmatch(secret)):
        raise errors.Invalid(N_("A DingTalk signing secret starts with SEC."), field="secret")
    if lang not in ("zh", "en"):
        raise errors.Invalid(N_("The language is zh or en."), field="lang")
    async with atomic():
        area = await get_area(area_id)
        if area.level not in LEVELS:
            raise errors.Invalid(N_("A group outlet belongs to a community or a grid."), field="area_id")
        values = {
            Outlet.kind: kind,
            Outlet.target: target,
            Outlet.secret: secret,
            Outlet.lang: lang,
            Outlet.active: active,
            Outlet.updated_by: actor.member_id,
            Outlet.updated_at: now,
        }
        if await Outlet.exists().where(Outlet.area == area_id):
            await Outlet.update(values).where(Outlet.area == area_id)
        else:
            await Outlet.insert(
                Outlet(area=area_id, **{column._meta.name: value for column, value in values.items()})
            )
    return next(outlet for outlet in await list_outlets(actor) if outlet.area == area_id)


async def remove_outlet(actor: Actor, area_id: int) -> None:
    actor.require(actor.is_admin)
    await Outlet.delete().where(Outlet.area == area_id)


async def list_outlets(actor: Actor) -> list[OutletRecord]:
    actor.require(actor.is_admin)
    rows = await Outlet.select(
        Outlet.id,
        Outlet.area,
        Outlet.area.name.as_alias("area_name"),
        Outlet.area.level.as_alias("area_level"),
        Outlet.kind,
        Outlet.target,
        Outlet.secret,
        Outlet.lang,
        Outlet.active,
        Outlet.updated_at,
    ).order_by(Outlet.area.path)
    return [OutletRecord(**{key: value for key, value in row.items() if key != "secret"},
                         has_secret=bool(row["secret"])) for row in rows]  # fmt: skip


async def outlet_areas() -> list[tuple[int, str, str]]:
    """The communities and grids an outlet can be set for: (id, name, level), in tree order."""
    rows = (
        await Area.select(Area.id, Area.name, Area.level)
        .where(Area.level.is_in(list(LEVELS)))
        .order_by(Area.path)
        .limit(2000)
    )
    return [(row["id"], row["name"], row["level"]) for row in rows]
