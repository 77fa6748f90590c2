"""The whole loop through the HTTP API: order → triage → dispatch → claim → confirm → points."""

from __future__ import annotations

from tests.api.helpers import worked


async def test_a_residents_need_ends_as_points_in_a_volunteers_account_exactly_once(api):
    s = api.street
    volunteer = s.volunteers[4]

    need = await api.ok(
        s.resident,
        "POST",
        "/api/v1/needs",
        {
            "category": "care.meals",
            "description": "腿脚不便，需要每天送午餐",
            "scope": "personal",
            "channel": "online",
        },
        status=201,
    )
    assert need["status"] == "new"
    assert need["area_id"] == str(s.unit)  # the resident's unit by default

    need = await api.ok(s.staff, "POST", f"/api/v1/needs/{need['id']}/triage", {"grade": "A"})
    assert (need["status"], need["grade"]) == ("triaged", "A")

    task = await api.ok(
        s.staff,
        "POST",
        "/api/v1/tasks",
        {
            "need_id": need["id"],
            "title": "为王阿姨送午餐",
            "capacity": 1,
        },
        status=201,
    )
    assert task["status"] == "open"
    assert task["points_per_hour"] == 15  # the category's rate

    open_tasks = await api.ok(volunteer, "GET", "/api/v1/tasks?status=open")
    assert [item["id"] for item in open_tasks["items"]] == [task["id"]]

    claim = await api.ok(volunteer, "POST", f"/api/v1/tasks/{task['id']}/claims", status=201)
    assert (claim["task_id"], claim["member_id"], claim["status"]) == (task["id"], str(volunteer), "claimed")
    await api.ok(volunteer, "POST", f"/api/v1/claims/{claim['id']}/check-in")
    claim = await worked(api, volunteer, claim["id"], 90, note="送到了")
    assert claim["status"] == "submitted"

    confirmed = await api.ok(s.resident, "POST", f"/api/v1/claims/{claim['id']}/confirm")
    again = await api.ok(s.resident, "POST", f"/api/v1/claims/{claim['id']}/confirm")
    assert confirmed["status"] == again["status"] == "confirmed"
    assert confirmed["points"] == 23  # 90 minutes at 15 an hour is 22.5: half up
    assert confirmed["transfer_id"] == again["transfer_id"] == f"task:{task['id']}:member:{volunteer}"

    me = await api.ok(volunteer, "GET", "/api/v1/me")
    assert me["balance"] == {"posted": 23, "pending": 0, "available": 23}
    assert me["id"] == str(volunteer) and "volunteer" in me["roles"]
    statement = await api.ok(volunteer, "GET", "/api/v1/me/statement")
    assert [
        (line["amount"], line["direction"], line["balance_after"], line["reason"])
        for line in statement["items"]
    ] == [(23, "credit", 23, "task")]
    assert statement["items"][0]["id"] == confirmed["transfer_id"]
    assert statement["next_cursor"] is None

    assert (await api.ok(s.resident, "GET", f"/api/v1/needs/{need['id']}"))["status"] == "done"
    assert (await api.ok(volunteer, "GET", f"/api/v1/tasks/{task['id']}"))["status"] == "done"

    rating = await api.ok(
        s.resident,
        "POST",
        f"/api/v1/claims/{claim['id']}/rating",
        {"score": 5, "comment": "很及时"},
        status=201,
    )
    assert (rating["performer_id"], rating["leader_id"]) == (str(volunteer), str(s.staff))
    standings = await api.ok(s.resident, "GET", "/api/v1/ratings/standings?subject=performer&period=2026Q4")
    assert [(item["id"], item["ratings"], item["average"]) for item in standings["items"]] == [
        (str(volunteer), 1, "5.00")
    ]

    history = await api.ok(s.resident, "GET", f"/api/v1/needs/{need['id']}/history")
    assert [(h["action"], h["from_state"], h["to_state"]) for h in history] == [
        ("report", "", "new"),
        ("triage", "new", "triaged"),
        ("dispatch", "triaged", "in_progress"),
        ("complete", "in_progress", "done"),
    ]
    assert history[1]["actor_id"] == str(s.staff)
    claim_history = await api.ok(volunteer, "GET", f"/api/v1/claims/{claim['id']}/history")
    assert [h["to_state"] for h in claim_history] == ["claimed", "checked_in", "submitted", "confirmed"]
