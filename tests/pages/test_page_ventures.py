"""Venture projects (公益创投) through the pages: staff publish a call, an organisation bids, the
panel scores once bidding has closed, residents vote, staff award and pay each milestone from the
community fund as its report is accepted. Every wrong form comes back (400) with its input kept
and the error beside its field; a refused action answers with its status and message."""

from __future__ import annotations

import re

from market import fund
from tests.pages.conftest import refused

# 2026-12-01 17:00 in Shanghai is the tests' T0; bids are taken for two weeks.
DEADLINE = "2026-12-15T18:00"


def new_id(response, kind: str) -> int:
    assert response.status_code == 303, (response.status_code, response.text[:3000])
    return int(re.fullmatch(rf"/{kind}/(\d+)", response.headers["location"]).group(1))


def call_form(site, **changes) -> dict:
    s = site.street
    form = {
        "title": "老年食堂助餐项目",
        "description": "为社区老人提供午餐配送",
        "area_id": str(s.community),
        "budget": "50000",
        "deadline": DEADLINE,
        "criterion_name_1": "可行性",
        "criterion_weight_1": "60",
        "criterion_max_1": "10",
        "criterion_name_2": "社区参与",
        "criterion_weight_2": "40",
        "criterion_max_2": "10",
        "criterion_name_3": "",  # an empty row, with the highest score the form suggests
        "criterion_weight_3": "",
        "criterion_max_3": "10",
        # volunteers[1] belongs to both bidding organisations: they may score neither bid.
        "panel": f"{s.phones[s.leader]}\n{s.phones[s.volunteers[1]]}, {s.phones[s.neighbour]}",
        "vote_weight": "20",
    }
    form.update(changes)
    return form


def bid_form(**changes) -> dict:
    form = {
        "proposal": "每天为 30 位老人送午餐",
        "team": "社工 3 名，志愿者 10 名",
        "budget": "30000.50",
        "milestone_title_1": "启动",
        "milestone_amount_1": "10000.50",
        "milestone_due_1": "2027-01-10",
        "milestone_title_2": "结项",
        "milestone_amount_2": "20000",
        "milestone_due_2": "2027-03-01",
    }
    form.update(changes)
    return form


async def publish(site, **changes) -> int:
    staff = await site.signed_in(site.street.staff)
    return new_id(await staff.post("/calls", call_form(site, **changes)), "calls")


