"""The demo street's service resource library, listed by each community's staff."""

from __future__ import annotations

from datetime import datetime

from demo.street import Community, Street
from projects import resources
from projects.access import load_actor


async def add_resources(s: Street, now: datetime) -> None:
    """The service resource library (unit: 15-minute convenience; building: civil groups; grid:
    social and public services; community), listed by each community's staff."""
    first, second = s.communities
    org = s.organisations

    async def listed(
        c: Community,
        name: str,
        kind: str,
        level: str,
        area_id: int,
        categories: list[str],
        coverage: list[int],
        organisation: int | None = None,
        contact: str = "",
    ) -> None:
        record = await resources.add_resource(
            await load_actor(c.staff),
            name=name,
            kind=kind,
            level=level,
            area_id=area_id,
            categories=categories,
            coverage=coverage,
            organisation_id=organisation,
            contact=contact,
            now=now,
        )
        s.resources.append((record.id, organisation or 0, c.id))

    await listed(
        first,
        "邻里便利店",
        "merchant",
        "unit",
        first.units[0],
        ["convenience.errands"],
        first.units[:9],
        org["grocery"],
        "0431-8888 1001",
    )
    await listed(
        first,
        "爱心理发店",
        "merchant",
        "unit",
        first.units[9],
        ["convenience.haircut", "care.elderly"],
        first.units[:18],
        org["barber"],
        "0431-8888 1002",
    )
    await listed(
        first,
        "1号楼邻里互助小组",
        "volunteer_team",
        "building",
        first.buildings[0],
        ["care.elderly", "convenience.errands"],
        [first.buildings[0]],
    )
    await listed(
        first,
        "5号楼读书会",
        "social_organisation",
        "building",
        first.buildings[4],
        ["culture.tutoring", "culture.talks"],
        [first.buildings[4]],
    )
    await listed(
        first,
        "社区卫生服务站",
        "public_service",
        "grid",
        first.grids[0],
        ["culture.health", "emergency.medical"],
        first.grids[:2],
        contact="0431-8888 1201",
    )
    await listed(
        first,
        "邻里社工服务中心",
        "social_organisation",
        "grid",
        first.grids[1],
        ["mediation.neighbours", "care.elderly", "culture.tutoring"],
        first.grids,
        org["social"],
        "0431-8888 1301",
    )
    await listed(
        first,
        "阳光志愿服务队",
        "volunteer_team",
        "community",
        first.id,
        ["volunteer.patrol", "volunteer.events", "environment.cleaning"],
        [first.id],
        org["team"],
    )
    await listed(
        first,
        "安居物业公司",
        "enterprise",
        "community",
        first.id,
        ["construction.facilities", "emergency.repair", "convenience.appliances"],
        [first.id],
        org["enterprise"],
        "0431-8888 2000",
    )
    await listed(
        second,
        "长者食堂",
        "merchant",
        "community",
        second.id,
        ["care.meals"],
        [second.id, first.id],
        org["canteen"],
        "0431-8888 3001",
    )
    await listed(
        second,
        "家电维修便民点",
        "merchant",
        "unit",
        second.units[0],
        ["convenience.appliances"],
        second.units[:6],
        contact="0431-8888 3002",
    )
    await listed(
        second,
        "和平里红马甲志愿服务队",
        "volunteer_team",
        "community",
        second.id,
        ["volunteer.patrol", "environment.sorting"],
        [second.id],
        org["team2"],
    )
    await listed(
        second,
        "法律援助工作站",
        "public_service",
        "grid",
        second.grids[0],
        ["mediation.property", "mediation.neighbours"],
        second.grids,
        contact="12348",
    )
