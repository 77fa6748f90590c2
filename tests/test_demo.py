"""``linli demo``: the demo street, built once per engine by the real command, then read back.

The street is built in a subprocess (as a newcomer would build it), twice: the second run must
find it and write nothing. The tests then open the database and check what DESIGN.md promises.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import urllib.parse
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from demo.accounts import ACCOUNTS, PASSWORD
from demo.build import MIN_RESIDENTS, build_demo
from ledger.tables import Account, Transfer
from ledger.verify import verify
from projects import errors
from projects.access import load_actor
from projects.areas import get_area
from projects.members import authenticate, find_by_phone, member_account
from projects.tables import (
    Area,
    Claim,
    Event,
    Member,
    Milestone,
    Need,
    Organisation,
    OrganisationMember,
    Progress,
    Project,
    Rating,
    Resource,
    ResourceCategory,
    ResourceCoverage,
    Role,
    Task,
)
from tests.conftest import ENGINES, create_postgres_database
from web.database import close_database, open_database

TRANSFERS = 600  # ledger-only transfers woven in: enough for every kind, quicker than the default


@dataclass
class Built:
    engine: str
    url: str
    first: str  # what the first `linli demo` printed
    second: str  # ... and the second
    before: datetime  # the real time just before the first run


def linli(*args: str, url: str, cwd: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "web.cli", "--database", url, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=600,
    )
    assert result.returncode == 0, f"linli {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module", params=ENGINES)
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The demo street on each engine, built by `linli demo` on an empty database, then again."""
    folder = tmp_path_factory.mktemp("demo")
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'demo.sqlite'}"
    else:  # an empty database of its own on the session's server: `linli demo` migrates it
        server = request.getfixturevalue("postgres_url")
        name = f"linli_demo_{os.getpid()}"
        asyncio.run(create_postgres_database(server, name, replace=True))
        url = urllib.parse.urlparse(server)._replace(path=f"/{name}").geturl()
    before = datetime.now(UTC)
    first = linli("demo", "--transfers", str(TRANSFERS), url=url, cwd=folder)
    second = linli("demo", "--transfers", str(TRANSFERS), url=url, cwd=folder)
    return Built(request.param, url, first, second, before)


@pytest.fixture
async def street(built: Built) -> AsyncIterator[Built]:
    """The built demo's database, open for this test; its ledger must verify after."""
    engine = await open_database(built.url, pool_size=2)
    yield built
    report = await verify()
    await close_database(engine)
    assert report.ok, report.render()


def counts(output: str) -> dict[str, int]:
    """The ``kind count`` lines of `linli demo`'s summary."""
    lines = [line.split() for line in output.splitlines() if line.startswith("  ")]
    return {line[0]: int(line[1]) for line in lines if len(line) == 2 and line[1].isdigit()}


async def member_id(phone: str) -> int:
    member = await find_by_phone(phone)
    assert member is not None, phone
    return member.id


async def community_of(area_id: int) -> int:
    return (await get_area(area_id)).ancestor_ids()[2]


async def statuses(table) -> set[str]:
    return {row["status"] for row in await table.select(table.status).distinct()}


# -- running it ---------------------------------------------------------------------------------


async def test_a_second_run_finds_the_street_and_writes_nothing(street):
    assert street.first.startswith("demo street built")
    assert street.second.startswith("demo street already there: nothing written")
    assert counts(street.first) == counts(street.second)
    assert counts(street.first)["transfers"] == await Transfer.count()
    assert await build_demo(residents=MIN_RESIDENTS) == await build_demo()  # in process too: nothing new
    assert counts(street.first)["members"] == await Member.count()


def test_linli_ledger_verify_passes_on_the_demo_with_every_domain_record_and_its_transfer(built, tmp_path):
    """The demo's ledger-only history has references of its own kind (``demo:``); everything
    made through the use cases has exactly its transfer, and the chain verifies."""
    report = linli("ledger", "verify", url=built.url, cwd=tmp_path)
    assert report.startswith("ledger verified: ")
    assert "domain cross-check: every record that moved value has its transfer, and back" in report


async def test_it_says_where_to_sign_in_and_with_which_password(street):
    assert f"password {PASSWORD}" in street.first
    assert "/login" in street.first
    for phone, _ in ACCOUNTS:
        assert phone in street.first


