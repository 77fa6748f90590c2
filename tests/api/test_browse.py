"""Lists: near me, by area, by category, by status, and paged by cursor; reference data."""

from __future__ import annotations

from tests.api.helpers import need, open_task, worked


async def test_volunteers_see_open_tasks_of_their_own_community_and_can_filter_by_category(api):
    s = api.street
    here = await open_task(api, category="environment.cleaning")
    care = await open_task(api, category="care.meals", title="送餐")
    there = await api.ok(
        s.other_staff,
        "POST",
        "/api/v1/tasks",
        {
            "title": "和平里巡逻",
            "area_id": str(s.other_community),
            "category": "volunteer.patrol",
        },
        status=201,
    )
    near = await api.ok(s.volunteers[0], "GET", "/api/v1/tasks?status=open")
    assert [t["id"] for t in near["items"]] == [care["id"], here["id"]]
    top = await api.ok(s.volunteers[0], "GET", "/api/v1/tasks?category=care")
    assert [t["id"] for t in top["items"]] == [care["id"]]
    exact = await api.ok(s.volunteers[0], "GET", "/api/v1/tasks?category=environment.cleaning")
    assert [t["id"] for t in exact["items"]] == [here["id"]]
    # Another community's tasks are not near: listed by area they are not there either (a list
    # never shows what the item's own page would answer 404 for).
    elsewhere = await api.ok(s.volunteers[0], "GET", f"/api/v1/tasks?area_id={s.other_community}")
    assert elsewhere["items"] == []
    assert (await api.get(s.volunteers[0], f"/api/v1/tasks/{there['id']}")).status_code == 404
    assert [t["id"] for t in (await api.ok(s.outsider, "GET", "/api/v1/tasks"))["items"]] == [there["id"]]


