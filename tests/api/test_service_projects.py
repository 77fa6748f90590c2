"""Service projects (服务项目书): from common needs to a claimed, tracked, completed project."""

from __future__ import annotations

from datetime import timedelta

from projects import organisations
from projects.sweep import sweep
from tests.api.helpers import need, refused, triaged_need


async def test_a_project_from_common_needs_is_claimed_tracked_and_completed(api):
    s = api.street
    first = await triaged_need(
        api, grade="C", scope="common", category="environment.greening", description="小区绿地荒了"
    )
    second = await triaged_need(
        api,
        grade="C",
        scope="common",
        category="environment.greening",
        description="楼前没有树荫",
        resident=s.neighbour,
    )
    deadline = (api.clock() + timedelta(days=60)).isoformat()
    body = {
        "title": "幸福里绿化提升项目",
        "area_id": str(s.community),
        "deadline": deadline,
        "content": "补种绿植、修整绿地",
        "measures": "居民议事会协商，社工机构实施",
        "need_ids": [first["id"], second["id"]],
    }
    await refused(api, s.resident, "POST", "/api/v1/projects", body, status=403, code="not_allowed")
    project = await api.ok(s.staff, "POST", "/api/v1/projects", body, status=201)
    assert (project["status"], project["need_ids"]) == ("published", [first["id"], second["id"]])
    for need_id in project["need_ids"]:
        assert (await api.ok(s.staff, "GET", f"/api/v1/needs/{need_id}"))["status"] == "in_progress"

    url = f"/api/v1/projects/{project['id']}"
    await refused(
        api,
        s.volunteers[0],
        "POST",
        f"{url}/claim",
        {"organisation_id": str(s.organisation)},
        status=403,
        code="not_allowed",
    )
    claimed = await api.ok(s.representative, "POST", f"{url}/claim", {"organisation_id": str(s.organisation)})
    assert (claimed["status"], claimed["organisation_id"]) == ("claimed", str(s.organisation))
    await refused(
        api,
        s.representative,
        "POST",
        f"{url}/claim",
        {"organisation_id": str(s.organisation)},
        status=409,
        code="wrong_state",
    )

    due = (api.clock() + timedelta(days=30)).isoformat()
    planned = await api.ok(
        s.representative, "POST", f"{url}/milestones", {"title": "完成补种", "due": due}, status=201
    )
    milestone = planned["milestones"][0]
    await api.ok(s.representative, "POST", f"{url}/progress", {"note": "已采购树苗 40 株"})
    task = await api.ok(
        s.staff,
        "POST",
        "/api/v1/tasks",
        {
            "project_id": project["id"],
            "title": "周末补种志愿活动",
            "category": "environment.greening",
            "capacity": 10,
        },
        status=201,
    )
    assert (task["project_id"], task["area_id"]) == (project["id"], str(s.community))
    await refused(
        api,
        s.volunteers[0],
        "POST",
        f"{url}/milestones/{milestone['id']}/complete",
        {"report": "x"},
        status=403,
        code="not_allowed",
    )
    done = await api.ok(
        s.representative, "POST", f"{url}/milestones/{milestone['id']}/complete", {"report": "40 株全部种下"}
    )
    assert done["milestones"][0]["done_at"] is not None
    assert [p["text"] for p in done["progress"]] == ["已采购树苗 40 株"]

    await refused(api, s.representative, "POST", f"{url}/complete", status=403, code="not_allowed")
    await api.ok(s.staff, "POST", f"/api/v1/tasks/{task['id']}/cancel", {"reason": "并入下次活动"})
    completed = await api.ok(s.staff, "POST", f"{url}/complete")
    assert completed["status"] == "completed"
    for need_id in project["need_ids"]:
        assert (await api.ok(s.staff, "GET", f"/api/v1/needs/{need_id}"))["status"] == "done"
    history = await api.ok(s.resident, "GET", f"{url}/history")
    assert [h["action"] for h in history] == [
        "create",
        "claim",
        "milestone",
        "progress",
        "milestone_done",
        "complete",
    ]
    assert [p["id"] for p in (await api.ok(s.neighbour, "GET", "/api/v1/projects"))["items"]] == [
        project["id"]
    ]