async def test_a_call_from_publishing_to_a_paid_milestone_through_the_pages(site):
    s = site.street
    staff = await site.signed_in(s.staff)
    assert (await staff.get("/calls/new")).status_code == 200
    published = await staff.post("/calls", call_form(site))
    call = new_id(published, "calls")
    page = await staff.follow(published)
    assert "项目征集已发布" in page.text and "¥50000.00" in page.text and "可行性" in page.text
    assert "/calls" in (await staff.get("/")).text  # the menu entry

    representative = await site.signed_in(s.representative)
    listing = await representative.get("/calls")
    assert f"/calls/{call}" in listing.text and "老年食堂助餐项目" in listing.text
    form = await representative.get(f"/calls/{call}")
    assert f'action="/calls/{call}/bid"' in form.text
    submitted = await representative.post(f"/calls/{call}/bid", bid_form())
    page = await representative.follow(submitted)
    assert "投标已提交" in page.text and 'class="state submitted"' in page.text
    revised = await representative.post(f"/calls/{call}/bid", bid_form(team="社工 4 名"))
    page = await representative.follow(revised)
    assert "投标已修改" in page.text and "社工 4 名" in page.text and 'value="10000.50"' in page.text

    rival = await site.signed_in(s.volunteers[0])  # represents the volunteer team
    unbalanced = await rival.post(f"/calls/{call}/bid", bid_form(budget="20000", milestone_amount_2="9999"))
    assert unbalanced.status_code == 400
    rival_bid = await rival.post(
        f"/calls/{call}/bid", bid_form(budget="20000.50", milestone_amount_2="10000")
    )
    assert rival_bid.status_code == 303

    site.clock.advance(days=15)  # bidding has closed
    leader = await site.signed_in(s.leader)
    page = await leader.get(f"/calls/{call}")
    forms = re.findall(rf'action="/calls/{call}/bids/(\d+)/scores"', page.text)
    assert len(forms) == 2, page.text
    ours, theirs = (int(bid) for bid in forms)
    criteria = [int(c) for c in dict.fromkeys(re.findall(rf'name="score_{ours}_(\d+)"', page.text))]
    for bid, values in ((ours, ("9", "8")), (theirs, ("5", "5"))):
        scored = await leader.post(
            f"/calls/{call}/bids/{bid}/scores",
            {f"score_{bid}_{criterion}": value for criterion, value in zip(criteria, values, strict=True)},
        )
        assert "评分已保存" in (await leader.follow(scored)).text
    page = await leader.get(f"/calls/{call}")
    assert f'name="score_{ours}_{criteria[0]}" value="9"' in page.text  # my scores, shown back
    assert "还缺评分：4" in page.text and "2 项未评" in page.text  # the other panel member's
    neighbour = await site.signed_in(s.neighbour)
    for bid, values in ((ours, ("8", "8")), (theirs, ("6", "6"))):
        scored = await neighbour.post(
            f"/calls/{call}/bids/{bid}/scores",
            {f"score_{bid}_{criterion}": value for criterion, value in zip(criteria, values, strict=True)},
        )
        assert scored.status_code == 303

    resident = await site.signed_in(s.resident)
    page = await resident.get(f"/calls/{call}")
    assert f'value="{ours}"' in page.text and "投票支持" in page.text
    voted = await resident.post(f"/calls/{call}/vote", {"bid_id": str(ours)})
    page = await resident.follow(voted)
    assert "您的投票已计入" in page.text and "我的投票" in page.text
    assert f'action="/calls/{call}/vote"' not in page.text

    # While residents vote, the ranking holds the votes back, from staff too: the panel's part
    # only (60 × 8.5/10 + 40 × 8/10 = 83 and 60 × 5.5/10 + 40 × 5.5/10 = 55), and no award yet.
    page = await staff.get(f"/calls/{call}")
    assert "排名" in page.text and "投票结束后才计票" in page.text
    assert "83.00" in page.text and "55.00" in page.text
    assert "86.40" not in page.text and "已投票数" not in page.text
    assert f'action="/calls/{call}/award"' not in page.text
    # The history says that a resident voted, never for which bid; who, to staff only.
    assert re.search(r"<strong>王阿姨</strong>\s*已投票", page.text)
    bidders_page = await representative.get(f"/calls/{call}")
    assert re.search(r"<strong>一位邻居</strong>\s*已投票", bidders_page.text)
    assert "王阿姨" not in bidders_page.text
    assert f'action="/calls/{call}/close-voting"' not in bidders_page.text  # staff close voting

    closed = await staff.post(f"/calls/{call}/close-voting")
    page = await staff.follow(closed)
    assert "投票已结束，已计票" in page.text and "已结束投票" in page.text and "投票结束时间" in page.text
    assert f'action="/calls/{call}/close-voting"' not in page.text
    # (60 × 8.5/10 + 40 × 8/10) × 80% + 100% of the votes × 20%; (60 × 5.5/10 + 40 × 5.5/10) × 80%
    assert "86.40" in page.text and "44.00" in page.text and "已投票数：1" in page.text
    late = await site.signed_in(s.volunteers[7])
    assert f'action="/calls/{call}/vote"' not in (await late.get(f"/calls/{call}")).text
    await refused(
        late, await late.post(f"/calls/{call}/vote", {"bid_id": str(ours)}), 409, "本项目的投票已结束"
    )
    assert f'name="bid_id" value="{ours}"' in page.text and f'name="bid_id" value="{theirs}"' not in page.text
    awarded = await staff.post(f"/calls/{call}/award", {"bid_id": str(ours)})
    page = await staff.follow(awarded)
    assert "已定标" in page.text and "邻里社工服务中心" in page.text

    given = await fund.donate(
        await s.actor(s.staff),
        s.community,
        10_000_000,
        donor_kind="outside",
        donor_name="爱心人士",
        receipt_number="JZ-0001",
        now=site.clock(),
    )
    # Over ¥10,000: a second staff member approves it before the fund has it.
    await fund.approve_donation(await s.actor(s.street_staff), given.id, now=site.clock())
    page = await representative.get(f"/calls/{call}")
    assert 'id="organisation-money">¥0.00<' in page.text
    milestone = int(re.findall(rf'action="/calls/{call}/milestones/(\d+)/report"', page.text)[0])
    reported = await representative.post(
        f"/calls/{call}/milestones/{milestone}/report", {f"report_{milestone}": "已为 30 位老人送餐一个月"}
    )
    assert "项目节点已上报" in (await representative.follow(reported)).text
    page = await staff.get(f"/calls/{call}")
    assert f'action="/calls/{call}/milestones/{milestone}/accept"' in page.text
    accepted = await staff.post(f"/calls/{call}/milestones/{milestone}/accept")
    page = await staff.follow(accepted)
    assert "¥10000.50" in page.text and "需另一位工作人员审核" in page.text  # over ¥10,000: four eyes
    assert f'action="/calls/{call}/milestones/{milestone}/approve"' not in page.text  # not who accepted it
    page = await representative.get(f"/calls/{call}")
    assert 'id="organisation-money">¥0.00<' in page.text  # nothing paid before the approval
    second = await site.signed_in(s.street_staff)
    assert f'id="approve-grant-{milestone}"' in (await second.get("/desk")).text
    page = await second.get(f"/calls/{call}")
    assert f'action="/calls/{call}/milestones/{milestone}/approve"' in page.text
    approved = await second.post(f"/calls/{call}/milestones/{milestone}/approve")
    assert "¥10000.50" in (await second.follow(approved)).text
    page = await representative.get(f"/calls/{call}")
    assert 'id="organisation-money">¥10000.50<' in page.text and 'class="state paid"' in page.text

    english = await site.signed_in(s.representative, language="en")
    page = await english.get(f"/calls/{call}")
    assert "Milestones of the grant" in page.text and "awarded" in page.text


