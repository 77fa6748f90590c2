"""The community fund's page: public (read signed out), an anonymous donor never named, paged;
staff record donations (each wrong form comes back with its error beside the field), residents
may not."""

from __future__ import annotations

import re

from market import fund
from tests.pages.conftest import refused


async def test_the_fund_is_public_and_an_anonymous_donor_is_never_named(site):
    s = site.street
    public = site.browser()
    empty = await public.get(f"/fund/{s.community}")
    assert empty.status_code == 200 and "幸福里社区" in empty.text
    assert re.search(r'id="fund-balance">¥0.00<', empty.text) and "登记捐赠" not in empty.text

    staff = await site.signed_in(s.staff)
    form = await staff.get(f"/fund/{s.community}")
    assert f'action="/fund/{s.community}/donations"' in form.text
    anonymous = await staff.post(
        f"/fund/{s.community}/donations",
        {
            "amount": "1000.5",
            "donor_kind": "outside",
            "donor_name": "张三丰",
            "anonymous": "1",
            "note": "助老",
            "receipt_number": "JZ-2026-001",
        },
    )
    assert "¥1000.50" in (await staff.follow(anonymous)).text
    member = await staff.post(
        f"/fund/{s.community}/donations",
        {"amount": "20", "donor_kind": "member", "donor_phone": s.phones[s.neighbour]},
    )
    assert member.status_code == 303
    # A resident may give anonymously too: the staff record who gave, the public never sees it.
    quiet = await staff.post(
        f"/fund/{s.community}/donations",
        {"amount": "5", "donor_kind": "member", "donor_phone": s.phones[s.resident], "anonymous": "1"},
    )
    assert quiet.status_code == 303
    organisation = await staff.post(
        f"/fund/{s.community}/donations",
        {"amount": "0.05", "donor_kind": "organisation", "organisation_id": str(s.organisation)},
    )
    assert organisation.status_code == 303

    page = await public.get(f"/fund/{s.community}")
    assert page.status_code == 200
    assert re.search(r'id="fund-balance">¥1025.55<', page.text)
    assert re.search(r'id="fund-donated">¥1025.55<', page.text)
    assert re.search(r'id="fund-granted">¥0.00<', page.text)
    assert re.search(r'id="fund-donations">4<', page.text)
    assert (
        "王阿姨" not in page.text
        and "张三丰" not in page.text
        and "匿名捐赠人" in page.text
        and "助老" in page.text
    )
    assert "李大爷" in page.text and "邻里社工服务中心" in page.text
    assert "+¥1000.50" in page.text and "登记捐赠" not in page.text
    english = await site.signed_in(s.resident, language="en")
    assert "Anonymous donor" in (await english.get(f"/fund/{s.community}")).text
    assert (await public.get(f"/fund/{s.grid}")).status_code == 404
    assert (await public.get("/fund/999999")).status_code == 404


async def test_the_menu_leads_to_the_fund_of_my_community(site):
    resident = await site.signed_in(site.street.resident)
    home = await resident.get("/")
    assert 'href="/fund"' in home.text and "社区基金" in home.text
    mine = await resident.get("/fund")
    assert mine.status_code == 303 and mine.headers["location"] == f"/fund/{site.street.community}"
    outsider = await site.signed_in(site.street.outsider)
    assert (await outsider.get("/fund")).headers["location"] == f"/fund/{site.street.other_community}"


async def test_donations_and_movements_are_paged(site):
    s = site.street
    actor = await s.actor(s.staff)
    for number in range(23):
        await fund.donate(
            actor,
            s.community,
            100 + number,
            donor_kind="outside",
            donor_name=f"捐赠人{number}",
            now=site.clock(),
        )
    public = site.browser(language="en")
    first = await public.get(f"/fund/{s.community}")
    assert "捐赠人22" in first.text and "捐赠人0<" not in first.text
    older = re.search(r'href="\?donations=(\d+)"', first.text).group(1)
    assert re.search(r'href="\?movements=(\d+)"', first.text)
    second = await public.get(f"/fund/{s.community}?donations={older}")
    assert "捐赠人0" in second.text and "捐赠人22" not in second.text.split("Movements")[0]


