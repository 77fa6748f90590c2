"""The catalogue, redemptions and the provider's desk through the pages, on both engines: a
volunteer redeems and shows the code, the merchant enters it; every form error comes back with
the input kept and the message at its field; the code is never on the provider's pages."""

from __future__ import annotations

import re

from ledger.accounts import balance
from projects.organisations import organisation_account
from tests.market.market_helpers import give_points

CODE = re.compile(r'id="code"[^>]*>([A-Z0-9]{4})-([A-Z0-9]{4})<')


async def _item(site, provider, **fields):
    body = {"owner": f"organisation-{site.street.organisation}", "name": "上门理发", "price": "30", **fields}
    return await provider.post("/provider/items", body)


async def test_a_volunteer_redeems_and_the_merchant_fulfils_by_code(site):
    street = site.street
    volunteer = street.volunteers[10]
    await give_points(site, volunteer, 100)
    provider = await site.signed_in(street.representative)
    created = await _item(site, provider, stock="3", name_en="A haircut at home")
    assert created.status_code == 303, created.text[:2000]

    member = await site.signed_in(volunteer)
    listing = await member.get("/catalogue")
    assert listing.status_code == 200 and "上门理发" in listing.text and "剩 3 件" in listing.text
    item_id = re.search(r'action="/catalogue/(\d+)/redeem"', listing.text).group(1)
    shown = await member.follow(await member.post(f"/catalogue/{item_id}/redeem", {"quantity": "1"}))
    assert "兑换成功" in shown.text
    code = "".join(CODE.search(shown.text).groups())

    desk = await provider.get("/provider")
    assert desk.status_code == 200 and "上门理发" in desk.text
    assert code not in desk.text  # the provider must ask for it
    wrong = await provider.post("/provider/fulfil", {"code": "ZZZZ-9999"})
    assert wrong.status_code == 400 and 'value="ZZZZ-9999"' in wrong.text and 'id="code-error"' in wrong.text
    done = await provider.follow(
        await provider.post("/provider/fulfil", {"code": f"{code[:4]}-{code[4:]}".lower()})
    )
    assert "已核销" in done.text and "30" in done.text
    assert (await balance(organisation_account(street.organisation))).posted == 30
    again = await provider.post("/provider/fulfil", {"code": code})
    assert again.status_code == 303  # fulfilled already: said so, nothing moves twice
    assert (await balance(organisation_account(street.organisation))).posted == 30
    mine = await member.get("/redemptions")
    assert "已核销" in mine.text
    # The member is told, with a link to it; the provider was told of the redemption.
    told = await member.get("/notifications")
    assert re.search(r'<a href="/redemptions/\d+">[^<]+ 已核销您兑换的「上门理发」。</a>', told.text), (
        told.text
    )
    assert re.search(
        r"兑换了1件「上门理发」，对方出示兑换码时请核销。", (await provider.get("/notifications")).text
    )

    english = await site.signed_in(volunteer, language="en-GB")
    assert "A haircut at home" in (await english.get("/catalogue")).text


async def test_wrong_forms_and_refusals_say_why(site):
    street = site.street
    provider = await site.signed_in(street.representative)
    bad = await _item(site, provider, price="", name="义剪")
    assert bad.status_code == 400 and 'value="义剪"' in bad.text and 'id="price-error"' in bad.text
    await _item(site, provider, price="50")
    member = await site.signed_in(street.resident)
    await give_points(site, street.resident, 20)
    listing = await member.get("/catalogue")
    item_id = re.search(r'action="/catalogue/(\d+)/redeem"', listing.text).group(1)
    poor = await member.post(f"/catalogue/{item_id}/redeem", {"quantity": "1"})
    assert poor.status_code == 409 and "您的可用积分为20分，不足以支付50分。" in poor.text
    zero = await member.post(f"/catalogue/{item_id}/redeem", {"quantity": "0"})
    assert zero.status_code == 400
    # A resident has no provider's desk; another community's resident sees no such item.
    assert (await member.get("/provider")).status_code == 403
    outsider = await site.signed_in(street.outsider)
    assert f"/catalogue/{item_id}/redeem" not in (await outsider.get("/catalogue")).text
    assert (await outsider.post(f"/catalogue/{item_id}/redeem", {"quantity": "1"})).status_code == 404
    restock = await provider.post(f"/provider/items/{item_id}/stock", {f"add-{item_id}": "x"})
    assert restock.status_code == 400 and f'id="add-{item_id}-error"' in restock.text
