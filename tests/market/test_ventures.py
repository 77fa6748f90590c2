"""Venture projects (公益创投) through the real app, on SQLite and PostgreSQL: a call from its
publication to the last milestone paid from the community fund, and every refusal on the way,
each leaving everything as it was."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ledger.accounts import get_account
from market.accounts import fund_account, money_account
from market.fund import donate
from market.tables import Bid, Call, Milestone, Score, Vote
from market.ventures import close_due_calls
from projects import organisations
from web.api.ventures import VENTURE_CONTROLLERS

DAY = timedelta(days=1)
CRITERIA = [
    {"name": "方案可行性", "name_en": "Feasibility", "weight": 60, "max_score": 10},
    {"name": "团队能力", "weight": 40, "max_score": 5},
]


@pytest.fixture(autouse=True)
def _ventures_routed(monkeypatch):
    """Until ``web/api/__init__.py`` lists the venture controllers, the app gets them here."""
    import web.app

    if VENTURE_CONTROLLERS[0] not in web.app.CONTROLLERS:
        monkeypatch.setattr(web.app, "CONTROLLERS", [*web.app.CONTROLLERS, *VENTURE_CONTROLLERS])


# -- helpers ---------------------------------------------------------------------------------------


async def fund(api, amount: int) -> None:
    """Money for the community fund, recorded by its staff."""
    s = api.street
    staff = await s.actor(s.staff)
    await donate(staff, s.community, amount, donor_kind="outside", donor_name="爱心企业", now=api.clock())


async def cny(account: str) -> int:
    record = await get_account(account)
    return record.balance.posted if record else 0


async def publish(
    api, *, by=None, budget=500_000, panel=None, vote_weight=0, criteria=CRITERIA, days=7, **extra
):
    s = api.street
    body = {
        "title": "长者助餐公益创投",
        "description": "为社区长者提供助餐服务",
        "area_id": str(s.community),
        "budget": budget,
        "deadline": (api.clock() + days * DAY).isoformat(),
        "vote_weight": vote_weight,
        "criteria": criteria,
        "panel": [str(member) for member in (panel or s.volunteers[10:12])],
        **extra,
    }
    return await api.ok(by or s.staff, "POST", "/api/v1/calls", body, status=201)


def plan(api, *amounts: int) -> list[dict]:
    return [
        {
            "title": f"第{number}阶段",
            "amount": amount,
            "due_at": (api.clock() + (30 * number) * DAY).isoformat(),
        }
        for number, amount in enumerate(amounts, start=1)
    ]


def bid_body(api, *amounts: int, organisation=None, budget=None) -> dict:
    body = {
        "proposal": "每周五天为80位长者送餐",
        "team": "社工3人，志愿者10人",
        "budget": sum(amounts) if budget is None else budget,
        "milestones": plan(api, *amounts),
    }
    if organisation is not None:
        body["organisation_id"] = str(organisation)
    return body


async def bid(api, call, *amounts, by=None, status=201, **kw) -> dict:
    by = by or api.street.representative
    return await api.ok(by, "POST", f"/api/v1/calls/{call['id']}/bids", bid_body(api, *amounts, **kw), status)


async def score(api, panelist, bid_, call, *values, status=200):
    scores = {criterion["id"]: value for criterion, value in zip(call["criteria"], values, strict=True)}
    return await api.ok(panelist, "PUT", f"/api/v1/bids/{bid_['id']}/scores", {"scores": scores}, status)


async def third_organisation(api) -> tuple[int, int]:
    """Another bidder: an enterprise and its representative (a volunteer of the street)."""
    s = api.street
    organisation = await organisations.create_organisation(
        "幸福物业", "enterprise", area_id=s.community, now=api.clock()
    )
    await organisations.add_member(organisation.id, s.volunteers[20], role="representative", now=api.clock())
    return organisation.id, s.volunteers[20]


async def snapshot(api) -> dict:
    """Every venture row, the trace's length and the ledger's length and fund balances: a refusal
    changes none of them."""
    from tests.web.test_app import fetch_value

    rows = {}
    for table in (Call, Bid, Milestone, Score, Vote):
        rows[table._meta.tablename] = sorted(
            tuple(sorted((key, str(value)) for key, value in row.items())) for row in await table.select()
        )
    for table in ("market_event", "ledger_transfer"):
        rows[table] = await fetch_value(api.database_url, f"SELECT COUNT(*) FROM {table}")
    rows["fund"] = await cny(fund_account(api.street.community))
    rows["organisation"] = await cny(money_account(api.street.organisation))
    return rows


async def refused(api, member, method, url, body, status: int, code: str) -> dict:
    """``member``'s request is refused with ``status`` and ``code``, and nothing changes."""
    before = await snapshot(api)
    response = await api.call(member, method, url, json=body)
    assert (response.status_code, response.json()["code"]) == (status, code), response.text
    assert response.json()["message"]
    assert await snapshot(api) == before
    return response.json()


