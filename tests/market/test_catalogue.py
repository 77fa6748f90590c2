"""The catalogue's items through their life, and who provides what, through the real app on
SQLite and PostgreSQL: restocking adds, a write-off lowers with a reason (traced), an unlimited
item has no stock to change; items are edited, turned off and on and withdrawn; the community's
staff fulfil only the community's own codes, and its totals are its own; a code that can no
longer be fulfilled says why, and since when."""

from __future__ import annotations

import re

from tests.api.helpers import refused
from tests.market.market_helpers import give_points, item, market_counts


async def test_restocking_adds_and_an_unlimited_item_has_no_stock_to_change(api):
    s = api.street
    await give_points(api, s.resident, 10)
    counted = await item(api, stock=3)
    assert (counted["may_restock"], counted["may_write_off"], counted["may_count_stock"]) == (
        True,
        True,
        False,
    )
    url = f"/api/v1/catalogue/{counted['id']}/stock"
    assert (await api.ok(s.representative, "POST", url, {"add": 2}))["stock"] == 5
    for wrong in (0, -5):
        await refused(
            api,
            s.representative,
            "POST",
            url,
            {"add": wrong},
            status=400,
            code="invalid_input",
            unchanged=market_counts,
        )

    endless = await item(api)
    assert (endless["may_restock"], endless["may_write_off"], endless["may_count_stock"]) == (
        False,
        False,
        True,
    )
    url = f"/api/v1/catalogue/{endless['id']}/stock"
    # Adding nothing to an unlimited item does not sell it out, nor does taking some say "0 left".
    await refused(
        api,
        s.representative,
        "POST",
        url,
        {"add": 0},
        status=400,
        code="invalid_input",
        unchanged=market_counts,
    )
    message = (
        await refused(
            api,
            s.representative,
            "POST",
            url,
            {"add": 5},
            status=409,
            code="conflict",
            unchanged=market_counts,
        )
    )["message"]
    assert message == "该商品不限量，没有可调整的库存。" and "0" not in message
    write_off = f"/api/v1/catalogue/{endless['id']}/write-off"
    await refused(
        api,
        s.representative,
        "POST",
        write_off,
        {"quantity": 5, "reason": "过期"},
        status=409,
        code="conflict",
        unchanged=market_counts,
    )
    seen = await api.ok(s.resident, "GET", f"/api/v1/catalogue/{endless['id']}")
    assert seen["stock"] is None and seen["may_redeem"]
    # It is counted only when its provider says so, and unlimited again likewise.
    counted_now = await api.ok(s.representative, "POST", url, {"count": 4})
    assert counted_now["stock"] == 4 and counted_now["may_restock"]
    await refused(
        api, s.representative, "POST", url, {"count": 4}, status=409, code="conflict", unchanged=market_counts
    )
    await refused(
        api,
        s.representative,
        "POST",
        url,
        {"add": 1, "unlimited": True},
        status=400,
        code="invalid_input",
        unchanged=market_counts,
    )
    assert (await api.ok(s.representative, "POST", url, {"unlimited": True}))["stock"] is None
    await refused(
        api, s.resident, "POST", url, {"count": 1}, status=403, code="not_allowed", unchanged=market_counts
    )


async def test_a_write_off_lowers_the_stock_with_a_reason_that_is_traced(api):
    s = api.street
    rice = await item(api, stock=10, name="大米5公斤", kind="goods")
    url = f"/api/v1/catalogue/{rice['id']}/write-off"
    written = await api.ok(s.representative, "POST", url, {"quantity": 3, "reason": "包装破损"})
    assert written["stock"] == 7
    message = (
        await refused(
            api,
            s.representative,
            "POST",
            url,
            {"quantity": 8, "reason": "过期"},
            status=400,
            code="invalid_input",
            unchanged=market_counts,
        )
    )["message"]
    assert message == "仅剩7件，不能报损8件。"
    await refused(
        api,
        s.representative,
        "POST",
        url,
        {"quantity": 1, "reason": " "},
        status=400,
        code="invalid_input",
        unchanged=market_counts,
    )
    await refused(
        api,
        s.staff,
        "POST",
        url,
        {"quantity": 1, "reason": "x"},
        status=403,
        code="not_allowed",
        unchanged=market_counts,
    )
    await refused(
        api,
        s.outsider,
        "POST",
        url,
        {"quantity": 1, "reason": "x"},
        status=404,
        code="not_found",
        unchanged=market_counts,
    )
    from tests.web.test_app import fetch_value

    traced = await fetch_value(
        api.database_url,
        f"SELECT reason FROM market_event WHERE subject = 'item' AND subject_id = {rice['id']} "
        "AND action = 'write_off'",
    )
    assert traced == "-3 包装破损"
    await api.ok(s.representative, "POST", url, {"quantity": 7, "reason": "过期"})
    message = (
        await refused(
            api,
            s.representative,
            "POST",
            url,
            {"quantity": 1, "reason": "x"},
            status=409,
            code="conflict",
            unchanged=market_counts,
        )
    )["message"]
    assert message == "已无库存可报损。"