async def test_task_and_need_lists_page_by_cursor_newest_first(api):
    s = api.street
    made = [(await open_task(api, title=f"任务{n}"))["id"] for n in range(7)]
    seen, cursor = [], None
    while True:
        page = await api.ok(
            s.volunteers[0], "GET", "/api/v1/tasks?limit=3" + (f"&cursor={cursor}" if cursor else "")
        )
        seen += [t["id"] for t in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == made[::-1]
    needs = [(await need(api, description=f"需求{n}"))["id"] for n in range(5)]
    page = await api.ok(s.resident, "GET", "/api/v1/needs?mine=true&limit=2")
    assert [n["id"] for n in page["items"]] == needs[::-1][:2]
    page = await api.ok(s.resident, "GET", f"/api/v1/needs?mine=true&limit=2&cursor={page['next_cursor']}")
    assert [n["id"] for n in page["items"]] == needs[::-1][2:4]
    response = await api.get(s.resident, "/api/v1/needs?cursor=abc")
    assert (response.status_code, response.json()["code"]) == (400, "invalid_input")


async def test_staff_list_their_areas_needs_and_filter_them_by_status(api):
    s = api.street
    new = await need(api, description="新需求")
    triaged = await need(api, description="已分流", resident=s.neighbour)
    await api.ok(s.staff, "POST", f"/api/v1/needs/{triaged['id']}/triage", {"grade": "B"})
    queue = await api.ok(s.staff, "GET", f"/api/v1/needs?area_id={s.community}&status=new")
    assert [n["id"] for n in queue["items"]] == [new["id"]]
    everything = await api.ok(s.staff, "GET", "/api/v1/needs")
    assert {n["id"] for n in everything["items"]} == {new["id"], triaged["id"]}
    response = await api.get(s.other_staff, f"/api/v1/needs?area_id={s.unit}")
    assert response.status_code == 403


async def test_the_statement_pages_by_cursor(api):
    s = api.street
    volunteer = s.volunteers[0]
    for n in range(5):
        task = await open_task(api, title=f"清扫{n}", category="environment.cleaning")
        claim = await api.ok(volunteer, "POST", f"/api/v1/tasks/{task['id']}/claims", status=201)
        await worked(api, volunteer, claim["id"], 60 + n * 6)
        await api.ok(s.staff, "POST", f"/api/v1/claims/{claim['id']}/confirm")
    first = await api.ok(volunteer, "GET", "/api/v1/me/statement?limit=2")
    second = await api.ok(volunteer, "GET", f"/api/v1/me/statement?limit=2&cursor={first['next_cursor']}")
    third = await api.ok(volunteer, "GET", f"/api/v1/me/statement?limit=2&cursor={second['next_cursor']}")
    amounts = [line["amount"] for page in (first, second, third) for line in page["items"]]
    assert amounts == [14, 13, 12, 11, 10]
    assert [line["balance_after"] for page in (first, second, third) for line in page["items"]] == [
        60,
        46,
        33,
        21,
        10,
    ]
    assert third["next_cursor"] is None


async def test_reference_data_categories_areas_organisations(api):
    s = api.street
    categories = await api.ok(s.resident, "GET", "/api/v1/categories")
    tops = [c for c in categories if c["parent"] is None]
    assert len(tops) == 8
    assert {
        "code": "care.meals",
        "name": "助餐送餐",
        "name_en": "Meals and delivery",
        "parent": "care",
        "points_per_hour": 15,
    } in categories
    districts = await api.ok(s.resident, "GET", "/api/v1/areas")
    assert [d["id"] for d in districts] == [str(s.district)]
    children = await api.ok(s.resident, "GET", f"/api/v1/areas?parent={s.street}")
    assert [c["name"] for c in children] == ["幸福里社区", "和平里社区"]
    teams = await api.ok(s.resident, "GET", "/api/v1/organisations?kind=volunteer_team")
    assert [t["id"] for t in teams] == [str(s.team)]


async def test_the_resource_library_matches_a_need_by_area_and_category(api):
    s = api.street
    body = {
        "name": "爱心理发店",
        "kind": "merchant",
        "level": "unit",
        "area_id": str(s.unit),
        "categories": ["convenience.haircut"],
        "contact": "13812345678",
    }
    barber = await api.ok(s.staff, "POST", "/api/v1/resources", body, status=201)
    canteen = await api.ok(
        s.staff,
        "POST",
        "/api/v1/resources",
        {
            "name": "长者食堂",
            "kind": "public_service",
            "level": "community",
            "area_id": str(s.community),
            "categories": ["care"],
        },
        status=201,
    )
    response = await api.post(s.resident, "/api/v1/resources", body)
    assert response.status_code == 403
    meals = await need(api, category="care.meals")
    matched = await api.ok(s.staff, "GET", f"/api/v1/needs/{meals['id']}/resources")
    assert [r["id"] for r in matched] == [canteen["id"]]
    haircut = await need(api, category="convenience.haircut")
    assert [r["id"] for r in await api.ok(s.staff, "GET", f"/api/v1/needs/{haircut['id']}/resources")] == [
        barber["id"]
    ]
    far = await need(api, resident=s.outsider, category="convenience.haircut")
    assert await api.ok(s.other_staff, "GET", f"/api/v1/needs/{far['id']}/resources") == []
    rated = await api.ok(
        s.resident, "POST", f"/api/v1/resources/{barber['id']}/ratings", {"score": 4}, status=201
    )
    assert rated["period"] == "2026Q4"
    again = await api.post(s.resident, f"/api/v1/resources/{barber['id']}/ratings", {"score": 5})
    assert (again.status_code, again.json()["code"]) == (409, "already_rated")
    api.clock.advance(days=31)  # the next quarter: rated again (signed in again: tokens last 30 days)
    api.tokens.clear()
    await api.ok(s.resident, "POST", f"/api/v1/resources/{barber['id']}/ratings", {"score": 5}, status=201)
    standings = await api.ok(s.resident, "GET", "/api/v1/ratings/standings?subject=resource&period=2026")
    assert [(i["id"], i["ratings"], i["average"]) for i in standings["items"]] == [(barber["id"], 1, "4.00")]
    standings = await api.ok(s.resident, "GET", "/api/v1/ratings/standings?subject=resource")
    assert [(i["id"], i["ratings"], i["average"]) for i in standings["items"]] == [(barber["id"], 2, "4.50")]
    bad = await api.get(s.resident, "/api/v1/ratings/standings?subject=resource&period=2026Q5")
    assert bad.status_code == 400
    # Live standings name people: seen by the community's own and staff above it, not next door.
    for member in (s.staff, s.street_staff):
        seen = await api.ok(member, "GET", "/api/v1/ratings/standings?subject=resource")
        assert [i["id"] for i in seen["items"]] == [barber["id"]]
    for member in (s.other_staff, s.outsider):
        assert (await api.ok(member, "GET", "/api/v1/ratings/standings?subject=resource"))["items"] == []
