"""The home page's "waiting for you" through the real app, on both engines: each person finds
what waits for their own action, counted, with a link to it; nothing is listed that is empty."""

from __future__ import annotations

import re

from tests.market.market_helpers import give_points
from tests.pages.conftest import worked
from tests.pages.test_page_loop import new_id, report

LINE = re.compile(r'<li><a href="([^"]+)">([^<]*)</a></li>')


async def waiting(browser) -> dict[str, str]:
    """The home page's waiting list: each line's words and where it leads."""
    home = await browser.get("/")
    assert home.status_code == 200
    if 'id="waiting-title"' not in home.text:
        return {}
    section = home.text.split('id="waiting-title"', 1)[1].split("</section>", 1)[0]
    return {words: href for href, words in LINE.findall(section)}


async def test_each_person_finds_what_waits_for_them(site):
    s = site.street
    resident = await site.signed_in(s.resident)
    volunteer = await site.signed_in(s.volunteers[0])
    staff = await site.signed_in(s.staff)
    assert await waiting(resident) == {}

    need = await report(site, resident)
    assert (await waiting(staff))["待分流的需求：1 项"] == "/desk?view=new"
    await staff.post(f"/desk/needs/{need}/triage", {"action": "grade", "grade": "B"})
    dispatched = await staff.post(
        f"/desk/needs/{need}/dispatch",
        {"title": "送午餐", "assignee": "pool", "capacity": "1", "points_per_hour": "10"},
    )
    claim = new_id(await volunteer.post(f"/tasks/{new_id(dispatched, 'tasks')}/claim"), "claims")
    assert (await waiting(volunteer))["待签到或提交时长的服务：1 项"] == f"/claims/{claim}"
    await worked(site, volunteer, claim, 60)
    assert (await waiting(resident))["为您做的服务等您确认：1 项"] == f"/needs/{need}"

    # A resident redeems the community's own item: its staff find the code to fulfil.
    await give_points(site, s.resident, 100)
    made = await staff.post(
        "/provider/items", {"owner": f"community-{s.community}", "name": "理发券", "price": "30"}
    )
    assert made.status_code == 303, made.text[:2000]
    item = re.search(r'href="/catalogue/(\d+)"', (await resident.get("/catalogue")).text).group(1)
    assert (await resident.post(f"/catalogue/{item}/redeem", {"quantity": "1"})).status_code == 303
    assert "待出示的兑换码：1 个" in await waiting(resident)
    assert (await waiting(staff))["待核销的兑换码：1 个"] == "/provider"
    other = await site.signed_in(s.other_staff)
    assert not any("兑换码" in words for words in await waiting(other))
