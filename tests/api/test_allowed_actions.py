"""Reads say what the member may do now (``may_*``), decided by the rules the actions enforce;
work done without a check-in is recorded by a leader; a task finds its area; ids that cannot
exist are not there."""

from __future__ import annotations

from tests.api.helpers import need, open_task, triaged_need, worked


def allowed(item: dict) -> set[str]:
    return {name.removeprefix("may_") for name, value in item.items() if name.startswith("may_") and value}


async def test_a_need_says_what_its_resident_its_staff_and_a_neighbour_may_do(api):
    s = api.street
    created = await need(api, scope="common", category="construction.lighting", description="楼道灯坏了")
    assert allowed(created) == {"cancel", "add_photo"}  # the resident, on a new need
    staff_view = await api.ok(s.staff, "GET", f"/api/v1/needs/{created['id']}")  # its holder
    assert allowed(staff_view) == {
        "triage",
        "escalate",
        "reject",
        "merge",
        "hand_down",
        "progress",
        "add_photo",
    }
    neighbour_view = await api.ok(s.neighbour, "GET", f"/api/v1/needs/{created['id']}")
    assert allowed(neighbour_view) == {"join"}
    await api.ok(s.neighbour, "POST", f"/api/v1/needs/{created['id']}/join")
    assert allowed(await api.ok(s.neighbour, "GET", f"/api/v1/needs/{created['id']}")) == set()
    # The street above supervises, it does not decide; the grid's leader may take it on.
    assert allowed(await api.ok(s.street_staff, "GET", f"/api/v1/needs/{created['id']}")) == {
        "supervise",
        "progress",
        "add_photo",
    }
    # (and, living there, join it)
    assert allowed(await api.ok(s.leader, "GET", f"/api/v1/needs/{created['id']}")) == {
        "take",
        "progress",
        "join",
        "add_photo",
    }
    graded = await api.ok(s.staff, "POST", f"/api/v1/needs/{created['id']}/triage", {"grade": "B"})
    assert {"dispatch", "progress", "triage"} <= allowed(graded)
    # Every may_* the API shows is allowed by the action itself: dispatch works.
    await open_task(api, need_id=created["id"])


async def test_a_task_and_a_claim_say_what_each_may_do_as_the_work_goes_on(api):
    s = api.street
    created = await triaged_need(api)
    task = await open_task(api, need_id=created["id"])
    volunteer = s.volunteers[6]  # a volunteer who represents no team
    assert allowed(await api.ok(volunteer, "GET", f"/api/v1/tasks/{task['id']}")) == {"claim"}
    assert allowed(await api.ok(s.resident, "GET", f"/api/v1/tasks/{task['id']}")) == set()  # own need
    assert allowed(task) >= {"cancel", "dispatch", "record"}  # its staff
    claim = await api.ok(volunteer, "POST", f"/api/v1/tasks/{task['id']}/claims", status=201)
    assert allowed(claim) == {"check_in", "withdraw"}
    assert allowed(await api.ok(volunteer, "GET", f"/api/v1/tasks/{task['id']}")) == set()  # full, and mine
    claim = await api.ok(volunteer, "POST", f"/api/v1/claims/{claim['id']}/check-in")
    assert allowed(claim) == {"submit", "withdraw", "add_photo"}
    claim = await worked(api, volunteer, claim["id"], 45)
    assert allowed(claim) == {"add_photo"}  # photos of the work, until it is decided
    assert allowed(await api.ok(s.resident, "GET", f"/api/v1/claims/{claim['id']}")) == {"confirm", "dispute"}
    confirmed = await api.ok(s.resident, "POST", f"/api/v1/claims/{claim['id']}/confirm")
    assert allowed(confirmed) == {"rate"}
    await api.ok(s.resident, "POST", f"/api/v1/claims/{claim['id']}/rating", {"score": 5}, status=201)
    assert allowed(await api.ok(s.resident, "GET", f"/api/v1/claims/{claim['id']}")) == set()


async def test_a_leader_records_work_done_without_a_check_in_and_the_resident_confirms_it(api):
    s = api.street
    created = await triaged_need(api)
    task = await open_task(api, need_id=created["id"], area_id=str(s.unit))
    helper = s.volunteers[5]
    body = {"member_id": str(helper), "minutes": 90, "note": "帮老人买了米和油"}
    own = await api.post(
        s.leader, f"/api/v1/tasks/{task['id']}/records", json={**body, "member_id": str(s.leader)}
    )
    assert (own.status_code, own.json()["code"]) == (403, "own_work")  # nobody records their own work
    recorded = await api.ok(s.leader, "POST", f"/api/v1/tasks/{task['id']}/records", body, status=201)
    assert (recorded["member_id"], recorded["status"], recorded["minutes"]) == (str(helper), "submitted", 90)
    history = await api.ok(s.leader, "GET", f"/api/v1/claims/{recorded['id']}/history")
    assert [(h["action"], h["to_state"]) for h in history] == [("claim", "claimed"), ("record", "submitted")]
    # A volunteer may not record.
    refused = await api.post(helper, f"/api/v1/tasks/{task['id']}/records", json=body)
    assert refused.status_code in (403, 404)
    confirmed = await api.ok(s.resident, "POST", f"/api/v1/claims/{recorded['id']}/confirm")
    assert confirmed["points"] == 23  # 90 minutes at care.meals' 15 an hour is 22.5: half up


async def test_a_task_without_a_need_or_area_goes_to_its_creators_only_staff_area(api):
    s = api.street
    body = {"title": "社区大扫除", "category": "environment.cleaning", "capacity": 5}
    task = await api.ok(s.staff, "POST", "/api/v1/tasks", body, status=201)
    assert task["area_id"] == str(s.community)
    # Someone who is staff of several areas is told which to choose from.
    from projects.members import grant_role

    await grant_role(s.staff, s.other_community, "staff", now=api.clock())
    response = await api.post(s.staff, "/api/v1/tasks", json=body)
    assert response.status_code == 400
    problem = response.json()
    assert problem["fields"][0]["field"] == "area_id"
    assert "幸福里社区" in problem["message"] and "和平里社区" in problem["message"]


async def test_an_id_that_cannot_exist_is_not_there(api):
    s = api.street
    for url in ("/api/v1/needs/0", "/api/v1/tasks/0", "/api/v1/claims/99999999999999999999"):
        response = await api.get(s.resident, url)
        assert (response.status_code, response.json()["code"]) == (404, "not_found"), url
    page = await api.client.get("/needs/0")
    assert page.status_code in (303, 404)  # signed out: to the sign-in page; never a 400
    head = await api.client.head("/login")
    assert head.status_code == 200 and head.content == b""
