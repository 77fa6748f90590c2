"""A district's worth of data (`linli demo --scale district`): about 100 communities, 1,000 grids,
a million residents and a year of needs, tasks, claims, ratings and the points they banked.

Unlike the demo street (demo/build.py), which goes through every use case, this writes rows
in bulk (demo/bulk.py) inside one transaction: the district, its people and its year are there
entirely or not at all. The rows are those the use cases would have written (demo/history.py
draws each need's life by the loop's rules). Then the points of the confirmed claims are posted
through the ledger's own ``post_batch``, an hour of confirmations at a time and each hour in a
transaction of its own, as a running app posts them (one transaction would make PostgreSQL
keep every version of each community issuer's account row until it ends), so that hashes,
sequence numbers and balances are the ledger's and ``linli ledger verify`` passes at any moment;
run again, it finishes banking that was interrupted.

The accounts of DESIGN.md ("Demo accounts", password ``linli-demo``) are there, in 南关区 →
鸿城街道 → 幸福里社区 and 和平里社区; residents have mobile numbers from 13900000000 upward, and
the first hundred are volunteers of 幸福里社区. Everything is drawn from ``random.Random(seed)``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import groupby

from demo.accounts import PASSWORD
from demo.bulk import Bulk
from demo.history import (
    CLAIM_COLUMNS,
    EVENT_COLUMNS,
    NEED_COLUMNS,
    RATING_COLUMNS,
    TASK_COLUMNS,
    History,
    Home,
    Writer,
)
from demo.names import GIVEN, SURNAMES
from ledger.accounts import DEBITS_MUST_NOT_EXCEED_CREDITS
from ledger.posting import NewTransfer, as_utc
from ledger.transfers import post_batch
from projects import members
from projects.areas import issuer_account
from projects.db import utcnow
from projects.members import member_account
from projects.organisations import organisation_account
from projects.points import confirmation_transfer_id
from projects.tables import Area, Category, Claim, Member

NUMERALS = "一二三四五六七八九十"
STREETS = (
    "鸿城街道",
    "东风街道",
    "长青街道",
    "永安街道",
    "桃源街道",
    "民主街道",
    "自强街道",
    "曙光街道",
    "南湖街道",
    "西安街道",
)
WORDS = "春晖友谊光明团结新华建设朝阳红旗文化育才"
ENDINGS = "里苑园坊湾居庭府城村"
FIRST_COMMUNITIES = ("幸福里社区", "和平里社区")
RESIDENT_PHONES = 13_900_000_000  # residents are numbered from here, as in the demo street
SKIPPED_PHONES = range(13_900_000_100, 13_900_000_103)  # named staff of DESIGN.md's demo accounts
STAFF_PHONES = 13_700_000_000  # staff of the other communities and streets
TEAM_SIZE = 20
HISTORY_ENDS = timedelta(minutes=5)  # before the real now
OWN_NEEDS_EVERY = 2000  # one need in so many is the demo resident's


@dataclass(frozen=True, slots=True)
class Scale:
    streets: int
    communities: int  # per street
    grids: int  # per community
    buildings: int  # per grid
    units: int  # per building
    residents: int  # in all (rounded to a whole number per unit)
    days: int  # of history
    needs_per_resident_year: float
    volunteer_share: float  # of each community's residents


SCALES = {
    # CI's smoke test: seconds.
    "tiny": Scale(1, 2, 2, 2, 2, 400, 60, 2.0, 0.5),
    "small": Scale(2, 5, 5, 4, 4, 20_000, 365, 0.1, 0.05),
    # The size of a real district: Erqi found 108,372 problems in a year.
    "district": Scale(10, 10, 10, 10, 4, 1_000_000, 365, 0.1, 0.05),
}

# (phone, role as `linli demo` prints it); the ids 1-10 in this order.
NAMED = (
    ("13800000000", "admin 管理员"),
    ("13800000001", "community staff 社区工作者, 幸福里社区"),
    ("13800000002", "grid leader 网格长, 幸福里社区第一网格"),
    ("13800000003", "volunteer 志愿者, 幸福里社区"),
    ("13800000004", "resident 居民, 幸福里社区"),
    ("13800000005", "enterprise representative, 安居物业公司"),
    ("13800000006", "merchant representative, 爱心理发店"),
    ("13900000100", "community staff, 和平里社区"),
    ("13900000101", "street staff, 鸿城街道"),
    ("13900000102", "district staff, 南关区"),
)
(
    ADMIN,
    STAFF_1,
    GRID_LEADER,
    VOLUNTEER,
    RESIDENT,
    ENTERPRISE,
    MERCHANT,
    STAFF_2,
    STREET_STAFF,
    DISTRICT_STAFF,
) = range(1, 11)


@dataclass
class Community:
    id: int
    name: str
    street_index: int
    grids: list[int] = field(default_factory=list)
    units: list[int] = field(default_factory=list)  # indexes into District.units
    staff: int = 0
    residents: range = range(0)
    volunteers: range = range(0)
    team: int = 0


@dataclass
class District:
    id: int = 0
    streets: list[int] = field(default_factory=list)
    street_staff: list[int] = field(default_factory=list)
    communities: list[Community] = field(default_factory=list)
    # each unit: (id, building, grid, community index)
    units: list[tuple[int, int, int, int]] = field(default_factory=list)
    first_unit_of_grid: dict[int, int] = field(default_factory=dict)  # grid -> index of its first unit
    grid_leaders: dict[int, int] = field(default_factory=dict)
    per_unit: int = 0
    first_resident: int = 0
    members: int = 0  # the last member id


@dataclass(frozen=True, slots=True)
class DistrictReport:
    built: bool  # False: a demo was there already; nothing was written
    counts: dict[str, int]
    seconds: float


class Phases:
    """What the progress bar shows: a name and a total per phase (``None``: no bar)."""

    def __init__(self, progress=None):
        self.progress = progress

    def start(self, name: str, total: int) -> Callable[[int], None]:
        if self.progress is None:
            return lambda advance: None
        task = self.progress.add_task(name, total=total)
        return lambda advance: self.progress.advance(task, advance)


async def build_district(
    engine, *, scale: str = "district", seed: int = 7, now: datetime | None = None, progress=None
) -> DistrictReport:
    """Write the district at ``scale`` into an empty, migrated database (or find it there)."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}: one of {', '.join(SCALES)}")
    size = SCALES[scale]
    began = time.monotonic()
    if await Member.exists().where(Member.phone == NAMED[0][0]):
        # There already; if its banking was interrupted, it goes on where it stopped.
        await bank_confirmed_claims(Phases(progress))
        return DistrictReport(False, await count_district(), time.monotonic() - began)
    if await Area.count():
        raise ValueError("linli demo --scale writes into a database without areas: migrate a new one")
    now = now or utcnow()
    end = now - HISTORY_ENDS
    start = end - timedelta(days=size.days)
    founded = start - timedelta(days=30)
    rng = random.Random(seed)
    phases = Phases(progress)
    rates = {
        row["code"]: row["points_per_hour"]
        for row in await Category.select(Category.code, Category.points_per_hour)
    }
    password_hash = members.hash_password(PASSWORD)  # once: Argon2 is slow on purpose
    async with engine.transaction():
        bulk = Bulk(engine)
        district = await _areas(bulk, size, founded, phases)
        await _people(bulk, district, size, rng, password_hash, founded, phases)
        history = _history(district, size, rng, rates, start, end, phases)
        await _write_history(bulk, history, phases)
        await bulk.finish()
    await bank_confirmed_claims(phases)
    return DistrictReport(True, await count_district(), time.monotonic() - began)


