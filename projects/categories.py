"""The two-level need taxonomy, with a points rate per category (seeded by a migration)."""

from __future__ import annotations

from dataclasses import dataclass

from projects import errors
from projects.tables import Category


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


async def get_category(code: str) -> CategoryRecord:
    row = await Category.select().where(Category.code == code).first()
    if row is None or not row["active"]:
        raise errors.NotFound(errors.N_("There is no category {code}."), code=code)
    return CategoryRecord(**row)


async def save_category(
    code: str,
    name: str,
    *,
    points_per_hour: int,
    parent: str | None = None,
    name_en: str = "",
    position: int = 0,
) -> CategoryRecord:
    """Add a category or change one (staff configure the taxonomy): two levels, no deeper."""
    if not code or len(code) > 32 or not name or len(name) > 64:
        raise errors.Invalid(errors.N_("A category has a code of 1 to 32 characters and a name of 1 to 64."))
    if not 0 <= points_per_hour <= 1000:
        raise errors.Invalid(errors.N_("Points per hour are 0 to 1000."))
    if parent is not None:
        top = await get_category(parent)
        if top.parent is not None:
            raise errors.Invalid(
                errors.N_("Categories have two levels: {parent} is already a subcategory."), parent=parent
            )
    record = CategoryRecord(code, parent, name, name_en, points_per_hour, position, True)
    if await Category.exists().where(Category.code == code):
        await Category.update(
            {
                Category.parent: parent,
                Category.name: name,
                Category.name_en: name_en,
                Category.points_per_hour: points_per_hour,
                Category.position: position,
                Category.active: True,
            }
        ).where(Category.code == code)
    else:
        await Category.insert(
            Category(
                **{
                    "code": code,
                    "parent": parent,
                    "name": name,
                    "name_en": name_en,
                    "points_per_hour": points_per_hour,
                    "position": position,
                    "active": True,
                }
            )
        )
    return record
