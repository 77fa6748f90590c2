"""No page scrolls sideways on a phone: community staff open their desk, the supervision board, a
need, a task (its 代为登记 form open), a claim and a call whose ranking shows the votes and the
award button, at 375 px, and each page is no wider than the screen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from market.ventures.bids import submit_bid
from market.ventures.calls import close_due_calls, get_call, publish_call
from market.ventures.drafts import CriterionDraft, MilestoneDraft
from market.ventures.panel import close_voting, score_bid, vote
from projects import claims, needs, tasks, triage
from tests.browser.conftest import populated, serve
from tests.browser.test_browser_story import PHONE, person
from tests.projects.community import build_street

# Everything a page holds that is wider than the screen but meant to scroll inside its own box.
WIDER_THAN_THE_SCREEN = """() => {
  const screen = document.documentElement.clientWidth, out = [];
  for (const element of document.querySelectorAll('body *')) {
    const box = element.getBoundingClientRect();
    const scrolled = element.parentElement && element.parentElement.closest('.table-wrap');
    if (box.width > 0 && box.right > screen + 0.5 && !scrolled) {
      out.push(element.tagName.toLowerCase() + '.' + element.className + ' ' + Math.round(box.right));
    }
  }
  return out.slice(0, 8);
}"""


async def _a_street_at_work():
    """The street with a need, an open task for it, a claim on the task, and a call whose bids
    the panel scored and residents voted on, voting closed: the ranking shows every column."""
    now = datetime.now(UTC)
    s = await build_street(now - timedelta(days=20))
    staff = await s.actor(s.staff)
    need = await needs.report_need(
        await s.actor(s.resident),
        category="care.meals",
        description="腿脚不便，想请人每天中午送餐上门",
        now=now,
    )
    await triage.triage_need(staff, need.id, grade="B", now=now)
    task = await tasks.create_task(staff, title="为独居老人送午餐", need_id=need.id, capacity=2, now=now)
    claim = await claims.claim_task(await s.actor(s.volunteers[0]), task.id, now=now)

    published = now - timedelta(days=15)
    call = await publish_call(
        staff,
        title="老旧小区适老化改造公益创投",
        area_id=s.community,
        budget=400_000,
        deadline=published + timedelta(days=7),
        criteria=[CriterionDraft("方案可行性", 60), CriterionDraft("团队能力", 40, max_score=5)],
        panel=s.volunteers[10:12],
        vote_weight=50,
        now=published,
    )
    bids = []
    for bidder, organisation in ((s.representative, s.organisation), (s.volunteers[0], s.team)):
        plan = [MilestoneDraft("第一阶段", 200_000, now + timedelta(days=30))]
        bid = await submit_bid(
            await s.actor(bidder),
            call.id,
            organisation_id=organisation,
            proposal="加装扶手和感应灯",
            budget=200_000,
            milestones=plan,
            now=published + timedelta(days=1),
        )
        bids.append(bid)
    await close_due_calls(now=published + timedelta(days=8))
    criteria = (await get_call(call.id)).criteria
    for panelist in s.volunteers[10:12]:
        for bid, points in zip(bids, ((9, 4), (5, 2)), strict=True):
            scores = {criterion.id: point for criterion, point in zip(criteria, points, strict=True)}
            await score_bid(await s.actor(panelist), bid.id, scores, now=now - timedelta(days=5))
    await vote(await s.actor(s.neighbour), call.id, bids[1].id, now=now - timedelta(days=4))
    await close_voting(staff, call.id, now=now - timedelta(days=3))
    s.need, s.task, s.claim, s.call = need.id, task.id, claim.id, call.id
    return s


@pytest.fixture(scope="module")
def at_work(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory):
    url, street = populated(sqlite_template, tmp_path_factory.mktemp("phone-width"), _a_street_at_work)
    with serve(url) as base:
        yield base, street


def test_no_page_of_community_staff_scrolls_sideways_on_a_phone(at_work, browser, artefacts):
    base, street = at_work
    context, staff = person(browser, base, street.phones[street.staff])
    pages = [
        "/desk",
        "/desk/supervision",
        f"/needs/{street.need}",
        f"/tasks/{street.task}",
        f"/claims/{street.claim}",
        f"/calls/{street.call}",
    ]
    wide = {}
    for path in pages:
        staff.goto(path)
        # What a tap would open (代为登记 on the task page) must fit too.
        staff.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
        width = staff.evaluate("() => document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            wide[path] = (width, staff.evaluate(WIDER_THAN_THE_SCREEN))
            staff.screenshot(path=str(artefacts / f"too-wide-{path.strip('/').replace('/', '-')}.png"))
    assert wide == {}

    # The ranking shows the votes, and the button that awards the grant is on the screen.
    staff.goto(f"/calls/{street.call}")
    ranking = staff.locator("#ranking")
    assert "票" in ranking.inner_text()
    award = ranking.get_by_role("button", name="定标给")
    box = award.bounding_box()  # across the screen, not in a column the table must be scrolled to
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= PHONE["width"]
    staff.screenshot(path=str(artefacts / "phone-ranking-375.png"), full_page=True)
    context.close()