async def test_an_item_is_edited_turned_off_and_on_and_withdrawn(api):
    s = api.street
    await give_points(api, s.resident, 100)
    haircut = await item(api, price=10, stock=5, name="理发一次")
    url = f"/api/v1/catalogue/{haircut['id']}"
    body = {
        "community_id": str(s.community),
        "organisation_id": str(s.organisation),
        "name": "上门理发",
        "price": 12,
        "area_ids": [str(s.community)],
    }
    edited = await api.ok(s.representative, "PUT", url, body)
    assert (edited["name"], edited["price"], edited["stock"], edited["active"]) == ("上门理发", 12, 5, True)
    await refused(api, s.staff, "PUT", url, body, status=403, code="not_allowed", unchanged=market_counts)

    off = await api.ok(s.representative, "POST", f"{url}/turn-off")
    assert (off["active"], off["may_turn_off"], off["may_turn_on"]) == (False, False, True)
    await refused(
        api,
        s.representative,
        "POST",
        f"{url}/turn-off",
        None,
        status=409,
        code="conflict",
        unchanged=market_counts,
    )
    listed = await api.ok(s.resident, "GET", "/api/v1/catalogue")
    assert haircut["id"] not in [i["id"] for i in listed["items"]]
    assert not (await api.ok(s.resident, "GET", url))["may_redeem"]
    await refused(
        api,
        s.resident,
        "POST",
        "/api/v1/redemptions",
        {"item_id": haircut["id"]},
        status=409,
        code="unavailable",
        unchanged=market_counts,
    )
    on = await api.ok(s.representative, "POST", f"{url}/turn-on")
    assert on["active"] and (await api.ok(s.resident, "GET", url))["may_redeem"]
    pending = await api.ok(s.resident, "POST", "/api/v1/redemptions", {"item_id": haircut["id"]}, status=201)
    assert pending["amount"] == 12

    gone = await api.ok(s.representative, "POST", f"{url}/withdraw")
    assert gone["withdrawn_at"] is not None and not any(v for k, v in gone.items() if k.startswith("may_"))
    for member in (s.resident, s.representative):
        listed = await api.ok(member, "GET", "/api/v1/catalogue?everything=true")
        assert haircut["id"] not in [i["id"] for i in listed["items"]]
    await refused(
        api, s.representative, "PUT", url, body, status=409, code="wrong_state", unchanged=market_counts
    )
    await refused(
        api,
        s.representative,
        "POST",
        f"{url}/turn-on",
        None,
        status=409,
        code="wrong_state",
        unchanged=market_counts,
    )
    await refused(
        api,
        s.resident,
        "POST",
        "/api/v1/redemptions",
        {"item_id": haircut["id"]},
        status=409,
        code="unavailable",
        unchanged=market_counts,
    )
    # What was redeemed before is still served.
    done = await api.ok(s.representative, "POST", "/api/v1/redemptions/fulfil", {"code": pending["code"]})
    assert done["status"] == "fulfilled"


