"""The demo street's places and people: 南关区 → 鸿城街道 → 幸福里社区 and 和平里社区 with their
grids, buildings and units; the accounts of DESIGN.md, their leaders, staff, volunteers and
residents; organisations and volunteer teams, with who represents each."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from datetime import datetime

from demo.accounts import (
    ADMIN,
    DISTRICT_STAFF,
    ENTERPRISE,
    GRID_LEADER,
    MERCHANT,
    OTHER_STAFF,
    PINNED,
    RESIDENT,
    STAFF,
    STREET_STAFF,
    VOLUNTEER,
)
from demo.names import GIVEN, SURNAMES
from projects import areas, members, organisations

VOLUNTEERS = 100  # 13900000000–13900000099: registered volunteers of 幸福里社区

# name, name_en, grids, buildings per grid, units per building
COMMUNITIES = (("幸福里社区", "Xingfuli Community", 3, 3, 3), ("和平里社区", "Hepingli Community", 2, 3, 2))
GRID_NAMES = ("第一网格", "第二网格", "第三网格")
DUTY_PHONES = ("0431-8555 0101", "0431-8555 0202")  # each community's duty phone (值班电话)


@dataclass
class Community:
    id: int
    name: str
    grids: list[int] = field(default_factory=list)
    buildings: list[int] = field(default_factory=list)
    units: list[int] = field(default_factory=list)
    building_names: dict[int, str] = field(default_factory=dict)
    grid_of: dict[int, int] = field(default_factory=dict)  # building or unit -> its grid
    building_of: dict[int, int] = field(default_factory=dict)  # unit -> its building
    staff: int = 0
    leaders: dict[int, int] = field(default_factory=dict)  # grid, building or unit -> its leader
    residents: list[int] = field(default_factory=list)  # everyone living here
    volunteers: list[int] = field(default_factory=list)
    team: int = 0  # its volunteer team
    home: dict[int, int] = field(default_factory=dict)  # member -> unit


@dataclass
class Street:
    district: int = 0
    street: int = 0
    communities: list[Community] = field(default_factory=list)
    phones: dict[str, int] = field(default_factory=dict)  # phone -> member id
    street_staff: int = 0
    district_staff: int = 0
    organisations: dict[str, int] = field(default_factory=dict)  # short name -> id
    representatives: dict[int, int] = field(default_factory=dict)  # organisation -> representative
    staff_of: dict[int, list[int]] = field(default_factory=dict)  # organisation -> its members
    # (resource, organisation or 0, the community it is listed in)
    resources: list[tuple[int, int, int]] = field(default_factory=list)
    residents: int = 0  # besides the volunteers, leaders and staff


async def build_street(
    rng: random.Random, password_hash: str, residents: int, *, founded: datetime
) -> Street:
    """The district, the street, its two communities down to their units; DESIGN.md's accounts,
    the volunteers, leaders, staff and ``residents`` residents; organisations and their people."""
    now = founded
    s = Street(residents=residents)

    async def area(level: str, name: str, name_en: str, parent: int | None = None) -> int:
        return (await areas.create_area(level, name, parent_id=parent, name_en=name_en, now=now)).id

    s.district = await area("district", "南关区", "Nanguan District")
    s.street = await area("street", "鸿城街道", "Hongcheng Subdistrict", s.district)
    for name, name_en, grids, buildings, units in COMMUNITIES:
        c = Community(await area("community", name, name_en, s.street), name)
        s.communities.append(c)
        for g in range(grids):
            grid = await area("grid", GRID_NAMES[g], f"Grid {g + 1}", c.id)
            c.grids.append(grid)
            for _ in range(buildings):
                number = len(c.buildings) + 1
                building = await area("building", f"{number}号楼", f"Building {number}", grid)
                c.buildings.append(building)
                c.building_names[building] = f"{number}号楼"
                c.grid_of[building] = grid
                for u in range(units):
                    unit = await area("unit", f"{u + 1}单元", f"Unit {u + 1}", building)
                    c.units.append(unit)
                    c.grid_of[unit] = grid
                    c.building_of[unit] = building
    first, second = s.communities
    for c, duty_phone in zip(s.communities, DUTY_PHONES, strict=True):
        await areas.set_duty_phone(c.id, duty_phone)
    numbers = itertools.count()

    async def person(
        name: str,
        home: Community | None = None,
        unit: int | None = None,
        *,
        phone: str | None = None,
        is_admin: bool = False,
    ) -> int:
        phone = phone or next(auto for auto in (f"139{n:08d}" for n in numbers) if auto not in PINNED)
        if home is not None and unit is None:
            unit = rng.choice(home.units)
        member = await members.create_member(
            phone, name, password_hash=password_hash, home_area_id=unit, is_admin=is_admin, now=now
        )
        s.phones[phone] = member.id
        if home is not None:
            home.residents.append(member.id)
            home.home[member.id] = unit
        return member.id

    def a_name() -> str:
        return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2, 2))))

    async def grant(member: int, area_id: int, role: str) -> None:
        await members.grant_role(member, area_id, role, now=now)

    # DESIGN.md's accounts first, then the volunteers 13900000000–13900000099.
    await person("系统管理员", phone=ADMIN, is_admin=True)
    first.staff = await person("刘芳", phone=STAFF)
    await grant(first.staff, first.id, "staff")
    grid_leader = await person("陈建国", first, first.units[3], phone=GRID_LEADER)
    await grant(grid_leader, first.grids[0], "leader")
    first.leaders[first.grids[0]] = grid_leader
    volunteer = await person("李志强", first, first.units[1], phone=VOLUNTEER)
    await person("王秀兰", first, first.units[0], phone=RESIDENT)
    enterprise_rep = await person("赵明", first, first.units[10], phone=ENTERPRISE)
    merchant_rep = await person("孙丽", first, first.units[20], phone=MERCHANT)
    first.volunteers.append(volunteer)
    for number in range(VOLUNTEERS):
        first.volunteers.append(await person(a_name(), first, first.units[number % len(first.units)]))
    for member in first.volunteers:
        await grant(member, first.id, "volunteer")
    named = set(s.phones.values())  # DESIGN.md's accounts and the volunteers

    # Staff of the other community, the street and the district; then the "three leaders",
    # each living where they lead.
    second.staff = await person("周敏", phone=OTHER_STAFF)
    await grant(second.staff, second.id, "staff")
    s.street_staff = await person("吴建华", phone=STREET_STAFF)
    await grant(s.street_staff, s.street, "staff")
    s.district_staff = await person("郑国强", phone=DISTRICT_STAFF)
    await grant(s.district_staff, s.district, "staff")
    for c in s.communities:
        for area_id in (*c.grids, *c.buildings, *c.units):
            if area_id in c.leaders:
                continue
            if area_id in c.building_of:
                home = area_id
            else:
                home = rng.choice(
                    [unit for unit in c.units if area_id in (c.grid_of[unit], c.building_of[unit])]
                )
            leader = await person(a_name(), c, home)
            await grant(leader, area_id, "leader")
            c.leaders[area_id] = leader

    # Everyone else: two in three in 幸福里; a fifth of 和平里's residents volunteer there.
    for number in range(residents):
        c = first if number % 3 != 2 else second
        member = await person(a_name(), c)
        if c is second and number % 15 == 2:
            await grant(member, c.id, "volunteer")
            c.volunteers.append(member)

    # Organisations and their people.
    async def organisation(
        key: str, name: str, kind: str, area_id: int, representative: int, people: list[int], description: str
    ) -> int:
        record = await organisations.create_organisation(
            name, kind, area_id=area_id, description=description, now=now
        )
        await organisations.add_member(record.id, representative, role="representative", now=now)
        for member in people:
            await organisations.add_member(record.id, member, now=now)
        s.organisations[key] = record.id
        s.representatives[record.id] = representative
        s.staff_of[record.id] = people
        return record.id

    def plain(c: Community) -> list[int]:
        return [
            m for m in c.residents if m not in named and m not in c.volunteers and m not in c.leaders.values()
        ]

    plain_first, plain_second = plain(first), plain(second)
    employees = plain_first[:4]
    await organisation(
        "enterprise",
        "安居物业公司",
        "enterprise",
        first.id,
        enterprise_rep,
        employees,
        "幸福里社区的物业服务企业，承接维修、保洁和小区改造",
    )
    await organisation(
        "social",
        "邻里社工服务中心",
        "social_organisation",
        s.street,
        first.volunteers[-1],
        first.volunteers[-7:-1],
        "专业社工机构：助老、助残、青少年服务和邻里调解",
    )
    await organisation(
        "barber", "爱心理发店", "merchant", first.id, merchant_rep, [], "为老人上门义剪，积分可兑换理发"
    )
    await organisation(
        "grocery", "邻里便利店", "merchant", first.id, plain_first[4], [], "15分钟便民生活圈：代购、送货上门"
    )
    await organisation(
        "canteen", "长者食堂", "merchant", second.id, plain_second[0], [], "为60岁以上老人提供午餐和送餐"
    )
    await organisation(
        "government",
        "南关区民政局",
        "government",
        s.district,
        s.district_staff,
        [],
        "负责社区治理、养老服务和社会组织管理",
    )
    first.team = await organisation(
        "team",
        "阳光志愿服务队",
        "volunteer_team",
        first.id,
        first.volunteers[1],
        [volunteer, *first.volunteers[2:21]],
        "幸福里社区的志愿服务队",
    )
    second.team = await organisation(
        "team2",
        "和平里红马甲志愿服务队",
        "volunteer_team",
        second.id,
        second.volunteers[0],
        second.volunteers[1:],
        "和平里社区的志愿服务队",
    )
    return s
