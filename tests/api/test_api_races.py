"""Many people at once: the last place goes to one, and points are banked once.

The requests run concurrently through the real app; on PostgreSQL each is its own connection
and transaction from the pool, on SQLite they queue for the one writer. Either way the database
decides, not a lock in this process.
"""

from __future__ import annotations

import asyncio
from collections import Counter

from tests.api.helpers import open_task, submitted_claim
from tests.web.test_app import fetch_value


async def test_twenty_volunteers_claiming_the_last_place_at_once_one_wins(api):
    s = api.street
    task = await open_task(api, capacity=3)
    for volunteer in s.volunteers[:2]:
        await api.ok(volunteer, "POST", f"/api/v1/tasks/{task['id']}/claims", status=201)
    racers = s.volunteers[2:22]
    for volunteer in racers:
        await api.token(volunteer)  # sign in first, so that only the claims race
    responses = await asyncio.gather(
        *(api.post(volunteer, f"/api/v1/tasks/{task['id']}/claims") for volunteer in racers)
    )
    statuses = Counter(response.status_code for response in responses)
    assert statuses == {201: 1, 409: 19}, [r.text for r in responses if r.status_code not in (201, 409)]
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"task_full"}
    task = await api.ok(s.staff, "GET", f"/api/v1/tasks/{task['id']}")
    assert (task["claimed"], task["status"]) == (3, "full")
    live = await fetch_value(
        api.database_url, f"SELECT COUNT(*) FROM projects_claim WHERE task = {task['id']}"
    )
    assert live == 3


async def test_one_volunteer_claiming_twice_at_once_gets_one_place(api):
    s = api.street
    task = await open_task(api, capacity=5)
    volunteer = s.volunteers[7]
    await api.token(volunteer)
    responses = await asyncio.gather(
        *(api.post(volunteer, f"/api/v1/tasks/{task['id']}/claims") for _ in range(5))
    )
    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409, 409]
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"already_claimed"}


async def test_ten_concurrent_confirmations_post_the_points_once(api):
    s = api.street
    volunteer = s.volunteers[1]
    _, claim = await submitted_claim(api, volunteer=volunteer, minutes=120, category="environment.cleaning")
    confirmers = [s.staff, s.street_staff, s.district_staff]
    for member in confirmers:
        await api.token(member)
    responses = await asyncio.gather(
        *(
            api.post(confirmers[n % len(confirmers)], f"/api/v1/claims/{claim['id']}/confirm")
            for n in range(10)
        )
    )
    assert [r.status_code for r in responses] == [200] * 10, [r.text for r in responses]
    assert {(r.json()["status"], r.json()["points"], r.json()["transfer_id"]) for r in responses} == {
        ("confirmed", 20, f"task:{claim['task_id']}:member:{volunteer}")
    }
    transfers = await fetch_value(
        api.database_url, f"SELECT COUNT(*) FROM ledger_transfer WHERE credit_account = 'member:{volunteer}'"
    )
    assert transfers == 1
    assert (await api.ok(volunteer, "GET", "/api/v1/me"))["balance"]["posted"] == 20
    events = await fetch_value(
        api.database_url,
        "SELECT COUNT(*) FROM projects_event "
        f"WHERE subject = 'claim' AND subject_id = {claim['id']} AND action = 'confirm'",
    )
    assert events == 1