async def test_every_account_of_design_md_has_its_number_and_role(street):
    """DESIGN.md's table of demo accounts, number by number: what outside checks sign in as."""
    from projects.access import load_actor

    def roles(actor) -> set[tuple[str, str]]:
        return {(grant.role, grant.level) for grant in actor.grants}

    async def actor(phone: str):
        return await load_actor(await member_id(phone))

    assert (await actor("13800000000")).is_admin
    staff = await actor("13800000001")
    assert ("staff", "community") in roles(staff)
    assert ("leader", "grid") in roles(await actor("13800000002"))
    assert ("volunteer", "community") in roles(await actor("13800000003"))
    resident = await actor("13800000004")
    assert resident.is_resident and not resident.has_desk
    assert (await actor("13800000005")).represented and (await actor("13800000006")).represented
    other = await actor("13900000100")
    assert ("staff", "community") in roles(other) and not (
        set(other.communities()) & set(staff.communities())
    )
    assert ("staff", "street") in roles(await actor("13900000101"))
    assert ("staff", "district") in roles(await actor("13900000102"))
    for number in (0, 57, 99):
        volunteer = await actor(f"139{number:08d}")
        assert volunteer.is_volunteer and volunteer.communities() == resident.communities()
    for phone in ("13800000000", "13800000004", "13900000100", "13900000101", "13900000102"):
        assert (await authenticate(phone, PASSWORD)).phone == phone


async def test_the_history_happened_over_the_last_month_and_before_now(street):
    first = await Event.select(Event.created_at).order_by(Event.seq).first()
    last = await Event.select(Event.created_at).order_by(Event.seq, ascending=False).first()
    assert street.before - timedelta(days=31) < first["created_at"] < street.before - timedelta(days=25)
    assert street.before - timedelta(days=2) < last["created_at"] < datetime.now(UTC)
    newest = await Transfer.select(Transfer.created_at).order_by(Transfer.created_at, ascending=False).first()
    assert newest["created_at"] < datetime.now(UTC)
    rows = await Event.select(Event.created_at).order_by(Event.seq)
    assert all(a["created_at"] <= b["created_at"] for a, b in zip(rows, rows[1:], strict=False))


# -- areas and people ---------------------------------------------------------------------------


async def test_one_street_of_two_communities_with_grids_buildings_and_units(street):
    areas = await Area.select()
    by_level: dict[str, list[dict]] = {}
    for area in areas:
        by_level.setdefault(area["level"], []).append(area)
        assert area["name"] and area["name_en"]
    assert [a["name"] for a in by_level["district"]] == ["南关区"]
    assert [a["name"] for a in by_level["street"]] == ["鸿城街道"]
    assert sorted(a["name"] for a in by_level["community"]) == ["和平里社区", "幸福里社区"]
    children: dict[int, int] = {}
    for area in areas:
        if area["parent"] is not None:
            children[area["parent"]] = children.get(area["parent"], 0) + 1
    for level, low, high in (("community", 2, 3), ("grid", 2, 4), ("building", 2, 3)):
        assert all(low <= children.get(a["id"], 0) <= high for a in by_level[level]), level


async def test_the_demo_accounts_sign_in_with_the_demo_password_and_hold_their_roles(street):
    actors = {}
    for phone in (f"1380000000{n}" for n in range(7)):
        member = await authenticate(phone, PASSWORD)
        actors[phone] = await load_actor(member.id)
    with pytest.raises(errors.BadCredentials):
        await authenticate("13800000003", "not-the-password")
    assert actors["13800000000"].is_admin

    def grants(phone: str, role: str) -> list:
        return [grant for grant in actors[phone].grants if grant.role == role]

    staff = grants("13800000001", "staff")
    assert [grant.level for grant in staff] == ["community"]
    community = staff[0].area_id
    assert (await get_area(community)).name == "幸福里社区"
    leading = grants("13800000002", "leader")
    assert [grant.level for grant in leading] == ["grid"]
    assert await community_of(leading[0].area_id) == community
    volunteering = grants("13800000003", "volunteer")
    assert [grant.area_id for grant in volunteering] == [community]
    for phone in ("13800000003", "13800000004"):
        assert actors[phone].home_area is not None
        assert (await get_area(actors[phone].home_area)).level == "unit"
        assert await community_of(actors[phone].home_area) == community
        assert grants(phone, "resident")
    assert not any(
        actors["13800000004"].is_admin or grant.role != "resident" for grant in actors["13800000004"].grants
    )
    for phone, kind in (("13800000005", "enterprise"), ("13800000006", "merchant")):
        represented = [org for org, role in actors[phone].organisations.items() if role == "representative"]
        assert represented, phone
        kinds = {row["kind"] for row in await Organisation.select().where(Organisation.id.is_in(represented))}
        assert kinds == {kind}
    for phone in ("13800000001", "13800000002", "13800000003", "13800000004", "13800000005", "13800000006"):
        assert not actors[phone].is_admin