async def test_a_wrong_donation_form_comes_back_and_a_resident_is_refused(site):
    s = site.street
    staff = await site.signed_in(s.staff, language="en")
    url = f"/fund/{s.community}/donations"
    cents = await staff.post(url, {"amount": "12.345", "donor_kind": "outside", "donor_name": "赵"})
    assert cents.status_code == 400
    assert (
        'id="amount-error">Enter an amount in yuan from 0.01 to ¥1000000000.00, with at most 2 decimals'
        in cents.text
    )
    assert 'value="12.345"' in cents.text and 'value="赵"' in cents.text
    zero = await staff.post(url, {"amount": "0", "donor_kind": "outside", "donor_name": "赵"})
    assert zero.status_code == 400 and 'id="amount-error"' in zero.text
    nobody = await staff.post(url, {"amount": "5", "donor_kind": "member", "donor_phone": "13999999999"})
    assert nobody.status_code == 400
    assert 'id="donor_phone-error">Nobody is registered with the mobile number 13999999999.' in nobody.text
    assert 'name="donor_kind" value="member" checked' in nobody.text
    no_name = await staff.post(url, {"amount": "5", "donor_kind": "outside"})
    assert no_name.status_code == 400 and 'id="donor_name-error">Give the donor' in no_name.text
    no_organisation = await staff.post(url, {"amount": "5", "donor_kind": "organisation"})
    assert no_organisation.status_code == 400 and 'id="organisation_id-error"' in no_organisation.text
    unknown = await staff.post(
        url, {"amount": "5", "donor_kind": "organisation", "organisation_id": "999999"}
    )
    assert (
        unknown.status_code == 400
        and 'id="organisation_id-error">There is no such organisation.' in unknown.text
    )
    assert (await fund.fund_totals(s.community)).donations == 0

    resident = await site.signed_in(s.resident, language="en")
    page = await resident.get(f"/fund/{s.community}")
    assert f'action="{url}"' not in page.text  # no form a resident cannot use
    sent = await resident.post(url, {"amount": "5", "donor_kind": "outside", "donor_name": "我"})
    await refused(resident, sent, 403, "Only the community&#39;s staff move its fund&#39;s money.")
    other_staff = await site.signed_in(s.other_staff, language="en")
    elsewhere = await other_staff.post(url, {"amount": "5", "donor_kind": "outside", "donor_name": "我"})
    await refused(other_staff, elsewhere, 403)
    signed_out = site.browser()
    await signed_out.get("/login")
    away = await signed_out.post(url, {"amount": "5", "donor_kind": "outside", "donor_name": "我"})
    assert away.status_code == 303 and away.headers["location"].startswith("/login")
    assert (await fund.fund_totals(s.community)).donations == 0


async def test_a_large_donation_waits_until_a_second_staff_member_approves_it_on_the_page(site):
    from tests.photo_samples import jpeg_with_gps

    s = site.street
    staff = await site.signed_in(s.staff)
    url = f"/fund/{s.community}/donations"
    no_receipt = await staff.post(url, {"amount": "500", "donor_kind": "outside", "donor_name": "赵"})
    assert (
        no_receipt.status_code == 400
        and 'id="receipt_number-error">¥100.00及以上的捐赠须填写收据编号' in (no_receipt.text)
    )
    body = {"amount": "20000", "donor_kind": "outside", "donor_name": "爱心企业", "receipt_number": "JZ-0009"}
    sent = await staff.post(url, body, files={"photo": ("receipt.jpg", jpeg_with_gps(), "image/jpeg")})
    page = await staff.follow(sent)
    assert "¥20000.00" in page.text and "待复核" in page.text
    assert re.search(r'id="fund-balance">¥0.00<', page.text)  # nothing moves before the approval
    assert "收据编号 JZ-0009" in page.text and 'src="/donations/' in page.text  # staff see the evidence
    assert "/approve" not in page.text  # not who recorded it
    donation = int(
        re.search(
            r'action="/fund/\d+/donations/(\d+)/approve"',
            (await (await site.signed_in(s.street_staff)).get(f"/fund/{s.community}")).text,
        ).group(1)
    )
    refused_here = await staff.post(f"{url}/{donation}/approve")
    await refused(staff, refused_here, 403, "须由另一位工作人员审核")

    public = await site.browser().get(f"/fund/{s.community}")
    assert "已存收据" in public.text and "已存照片" in public.text  # that the evidence exists
    assert "JZ-0009" not in public.text and "/donations/" not in public.text
    second = await site.signed_in(s.street_staff)
    assert f'id="approve-donation-{donation}"' in (await second.get("/desk")).text  # their desk says so
    assert f'id="approve-donation-{donation}"' not in (await staff.get("/desk")).text
    approved = await second.post(f"{url}/{donation}/approve")
    page = await second.follow(approved)
    assert "已审核通过" in page.text and re.search(r'id="fund-balance">¥20000.00<', page.text)
    photo = await second.get(f"/donations/{donation}/photo")
    assert (photo.status_code, photo.headers["content-type"]) == (200, "image/jpeg")
