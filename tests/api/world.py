"""The street's communities filled with one item of every kind, made through the API by their own
people: what the contract and authorisation tests ask the app about.

幸福里 (the street's community) keeps the street's people; 和平里 gets the people it lacks (a
volunteer, a neighbour, an organisation's representative, a merchant's); a community of another
district (远方社区) is what the street's and the district's staff have no part in.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import timedelta

from ledger.transfers import transfer
from projects import areas, members, organisations
from projects.areas import issuer_account
from projects.members import member_account
from tests.projects.community import HASH

DAY = timedelta(days=1)
_phones = itertools.count(1)
_funding = itertools.count(1)


@dataclass
class People:
    """A community and who lives or works in it."""

    name: str
    community: int
    grid: int
    unit: int
    staff: int
    leader: int
    resident: int
    neighbour: int
    volunteer: int
    representative: int  # of a social organisation that bids and claims
    organisation: int
    merchant: int  # the representative of a merchant that fulfils redemptions
    shop: int


@dataclass
class Items:
    """One item of each kind in a community (ids by kind), made by its people."""

    people: People
    ids: dict[str, int] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)  # a redemption's code, a certificate's


async def person(api, name: str, home: int | None = None, role: str | None = None, area: int | None = None):
    now = api.clock()
    phone = f"136{next(_phones):08d}"
    member = await members.create_member(phone, name, password_hash=HASH, home_area_id=home, now=now)
    if role:
        await members.grant_role(member.id, area, role, now=now)
    api.street.phones[member.id] = phone
    return member.id


async def organisation(api, name: str, kind: str, community: int, representative: int) -> int:
    now = api.clock()
    made = await organisations.create_organisation(name, kind, area_id=community, now=now)
    await organisations.add_member(made.id, representative, role="representative", now=now)
    return made.id


async def xingfuli(api) -> People:
    """幸福里: the street's own people, and a merchant."""
    s = api.street
    merchant = await person(api, "理发店老板", home=s.unit2)
    return People(
        name="幸福里",
        community=s.community,
        grid=s.grid,
        unit=s.unit,
        staff=s.staff,
        leader=s.leader,
        resident=s.resident,
        neighbour=s.neighbour,
        volunteer=s.volunteers[0],
        representative=s.representative,
        organisation=s.organisation,
        merchant=merchant,
        shop=await organisation(api, "爱心理发店", "merchant", s.community, merchant),
    )


async def community_of(api, name: str, community: int, staff: int | None = None) -> People:
    """The people of a community that has only areas (and perhaps its staff) yet."""
    now = api.clock()
    grid = (await areas.create_area("grid", f"{name}网格", parent_id=community, now=now)).id
    building = (await areas.create_area("building", "1号楼", parent_id=grid, now=now)).id
    unit = (await areas.create_area("unit", "1单元", parent_id=building, now=now)).id
    representative = await person(api, f"{name}机构负责人", home=unit)
    merchant = await person(api, f"{name}商户", home=unit)
    return People(
        name=name,
        community=community,
        grid=grid,
        unit=unit,
        staff=staff or await person(api, f"{name}社工", role="staff", area=community),
        leader=await person(api, f"{name}网格长", home=unit, role="leader", area=grid),
        resident=await person(api, f"{name}居民", home=unit),
        neighbour=await person(api, f"{name}邻居", home=unit),
        volunteer=await person(api, f"{name}志愿者", home=unit, role="volunteer", area=community),
        representative=representative,
        organisation=await organisation(
            api, f"{name}社工站", "social_organisation", community, representative
        ),
        merchant=merchant,
        shop=await organisation(api, f"{name}小店", "merchant", community, merchant),
    )


async def far_away(api) -> tuple[int, int, int]:
    """Another district, its street and a community in it: (district, street, community)."""
    now = api.clock()
    district = (await areas.create_area("district", "北关区", now=now)).id
    street = (await areas.create_area("street", "远方街道", parent_id=district, now=now)).id
    community = (await areas.create_area("community", "远方社区", parent_id=street, now=now)).id
    return district, street, community


async def points(api, people: People, member: int, amount: int) -> None:
    await transfer(
        f"test-points:world:{next(_funding)}",
        issuer_account(people.community),
        member_account(member),
        amount,
        "PTS",
        reason="task",
        now=api.clock(),
    )


