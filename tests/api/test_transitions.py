"""Every step of the loop in order, and every step out of order refused with nothing changed."""

from __future__ import annotations

import pytest

from tests.api.helpers import counts, need, open_task, refused, submitted_claim, triaged_need, worked


async def test_a_claim_can_be_worked_only_in_order(api):
    s = api.street
    volunteer = s.volunteers[0]
    task = await open_task(api)
    claim = await api.ok(volunteer, "POST", f"/api/v1/tasks/{task['id']}/claims", status=201)
    url = f"/api/v1/claims/{claim['id']}"
    await refused(api, s.staff, "POST", f"{url}/confirm", status=409, code="wrong_state")
    await refused(api, s.staff, "POST", f"{url}/dispute", {"reason": "x"}, status=409, code="wrong_state")
    await refused(
        api, s.staff, "POST", f"{url}/settle", {"accept": True, "reason": "x"}, status=409, code="wrong_state"
    )
    await refused(api, volunteer, "POST", f"{url}/submit", {"minutes": 30}, status=409, code="conflict")
    await api.ok(volunteer, "POST", f"{url}/check-in")
    await refused(api, volunteer, "POST", f"{url}/check-in", status=409, code="wrong_state")
    api.clock.advance(minutes=29, seconds=1)  # a started minute counts: 30 minutes at most
    await refused(api, volunteer, "POST", f"{url}/submit", {"minutes": 31}, status=400, code="invalid_input")
    await api.ok(volunteer, "POST", f"{url}/submit", {"minutes": 30})
    await refused(api, volunteer, "POST", f"{url}/submit", {"minutes": 40}, status=409, code="wrong_state")
    await refused(api, volunteer, "POST", f"{url}/withdraw", status=409, code="wrong_state")
    await api.ok(s.staff, "POST", f"{url}/confirm")
    await refused(
        api, s.staff, "POST", f"{url}/dispute", {"reason": "太晚了"}, status=409, code="wrong_state"
    )


async def test_a_dispute_is_settled_by_a_leader_with_corrected_minutes_or_rejected(api):
    s = api.street
    _, claim = await submitted_claim(
        api, volunteer=s.volunteers[0], minutes=240, category="environment.cleaning", area_id=str(s.unit)
    )
    url = f"/api/v1/claims/{claim['id']}"
    disputed = await api.ok(s.staff, "POST", f"{url}/dispute", {"reason": "实际只干了一小时"})
    assert (disputed["status"], disputed["reason"]) == ("disputed", "实际只干了一小时")
    # Work for nobody's need is not the resident's business: to them it does not exist.
    await refused(
        api,
        s.resident,
        "POST",
        f"{url}/settle",
        {"accept": True, "reason": "x"},
        status=404,
        code="not_found",
    )
    # A settlement never pays more than the volunteer reported.
    raised = await refused(
        api,
        s.leader,
        "POST",
        f"{url}/settle",
        {"accept": True, "minutes": 500, "reason": "多记一些"},
        status=400,
        code="invalid_input",
    )
    assert [field["field"] for field in raised["fields"]] == ["minutes"] and "240" in raised["message"]
    settled = await api.ok(
        s.leader, "POST", f"{url}/settle", {"accept": True, "minutes": 60, "reason": "核实为一小时"}
    )
    assert (settled["status"], settled["minutes"], settled["points"]) == ("confirmed", 60, 10)
    assert (await api.ok(s.volunteers[0], "GET", "/api/v1/me"))["balance"]["posted"] == 10

    _, other = await submitted_claim(api, volunteer=s.volunteers[1], minutes=60, area_id=str(s.unit))
    await api.ok(s.staff, "POST", f"/api/v1/claims/{other['id']}/dispute", {"reason": "没有来"})
    rejected = await api.ok(
        s.leader, "POST", f"/api/v1/claims/{other['id']}/settle", {"accept": False, "reason": "经核实未到场"}
    )
    assert (rejected["status"], rejected["points"], rejected["transfer_id"]) == ("rejected", None, None)
    assert (await api.ok(s.volunteers[1], "GET", "/api/v1/me"))["balance"]["posted"] == 0
    history = await api.ok(s.volunteers[1], "GET", f"/api/v1/claims/{other['id']}/history")
    assert [(h["action"], h["to_state"], h["reason"]) for h in history][-2:] == [
        ("dispute", "disputed", "没有来"),
        ("settle", "rejected", "经核实未到场"),
    ]


