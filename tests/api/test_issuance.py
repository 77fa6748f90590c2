"""Issuance controls (DESIGN "Issuance"): points are created by a community's issuer within its
caps, and a large confirmation waits for a second staff member (four eyes) with no transfer."""

from __future__ import annotations

from tests.api.helpers import open_task, refused, triaged_need, worked


async def test_a_task_pays_at_most_the_communitys_rate_and_has_at_most_its_places(api):
    s = api.street
    body = {"title": "巡逻", "area_id": str(s.community), "category": "volunteer.patrol"}
    response = await api.post(s.staff, "/api/v1/tasks", json={**body, "points_per_hour": 1000})
    assert (response.status_code, response.json()["fields"][0]["field"]) == (400, "points_per_hour")
    assert "50" in response.json()["message"]
    response = await api.post(s.staff, "/api/v1/tasks", json={**body, "capacity": 201})
    assert (response.status_code, response.json()["fields"][0]["field"]) == (400, "capacity")
    await api.ok(
        s.staff, "POST", "/api/v1/tasks", {**body, "points_per_hour": 50, "capacity": 200}, status=201
    )


async def test_a_claim_counts_at_most_600_minutes_and_a_member_720_a_day(api):
    s = api.street
    volunteer = s.volunteers[0]
    first = await open_task(api)
    claim = await api.ok(volunteer, "POST", f"/api/v1/tasks/{first['id']}/claims", status=201)
    await api.ok(volunteer, "POST", f"/api/v1/claims/{claim['id']}/check-in")
    api.clock.advance(hours=11)
    too_long = await api.post(volunteer, f"/api/v1/claims/{claim['id']}/submit", json={"minutes": 601})
    assert (too_long.status_code, too_long.json()["fields"][0]["field"]) == (400, "minutes")
    await api.ok(volunteer, "POST", f"/api/v1/claims/{claim['id']}/submit", {"minutes": 600})
    second = await open_task(api)
    other = await api.ok(volunteer, "POST", f"/api/v1/tasks/{second['id']}/claims", status=201)
    await api.ok(volunteer, "POST", f"/api/v1/claims/{other['id']}/check-in")
    api.clock.advance(hours=3)
    over = await api.post(volunteer, f"/api/v1/claims/{other['id']}/submit", json={"minutes": 121})
    assert over.status_code == 400 and "120" in over.json()["message"]  # 720 a day: 120 left
    await api.ok(volunteer, "POST", f"/api/v1/claims/{other['id']}/submit", {"minutes": 120})


async def test_a_large_confirmation_waits_for_a_second_staff_member_and_pays_once(api):
    s = api.street
    created = await triaged_need(api)
    task = await open_task(api, need_id=created["id"], points_per_hour=50)
    claim = await api.ok(s.volunteers[0], "POST", f"/api/v1/tasks/{task['id']}/claims", status=201)
    await worked(api, s.volunteers[0], claim["id"], 180)  # 150 points: over the 100 threshold
    waiting = await api.ok(s.resident, "POST", f"/api/v1/claims/{claim['id']}/confirm")
    assert (waiting["status"], waiting["transfer_id"], waiting["points"]) == ("awaiting_approval", None, None)
    assert (await api.ok(s.volunteers[0], "GET", "/api/v1/me"))["balance"]["posted"] == 0
    told = await api.ok(s.volunteers[0], "GET", "/api/v1/me/notifications")
    assert "积分待另一位工作人员审核后发放" in told["items"][0]["text"]
    staff_told = await api.ok(s.staff, "GET", "/api/v1/me/notifications")
    assert "需另一位工作人员审核" in staff_told["items"][0]["text"]
    # Not the one who created the task (community staff), nor the confirmer, nor the performer.
    await refused(
        api, s.staff, "POST", f"/api/v1/claims/{claim['id']}/approve", status=403, code="not_allowed"
    )
    await refused(
        api, s.resident, "POST", f"/api/v1/claims/{claim['id']}/approve", status=403, code="not_allowed"
    )
    await refused(
        api, s.volunteers[0], "POST", f"/api/v1/claims/{claim['id']}/approve", status=403, code="own_work"
    )
    street_view = await api.ok(s.street_staff, "GET", f"/api/v1/claims/{claim['id']}")
    assert street_view["may_approve"] is True
    approved = await api.ok(s.street_staff, "POST", f"/api/v1/claims/{claim['id']}/approve")
    assert (approved["status"], approved["points"]) == ("confirmed", 150) and approved["transfer_id"]
    again = await api.post(s.district_staff, f"/api/v1/claims/{claim['id']}/approve")
    assert (again.status_code, again.json()["code"]) == (409, "wrong_state")  # the points moved once
    assert (await api.ok(s.volunteers[0], "GET", "/api/v1/me"))["balance"]["posted"] == 150
    told = await api.ok(s.volunteers[0], "GET", "/api/v1/me/notifications")
    assert told["items"][0]["text"].endswith("中的服务，150积分已入账。")
    history = await api.ok(s.volunteers[0], "GET", f"/api/v1/claims/{claim['id']}/history")
    assert [(h["action"], h["to_state"]) for h in history][-2:] == [
        ("confirm", "awaiting_approval"),
        ("approve", "confirmed"),
    ]