async def fill(api, p: People) -> Items:
    """One item of each kind in ``p``'s community, each made as its people make it."""
    made = Items(p)
    ids = made.ids
    clock = api.clock

    async def ok(member, method, url, body=None, status=200):
        return await api.ok(member, method, url, body, status=status)

    community = str(p.community)
    need = await ok(
        p.resident, "POST", "/api/v1/needs", {"category": "care.meals", "description": "送餐"}, 201
    )
    await ok(p.staff, "POST", f"/api/v1/needs/{need['id']}/triage", {"grade": "A"})
    ids["need"] = int(need["id"])
    common = await ok(
        p.resident,
        "POST",
        "/api/v1/needs",
        {"category": "environment.cleaning", "description": "楼道堆物", "scope": "common"},
        201,
    )
    await ok(p.staff, "POST", f"/api/v1/needs/{common['id']}/triage", {"grade": "B"})
    ids["common_need"] = int(common["id"])
    task_body = {"title": "楼道清扫", "capacity": 3, "area_id": community, "category": "environment.cleaning"}
    task = await ok(p.staff, "POST", "/api/v1/tasks", task_body, 201)
    ids["task"] = int(task["id"])
    claim = await ok(p.volunteer, "POST", f"/api/v1/tasks/{task['id']}/claims", None, 201)
    await ok(p.volunteer, "POST", f"/api/v1/claims/{claim['id']}/check-in")
    api.clock.advance(minutes=30)
    await ok(p.volunteer, "POST", f"/api/v1/claims/{claim['id']}/submit", {"minutes": 30})
    ids["claim"] = int(claim["id"])

    project_body = {
        "title": "楼道整治",
        "area_id": community,
        "deadline": (clock() + 30 * DAY).isoformat(),
        "need_ids": [common["id"]],
    }
    project = await ok(p.staff, "POST", "/api/v1/projects", project_body, 201)
    ids["project"] = int(project["id"])
    milestone_body = {"title": "清理", "due": (clock() + 7 * DAY).isoformat()}
    milestone = await ok(p.staff, "POST", f"/api/v1/projects/{project['id']}/milestones", milestone_body, 201)
    ids["project_milestone"] = int(milestone["id"])

    resource_body = {
        "name": "便民服务站",
        "kind": "public_service",
        "level": "community",
        "area_id": community,
        "categories": ["care.meals"],
    }
    ids["resource"] = int((await ok(p.staff, "POST", "/api/v1/resources", resource_body, 201))["id"])

    item_body = {
        "community_id": community,
        "organisation_id": str(p.shop),
        "name": "理发一次",
        "price": 10,
        "area_ids": [community],
    }
    item = await ok(p.merchant, "POST", "/api/v1/catalogue", item_body, 201)
    ids["item"] = int(item["id"])
    await points(api, p, p.resident, 200)
    redemption = await ok(p.resident, "POST", "/api/v1/redemptions", {"item_id": item["id"]}, 201)
    ids["redemption"] = int(redemption["id"])
    made.codes["redemption"] = redemption["code"]

    listing_body = {"kind": "offer", "category": "care.meals", "title": "陪老人聊天"}
    listing = await ok(p.resident, "POST", "/api/v1/listings", listing_body, 201)
    ids["listing"] = int(listing["id"])
    await points(api, p, p.neighbour, 200)
    exchange = await ok(
        p.neighbour, "POST", f"/api/v1/listings/{listing['id']}/exchanges", {"minutes": 60}, 201
    )
    ids["exchange"] = int(exchange["id"])

    call_body = {
        "title": "长者助餐公益创投",
        "area_id": community,
        "budget": 100_000,
        "deadline": (clock() + 7 * DAY).isoformat(),
        "criteria": [{"name": "方案可行性", "weight": 100, "max_score": 10}],
        "panel": [str(p.leader)],
    }
    call = await ok(p.staff, "POST", "/api/v1/calls", call_body, 201)
    ids["call"] = int(call["id"])
    bid_body = {
        "proposal": "每周送餐",
        "budget": 100_000,
        "milestones": [{"title": "第一阶段", "amount": 100_000, "due_at": (clock() + 40 * DAY).isoformat()}],
    }
    bid = await ok(p.representative, "POST", f"/api/v1/calls/{call['id']}/bids", bid_body, 201)
    ids["bid"] = int(bid["id"])

    survey_body = {
        "area_id": community,
        "title": "社区满意度",
        "questions": [{"kind": "score", "prompt": "满意吗？"}],
        "sample_size": 2,
        "closes_at": (clock() + 14 * DAY).isoformat(),
    }
    ids["survey"] = int((await ok(p.staff, "POST", "/api/v1/surveys", survey_body, 201))["id"])
    # A donation over the fund's four-eyes threshold, waiting for a second staff member.
    donation_body = {
        "amount": 2_000_000,
        "donor_kind": "outside",
        "donor_name": "爱心企业",
        "receipt_number": f"JZ-{community}",
    }
    donation = await ok(p.staff, "POST", f"/api/v1/funds/{community}/donations", donation_body, 201)
    ids["donation"] = int(donation["id"])
    return made
