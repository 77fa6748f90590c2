"""Venture projects (公益创投) through the real app, on SQLite and PostgreSQL: a call from its
publication to the last milestone paid from the community fund, and every refusal on the way,
each leaving everything as it was."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from ledger.accounts import get_account
from market.accounts import fund_account, money_account
from market.fund import donate
from market.tables import Bid, Call, Donation, Milestone, Score, Vote
from market.ventures.calls import close_due_calls
from projects import organisations
from tests.api.helpers import refused

DAY = timedelta(days=1)
CRITERIA = [
    {"name": "方案可行性", "name_en": "Feasibility", "weight": 60, "max_score": 10},
    {"name": "团队能力", "weight": 40, "max_score": 5},
]


# -- helpers ---------------------------------------------------------------------------------------


async def fund(api, amount: int) -> None:
    """Money for the community fund, recorded by its staff."""
    s = api.street
    staff = await s.actor(s.staff)
    receipt = f"R{await Donation.count() + 1}"
    await donate(
        staff,
        s.community,
        amount,
        donor_kind="outside",
        donor_name="爱心企业",
        receipt_number=receipt,
        now=api.clock(),
    )


async def cny(account: str) -> int:
    record = await get_account(account)
    return record.balance.posted if record else 0


def call_body(api, *, budget=500_000, panel=None, vote_weight=0, criteria=CRITERIA, days=7, **extra):
    s = api.street
    return {
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


async def publish(api, *, by=None, **kw) -> dict:
    return await api.ok(by or api.street.staff, "POST", "/api/v1/calls", call_body(api, **kw), status=201)


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
    seen = await api.ok(s.resident, "GET", f"/api/v1/calls/{call['id']}")
    assert {k: v for k, v in seen.items() if not k.startswith("may_")} == {
        k: v for k, v in call.items() if not k.startswith("may_")
    }
    # Staff may cancel it; the resident may do nothing with it while it is open (votes come later).
    assert (call["may_cancel"], call["may_bid"], call["may_vote"]) == (True, False, False)
    assert not any(v for k, v in seen.items() if k.startswith("may_"))
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
    # Before the deadline a bidder sees only its own bid, a resident none; nor does the panel
    # (a panel member may belong to a bidder), nor may it read the ranking.
    mine = await api.ok(s.representative, "GET", f"/api/v1/calls/{call['id']}/bids")
    assert [b["id"] for b in mine["items"]] == [ours["id"]]
    assert (await api.ok(s.resident, "GET", f"/api/v1/calls/{call['id']}/bids"))["items"] == []
    assert (await api.get(s.resident, f"/api/v1/bids/{theirs['id']}")).status_code == 404
    assert (await api.ok(panel[0], "GET", f"/api/v1/calls/{call['id']}/bids"))["items"] == []
    assert (await api.get(panel[0], f"/api/v1/calls/{call['id']}/ranking")).status_code == 403

    # The deadline passes; the sweep puts the call under review.
    api.clock.advance(days=7)
    assert await close_due_calls(now=api.clock()) == 1
    assert await close_due_calls(now=api.clock()) == 0
    assert (await api.ok(s.resident, "GET", f"/api/v1/calls/{call['id']}"))["status"] == "reviewing"
    residents_view = await api.ok(s.resident, "GET", f"/api/v1/calls/{call['id']}/bids")
    assert [b["id"] for b in residents_view["items"]] == [ours["id"], theirs["id"]]
    # What each may do now: residents vote, the panel scores, nobody withdraws; staff may close
    # voting, and award only once voting has closed (the votes weigh) and every score is in.
    assert [(b["may_vote"], b["may_score"], b["may_withdraw"]) for b in residents_view["items"]] == [
        (True, False, False)
    ] * 2
    panels_view = await api.ok(panel[0], "GET", f"/api/v1/calls/{call['id']}/bids")
    assert all(b["may_score"] for b in panels_view["items"])
    staff_call = await api.ok(s.staff, "GET", f"/api/v1/calls/{call['id']}")
    assert (
        staff_call["may_award"],
        staff_call["may_rank"],
        staff_call["may_bid"],
        staff_call["may_close_voting"],
    ) == (False, True, False, True)
    assert staff_call["voting_closed_at"] is None
    assert not any(
        b["may_award"] for b in (await api.ok(s.staff, "GET", f"/api/v1/calls/{call['id']}/bids"))["items"]
    )

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

    # Panel: 60 × 0.85 + 40 × 0.9 = 87 and 60 × 0.65 + 40 × 0.7 = 67. While residents vote,
    # the ranking holds the votes back, from staff too, and ranks by the panel's part.
    ranking = await api.ok(s.staff, "GET", f"/api/v1/calls/{call['id']}/ranking")
    assert (ranking["voting_closed"], ranking["votes"], ranking["missing"]) == (False, None, 0)
    assert [
        (e["bid_id"], e["panel_score"], e["votes"], e["vote_score"], e["score"]) for e in ranking["entries"]
    ] == [
        (ours["id"], "87.00", None, None, None),
        (theirs["id"], "67.00", None, None, None),
    ]
    award = f"/api/v1/calls/{call['id']}/award"
    early = await refused(
        api,
        s.staff,
        "POST",
        award,
        {"bid_id": ours["id"]},
        status=409,
        code="voting_open",
        unchanged=snapshot,
    )
    assert early["message"] == "本项目计入居民投票：请先结束投票，再定标。"
    closed = await api.ok(s.staff, "POST", f"/api/v1/calls/{call['id']}/close-voting")
    assert datetime.fromisoformat(closed["voting_closed_at"]) == api.clock()
    assert (closed["status"], closed["may_close_voting"], closed["may_award"]) == ("reviewing", False, True)

    # Votes weigh 20%: 87 × 0.8 + 25 × 0.2 = 74.6 and 67 × 0.8 + 75 × 0.2 = 68.6.
    ranking = await api.ok(s.staff, "GET", f"/api/v1/calls/{call['id']}/ranking")
    assert (ranking["votes"], ranking["missing"], ranking["complete"]) == (4, 0, True)
    awardable = await api.ok(s.staff, "GET", f"/api/v1/calls/{call['id']}/bids")
    assert [(b["id"], b["may_award"]) for b in awardable["items"]] == [
        (ours["id"], True),
        (theirs["id"], False),
    ]
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
    await refused(
        api,
        s.resident,
        "GET",
        f"/api/v1/calls/{call['id']}/ranking",
        None,
        status=403,
        code="not_allowed",
        unchanged=snapshot,
    )

    awarded = await api.ok(s.staff, "POST", award, {"bid_id": ours["id"]})
    assert (awarded["status"], awarded["awarded_bid_id"]) == ("awarded", ours["id"])
    assert awarded["voting_closed_at"] == closed["voting_closed_at"]
    assert (await api.ok(s.volunteers[0], "GET", f"/api/v1/bids/{theirs['id']}"))["status"] == "lost"
    ours = await api.ok(s.representative, "GET", f"/api/v1/bids/{ours['id']}")
    assert ours["status"] == "awarded"
    assert (await api.ok(s.resident, "GET", f"/api/v1/calls/{call['id']}/ranking"))["entries"][0]["rank"] == 1

    # Milestones: each report accepted releases its money from the fund, once.
    fund_id, org_money = fund_account(s.community), money_account(s.organisation)
    one, two, three = (m["id"] for m in ours["milestones"])
    report = {"report": "第一阶段已为80位长者送餐"}
    assert [m["may_report"] for m in ours["milestones"]] == [True] * 3
    reported = await api.ok(s.representative, "POST", f"/api/v1/milestones/{one}/report", report)
    assert reported["status"] == "reported" and not reported["may_report"]
    staffs_bid = await api.ok(s.staff, "GET", f"/api/v1/bids/{ours['id']}")
    assert [(m["may_accept"], m["may_return"]) for m in staffs_bid["milestones"]] == [
        (True, True),
        (False, False),
        (False, False),
    ]
    paid = await api.ok(s.staff, "POST", f"/api/v1/milestones/{one}/accept")
    assert (paid["status"], paid["transfer_id"]) == ("paid", f"grant:bid:{ours['id']}:milestone:{one}")
    assert (await cny(fund_id), await cny(org_money)) == (850_000, 150_000)
    await refused(
        api,
        s.staff,
        "POST",
        f"/api/v1/milestones/{one}/accept",
        None,
        status=409,
        code="wrong_state",
        unchanged=snapshot,
    )

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
        ("close_voting", "reviewing"),
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


# -- refusals --------------------------------------------------------------------------------------


async def test_only_staff_of_the_community_publish_a_call_and_only_a_sound_one(api):
    s = api.street
    body = call_body(api)
    for member in (s.resident, s.representative, s.leader, s.other_staff):
        await refused(
            api, member, "POST", "/api/v1/calls", body, status=403, code="not_allowed", unchanged=snapshot
        )
    unweighted = call_body(api, criteria=[{"name": "方案", "weight": 60}, {"name": "团队", "weight": 30}])
    answer = await refused(
        api,
        s.staff,
        "POST",
        "/api/v1/calls",
        unweighted,
        status=400,
        code="invalid_input",
        unchanged=snapshot,
    )
    assert "90" in answer["message"]
    await refused(
        api,
        s.staff,
        "POST",
        "/api/v1/calls",
        call_body(api, days=-1),
        status=400,
        code="invalid_input",
        unchanged=snapshot,
    )
    await refused(
        api,
        s.staff,
        "POST",
        "/api/v1/calls",
        call_body(api, budget=0),
        status=400,
        code="invalid_input",
        unchanged=snapshot,
    )
    no_one = call_body(api, panel=[10**12])
    await refused(
        api, s.staff, "POST", "/api/v1/calls", no_one, status=404, code="not_found", unchanged=snapshot
    )
    # Staff above the community (the street) may publish for it, and for a grid in it.
    call = await publish(api, by=s.street_staff, area_id=str(s.grid))
    assert (call["area_id"], call["community_id"]) == (str(s.grid), str(s.community))


async def test_a_late_bid_is_refused_at_the_deadline_whether_or_not_the_sweep_came(api):
    s = api.street
    call = await publish(api)
    ours = await bid(api, call, 100_000)
    api.clock.advance(days=7)  # exactly the deadline; the call still says "open"
    assert (await api.ok(s.staff, "GET", f"/api/v1/calls/{call['id']}"))["status"] == "open"
    url = f"/api/v1/calls/{call['id']}/bids"
    late = await refused(
        api,
        s.volunteers[0],
        "POST",
        url,
        bid_body(api, 100_000),
        status=409,
        code="deadline_passed",
        unchanged=snapshot,
    )
    assert late["message"] == "投标截止时间已过。"
    await refused(
        api,
        s.representative,
        "POST",
        url,
        bid_body(api, 50_000),
        status=409,
        code="deadline_passed",
        unchanged=snapshot,
    )
    withdraw = f"/api/v1/bids/{ours['id']}/withdraw"
    await refused(
        api, s.representative, "POST", withdraw, None, status=409, code="deadline_passed", unchanged=snapshot
    )


async def test_a_bid_above_the_calls_budget_is_refused(api):
    s = api.street
    call = await publish(api, budget=300_000)
    url = f"/api/v1/calls/{call['id']}/bids"
    over = await refused(
        api,
        s.representative,
        "POST",
        url,
        bid_body(api, 200_000, 100_001),
        status=400,
        code="over_budget",
        unchanged=snapshot,
    )
    assert "¥3000.00" in over["message"] and "¥3000.01" in over["message"]
    assert (await bid(api, call, 200_000, 100_000))["budget"] == 300_000  # the whole budget is fine


async def test_a_plan_whose_milestones_do_not_add_up_to_the_budget_is_refused(api):
    s = api.street
    call = await publish(api)
    url = f"/api/v1/calls/{call['id']}/bids"
    short = bid_body(api, 100_000, 100_000, budget=300_000)
    answer = await refused(
        api, s.representative, "POST", url, short, status=400, code="invalid_input", unchanged=snapshot
    )
    assert "¥2000.00" in answer["message"] and "¥3000.00" in answer["message"]
    # Revising with a bad plan leaves the bid as it was.
    ours = await bid(api, call, 100_000)
    await refused(
        api,
        s.representative,
        "POST",
        url,
        bid_body(api, 1, budget=2),
        status=400,
        code="invalid_input",
        unchanged=snapshot,
    )
    assert (await api.ok(s.representative, "GET", f"/api/v1/bids/{ours['id']}")) == ours


async def test_only_an_organisations_representative_bids_for_it(api):
    s = api.street
    call = await publish(api)
    url = f"/api/v1/calls/{call['id']}/bids"
    for member in (s.resident, s.volunteers[1]):  # a member of the organisation, not its representative
        body = bid_body(api, 100_000, organisation=s.organisation)
        await refused(api, member, "POST", url, body, status=403, code="not_allowed", unchanged=snapshot)


async def test_a_panel_member_never_scores_a_bid_of_their_own_organisation(api):
    s = api.street
    panel = s.volunteers[10:12]
    await organisations.add_member(s.organisation, panel[0], now=api.clock())
    call = await publish(api, panel=panel)
    ours = await bid(api, call, 100_000)
    theirs = await bid(api, call, 100_000, by=s.volunteers[0])
    url = f"/api/v1/bids/{ours['id']}/scores"
    scores = {"scores": {call["criteria"][0]["id"]: 5}}
    early = await refused(
        api, panel[1], "PUT", url, scores, status=409, code="conflict", unchanged=snapshot
    )  # before the deadline
    assert early["message"] == "投标截止后才能评分。"
    api.clock.advance(days=8)
    own = await refused(api, panel[0], "PUT", url, scores, status=403, code="own_bid", unchanged=snapshot)
    assert own["message"] == "您不能对本单位的投标评分。"
    await refused(
        api, s.resident, "PUT", url, scores, status=403, code="not_allowed", unchanged=snapshot
    )  # not on the panel
    await refused(
        api, s.outsider, "PUT", url, scores, status=404, code="not_found", unchanged=snapshot
    )  # the call is not near them
    too_high = {"scores": {call["criteria"][1]["id"]: 6}}  # the highest is 5
    await refused(api, panel[1], "PUT", url, too_high, status=400, code="invalid_input", unchanged=snapshot)
    other_call = await publish(api)
    foreign = {"scores": {other_call["criteria"][0]["id"]: 5}}
    await refused(api, panel[1], "PUT", url, foreign, status=404, code="not_found", unchanged=snapshot)

    # The panel member scores the other bid; the bid of their organisation needs only the others'.
    await score(api, panel[0], theirs, call, 5, 5)
    await score(api, panel[1], theirs, call, 5, 5)
    await score(api, panel[1], ours, call, 10, 5)
    ranking = await api.ok(s.staff, "GET", f"/api/v1/calls/{call['id']}/ranking")
    assert (ranking["missing"], [e["bid_id"] for e in ranking["entries"]]) == (0, [ours["id"], theirs["id"]])
    assert [e["score"] for e in ranking["entries"]] == ["100.00", "70.00"]


async def test_a_resident_votes_once_per_call_for_a_bid_in_the_running(api):
    s = api.street
    call = await publish(api, vote_weight=50)
    ours = await bid(api, call, 100_000)
    theirs = await bid(api, call, 100_000, by=s.volunteers[0])
    withdrawn = await bid(api, call, 100_000, by=(await third_organisation(api))[1])
    await api.ok(s.volunteers[20], "POST", f"/api/v1/bids/{withdrawn['id']}/withdraw", {"reason": "人手不足"})
    url = f"/api/v1/calls/{call['id']}/votes"
    await refused(
        api, s.resident, "POST", url, {"bid_id": ours["id"]}, status=409, code="conflict", unchanged=snapshot
    )  # bids still open
    api.clock.advance(days=8)
    await refused(
        api,
        s.resident,
        "POST",
        url,
        {"bid_id": withdrawn["id"]},
        status=409,
        code="wrong_state",
        unchanged=snapshot,
    )
    await refused(
        api, s.outsider, "POST", url, {"bid_id": ours["id"]}, status=404, code="not_found", unchanged=snapshot
    )  # 和平里
    await refused(
        api, s.staff, "POST", url, {"bid_id": ours["id"]}, status=403, code="not_allowed", unchanged=snapshot
    )  # no home here
    await api.ok(s.resident, "POST", url, {"bid_id": ours["id"]}, 201)
    again = await refused(
        api,
        s.resident,
        "POST",
        url,
        {"bid_id": theirs["id"]},
        status=409,
        code="already_voted",
        unchanged=snapshot,
    )
    assert again["message"] == "您已在本项目中投过票。"
    await refused(
        api,
        s.resident,
        "POST",
        url,
        {"bid_id": ours["id"]},
        status=409,
        code="already_voted",
        unchanged=snapshot,
    )


async def test_a_resident_never_votes_for_their_own_organisations_bid(api):
    s = api.street
    call = await publish(api)
    ours = await bid(api, call, 100_000)
    api.clock.advance(days=8)
    url = f"/api/v1/calls/{call['id']}/votes"
    for member in (s.representative, s.volunteers[1]):  # its representative, and a member
        answer = await refused(
            api, member, "POST", url, {"bid_id": ours["id"]}, status=403, code="own_bid", unchanged=snapshot
        )
    assert answer["message"] == "您不能对本单位的投标投票。"


async def test_ten_concurrent_votes_by_one_resident_count_once(api):
    s = api.street
    call = await publish(api)
    ours = await bid(api, call, 100_000)
    theirs = await bid(api, call, 100_000, by=s.volunteers[0])
    api.clock.advance(days=8)
    await api.token(s.resident)
    url = f"/api/v1/calls/{call['id']}/votes"
    responses = await asyncio.gather(
        *(api.post(s.resident, url, {"bid_id": (ours, theirs)[n % 2]["id"]}) for n in range(10))
    )
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * 9, [response.text for response in responses]
    assert len(await Vote.select()) == 1


# -- secret votes ----------------------------------------------------------------------------------


async def scored_call(api, **kw):
    """A call under review whose bids the whole panel scored: ours 86, theirs 46 by the panel."""
    call, ours, theirs = await reviewing_call(api, **kw)
    for panelist in api.street.volunteers[10:12]:
        await score(api, panelist, ours, call, 9, 4)
        await score(api, panelist, theirs, call, 5, 2)
    return call, ours, theirs


VOTED = ("votes", "vote_score", "score", "score_exact")


async def test_staff_polling_the_ranking_between_two_votes_learn_nothing_until_voting_closes(api):
    s = api.street
    call, ours, theirs = await scored_call(api, vote_weight=50)
    ranking = f"/api/v1/calls/{call['id']}/ranking"
    votes = f"/api/v1/calls/{call['id']}/votes"
    panelist = s.volunteers[10]
    before = await api.ok(s.staff, "GET", ranking)
    assert (before["voting_closed"], before["votes"]) == (False, None)
    assert [(e["bid_id"], e["rank"], e["panel_score"]) for e in before["entries"]] == [
        (ours["id"], 1, "86.00"),
        (theirs["id"], 2, "46.00"),
    ]
    assert {e[field] for e in before["entries"] for field in VOTED} == {None}
    # Two residents vote, for different bids; staff and the panel poll the ranking after each.
    await api.ok(s.resident, "POST", votes, {"bid_id": theirs["id"]}, 201)
    assert await api.ok(s.staff, "GET", ranking) == before
    assert await api.ok(panelist, "GET", ranking) == before
    await api.ok(s.neighbour, "POST", votes, {"bid_id": theirs["id"]}, 201)
    await api.ok(s.volunteers[13], "POST", votes, {"bid_id": ours["id"]}, 201)
    assert await api.ok(s.staff, "GET", ranking) == before
    # Nor does the call or its bids say anything that a vote changed, to staff.
    staff_call = await api.ok(s.staff, "GET", f"/api/v1/calls/{call['id']}")
    assert (staff_call["may_close_voting"], staff_call["may_award"]) == (True, False)

    closed = await api.ok(s.staff, "POST", f"/api/v1/calls/{call['id']}/close-voting")
    assert (closed["may_close_voting"], closed["may_award"], closed["may_vote"]) == (False, True, False)
    after = await api.ok(s.staff, "GET", ranking)
    # The counts appear and match the votes cast: 1 and 2 of 3; 86 × ½ + 33⅓ × ½ = 59⅔ and
    # 46 × ½ + 66⅔ × ½ = 56⅓.
    cast = {bid_id: 0 for bid_id in (ours["id"], theirs["id"])}
    for row in await Vote.select(Vote.bid):
        cast[str(row["bid"])] += 1
    assert (after["voting_closed"], after["votes"]) == (True, sum(cast.values()))
    assert [
        (e["bid_id"], e["votes"], e["vote_score"], e["score"], e["score_exact"], e["rank"])
        for e in after["entries"]
    ] == [
        (ours["id"], cast[ours["id"]], "33.33", "59.67", "179/3", 1),
        (theirs["id"], cast[theirs["id"]], "66.67", "56.33", "169/3", 2),
    ]
    assert cast == {ours["id"]: 1, theirs["id"]: 2}
    assert await api.ok(panelist, "GET", ranking) == after  # the same for everyone who reads it

    # No vote comes after, and voting closes once.
    late = await refused(
        api,
        s.volunteers[14],
        "POST",
        votes,
        {"bid_id": ours["id"]},
        status=409,
        code="voting_closed",
        unchanged=snapshot,
    )
    assert late["message"] == "本项目的投票已结束。"
    bids = await api.ok(s.volunteers[14], "GET", f"/api/v1/calls/{call['id']}/bids")
    assert not any(b["may_vote"] for b in bids["items"])
    url = f"/api/v1/calls/{call['id']}/close-voting"
    await refused(api, s.staff, "POST", url, None, status=409, code="voting_closed", unchanged=snapshot)


async def test_where_votes_weigh_the_award_waits_for_voting_to_close(api):
    s = api.street
    call, ours, _ = await scored_call(api, vote_weight=30)
    url = f"/api/v1/calls/{call['id']}/award"
    answer = await refused(
        api, s.staff, "POST", url, {"bid_id": ours["id"]}, status=409, code="voting_open", unchanged=snapshot
    )
    english = await api.call(s.staff, "POST", url, json={"bid_id": ours["id"]}, language="en")
    assert (
        english.json()["message"] == "Residents' votes count in this call: close voting first, then award it."
    )
    assert answer["message"] != english.json()["message"]
    staff_bids = await api.ok(s.staff, "GET", f"/api/v1/calls/{call['id']}/bids")
    assert not any(b["may_award"] for b in staff_bids["items"])
    await api.ok(s.staff, "POST", f"/api/v1/calls/{call['id']}/close-voting")
    awarded = await api.ok(s.staff, "POST", url, {"bid_id": ours["id"]})
    assert awarded["status"] == "awarded"


async def test_where_votes_do_not_weigh_the_award_closes_voting_and_the_ranking_keeps_its_scores(api):
    s = api.street
    call, ours, theirs = await scored_call(api)  # vote_weight 0
    await api.ok(s.resident, "POST", f"/api/v1/calls/{call['id']}/votes", {"bid_id": theirs["id"]}, 201)
    ranking = await api.ok(s.staff, "GET", f"/api/v1/calls/{call['id']}/ranking")
    # The panel's score is the whole score: only the counts are held back.
    assert [(e["score"], e["panel_score"], e["votes"], e["vote_score"]) for e in ranking["entries"]] == [
        ("86.00", "86.00", None, None),
        ("46.00", "46.00", None, None),
    ]
    staff_call = await api.ok(s.staff, "GET", f"/api/v1/calls/{call['id']}")
    assert (staff_call["may_award"], staff_call["may_close_voting"]) == (True, True)
    awarded = await api.ok(s.staff, "POST", f"/api/v1/calls/{call['id']}/award", {"bid_id": ours["id"]})
    assert datetime.fromisoformat(awarded["voting_closed_at"]) == api.clock()
    published = await api.ok(s.resident, "GET", f"/api/v1/calls/{call['id']}/ranking")
    assert (published["voting_closed"], [e["votes"] for e in published["entries"]]) == (True, [0, 1])
    url = f"/api/v1/calls/{call['id']}/votes"
    await refused(
        api,
        s.neighbour,
        "POST",
        url,
        {"bid_id": ours["id"]},
        status=409,
        code="wrong_state",
        unchanged=snapshot,
    )
    history = await api.ok(s.staff, "GET", f"/api/v1/calls/{call['id']}/history")
    assert [e["action"] for e in history][-2:] == ["vote", "award"]


async def test_only_the_calls_staff_close_voting_and_only_while_the_bids_are_reviewed(api):
    s = api.street
    call = await publish(api, vote_weight=20)
    await bid(api, call, 100_000)
    url = f"/api/v1/calls/{call['id']}/close-voting"
    assert not (await api.ok(s.staff, "GET", f"/api/v1/calls/{call['id']}"))["may_close_voting"]
    await refused(
        api, s.staff, "POST", url, None, status=409, code="wrong_state", unchanged=snapshot
    )  # bids are still taken
    api.clock.advance(days=8)  # the deadline has passed; the sweep has not come yet
    for member in (s.resident, s.volunteers[10], s.representative, s.leader):
        seen = await api.ok(member, "GET", f"/api/v1/calls/{call['id']}")
        assert not seen["may_close_voting"], member
        await refused(api, member, "POST", url, None, status=403, code="not_allowed", unchanged=snapshot)
    await refused(api, s.other_staff, "POST", url, None, status=404, code="not_found", unchanged=snapshot)
    assert (await api.ok(s.staff, "GET", f"/api/v1/calls/{call['id']}"))["may_close_voting"]
    closed = await api.ok(s.staff, "POST", url)
    assert (closed["status"], closed["may_close_voting"]) == ("reviewing", False)
    history = await api.ok(s.resident, "GET", f"/api/v1/calls/{call['id']}/history")
    assert [(e["action"], e["to_state"], e["actor_id"]) for e in history][-2:] == [
        ("close", "reviewing", None),
        ("close_voting", "reviewing", str(s.staff)),
    ]
    cancelled = await api.ok(s.staff, "POST", f"/api/v1/calls/{call['id']}/cancel", {"reason": "预算调整"})
    assert not cancelled["may_close_voting"]


async def test_the_history_says_that_someone_voted_never_for_which_bid(api):
    s = api.street
    call, ours, theirs = await reviewing_call(api)
    await api.ok(s.resident, "POST", f"/api/v1/calls/{call['id']}/votes", {"bid_id": theirs["id"]}, 201)
    url = f"/api/v1/calls/{call['id']}/history"
    for member, who in ((s.staff, str(s.resident)), (s.neighbour, None), (s.representative, None)):
        (vote,) = [e for e in await api.ok(member, "GET", url) if e["action"] == "vote"]
        assert (vote["actor_id"], vote["reason"], vote["from_state"], vote["to_state"]) == (
            who,
            "",
            "reviewing",
            "reviewing",
        )
        assert set(vote) == {"seq", "action", "from_state", "to_state", "actor_id", "reason", "created_at"}
    # Only the voter is told which bid they chose: no bid's trace records a vote.
    for bid_ in (ours, theirs):
        trace = await api.ok(s.staff, "GET", f"/api/v1/bids/{bid_['id']}/history")
        assert "vote" not in {e["action"] for e in trace}


async def test_no_award_while_scores_are_missing(api):
    s = api.street
    call, ours, theirs = await reviewing_call(api)
    panel = s.volunteers[10:12]
    await score(api, panel[0], ours, call, 9, 5)
    await score(api, panel[1], ours, call, 9, 5)
    await api.ok(
        panel[0], "PUT", f"/api/v1/bids/{theirs['id']}/scores", {"scores": {call["criteria"][0]["id"]: 2}}
    )
    url = f"/api/v1/calls/{call['id']}/award"
    answer = await refused(
        api,
        s.staff,
        "POST",
        url,
        {"bid_id": ours["id"]},
        status=409,
        code="scores_missing",
        unchanged=snapshot,
    )
    assert answer["message"] == "还缺3项评分：每位评审须先为每个投标打分。"
    ranking = await api.ok(s.staff, "GET", f"/api/v1/calls/{call['id']}/ranking")
    assert (ranking["missing"], ranking["complete"]) == (3, False)
    assert [e["missing"] for e in ranking["entries"]] == [0, 3]


async def test_only_a_bid_ranked_first_is_awarded_and_only_by_staff(api):
    s = api.street
    call, ours, theirs = await reviewing_call(api)
    panel = s.volunteers[10:12]
    for panelist in panel:
        await score(api, panelist, ours, call, 9, 5)
        await score(api, panelist, theirs, call, 3, 2)
    url = f"/api/v1/calls/{call['id']}/award"
    await refused(
        api,
        s.staff,
        "POST",
        url,
        {"bid_id": theirs["id"]},
        status=409,
        code="not_top_ranked",
        unchanged=snapshot,
    )
    for member in (s.resident, panel[0]):
        await refused(
            api,
            member,
            "POST",
            url,
            {"bid_id": ours["id"]},
            status=403,
            code="not_allowed",
            unchanged=snapshot,
        )
    # Another community's staff do not see this call at all.
    await refused(
        api,
        s.other_staff,
        "POST",
        url,
        {"bid_id": ours["id"]},
        status=404,
        code="not_found",
        unchanged=snapshot,
    )
    await api.ok(s.staff, "POST", url, {"bid_id": ours["id"]})
    await refused(
        api, s.staff, "POST", url, {"bid_id": ours["id"]}, status=409, code="wrong_state", unchanged=snapshot
    )
    cancel = f"/api/v1/calls/{call['id']}/cancel"
    await refused(
        api,
        s.staff,
        "POST",
        cancel,
        {"reason": "预算调整"},
        status=409,
        code="wrong_state",
        unchanged=snapshot,
    )


async def test_tied_bids_share_a_rank_and_staff_choose_among_the_first(api):
    s = api.street
    call = await publish(api)
    ours = await bid(api, call, 100_000)
    theirs = await bid(api, call, 100_000, by=s.volunteers[0])
    _, representative = await third_organisation(api)
    third = await bid(api, call, 100_000, by=representative)
    api.clock.advance(days=8)
    panel = s.volunteers[10:12]
    # 60 × 7/10 + 40 × 4/5 = 74 for both; 60 × (7 + 8)/20 + 40 × 3/5 = 69 for the third... no: see below.
    await score(api, panel[0], ours, call, 7, 4)
    await score(api, panel[1], ours, call, 7, 4)
    await score(api, panel[0], theirs, call, 6, 4)  # 60 × 0.7 + 40 × 0.8 = 74 as well, by another way
    await score(api, panel[1], theirs, call, 8, 4)
    await score(api, panel[0], third, call, 7, 3)
    await score(api, panel[1], third, call, 7, 4)  # 60 × 0.7 + 40 × 0.7 = 70
    ranking = await api.ok(panel[0], "GET", f"/api/v1/calls/{call['id']}/ranking")
    assert [(e["bid_id"], e["rank"], e["tied"], e["score"]) for e in ranking["entries"]] == [
        (ours["id"], 1, True, "74.00"),
        (theirs["id"], 1, True, "74.00"),
        (third["id"], 3, False, "70.00"),
    ]
    url = f"/api/v1/calls/{call['id']}/award"
    await refused(
        api,
        s.staff,
        "POST",
        url,
        {"bid_id": third["id"]},
        status=409,
        code="not_top_ranked",
        unchanged=snapshot,
    )
    awarded = await api.ok(s.staff, "POST", url, {"bid_id": theirs["id"]})  # staff choose among the tied
    assert awarded["awarded_bid_id"] == theirs["id"]
    statuses = [
        (await api.ok(s.staff, "GET", f"/api/v1/bids/{b['id']}"))["status"] for b in (ours, theirs, third)
    ]
    assert statuses == ["lost", "awarded", "lost"]


async def test_the_fund_never_pays_out_more_than_it_holds(api):
    s = api.street
    await fund(api, 100_000)
    call, ours, theirs = await reviewing_call(api)
    for panelist in s.volunteers[10:12]:
        await score(api, panelist, ours, call, 9, 5)
        await score(api, panelist, theirs, call, 3, 2)
    await api.ok(s.staff, "POST", f"/api/v1/calls/{call['id']}/award", {"bid_id": ours["id"]})
    first = ours["milestones"][0]["id"]  # ¥2000.00, and the fund holds ¥1000.00
    await api.ok(s.representative, "POST", f"/api/v1/milestones/{first}/report", {"report": "已完成"})
    url = f"/api/v1/milestones/{first}/accept"
    answer = await refused(
        api, s.staff, "POST", url, None, status=409, code="insufficient_fund", unchanged=snapshot
    )
    assert answer["message"] == "社区基金余额为¥1000.00，不足以支付¥2000.00。"
    assert (await api.ok(s.representative, "GET", f"/api/v1/bids/{ours['id']}"))["milestones"][0][
        "status"
    ] == ("reported")
    assert (await cny(fund_account(s.community)), await cny(money_account(s.organisation))) == (100_000, 0)
    # Once the fund holds enough, the same report is accepted.
    await fund(api, 150_000)
    paid = await api.ok(s.staff, "POST", url)
    assert paid["status"] == "paid"
    assert (await cny(fund_account(s.community)), await cny(money_account(s.organisation))) == (
        50_000,
        200_000,
    )


async def test_milestones_are_reported_by_the_winner_and_decided_by_staff(api):
    s = api.street
    await fund(api, 1_000_000)
    call, ours, theirs = await reviewing_call(api)
    milestone = ours["milestones"][0]["id"]
    report = {"report": "已完成"}
    # Not before the award.
    url = f"/api/v1/milestones/{milestone}/report"
    await refused(
        api, s.representative, "POST", url, report, status=409, code="wrong_state", unchanged=snapshot
    )
    for panelist in s.volunteers[10:12]:
        await score(api, panelist, ours, call, 9, 5)
        await score(api, panelist, theirs, call, 3, 2)
    await api.ok(s.staff, "POST", f"/api/v1/calls/{call['id']}/award", {"bid_id": ours["id"]})
    lost = f"/api/v1/milestones/{theirs['milestones'][0]['id']}/report"
    await refused(
        api, s.volunteers[0], "POST", lost, report, status=409, code="wrong_state", unchanged=snapshot
    )
    for member in (s.resident, s.volunteers[1], s.staff):
        await refused(api, member, "POST", url, report, status=403, code="not_allowed", unchanged=snapshot)
    accept = f"/api/v1/milestones/{milestone}/accept"
    await refused(
        api, s.staff, "POST", accept, None, status=409, code="wrong_state", unchanged=snapshot
    )  # not reported yet
    await api.ok(s.representative, "POST", url, report)
    for member in (s.representative, s.resident, s.other_staff):
        await refused(api, member, "POST", accept, None, status=403, code="not_allowed", unchanged=snapshot)
    back = f"/api/v1/milestones/{milestone}/return"
    await refused(
        api, s.staff, "POST", back, {"reason": ""}, status=400, code="invalid_input", unchanged=snapshot
    )  # say why


async def test_a_withdrawn_bid_leaves_the_running_and_can_be_submitted_again(api):
    s = api.street
    call = await publish(api)
    ours = await bid(api, call, 100_000)
    out = await api.ok(s.representative, "POST", f"/api/v1/bids/{ours['id']}/withdraw")
    assert out["status"] == "withdrawn"
    assert (await api.ok(s.resident, "GET", f"/api/v1/calls/{call['id']}"))["bids"] == 0
    back = await bid(api, call, 120_000, status=200)
    assert (back["id"], back["status"], back["revision"]) == (ours["id"], "submitted", 2)
    history = await api.ok(s.representative, "GET", f"/api/v1/bids/{ours['id']}/history")
    assert [e["action"] for e in history] == ["submit", "withdraw", "resubmit"]


async def test_a_cancelled_call_takes_no_bids_and_publishes_none(api):
    s = api.street
    call = await publish(api)
    placed = await api.ok(
        s.representative, "POST", f"/api/v1/calls/{call['id']}/bids", bid_body(api, 100_000), status=201
    )
    url = f"/api/v1/calls/{call['id']}/cancel"
    await refused(
        api,
        s.resident,
        "POST",
        url,
        {"reason": "预算调整"},
        status=403,
        code="not_allowed",
        unchanged=snapshot,
    )
    await refused(
        api, s.staff, "POST", url, {"reason": ""}, status=400, code="invalid_input", unchanged=snapshot
    )
    cancelled = await api.ok(s.staff, "POST", url, {"reason": "预算调整"})
    assert cancelled["status"] == "cancelled"
    bids = f"/api/v1/calls/{call['id']}/bids"
    await refused(
        api,
        s.representative,
        "POST",
        bids,
        bid_body(api, 100_000),
        status=409,
        code="wrong_state",
        unchanged=snapshot,
    )
    api.clock.advance(days=8)
    await refused(
        api,
        s.representative,
        "POST",
        bids,
        bid_body(api, 100_000),
        status=409,
        code="wrong_state",
        unchanged=snapshot,
    )
    assert await close_due_calls(now=api.clock()) == 0
    # Its bid stays its bidder's business: no rival or resident reads it, now or after the deadline.
    for member in (s.resident, s.volunteers[10]):
        assert (await api.get(member, f"/api/v1/bids/{placed['id']}")).status_code == 404
    assert (await api.ok(s.representative, "GET", f"/api/v1/bids/{placed['id']}"))["id"] == placed["id"]


async def test_the_venture_calls_are_in_the_openapi_schema_with_summaries(api):
    schema = (await api.client.get("/schema/openapi.json")).json()
    paths = {(method, path) for path, item in schema["paths"].items() for method in item}
    venture_paths = {
        ("post", "/api/v1/calls"),
        ("get", "/api/v1/calls"),
        ("get", "/api/v1/calls/{call_id}"),
        ("get", "/api/v1/calls/{call_id}/history"),
        ("post", "/api/v1/calls/{call_id}/bids"),
        ("get", "/api/v1/calls/{call_id}/bids"),
        ("post", "/api/v1/calls/{call_id}/votes"),
        ("post", "/api/v1/calls/{call_id}/close-voting"),
        ("get", "/api/v1/calls/{call_id}/ranking"),
        ("post", "/api/v1/calls/{call_id}/award"),
        ("post", "/api/v1/calls/{call_id}/cancel"),
        ("get", "/api/v1/bids/{bid_id}"),
        ("get", "/api/v1/bids/{bid_id}/history"),
        ("post", "/api/v1/bids/{bid_id}/withdraw"),
        ("put", "/api/v1/bids/{bid_id}/scores"),
        ("post", "/api/v1/milestones/{milestone_id}/report"),
        ("post", "/api/v1/milestones/{milestone_id}/accept"),
        ("post", "/api/v1/milestones/{milestone_id}/return"),
        ("get", "/api/v1/milestones/{milestone_id}/history"),
    }
    assert venture_paths <= paths, venture_paths - paths
    for method, path in venture_paths:
        assert schema["paths"][path][method]["summary"], (method, path)
    components = schema["components"]["schemas"]
    bid_out = next(value for name, value in components.items() if name.endswith("BidOut"))["properties"]
    assert bid_out["call_id"]["type"] == "string" and bid_out["budget"]["type"] == "integer"


async def test_a_page_of_calls_leads_to_the_next(api):
    s = api.street
    made = [await publish(api) for _ in range(3)]
    first = await api.ok(s.resident, "GET", "/api/v1/calls?limit=2")
    assert [c["id"] for c in first["items"]] == [made[2]["id"], made[1]["id"]]
    rest = await api.ok(s.resident, "GET", f"/api/v1/calls?limit=2&cursor={first['next_cursor']}")
    assert ([c["id"] for c in rest["items"]], rest["next_cursor"]) == ([made[0]["id"]], None)
    reviewing = await api.ok(s.staff, "GET", "/api/v1/calls?status=reviewing")
    assert reviewing["items"] == []
    # Representatives of organisations see calls everywhere: they bid from anywhere.
    assert len((await api.ok(s.representative, "GET", "/api/v1/calls"))["items"]) == 3
    assert (await api.get(s.outsider, f"/api/v1/calls/{made[0]['id']}")).status_code == 404


async def test_a_milestone_accepted_five_times_at_once_is_paid_once(api):
    s = api.street
    await fund(api, 1_000_000)
    call, ours, theirs = await reviewing_call(api)
    for panelist in s.volunteers[10:12]:
        await score(api, panelist, ours, call, 9, 5)
        await score(api, panelist, theirs, call, 3, 2)
    await api.ok(s.staff, "POST", f"/api/v1/calls/{call['id']}/award", {"bid_id": ours["id"]})
    first = ours["milestones"][0]["id"]
    await api.ok(s.representative, "POST", f"/api/v1/milestones/{first}/report", {"report": "已完成"})
    url = f"/api/v1/milestones/{first}/accept"
    responses = await asyncio.gather(*(api.post(s.staff, url) for _ in range(5)))
    assert sorted(response.status_code for response in responses) == [200] + [409] * 4
    assert (await cny(fund_account(s.community)), await cny(money_account(s.organisation))) == (
        800_000,
        200_000,
    )
