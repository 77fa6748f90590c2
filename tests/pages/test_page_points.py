"""The points page through the real app on both engines: the balance on top, then one line per
economic event, newest first: a redemption is one line whose state says 冻结, 已核销 or 已退回;
an amount carries a sign only where the balance moved; each line names who paid or received;
no ids; every date written one way."""

from __future__ import annotations

import re

from tests.market.market_helpers import give_points

ROW = re.compile(r'<tr class="(held|posted|released)">(.*?)</tr>', re.S)
PARTS = {
    "time": re.compile(r'<td class="time">([^<]*)<'),
    "what": re.compile(r'class="what">([^<]*)<'),
    "kind": re.compile(r'class="kind">([^<]*)<'),
    "with": re.compile(r'class="with">([^<]*)<'),
    "said": re.compile(r'class="meta said">([^<]*)<'),
    "amount": re.compile(r'class="amount">([^<]*)<'),
}


def rows(html: str) -> list[tuple[str, list[str]]]:
    """Each line as (state, [time, what, kind, with whom, what became of it, points])."""
    found = []
    for state, body in ROW.findall(html):
        parts = {key: pattern.search(body) for key, pattern in PARTS.items()}
        found.append(
            (
                state,
                [
                    parts[key].group(1).strip() if parts[key] else ""
                    for key in ("time", "what", "kind", "with", "said", "amount")
                ],
            )
        )
    return found


async def test_the_points_page_tells_what_happened_to_each_point(site):
    s = site.street
    member = s.volunteers[4]
    await give_points(site, member, 100)
    site.clock.advance(minutes=10)
    provider = await site.signed_in(s.representative)
    await provider.post(
        "/provider/items", {"owner": f"organisation-{s.organisation}", "name": "上门理发", "price": "30"}
    )
    browser = await site.signed_in(member)
    item = re.search(r'action="/catalogue/(\d+)/redeem"', (await browser.get("/catalogue")).text).group(1)
    made = []
    for _ in range(3):
        response = await browser.post(f"/catalogue/{item}/redeem", {"quantity": "1"})
        made.append(int(response.headers["location"].rsplit("/", 1)[1]))
        site.clock.advance(minutes=10)
    code = re.search(
        r'id="code"[^>]*>([A-Z0-9]{4})-([A-Z0-9]{4})<', (await browser.get(f"/redemptions/{made[0]}")).text
    )
    await provider.post("/provider/fulfil", {"code": "".join(code.groups())})
    await browser.post(f"/redemptions/{made[1]}/cancel")

    page = await browser.get("/points")
    assert page.status_code == 200
    assert re.search(r'id="available">40<', page.text) and re.search(r'id="held">30<', page.text)
    shown = rows(page.text)
    assert [(state, cells[1:]) for state, cells in shown] == [
        ("held", ["上门理发", "兑换", "邻里社工服务中心", "冻结", "30"]),
        ("released", ["上门理发", "兑换", "邻里社工服务中心", "已退回", "30"]),
        ("posted", ["上门理发", "兑换", "邻里社工服务中心", "已核销", "−30"]),
        ("posted", ["志愿服务", "志愿服务", "幸福里社区", "", "+100"]),
    ]
    # One way to write a date, and no ids: a member reads what happened, not the ledger's keys.
    assert all(re.fullmatch(r"(2026年)?12月1日 \d{2}:\d{2}", cells[0]) for _, cells in shown), shown
    table = page.text[page.text.index("<table") : page.text.index("</table>")]
    assert "redemption:" not in table and "#" not in table

    english = await site.signed_in(member, language="en")
    said = rows((await english.get("/points")).text)
    assert [cells[1:5] for _, cells in said][:3] == [
        ["上门理发", "Redemption", "邻里社工服务中心", "held"],
        ["上门理发", "Redemption", "邻里社工服务中心", "given back"],
        ["上门理发", "Redemption", "邻里社工服务中心", "fulfilled"],
    ]
    # The home page says how much is held, as a positive number.
    assert re.search(r'id="held">另有 30 积分冻结中', (await browser.get("/")).text)