async def test_the_first_hundred_139_numbers_are_volunteers_living_where_the_resident_lives(street):
    resident = await find_by_phone("13800000004")
    community = await community_of(resident.home_area)
    for phone in ("13900000000", "13900000099"):
        await authenticate(phone, PASSWORD)
    for number in range(100):
        member = await find_by_phone(f"139{number:08d}")
        actor = await load_actor(member.id)
        assert member.home_area is not None and await community_of(member.home_area) == community
        assert [grant.area_id for grant in actor.grants if grant.role == "volunteer"] == [community], number
    assert await find_by_phone("13900000100") is not None  # then the other residents, leaders, staff


async def test_a_few_hundred_residents_live_in_both_communities_with_their_leaders_and_staff(street):
    homes = await Member.select(Member.home_area).where(Member.home_area.is_not_null())
    communities: dict[int, int] = {}
    for row in homes:
        community = await community_of(row["home_area"])
        communities[community] = communities.get(community, 0) + 1
    assert len(communities) == 2 and sum(communities.values()) >= 300
    assert min(communities.values()) >= 50
    leaders = await Role.select(Role.area, Role.area.level).where(Role.role == "leader")
    led = {row["area"] for row in leaders}
    led_levels = {row["area.level"] for row in leaders}
    assert led_levels == {"grid", "building", "unit"}
    assert await Area.count().where(Area.level.is_in(["grid", "building", "unit"])) == len(led)
    staffed = {row["area.level"] for row in await Role.select(Role.area.level).where(Role.role == "staff")}
    assert staffed == {"community", "street", "district"}
    assert await Role.count().where(Role.role == "staff") >= 4  # both communities, the street, the district


async def test_organisations_of_every_kind_and_two_volunteer_teams_with_members(street):
    kinds = {row["kind"] for row in await Organisation.select(Organisation.kind)}
    assert kinds == {"enterprise", "social_organisation", "merchant", "government", "volunteer_team"}
    teams = await Organisation.select(Organisation.id).where(Organisation.kind == "volunteer_team")
    assert len(teams) == 2
    for team in teams:
        roles = [row["role"] for row in await OrganisationMember.select().where(
            OrganisationMember.organisation == team["id"]
        )]  # fmt: skip
        assert roles.count("representative") == 1 and roles.count("member") >= 5
    for organisation in await Organisation.select(Organisation.id):
        assert await Account.exists().where(Account.id == f"org:{organisation['id']}")


async def test_the_resource_library_covers_every_level_with_categories_and_coverage(street):
    levels = {row["level"] for row in await Resource.select(Resource.level)}
    assert levels == {"unit", "building", "grid", "community"}
    for resource in await Resource.select(Resource.id):
        assert await ResourceCategory.exists().where(ResourceCategory.resource == resource["id"])
        assert await ResourceCoverage.exists().where(ResourceCoverage.resource == resource["id"])


# -- the history --------------------------------------------------------------------------------


async def test_needs_tasks_claims_and_projects_are_in_every_state(street):
    assert await statuses(Need) == {
        "new", "triaged", "in_progress", "done", "rejected", "merged", "cancelled",
    }  # fmt: skip
    assert await Need.exists().where((Need.escalations > 0) & (Need.status == "new"))  # waiting at the street
    assert await Need.exists().where((Need.escalations > 0) & (Need.status == "done"))  # the street saw to it
    assert await Need.exists().where((Need.scope == "common") & (Need.supporters >= 2))
    assert await Need.count().where(Need.status == "merged") == await Need.count().where(
        Need.merged_into.is_not_null()
    )
    assert await statuses(Task) == {"offered", "declined", "open", "full", "done", "cancelled", "expired"}
    assert await statuses(Claim) >= {
        "claimed", "checked_in", "submitted", "disputed", "confirmed", "rejected", "withdrawn",
    }  # fmt: skip
    assert await statuses(Project) >= {"published", "claimed", "completed"}
    assert await Milestone.exists().where(Milestone.done_at.is_not_null())
    assert await Milestone.exists().where(Milestone.done_at.is_null())
    assert await Progress.count() >= 3
    channels = {row["channel"] for row in await Need.select(Need.channel).distinct()}
    assert channels >= {"door_visit", "online", "consultation", "hotline", "grid_patrol"}
    grades = {
        row["grade"] for row in await Need.select(Need.grade).distinct().where(Need.grade.is_not_null())
    }
    assert grades == {"A", "B", "C"}