async def test_staff_fulfil_only_the_communitys_own_codes_and_its_totals_are_its_own(api):
    s = api.street
    await give_points(api, s.resident, 100)
    merchants = await item(api, price=10)
    hall = await item(api, by=s.staff, price=5, organisation_id=None, name="活动室预约")
    assert hall["provider"] == "幸福里社区"
    theirs = await api.ok(s.resident, "POST", "/api/v1/redemptions", {"item_id": merchants["id"]}, status=201)
    ours = await api.ok(s.resident, "POST", "/api/v1/redemptions", {"item_id": hall["id"]}, status=201)
    # The community's staff neither fulfil nor see a merchant's code.
    await refused(
        api,
        s.staff,
        "POST",
        "/api/v1/redemptions/fulfil",
        {"code": theirs["code"]},
        status=404,
        code="not_found",
        unchanged=market_counts,
    )
    assert (await api.get(s.staff, f"/api/v1/redemptions/{theirs['id']}")).status_code == 404
    # Nor does the merchant theirs.
    await refused(
        api,
        s.representative,
        "POST",
        "/api/v1/redemptions/fulfil",
        {"code": ours["code"]},
        status=404,
        code="not_found",
        unchanged=market_counts,
    )
    await api.ok(s.staff, "POST", "/api/v1/redemptions/fulfil", {"code": ours["code"]})
    listed = await api.ok(s.staff, "GET", f"/api/v1/redemptions?community_id={s.community}")
    assert [r["id"] for r in listed["items"]] == [ours["id"]]
    totals = await api.ok(s.staff, "GET", f"/api/v1/redemptions/totals?community_id={s.community}")
    assert (totals["count"]["fulfilled"], totals["count"]["pending"], totals["points"]["fulfilled"]) == (
        1,
        0,
        5,
    )
    merchant_totals = await api.ok(
        s.representative, "GET", f"/api/v1/redemptions/totals?organisation_id={s.organisation}"
    )
    assert (merchant_totals["count"]["pending"], merchant_totals["count"]["fulfilled"]) == (1, 0)
    # The merchant sees who redeemed and when.
    waiting = await api.ok(
        s.representative, "GET", f"/api/v1/redemptions?organisation_id={s.organisation}&status=pending"
    )
    assert [(r["member_name"], r["created_at"]) for r in waiting["items"]] == [
        ("王阿姨", theirs["created_at"])
    ]


async def test_a_code_rejected_cancelled_or_expired_says_so_and_since_when(api):
    s = api.street
    await give_points(api, s.resident, 100)
    haircut = await item(api, price=10)

    async def redeemed():
        return await api.ok(s.resident, "POST", "/api/v1/redemptions", {"item_id": haircut["id"]}, status=201)

    rejected, cancelled, late = await redeemed(), await redeemed(), await redeemed()
    api.clock.advance(hours=2)  # 11:00 UTC, 19:00 in China
    await api.ok(s.representative, "POST", f"/api/v1/redemptions/{rejected['id']}/reject", {"reason": "停业"})
    await api.ok(s.resident, "POST", f"/api/v1/redemptions/{cancelled['id']}/cancel")
    url = "/api/v1/redemptions/fulfil"
    message = (
        await refused(
            api,
            s.representative,
            "POST",
            url,
            {"code": rejected["code"]},
            status=409,
            code="wrong_state",
            unchanged=market_counts,
        )
    )["message"]
    assert re.fullmatch(r"该兑换码已于(2026年)?12月1日 19:00被拒绝，不能核销。", message), message
    message = (
        await refused(
            api,
            s.representative,
            "POST",
            url,
            {"code": cancelled["code"]},
            status=409,
            code="wrong_state",
            unchanged=market_counts,
        )
    )["message"]
    assert re.fullmatch(r"该兑换码已由居民于(2026年)?12月1日 19:00取消，不能核销。", message), message
    api.clock.advance(days=3)
    message = (
        await refused(
            api,
            s.representative,
            "POST",
            url,
            {"code": late["code"]},
            status=409,
            code="expired",
            unchanged=market_counts,
        )
    )["message"]
    assert re.fullmatch(r"该兑换码已于(2026年)?12月4日 17:00过期，积分已退回居民。", message), message


async def test_an_item_serves_only_existing_areas_of_its_own_community(api):
    s = api.street
    body = {
        "community_id": str(s.community),
        "organisation_id": str(s.organisation),
        "name": "理发一次",
        "price": 10,
    }
    # A grid of its own and a unit of the other community: refused whole, nothing written.
    error = await refused(
        api,
        s.representative,
        "POST",
        "/api/v1/catalogue",
        {**body, "area_ids": [str(s.grid), str(s.other_unit)]},
        status=400,
        code="invalid_input",
        unchanged=market_counts,
    )
    assert error["message"] == "商品只能服务本社区内的区域。"
    await refused(
        api,
        s.representative,
        "POST",
        "/api/v1/catalogue",
        {**body, "area_ids": [str(s.grid), "999999"]},
        status=404,
        code="not_found",
        unchanged=market_counts,
    )
    served = await item(api, area=s.grid)
    assert served["name"] == "理发一次"