# -- the areas -----------------------------------------------------------------------------------


async def _areas(bulk: Bulk, size: Scale, founded: datetime, phases: Phases) -> District:
    d = District()
    rows: list[tuple] = []
    ids = iter(range(1, 10**9))

    def area(level: str, name: str, parent: int | None, parent_path: str) -> tuple[int, str]:
        area_id = next(ids)
        path = f"{parent_path}{area_id}/"
        rows.append((area_id, parent, level, name, "", path, founded))
        return area_id, path

    d.id, district_path = area("district", "南关区", None, "/")
    names = iter(f"{word}{ending}社区" for ending in ENDINGS for word in WORDS[::2] + WORDS[1::2])
    for s in range(size.streets):
        street, street_path = area("street", STREETS[s % len(STREETS)], d.id, district_path)
        d.streets.append(street)
        for _ in range(size.communities):
            index = len(d.communities)
            name = FIRST_COMMUNITIES[index] if index < len(FIRST_COMMUNITIES) else next(names)
            community_id, community_path = area("community", name, street, street_path)
            community = Community(community_id, name, s)
            d.communities.append(community)
            for g in range(size.grids):
                grid, grid_path = area("grid", f"第{NUMERALS[g % 10]}网格", community_id, community_path)
                community.grids.append(grid)
                for b in range(size.buildings):
                    building, building_path = area("building", f"{b + 1}号楼", grid, grid_path)
                    for u in range(size.units):
                        unit, _ = area("unit", f"{u + 1}单元", building, building_path)
                        community.units.append(len(d.units))
                        d.first_unit_of_grid.setdefault(grid, len(d.units))
                        d.units.append((unit, building, grid, index))
    await bulk.insert(
        "projects_area",
        ("id", "parent", "level", "name", "name_en", "path", "created_at"),
        rows,
        phases.start("areas", len(rows)),
    )
    return d


