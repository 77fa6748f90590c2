"""Deadlines (督办): the sweep flags what is overdue, by the app's clock, and never takes a need
away from its holder; a supervision notice unanswered by its answer-by is overdue in turn."""

from __future__ import annotations

from datetime import timedelta

from projects.sweep import SweepResult, sweep
from tests.api.helpers import need, open_task, triaged_need, worked


async def test_an_overdue_need_is_flagged_once_and_stays_with_its_holder(api):
    s = api.street
    created = await need(api)
    assert await sweep(now=api.clock()) == SweepResult()  # nothing due yet
    result = await sweep(now=api.clock.advance(hours=24, seconds=1))
    assert result.needs_flagged == 1
    read = await api.ok(s.staff, "GET", f"/api/v1/needs/{created['id']}")
    assert (read["status"], read["handling_area_id"], read["overdue"], read["escalations"]) == (
        "new",
        str(s.community),
        True,
        0,
    )
    assert read["overdue_since"] == api.clock().isoformat().replace("+00:00", "Z")
    assert (await sweep(now=api.clock.advance(days=3))).needs_flagged == 0  # once
    # The holder keeps every action: the community grades it, which clears the flag.
    graded = await api.ok(s.staff, "POST", f"/api/v1/needs/{created['id']}/triage", {"grade": "A"})
    assert (graded["overdue"], graded["handling_area_id"]) == (False, str(s.community))
    history = await api.ok(s.resident, "GET", f"/api/v1/needs/{created['id']}/history")
    assert [(h["action"], h["actor_id"]) for h in history] == [
        ("report", str(s.resident)),
        ("overdue", None),
        ("triage", str(s.staff)),
    ]


async def test_a_need_escalated_by_hand_to_the_district_is_flagged_once_when_overdue(api):
    s = api.street
    created = await need(api)
    await api.ok(s.staff, "POST", f"/api/v1/needs/{created['id']}/escalate", {"reason": "涉及多个社区"})
    await api.ok(s.street_staff, "POST", f"/api/v1/needs/{created['id']}/escalate", {"reason": "需区级协调"})
    result = await sweep(now=api.clock.advance(hours=24, seconds=1))
    assert result.needs_flagged == 1
    assert (await sweep(now=api.clock.advance(hours=24))).needs_flagged == 0
    read = await api.ok(s.district_staff, "GET", f"/api/v1/needs/{created['id']}")
    assert (read["handling_area_id"], read["overdue"]) == (str(s.district), True)
    history = await api.ok(s.resident, "GET", f"/api/v1/needs/{created['id']}/history")
    assert [h["action"] for h in history] == ["report", "escalate", "escalate", "overdue"]


async def test_a_graded_need_has_its_grades_deadline_and_a_need_in_progress_is_flagged_once(api):
    s = api.street
    graded = await triaged_need(api, grade="B")  # Tuesday 1 December, 5 working days
    assert graded["deadline"] == "2026-12-08T09:00:00Z"
    await open_task(api, need_id=graded["id"])
    result = await sweep(now=api.clock.advance(days=7, seconds=1))
    assert result.needs_flagged == 1
    read = await api.ok(s.staff, "GET", f"/api/v1/needs/{graded['id']}")
    assert (read["status"], read["overdue"]) == ("in_progress", True)
    flagged = await api.ok(s.staff, "GET", f"/api/v1/needs?area_id={s.community}&overdue=true")
    assert [item["id"] for item in flagged["items"]] == [graded["id"]]
    assert (await sweep(now=api.clock.advance(days=1))).needs_flagged == 0


async def test_overdue_tasks_expire_when_untaken_and_are_flagged_when_work_is_unfinished(api):
    s = api.street
    deadline = (api.clock() + timedelta(days=2)).isoformat()
    untaken = await open_task(api, deadline=deadline)
    offered = await api.ok(
        s.staff,
        "POST",
        "/api/v1/tasks",
        {
            "title": "送药",
            "area_id": str(s.unit),
            "category": "care.elderly",
            "assignee": str(s.volunteers[0]),
            "deadline": deadline,
        },
        status=201,
    )
    busy = await open_task(api, capacity=2, deadline=deadline)
    await api.ok(s.volunteers[1], "POST", f"/api/v1/tasks/{busy['id']}/claims", status=201)
    finished = await open_task(api, capacity=2, deadline=deadline)
    claim = await api.ok(s.volunteers[2], "POST", f"/api/v1/tasks/{finished['id']}/claims", status=201)
    await worked(api, s.volunteers[2], claim["id"], 45)
    await api.ok(s.staff, "POST", f"/api/v1/claims/{claim['id']}/confirm")

    result = await sweep(now=api.clock.advance(days=2, seconds=1))
    assert (result.tasks_expired, result.tasks_flagged, result.tasks_completed) == (2, 1, 1)
    states = {
        t: (await api.ok(s.staff, "GET", f"/api/v1/tasks/{t}"))["status"]
        for t in (untaken["id"], offered["id"], busy["id"], finished["id"])
    }
    assert states == {
        untaken["id"]: "expired",
        offered["id"]: "expired",
        busy["id"]: "open",
        finished["id"]: "done",
    }
    assert (await api.ok(s.staff, "GET", f"/api/v1/tasks/{busy['id']}"))["overdue"] is True
    # Expired, the task is no longer shown to volunteers: claiming it answers as for any other.
    response = await api.post(s.volunteers[3], f"/api/v1/tasks/{untaken['id']}/claims")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    again = await sweep(now=api.clock.advance(hours=1))
    assert (again.tasks_expired, again.tasks_flagged, again.tasks_completed) == (0, 0, 0)


async def test_the_app_runs_the_deadline_sweep_by_itself(database_url):
    import asyncio

    from tests.api.conftest import running
    from tests.projects.community import Clock, build_street
    from web.app import create_app

    clock = Clock()
    app = create_app(database_url, sweep_interval_s=0.05, clock=clock)
    async with running(app):
        street = await build_street(clock(), volunteers=6)
        from projects.access import load_actor
        from projects.needs import report_need, view_need

        resident = await load_actor(street.resident)
        created = await report_need(resident, category="care.meals", description="午饭", now=clock())
        clock.advance(days=2)
        for _ in range(200):
            if (await view_need(resident, created.id)).overdue:
                break
            await asyncio.sleep(0.05)
        flagged = await view_need(resident, created.id)
        assert (flagged.overdue, flagged.escalations) == (True, 0)
