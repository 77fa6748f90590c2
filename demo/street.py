"""The demo street (`linli demo`): areas, people, organisations, resources and a month of history.

南关区 → 鸿城街道 → 幸福里社区 and 和平里社区, with their grids, buildings and units; the accounts
of DESIGN.md ("Demo accounts", password ``linli-demo``), their leaders, staff and a few hundred
residents; organisations and volunteer teams; the service resource library. Then a month of
history made by the domain's own use cases, never by writing rows: needs reported, joined,
triaged, escalated, merged, rejected and cancelled; tasks dispatched, declined and claimed;
work checked in, submitted, confirmed (points banked through the ledger) or disputed and settled;
service projects with milestones and progress; ratings; the deadline sweep running every hour.
The ledger's own demo history (redemptions, exchanges, reversals, grants) is woven in, cast
with the street's accounts.

Everything is told as stories: async generators that do one step, then yield how long to wait
before the next. A timeline runs every story's steps in time order on one simulated clock, from
30 days ago to a few minutes ago; a story whose next step would come after that stops where it
is, which is how the street ends with work in every state. Everything is drawn from
``random.Random(seed)`` and dated relative to ``now``, so the same seed builds the same street.

The whole demo is one transaction: it is there entirely or not at all, and a second run finds
its first account and only reports.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from piccolo.query.functions.aggregate import Count

from demo import appraisal as demo_appraisal
from demo import ledger as ledger_demo
from ledger.accounts import DEBITS_MUST_NOT_EXCEED_CREDITS
from ledger.transfers import last_seq
from projects import (
    areas,
    claims,
    indicators,
    members,
    needs,
    open311,
    organisations,
    ratings,
    resources,
    service_projects,
    survey_results,
    surveys,
    tasks,
)
from projects.access import Actor, load_actor
from projects.areas import issuer_account
from projects.db import atomic, utcnow
from projects.grid import take_need
from projects.members import member_account
from projects.organisations import organisation_account
from projects.supervision import supervise
from projects.sweep import sweep
from projects.tables import (
    Area,
    Claim,
    Event,
    Member,
    Need,
    Organisation,
    Project,
    Rating,
    Resource,
    Role,
    Task,
)
from projects.triage import escalate_need, hand_down, report_progress, return_need, triage_need

PASSWORD = "linli-demo"
OPEN311_KEY = "linli-demo-open311"
ADMIN, STAFF, GRID_LEADER, VOLUNTEER, RESIDENT, ENTERPRISE, MERCHANT = (f"1380000000{n}" for n in range(7))
VOLUNTEERS = 100  # 13900000000–13900000099: registered volunteers of 幸福里社区
OTHER_STAFF, STREET_STAFF, DISTRICT_STAFF = (f"139000001{n:02d}" for n in range(3))
PINNED = {OTHER_STAFF, STREET_STAFF, DISTRICT_STAFF}  # DESIGN.md's numbers, never given to anyone else
MIN_RESIDENTS = 150  # fewer, and 和平里 has too few volunteers for its stories
HISTORY_SPAN = timedelta(days=30)
HISTORY_ENDS = timedelta(minutes=5)  # before the real now
SWEEP_EVERY = timedelta(hours=1)
MINUTES = (30, 45, 60, 60, 90, 120, 120, 180)

# What DESIGN.md promises, for the CLI to print: phone, role.
ACCOUNTS = (
    (ADMIN, "admin 管理员"),
    (STAFF, "community staff 社区工作者, 幸福里社区"),
    (GRID_LEADER, "grid leader 网格长, 幸福里社区第一网格"),
    (VOLUNTEER, "volunteer 志愿者, 幸福里社区"),
    (RESIDENT, "resident 居民, 幸福里社区1号楼1单元"),
    (ENTERPRISE, "enterprise representative, 安居物业公司"),
    (MERCHANT, "merchant representative, 爱心理发店"),
    (OTHER_STAFF, "community staff 社区工作者, 和平里社区"),
    (STREET_STAFF, "street staff 街道工作人员, 鸿城街道"),
    (DISTRICT_STAFF, "district staff 区工作人员, 南关区"),
    ("13900000000-13900000099", "volunteers living in 幸福里社区"),
)

# name, name_en, grids, buildings per grid, units per building
COMMUNITIES = (("幸福里社区", "Xingfuli Community", 3, 3, 3), ("和平里社区", "Hepingli Community", 2, 3, 2))
GRID_NAMES = ("第一网格", "第二网格", "第三网格")
DUTY_PHONES = ("0431-8555 0101", "0431-8555 0202")  # each community's duty phone (值班电话)
PREFERRED_TIMES = ("周六上午", "工作日下午", "尽快", "晚饭后", "工作日上午")
LANDMARKS = ("小区东门岗亭旁", "北侧车棚", "中心花园", "2号楼与3号楼之间", "垃圾分类站旁")

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚英华建国玉志红梅海燕淑珍德福文凤琴云丹宁欣怡浩然子涵"

# category, what the resident says, the task's title
PERSONAL = (
    ("care.meals", "独居老人行动不便，希望每天中午有人送餐上门", "为独居老人送午餐"),
    ("care.escort", "下周要去医院复查，子女在外地，需要有人陪同就医", "陪同老人去医院复查"),
    ("convenience.appliances", "家里热水器打不着火，老人自己不会修", "上门检修热水器"),
    ("convenience.errands", "腿脚不便，请人帮忙代买米面油", "代买米面油送上门"),
    ("convenience.haircut", "卧床老人需要上门理发", "上门为卧床老人理发"),
    ("care.elderly", "高龄独居老人，希望有人定期上门探访、聊聊天", "探访高龄独居老人"),
    ("care.disability", "家里有残疾人，想申请轮椅，需要有人帮忙跑手续", "协助办理轮椅申领"),
    ("culture.tutoring", "双职工家庭，孩子放学后没人辅导作业", "放学后作业辅导"),
    ("emergency.repair", "厨房水管爆裂，家里积水", "紧急抢修爆裂水管"),
    ("emergency.medical", "独居老人夜里突发头晕，需要有人帮忙送医", "护送突发不适老人就医"),
    ("mediation.neighbours", "楼上漏水渗到我家天花板，和邻居说不通", "调解楼上漏水纠纷"),
    ("convenience.errands", "想学用智能手机挂号、视频通话", "教老人使用智能手机"),
    ("care.meals", "老伴住院，家里没人做饭，需要助餐服务", "助餐送餐上门"),
    ("environment.cleaning", "老人独居，家里卫生打扫不动了", "上门帮老人打扫卫生"),
    ("convenience.appliances", "家里电视没信号，洗衣机也不转了", "上门维修家电"),
)
COMMON = (
    ("construction.lighting", "{building}门前路灯坏了一个多月，晚上出行不安全", "更换{building}门前路灯"),
    ("environment.cleaning", "{building}楼道堆放杂物，堵住了消防通道", "清理{building}楼道杂物"),
    ("environment.sorting", "小区垃圾分类投放点经常满溢，气味很大", "垃圾分类投放点督导"),
    ("construction.facilities", "{building}单元门禁坏了，陌生人随意进出", "维修{building}单元门禁"),
    ("environment.greening", "{building}前的绿地荒着，居民想种些花草", "{building}前绿地补种花草"),
    ("volunteer.patrol", "夜里小区有陌生人徘徊，希望组织平安巡逻", "夜间平安巡逻"),
    ("culture.talks", "不少老人接到诈骗电话，希望开展反诈宣传", "反诈宣传进楼栋"),
    ("culture.health", "希望社区组织老年人免费量血压、测血糖", "老年人健康义诊"),
    ("construction.facilities", "小区健身器材损坏，存在安全隐患", "维修小区健身器材"),
)
EVENTS = (  # tasks of their own, published to the open pool
    ("environment.cleaning", "周末环境清扫志愿活动", "清扫小区公共区域、捡拾垃圾，请自带手套"),
    ("volunteer.patrol", "平安巡逻志愿者招募", "晚7点至9点在小区内巡逻，留意陌生人和安全隐患"),
    ("environment.sorting", "垃圾分类桶边督导", "早晚投放高峰在投放点指导居民分类"),
    ("culture.health", "健康义诊志愿服务", "协助社区卫生服务站为老人量血压、测血糖"),
    ("volunteer.events", "社区文艺汇演志愿者", "布置场地、引导座位、维持秩序"),
    ("culture.talks", "反诈宣传入户志愿者", "入户发放反诈宣传材料，帮老人安装反诈App"),
)
BEYOND_COMMUNITY = (  # needs that only the street can settle
    (
        "construction.facilities",
        "小区二次供水水泵老化，高层经常停水，需要协调供水公司",
        "协调更换二次供水水泵",
    ),
    ("construction.lighting", "小区外市政道路坑洼积水，雨天无法通行", "协调修补市政道路"),
    ("mediation.property", "原物业撤场，小区没人管理，垃圾无人清运", "协调引入新物业并清运垃圾"),
)
PROJECTS = (
    (
        "老旧楼道清理改造服务项目",
        "清理{community}各楼栋楼道堆物，修补破损扶手，张贴消防安全提示",
        "物业公司出人出车清运，志愿者分楼栋入户动员，网格长验收",
        ("environment.cleaning", "楼道堆放杂物，堵住了消防通道"),
    ),
    (
        "\u201c一老一小\u201d关爱服务项目",
        "为高龄独居老人定期探访，为双职工家庭孩子提供课后托管",
        "社工机构牵头，志愿者结对，每周服务两次，每月公示服务台账",
        ("care.elderly", "独居老人多，希望有人定期探访"),
    ),
    (
        "适老化改造服务项目",
        "为老旧楼栋加装楼道扶手和夜间感应灯",
        "居民议事会协商确定点位，招募单位认领施工，完工后居民评议",
        ("construction.facilities", "老楼没有扶手，老人上下楼很危险"),
    ),
    (
        "垃圾分类示范小区项目",
        "打造{community}垃圾分类示范小区，定时定点投放，桶边督导",
        "志愿服务队排班督导，每月评选文明家庭",
        ("environment.sorting", "垃圾分类投放点经常满溢，气味很大"),
    ),
)
MILESTONES = ("入户动员和方案公示", "集中实施", "居民验收和评议")
PROGRESS = (
    "已召开居民协商会，确定实施方案",
    "已完成第一批楼栋，居民反映良好",
    "志愿者分组入户，已走访过半住户",
    "材料已采购到位，下周集中施工",
)
NEED_PROGRESS = ("已联系相关单位现场查看", "已制定处理方案，正在协调实施", "本月已按计划完成一轮服务")
REJECTIONS = (
    "属于家庭内部事务，已电话沟通并给出建议",
    "属于物业合同范围，已转告物业公司处理",
    "经核实情况不属实",
)
CANCELLATIONS = ("已经自行解决了", "家里人回来了，不需要了", "")
DECLINES = ("这几天出差在外，无法前往", "时间冲突，请安排其他志愿者")
WITHDRAWALS = ("临时有事去不了了", "身体不舒服，请换人")
DISPUTES = (("实际服务时间没有这么长", 45), ("只来了一会儿就走了", None))
NOTES = ("已完成，老人很满意", "按时完成", "已处理好，留了联系方式", "顺利完成，拍照存档")
# What residents say, by the score they give: praise with five stars, a complaint with two.
COMMENTS = {
    5: ("服务很热心，谢谢！", "来得很及时", "非常满意", "态度好，很专业", ""),
    4: ("挺好的，谢谢", "整体满意", "服务不错", ""),
    3: ("还可以，就是来晚了一点", "一般，希望下次更细心", ""),
    2: ("来晚了一个多小时，也没提前说", "活没干完就走了", ""),
}
RESOURCE_COMMENTS = ("方便实惠", "服务周到", "离家近，很方便", "价格公道", "")
LEADER_COMMENTS = ("经常上门走访", "有事找他很快就办", "热心负责", "联系不太方便", "")


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


@dataclass(frozen=True, slots=True)
class DemoReport:
    built: bool  # False: the demo was already there, nothing was written
    counts: dict[str, int]


async def build_demo(
    *, now: datetime | None = None, seed: int = 7, residents: int = 300, transfers: int = 3000
) -> DemoReport:
    """Build the demo street with ``residents`` residents besides its volunteers, leaders and
    staff, and a history ending just before ``now`` with ``transfers`` ledger-only transfers
    woven in; or, if it is there already, only count it."""
    if residents < MIN_RESIDENTS or transfers < 0:
        raise ValueError(f"a demo street has at least {MIN_RESIDENTS} residents and no negative transfers")
    now = now or utcnow()
    password_hash = members.hash_password(PASSWORD)  # once: Argon2 is slow on purpose
    async with atomic():
        if await Member.exists().where(Member.phone == ADMIN):
            return DemoReport(False, await count_demo())
        end = now - HISTORY_ENDS
        start = end - HISTORY_SPAN
        street = await _build_street(
            random.Random(seed), password_hash, residents, founded=start - timedelta(days=2)
        )
        await _add_resources(street, start - timedelta(days=1))
        # DESIGN.md: "The demo also registers an Open311 client whose API key is linli-demo-open311".
        await open311.register_client(
            "邻里随手拍", street.communities[0].id, api_key=OPEN311_KEY, now=start - timedelta(days=1)
        )
        await Story(street, random.Random(seed + 2), seed, transfers, start, end).run()
    return DemoReport(True, await count_demo())


async def count_demo() -> dict[str, int]:
    """What the database holds, by kind and state: the demo's summary."""
    counts = {
        "areas": await Area.count(),
        "members": await Member.count(),
        "volunteers": await Role.count().where(Role.role == "volunteer"),
        "leaders": await Role.count().where(Role.role == "leader"),
        "organisations": await Organisation.count(),
        "resources": await Resource.count(),
    }
    for name, table in (("needs", Need), ("tasks", Task), ("claims", Claim), ("projects", Project)):
        counts[name] = await table.count()
        rows = await table.select(table.status, Count()).group_by(table.status).order_by(table.status)
        counts.update({f"{name}.{row['status']}": row["count"] for row in rows})
    counts["needs.escalated"] = await Need.count().where(Need.escalations > 0)
    counts["needs.overdue"] = await Need.count().where(Need.overdue == True)  # noqa: E712
    counts["tasks.overdue"] = await Task.count().where(Task.overdue == True)  # noqa: E712
    counts["projects.overdue"] = await Project.count().where(Project.overdue == True)  # noqa: E712
    counts["ratings"] = await Rating.count()
    counts["events"] = await Event.count()
    counts["transfers"] = await last_seq()
    return counts


