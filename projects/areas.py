"""The area tree: district → street → community → grid → building → unit.

Each area keeps its materialised path ("/1/4/9/": the ids from the root down), so "everything
under this community" is one index range scan: paths under P sort between P and P with its last
"/" replaced by "0" (the next byte).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ledger.accounts import open_account
from projects import errors
from projects.access import Actor
from projects.area_path import AreaPath
from projects.db import atomic
from projects.limits import AREA_NAME_MAX_CHARS
from projects.tables import AREA_LEVELS, Area
from projects.workorders import clean_phone


@dataclass(frozen=True, slots=True)
class AreaRecord:
    id: int
    parent: int | None
    level: str
    name: str
    name_en: str
    path: str
    created_at: datetime
    duty_phone: str = ""  # a community's duty phone (值班电话)

    def contains(self, path: str) -> bool:
        """Is the area with ``path`` this one or under it?"""
        return path.startswith(self.path)

    def ancestor_ids(self) -> list[int]:
        """This area's id and its ancestors', root first."""
        return list(AreaPath.parse(self.path).ids)


def issuer_account(community_id: int) -> str:
    """The community's points issuer: it may run negative (its balance is what it owes)."""
    return f"issuer:{community_id}"


def path_range(path: str) -> tuple[str, str]:
    """The half-open range of paths under ``path`` (itself included)."""
    return path, path[:-1] + "0"


def under(column, path: str):
    """A ``where`` clause: ``column`` (a path) is ``path`` or below it."""
    low, high = path_range(path)
    return (column >= low) & (column < high)


def any_under(column, paths: list[str]):
    """A ``where`` clause: ``column`` (a path) is one of ``paths`` or below one (``paths`` not empty)."""
    clause = under(column, paths[0])
    for path in paths[1:]:
        clause = clause | under(column, path)
    return clause


async def create_area(
    level: str, name: str, *, parent_id: int | None = None, name_en: str = "", now: datetime
) -> AreaRecord:
    if level not in AREA_LEVELS:
        raise errors.Invalid(errors.N_("Unknown area level {level}."), level=level)
    name = name.strip()
    if not name or len(name) > AREA_NAME_MAX_CHARS or len(name_en) > AREA_NAME_MAX_CHARS:
        raise errors.Invalid(errors.N_("An area's name is 1 to 100 characters."))
    async with atomic():
        parent = await get_area(parent_id) if parent_id is not None else None
        expected_parent = AREA_LEVELS[AREA_LEVELS.index(level) - 1] if level != "district" else None
        if level == "district" and parent is not None:
            raise errors.Invalid(errors.N_("A district is the top level: it has no parent."))
        if (parent.level if parent else None) != expected_parent:
            raise errors.Invalid(
                errors.N_("A {level} must be placed under a {parent}."), level=level, parent=expected_parent
            )
        rows = await Area.insert(
            Area(parent=parent_id, level=level, name=name, name_en=name_en, path="", created_at=now)
        ).returning(Area.id)
        area_id = rows[0]["id"]
        path = f"{parent.path if parent else '/'}{area_id}/"
        await Area.update({Area.path: path}).where(Area.id == area_id)
        if level == "community":
            await open_account(
                issuer_account(area_id),
                asset="PTS",
                kind="issuer",
                owner=f"area:{area_id}",
                name=f"{name} points issuer"[:128],
            )
    return AreaRecord(area_id, parent_id, level, name, name_en, path, now)


async def set_duty_phone(community_id: int, phone: str) -> AreaRecord:
    """A community's duty phone (值班电话), named as the contact of its common needs where no grid
    leader is (admins also edit it in Piccolo Admin); empty clears it."""
    phone = clean_phone(phone, field="duty_phone")
    area = await get_area(community_id)
    if area.level != "community":
        raise errors.Invalid(errors.N_("Only a community has a duty phone."), field="duty_phone")
    await Area.update({Area.duty_phone: phone}).where(Area.id == community_id)
    return await get_area(community_id)


async def get_area(area_id: int) -> AreaRecord:
    row = await Area.select().where(Area.id == area_id).first()
    if row is None:
        raise errors.NotFound(thing=errors.N_("area"))
    return AreaRecord(**row)


async def children(area_id: int | None) -> list[AreaRecord]:
    query = Area.select().order_by(Area.id)
    query = query.where(Area.parent.is_null()) if area_id is None else query.where(Area.parent == area_id)
    return [AreaRecord(**row) for row in await query]


async def subtree(area: AreaRecord) -> list[AreaRecord]:
    rows = await Area.select().where(under(Area.path, area.path)).order_by(Area.path)
    return [AreaRecord(**row) for row in rows]


async def staff_communities(actor: Actor) -> list[AreaRecord]:
    """The communities this member is staff of, there or above (an admin: every community)."""
    found: dict[int, AreaRecord] = {}
    tops = [await get_area(grant.area_id) for grant in actor.grants if grant.role == "staff"]
    if actor.is_admin:
        tops = await children(None)
    for top in tops:
        areas = [top] if top.level == "community" else await subtree(top)
        found.update((area.id, area) for area in areas if area.level == "community")
    return [found[key] for key in sorted(found)]


async def areas_below(paths: list[str], *, depth: int, lowest: str) -> list[AreaRecord]:
    """The areas with ``paths`` and those up to ``depth`` levels under each, no lower than the
    level ``lowest``, in tree order: one query whatever the size of the tree."""
    if not paths:
        return []
    deepest = AREA_LEVELS.index(lowest)
    clause = None
    for path in paths:
        level = AreaPath.parse(path).level_index
        levels = AREA_LEVELS[level : min(level + depth, deepest) + 1]
        part = under(Area.path, path) & Area.level.is_in(list(levels))
        clause = part if clause is None else clause | part
    rows = await Area.select().where(clause).order_by(Area.path)
    return [AreaRecord(**row) for row in rows]