async def reviewing_call(api, **kw):
    """A call with the street's organisation's bid and the team's, past its deadline."""
    s = api.street
    call = await publish(api, **kw)
    ours = await bid(api, call, 200_000, 200_000)
    theirs = await bid(api, call, 150_000, 150_000, by=s.volunteers[0])
    api.clock.advance(days=8)
    assert await close_due_calls(now=api.clock()) == 1
    return call, ours, theirs


# -- the whole call --------------------------------------------------------------------------------


async def test_a_venture_call_runs_from_publication_to_the_last_milestone_payment(api):
    s = api.street
    await fund(api, 1_000_000)
    panel = s.volunteers[10:12]
    call = await publish(api, vote_weight=20, panel=panel)
    assert call["status"] == "open"
    assert call["community_id"] == str(s.community)
    assert [c["weight"] for c in call["criteria"]] == [60, 40]
    assert call["panel"] == [str(member) for member in panel]
    assert await api.ok(s.resident, "GET", f"/api/v1/calls/{call['id']}") == call
    listed = await api.ok(s.resident, "GET", "/api/v1/calls")
    assert [item["id"] for item in listed["items"]] == [call["id"]]
    assert (await api.ok(s.outsider, "GET", "/api/v1/calls"))["items"] == []  # not near 和平里

    # Two organisations bid; the first revises its bid before the deadline.
    ours = await bid(api, call, 150_000, 250_000)
    assert (ours["status"], ours["revision"], ours["budget"]) == ("submitted", 1, 400_000)
    ours = await bid(api, call, 150_000, 150_000, 150_000, status=200)
    assert (ours["revision"], ours["budget"]) == (2, 450_000)
    assert [m["amount"] for m in ours["milestones"]] == [150_000] * 3
    assert {m["status"] for m in ours["milestones"]} == {"planned"}
    theirs = await bid(api, call, 300_000, by=s.volunteers[0])
    # Before the deadline a bidder sees only its own bid, a resident none; the panel sees all.
    mine = await api.ok(s.representative, "GET", f"/api/v1/calls/{call['id']}/bids")
    assert [b["id"] for b in mine["items"]] == [ours["id"]]
    assert (await api.ok(s.resident, "GET", f"/api/v1/calls/{call['id']}/bids"))["items"] == []
    assert (await api.get(s.resident, f"/api/v1/bids/{theirs['id']}")).status_code == 404
    seen = await api.ok(panel[0], "GET", f"/api/v1/calls/{call['id']}/bids")
    assert [b["id"] for b in seen["items"]] == [ours["id"], theirs["id"]]

    # The deadline passes; the sweep puts the call under review.
    api.clock.advance(days=7)
    assert await close_due_calls(now=api.clock()) == 1
    assert await close_due_calls(now=api.clock()) == 0
    assert (await api.ok(s.resident, "GET", f"/api/v1/calls/{call['id']}"))["status"] == "reviewing"
    residents_view = await api.ok(s.resident, "GET", f"/api/v1/calls/{call['id']}/bids")
    assert [b["id"] for b in residents_view["items"]] == [ours["id"], theirs["id"]]

    # The panel scores: ours 8.5/10 and 4.5/5 on average, theirs 6.5/10 and 3.5/5.
    await score(api, panel[0], ours, call, 8, 4)
    sheet = await score(api, panel[1], ours, call, 9, 1)
    sheet = await score(api, panel[1], ours, call, 9, 5)  # scoring again replaces
    assert sheet["scores"] == {call["criteria"][0]["id"]: 9, call["criteria"][1]["id"]: 5}
    await score(api, panel[0], theirs, call, 7, 3)
    await score(api, panel[1], theirs, call, 6, 4)

    # Residents vote: three for theirs, one for ours.
    for voter in (s.resident, s.neighbour, s.volunteers[12]):
        vote = await api.ok(voter, "POST", f"/api/v1/calls/{call['id']}/votes", {"bid_id": theirs["id"]}, 201)
        assert vote["bid_id"] == theirs["id"]
    await api.ok(s.volunteers[13], "POST", f"/api/v1/calls/{call['id']}/votes", {"bid_id": ours["id"]}, 201)

    # Panel: 60 × 0.85 + 40 × 0.9 = 87 and 60 × 0.65 + 40 × 0.7 = 67. Votes weigh 20%:
    # 87 × 0.8 + 25 × 0.2 = 74.6 and 67 × 0.8 + 75 × 0.2 = 68.6.
    ranking = await api.ok(s.staff, "GET", f"/api/v1/calls/{call['id']}/ranking")
    assert (ranking["votes"], ranking["missing"], ranking["complete"]) == (4, 0, True)
    first, second = ranking["entries"]
    assert (first["bid_id"], first["rank"], first["tied"]) == (ours["id"], 1, False)
    assert (first["panel_score"], first["vote_score"], first["score"], first["score_exact"]) == (
        "87.00",
        "25.00",
        "74.60",
        "373/5",
    )
    assert (second["bid_id"], second["rank"], second["score"], second["votes"]) == (
        theirs["id"],
        2,
        "68.60",
        3,
    )
    # Residents see the ranking once the call is awarded, not before.
    await refused(api, s.resident, "GET", f"/api/v1/calls/{call['id']}/ranking", None, 403, "not_allowed")

    awarded = await api.ok(s.staff, "POST", f"/api/v1/calls/{call['id']}/award", {"bid_id": ours["id"]})
    assert (awarded["status"], awarded["awarded_bid_id"]) == ("awarded", ours["id"])
    assert (await api.ok(s.volunteers[0], "GET", f"/api/v1/bids/{theirs['id']}"))["status"] == "lost"
    ours = await api.ok(s.representative, "GET", f"/api/v1/bids/{ours['id']}")
    assert ours["status"] == "awarded"
    assert (await api.ok(s.resident, "GET", f"/api/v1/calls/{call['id']}/ranking"))["entries"][0]["rank"] == 1

    # Milestones: each report accepted releases its money from the fund, once.
    fund_id, org_money = fund_account(s.community), money_account(s.organisation)
    one, two, three = (m["id"] for m in ours["milestones"])
    report = {"report": "第一阶段已为80位长者送餐"}
    reported = await api.ok(s.representative, "POST", f"/api/v1/milestones/{one}/report", report)
    assert reported["status"] == "reported"
    paid = await api.ok(s.staff, "POST", f"/api/v1/milestones/{one}/accept")
    assert (paid["status"], paid["transfer_id"]) == ("paid", f"grant:bid:{ours['id']}:milestone:{one}")
    assert (await cny(fund_id), await cny(org_money)) == (850_000, 150_000)
    await refused(api, s.staff, "POST", f"/api/v1/milestones/{one}/accept", None, 409, "wrong_state")

    # A report can be returned, then reported again and accepted.
    await api.ok(s.representative, "POST", f"/api/v1/milestones/{two}/report", {"report": "完成一半"})
    returned = await api.ok(s.staff, "POST", f"/api/v1/milestones/{two}/return", {"reason": "缺少照片"})
    assert returned["status"] == "planned"
    assert (await cny(fund_id), await cny(org_money)) == (850_000, 150_000)
    for milestone in (two, three):
        await api.ok(s.representative, "POST", f"/api/v1/milestones/{milestone}/report", report)
        await api.ok(s.staff, "POST", f"/api/v1/milestones/{milestone}/accept")
    assert (await cny(fund_id), await cny(org_money)) == (550_000, 450_000)
    done = await api.ok(s.resident, "GET", f"/api/v1/calls/{call['id']}")
    assert done["status"] == "completed"

    # Everything is traced.
    history = await api.ok(s.staff, "GET", f"/api/v1/calls/{call['id']}/history")
    assert [(e["action"], e["to_state"]) for e in history] == [
        ("publish", "open"),
        ("close", "reviewing"),
        *[("vote", "reviewing")] * 4,
        ("award", "awarded"),
        ("complete", "completed"),
    ]
    assert history[1]["actor_id"] is None  # the sweep
    assert history[2]["actor_id"] == str(s.resident)
    public = await api.ok(s.resident, "GET", f"/api/v1/calls/{call['id']}/history")
    assert {e["actor_id"] for e in public if e["action"] == "vote"} == {None}  # who voted: staff only
    bid_history = await api.ok(s.representative, "GET", f"/api/v1/bids/{ours['id']}/history")
    assert [e["action"] for e in bid_history] == ["submit", "revise", "score", "score", "rescore", "award"]
    milestone_history = await api.ok(s.representative, "GET", f"/api/v1/milestones/{two}/history")
    assert [(e["action"], e["to_state"]) for e in milestone_history] == [
        ("plan", "planned"),
        ("report", "reported"),
        ("return", "planned"),
        ("report", "reported"),
        ("accept", "paid"),
    ]
    assert milestone_history[2]["reason"] == "缺少照片"
