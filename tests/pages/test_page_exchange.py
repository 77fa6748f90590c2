"""Peer exchange and gifts through the pages: an offer answered, agreed, done and paid from the
requester's own balance; every wrong form (400, the error beside its field, the input kept) and
every refused action (its status and message)."""

from __future__ import annotations

import re

from ledger.accounts import balance
from projects.members import member_account
from tests.market.market_helpers import give_points
from tests.pages.conftest import refused


def new_id(response, pattern: str) -> int:
    assert response.status_code == 303, (response.status_code, response.text[:2000])
    return int(re.fullmatch(pattern, response.headers["location"]).group(1))


async def points(member_id: int):
    return await balance(member_account(member_id))


async def publish(browser, **fields) -> int:
    form = {"kind": "offer", "category": "care.meals", "title": "陪老人聊天", "points_per_hour": "20"}
    response = await browser.post("/exchange", {**form, **fields})
    return new_id(response, r"/exchange/listings/(\d+)")


async def propose(browser, listing: int, minutes: str = "90", note: str = "周六下午") -> int:
    response = await browser.post(f"/exchange/listings/{listing}/propose", {"minutes": minutes, "note": note})
    return new_id(response, r"/exchange/(\d+)")


async def test_an_offer_is_answered_agreed_done_and_paid_from_the_requesters_balance(site):
    s = site.street
    performer, requester = s.volunteers[0], s.resident
    await give_points(site, requester, 100)
    offering = await site.signed_in(performer)
    menu = await offering.get("/")
    assert 'href="/exchange"' in menu.text and 'href="/gifts"' in menu.text
    listing = await publish(offering, description="可以上门陪聊")
    shown = await offering.get(f"/exchange/listings/{listing}")
    assert "陪老人聊天" in shown.text and f'action="/exchange/listings/{listing}/close"' in shown.text

    asking = await site.signed_in(requester)
    browse = await asking.get("/exchange?kind=offer&category=care")
    assert f"/exchange/listings/{listing}" in browse.text and "20 积分/小时" in browse.text
    assert f"/exchange/listings/{listing}" not in (await asking.get("/exchange?kind=request")).text
    exchange = await propose(asking, listing)
    page = await asking.get(f"/exchange/{exchange}")
    assert "周六下午" in page.text and f'action="/exchange/{exchange}/accept"' not in page.text

    received = await offering.get(f"/exchange/listings/{listing}")
    assert f'href="/exchange/{exchange}"' in received.text
    accepted = await offering.post(f"/exchange/{exchange}/accept")
    assert "30" in (await offering.follow(accepted)).text
    held = await points(requester)
    assert (held.posted, held.pending, held.available) == (100, -30, 70)  # pending: held out of it
    assert re.search(r'id="points-held">30<', (await asking.get(f"/exchange/{exchange}")).text)

    submitted = await offering.post(f"/exchange/{exchange}/submit", {"minutes": "60", "note": "聊得很开心"})
    assert submitted.status_code == 303
    page = await asking.get(f"/exchange/{exchange}")
    assert f'action="/exchange/{exchange}/confirm"' in page.text
    confirmed = await asking.post(f"/exchange/{exchange}/confirm")
    done = await asking.follow(confirmed)
    assert "20" in done.text and re.search(r'id="points-paid">20<', done.text)
    assert (await points(requester)).posted == 80 and (await points(requester)).pending == 0
    assert (await points(performer)).posted == 20
    mine = await offering.get("/exchange/mine")
    assert "陪老人聊天" in mine.text and "已确认" in mine.text
    english = await site.signed_in(requester, language="en")
    history = await english.get(f"/exchange/{exchange}")
    assert "proposed" in history.text and "Points paid" in history.text