async def test_withdrawing_gives_the_place_back(api):
    s = api.street
    task = await open_task(api, capacity=1)
    claim = await api.ok(s.volunteers[0], "POST", f"/api/v1/tasks/{task['id']}/claims", status=201)
    await refused(
        api, s.volunteers[1], "POST", f"/api/v1/tasks/{task['id']}/claims", status=409, code="task_full"
    )
    await refused(
        api, s.volunteers[1], "POST", f"/api/v1/claims/{claim['id']}/withdraw", status=404, code="not_found"
    )
    await api.ok(s.volunteers[0], "POST", f"/api/v1/claims/{claim['id']}/withdraw", {"reason": "临时有事"})
    reopened = await api.ok(s.staff, "GET", f"/api/v1/tasks/{task['id']}")
    assert (reopened["status"], reopened["claimed"]) == ("open", 0)
    await api.ok(s.volunteers[1], "POST", f"/api/v1/tasks/{task['id']}/claims", status=201)
    # and the first may come back after withdrawing, if there is room
    await refused(
        api, s.volunteers[0], "POST", f"/api/v1/tasks/{task['id']}/claims", status=409, code="task_full"
    )


async def test_cancelling_a_task_releases_its_claims_but_not_work_already_submitted(api):
    s = api.street
    task = await open_task(api, capacity=3, area_id=str(s.building), category="environment.cleaning")
    first = await api.ok(s.volunteers[0], "POST", f"/api/v1/tasks/{task['id']}/claims", status=201)
    second = await api.ok(s.volunteers[1], "POST", f"/api/v1/tasks/{task['id']}/claims", status=201)
    await worked(api, s.volunteers[1], second["id"], 30)
    url = f"/api/v1/tasks/{task['id']}/cancel"
    await refused(api, s.staff, "POST", url, {"reason": "天气原因"}, status=409, code="conflict")
    await refused(api, s.staff, "POST", url, {"reason": ""}, status=400, code="invalid_input")
    await api.ok(s.staff, "POST", f"/api/v1/claims/{second['id']}/dispute", {"reason": "没有完成"})
    await api.ok(
        s.leader, "POST", f"/api/v1/claims/{second['id']}/settle", {"accept": False, "reason": "未完成"}
    )
    cancelled = await api.ok(s.staff, "POST", url, {"reason": "天气原因"})
    assert cancelled["status"] == "cancelled"
    assert (await api.ok(s.volunteers[0], "GET", f"/api/v1/claims/{first['id']}"))["status"] == "cancelled"
    await refused(api, s.staff, "POST", url, {"reason": "again"}, status=409, code="wrong_state")


async def test_a_declined_task_is_dispatched_again_to_the_pool(api):
    s = api.street
    body = {
        "title": "修水管",
        "area_id": str(s.unit),
        "category": "emergency.repair",
        "assignee": str(s.volunteers[5]),
    }
    task = await api.ok(s.staff, "POST", "/api/v1/tasks", body, status=201)
    declined = await api.ok(
        s.volunteers[5], "POST", f"/api/v1/tasks/{task['id']}/decline", {"reason": "不在家"}
    )
    assert (declined["status"], declined["reason"]) == ("declined", "不在家")
    await refused(
        api, s.volunteers[5], "POST", f"/api/v1/tasks/{task['id']}/accept", status=409, code="wrong_state"
    )
    pooled = await api.ok(s.staff, "POST", f"/api/v1/tasks/{task['id']}/dispatch", {"assignee": None})
    assert (pooled["status"], pooled["assignee_member_id"]) == ("open", None)
    await api.ok(s.volunteers[6], "POST", f"/api/v1/tasks/{task['id']}/claims", status=201)
    history = await api.ok(s.staff, "GET", f"/api/v1/tasks/{task['id']}/history")
    assert [h["to_state"] for h in history] == ["offered", "declined", "open", "full"]