# -- the people ----------------------------------------------------------------------------------


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2, 2))))


def _resident_phones() -> Iterator[str]:
    number = RESIDENT_PHONES
    while True:
        if number not in SKIPPED_PHONES:
            yield str(number)
        number += 1


async def _people(
    bulk: Bulk,
    d: District,
    size: Scale,
    rng: random.Random,
    password_hash: str,
    founded: datetime,
    phases: Phases,
) -> None:
    """Members, their roles, the communities' volunteer teams and two organisations, and every
    points account: each member's, each community's issuer, each organisation's."""
    first, second = d.communities[0], d.communities[1]
    home_unit = d.units[first.units[0]][0]
    named = [  # id, phone, name, home, admin
        (ADMIN, NAMED[0][0], "管理员", None, True),
        (STAFF_1, NAMED[1][0], "幸福里社工", None, False),
        (GRID_LEADER, NAMED[2][0], "网格长老李", home_unit, False),
        (VOLUNTEER, NAMED[3][0], "志愿者小张", home_unit, False),
        (RESIDENT, NAMED[4][0], "王阿姨", home_unit, False),
        (ENTERPRISE, NAMED[5][0], "安居物业负责人", home_unit, False),
        (MERCHANT, NAMED[6][0], "理发店老板", home_unit, False),
        (STAFF_2, NAMED[7][0], "和平里社工", None, False),
        (STREET_STAFF, NAMED[8][0], "街道干部", None, False),
        (DISTRICT_STAFF, NAMED[9][0], "区干部", None, False),
    ]
    staff_rows = list(named)
    next_id = len(named) + 1
    first.staff, second.staff = STAFF_1, STAFF_2
    for community in d.communities[2:]:
        community.staff = next_id
        staff_rows.append((next_id, str(STAFF_PHONES + next_id), f"{community.name}社工", None, False))
        next_id += 1
    d.street_staff = [STREET_STAFF]
    for street in d.streets[1:]:
        d.street_staff.append(next_id)
        staff_rows.append((next_id, str(STAFF_PHONES + next_id), f"街道干部{street}", None, False))
        next_id += 1
    d.per_unit = max(1, size.residents // len(d.units))
    d.first_resident = next_id
    for community in d.communities:
        count = d.per_unit * len(community.units)
        start = d.first_resident + community.units[0] * d.per_unit
        community.residents = range(start, start + count)
        volunteers = max(1, round(count * size.volunteer_share))
        community.volunteers = range(start, start + volunteers)
    d.members = d.first_resident + d.per_unit * len(d.units) - 1
    for grid, unit_index in d.first_unit_of_grid.items():  # each grid's leader lives in it
        d.grid_leaders[grid] = d.first_resident + unit_index * d.per_unit
    d.grid_leaders[first.grids[0]] = GRID_LEADER
    phones = _resident_phones()

    def member_rows() -> Iterator[tuple]:
        for member_id, phone, name, home, admin in staff_rows:
            yield (member_id, phone, name, password_hash, home, admin, True, founded)
        for index, (unit, _building, _grid, _community) in enumerate(d.units):
            for member_id in range(
                d.first_resident + index * d.per_unit, d.first_resident + (index + 1) * d.per_unit
            ):
                yield (member_id, next(phones), _name(rng), password_hash, unit, False, True, founded)

    total = d.members
    names: dict[int, str] = {}
    await bulk.insert(
        "projects_member",
        ("id", "phone", "name", "password_hash", "home_area", "is_admin", "active", "created_at"),
        _remember_names(member_rows(), names),
        phases.start("members", total),
    )

    roles_total = (
        total + sum(len(c.volunteers) for c in d.communities) + len(d.communities) * (size.grids + 1)
    )

    def role_rows() -> Iterator[tuple]:
        role_id = 1
        for member_id, _phone, _name, home, _admin in staff_rows:
            if home is not None:
                yield (role_id, member_id, home, "resident", founded)
                role_id += 1
        grants = [
            (STAFF_1, first.id),
            (STAFF_2, second.id),
            (STREET_STAFF, d.streets[0]),
            (DISTRICT_STAFF, d.id),
        ]
        grants += [(c.staff, c.id) for c in d.communities[2:]]
        grants += list(zip(d.street_staff[1:], d.streets[1:], strict=True))
        for member_id, area_id in grants:
            yield (role_id, member_id, area_id, "staff", founded)
            role_id += 1
        yield (role_id, VOLUNTEER, first.id, "volunteer", founded)
        role_id += 1
        for grid, leader in d.grid_leaders.items():
            yield (role_id, leader, grid, "leader", founded)
            role_id += 1
        for index, (unit, _building, _grid, _community) in enumerate(d.units):
            for member_id in range(
                d.first_resident + index * d.per_unit, d.first_resident + (index + 1) * d.per_unit
            ):
                yield (role_id, member_id, unit, "resident", founded)
                role_id += 1
        for community in d.communities:
            for member_id in community.volunteers:
                yield (role_id, member_id, community.id, "volunteer", founded)
                role_id += 1

    await bulk.insert(
        "projects_role",
        ("id", "member", "area", "role", "created_at"),
        role_rows(),
        phases.start("roles", roles_total),
    )

    organisations = [(1, "安居物业公司", "enterprise", first.id), (2, "爱心理发店", "merchant", first.id)]
    links = [(1, 1, ENTERPRISE, "representative"), (2, 2, MERCHANT, "representative")]
    for community in d.communities:
        community.team = len(organisations) + 1
        organisations.append((community.team, f"{community.name}志愿服务队", "volunteer_team", community.id))
        for position, member_id in enumerate(community.volunteers[:TEAM_SIZE]):
            links.append(
                (len(links) + 1, community.team, member_id, "representative" if position == 0 else "member")
            )
    await bulk.insert(
        "projects_organisation",
        ("id", "name", "kind", "area", "description", "created_at"),
        [(o, name, kind, area, "", founded) for o, name, kind, area in organisations],
    )
    await bulk.insert(
        "projects_organisation_member",
        ("id", "organisation", "member", "role", "created_at"),
        [(*link, founded) for link in links],
    )

    def account_rows() -> Iterator[tuple]:
        columns_tail = (0, 0, 0, 0, founded)
        for community in d.communities:
            yield (
                issuer_account(community.id),
                "PTS",
                "issuer",
                f"area:{community.id}",
                f"{community.name} points issuer",
                0,
                *columns_tail,
            )
        for o, name, kind, _area in organisations:
            yield (
                organisation_account(o),
                "PTS",
                "merchant" if kind == "merchant" else "organisation",
                f"org:{o}",
                name,
                DEBITS_MUST_NOT_EXCEED_CREDITS,
                *columns_tail,
            )
        for member_id in range(1, d.members + 1):
            account = member_account(member_id)
            yield (
                account,
                "PTS",
                "member",
                account,
                names.get(member_id, ""),
                DEBITS_MUST_NOT_EXCEED_CREDITS,
                *columns_tail,
            )

    await bulk.insert(
        "ledger_account",
        (
            "id",
            "asset",
            "kind",
            "owner",
            "name",
            "flags",
            "debits_posted",
            "credits_posted",
            "debits_pending",
            "credits_pending",
            "created_at",
        ),
        account_rows(),
        phases.start("accounts", d.members + len(d.communities) + len(organisations)),
    )
    names.clear()


def _remember_names(rows: Iterator[tuple], names: dict[int, str]) -> Iterator[tuple]:
    """Pass member rows through, keeping every name: member accounts are named after them."""
    for row in rows:
        names[row[0]] = row[2]
        yield row


# -- a year of needs -----------------------------------------------------------------------------


def _history(
    d: District,
    size: Scale,
    rng: random.Random,
    rates: dict[str, int],
    start: datetime,
    end: datetime,
    phases: Phases,
) -> History:
    total_residents = d.per_unit * len(d.units)
    count = round(total_residents * size.needs_per_resident_year * size.days / 365)
    span_s = (end - start).total_seconds()
    moments = sorted(start + timedelta(seconds=rng.random() * span_s) for _ in range(count))
    history = History()
    writer = Writer(rng, end, rates, history)
    homes: dict[int, Home] = {}
    advance = phases.start("needs drawn", count)
    for need_id, created in enumerate(moments, start=1):
        resident_index = rng.randrange(total_residents)
        unit_index = resident_index // d.per_unit
        resident = d.first_resident + resident_index
        if need_id % OWN_NEEDS_EVERY == 1:  # the demo resident (13800000004) has needs of her own
            unit_index, resident = d.communities[0].units[0], RESIDENT
        home = homes.get(unit_index) or homes.setdefault(unit_index, _home(d, unit_index))
        writer.need(need_id, created, resident, home)
        if need_id % 1000 == 0:
            advance(1000)
    advance(count % 1000)
    history.events.sort(key=lambda event: event[0])
    return history


def _home(d: District, unit_index: int) -> Home:
    unit, building, grid, community_index = d.units[unit_index]
    community = d.communities[community_index]
    team_members = community.volunteers[:TEAM_SIZE]
    return Home(
        unit=unit,
        building=building,
        grid=grid,
        community=community.id,
        street=d.streets[community.street_index],
        district=d.id,
        grid_leader=d.grid_leaders[grid],
        community_staff=community.staff,
        street_staff=d.street_staff[community.street_index],
        district_staff=DISTRICT_STAFF,
        volunteers=community.volunteers,
        team=community.team,
        team_members=team_members,
    )


async def _write_history(bulk: Bulk, history: History, phases: Phases) -> None:
    for table, columns, rows in (
        ("projects_need", NEED_COLUMNS, history.needs),
        ("projects_task", TASK_COLUMNS, history.tasks),
        ("projects_claim", CLAIM_COLUMNS, history.claims),
        ("projects_rating", RATING_COLUMNS, history.ratings),
    ):
        await bulk.insert(
            table, columns, rows, phases.start(table.removeprefix("projects_") + "s", len(rows))
        )
    events = ((seq, *event[1:], event[0]) for seq, event in enumerate(history.events, start=1))
    await bulk.insert("projects_event", EVENT_COLUMNS, events, phases.start("events", len(history.events)))


async def bank_confirmed_claims(phases: Phases) -> int:
    """Post the points of every confirmed claim that has not got its transfer yet, in the order
    they were confirmed, through the ledger's own ``post_batch``: one linked batch, and one
    transaction, per hour of confirmations, as a running app would have posted them. A batch
    that was posted is never posted twice (its transfers' ids are the claims'), so an interrupted
    run goes on where it stopped; the ledger verifies after every batch."""
    rows = await Claim.raw(
        "SELECT c.id AS id, c.task AS task, c.member AS member, c.points AS points, "
        "c.decided_at AS decided_at, k.title AS title, a.path AS path FROM projects_claim c "
        "JOIN projects_task k ON k.id = c.task JOIN projects_area a ON a.id = k.area "
        "WHERE c.status = 'confirmed' AND c.transfer_id IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM ledger_transfer l WHERE l.id = c.transfer_id) "
        "ORDER BY c.decided_at, c.id"
    )
    advance = phases.start("transfers", len(rows))
    postings = []
    for row in rows:
        community = int(row["path"].strip("/").split("/")[2])
        operation = NewTransfer(
            confirmation_transfer_id(int(row["task"]), int(row["member"])),
            issuer_account(community),
            member_account(int(row["member"])),
            int(row["points"]),
            "PTS",
            reason="task",
            reference=f"claim:{row['id']}",
            memo=row["title"][:200],
        )
        postings.append((as_utc(row["decided_at"]), operation))
    for _hour, batch in groupby(
        postings, key=lambda posting: posting[0].replace(minute=0, second=0, microsecond=0)
    ):
        hour = list(batch)
        await post_batch([operation for _, operation in hour], now=hour[-1][0])
        advance(len(hour))
    return len(postings)


# -- what is there -------------------------------------------------------------------------------


async def count_district() -> dict[str, int]:
    from demo.build import count_demo

    return await count_demo()
