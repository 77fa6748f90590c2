"""A small street for tests: areas, people with their roles, an organisation and a team.

南关区 (district) → 鸿城街道 (street) → 幸福里社区 (community A) and 和平里社区 (community B);
community A has two grids, buildings and units. Everyone's password is ``linli-demo``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from projects import areas, members, organisations
from projects.access import Actor, load_actor

PASSWORD = "linli-demo"
HASH = members.hash_password(PASSWORD)
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class Clock:
    """The app's clock in tests: stands still until moved."""

    def __init__(self, now: datetime = T0):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass
class Street:
    district: int = 0
    street: int = 0
    community: int = 0  # 幸福里, where most things happen
    other_community: int = 0  # 和平里
    grid: int = 0
    grid2: int = 0
    building: int = 0
    unit: int = 0
    unit2: int = 0
    other_unit: int = 0
    # member ids
    admin: int = 0
    staff: int = 0  # community staff of 幸福里
    other_staff: int = 0  # community staff of 和平里
    street_staff: int = 0
    district_staff: int = 0
    leader: int = 0  # grid leader of grid 1
    resident: int = 0  # lives in unit 1
    neighbour: int = 0  # lives in unit 2, same community
    outsider: int = 0  # lives in 和平里
    representative: int = 0  # acts for the social organisation
    volunteers: list[int] = field(default_factory=list)
    organisation: int = 0
    team: int = 0
    phones: dict[int, str] = field(default_factory=dict)

    async def actor(self, member_id: int) -> Actor:
        return await load_actor(member_id)


async def build_street(now: datetime = T0, volunteers: int = 24) -> Street:
    s = Street()

    async def area(level, name, parent=None):
        return (await areas.create_area(level, name, parent_id=parent, now=now)).id

    s.district = await area("district", "南关区")
    s.street = await area("street", "鸿城街道", s.district)
    s.community = await area("community", "幸福里社区", s.street)
    s.other_community = await area("community", "和平里社区", s.street)
    s.grid = await area("grid", "第一网格", s.community)
    s.grid2 = await area("grid", "第二网格", s.community)
    s.building = await area("building", "1号楼", s.grid)
    s.unit = await area("unit", "1单元", s.building)
    s.unit2 = await area("unit", "2单元", s.building)
    other_grid = await area("grid", "第一网格", s.other_community)
    other_building = await area("building", "8号楼", other_grid)
    s.other_unit = await area("unit", "1单元", other_building)

    numbers = iter(range(10**6))

    async def person(name, home=None, role=None, role_area=None, is_admin=False):
        phone = f"137{next(numbers):08d}"
        member = await members.create_member(
            phone, name, password_hash=HASH, home_area_id=home, is_admin=is_admin, now=now
        )
        if role:
            await members.grant_role(member.id, role_area, role, now=now)
        s.phones[member.id] = phone
        return member.id

    s.admin = await person("管理员", is_admin=True)
    s.staff = await person("社区工作者", role="staff", role_area=s.community)
    s.other_staff = await person("和平里社工", role="staff", role_area=s.other_community)
    s.street_staff = await person("街道干部", role="staff", role_area=s.street)
    s.district_staff = await person("区干部", role="staff", role_area=s.district)
    s.leader = await person("网格长", home=s.unit2, role="leader", role_area=s.grid)
    s.resident = await person("王阿姨", home=s.unit)
    s.neighbour = await person("李大爷", home=s.unit2)
    s.outsider = await person("和平里居民", home=s.other_unit)
    s.representative = await person("社工机构负责人", home=s.unit2)
    for number in range(volunteers):
        s.volunteers.append(
            await person(
                f"志愿者{number}", home=(s.unit, s.unit2)[number % 2], role="volunteer", role_area=s.community
            )
        )
    s.organisation = (
        await organisations.create_organisation(
            "邻里社工服务中心", "social_organisation", area_id=s.community, now=now
        )
    ).id
    await organisations.add_member(s.organisation, s.representative, role="representative", now=now)
    for volunteer in s.volunteers[:3]:
        await organisations.add_member(s.organisation, volunteer, now=now)
    s.team = (
        await organisations.create_organisation(
            "阳光志愿服务队", "volunteer_team", area_id=s.community, now=now
        )
    ).id
    await organisations.add_member(s.team, s.volunteers[0], role="representative", now=now)
    for volunteer in s.volunteers[1:6]:
        await organisations.add_member(s.team, volunteer, now=now)
    return s
