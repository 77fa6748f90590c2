"""The service resource library (服务资源库): who can serve, at what level (unit: 15-minute
convenience; building: civil groups; grid: social and public services), in which categories
and which areas. Matching a need finds the resources that cover its area and category."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from projects import errors
from projects.access import Actor, area_path
from projects.area_path import AreaPath
from projects.areas import get_area
from projects.categories import get_category
from projects.db import atomic
from projects.errors import N_
from projects.limits import CONTACT_MAX_CHARS, DESCRIPTION_MAX_CHARS, RESOURCE_NAME_MAX_CHARS
from projects.states import text
from projects.tables import (
    RESOURCE_KINDS,
    RESOURCE_LEVELS,
    Category,
    Resource,
    ResourceCategory,
    ResourceCoverage,
)


@dataclass(frozen=True, slots=True)
class ResourceRecord:
    id: int
    name: str
    kind: str
    level: str
    organisation: int | None
    area: int
    description: str
    contact: str
    created_at: datetime
    categories: tuple[str, ...] = ()
    coverage: tuple[int, ...] = ()


async def add_resource(
    actor: Actor,
    *,
    name: str,
    kind: str,
    level: str,
    area_id: int,
    categories: list[str],
    coverage: list[int] | None = None,
    organisation_id: int | None = None,
    description: str = "",
    contact: str = "",
    now: datetime,
) -> ResourceRecord:
    """Staff list a resource; it covers ``coverage`` (default: its own area)."""
    name = text(name, RESOURCE_NAME_MAX_CHARS, N_("name"), required=True)
    description = text(description, DESCRIPTION_MAX_CHARS, N_("description"))
    contact = text(contact, CONTACT_MAX_CHARS, N_("contact"))
    if kind not in RESOURCE_KINDS:
        raise errors.Invalid(N_("Unknown kind of resource {kind}."), kind=kind)
    if level not in RESOURCE_LEVELS:
        raise errors.Invalid(N_("A resource serves a unit, a building, a grid or the community."))
    if not categories:
        raise errors.Invalid(N_("Say which categories the resource serves."))
    async with atomic():
        area = await get_area(area_id)
        actor.require(actor.is_staff(area.path))
        for code in set(categories):
            await get_category(code)
        covered = sorted(set(coverage or [area_id]))
        for covered_id in covered:
            await get_area(covered_id)
        rows = await Resource.insert(
            Resource(
                name=name,
                kind=kind,
                level=level,
                organisation=organisation_id,
                area=area_id,
                description=description,
                contact=contact,
                created_at=now,
            )
        ).returning(Resource.id)
        resource_id = rows[0]["id"]
        await ResourceCategory.insert(
            *(ResourceCategory(resource=resource_id, category=code) for code in sorted(set(categories)))
        )
        await ResourceCoverage.insert(*(ResourceCoverage(resource=resource_id, area=a) for a in covered))
    return await get_resource(resource_id)


async def get_resource(resource_id: int) -> ResourceRecord:
    records = await _records(Resource.select().where(Resource.id == resource_id))
    if not records:
        raise errors.NotFound(thing=N_("resource"))
    return records[0]


async def _records(query) -> list[ResourceRecord]:
    """The resources ``query`` selects, with their categories and coverage: three queries."""
    rows = await query
    ids = [row["id"] for row in rows] or [-1]
    categories: dict[int, list[str]] = {}
    for row in await ResourceCategory.select().where(ResourceCategory.resource.is_in(ids)):
        categories.setdefault(row["resource"], []).append(row["category"])
    coverage: dict[int, list[int]] = {}
    for row in await ResourceCoverage.select().where(ResourceCoverage.resource.is_in(ids)):
        coverage.setdefault(row["resource"], []).append(row["area"])
    return [
        ResourceRecord(
            **row,
            categories=tuple(sorted(categories.get(row["id"], ()))),
            coverage=tuple(sorted(coverage.get(row["id"], ()))),
        )
        for row in rows
    ]


async def find_resources(*, area_id: int | None = None, category: str | None = None) -> list[ResourceRecord]:
    """Resources that serve ``area_id`` (they cover it or one of its ancestors) in ``category``
    (its top category, or its subcategories): the candidates for a need there."""
    query = Resource.select().order_by(Resource.id)
    if area_id is not None:
        ancestors = list(AreaPath.parse(await area_path(area_id)).ids)
        covering = ResourceCoverage.select(ResourceCoverage.resource).where(
            ResourceCoverage.area.is_in(ancestors)
        )
        query = query.where(Resource.id.is_in(covering))
    if category is not None:
        await get_category(category)
        codes = [category, category.split(".")[0]]
        codes += [
            row["code"] for row in await Category.select(Category.code).where(Category.parent == category)
        ]
        serving = ResourceCategory.select(ResourceCategory.resource).where(
            ResourceCategory.category.is_in(codes)
        )
        query = query.where(Resource.id.is_in(serving))
    return await _records(query)