async def test_a_disputed_exchange_is_settled_by_the_leader_over_the_requesters_home(site):
    s = site.street
    performer, requester = s.volunteers[1], s.resident
    await give_points(site, requester, 50)
    offering = await site.signed_in(performer, language="en")
    asking = await site.signed_in(requester, language="en")
    exchange = await propose(asking, await publish(offering), minutes="60")
    await offering.post(f"/exchange/{exchange}/accept")
    await offering.post(f"/exchange/{exchange}/submit", {"minutes": "60"})
    no_reason = await asking.post(f"/exchange/{exchange}/dispute", {"dispute_reason": " "})
    assert no_reason.status_code == 400
    assert 'id="dispute_reason-error">Please fill in the reason.' in no_reason.text
    disputed = await asking.post(f"/exchange/{exchange}/dispute", {"dispute_reason": "只来了半小时"})
    assert disputed.status_code == 303

    assert f'action="/exchange/{exchange}/settle"' not in (await offering.get(f"/exchange/{exchange}")).text
    party = await offering.post(
        f"/exchange/{exchange}/settle", {"settle_minutes": "60", "settle_reason": "我来了"}
    )
    await refused(offering, party, 403, "A party to an exchange cannot settle it.")
    leader = await site.signed_in(s.leader, language="en")
    page = await leader.get(f"/exchange/{exchange}")
    assert f'action="/exchange/{exchange}/settle"' in page.text
    wrong = await leader.post(f"/exchange/{exchange}/settle", {"settle_minutes": "90", "settle_reason": "x"})
    assert wrong.status_code == 400
    assert 'id="settle_minutes-error">At most the 60 minutes agreed.' in wrong.text
    assert 'value="x"' in wrong.text
    settled = await leader.post(
        f"/exchange/{exchange}/settle", {"settle_minutes": "30", "settle_reason": "各让一步"}
    )
    assert "The dispute is settled." in (await leader.follow(settled)).text
    assert (await points(performer)).posted == 10 and (await points(requester)).posted == 40
    outsider = await site.signed_in(s.outsider, language="en")
    assert (await outsider.get(f"/exchange/{exchange}")).status_code == 404


async def test_wrong_forms_come_back_with_the_error_beside_the_field_and_the_input_kept(site):
    s = site.street
    browser = await site.signed_in(s.resident, language="en")
    no_title = await browser.post(
        "/exchange", {"kind": "request", "category": "care.meals", "title": " ", "description": "送我去医院"}
    )
    assert no_title.status_code == 400 and 'id="title-error">Please fill in the title.' in no_title.text
    assert 'option value="care.meals" selected' in no_title.text and ">送我去医院</textarea>" in no_title.text
    assert 'name="kind" value="request" checked' in no_title.text
    rate = await browser.post(
        "/exchange", {"kind": "offer", "category": "care.meals", "title": "修电脑", "points_per_hour": "lots"}
    )
    assert (
        rate.status_code == 400
        and 'id="points_per_hour-error">Enter a whole number from 1 to 1000.' in rate.text
    )
    assert 'value="修电脑"' in rate.text
    category = await browser.post("/exchange", {"kind": "offer", "category": "nothing", "title": "修电脑"})
    assert (
        category.status_code == 400 and 'id="category-error">There is no category nothing.' in category.text
    )
    kind = await browser.post("/exchange", {"kind": "swap", "category": "care.meals", "title": "修电脑"})
    assert kind.status_code == 400 and 'id="kind-error">A listing is an offer or a request.' in kind.text

    listing = await publish(await site.signed_in(s.neighbour), points_per_hour="")
    minutes = await browser.post(f"/exchange/listings/{listing}/propose", {"minutes": "0", "note": "明天"})
    assert (
        minutes.status_code == 400
        and 'id="minutes-error">Enter a whole number from 1 to 1440.' in minutes.text
    )
    assert ">明天</textarea>" in minutes.text

    await give_points(site, s.resident, 10)
    exchange = await propose(browser, listing, minutes="30")
    neighbour = await site.signed_in(s.neighbour, language="en")
    assert (await neighbour.post(f"/exchange/{exchange}/accept")).status_code == 303
    too_long = await neighbour.post(f"/exchange/{exchange}/submit", {"minutes": "45", "note": "ok"})
    assert too_long.status_code == 400
    assert (
        'id="minutes-error">At most the 30 minutes agreed.' in too_long.text
        and ">ok</textarea>" in too_long.text
    )


