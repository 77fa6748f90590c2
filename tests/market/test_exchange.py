"""Peer exchange, gifts and the community fund through the real app, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from ledger.accounts import balance as account_balance
from market.accounts import pool_account
from tests.market.market_helpers import balance, give_points, market_counts


async def _listing(api, member, kind="offer", **extra):
    body = {"kind": kind, "category": "care.meals", "title": "教钢琴", "points_per_hour": 20, **extra}
    return await api.ok(member, "POST", "/api/v1/listings", body, status=201)


async def test_an_exchange_is_paid_from_the_requester_to_the_performer(api):
    street = api.street
    teacher, learner = street.neighbour, street.resident
    await give_points(api, learner, 50)
    issued_before = (await api.ok(street.staff, "GET", f"/api/v1/communities/{street.community}/points"))[
        "issued"
    ]
    offer = await _listing(api, teacher)
    seen = await api.ok(learner, "GET", "/api/v1/listings?kind=offer")
    assert [item["id"] for item in seen["items"]] == [offer["id"]]
    assert (await api.get(street.outsider, f"/api/v1/listings/{offer['id']}")).status_code == 404

    # The learner takes up the offer (they pay); the teacher agrees, which holds 90 minutes' worth.
    exchange = await api.ok(
        learner, "POST", f"/api/v1/listings/{offer['id']}/exchanges", {"minutes": 90}, status=201
    )
    assert (exchange["requester_id"], exchange["performer_id"]) == (str(learner), str(teacher))
    response = await api.post(learner, f"/api/v1/exchanges/{exchange['id']}/accept")
    assert response.status_code == 403  # the other party accepts
    accepted = await api.ok(teacher, "POST", f"/api/v1/exchanges/{exchange['id']}/accept")
    assert accepted["status"] == "accepted" and accepted["reserved"] == 30
    assert await balance(api, learner) == {"posted": 50, "pending": -30, "available": 20}

    response = await api.post(teacher, f"/api/v1/exchanges/{exchange['id']}/submit", json={"minutes": 120})
    assert response.status_code == 400  # more than agreed
    await api.ok(teacher, "POST", f"/api/v1/exchanges/{exchange['id']}/submit", {"minutes": 60})
    response = await api.post(teacher, f"/api/v1/exchanges/{exchange['id']}/confirm")
    assert response.status_code == 403  # the performer never confirms
    confirmed = await api.ok(learner, "POST", f"/api/v1/exchanges/{exchange['id']}/confirm")
    assert confirmed["status"] == "confirmed" and confirmed["points"] == 20
    again = await api.ok(learner, "POST", f"/api/v1/exchanges/{exchange['id']}/confirm")
    assert again["points"] == 20  # paid once
    assert await balance(api, learner) == {"posted": 30, "pending": 0, "available": 30}
    assert (await balance(api, teacher))["posted"] == 20
    # Nothing was issued: the community's issuer did not move.
    points = await api.ok(street.staff, "GET", f"/api/v1/communities/{street.community}/points")
    assert points["issued"] == issued_before
    history = await api.ok(teacher, "GET", f"/api/v1/exchanges/{exchange['id']}/history")
    assert [e["action"] for e in history] == ["propose", "accept", "submit", "confirm"]


async def test_a_request_a_dispute_and_its_settlement(api):
    street = api.street
    needy, driver = street.resident, street.volunteers[0]
    await give_points(api, needy, 40)
    request = await _listing(api, needy, kind="request", title="陪同就医", points_per_hour=10)
    exchange = await api.ok(
        driver, "POST", f"/api/v1/listings/{request['id']}/exchanges", {"minutes": 120}, status=201
    )
    assert (exchange["requester_id"], exchange["performer_id"]) == (str(needy), str(driver))
    await api.ok(needy, "POST", f"/api/v1/exchanges/{exchange['id']}/accept")
    await api.ok(driver, "POST", f"/api/v1/exchanges/{exchange['id']}/submit", {"minutes": 120})
    await api.ok(needy, "POST", f"/api/v1/exchanges/{exchange['id']}/dispute", {"reason": "只陪了一个小时"})
    response = await api.post(
        driver, f"/api/v1/exchanges/{exchange['id']}/settle", json={"minutes": 120, "reason": "x"}
    )
    assert response.status_code == 403  # a party never settles
    settled = await api.ok(
        street.leader,
        "POST",
        f"/api/v1/exchanges/{exchange['id']}/settle",
        {"minutes": 60, "reason": "核实一小时"},
    )
    assert settled["status"] == "confirmed" and settled["points"] == 10
    assert await balance(api, needy) == {"posted": 30, "pending": 0, "available": 30}
    assert (await balance(api, driver))["posted"] == 10


async def test_a_requester_who_cannot_pay_is_refused_when_proposing_and_nothing_changes(api):
    street = api.street
    poor, rich = street.resident, street.neighbour
    await give_points(api, poor, 5)
    offer = await _listing(api, rich)
    before = await market_counts(api)
    response = await api.post(poor, f"/api/v1/listings/{offer['id']}/exchanges", json={"minutes": 60})
    assert response.status_code == 409 and response.json()["code"] == "insufficient_balance"
    assert response.json()["message"] == "您的可用积分为5分，不足以支付20分。"
    assert [field["field"] for field in response.json()["fields"]] == ["minutes"]
    assert await market_counts(api) == before
    response = await api.post(poor, f"/api/v1/listings/{offer['id']}/exchanges", json={"minutes": 0})
    assert response.status_code == 400
    response = await api.post(rich, f"/api/v1/listings/{offer['id']}/exchanges", json={"minutes": 60})
    assert response.status_code == 403  # not one's own listing
    assert await market_counts(api) == before

    # Fifteen more points, and the proposal is made; the neighbours see what each may do.
    await give_points(api, poor, 15)
    exchange = await api.ok(
        poor, "POST", f"/api/v1/listings/{offer['id']}/exchanges", {"minutes": 60}, status=201
    )
    assert (exchange["may_cancel"], exchange["may_accept"]) == (True, False)
    seen = await api.ok(rich, "GET", f"/api/v1/exchanges/{exchange['id']}")
    assert (seen["may_accept"], seen["may_decline"], seen["may_submit"]) == (True, True, False)
    assert (await api.get(street.outsider, f"/api/v1/exchanges/{exchange['id']}")).status_code == 404

    # The requester spends their points meanwhile: the performer who agrees learns only that the
    # proposal is declined, never the requester's balance; no point is held.
    await api.ok(
        poor, "POST", "/api/v1/gifts", {"amount": 10, "recipient_id": str(street.leader)}, status=201
    )
    before = await market_counts(api)
    response = await api.post(rich, f"/api/v1/exchanges/{exchange['id']}/accept")
    assert response.status_code == 409 and response.json()["code"] == "proposal_declined"
    assert "10" not in response.json()["message"] and "分" not in response.json()["message"]
    declined = await api.ok(rich, "GET", f"/api/v1/exchanges/{exchange['id']}")
    assert declined["status"] == "declined" and not declined["may_accept"]
    history = await api.ok(poor, "GET", f"/api/v1/exchanges/{exchange['id']}/history")
    assert (history[-1]["action"], history[-1]["actor_id"]) == ("decline", None)
    assert await balance(api, poor) == {"posted": 10, "pending": 0, "available": 10}
    after = await market_counts(api)
    assert after["ledger_transfer"] == before["ledger_transfer"]


async def test_a_requester_learns_at_acceptance_that_they_cannot_pay_and_the_performer_sees_a_decline(api):
    street = api.street
    needy, helper = street.resident, street.neighbour
    await give_points(api, needy, 10)
    request = await _listing(api, needy, kind="request", title="陪同就医")
    # The performer's proposal is taken whatever the requester holds: that is not theirs to know.
    exchange = await api.ok(
        helper, "POST", f"/api/v1/listings/{request['id']}/exchanges", {"minutes": 60}, status=201
    )
    before = await market_counts(api)
    response = await api.post(needy, f"/api/v1/exchanges/{exchange['id']}/accept")
    assert response.status_code == 409 and response.json()["code"] == "insufficient_balance"
    assert response.json()["message"] == "您的可用积分为10分，不足以支付20分。"
    assert await market_counts(api) == before
    await api.ok(needy, "POST", f"/api/v1/exchanges/{exchange['id']}/decline", {"reason": "改天吧"})
    seen = await api.ok(helper, "GET", f"/api/v1/exchanges/{exchange['id']}")
    assert seen["status"] == "declined" and "10" not in seen["reason"]

    # Cancelling an accepted exchange releases the hold.
    await give_points(api, needy, 10)
    again = await api.ok(
        helper, "POST", f"/api/v1/listings/{request['id']}/exchanges", {"minutes": 60}, status=201
    )
    await api.ok(needy, "POST", f"/api/v1/exchanges/{again['id']}/accept")
    assert (await balance(api, needy))["available"] == 0
    await api.ok(needy, "POST", f"/api/v1/exchanges/{again['id']}/cancel", {"reason": "改天"})
    assert await balance(api, needy) == {"posted": 20, "pending": 0, "available": 20}
    response = await api.post(helper, f"/api/v1/exchanges/{again['id']}/submit", json={"minutes": 30})
    assert response.status_code == 409 and response.json()["code"] == "wrong_state"

    await api.ok(needy, "POST", f"/api/v1/listings/{request['id']}/close")
    response = await api.post(helper, f"/api/v1/listings/{request['id']}/exchanges", json={"minutes": 60})
    assert response.status_code == 409


async def test_gifts_to_a_member_and_to_the_community_pool(api):
    street = api.street
    await give_points(api, street.resident, 30)
    gift = await api.ok(
        street.resident,
        "POST",
        "/api/v1/gifts",
        {"amount": 10, "recipient_id": str(street.neighbour), "note": "谢谢"},
        status=201,
    )
    assert gift["transfer_id"] == f"gift:{gift['id']}"
    await api.ok(
        street.resident,
        "POST",
        "/api/v1/gifts",
        {"amount": 5, "community_id": str(street.community)},
        status=201,
    )
    assert (await balance(api, street.neighbour))["posted"] == 10
    assert (await account_balance(pool_account(street.community))).posted == 5
    received = await api.ok(street.neighbour, "GET", "/api/v1/gifts")
    assert [g["amount"] for g in received["items"]] == [10]

    before = await market_counts(api)
    for body, status, code in (
        ({"amount": 100, "recipient_id": str(street.neighbour)}, 409, "insufficient_balance"),
        ({"amount": 1, "recipient_id": str(street.resident)}, 400, "invalid_input"),
        ({"amount": 1}, 400, "invalid_input"),
        ({"amount": 1, "community_id": str(street.other_community)}, 404, "not_found"),
        ({"amount": 0, "recipient_id": str(street.neighbour)}, 400, "invalid_input"),
    ):
        response = await api.post(street.resident, "/api/v1/gifts", json=body)
        assert (response.status_code, response.json()["code"]) == (status, code), response.text
    assert await market_counts(api) == before

    # Ten gifts at once of 3 points each from 15: exactly 5 go through.
    await api.token(street.neighbour)
    responses = await asyncio.gather(
        *(
            api.post(
                street.neighbour, "/api/v1/gifts", json={"amount": 3, "recipient_id": str(street.leader)}
            )
            for _ in range(10)
        )
    )
    assert sorted(r.status_code for r in responses) == [201] * 3 + [409] * 7
    assert (await balance(api, street.neighbour))["posted"] == 1


async def test_the_community_fund_is_public(api):
    street = api.street
    await api.ok(
        street.staff,
        "POST",
        f"/api/v1/funds/{street.community}/donations",
        {
            "amount": 500_000,
            "donor_kind": "organisation",
            "organisation_id": str(street.organisation),
            "receipt_number": "JZ-1",
        },
        status=201,
    )
    await api.ok(
        street.staff,
        "POST",
        f"/api/v1/funds/{street.community}/donations",
        {
            "amount": 12_345,
            "donor_kind": "outside",
            "donor_name": "张先生",
            "anonymous": True,
            "receipt_number": "JZ-2",
        },
        status=201,
    )
    await api.ok(
        street.staff,
        "POST",
        f"/api/v1/funds/{street.community}/donations",
        {"amount": 100, "donor_kind": "member", "member_id": str(street.resident)},
        status=201,
    )
    # No sign-in needed to read it; the anonymous donor's name is never given out.
    totals = (await api.client.get(f"/api/v1/funds/{street.community}")).json()
    assert totals == {
        "community_id": str(street.community),
        "balance": 512_445,
        "donated": 512_445,
        "granted": 0,
        "donations": 3,
        "may_donate": False,
        "may_grant": False,
    }
    # Its staff are told what they may do with it; the resident is not.
    staff_view = await api.ok(street.staff, "GET", f"/api/v1/funds/{street.community}")
    assert (staff_view["may_donate"], staff_view["may_grant"]) == (True, True)
    assert not (await api.ok(street.resident, "GET", f"/api/v1/funds/{street.community}"))["may_donate"]
    donations = (await api.client.get(f"/api/v1/funds/{street.community}/donations")).json()
    assert [(d["donor_kind"], d["donor"]) for d in donations["items"]] == [
        ("member", "王阿姨"),
        ("outside", ""),
        ("organisation", "邻里社工服务中心"),
    ]
    assert "张先生" not in (await api.client.get(f"/api/v1/funds/{street.community}/movements")).text
    movements = (await api.client.get(f"/api/v1/funds/{street.community}/movements")).json()
    assert [m["amount"] for m in movements["items"]] == [100, 12_345, 500_000]

    for member, body, status in (
        (street.resident, {"amount": 1, "donor_kind": "outside"}, 403),
        (street.other_staff, {"amount": 1, "donor_kind": "outside"}, 403),
        (street.staff, {"amount": 0, "donor_kind": "outside"}, 400),
        (street.staff, {"amount": 1, "donor_kind": "member"}, 400),
    ):
        response = await api.post(member, f"/api/v1/funds/{street.community}/donations", json=body)
        assert response.status_code == status, response.text
    assert (await api.client.get(f"/api/v1/funds/{street.community}")).json()["donations"] == 3
    assert (await api.client.get(f"/api/v1/funds/{street.grid}")).status_code == 404


async def test_work_left_unanswered_for_a_week_is_confirmed_by_the_sweep(api):
    from market.sweep import sweep

    street = api.street
    learner, teacher = street.resident, street.neighbour
    await give_points(api, learner, 30)
    offer = await _listing(api, teacher)
    exchange = await api.ok(
        learner, "POST", f"/api/v1/listings/{offer['id']}/exchanges", {"minutes": 60}, status=201
    )
    await api.ok(teacher, "POST", f"/api/v1/exchanges/{exchange['id']}/accept")
    await api.ok(teacher, "POST", f"/api/v1/exchanges/{exchange['id']}/submit", {"minutes": 60})
    api.clock.advance(days=6)
    assert (await sweep(now=api.clock())).exchanges_confirmed == 0
    api.clock.advance(days=1)
    assert (await sweep(now=api.clock())).exchanges_confirmed == 1
    assert (await sweep(now=api.clock())).exchanges_confirmed == 0
    done = await api.ok(teacher, "GET", f"/api/v1/exchanges/{exchange['id']}")
    assert (done["status"], done["points"]) == ("confirmed", 20)
    assert (await balance(api, teacher))["posted"] == 20
    history = await api.ok(teacher, "GET", f"/api/v1/exchanges/{exchange['id']}/history")
    assert (history[-1]["action"], history[-1]["actor_id"]) == ("confirm", None)
