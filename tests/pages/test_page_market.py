"""The catalogue, redemptions and the provider's desk through the pages, on both engines: a
volunteer redeems and shows the code, the merchant enters it, and the same code entered again
says when and by whom it was fulfilled, never a new success; the desk lists who waits, oldest
first, and only what its reader provides; an item is edited, written off, turned off and on and
withdrawn on its own page; every form error comes back with the input kept and the message at
its field; the code is never on the provider's pages; forms are offered only when they work."""

from __future__ import annotations

import re

from ledger.accounts import balance
from projects.organisations import organisation_account
from tests.market.market_helpers import give_points
from tests.pages.conftest import refused

CODE = re.compile(r'id="code"[^>]*>([A-Z0-9]{4})-([A-Z0-9]{4})<')
ERROR = re.compile(r'id="code-error">([^<]*)<')


async def _item(site, provider, owner=None, **fields):
    owner = owner or f"organisation-{site.street.organisation}"
    body = {"owner": owner, "name": "上门理发", "price": "30", **fields}
    return await provider.post("/provider/items", body)


async def _item_id(browser) -> str:
    listing = await browser.get("/catalogue")
    return re.search(r'href="/catalogue/(\d+)"', listing.text).group(1)


async def test_a_code_is_fulfilled_once_and_entered_again_says_when_and_by_whom(site):
    street = site.street
    volunteer = street.volunteers[10]
    await give_points(site, volunteer, 100)
    provider = await site.signed_in(street.representative)
    created = await _item(site, provider, stock="3", name_en="A haircut at home")
    assert created.status_code == 303, created.text[:2000]

    member = await site.signed_in(volunteer)
    listing = await member.get("/catalogue")
    assert listing.status_code == 200 and "上门理发" in listing.text and "剩 3 件" in listing.text
    item_id = await _item_id(member)
    shown = await member.follow(await member.post(f"/catalogue/{item_id}/redeem", {"quantity": "1"}))
    assert "兑换成功" in shown.text
    code = "".join(CODE.search(shown.text).groups())

    desk = await provider.get("/provider")
    assert desk.status_code == 200 and "上门理发" in desk.text
    assert code not in desk.text  # the provider must ask for it
    assert "志愿者10 于" in desk.text  # who waits, and since when
    wrong = await provider.post("/provider/fulfil", {"code": "ZZZZ-9999"})
    assert wrong.status_code == 400 and 'value="ZZZZ-9999"' in wrong.text and 'id="code-error"' in wrong.text
    done = await provider.follow(
        await provider.post("/provider/fulfil", {"code": f"{code[:4]}-{code[4:]}".lower()})
    )
    assert "已核销" in done.text and "30" in done.text
    assert (await balance(organisation_account(street.organisation))).posted == 30

    # The same code the next day (an old screenshot): when and by whom, at the field; no success.
    site.clock.advance(days=1)
    again = await provider.post("/provider/fulfil", {"code": code})
    assert again.status_code == 409 and 'role="status"' not in again.text
    told = ERROR.search(again.text).group(1)  # (the year is said only when it is not this one)
    assert re.fullmatch(
        r"该兑换码已由社工机构负责人核销于(2026年)?12月1日 17:00，不会再次转移积分。", told
    ), told
    assert (await balance(organisation_account(street.organisation))).posted == 30
    english = await site.signed_in(street.representative, language="en")
    said = await english.post("/provider/fulfil", {"code": code})
    assert re.fullmatch(
        r"This code was already fulfilled by 社工机构负责人 on Dec 1(, 2026)? 17:00: nothing moves again\.",
        ERROR.search(said.text).group(1),
    )

    mine = await member.get("/redemptions")
    assert "已核销" in mine.text
    redemption = re.search(r'href="/redemptions/(\d+)"', mine.text).group(1)
    page = await member.get(f"/redemptions/{redemption}")
    assert 'id="fulfilled"' in page.text and "社工机构负责人" in page.text
    assert "/cancel" not in page.text  # nothing left to cancel
    # The member is told, with a link to it; the provider was told of the redemption.
    told = await member.get("/notifications")
    assert re.search(r'<a href="/redemptions/\d+">[^<]+ 已核销您兑换的「上门理发」。</a>', told.text), (
        told.text
    )
    assert re.search(
        r"兑换了1件「上门理发」，对方出示兑换码时请核销。", (await provider.get("/notifications")).text
    )

    english_member = await site.signed_in(volunteer, language="en-GB")
    assert "A haircut at home" in (await english_member.get("/catalogue")).text


