"""Rules that a review found missing: each one refused or kept through the API."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest

from projects import sweep as sweep_module
from projects.sweep import sweep
from tests.api.helpers import need, open_task, refused, triaged_need, worked


async def test_staff_cannot_dispatch_into_another_community_nor_for_its_needs(api):
    s = api.street
    here = await triaged_need(api)
    await refused(api, s.other_staff, "POST", "/api/v1/tasks", {"need_id": here["id"], "title": "x"},
                  status=404, code="not_found")  # fmt: skip
    body = {"title": "越界派单", "area_id": str(s.other_community), "category": "volunteer.patrol"}
    await refused(api, s.staff, "POST", "/api/v1/tasks", body, status=403, code="not_allowed")
    body = {"need_id": here["id"], "title": "x", "area_id": str(s.other_unit)}
    await refused(api, s.staff, "POST", "/api/v1/tasks", body, status=403, code="not_allowed")


async def test_neighbours_reading_a_common_needs_history_do_not_learn_who_reported_or_joined(api):
    s = api.street
    common = await need(api, scope="common", category="environment.cleaning", description="楼道堆物")
    await api.ok(s.volunteers[0], "POST", f"/api/v1/needs/{common['id']}/join")
    seen = await api.ok(s.neighbour, "GET", f"/api/v1/needs/{common['id']}/history")
    assert [(h["action"], h["actor_id"]) for h in seen] == [("report", None), ("join", None)]
    own = await api.ok(s.resident, "GET", f"/api/v1/needs/{common['id']}/history")
    assert [h["actor_id"] for h in own] == [str(s.resident), str(s.volunteers[0])]


async def test_a_representative_who_is_also_a_leader_cannot_confirm_their_organisations_work(api):
    s = api.street
    from projects.members import grant_role

    await grant_role(s.representative, s.building, "leader", now=api.clock())
    api.tokens.pop(s.representative, None)
    task = await api.ok(s.staff, "POST", "/api/v1/tasks", {
        "title": "入户探访", "area_id": str(s.unit), "category": "care.elderly", "capacity": 2,
        "assignee": f"organisation:{s.organisation}",
    }, status=201)  # fmt: skip
    await api.ok(s.representative, "POST", f"/api/v1/tasks/{task['id']}/accept")
    claim = await api.ok(s.representative, "POST", f"/api/v1/tasks/{task['id']}/claims", {
        "member_id": str(s.volunteers[0]), "organisation_id": str(s.organisation),
    }, status=201)  # fmt: skip
    await worked(api, s.representative, claim["id"], 600)
    url = f"/api/v1/claims/{claim['id']}"
    await refused(api, s.representative, "POST", f"{url}/confirm", status=403, code="own_work")
    await api.ok(s.leader, "POST", f"{url}/dispute", {"reason": "时长存疑"})
    await refused(api, s.representative, "POST", f"{url}/settle", {"accept": True, "reason": "x"},
                  status=403, code="own_work")  # fmt: skip


async def test_rejected_work_gives_its_place_back_and_the_need_stays_open(api):
    s = api.street
    created = await triaged_need(api)
    task = await open_task(api, need_id=created["id"])
    claim = await api.ok(s.volunteers[0], "POST", f"/api/v1/tasks/{task['id']}/claims", status=201)
    await worked(api, s.volunteers[0], claim["id"], 60)
    await api.ok(s.resident, "POST", f"/api/v1/claims/{claim['id']}/dispute", {"reason": "没有来"})
    await api.ok(
        s.leader, "POST", f"/api/v1/claims/{claim['id']}/settle", {"accept": False, "reason": "未到场"}
    )
    task = await api.ok(s.staff, "GET", f"/api/v1/tasks/{task['id']}")
    assert (task["status"], task["claimed"]) == ("open", 0)
    assert (await api.ok(s.staff, "GET", f"/api/v1/needs/{created['id']}"))["status"] == "in_progress"
    await api.ok(s.volunteers[1], "POST", f"/api/v1/tasks/{task['id']}/claims", status=201)


async def test_a_task_with_confirmed_work_is_closed_as_done_not_cancelled(api):
    s = api.street
    created = await triaged_need(api)
    task = await open_task(api, need_id=created["id"], capacity=3)
    claim = await api.ok(s.volunteers[0], "POST", f"/api/v1/tasks/{task['id']}/claims", status=201)
    await worked(api, s.volunteers[0], claim["id"], 60)
    await api.ok(s.resident, "POST", f"/api/v1/claims/{claim['id']}/confirm")
    closed = await api.ok(s.staff, "POST", f"/api/v1/tasks/{task['id']}/cancel", {"reason": "够了"})
    assert closed["status"] == "done"
    assert (await api.ok(s.staff, "GET", f"/api/v1/needs/{created['id']}"))["status"] == "done"


async def test_a_cancelled_projects_tasks_end_with_it(api):
    s = api.street
    common = await triaged_need(api, scope="common", category="environment.greening", description="补种")
    project = await api.ok(s.staff, "POST", "/api/v1/projects", {
        "title": "补种", "area_id": str(s.community), "need_ids": [common["id"]],
        "deadline": (api.clock() + timedelta(days=9)).isoformat(),
    }, status=201)  # fmt: skip
    task = await api.ok(s.staff, "POST", "/api/v1/tasks", {
        "project_id": project["id"], "title": "补种活动", "category": "environment.greening", "capacity": 4,
    }, status=201)  # fmt: skip
    claim = await api.ok(s.volunteers[0], "POST", f"/api/v1/tasks/{task['id']}/claims", status=201)
    await api.ok(s.staff, "POST", f"/api/v1/projects/{project['id']}/cancel", {"reason": "场地不可用"})
    assert (await api.ok(s.staff, "GET", f"/api/v1/tasks/{task['id']}"))["status"] == "cancelled"
    assert (await api.ok(s.volunteers[0], "GET", f"/api/v1/claims/{claim['id']}"))["status"] == "cancelled"
    response = await api.post(s.volunteers[1], f"/api/v1/tasks/{task['id']}/claims")
    assert response.status_code == 404  # a cancelled task is no longer shown to volunteers


async def test_a_declined_task_nobody_dispatched_again_expires_at_its_deadline(api):
    s = api.street
    task = await api.ok(s.staff, "POST", "/api/v1/tasks", {
        "title": "送药", "area_id": str(s.unit), "category": "care.elderly", "assignee": str(s.volunteers[0]),
        "deadline": (api.clock() + timedelta(days=1)).isoformat(),
    }, status=201)  # fmt: skip
    await api.ok(s.volunteers[0], "POST", f"/api/v1/tasks/{task['id']}/decline", {"reason": "出差"})
    assert (await sweep(now=api.clock.advance(days=1, seconds=1))).tasks_expired == 1
    assert (await api.ok(s.staff, "GET", f"/api/v1/tasks/{task['id']}"))["status"] == "expired"


async def test_the_sweep_reaches_every_overdue_need_however_many_are_flagged_before_them(api, monkeypatch):
    s = api.street
    monkeypatch.setattr(sweep_module, "BATCH", 2)
    flagged = [await triaged_need(api, grade="A") for _ in range(3)]
    for item in flagged:
        await open_task(api, need_id=item["id"])
    assert (await sweep(now=api.clock.advance(hours=25))).needs_flagged == 3  # in progress: flagged
    waiting = await need(api, description="后来的需求")
    result = await sweep(now=api.clock.advance(hours=25))
    assert result.needs_flagged == 1  # the one behind them, flagged and still its community's
    read = await api.ok(s.street_staff, "GET", f"/api/v1/needs/{waiting['id']}")
    assert (read["handling_area_id"], read["overdue"]) == (str(s.community), True)


async def test_tasks_offered_to_someone_are_seen_only_by_those_involved(api):
    s = api.street
    task = await api.ok(s.staff, "POST", "/api/v1/tasks", {
        "title": "陪同就医", "description": "王阿姨周三去医院复查", "area_id": str(s.unit),
        "category": "care.escort", "assignee": str(s.volunteers[0]),
    }, status=201)  # fmt: skip
    for member in (s.outsider, s.neighbour, s.volunteers[1]):
        await refused(api, member, "GET", f"/api/v1/tasks/{task['id']}", status=404, code="not_found")
        await refused(api, member, "GET", f"/api/v1/tasks/{task['id']}/history", status=404, code="not_found")
        listed = await api.ok(member, "GET", f"/api/v1/tasks?status=all&area_id={s.community}")
        assert task["id"] not in [t["id"] for t in listed["items"]]
    assert (await api.ok(s.volunteers[0], "GET", f"/api/v1/tasks/{task['id']}"))["status"] == "offered"
    assert task["id"] in [
        t["id"] for t in (await api.ok(s.staff, "GET", "/api/v1/tasks?status=all"))["items"]
    ]


async def test_a_leader_cannot_report_for_a_resident_of_another_community(api):
    s = api.street
    body = {
        "category": "care.escort",
        "description": "x",
        "resident_id": str(s.outsider),
        "area_id": str(s.unit),
    }
    await refused(api, s.leader, "POST", "/api/v1/needs", body, status=400, code="invalid_input")


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/needs/99999999999999999999",
        "/api/v1/tasks/99999999999999999999",
        "/api/v1/claims/99999999999999999999",
        "/api/v1/tasks?area_id=99999999999999999999",
        "/api/v1/areas?parent=99999999999999999999",
        "/api/v1/needs?limit=100000",
        "/api/v1/tasks/0",
    ],
)
async def test_ids_and_limits_out_of_range_are_a_400_not_a_crash(api, url):
    response = await api.get(api.street.staff, url)
    assert response.status_code in (400, 404), response.text
    assert response.json()["code"] in ("invalid_input", "bad_request", "not_found")


async def test_rating_twice_at_once_stores_one_rating(api):
    s = api.street
    created = await triaged_need(api)
    task = await open_task(api, need_id=created["id"])
    claim = await api.ok(s.volunteers[0], "POST", f"/api/v1/tasks/{task['id']}/claims", status=201)
    await worked(api, s.volunteers[0], claim["id"], 60)
    await api.ok(s.resident, "POST", f"/api/v1/claims/{claim['id']}/confirm")
    responses = await asyncio.gather(
        *(api.post(s.resident, f"/api/v1/claims/{claim['id']}/rating", {"score": 5}) for _ in range(4))
    )
    assert Counter(r.status_code for r in responses) == {201: 1, 409: 3}


async def test_creating_tasks_while_the_project_is_cancelled_never_deadlocks(api):
    s = api.street
    common = await triaged_need(api, scope="common", category="environment.greening", description="绿化")
    project = await api.ok(s.staff, "POST", "/api/v1/projects", {
        "title": "绿化", "area_id": str(s.community), "need_ids": [common["id"]],
        "deadline": (api.clock() + timedelta(days=9)).isoformat(),
    }, status=201)  # fmt: skip
    await api.token(s.staff)
    create = {"project_id": project["id"], "need_id": common["id"], "title": "x", "capacity": 2}
    responses = await asyncio.gather(
        *(api.post(s.staff, "/api/v1/tasks", create) for _ in range(6)),
        api.post(s.staff, f"/api/v1/projects/{project['id']}/cancel", {"reason": "停止"}),
        *(api.post(s.staff, "/api/v1/tasks", create) for _ in range(6)),
    )
    assert {r.status_code for r in responses} <= {200, 201, 409}, [r.text for r in responses]
    live = await api.ok(s.staff, "GET", f"/api/v1/tasks?status=open&area_id={s.community}")
    state = (await api.ok(s.staff, "GET", f"/api/v1/needs/{common['id']}"))["status"]
    assert state == ("in_progress" if live["items"] else "triaged")
    # nothing was left half-done: every task either belongs to the cancelled project's past or is live
    tasks = await api.ok(s.staff, "GET", f"/api/v1/tasks?status=all&area_id={s.community}")
    assert {t["status"] for t in tasks["items"]} <= {"open", "cancelled"}


async def test_a_need_whose_work_was_all_called_off_is_triaged_again_with_a_fresh_deadline(api):
    s = api.street
    created = await triaged_need(api, grade="B")
    task = await open_task(api, need_id=created["id"])
    api.clock.advance(days=8)  # past the need's deadline of 5 working days: Wednesday 9 December
    await api.ok(s.staff, "POST", f"/api/v1/tasks/{task['id']}/cancel", {"reason": "改期"})
    reopened = await api.ok(s.staff, "GET", f"/api/v1/needs/{created['id']}")
    assert reopened["status"] == "triaged"
    # 5 working days later at the same clock time: Thursday, Friday, Monday, Tuesday, Wednesday.
    assert reopened["deadline"] == "2026-12-16T09:00:00Z"
    assert (await sweep(now=api.clock())).needs_flagged == 0
