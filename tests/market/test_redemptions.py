"""The catalogue and redemptions through the real app, on SQLite and PostgreSQL: the whole
lifecycle, every refusal (with nothing changed), expiry, and concurrency against the balance
and against the stock."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from datetime import datetime

from ledger.accounts import balance as account_balance
from market.sweep import sweep
from projects.organisations import organisation_account
from tests.api.helpers import refused
from tests.market.market_helpers import balance, give_points, item, market_counts


async def test_a_redemption_from_catalogue_to_fulfilment(api):
    street = api.street
    await give_points(api, street.resident, 100)
    offered = await item(api, price=30, stock=5, limit=2, kind="service", name_en="A haircut")
    assert offered["provider"] == "邻里社工服务中心" and offered["stock"] == 5

    page = await api.ok(street.resident, "GET", "/api/v1/catalogue")
    assert [i["id"] for i in page["items"]] == [offered["id"]]
    assert set(page["items"][0]) >= {"id", "name", "price", "stock", "provider"}
    assert page["next_cursor"] is None

    redemption = await api.ok(
        street.resident, "POST", "/api/v1/redemptions", {"item_id": offered["id"], "quantity": 1}, status=201
    )
    assert redemption["status"] == "pending" and len(redemption["code"]) == 8 and redemption["id"]
    assert await balance(api, street.resident) == {"posted": 100, "pending": -30, "available": 70}
    assert (await api.ok(street.resident, "GET", f"/api/v1/catalogue/{offered['id']}"))["stock"] == 4

    # The provider sees it waiting, then enters the code as a person would type it.
    waiting = await api.ok(
        street.representative,
        "GET",
        f"/api/v1/redemptions?organisation_id={street.organisation}&status=pending",
    )
    assert [r["id"] for r in waiting["items"]] == [redemption["id"]]
    # The code is the member's to show: the provider's list never gives it away.
    assert waiting["items"][0]["code"] == ""
    seen = await api.ok(street.representative, "GET", f"/api/v1/redemptions/{redemption['id']}")
    assert seen["code"] == "" and seen["member_name"] and seen["fulfilled_at"] is None
    # What each may do now: the provider fulfils (with the code) or rejects; the member cancels.
    assert (seen["may_fulfil"], seen["may_reject"], seen["may_cancel"]) == (True, True, False)
    assert (redemption["may_fulfil"], redemption["may_reject"], redemption["may_cancel"]) == (
        False,
        False,
        True,
    )
    typed = f"{redemption['code'][:4].lower()}-{redemption['code'][4:]}"
    fulfilled = await api.ok(street.representative, "POST", "/api/v1/redemptions/fulfil", {"code": typed})
    assert fulfilled["status"] == "fulfilled" and fulfilled["id"] == redemption["id"]
    assert datetime.fromisoformat(fulfilled["fulfilled_at"]) == api.clock()
    assert not (fulfilled["may_fulfil"] or fulfilled["may_reject"])

    # The same code a day later (an old screenshot): refused, saying when and by whom; the points
    # moved once.
    api.clock.advance(days=1)
    before = await market_counts(api)
    again = await api.post(
        street.representative, "/api/v1/redemptions/fulfil", json={"code": redemption["code"]}
    )
    assert again.status_code == 409 and again.json()["code"] == "already_fulfilled"
    # (the year is said only when it is not this one)
    said = again.json()["message"]
    assert re.fullmatch(
        r"该兑换码已由社工机构负责人核销于(2026年)?12月1日 17:00，不会再次转移积分。", said
    ), said
    english = await api.call(
        street.representative,
        "POST",
        "/api/v1/redemptions/fulfil",
        json={"code": redemption["code"]},
        language="en",
    )
    said = english.json()["message"]
    assert re.fullmatch(
        r"This code was already fulfilled by 社工机构负责人 on Dec 1(, 2026)? 17:00: nothing moves again\.",
        said,
    ), said
    assert await market_counts(api) == before
    assert await balance(api, street.resident) == {"posted": 70, "pending": 0, "available": 70}
    assert (await account_balance(organisation_account(street.organisation))).posted == 30

    totals = await api.ok(
        street.representative, "GET", f"/api/v1/redemptions/totals?organisation_id={street.organisation}"
    )
    assert totals["count"]["fulfilled"] == 1 and totals["points"]["fulfilled"] == 30
    points = await api.ok(street.staff, "GET", f"/api/v1/communities/{street.community}/points")
    assert points == {
        "issued": 100,
        "returned": 0,
        "outstanding": 100,
        "redeemed": 30,
        "pending_redemptions": 0,
    }
    history = await api.ok(street.resident, "GET", f"/api/v1/redemptions/{redemption['id']}/history")
    assert [(e["action"], e["to_state"]) for e in history] == [("redeem", "pending"), ("fulfil", "fulfilled")]
    mine = await api.ok(street.resident, "GET", "/api/v1/redemptions")
    assert [r["status"] for r in mine["items"]] == ["fulfilled"]


async def test_cancelling_rejecting_and_expiry_give_back_points_and_stock(api):
    street = api.street
    await give_points(api, street.resident, 100)
    offered = await item(api, price=10, stock=3)

    async def redeem():
        return await api.ok(
            street.resident,
            "POST",
            "/api/v1/redemptions",
            {"item_id": offered["id"], "quantity": 1},
            status=201,
        )

    first, second, third = await redeem(), await redeem(), await redeem()
    assert (await api.ok(street.resident, "GET", f"/api/v1/catalogue/{offered['id']}"))["stock"] == 0
    cancelled = await api.ok(street.resident, "POST", f"/api/v1/redemptions/{first['id']}/cancel")
    assert cancelled["status"] == "cancelled"
    rejected = await api.ok(
        street.representative, "POST", f"/api/v1/redemptions/{second['id']}/reject", {"reason": "今天停业"}
    )
    assert rejected["status"] == "rejected" and rejected["reason"] == "今天停业"
    assert await balance(api, street.resident) == {"posted": 100, "pending": -10, "available": 90}

    api.clock.advance(days=3, seconds=1)
    expired_code = await api.post(
        street.representative, "/api/v1/redemptions/fulfil", json={"code": third["code"]}
    )
    assert expired_code.status_code == 409 and expired_code.json()["code"] == "expired"
    assert (await sweep(now=api.clock())).redemptions_expired == 1
    assert (await sweep(now=api.clock())).redemptions_expired == 0  # once
    assert (await api.ok(street.resident, "GET", f"/api/v1/redemptions/{third['id']}"))["status"] == "expired"
    assert await balance(api, street.resident) == {"posted": 100, "pending": 0, "available": 100}
    assert (await api.ok(street.resident, "GET", f"/api/v1/catalogue/{offered['id']}"))["stock"] == 3
    history = await api.ok(street.resident, "GET", f"/api/v1/redemptions/{third['id']}/history")
    assert history[-1]["action"] == "expire" and history[-1]["actor_id"] is None


async def test_every_refusal_says_why_and_changes_nothing(api):
    street = api.street
    await give_points(api, street.resident, 25)
    limited = await item(api, price=10, stock=10, limit=1)
    await api.ok(street.resident, "POST", "/api/v1/redemptions", {"item_id": limited["id"]}, status=201)
    before = await market_counts(api)

    message = (
        await refused(
            api,
            street.resident,
            "POST",
            "/api/v1/redemptions",
            {"item_id": limited["id"]},
            status=409,
            code="limit_reached",
            unchanged=market_counts,
        )
    )["message"]
    assert "1" in message
    pricey = await item(api, price=20)
    before = await market_counts(api)
    message = (
        await refused(
            api,
            street.resident,
            "POST",
            "/api/v1/redemptions",
            {"item_id": pricey["id"]},
            status=409,
            code="insufficient_balance",
            unchanged=market_counts,
        )
    )["message"]
    assert message == "您的可用积分为15分，不足以支付20分。"
    english = await api.call(
        street.resident, "POST", "/api/v1/redemptions", json={"item_id": pricey["id"]}, language="en"
    )
    assert english.json()["message"] == "Your available balance is 15 points: not enough for 20."
    await refused(
        api,
        street.resident,
        "POST",
        "/api/v1/redemptions",
        {"item_id": pricey["id"], "quantity": 0},
        status=400,
        code="invalid_input",
        unchanged=market_counts,
    )
    await refused(
        api,
        street.outsider,
        "POST",
        "/api/v1/redemptions",
        {"item_id": pricey["id"]},
        status=404,
        code="not_found",
        unchanged=market_counts,
    )
    await refused(
        api,
        street.resident,
        "POST",
        "/api/v1/redemptions",
        {"item_id": "999999"},
        status=404,
        code="not_found",
        unchanged=market_counts,
    )
    await refused(
        api,
        street.resident,
        "POST",
        "/api/v1/redemptions/fulfil",
        {"code": "ZZZZ2222"},
        status=404,
        code="not_found",
        unchanged=market_counts,
    )
    assert await market_counts(api) == before

    sold_out = await item(api, price=1, stock=1)
    await give_points(api, street.neighbour, 10)
    await api.ok(street.neighbour, "POST", "/api/v1/redemptions", {"item_id": sold_out["id"]}, status=201)
    before = await market_counts(api)
    message = (
        await refused(
            api,
            street.resident,
            "POST",
            "/api/v1/redemptions",
            {"item_id": sold_out["id"]},
            status=409,
            code="out_of_stock",
            unchanged=market_counts,
        )
    )["message"]
    assert message == "已兑完。"
    item_seen = await api.ok(street.resident, "GET", f"/api/v1/catalogue/{sold_out['id']}")
    assert item_seen["stock"] == 0 and not item_seen["may_redeem"]
    mine = (await api.ok(street.neighbour, "GET", "/api/v1/redemptions"))["items"][0]
    # Another member cannot cancel it, a resident cannot fulfil it, nor can another community's staff.
    await refused(
        api,
        street.resident,
        "POST",
        f"/api/v1/redemptions/{mine['id']}/cancel",
        None,
        status=404,
        code="not_found",
        unchanged=market_counts,
    )
    await refused(
        api,
        street.resident,
        "POST",
        "/api/v1/redemptions/fulfil",
        {"code": mine["code"]},
        status=404,
        code="not_found",
        unchanged=market_counts,
    )
    await refused(
        api,
        street.other_staff,
        "POST",
        "/api/v1/redemptions/fulfil",
        {"code": mine["code"]},
        status=404,
        code="not_found",
        unchanged=market_counts,
    )
    await refused(
        api,
        street.representative,
        "POST",
        f"/api/v1/redemptions/{mine['id']}/reject",
        {"reason": ""},
        status=400,
        code="invalid_input",
        unchanged=market_counts,
    )
    assert await market_counts(api) == before
    await api.ok(street.representative, "POST", "/api/v1/redemptions/fulfil", {"code": mine["code"]})
    before = await market_counts(api)
    await refused(
        api,
        street.neighbour,
        "POST",
        f"/api/v1/redemptions/{mine['id']}/cancel",
        None,
        status=409,
        code="wrong_state",
        unchanged=market_counts,
    )
    await refused(
        api,
        street.representative,
        "POST",
        f"/api/v1/redemptions/{mine['id']}/reject",
        {"reason": "x"},
        status=409,
        code="wrong_state",
        unchanged=market_counts,
    )
    assert await market_counts(api) == before

    # An item outside its window, or paused, is not offered.
    later = await item(api, price=1, active_from=api.clock.advance(seconds=0).replace(year=2027).isoformat())
    assert later["id"] not in [
        i["id"] for i in (await api.ok(street.resident, "GET", "/api/v1/catalogue"))["items"]
    ]
    await refused(
        api,
        street.resident,
        "POST",
        "/api/v1/redemptions",
        {"item_id": later["id"]},
        status=409,
        code="unavailable",
        unchanged=market_counts,
    )


async def test_who_may_offer_items(api):
    street = api.street
    body = {
        "community_id": str(street.community),
        "name": "活动室预约",
        "price": 5,
        "area_ids": [str(street.grid)],
    }
    # Staff offer the community's own items; a resident may not; an area outside the community is refused.
    hall = await api.ok(street.staff, "POST", "/api/v1/catalogue", body, status=201)
    assert hall["provider"] == "幸福里社区" and hall["provider_id"] is None
    response = await api.post(street.resident, "/api/v1/catalogue", json=body)
    assert response.status_code == 403
    response = await api.post(
        street.staff, "/api/v1/catalogue", json={**body, "area_ids": [str(street.other_unit)]}
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid_input"
    response = await api.post(street.other_staff, "/api/v1/catalogue", json=body)
    assert response.status_code == 403
    # A grid's item is not offered to someone who lives in another grid's unit... but is in its own.
    await give_points(api, street.resident, 5)
    redeemed = await api.ok(
        street.resident, "POST", "/api/v1/redemptions", {"item_id": hall["id"]}, status=201
    )
    # Points for the community's own item go back to its issuer when fulfilled by its staff.
    await api.ok(street.staff, "POST", "/api/v1/redemptions/fulfil", {"code": redeemed["code"]})
    points = await api.ok(street.staff, "GET", f"/api/v1/communities/{street.community}/points")
    assert points["returned"] == 5 and points["outstanding"] == 0
    # The community's figures are published to its people, not to another community's.
    assert (
        await api.get(street.resident, f"/api/v1/communities/{street.community}/points")
    ).status_code == 200
    assert (
        await api.get(street.outsider, f"/api/v1/communities/{street.community}/points")
    ).status_code == 404
    # Staff list items for the community's organisations only, and for no organisation that is not there.
    elsewhere = {
        **body,
        "organisation_id": str(street.organisation),
        "community_id": str(street.other_community),
    }
    elsewhere["area_ids"] = [str(street.other_community)]
    response = await api.post(street.other_staff, "/api/v1/catalogue", json=elsewhere)
    assert response.status_code == 400  # the organisation is 幸福里's, not 和平里's
    response = await api.post(street.staff, "/api/v1/catalogue", json={**body, "organisation_id": "999999"})
    assert response.status_code == 404


async def test_thirty_redemptions_at_once_spend_no_more_than_the_balance(api):
    """The balance covers 10 of 30: exactly 10 succeed, whichever items they are for."""
    street = api.street
    await give_points(api, street.resident, 100)
    items = [await item(api, price=10) for _ in range(3)]
    await api.token(street.resident)
    before = await market_counts(api)

    responses = await asyncio.gather(
        *(
            api.post(
                street.resident, "/api/v1/redemptions", json={"item_id": items[n % 3]["id"], "quantity": 1}
            )
            for n in range(30)
        )
    )
    outcome = Counter((r.status_code, r.json()["code"] if r.status_code != 201 else "") for r in responses)
    assert outcome == {(201, ""): 10, (409, "insufficient_balance"): 20}, outcome
    assert await balance(api, street.resident) == {"posted": 100, "pending": -100, "available": 0}
    after = await market_counts(api)
    assert after["market_redemption"] - before["market_redemption"] == 10
    assert after["ledger_transfer"] - before["ledger_transfer"] == 10


async def test_thirty_redemptions_at_once_take_no_more_than_the_stock(api):
    street = api.street
    buyers = street.volunteers[:24] + [
        street.resident,
        street.neighbour,
        street.leader,
        street.representative,
    ]
    for buyer in buyers:
        await give_points(api, buyer, 50)
        await api.token(buyer)
    scarce = await item(api, price=10, stock=5)
    responses = await asyncio.gather(
        *(
            api.post(buyer, "/api/v1/redemptions", json={"item_id": scarce["id"]})
            for buyer in buyers + buyers[:2]
        )
    )
    outcome = Counter((r.status_code, r.json()["code"] if r.status_code != 201 else "") for r in responses)
    assert outcome[(201, "")] == 5, outcome
    assert (
        outcome[(409, "out_of_stock")] + outcome[(409, "limit_reached")] == 25
        or outcome[(409, "out_of_stock")] == 25
    )
    assert (await api.ok(street.staff, "GET", f"/api/v1/catalogue/{scarce['id']}"))["stock"] == 0
    pending = await api.ok(
        street.representative, "GET", f"/api/v1/redemptions?organisation_id={street.organisation}"
    )
    assert len(pending["items"]) == 5


async def test_stock_changes_only_by_restocking_and_takes_back_only_what_was_taken(api):
    street = api.street
    await give_points(api, street.resident, 100)
    offered = await item(api, price=1, stock=5)
    for _ in range(3):
        await api.ok(street.resident, "POST", "/api/v1/redemptions", {"item_id": offered["id"]}, status=201)
    # A form loaded before the redemptions saves a new name: the stock it carried is not written.
    body = {
        "community_id": str(street.community),
        "organisation_id": str(street.organisation),
        "name": "理发（新）",
        "price": 1,
        "stock": 5,
        "area_ids": [str(street.community)],
    }
    updated = await api.ok(street.representative, "PUT", f"/api/v1/catalogue/{offered['id']}", body)
    assert (updated["name"], updated["stock"]) == ("理发（新）", 2)
    restocked = await api.ok(
        street.representative, "POST", f"/api/v1/catalogue/{offered['id']}/stock", {"add": 3}
    )
    assert restocked["stock"] == 5
    response = await api.post(
        street.representative, f"/api/v1/catalogue/{offered['id']}/stock", json={"add": -6}
    )
    assert response.status_code == 400  # restocking adds; broken goods are written off
    response = await api.post(street.resident, f"/api/v1/catalogue/{offered['id']}/stock", json={"add": 1})
    assert response.status_code == 403

    # Redeemed while unlimited, cancelled once counted: nothing was taken, nothing comes back.
    endless = await item(api, price=1)
    pending = await api.ok(
        street.resident, "POST", "/api/v1/redemptions", {"item_id": endless["id"]}, status=201
    )
    await api.ok(street.representative, "POST", f"/api/v1/catalogue/{endless['id']}/stock", {"count": 1})
    await api.ok(street.resident, "POST", f"/api/v1/redemptions/{pending['id']}/cancel")
    assert (await api.ok(street.resident, "GET", f"/api/v1/catalogue/{endless['id']}"))["stock"] == 1
    back = await api.ok(
        street.representative, "POST", f"/api/v1/catalogue/{endless['id']}/stock", {"unlimited": True}
    )
    assert back["stock"] is None


async def test_what_no_column_can_hold_is_a_400_not_a_500(api):
    street = api.street
    for method, url, body in (
        ("POST", "/api/v1/redemptions/fulfil", {"code": "AB\u0000CD"}),
        ("POST", "/api/v1/listings", {"kind": "offer", "category": "care\u0000", "title": "x"}),
        ("GET", "/api/v1/listings?category=care%00", None),
        ("GET", "/api/v1/catalogue?cursor=%00", None),
    ):
        response = await api.call(street.representative, method, url, json=body)
        assert response.status_code == 400, (url, response.text)
    far = {
        "community_id": str(street.community),
        "name": "x",
        "price": 1,
        "area_ids": [str(street.community)],
        "active_until": "9999-12-31T23:00:00-12:00",
    }
    response = await api.post(street.staff, "/api/v1/catalogue", json=far)
    assert response.status_code == 400, response.text


async def test_the_provider_sees_who_waits_longest_first_whatever_order_they_were_written_in(api):
    from datetime import timedelta

    from market.redemptions import redeem, waiting

    s = api.street
    offered = await item(api, price=1)
    for member in (s.resident, s.neighbour):
        await give_points(api, member, 5)
    # Written late, made early: a history imported or replayed afterwards.
    later = await redeem(await s.actor(s.resident), int(offered["id"]), 1, now=api.clock())
    earlier = await redeem(
        await s.actor(s.neighbour), int(offered["id"]), 1, now=api.clock() - timedelta(hours=3)
    )
    provider = await s.actor(s.representative)
    queue = await waiting(provider, organisation_id=s.organisation, now=api.clock())
    assert [found.id for found in queue] == [earlier.id, later.id]