async def test_the_deadline_sweep_flagged_overdue_work_and_took_nothing_away(street):
    assert await Need.exists().where(Need.overdue == True)  # noqa: E712
    assert await Task.exists().where(Task.overdue == True)  # noqa: E712
    assert await Project.exists().where(Project.overdue == True)  # noqa: E712
    swept = {
        row["action"] for row in await Event.select(Event.action).distinct().where(Event.actor.is_null())
    }
    assert swept >= {"overdue", "notice_overdue", "expire"} and "escalate" not in swept


async def test_the_street_and_district_find_their_supervision_board_filled(street):
    """Overdue needs under notice (one answered, one not), an escalated need, one handed down
    and one returned; and a small thing a grid's leader took on and did."""
    from projects.supervision import board

    for phone in ("13900000101", "13900000102"):
        found = await board(await load_actor(await member_id(phone)), limit=100)
        needs = [item.need for item in found.items]
        assert any(need.overdue for need in needs), phone
        assert any(item.notice_overdue for item in found.items), phone
        assert any(notice.answered_at for item in found.items for notice in item.notices), phone
    actions = {
        row["action"] for row in await Event.select(Event.action).distinct().where(Event.subject == "need")
    }
    assert actions >= {"supervise", "escalate", "hand_down", "return", "take", "progress"}
    street_staff = await load_actor(await member_id("13900000101"))
    waiting = await Need.select(Need.id).where(
        (Need.handling_area == street_staff.grants[0].area_id) & (Need.status == "new")
    )
    assert waiting  # escalated or returned: at the street, to triage
    assert await Need.exists().where(Need.handed_from.is_not_null())  # handed down, at the community


async def test_the_demo_people_have_work_on_their_desk(street):
    volunteer = await member_id("13800000003")
    resident = await member_id("13800000004")
    assert await Task.exists().where((Task.assignee_member == volunteer) & (Task.status == "offered"))
    volunteer_claims = {
        row["status"] for row in await Claim.select(Claim.status).where(Claim.member == volunteer)
    }
    assert volunteer_claims >= {"claimed", "checked_in", "confirmed"}
    resident_needs = {
        row["status"] for row in await Need.select(Need.status).where(Need.resident == resident)
    }
    assert resident_needs >= {"new", "in_progress", "done"}
    waiting = Task.select(Task.id).where(
        Task.need.is_in(Need.select(Need.id).where(Need.resident == resident))
    )
    assert await Claim.exists().where(Claim.task.is_in(waiting) & (Claim.status == "submitted"))  # to confirm


async def test_confirmed_work_was_paid_through_the_ledger_exactly_once(street):
    confirmed = await Claim.select().where(Claim.status == "confirmed")
    assert len(confirmed) >= 100
    for claim in confirmed:
        assert claim["points"] > 0 and claim["transfer_id"]
        transfer = await Transfer.select().where(Transfer.id == claim["transfer_id"]).first()
        assert transfer["amount"] == claim["points"]
        assert transfer["credit_account"] == member_account(claim["member"])
        assert transfer["reference"] == f"claim:{claim['id']}"
    assert not await Claim.exists().where((Claim.status != "confirmed") & Claim.transfer_id.is_not_null())


async def test_residents_rated_services_and_resources(street):
    assert await Rating.count().where(Rating.claim.is_not_null()) >= 50
    assert await Rating.count().where(Rating.resource.is_not_null()) >= 20
    assert await Rating.exists().where(Rating.leader.is_not_null())