async def test_the_desk_lists_who_waits_oldest_first_and_only_what_its_reader_provides(site):
    street = site.street
    staff = await site.signed_in(street.staff)
    provider = await site.signed_in(street.representative)
    await _item(site, provider, name="理发")
    own = await _item(site, staff, owner=f"community-{street.community}", name="活动室预约", price="5")
    assert own.status_code == 303, own.text[:2000]
    first, second = street.resident, street.neighbour
    for member_id in (first, second):
        await give_points(site, member_id, 50)
    resident = await site.signed_in(first)
    listing = await resident.get("/catalogue")
    ids = dict(re.findall(r'<strong>([^<]+)</strong>.*?action="/catalogue/(\d+)/redeem"', listing.text, re.S))
    assert set(ids) == {"理发", "活动室预约"}, ids
    await resident.post(f"/catalogue/{ids['理发']}/redeem", {"quantity": "1"})
    await resident.post(f"/catalogue/{ids['活动室预约']}/redeem", {"quantity": "1"})
    site.clock.advance(hours=1)
    neighbour = await site.signed_in(second)
    await neighbour.post(f"/catalogue/{ids['理发']}/redeem", {"quantity": "1"})

    desk = (await provider.get("/provider")).text
    waiting = re.findall(r"(王阿姨|李大爷) 于 ", desk)
    assert waiting == ["王阿姨", "李大爷"]  # oldest first
    assert "活动室预约" not in desk  # not the merchant's
    # The community's staff see only the community's own items, codes and totals.
    theirs = (await staff.get("/provider")).text
    section = theirs[theirs.index(f'id="community-{street.community}"') :]
    assert "活动室预约" in section and "理发" not in section and "李大爷" not in section
    # A resident has no provider's desk, and is not offered one.
    assert 'href="/provider"' not in (await resident.get("/")).text
    refusal = await resident.get("/provider")
    assert refusal.status_code == 403


async def test_an_item_is_managed_on_its_own_page_with_only_the_forms_that_work(site):
    street = site.street
    provider = await site.signed_in(street.representative)
    await _item(site, provider, name="大米5公斤", stock="10", price="40")
    desk = await provider.get("/provider")
    item_id = re.search(r'href="/provider/items/(\d+)"', desk.text).group(1)
    page = await provider.get(f"/provider/items/{item_id}")
    assert page.status_code == 200
    for action in ("/write-off", "/turn-off", "/withdraw", "/unlimit"):
        assert f'action="/provider/items/{item_id}{action}"' in page.text, action
    assert f'action="/provider/items/{item_id}/count"' not in page.text  # it is counted
    assert f'action="/provider/items/{item_id}/turn-on"' not in page.text

    # Restocking adds a positive number; a write-off lowers the stock, saying why.
    zero = await provider.post(f"/provider/items/{item_id}/stock", {f"add-{item_id}": "0"})
    assert zero.status_code == 400 and f'id="add-{item_id}-error"' in zero.text
    added = await provider.follow(
        await provider.post(f"/provider/items/{item_id}/stock", {f"add-{item_id}": "5"})
    )
    assert "现有库存15件" in added.text
    too_many = await provider.post(
        f"/provider/items/{item_id}/write-off", {"quantity": "16", "reason": "过期"}
    )
    assert too_many.status_code == 400 and 'id="quantity-error">仅剩15件，不能报损16件。' in too_many.text
    no_reason = await provider.post(f"/provider/items/{item_id}/write-off", {"quantity": "2"})
    assert (
        no_reason.status_code == 400
        and 'id="reason-error"' in no_reason.text
        and 'value="2"' in no_reason.text
    )
    written = await provider.follow(
        await provider.post(f"/provider/items/{item_id}/write-off", {"quantity": "2", "reason": "包装破损"})
    )
    assert (
        "已报损2件，剩余13件" in written.text
        and "包装破损" in written.text
        and 'id="stock">13<' in written.text
    )

    # Edited, turned off (no one may redeem it) and on again, then withdrawn for good.
    renamed = await provider.post(
        f"/provider/items/{item_id}",
        {"name": "东北大米5公斤", "price": "45", "kind": "goods", "limit_period": "month"},
    )
    assert renamed.status_code == 303
    blank = await provider.post(f"/provider/items/{item_id}", {"name": "", "price": "45"})
    assert blank.status_code == 400 and 'id="name-error"' in blank.text
    off = await provider.follow(await provider.post(f"/provider/items/{item_id}/turn-off"))
    assert "已下架" in off.text and f'action="/provider/items/{item_id}/turn-on"' in off.text
    resident = await site.signed_in(street.resident)
    assert "东北大米5公斤" not in (await resident.get("/catalogue")).text
    await resident.post(f"/catalogue/{item_id}/redeem", {"quantity": "1"})  # a stale form
    again = await provider.post(f"/provider/items/{item_id}/turn-off")
    await refused(provider, again, 409, "该商品已下架。")
    await provider.post(f"/provider/items/{item_id}/turn-on")
    assert "东北大米5公斤" in (await resident.get("/catalogue")).text
    gone = await provider.follow(await provider.post(f"/provider/items/{item_id}/withdraw"))
    assert "东北大米5公斤已从商城撤下" in gone.text and f"/provider/items/{item_id}" not in gone.text
    assert "东北大米5公斤" not in (await resident.get("/catalogue")).text
    # Another provider, or the community's staff, cannot run a merchant's item.
    staff = await site.signed_in(street.staff)
    assert (await staff.get(f"/provider/items/{item_id}")).status_code == 403