async def test_a_returned_milestone_is_planned_again_and_a_call_can_be_cancelled(site):
    s = site.street
    call = await publish(site)
    staff = await site.signed_in(s.staff)
    no_reason = await staff.post(f"/calls/{call}/cancel", {"cancel_reason": " "})
    assert no_reason.status_code == 400 and 'id="cancel_reason-error"' in no_reason.text
    cancelled = await staff.post(f"/calls/{call}/cancel", {"cancel_reason": "经费调整"})
    page = await staff.follow(cancelled)
    assert 'class="state cancelled"' in page.text and "经费调整" in page.text


async def test_wrong_call_forms_come_back_with_the_error_beside_the_field(site):
    staff = await site.signed_in(site.street.staff)
    weights = await staff.post("/calls", call_form(site, criterion_weight_2="30"))
    assert weights.status_code == 400 and 'id="criteria-error"' in weights.text and "合计为90" in weights.text
    assert 'value="老年食堂助餐项目"' in weights.text and 'value="30"' in weights.text
    budget = await staff.post("/calls", call_form(site, budget="5万"))
    assert budget.status_code == 400 and 'id="budget-error"' in budget.text and 'value="5万"' in budget.text
    nobody = await staff.post("/calls", call_form(site, panel="13999999999"))
    assert nobody.status_code == 400 and 'id="panel-error"' in nobody.text and "13999999999" in nobody.text
    past = await staff.post("/calls", call_form(site, deadline="2026-11-30T09:00"))
    assert past.status_code == 400 and 'id="deadline-error"' in past.text