async def test_the_ledger_history_is_woven_in_with_the_streets_accounts(street):
    kinds = {row["kind"] for row in await Transfer.select(Transfer.kind).distinct()}
    assert kinds == {"single", "pending", "post", "void", "expire"}
    assert await Transfer.exists().where(Transfer.reverses.is_not_null())
    assert await Transfer.exists().where(Transfer.batch_id.is_not_null())
    # Every PTS account is a member's, an organisation's, a community issuer's or a community's
    # pool: no stand-ins. Money is the ledger demo's own, or the market's real fund and grants.
    for row in await Account.select(Account.id, Account.asset):
        prefix, _, rest = row["id"].partition(":")
        if row["asset"] == "PTS":
            assert (
                prefix in ("member", "org", "issuer")
                and rest.isdigit()
                or (prefix == "fund" and rest.endswith(":pts"))
            ), row["id"]
        else:
            market_money = (prefix == "fund" and rest.isdigit()) or rest.endswith("cny")
            assert prefix == "demo" or market_money, row["id"]
    # Redemptions and exchanges are the street's own members', paid to its merchants.
    members = {member_account(row["id"]) for row in await Member.select(Member.id)}
    merchants = {
        f"org:{row['id']}" for row in await Organisation.select().where(Organisation.kind == "merchant")
    }
    held = await Transfer.select(Transfer.debit_account, Transfer.credit_account).where(
        Transfer.kind == "pending"
    )
    assert held and {row["debit_account"] for row in held} <= members
    # Held for merchants (and, in the market, for an enterprise's or the community's own items,
    # and for the performers of exchanges).
    organisations = {f"org:{row['id']}" for row in await Organisation.select(Organisation.id)}
    issuers = {row["id"] for row in await Account.select(Account.id).where(Account.kind == "issuer")}
    credited = {row["credit_account"] for row in held}
    assert merchants <= credited <= members | organisations | issuers
    exchanges = await Transfer.select(Transfer.credit_account).where(Transfer.reason == "exchange")
    assert exchanges and {row["credit_account"] for row in exchanges} <= members


# -- the ledger's own demo, alone ---------------------------------------------------------------


async def test_the_standalone_ledger_demo_opens_its_own_accounts_and_replays_idempotently(db):
    from demo.ledger import seed

    first = await seed(transfers=200, seed=3)
    assert first == await seed(transfers=200, seed=3)
    assert first["transfers"] == await Transfer.count()
    ids = [row["id"] for row in await Account.select(Account.id)]
    assert "member:demo-13900000000" in ids
    assert not [account for account in ids if account.partition(":")[2].isdigit()]


# -- the market -----------------------------------------------------------------------------------


async def test_the_market_has_a_catalogue_redemptions_in_every_state_exchanges_and_gifts(street):
    from market.tables import Exchange, Gift, Item, Listing, Redemption

    assert await Item.count() == 7
    assert await statuses(Redemption) == {"pending", "fulfilled", "rejected", "cancelled", "expired"}
    assert {"confirmed", "accepted", "proposed"} <= await statuses(Exchange)
    assert await Listing.count() >= 4 and await Gift.count() >= 1
    printed = counts(street.first)
    assert printed["items"] == 7 and printed["redemptions"] == await Redemption.count()
    # The merchant (13800000006) has redemptions waiting for its code; the resident sees a catalogue.
    from market.catalogue import list_catalogue
    from market.redemptions import list_redemptions

    merchant = await load_actor(await member_id("13800000006"))
    barber = next(
        organisation for organisation, role in merchant.organisations.items() if role == "representative"
    )
    fulfilled = await list_redemptions(
        merchant, now=datetime.now(UTC), organisation_id=barber, status="fulfilled"
    )
    assert fulfilled.items
    resident = await load_actor(await member_id("13800000004"))
    offered = await list_catalogue(resident, now=datetime.now(UTC))
    assert len(offered.items) == 7


async def test_the_fund_is_funded_and_a_venture_call_is_under_way(street):
    from ledger.accounts import balance
    from market.accounts import fund_account, money_account
    from market.tables import Bid, Call
    from market.tables import Milestone as GrantMilestone

    community = await community_of((await find_by_phone("13800000004")).home_area)
    call = await Call.select().first()
    assert call["status"] == "awarded" and call["community"] == community
    winner = await Bid.select().where(Bid.id == call["awarded_bid"]).first()
    milestones = (
        await GrantMilestone.select()
        .where(GrantMilestone.bid == winner["id"])
        .order_by(GrantMilestone.position)
    )
    assert [m["status"] for m in milestones] == ["paid", "reported", "planned"]
    paid = milestones[0]["amount"]
    assert (await balance(money_account(winner["organisation"]))).posted == paid
    assert (await balance(fund_account(community))).posted == 7_320_000 - paid


async def test_the_demo_registers_the_open311_client_of_design(street):
    from projects.open311 import client_for

    client = await client_for("linli-demo-open311")
    resident_home = (await find_by_phone("13800000004")).home_area
    assert client.community == await community_of(resident_home)