async def test_staff_above_a_community_set_its_caps_and_its_own_staff_may_not(api):
    s = api.street
    url = f"/api/v1/communities/{s.community}/issuance"
    assert (await api.ok(s.staff, "GET", url))["approval_over_points"] == 100
    await refused(api, s.staff, "PUT", url, {"approval_over_points": 10_000}, status=403, code="not_allowed")
    saved = await api.ok(s.street_staff, "PUT", url, {"approval_over_points": 20, "max_points_per_hour": 30})
    assert (saved["approval_over_points"], saved["max_points_per_hour"], saved["max_capacity"]) == (
        20,
        30,
        200,
    )
    created = await triaged_need(api)
    task = await open_task(api, need_id=created["id"])  # care.meals: 15 points an hour
    claim = await api.ok(s.volunteers[1], "POST", f"/api/v1/tasks/{task['id']}/claims", status=201)
    await worked(api, s.volunteers[1], claim["id"], 120)  # 30 points: over the new threshold
    assert (await api.ok(s.resident, "POST", f"/api/v1/claims/{claim['id']}/confirm"))[
        "status"
    ] == "awaiting_approval"


async def test_the_daily_report_says_who_issued_what_and_flags_the_outliers_once(api):
    from datetime import timedelta

    from projects import issuance
    from projects.access import load_actor
    from projects.issuance_report import write_reports
    from projects.outlets import set_outlet
    from tests.web.test_app import fetch_value

    s = api.street
    await set_outlet(
        await load_actor(s.admin), s.community, kind="json", target="http://127.0.0.1:9/hook", now=api.clock()
    )
    volunteer = s.volunteers[0]
    big = await open_task(api, points_per_hour=20)
    claim = await api.ok(volunteer, "POST", f"/api/v1/tasks/{big['id']}/claims", status=201)
    await worked(api, volunteer, claim["id"], 600)  # at the cap on a claim: 200 points
    await api.ok(s.staff, "POST", f"/api/v1/claims/{claim['id']}/confirm")
    await api.ok(s.street_staff, "POST", f"/api/v1/claims/{claim['id']}/approve")
    small = await open_task(api, points_per_hour=10)
    other = await api.ok(volunteer, "POST", f"/api/v1/tasks/{small['id']}/claims", status=201)
    await worked(api, volunteer, other["id"], 120)  # 720 minutes that day: the day's limit
    await api.ok(s.staff, "POST", f"/api/v1/claims/{other['id']}/confirm")

    start, end = issuance.day_bounds(api.clock())
    api.clock.now = end + timedelta(hours=7)  # 07:00 the next day: before the digest's hour
    assert await write_reports(now=api.clock()) == 0
    api.clock.now = end + timedelta(hours=9)
    assert await write_reports(now=api.clock()) == 1
    assert await write_reports(now=api.clock()) == 0  # once a day, whoever runs it again

    url = f"/api/v1/communities/{s.community}/issuance/reports"
    [report] = await api.ok(s.staff, "GET", url)
    assert (report["day"], report["points"], report["issues"]) == (start.date().isoformat(), 220, 2)
    assert [(i["member_id"], i["points"]) for i in report["issuers"]] == [
        (str(s.street_staff), 200),
        (str(s.staff), 20),
    ]
    assert sorted((f["kind"], f["value"], f["limit"]) for f in report["flags"]) == [
        ("claim_at_cap", 600, 600),
        ("member_at_day_limit", 720, 720),
        ("most_by_one_issuer", 90, 50),
    ]
    told = await api.ok(s.staff, "GET", "/api/v1/me/notifications")
    assert "1笔服务达到单次时长上限" in told["items"][0]["text"] and "90%" in told["items"][0]["text"]
    groups = await fetch_value(
        api.database_url,
        "SELECT COUNT(*) FROM projects_notification n JOIN projects_delivery d ON d.notification = n.id "
        "WHERE n.subject = 'issuance' AND n.outlet IS NOT NULL AND d.channel = 'group'",
    )
    assert groups == 1
    await refused(api, s.resident, "GET", url, status=403, code="not_allowed")
    await refused(api, s.other_staff, "GET", url, status=404, code="not_found")
