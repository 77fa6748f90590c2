"""The two-level need taxonomy, with a points rate per category (seeded by a migration)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from projects import errors
from projects.access import Actor
from projects.db import atomic
from projects.limits import CATEGORY_CODE_MAX_CHARS, CATEGORY_MAX_POINTS_PER_HOUR, CATEGORY_NAME_MAX_CHARS
from projects.tables import Category

CODE = re.compile(rf"[a-z0-9][a-z0-9.\-]{{0,{CATEGORY_CODE_MAX_CHARS - 1}}}")


@dataclass(frozen=True, slots=True)
class CategoryRecord:
    code: str
    parent: str | None
    name: str
    name_en: str
    points_per_hour: int
    position: int
    active: bool


async def list_categories(include_inactive: bool = False) -> list[CategoryRecord]:
    query = Category.select().order_by(Category.position).order_by(Category.code)
    if not include_inactive:
        query = query.where(Category.active == True)  # noqa: E712 (a Piccolo expression)
    return [CategoryRecord(**row) for row in await query]


async def get_category(code: str, *, field: str | None = "category") -> CategoryRecord:
    row = await Category.select().where(Category.code == code).first()
    if row is None or not row["active"]:
        raise errors.NotFound(errors.N_("There is no category {code}."), code=code, field=field)
    return CategoryRecord(**row)


async def save_category(
    actor: Actor,
    code: str,
    name: str,
    *,
    points_per_hour: int,
    parent: str | None = None,
    name_en: str = "",
    position: int = 0,
    active: bool = True,
) -> CategoryRecord:
    """Add a category or change one (admins configure the taxonomy): two levels, no deeper."""
    actor.require(actor.is_admin)
    name, name_en = name.strip(), name_en.strip()
    if (
        not CODE.fullmatch(code)
        or not name
        or len(name) > CATEGORY_NAME_MAX_CHARS
        or len(name_en) > CATEGORY_NAME_MAX_CHARS
    ):
        raise errors.Invalid(
            errors.N_(
                "A category has a code of 1 to 32 letters, digits, dots or dashes and a name of 1 to 64."
            )
        )
    if not 0 <= points_per_hour <= CATEGORY_MAX_POINTS_PER_HOUR:
        raise errors.Invalid(errors.N_("Points per hour are 0 to 1000."))
    async with atomic():
        if parent is not None:
            top = await get_category(parent)
            if top.parent is not None or top.code == code:
                raise errors.Invalid(
                    errors.N_("Categories have two levels: {parent} is already a subcategory."), parent=parent
                )
            if await Category.exists().where(Category.parent == code):
                raise errors.Invalid(errors.N_("A category with subcategories stays at the top level."))
        values = {
            "parent": parent,
            "name": name,
            "name_en": name_en,
            "points_per_hour": points_per_hour,
            "position": position,
            "active": active,
        }
        if await Category.exists().where(Category.code == code):
            await Category.update({getattr(Category, key): value for key, value in values.items()}).where(
                Category.code == code
            )
        else:
            await Category.insert(Category(code=code, **values))
    return CategoryRecord(code=code, **values)