# -- the street: areas, people, organisations, resources ------------------------------------------


async def _build_street(
    rng: random.Random, password_hash: str, residents: int, *, founded: datetime
) -> Street:
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


async def _add_resources(s: Street, now: datetime) -> None:
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


# -- the month of history -------------------------------------------------------------------------


def _cast(s: Street) -> ledger_demo.Cast:
    """The ledger history's parts, played by the street's accounts; its money accounts (CNY: the
    community fund, donors, grant escrow) are its own, under ids that say they are the demo's."""
    first, second = s.communities
    org = s.organisations
    people = [s.phones[phone] for phone in (GRID_LEADER, VOLUNTEER, RESIDENT)] + first.volunteers[1:58]
    fund, world, escrow = f"demo:fund:{first.id}", "demo:world:donors", "demo:escrow:grants"
    grantees = tuple(f"demo:org:{org[key]}:grants" for key in ("social", "enterprise"))
    no_overdraft = DEBITS_MUST_NOT_EXCEED_CREDITS
    opens = (
        (fund, "CNY", "fund", f"area:{first.id}", f"{first.name}基金 community fund", no_overdraft),
        (world, "CNY", "world", "", "outside donors", 0),
        (escrow, "CNY", "escrow", f"area:{first.id}", "venture grants held for milestones", no_overdraft),
        (grantees[0], "CNY", "organisation", f"org:{org['social']}", "邻里社工服务中心 grants", no_overdraft),
        (grantees[1], "CNY", "organisation", f"org:{org['enterprise']}", "安居物业公司 grants", no_overdraft),
    )
    return ledger_demo.Cast(
        members=tuple(member_account(member) for member in people),
        issuers=(issuer_account(first.id), issuer_account(second.id)),
        organisations=tuple(organisation_account(org[key]) for key in ("team", "social", "enterprise")),
        merchants=tuple(organisation_account(org[key]) for key in ("barber", "grocery", "canteen")),  # type: ignore[arg-type]
        fund=fund,
        world=world,
        escrow=escrow,
        grantees=grantees,
        opens=opens,
        prefix="demo-street",
    )


