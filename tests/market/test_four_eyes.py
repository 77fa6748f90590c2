"""Four eyes over the community fund (DESIGN "Issuance"), through the real app on both engines: a
donation or a milestone's grant over the community's threshold (¥10,000 by default) waits with no
transfer until a second staff member, not who recorded or accepted it, approves it; every step is
traced. A donation keeps its evidence: a receipt number (from ¥100 on, once in a community) and a
photo, seen by the community's staff; the public sees that the evidence exists."""

from __future__ import annotations

import asyncio

from market.accounts import fund_account, money_account
from market.crosscheck import cross_check
from tests.api.helpers import refused
from tests.market.test_ventures import cny, fund, reviewing_call, score, snapshot
from tests.photo_samples import jpeg_with_gps
from tests.web.test_app import fetch_value


async def transfers(api) -> int:
    return await fetch_value(api.database_url, "SELECT COUNT(*) FROM ledger_transfer")


async def test_a_large_donation_waits_for_a_second_staff_member_who_did_not_record_it(api):
    s = api.street
    url = f"/api/v1/funds/{s.community}/donations"
    body = {"amount": 1_000_001, "donor_kind": "outside", "donor_name": "爱心企业", "receipt_number": "JZ-1"}
    waiting = await api.ok(s.staff, "POST", url, body, status=201)
    assert (waiting["status"], waiting["transfer_id"], waiting["may_approve"]) == (
        "awaiting_approval",
        None,
        False,
    )
    assert await cny(fund_account(s.community)) == 0
    public = (await api.client.get(f"/api/v1/funds/{s.community}")).json()
    assert (public["balance"], public["donations"]) == (0, 0)
    told = await api.ok(s.street_staff, "GET", "/api/v1/me/notifications")
    assert "需另一位工作人员审核" in told["items"][0]["text"]

    approve = f"/api/v1/donations/{waiting['id']}/approve"
    before = await transfers(api)
    for member, status, code in (
        (s.staff, 403, "not_allowed"),  # who recorded it
        (s.resident, 403, "not_allowed"),
        (s.other_staff, 403, "not_allowed"),
        (None, 401, "unauthenticated"),
    ):
        response = await api.post(member, approve)
        assert (response.status_code, response.json()["code"]) == (status, code), response.text
        assert response.json()["message"]
    refusal = (await api.post(s.staff, approve, language="en")).json()["message"]
    assert refusal == "A second staff member approves it: not whoever recorded, granted or accepted it."
    assert await transfers(api) == before and await cny(fund_account(s.community)) == 0

    seen = await api.ok(s.street_staff, "GET", f"/api/v1/donations/{waiting['id']}")
    assert seen["may_approve"] is True
    approved = await api.ok(s.street_staff, "POST", approve)
    assert (approved["status"], approved["transfer_id"]) == ("received", f"donation:{waiting['id']}")
    assert approved["approved_by_id"] == str(s.street_staff)
    assert await cny(fund_account(s.community)) == 1_000_001
    again = await api.post(s.district_staff, approve)
    assert (again.status_code, again.json()["code"]) == (409, "wrong_state")  # the money moved once
    history = await api.ok(None, "GET", f"/api/v1/donations/{waiting['id']}/history")
    assert [(h["action"], h["to_state"], h["actor_id"]) for h in history] == [
        ("donate", "awaiting_approval", str(s.staff)),
        ("approve", "received", str(s.street_staff)),
    ]
    # ¥10,000 exactly is not over the threshold: it is received at once.
    at = await api.ok(
        s.staff, "POST", url, {**body, "amount": 1_000_000, "receipt_number": "JZ-2"}, status=201
    )
    assert at["status"] == "received" and at["transfer_id"]
    assert await cross_check() == []