async def test_an_unlimited_item_has_no_stock_to_change(site):
    street = site.street
    provider = await site.signed_in(street.representative)
    await _item(site, provider, name="义剪")
    desk = await provider.get("/provider")
    item_id = re.search(r'href="/provider/items/(\d+)"', desk.text).group(1)
    assert f'action="/provider/items/{item_id}/stock"' not in desk.text  # nothing to add to
    page = await provider.get(f"/provider/items/{item_id}")
    assert f'action="/provider/items/{item_id}/write-off"' not in page.text
    # A form sent anyway: adding nothing does not sell it out, taking some is not "0 left".
    for add in ("0", "-5"):
        response = await provider.post(f"/provider/items/{item_id}/stock", {f"add-{item_id}": add})
        assert response.status_code == 400 and "仅剩" not in response.text
    await give_points(site, street.resident, 30)
    resident = await site.signed_in(street.resident)
    assert f'action="/catalogue/{item_id}/redeem"' in (await resident.get("/catalogue")).text
    counted = await provider.follow(await provider.post(f"/provider/items/{item_id}/count", {"count": "3"}))
    assert 'id="stock">3<' in counted.text


async def test_wrong_forms_and_refusals_say_why(site):
    street = site.street
    provider = await site.signed_in(street.representative)
    bad = await _item(site, provider, price="", name="义剪")
    assert bad.status_code == 400 and 'value="义剪"' in bad.text and 'id="price-error"' in bad.text
    await _item(site, provider, price="50", stock="5")
    member = await site.signed_in(street.resident)
    await give_points(site, street.resident, 20)
    item_id = await _item_id(member)
    # Not offered a form that cannot work: told why instead.
    listing = await member.get("/catalogue")
    assert f'action="/catalogue/{item_id}/redeem"' not in listing.text
    assert "您的可用积分为20分，不足以支付50分。" in listing.text
    poor = await member.post(f"/catalogue/{item_id}/redeem", {"quantity": "1"})  # sent anyway
    await refused(member, poor, 409, "您的可用积分为20分，不足以支付50分。")
    zero = await member.post(f"/catalogue/{item_id}/redeem", {"quantity": "0"})
    await refused(member, zero, 400)
    # A resident has no provider's desk; another community's resident sees no such item.
    assert (await member.get("/provider")).status_code == 403
    outsider = await site.signed_in(street.outsider)
    assert f"/catalogue/{item_id}/redeem" not in (await outsider.get("/catalogue")).text
    assert (await outsider.post(f"/catalogue/{item_id}/redeem", {"quantity": "1"})).status_code == 404
    restock = await provider.post(f"/provider/items/{item_id}/stock", {f"add-{item_id}": "x"})
    assert restock.status_code == 400 and f'id="add-{item_id}-error"' in restock.text