Steps = AsyncIterator[timedelta]


class Story:
    """The street's month: stories on one simulated clock (see the module's docstring)."""

    def __init__(
        self, street: Street, rng: random.Random, seed: int, transfers: int, start: datetime, end: datetime
    ):
        self.s = street
        self.rng = rng
        self.seed = seed
        self.transfers = transfers
        self.start = start
        self.end = end
        self.now = start
        self._queue: list[tuple[datetime, int, Steps]] = []
        self._order = itertools.count()
        self._actors: dict[int, Actor] = {}
        self.rated: set[tuple[int, int]] = set()  # (rater, resource)
        self.assessed: list[int] = []  # the indicator system's assessment leaves, once planted

    # -- the timeline --

    def at(self, moment: datetime, steps: Steps) -> None:
        heapq.heappush(self._queue, (moment, next(self._order), steps))

    async def run(self) -> None:
        self._plan()
        while self._queue:
            moment, order, steps = heapq.heappop(self._queue)
            if moment > self.end:
                await steps.aclose()  # it would happen after today: it stops where it is
                continue
            self.now = moment
            try:
                wait = await anext(steps)
            except StopAsyncIteration:
                continue
            heapq.heappush(self._queue, (moment + max(wait, timedelta(seconds=1)), order, steps))
        self.now = self.end
        await sweep(now=self.end)

    def hours(self, low: float, high: float) -> timedelta:
        return timedelta(minutes=self.rng.randint(int(low * 60), int(high * 60)))

    async def actor(self, member_id: int) -> Actor:
        if member_id not in self._actors:
            self._actors[member_id] = await load_actor(member_id)
        return self._actors[member_id]

    # -- the plan: which story starts when --

    def _plan(self) -> None:
        first, second = self.s.communities
        rng, start, end = self.rng, self.start, self.end
        self.at(start, self.sweeper())
        self.at(start, self.ledger_history())

        def early() -> datetime:  # early enough to finish well before today
            return start + timedelta(minutes=rng.randint(6 * 60, 22 * 24 * 60))

        def ago(days: float) -> datetime:
            return end - timedelta(hours=days * 24)

        kinds = ("volunteer",) * 8 + (
            "decline",
            "pool",
            "pool",
            "team",
            "dispute",
            "reject",
            "cancel",
            "cancel_triaged",
            "progress",
        )
        scale = self.s.residents / 300  # as many stories per resident, whatever the street's size
        for c, count in ((first, round(90 * scale)), (second, round(35 * scale))):
            for _ in range(count):
                self.at(early(), self.personal(c, kind=rng.choice(kinds)))
            for _ in range(count // 6):
                self.at(early(), self.common(c))
            for _ in range(count // 10):
                self.at(
                    early(), self.event(c, fate=rng.choice(("done", "done", "done", "expired", "cancelled")))
                )
            for _ in range(count // 4):
                self.at(early(), self.rate_resources(c))
        self.at(early(), self.beyond(first, handled=True))
        self.at(start + timedelta(days=2), self.project(first, 0, "enterprise", days=18, fate="completed"))
        self.at(start + timedelta(days=12), self.project(first, 1, "social", days=30, fate="claimed"))
        self.at(ago(4), self.project(first, 2, None, days=30, fate="published"))
        self.at(start + timedelta(days=4), self.project(second, 3, "team2", days=22, fate="claimed"))

        # Work in flight today, in every state; DESIGN.md's people have some of it on their desk.
        # Each starts early enough to reach its state, late enough that no deadline passed yet
        # (except where one should have: overdue work).
        phone = self.s.phones
        resident, volunteer, leader = phone[RESIDENT], phone[VOLUNTEER], phone[GRID_LEADER]
        in_leaders_grid = [m for m in first.residents if first.grid_of[first.home[m]] == first.grids[0]]
        self.at(ago(0.1), self.personal(first, resident=resident, kind="volunteer", stop="new"))
        self.at(
            ago(0.3),
            self.personal(
                first, resident=rng.choice(in_leaders_grid), kind="volunteer", stop="new", via=leader
            ),
        )
        self.at(ago(0.5), self.personal(second, kind="volunteer", stop="new"))
        self.at(ago(0.7), self.beyond(first, handled=False))
        self.at(ago(0.6), self.personal(first, kind="volunteer", grade="B", stop="triaged"))
        self.at(ago(12), self.personal(first, kind="progress", grade="C"))
        self.at(
            ago(0.4), self.personal(first, kind="volunteer", grade="A", stop="offered", volunteer=volunteer)
        )
        self.at(ago(0.5), self.personal(second, kind="decline", grade="A", stop="declined"))
        self.at(ago(2), self.personal(first, kind="volunteer", grade="B", stop="claimed"))
        self.at(ago(2), self.personal(first, kind="volunteer", grade="B", stop="checked_in"))
        self.at(
            ago(2.5), self.personal(first, resident=resident, kind="volunteer", grade="B", stop="submitted")
        )
        self.at(ago(3), self.personal(first, kind="dispute", grade="B", stop="disputed"))
        self.at(ago(3.5), self.personal(first, kind="volunteer", grade="A", stop="claimed"))  # overdue
        self.at(ago(25), self.personal(first, resident=resident, kind="volunteer", grade="A"))
        for days in (27, 20, 14, 8):
            self.at(ago(days), self.personal(first, kind="volunteer", grade="B", volunteer=volunteer))
        self.at(ago(1.3), self.personal(second, kind="volunteer", stop="new"))  # the sweep flags it
        # Supervision: needs overdue under notice, escalated, handed down and returned, and a
        # small thing a grid's leader took on (the board of 13900000101 and 13900000102).
        self.at(ago(5), self.supervised(first, answered=True))
        self.at(ago(3), self.supervised(first, answered=False))
        self.at(ago(1.2), self.supervised(second, answered=False))
        self.at(ago(2), self.handed_down(first, returned=False))
        self.at(ago(1.5), self.handed_down(first, returned=True))
        self.at(ago(6), self.taken(first))
        self.at(ago(3), self.common(first, places=4, stop=2, first=volunteer))  # open; a claim withdrawn
        self.at(ago(3), self.common(second, places=3, stop=3))  # full, the work not begun
        self.at(ago(3), self.common(first, places=3, stop=3, first=volunteer, check_in=True))
        self.at(ago(3), self.event(first, fate="expired"))
        self.at(ago(1), self.event(first, fate="open"))
        self.at(ago(6), self.event(second, fate="cancelled"))
        # 评社区 and the indicator system: a survey sampled, answered and published, the
        # street's assessor scoring; leaders rated (评三长). With their own draws, so the
        # stories above are the same whatever these do.
        self.at(start + timedelta(days=3), self.survey(random.Random(self.seed + 5)))
        self.at(ago(3), self.assess(random.Random(self.seed + 6)))
        leaders_rng = random.Random(self.seed + 7)
        for c in (first, second):
            for _ in range(len(c.residents) // 6):
                self.at(early(), self.rate_leaders(c, leaders_rng))

    # -- stories --

    async def sweeper(self) -> Steps:
        """The app's periodic deadline sweep (督办), every hour."""
        while True:
            await sweep(now=self.now)
            yield SWEEP_EVERY

    async def ledger_history(self) -> Steps:
        """The ledger's demo episodes, spread evenly over the month."""
        cast = _cast(self.s)
        await ledger_demo.open_accounts(cast)
        demo = ledger_demo.history(cast, seed=self.seed, start=self.start, end=self.end)
        spacing = (self.end - self.start - timedelta(hours=1)) / max(self.transfers, 1)
        while demo.written < self.transfers:
            demo.clock.at_least(self.now)
            before = demo.written
            await demo.episode()
            yield spacing * (demo.written - before)

    def resident_of(self, c: Community, *, exclude: tuple[int, ...] = ()) -> int:
        while True:
            member = self.rng.choice(c.residents)
            if member not in exclude:
                return member

    def volunteers_for(self, c: Community, count: int, *, exclude: tuple[int, ...] = ()) -> list[int]:
        pool = [member for member in c.volunteers if member not in exclude]
        return self.rng.sample(pool, min(count, len(pool)))

    def manager_of(self, c: Community, unit: int) -> int:
        """A leader of the unit, its building or its grid (the one who confirms and settles)."""
        area = self.rng.choice((unit, c.building_of[unit], c.grid_of[unit], c.grid_of[unit]))
        return c.leaders[area]

    async def report(
        self,
        c: Community,
        resident: int,
        category: str,
        description: str,
        *,
        scope: str = "personal",
        via: int | None = None,
        channel: str | None = None,
    ) -> int:
        """The resident reports online, or a leader (door visit) or staff (hotline) for them."""
        if via is None and channel is None and self.rng.random() < 0.4:
            via = self.rng.choice((self.manager_of(c, c.home[resident]), c.staff))
        channel = channel or ("online" if via is None else ("hotline" if via == c.staff else "door_visit"))
        reporter = await self.actor(via if via is not None else resident)
        need = await needs.report_need(
            reporter,
            category=category,
            description=description,
            scope=scope,
            channel=channel,
            resident_id=None if via is None else resident,
            address=self.address_of(c, resident, scope),
            preferred_time=PREFERRED_TIMES[resident % len(PREFERRED_TIMES)],
            now=self.now,
        )
        return need.id

    @staticmethod
    def address_of(c: Community, resident: int, scope: str) -> str:
        """Where the work is: the resident's room (3号楼2单元501), or a landmark for a common need
        (from the member's id, not the random stream: the demo stays the same as before)."""
        if scope == "common":
            return LANDMARKS[resident % len(LANDMARKS)]
        unit = c.home[resident]
        building = c.building_of[unit]
        number = [u for u in c.units if c.building_of[u] == building].index(unit) + 1
        return f"{c.building_names[building]}{number}单元{1 + resident % 6}0{1 + resident % 2}"

    async def personal(
        self,
        c: Community,
        *,
        kind: str,
        resident: int | None = None,
        grade: str | None = None,
        stop: str | None = None,
        via: int | None = None,
        volunteer: int | None = None,
    ) -> Steps:
        """A resident's own need, from report to rated work (or wherever ``stop`` says)."""
        rng = self.rng
        resident = resident or self.resident_of(c)
        category, description, title = rng.choice(PERSONAL)
        need = await self.report(c, resident, category, description, via=via)
        if stop == "new":
            return
        yield self.hours(0.3, 6)
        staff = await self.actor(c.staff)
        if kind == "cancel":
            await needs.cancel_need(
                await self.actor(resident), need, reason=rng.choice(CANCELLATIONS), now=self.now
            )
            return
        if kind == "reject":
            await needs.reject_need(staff, need, reason=rng.choice(REJECTIONS), now=self.now)
            return
        grade = grade or ("C" if kind == "progress" else rng.choice("AAB"))
        await triage_need(staff, need, grade=grade, now=self.now)
        if stop == "triaged":
            return
        if kind == "progress":  # a periodic need: a plan, then reports on it
            for note in NEED_PROGRESS:
                yield self.hours(24, 24 * 4)
                await report_progress(staff, need, note=note, now=self.now)
            return
        yield self.hours(0.2, 1.5) if grade == "A" else self.hours(1, 20)
        if kind == "cancel_triaged":
            await needs.cancel_need(
                await self.actor(resident), need, reason=rng.choice(CANCELLATIONS), now=self.now
            )
            return
        deadline = self.now + (timedelta(hours=20) if grade == "A" else timedelta(days=4))
        unit = c.home[resident]
        confirmer = rng.choice((resident, resident, self.manager_of(c, unit)))
        if kind == "team":
            work = self.by_team(c, need, title, deadline, confirmer, resident=resident)
        elif kind == "pool":
            work = self.by_pool(
                c,
                need,
                title,
                deadline,
                confirmer,
                places=rng.choice((1, 2)),
                exclude=(resident,),
                raters=[resident],
            )
        else:
            volunteer = volunteer or self.volunteers_for(c, 1, exclude=(resident,))[0]
            work = self.dispatched(
                c,
                need,
                title,
                deadline,
                volunteer,
                confirmer,
                resident=resident,
                decline=kind == "decline",
                dispute=kind == "dispute",
                stop=stop,
            )
        async for wait in work:
            yield wait

    async def dispatched(
        self,
        c: Community,
        need: int,
        title: str,
        deadline: datetime,
        volunteer: int,
        confirmer: int,
        *,
        resident: int,
        decline: bool,
        dispute: bool,
        stop: str | None,
    ) -> Steps:
        """Staff send the task to a named volunteer, who accepts it (or declines first, and staff
        send it to another); the volunteer does the work and the resident or a leader confirms
        it, or the resident disputes it and the grid leader settles."""
        staff = await self.actor(c.staff)
        task = await tasks.create_task(
            staff,
            need_id=need,
            title=title,
            deadline=deadline,
            assignee=tasks.Assignee(member_id=volunteer),
            now=self.now,
        )
        if stop == "offered":
            return
        yield self.hours(0.2, 2)
        if decline:
            await tasks.decline_task(
                await self.actor(volunteer), task.id, reason=self.rng.choice(DECLINES), now=self.now
            )
            if stop == "declined":
                return
            yield self.hours(0.3, 2)
            volunteer = self.volunteers_for(c, 1, exclude=(resident, volunteer))[0]
            await tasks.dispatch_task(
                staff, task.id, assignee=tasks.Assignee(member_id=volunteer), now=self.now
            )
            yield self.hours(0.2, 2)
        performer = await self.actor(volunteer)
        await tasks.accept_task(performer, task.id, now=self.now)
        claim = await self.claim_of(task.id, volunteer)
        if stop == "claimed":
            return
        yield self.hours(0.5, 5)
        await claims.check_in(performer, claim, now=self.now)
        if stop == "checked_in":
            return
        yield self.hours(0.5, 3)
        submitted = await self.worked(claim)
        await claims.submit_work(
            performer, claim, minutes=submitted, note=self.rng.choice(NOTES), now=self.now
        )
        if stop == "submitted":
            return
        yield self.hours(0.5, 4)
        if not dispute:
            await claims.confirm_work(await self.actor(confirmer), claim, now=self.now)
            if self.rng.random() < 0.8:
                yield self.hours(0.5, 24)
                await self.rate(resident, claim)
            return
        reason, corrected = self.rng.choice(DISPUTES)
        if corrected is not None:
            corrected = min(corrected, submitted)  # a settlement lowers what was reported, never raises it
        await claims.dispute_work(await self.actor(resident), claim, reason=reason, now=self.now)
        if stop == "disputed":
            return
        yield self.hours(3, 20)
        leader = await self.actor(c.leaders[c.grid_of[c.home[resident]]])
        await claims.settle_dispute(
            leader,
            claim,
            accept=corrected is not None,
            minutes=corrected,
            now=self.now,
            reason="经网格长现场核实，按实际服务时长计" if corrected else "经核实未按约定提供服务",
        )

    async def rate(self, rater: int, claim: int) -> None:
        score = self.rng.choices((5, 4, 3, 2), (60, 28, 9, 3))[0]
        await ratings.rate_service(
            await self.actor(rater),
            claim,
            score=score,
            comment=self.rng.choice(COMMENTS[score]),
            now=self.now,
        )

    async def by_pool(
        self,
        c: Community,
        need: int | None,
        title: str,
        deadline: datetime,
        confirmer: int,
        *,
        places: int,
        exclude: tuple[int, ...],
        raters: list[int],
        stop: int | None = None,
        first: int | None = None,
        check_in: bool = False,
        category: str | None = None,
        area_id: int | None = None,
        project: int | None = None,
    ) -> Steps:
        """An open task with ``places``: volunteers claim it one by one (the second of them
        withdraws now and then), then all do the work. ``stop``: that many claims, then no more
        (``check_in``: two check in and one submits); ``first`` claims first."""
        staff = await self.actor(c.staff)
        task = await tasks.create_task(
            staff,
            need_id=need,
            project_id=project,
            title=title,
            capacity=places,
            category=category,
            area_id=area_id,
            deadline=deadline,
            now=self.now,
        )
        claimants = self.volunteers_for(c, places + 1, exclude=(*exclude, *([first] if first else [])))
        if first:
            claimants.insert(0, first)
        withdraw = places > 1 and (stop is not None or self.rng.random() < 0.15)
        taken: list[int] = []
        for number, member in enumerate(claimants[: places + (1 if withdraw else 0)]):
            yield self.hours(0.2, 3)
            claim = (await claims.claim_task(await self.actor(member), task.id, now=self.now)).id
            if withdraw and number == 1:
                yield self.hours(0.5, 3)
                await claims.withdraw_claim(
                    await self.actor(member), claim, reason=self.rng.choice(WITHDRAWALS), now=self.now
                )
                continue
            taken.append(claim)
            if stop is not None and len(taken) >= stop:
                break
        if stop is None:
            yield self.hours(2, 12)
            async for wait in self.finish(taken, confirmer, raters):
                yield wait
        elif check_in:
            for claim in taken[:2]:
                yield self.hours(0.5, 3)
                await claims.check_in(await self.performer(claim), claim, now=self.now)
            yield self.hours(0.5, 2)
            await claims.submit_work(
                await self.performer(taken[1]),
                taken[1],
                minutes=await self.worked(taken[1]),
                note=self.rng.choice(NOTES),
                now=self.now,
            )

    async def by_team(
        self, c: Community, need: int, title: str, deadline: datetime, confirmer: int, *, resident: int
    ) -> Steps:
        """Staff dispatch the task to the volunteer team; its representative accepts it and
        names two of its members, who do the work."""
        staff = await self.actor(c.staff)
        task = await tasks.create_task(
            staff,
            need_id=need,
            title=title,
            capacity=2,
            deadline=deadline,
            assignee=tasks.Assignee(organisation_id=c.team),
            now=self.now,
        )
        yield self.hours(0.3, 3)
        representative = await self.actor(self.s.representatives[c.team])
        await tasks.accept_task(representative, task.id, now=self.now)
        team = [member for member in self.s.staff_of[c.team] if member not in (resident, confirmer)]
        taken = []
        for member in self.rng.sample(team, 2):
            yield self.hours(0.1, 1)
            taken.append(
                (
                    await claims.claim_task(
                        representative, task.id, member_id=member, organisation_id=c.team, now=self.now
                    )
                ).id
            )
        yield self.hours(1, 8)
        async for wait in self.finish(taken, confirmer, [resident]):
            yield wait

    async def finish(self, taken: list[int], confirmer: int, raters: list[int]) -> Steps:
        """Everyone who took a place checks in and reports their minutes; the confirmer
        confirms each, and the residents who asked rate some of the work."""
        performers = {claim: (await claims.get_claim(claim)).member for claim in taken}
        for claim in taken:
            await claims.check_in(await self.actor(performers[claim]), claim, now=self.now)
            yield self.hours(0.1, 1)
        yield self.hours(1, 4)
        for claim in taken:
            await claims.submit_work(
                await self.actor(performers[claim]),
                claim,
                minutes=await self.worked(claim),
                note=self.rng.choice(NOTES),
                now=self.now,
            )
            yield self.hours(0.1, 1)
        yield self.hours(0.5, 4)
        for claim in taken:
            await claims.confirm_work(await self.actor(confirmer), claim, now=self.now)
            yield self.hours(0.1, 0.5)
        for rater in raters:
            mine = [claim for claim in taken if performers[claim] != rater]
            if mine and self.rng.random() < 0.7:
                yield self.hours(0.5, 12)
                await self.rate(rater, self.rng.choice(mine))

    async def performer(self, claim_id: int) -> Actor:
        return await self.actor((await claims.get_claim(claim_id)).member)

    async def worked(self, claim_id: int) -> int:
        """The minutes a volunteer reports: what they say they worked, never more than have
        passed since they checked in (the rule the domain enforces)."""
        said = self.rng.choice(MINUTES)
        checked_in = (await claims.get_claim(claim_id)).checked_in_at
        return max(1, min(said, claims.minutes_since(checked_in, self.now)))

    async def claim_of(self, task_id: int, member_id: int) -> int:
        row = (
            await Claim.select(Claim.id).where((Claim.task == task_id) & (Claim.member == member_id)).first()
        )
        return row["id"]

    async def common(
        self,
        c: Community,
        *,
        places: int | None = None,
        stop: int | None = None,
        first: int | None = None,
        check_in: bool = False,
    ) -> Steps:
        """A common need: neighbours join it (+1), a duplicate is merged into it, then an open
        task with a few places answers it and its supporters rate the work. Now and then a grid
        leader finds it on patrol."""
        rng = self.rng
        category, description, title = rng.choice(COMMON)
        patrol = rng.random() < 0.2
        resident = c.leaders[rng.choice(c.grids)] if patrol else self.resident_of(c)
        building = c.building_names[c.building_of[c.home[resident]]]
        description, title = description.format(building=building), title.format(building=building)
        channel = "grid_patrol" if patrol else None
        need = await self.report(c, resident, category, description, scope="common", channel=channel)
        supporters: list[int] = []
        for member in rng.sample(c.residents, rng.randint(2, 7)):
            if member == resident:
                continue
            yield self.hours(0.2, 2)
            await needs.join_need(await self.actor(member), need, now=self.now)
            supporters.append(member)
        staff = await self.actor(c.staff)
        if rng.random() < 0.4:
            again = self.resident_of(c, exclude=(resident, *supporters))
            yield self.hours(0.2, 2)
            duplicate = await self.report(c, again, category, description, scope="common")
            yield self.hours(0.2, 2)
            await needs.merge_need(staff, duplicate, into=need, now=self.now)
            supporters.append(again)
        yield self.hours(0.2, 2)
        await triage_need(staff, need, grade="B", now=self.now)
        yield self.hours(1, 12)
        confirmer = c.leaders[c.grid_of[c.home[resident]]]
        work = self.by_pool(
            c,
            need,
            title,
            self.now + timedelta(days=4),
            confirmer,
            places=places or rng.randint(2, 4),
            exclude=(resident, confirmer),
            raters=[resident, *supporters[:3]],
            stop=stop,
            first=first,
            check_in=check_in,
        )
        async for wait in work:
            yield wait

    async def event(self, c: Community, *, fate: str) -> Steps:
        """A task of its own in the open pool (no need behind it): a clean-up, a patrol, a talk.
        ``fate``: done, expired (nobody signs up), cancelled, or open (today)."""
        category, title, description = self.rng.choice(EVENTS)
        staff = await self.actor(c.staff)
        starts = self.now + self.hours(30, 60)
        task = await tasks.create_task(
            staff,
            title=title,
            description=description,
            area_id=c.id,
            category=category,
            capacity=self.rng.randint(4, 10),
            starts_at=starts,
            deadline=starts + timedelta(hours=6),
            now=self.now,
        )
        if fate == "expired":
            return  # the sweep lets it expire once its deadline passes
        taken = []
        for member in self.volunteers_for(c, self.rng.randint(2, min(task.capacity, 5))):
            yield self.hours(0.5, 5)
            taken.append((await claims.claim_task(await self.actor(member), task.id, now=self.now)).id)
        if fate == "open":
            return
        if fate == "cancelled":
            yield self.hours(1, 6)
            await tasks.cancel_task(staff, task.id, reason="天气原因，活动取消", now=self.now)
            return
        yield max(starts - self.now, timedelta(minutes=1))
        async for wait in self.finish(taken, c.staff, []):
            yield wait
        # The sweep completes the task once its deadline passes (its places were not all taken).

    async def beyond(self, c: Community, *, handled: bool) -> Steps:
        """A need beyond the community's authority: escalated to the street, whose staff dispatch
        it to the property company (or have not yet, today)."""
        category, description, title = self.rng.choice(BEYOND_COMMUNITY)
        resident = self.resident_of(c)
        need = await self.report(c, resident, category, description, scope="common")
        yield self.hours(0.5, 4)
        await escalate_need(
            await self.actor(c.staff), need, reason="超出社区职权范围，需街道协调", now=self.now
        )
        if not handled:
            return
        yield self.hours(1, 8)
        street = await self.actor(self.s.street_staff)
        await triage_need(street, need, grade="B", now=self.now)
        yield self.hours(2, 24)
        await report_progress(street, need, note=NEED_PROGRESS[0], now=self.now)
        enterprise = self.s.organisations["enterprise"]
        task = await tasks.create_task(
            street,
            need_id=need,
            title=title,
            capacity=1,
            deadline=self.now + timedelta(days=5),
            assignee=tasks.Assignee(organisation_id=enterprise),
            now=self.now,
        )
        yield self.hours(1, 6)
        representative = await self.actor(self.s.representatives[enterprise])
        await tasks.accept_task(representative, task.id, now=self.now)
        worker = self.s.staff_of[enterprise][0]
        claim = await claims.claim_task(
            representative, task.id, member_id=worker, organisation_id=enterprise, now=self.now
        )
        yield self.hours(12, 48)
        async for wait in self.finish([claim.id], c.leaders[c.grid_of[c.home[resident]]], [resident]):
            yield wait

    async def supervised(self, c: Community, *, answered: bool) -> Steps:
        """A need nobody triaged in time: the sweep flags it, the street issues a notice (督办单)
        and the community answers it with a progress report, or has not yet, past its answer-by."""
        category, description, _ = self.rng.choice(PERSONAL)
        resident = self.resident_of(c)
        need = await self.report(c, resident, category, description)
        yield timedelta(hours=26)  # past the day allowed for triage: the hourly sweep flags it
        street = await self.actor(self.s.street_staff)
        await supervise(
            street,
            need,
            note="该需求已逾期未分流，请社区一日内答复处理进展",
            answer_by=self.now + timedelta(days=1),
            now=self.now,
        )
        if not answered:
            return  # the sweep flags the notice too, once its answer-by has passed
        yield self.hours(2, 12)
        staff = await self.actor(c.staff)
        await report_progress(staff, need, note="已安排网格员上门了解，今天内分流派单", now=self.now)
        yield self.hours(0.5, 2)
        await triage_need(staff, need, grade="A", now=self.now)

    async def handed_down(self, c: Community, *, returned: bool) -> Steps:
        """The community escalates a need (上报) with a reason; the street hands it back down
        (交办) with instructions and a deadline; the community does it, or returns it (退回)."""
        category, description, _ = self.rng.choice(PERSONAL)
        need = await self.report(c, self.resident_of(c), category, description)
        yield self.hours(1, 6)
        await escalate_need(
            await self.actor(c.staff), need, reason="涉及房屋产权，社区无权处理", now=self.now
        )
        yield self.hours(2, 10)
        street = await self.actor(self.s.street_staff)
        await hand_down(
            street, need, area_id=c.id, note="已与房管所沟通，请社区牵头上门核实后派单",
            deadline=self.now + timedelta(days=3), now=self.now,
        )  # fmt: skip
        yield self.hours(1, 8)
        staff = await self.actor(c.staff)
        if returned:
            await return_need(staff, need, reason="房管所要求街道出具协调函，社区无法独立办理", now=self.now)
        else:
            await triage_need(staff, need, grade="B", now=self.now)

    async def taken(self, c: Community) -> Steps:
        """A small thing stays in the grid: the grid's leader takes it on, does it, and the
        resident confirms."""
        grid = c.grids[0]
        resident = self.rng.choice(
            [m for m in c.residents if c.grid_of[c.home[m]] == grid and m not in c.leaders.values()]
        )
        category, description, _ = self.rng.choice(PERSONAL)
        need = await self.report(c, resident, category, description)
        yield self.hours(0.5, 3)
        leader = await self.actor(c.leaders[grid])
        await take_need(leader, need, now=self.now)
        claim = (
            await Claim.select(Claim.id)
            .where(Claim.member == leader.member_id)
            .order_by(Claim.id, ascending=False)
            .first()
        )["id"]
        yield self.hours(0.5, 4)
        await claims.check_in(leader, claim, now=self.now)
        yield self.hours(0.5, 2)
        await claims.submit_work(
            leader, claim, minutes=await self.worked(claim), note="已上门处理好", now=self.now
        )
        yield self.hours(1, 12)
        await claims.confirm_work(await self.actor(resident), claim, now=self.now)

    async def project(
        self, c: Community, number: int, claimant: str | None, *, days: int, fate: str
    ) -> Steps:
        """A service project (服务项目书) drawn up from residents' common needs after a
        consultation meeting, claimed by an organisation, carried out through milestones."""
        title, content, measures, (category, description) = PROJECTS[number]
        staff = await self.actor(c.staff)
        raised = []
        for resident in self.rng.sample(c.residents, 3):
            raised.append(
                await self.report(
                    c, resident, category, description, scope="common", via=c.staff, channel="consultation"
                )
            )
            yield self.hours(1, 8)
        for need in raised:
            await triage_need(staff, need, grade="C", now=self.now)
        yield self.hours(12, 48)
        project = await service_projects.create_project(
            staff,
            title=title,
            content=content.format(community=c.name),
            measures=measures,
            area_id=c.id,
            deadline=self.now + timedelta(days=days),
            need_ids=raised,
            now=self.now,
        )
        if fate == "published":
            return
        yield self.hours(12, 36)
        organisation = self.s.organisations[claimant or "social"]
        runner = await self.actor(self.s.representatives[organisation])
        await service_projects.claim_project(runner, project.id, organisation_id=organisation, now=self.now)
        for offset, milestone in enumerate(MILESTONES):
            due = self.now + timedelta(days=days * (offset + 1) // (len(MILESTONES) + 1))
            project = await service_projects.add_milestone(
                runner, project.id, title=milestone, due=due, now=self.now
            )
        yield self.hours(24, 72)
        await service_projects.publish_progress(runner, project.id, note=PROGRESS[0], now=self.now)
        await service_projects.complete_milestone(
            runner, project.id, project.milestones[0].id, report="已入户走访并公示方案", now=self.now
        )
        yield self.hours(12, 48)
        work = self.by_pool(
            c,
            None,
            f"{title}：志愿者招募",
            self.now + timedelta(days=3),
            c.staff,
            places=3,
            exclude=(),
            raters=[],
            category=category,
            area_id=c.id,
            project=project.id,
        )
        async for wait in work:
            yield wait
        for note in PROGRESS[1:]:
            yield self.hours(24, 72)
            await service_projects.publish_progress(runner, project.id, note=note, now=self.now)
        if fate != "completed":
            return
        for milestone in project.milestones[1:]:
            yield self.hours(12, 48)
            await service_projects.complete_milestone(
                runner, project.id, milestone.id, report="按计划完成", now=self.now
            )
        yield self.hours(12, 24)
        await service_projects.complete_project(staff, project.id, now=self.now)

    async def survey(self, rng: random.Random) -> Steps:
        """The street samples its residents, most of the drawn answer over two weeks, and the
        results are published the day after it closes; the indicator system is planted on them."""
        street = await self.actor(self.s.street_staff)
        closes_at = self.now + timedelta(days=14)
        survey = await surveys.create_survey(
            street,
            area_id=self.s.street,
            title=demo_appraisal.SURVEY_TITLE,
            description=demo_appraisal.SURVEY_DESCRIPTION,
            questions=demo_appraisal.survey_questions(),
            sample_size=min(120, self.s.residents // 3),
            closes_at=closes_at,
            now=self.now,
        )
        await surveys.draw_sample(street, survey.id, now=self.now)
        drawn = (await surveys.survey_draw(street, survey.id)).sample
        keys = [key for key, _ in demo_appraisal.QUESTIONS]
        ids = {question.position: question.id for question in survey.questions}
        better = set(self.s.communities[0].residents)
        for member in drawn:
            yield timedelta(days=13) / len(drawn)
            if rng.random() < 0.2:
                continue  # not everyone drawn answers
            weights = (2, 3, 10, 40, 45) if member in better else (4, 8, 25, 40, 23)
            scores = {ids[n]: rng.choices(range(1, 6), weights)[0] for n, key in enumerate(keys, 1) if key}
            words = {
                ids[n]: rng.choice(demo_appraisal.SUGGESTIONS) for n, key in enumerate(keys, 1) if not key
            }
            await surveys.answer_survey(
                await self.actor(member), survey.id, scores=scores, texts=words, now=self.now
            )
        yield closes_at - self.now + timedelta(hours=20)
        await survey_results.publish_results(street, survey.id, now=self.now)
        questions = {key: ids[n] for n, key in enumerate(keys, 1) if key}
        self.assessed = await demo_appraisal.plant_indicators(questions)
        await demo_appraisal.appoint_assessor(self.s.street_staff, self.s.street, self.now)

    async def assess(self, rng: random.Random) -> Steps:
        """The street's assessor scores each community's assessment indicators for the year."""
        street = await self.actor(self.s.street_staff)
        for c in self.s.communities:
            for indicator in self.assessed:
                await indicators.assess(
                    street,
                    indicator,
                    c.id,
                    year=self.now.year,
                    score=rng.randint(70, 96),
                    note=rng.choice(demo_appraisal.NOTES),
                    now=self.now,
                )
                yield timedelta(minutes=rng.randint(3, 20))

    async def rate_leaders(self, c: Community, rng: random.Random) -> Steps:
        """A resident scores their unit's, building's and grid's leaders (评三长, once a quarter)."""
        resident = await self.actor(rng.choice(c.residents))
        for leader in await ratings.my_leaders(resident, now=self.now):
            if leader.leader is None or leader.leader == resident.member_id or leader.score is not None:
                continue
            score = rng.choices((5, 4, 3, 2), (50, 35, 12, 3))[0]
            await ratings.rate_leader(
                resident, leader.area, score=score, comment=rng.choice(LEADER_COMMENTS), now=self.now
            )
            yield timedelta(minutes=rng.randint(1, 30))

    async def rate_resources(self, c: Community) -> Steps:
        """Residents rate the resources they used (三评： once a quarter each)."""
        for _ in range(3):
            resident = self.resident_of(c)
            resource, organisation, community = self.rng.choice(self.s.resources)
            if (
                community != c.id  # a community's people rate its resources
                or (resident, resource) in self.rated
                or resident in self.s.staff_of.get(organisation, ())
                or (self.s.representatives.get(organisation) == resident)
            ):
                continue
            self.rated.add((resident, resource))
            score = self.rng.choices((5, 4, 3), (55, 35, 10))[0]
            await ratings.rate_resource(
                await self.actor(resident),
                resource,
                score=score,
                comment=self.rng.choice(RESOURCE_COMMENTS),
                now=self.now,
            )
            yield self.hours(2, 48)