async def test_a_need_is_rejected_with_a_reason_merged_or_cancelled_only_before_work_starts(api):
    s = api.street
    first = await need(api, scope="common", category="environment.cleaning", description="3号楼垃圾堆积")
    duplicate = await need(
        api, resident=s.neighbour, scope="common", category="environment.cleaning", description="垃圾没人清"
    )
    merged = await api.ok(s.staff, "POST", f"/api/v1/needs/{duplicate['id']}/merge", {"into": first["id"]})
    assert (merged["status"], merged["merged_into"]) == ("merged", first["id"])
    assert (await api.ok(s.staff, "GET", f"/api/v1/needs/{first['id']}"))["supporters"] == 1
    await refused(
        api,
        s.staff,
        "POST",
        f"/api/v1/needs/{first['id']}/merge",
        {"into": first["id"]},
        status=400,
        code="invalid_input",
    )
    await refused(
        api,
        s.staff,
        "POST",
        f"/api/v1/needs/{first['id']}/reject",
        {"reason": ""},
        status=400,
        code="invalid_input",
    )
    rejected_need = await need(api, description="请帮我买彩票")
    rejected = await api.ok(
        s.staff, "POST", f"/api/v1/needs/{rejected_need['id']}/reject", {"reason": "不属于服务范围"}
    )
    assert (rejected["status"], rejected["reason"]) == ("rejected", "不属于服务范围")
    await refused(
        api,
        s.staff,
        "POST",
        f"/api/v1/needs/{rejected_need['id']}/triage",
        {"grade": "A"},
        status=409,
        code="wrong_state",
    )
    mine = await need(api, description="不需要了")
    await refused(
        api, s.neighbour, "POST", f"/api/v1/needs/{mine['id']}/cancel", status=404, code="not_found"
    )
    assert (await api.ok(s.resident, "POST", f"/api/v1/needs/{mine['id']}/cancel"))["status"] == "cancelled"
    working = await triaged_need(api)
    await open_task(api, need_id=working["id"])
    await refused(
        api, s.resident, "POST", f"/api/v1/needs/{working['id']}/cancel", status=409, code="wrong_state"
    )
    await refused(
        api,
        s.staff,
        "POST",
        f"/api/v1/needs/{working['id']}/reject",
        {"reason": "x"},
        status=409,
        code="wrong_state",
    )


async def test_neighbours_join_a_common_need_once(api):
    s = api.street
    common = await need(api, scope="common", category="construction.lighting", description="路灯不亮")
    url = f"/api/v1/needs/{common['id']}/join"
    assert (await api.ok(s.neighbour, "POST", url))["supporters"] == 1
    assert (await api.ok(s.volunteers[0], "POST", url))["supporters"] == 2
    await refused(api, s.neighbour, "POST", url, status=409, code="already_joined")
    await refused(api, s.resident, "POST", url, status=409, code="already_joined")  # it is theirs
    await refused(api, s.outsider, "POST", url, status=404, code="not_found")  # another community
    personal = await need(api)
    await refused(api, s.staff, "POST", f"/api/v1/needs/{personal['id']}/join", status=409, code="conflict")


async def test_escalation_goes_up_one_level_at_a_time_and_stops_at_the_district(api):
    s = api.street
    created = await need(api)
    for staff, handler in ((s.staff, s.street), (s.street_staff, s.district)):
        escalated = await api.ok(
            staff, "POST", f"/api/v1/needs/{created['id']}/triage", {"escalate": True, "reason": "超出权限"}
        )
        assert (escalated["status"], escalated["handling_area_id"]) == ("new", str(handler))
    await refused(
        api,
        s.district_staff,
        "POST",
        f"/api/v1/needs/{created['id']}/escalate",
        {"reason": "需市级协调"},
        status=409,
        code="cannot_escalate",
    )