async def test_forbidden_actions_answer_with_their_status_and_message(site):
    s = site.street
    owner = await site.signed_in(s.volunteers[2], language="en")
    listing = await publish(owner)
    assert (
        f'action="/exchange/listings/{listing}/propose"'
        not in (await owner.get(f"/exchange/listings/{listing}")).text
    )
    own = await owner.post(f"/exchange/listings/{listing}/propose", {"minutes": "60"})
    await refused(owner, own, 403, "You cannot answer your own listing.")

    # A proposal its requester cannot pay is refused as they make it, at the minutes.
    asking = await site.signed_in(s.resident)
    poor = await asking.post(f"/exchange/listings/{listing}/propose", {"minutes": "60", "note": "周末"})
    assert poor.status_code == 409 and 'id="minutes-error">您的可用积分为0分，不足以支付20分。' in poor.text
    assert ">周末</textarea>" in poor.text
    await give_points(site, s.resident, 20)
    exchange = await propose(asking, listing, minutes="60")
    assert f'action="/exchange/{exchange}/accept"' not in (await asking.get(f"/exchange/{exchange}")).text
    self_accept = await asking.post(f"/exchange/{exchange}/accept")
    await refused(asking, self_accept, 403, "您的提议须由对方接受。")

    # The requester spends the points meanwhile: the performer learns only that it is declined.
    await asking.post("/gifts", {"to": "member", "phone": s.phones[s.neighbour], "amount": "10"})
    short = await owner.post(f"/exchange/{exchange}/accept")
    page = await refused(owner, short, 409, "This proposal can no longer be agreed: it was declined.")
    assert "10" not in re.search(r'role="alert"[^>]*>([^<]*)<', page.text).group(1)
    assert 'class="state declined"' in (await owner.get(f"/exchange/{exchange}")).text

    await give_points(site, s.resident, 10)
    exchange = await propose(asking, listing, minutes="60")
    assert (await owner.post(f"/exchange/{exchange}/accept")).status_code == 303
    assert f'action="/exchange/{exchange}/confirm"' not in (await asking.get(f"/exchange/{exchange}")).text
    early = await asking.post(f"/exchange/{exchange}/confirm")
    await refused(asking, early, 409)
    performer_confirms = await owner.post(f"/exchange/{exchange}/confirm")
    await refused(owner, performer_confirms, 403, "Only who received the work confirms it.")
    requester = await site.signed_in(s.resident, language="en")
    requester_submits = await requester.post(f"/exchange/{exchange}/submit", {"minutes": "60"})
    await refused(requester, requester_submits, 403, "Only who did the work submits it.")

    outsider = await site.signed_in(s.outsider, language="en")
    assert (await outsider.get(f"/exchange/listings/{listing}")).status_code == 404
    assert (await outsider.get(f"/exchange/{exchange}")).status_code == 404
    neighbour = await site.signed_in(s.neighbour, language="en")
    closing = await neighbour.post(f"/exchange/listings/{listing}/close")
    assert closing.status_code == 404 and "There is no such listing." in closing.text
    cancelled = await asking.post(f"/exchange/{exchange}/cancel", {"cancel_reason": "改天"})
    assert cancelled.status_code == 303 and (await points(s.resident)).available == 20
    closed = await owner.post(f"/exchange/listings/{listing}/close")
    assert closed.status_code == 303
    late = await neighbour.post(f"/exchange/listings/{listing}/propose", {"minutes": "60"})
    await refused(neighbour, late, 409)
    assert f"/exchange/listings/{listing}" not in (await neighbour.get("/exchange")).text
    signed_out = site.browser()
    assert (await signed_out.get("/exchange")).headers["location"].startswith("/login")


async def test_a_gift_to_a_neighbour_and_to_the_community_pool(site):
    s = site.street
    empty = await (await site.signed_in(s.resident)).get("/gifts")
    assert 'action="/gifts"' not in empty.text and 'id="nothing-to-give"' in empty.text
    await give_points(site, s.resident, 30)
    giver = await site.signed_in(s.resident, language="en")
    form = await giver.get("/gifts")
    assert "Available points: 30" in form.text and 'name="to" value="community"' in form.text
    nobody = await giver.post(
        "/gifts", {"to": "member", "phone": "13999999999", "amount": "5", "note": "谢谢"}
    )
    assert nobody.status_code == 400
    assert 'id="phone-error">Nobody is registered with the mobile number 13999999999.' in nobody.text
    assert 'value="5"' in nobody.text and 'value="谢谢"' in nobody.text
    amount = await giver.post("/gifts", {"to": "member", "phone": s.phones[s.neighbour], "amount": "0"})
    assert (
        amount.status_code == 400
        and 'id="amount-error">Enter a whole number from 1 to 1000000.' in amount.text
    )
    too_much = await giver.post("/gifts", {"to": "member", "phone": s.phones[s.neighbour], "amount": "31"})
    assert too_much.status_code == 409
    assert 'id="amount-error">Your available balance is 30 points: not enough for 31.' in too_much.text
    myself = await giver.post("/gifts", {"to": "member", "phone": s.phones[s.resident], "amount": "1"})
    assert myself.status_code == 400 and "You cannot give points to yourself." in myself.text

    given = await giver.post(
        "/gifts", {"to": "member", "phone": s.phones[s.neighbour], "amount": "12", "note": "谢谢"}
    )
    assert "12 points were given" in (await giver.follow(given)).text
    pooled = await giver.post("/gifts", {"to": "community", "amount": "3"})
    assert pooled.status_code == 303
    assert (await points(s.resident)).posted == 15 and (await points(s.neighbour)).posted == 12
    received = await (await site.signed_in(s.neighbour)).get("/gifts")
    assert "王阿姨" in received.text and "+12" in received.text
    listed = await giver.get("/gifts")
    assert "The points pool of 幸福里社区" in listed.text and "−3" in listed.text