async def test_wrong_bids_come_back_with_the_input_kept(site):
    call = await publish(site)
    representative = await site.signed_in(site.street.representative, language="en")

    over = await representative.post(
        f"/calls/{call}/bid", bid_form(budget="60000", milestone_amount_2="49999.50")
    )
    assert over.status_code == 400 and 'id="budget-error"' in over.text
    assert (
        "(¥60000.00) is above the call&#39;s budget (¥50000.00)" in over.text and 'value="60000"' in over.text
    )

    unbalanced = await representative.post(f"/calls/{call}/bid", bid_form(milestone_amount_2="100"))
    assert unbalanced.status_code == 400 and 'id="milestones-error"' in unbalanced.text
    assert "The milestones add up to ¥10100.50" in unbalanced.text and 'value="100"' in unbalanced.text

    bad = await representative.post(
        f"/calls/{call}/bid", bid_form(budget="30000.505", milestone_amount_1="abc")
    )
    assert (
        bad.status_code == 400
        and 'id="budget-error"' in bad.text
        and 'id="milestone_amount_1-error"' in bad.text
    )
    assert "at most 2 decimals" in bad.text and 'value="30000.505"' in bad.text and 'value="abc"' in bad.text

    no_plan = await representative.post(
        f"/calls/{call}/bid",
        {"proposal": "送餐", "budget": "100", "milestone_title_1": "", "milestone_amount_1": ""},
    )
    assert no_plan.status_code == 400 and 'id="milestones-error"' in no_plan.text

    site.clock.advance(days=15)
    page = await representative.get(f"/calls/{call}")
    assert page.status_code == 200 and f'action="/calls/{call}/bid"' not in page.text
    late = await representative.post(f"/calls/{call}/bid", bid_form(proposal="迟到的投标"))
    await refused(representative, late, 409, "The deadline for bids has passed.")


async def test_refused_venture_actions_answer_with_their_status_and_message(site):
    s = site.street
    resident = await site.signed_in(s.resident)
    assert (await resident.get("/calls/new")).status_code == 403
    await refused(resident, await resident.post("/calls", call_form(site)), 403, "您无权进行此操作")

    call = await publish(site)
    representative = await site.signed_in(s.representative)
    assert (await representative.post(f"/calls/{call}/bid", bid_form())).status_code == 303
    assert f'action="/calls/{call}/vote"' not in (await resident.get(f"/calls/{call}")).text
    early = await resident.post(f"/calls/{call}/vote", {"bid_id": "1"})
    await refused(resident, early, 409, "截止")

    site.clock.advance(days=15)
    leader = await site.signed_in(s.leader)
    page = await leader.get(f"/calls/{call}")
    bid = int(re.search(r'id="bid-(\d+)"', page.text).group(1))
    criterion = re.search(rf'name="score_{bid}_(\d+)"', page.text).group(1)
    panellist = await site.signed_in(s.volunteers[1], language="en")  # a member of the bidding organisation
    page = await panellist.get(f"/calls/{call}")
    assert f'action="/calls/{call}/bids/{bid}/scores"' not in page.text
    own = await panellist.post(f"/calls/{call}/bids/{bid}/scores", {f"score_{bid}_{criterion}": "10"})
    await refused(panellist, own, 403, "You cannot score a bid of your own organisation.")

    wrong = await leader.post(f"/calls/{call}/bids/{bid}/scores", {f"score_{bid}_{criterion}": "11"})
    assert wrong.status_code == 400 and f'id="score_{bid}_{criterion}-error"' in wrong.text
    assert 'value="11"' in wrong.text

    assert f'action="/calls/{call}/award"' not in (await resident.get(f"/calls/{call}")).text
    await refused(resident, await resident.post(f"/calls/{call}/award", {"bid_id": str(bid)}), 403)
    staff = await site.signed_in(s.staff)
    # Residents' votes weigh in this call: no award while they vote.
    await refused(staff, await staff.post(f"/calls/{call}/award", {"bid_id": str(bid)}), 409, "请先结束投票")
    assert f'action="/calls/{call}/close-voting"' not in (await resident.get(f"/calls/{call}")).text
    await refused(resident, await resident.post(f"/calls/{call}/close-voting"), 403)
    assert (await staff.post(f"/calls/{call}/close-voting")).status_code == 303
    await refused(staff, await staff.post(f"/calls/{call}/close-voting"), 409, "本项目的投票已结束")
    await refused(staff, await staff.post(f"/calls/{call}/award", {"bid_id": str(bid)}), 409, "还缺")