async def test_a_donation_from_100_yuan_needs_its_receipt_once_and_its_evidence_is_for_staff(api):
    s = api.street
    url = f"/api/v1/funds/{s.community}/donations"
    body = {"amount": 10_000, "donor_kind": "outside", "donor_name": "张先生"}
    missing = await api.post(s.staff, url, body)
    assert (missing.status_code, missing.json()["fields"][0]["field"]) == (400, "receipt_number")
    assert "¥100.00" in missing.json()["message"]
    box = await api.ok(s.staff, "POST", url, {**body, "amount": 9_999}, status=201)  # a donation box's cash
    assert (box["has_receipt"], box["has_photo"]) == (False, False)
    given = await api.ok(s.staff, "POST", url, {**body, "receipt_number": "JZ-0042"}, status=201)
    twice = await api.post(s.staff, url, {**body, "receipt_number": "JZ-0042"})
    assert (twice.status_code, twice.json()["fields"][0]["field"]) == (409, "receipt_number")

    photo = await api.call(
        s.staff,
        "POST",
        f"/api/v1/donations/{given['id']}/photo",
        files={"file": ("receipt.jpg", jpeg_with_gps(), "image/jpeg")},
    )
    assert photo.status_code == 200, photo.text
    with_photo = photo.json()
    assert (with_photo["has_photo"], with_photo["receipt_number"]) == (True, "JZ-0042")
    again = await api.call(
        s.staff,
        "POST",
        f"/api/v1/donations/{given['id']}/photo",
        files={"file": ("receipt.jpg", jpeg_with_gps(), "image/jpeg")},
    )
    assert again.status_code == 409
    refused = await api.call(
        s.resident,
        "POST",
        f"/api/v1/donations/{box['id']}/photo",
        files={"file": ("receipt.jpg", jpeg_with_gps(), "image/jpeg")},
    )
    assert refused.status_code == 403

    # The public sees that there is a receipt and a photo, never the number or the photo itself.
    public = (await api.client.get(f"/api/v1/funds/{s.community}/donations")).json()["items"][0]
    assert (public["has_receipt"], public["has_photo"], public["receipt_number"], public["photo_url"]) == (
        True,
        True,
        "",
        None,
    )
    assert (await api.get(s.resident, f"/api/v1/donations/{given['id']}")).json()["receipt_number"] == ""
    image = f"/donations/{given['id']}/photo"
    assert (await api.client.get(image)).status_code in (303, 401)  # signed out: sign in first
    assert (await api.get(s.resident, image)).status_code == 404
    assert (await api.get(s.other_staff, image)).status_code == 404
    staff_view = await api.ok(s.staff, "GET", f"/api/v1/donations/{given['id']}")
    assert staff_view["photo_url"] == image
    served = await api.get(s.staff, image)
    assert (served.status_code, served.headers["content-type"]) == (200, "image/jpeg")
    assert (await api.get(s.street_staff, f"{image}/thumbnail")).status_code == 200
    history = await api.ok(None, "GET", f"/api/v1/donations/{given['id']}/history")
    assert [h["action"] for h in history] == ["donate", "add_photo"]


async def test_a_grant_over_the_threshold_is_paid_only_once_a_second_staff_member_approves(api):
    s = api.street
    await fund(api, 1_000_000)
    # The street's staff set the community's fund threshold to ¥1,000; its milestones are ¥2,000.
    await api.ok(
        s.street_staff, "PUT", f"/api/v1/communities/{s.community}/issuance", {"approval_over_fen": 100_000}
    )
    call, ours, theirs = await reviewing_call(api)
    for panelist in s.volunteers[10:12]:
        await score(api, panelist, ours, call, 9, 5)
        await score(api, panelist, theirs, call, 3, 2)
    await api.ok(s.staff, "POST", f"/api/v1/calls/{call['id']}/award", {"bid_id": ours["id"]})
    first = ours["milestones"][0]["id"]
    await api.ok(s.representative, "POST", f"/api/v1/milestones/{first}/report", {"report": "已完成"})
    accepted = await api.ok(s.staff, "POST", f"/api/v1/milestones/{first}/accept")
    assert (accepted["status"], accepted["transfer_id"], accepted["may_approve"]) == (
        "awaiting_approval",
        None,
        False,
    )
    assert (await cny(fund_account(s.community)), await cny(money_account(s.organisation))) == (1_000_000, 0)
    approve = f"/api/v1/milestones/{first}/approve"
    await refused(
        api, s.staff, "POST", approve, None, status=403, code="not_allowed", unchanged=snapshot
    )  # who accepted it
    for member in (s.representative, s.resident, s.other_staff):
        await refused(api, member, "POST", approve, None, status=403, code="not_allowed", unchanged=snapshot)
    seen = await api.ok(s.street_staff, "GET", f"/api/v1/bids/{ours['id']}")
    assert seen["milestones"][0]["may_approve"] is True
    paid = await api.ok(s.street_staff, "POST", approve)
    assert (paid["status"], paid["decided_by"]) == ("paid", str(s.staff)) and paid["transfer_id"]
    assert (await cny(fund_account(s.community)), await cny(money_account(s.organisation))) == (
        1_000_000 - 200_000,
        200_000,
    )
    await refused(
        api, s.district_staff, "POST", approve, None, status=409, code="wrong_state", unchanged=snapshot
    )
    history = await api.ok(s.staff, "GET", f"/api/v1/milestones/{first}/history")
    assert [(h["action"], h["to_state"]) for h in history][-2:] == [
        ("accept", "awaiting_approval"),
        ("approve", "paid"),
    ]
    assert await cross_check() == []


async def test_a_donation_approved_five_times_at_once_is_received_once(api):
    s = api.street
    url = f"/api/v1/funds/{s.community}/donations"
    body = {"amount": 3_000_000, "donor_kind": "outside", "donor_name": "爱心企业", "receipt_number": "JZ-7"}
    waiting = await api.ok(s.staff, "POST", url, body, status=201)
    approve = f"/api/v1/donations/{waiting['id']}/approve"
    for member in (s.street_staff, s.district_staff):
        await api.token(member)
    answers = await asyncio.gather(
        *(api.post(member, approve) for member in [s.street_staff, s.district_staff] * 2 + [s.street_staff])
    )
    assert sorted(answer.status_code for answer in answers) == [200, 409, 409, 409, 409]
    assert await cny(fund_account(s.community)) == 3_000_000
    assert await cross_check() == []