async def test_escalation_is_deliberate_and_needs_a_reason(api):
    s = api.street
    created = await need(api)
    for url, body in (("escalate", {}), ("escalate", {"reason": "  "}), ("triage", {"escalate": True})):
        response = await api.post(s.staff, f"/api/v1/needs/{created['id']}/{url}", json=body)
        assert (response.status_code, response.json()["fields"][0]["field"]) == (400, "reason"), body
    assert (await api.ok(s.staff, "GET", f"/api/v1/needs/{created['id']}"))["escalations"] == 0


async def test_progress_is_reported_on_any_open_need_and_a_c_need_starts_its_next_period(api):
    s = api.street
    b_need = await triaged_need(api, grade="B")
    await api.ok(
        s.staff, "POST", f"/api/v1/needs/{b_need['id']}/progress", {"note": "已联系物业，本周内维修"}
    )
    c_need = await triaged_need(api, grade="C")
    api.clock.advance(days=20)  # Monday 21 December
    reported = await api.ok(s.staff, "POST", f"/api/v1/needs/{c_need['id']}/progress", {"note": "第一期完成"})
    # 22 working days on: 2027's holidays are not known yet, so its weekdays count.
    assert reported["deadline"] == "2027-01-20T09:00:00Z"
    history = await api.ok(s.resident, "GET", f"/api/v1/needs/{b_need['id']}/history")
    assert history[-1]["action"] == "progress" and history[-1]["reason"] == "已联系物业，本周内维修"
    for a_need in (await triaged_need(api, grade="A"), await need(api)):  # whatever its grade
        await api.ok(s.staff, "POST", f"/api/v1/needs/{a_need['id']}/progress", {"note": "已联系"})


@pytest.mark.parametrize(
    "body",
    [
        {"category": "care.meals"},  # no description
        {"category": "care.meals", "description": "   "},
        {"category": "no.such", "description": "x"},
        {"category": "care.meals", "description": "x", "scope": "everyone"},
        {"category": "care.meals", "description": "x", "channel": "pigeon"},
        {"category": "care.meals", "description": "x" * 2001},
        {"category": "care.meals", "description": "x", "area_id": "abc"},
        {"category": "care.meals", "description": "x", "area_id": "999999"},
        {"category": "care.meals", "description": "x", "unknown": 1},
    ],
)
async def test_a_wrong_need_is_refused_with_a_clear_message(api, body):
    before = await counts(api)
    response = await api.post(api.street.resident, "/api/v1/needs", body)
    assert response.status_code in (400, 404), response.text
    assert response.json()["code"] in ("invalid_input", "not_found")
    assert response.json()["message"]
    assert await counts(api) == before


@pytest.mark.parametrize("minutes", [0, -5, 1441, "lots", None])
async def test_minutes_outside_one_to_a_day_are_refused(api, minutes):
    s = api.street
    task = await open_task(api)
    claim = await api.ok(s.volunteers[0], "POST", f"/api/v1/tasks/{task['id']}/claims", status=201)
    await refused(
        api,
        s.volunteers[0],
        "POST",
        f"/api/v1/claims/{claim['id']}/submit",
        {"minutes": minutes},
        status=400,
        code="invalid_input",
    )


async def test_unknown_items_are_404(api):
    s = api.street
    for url in ("/api/v1/needs/999", "/api/v1/tasks/999", "/api/v1/claims/999", "/api/v1/projects/999"):
        await refused(api, s.staff, "GET", url, status=404, code="not_found")
    await refused(api, s.staff, "POST", "/api/v1/claims/999/confirm", status=404, code="not_found")
    await refused(api, s.staff, "GET", "/api/v1/nothing-here", status=404, code="not_found")