async def test_a_project_answers_common_needs_only_and_a_cancelled_one_sends_them_back_to_triage(api):
    s = api.street
    personal = await triaged_need(api)
    deadline = (api.clock() + timedelta(days=10)).isoformat()
    body = {"title": "x", "area_id": str(s.community), "deadline": deadline, "need_ids": [personal["id"]]}
    await refused(api, s.staff, "POST", "/api/v1/projects", body, status=400, code="invalid_input")
    common = await triaged_need(
        api, scope="common", category="construction.facilities", description="健身器材坏了"
    )
    body["need_ids"] = [common["id"]]
    project = await api.ok(s.staff, "POST", "/api/v1/projects", body, status=201)
    past = {**body, "deadline": (api.clock() - timedelta(days=1)).isoformat()}
    await refused(api, s.staff, "POST", "/api/v1/projects", past, status=400, code="invalid_input")
    await api.ok(s.staff, "POST", f"/api/v1/projects/{project['id']}/cancel", {"reason": "资金不到位"})
    assert (await api.ok(s.staff, "GET", f"/api/v1/needs/{common['id']}"))["status"] == "triaged"


async def test_an_overdue_project_is_flagged_once(api):
    s = api.street
    common = await need(api, scope="common", category="environment.sorting", description="垃圾分类")
    await api.ok(s.staff, "POST", f"/api/v1/needs/{common['id']}/triage", {"grade": "C"})
    deadline = (api.clock() + timedelta(days=3)).isoformat()
    project = await api.ok(
        s.staff,
        "POST",
        "/api/v1/projects",
        {
            "title": "垃圾分类督导",
            "area_id": str(s.community),
            "deadline": deadline,
            "need_ids": [common["id"]],
        },
        status=201,
    )
    assert (await sweep(now=api.clock.advance(days=3, seconds=1))).projects_flagged == 1
    assert (await sweep(now=api.clock.advance(days=1))).projects_flagged == 0
    assert (await api.ok(s.staff, "GET", f"/api/v1/projects/{project['id']}"))["overdue"] is True


async def test_a_published_project_is_offered_only_to_organisations_serving_its_community(api):
    s = api.street
    deadline = (api.clock() + timedelta(days=30)).isoformat()
    body = {"title": "和平里助老项目", "area_id": str(s.other_community), "deadline": deadline}
    project = await api.ok(s.other_staff, "POST", "/api/v1/projects", body, status=201)
    url = f"/api/v1/projects/{project['id']}"
    # 幸福里's organisation does not serve 和平里: the project is not there for its representative.
    await refused(api, s.representative, "GET", url, status=404, code="not_found")
    claim = {"organisation_id": str(s.organisation)}
    await refused(api, s.representative, "POST", f"{url}/claim", claim, status=404, code="not_found")
    listed = await api.ok(s.representative, "GET", "/api/v1/projects")
    assert project["id"] not in [p["id"] for p in listed["items"]]
    # An organisation registered in 和平里 (or in the street above both) sees it and claims it.
    here = await organisations.create_organisation(
        "和平里志愿服务站", "social_organisation", area_id=s.other_community, now=api.clock()
    )
    await organisations.add_member(here.id, s.neighbour, role="representative", now=api.clock())
    assert (await api.ok(s.neighbour, "GET", url))["status"] == "published"
    # ...but not for another organisation it also represents that serves elsewhere.
    await organisations.add_member(s.organisation, s.neighbour, role="representative", now=api.clock())
    await refused(api, s.neighbour, "POST", f"{url}/claim", claim, status=403, code="not_allowed")
    claimed = await api.ok(s.neighbour, "POST", f"{url}/claim", {"organisation_id": str(here.id)})
    assert claimed["status"] == "claimed"
