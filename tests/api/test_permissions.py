"""Who may do what: each rule refused through the API with its status and code, nothing changed."""

from __future__ import annotations

import pytest

from tests.api.helpers import need, open_task, refused, submitted_claim, triaged_need, worked


async def test_without_a_token_or_with_a_wrong_one_nothing_is_served(api):
    response = await api.client.get("/api/v1/me")
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"
    assert response.headers["www-authenticate"] == "Bearer"
    response = await api.client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401
    response = await api.client.post(
        "/api/v1/auth/token",
        json={"phone": api.street.phones[api.street.resident], "password": "wrong-password"},
    )
    assert response.status_code == 401 and response.json()["code"] == "bad_credentials"
    response = await api.client.post(
        "/api/v1/auth/token", json={"phone": "13999999999", "password": "linli-demo"}
    )
    assert response.status_code == 401 and response.json()["code"] == "bad_credentials"


async def test_a_token_stops_working_when_its_owner_signs_out(api):
    token = await api.token(api.street.resident)
    headers = {"Authorization": f"Bearer {token}"}
    assert (await api.client.get("/api/v1/me", headers=headers)).status_code == 200
    assert (await api.client.delete("/api/v1/auth/token", headers=headers)).status_code == 204
    assert (await api.client.get("/api/v1/me", headers=headers)).status_code == 401


async def test_a_token_expires_after_thirty_days(api):
    s = api.street
    await api.ok(s.resident, "GET", "/api/v1/me")
    api.clock.advance(days=30, seconds=1)
    await refused(api, s.resident, "GET", "/api/v1/me", status=401, code="unauthenticated")


async def test_only_staff_where_the_need_is_handled_may_triage_it(api):
    s = api.street
    created = await need(api)
    url = f"/api/v1/needs/{created['id']}/triage"
    # They see the need and may not grade it: its resident, its grid's leader, and the levels
    # above its holder (they supervise; they do not take over).
    for member in (s.resident, s.leader, s.street_staff, s.district_staff):
        await refused(api, member, "POST", url, {"grade": "A"}, status=403, code="not_allowed")
    for member in (s.volunteers[0], s.other_staff):  # for them it does not exist
        await refused(api, member, "POST", url, {"grade": "A"}, status=404, code="not_found")
    assert (await api.ok(s.staff, "POST", url, {"grade": "B"}))["grade"] == "B"  # its holder


async def test_only_staff_may_dispatch_tasks_in_their_area(api):
    s = api.street
    body = {"title": "巡逻", "area_id": str(s.community), "category": "volunteer.patrol", "capacity": 2}
    for member in (s.resident, s.volunteers[0], s.leader, s.other_staff):
        await refused(api, member, "POST", "/api/v1/tasks", body, status=403, code="not_allowed")
    await api.ok(s.staff, "POST", "/api/v1/tasks", body, status=201)


async def test_a_performer_cannot_confirm_or_settle_their_own_work(api):
    s = api.street
    from projects.members import grant_role

    performer = s.leader  # a leader who volunteers too is the performer of what they claim
    await grant_role(performer, s.community, "volunteer", now=api.clock())
    _, claim = await submitted_claim(api, volunteer=performer, area_id=str(s.unit))
    await refused(
        api, performer, "POST", f"/api/v1/claims/{claim['id']}/confirm", status=403, code="own_work"
    )
    await api.ok(s.staff, "POST", f"/api/v1/claims/{claim['id']}/dispute", {"reason": "时间不对"})
    await refused(
        api,
        performer,
        "POST",
        f"/api/v1/claims/{claim['id']}/settle",
        {"accept": True, "reason": "我自己定"},
        status=403,
        code="own_work",
    )


async def test_a_resident_confirms_work_on_their_own_need_but_not_on_anothers(api):
    s = api.street
    created = await triaged_need(api)
    task = await open_task(api, need_id=created["id"])
    claim = await api.ok(s.volunteers[1], "POST", f"/api/v1/tasks/{task['id']}/claims", status=201)
    await worked(api, s.volunteers[1], claim["id"], 30)
    url = f"/api/v1/claims/{claim['id']}/confirm"
    for member in (s.neighbour, s.volunteers[2]):  # the claim is none of their business
        await refused(api, member, "POST", url, status=404, code="not_found")
    assert (await api.ok(s.resident, "POST", url))["status"] == "confirmed"


async def test_a_grid_leader_confirms_on_behalf_of_a_resident_who_cannot(api):
    s = api.street
    _, claim = await submitted_claim(api, area_id=str(s.unit))
    assert (await api.ok(s.leader, "POST", f"/api/v1/claims/{claim['id']}/confirm"))["status"] == "confirmed"


async def test_a_resident_cannot_see_another_residents_private_need(api):
    s = api.street
    private = await need(api, description="家里有困难，不想让邻居知道")
    for member in (s.neighbour, s.outsider, s.volunteers[0]):
        await refused(api, member, "GET", f"/api/v1/needs/{private['id']}", status=404, code="not_found")
        await refused(
            api, member, "GET", f"/api/v1/needs/{private['id']}/history", status=404, code="not_found"
        )
        listed = await api.ok(member, "GET", "/api/v1/needs")
        assert private["id"] not in [item["id"] for item in listed["items"]]
    assert (await api.ok(s.leader, "GET", f"/api/v1/needs/{private['id']}"))["resident_id"] == str(s.resident)
    assert (await api.ok(s.staff, "GET", f"/api/v1/needs/{private['id']}"))["description"] == private[
        "description"
    ]


async def test_neighbours_see_a_common_need_but_not_who_reported_it(api):
    s = api.street
    common = await need(api, scope="common", category="environment.cleaning", description="楼道灯坏了")
    seen = await api.ok(s.neighbour, "GET", f"/api/v1/needs/{common['id']}")
    assert seen["description"] == "楼道灯坏了"
    assert seen["resident_id"] is None and seen["reporter_id"] is None
    listed = await api.ok(s.neighbour, "GET", "/api/v1/needs")
    assert common["id"] in [item["id"] for item in listed["items"]]
    await refused(api, s.outsider, "GET", f"/api/v1/needs/{common['id']}", status=404, code="not_found")


async def test_a_leader_reports_a_need_for_a_resident_of_their_grid_but_a_resident_cannot(api):
    s = api.street
    body = {
        "category": "care.escort",
        "description": "入户走访：需要陪同就医",
        "channel": "door_visit",
        "resident_id": str(s.resident),
    }
    reported = await api.ok(s.leader, "POST", "/api/v1/needs", body, status=201)
    assert (reported["resident_id"], reported["reporter_id"]) == (str(s.resident), str(s.leader))
    assert reported["channel"] == "door_visit"
    assert reported["id"] in [
        n["id"] for n in (await api.ok(s.resident, "GET", "/api/v1/needs?mine=true"))["items"]
    ]
    await refused(api, s.neighbour, "POST", "/api/v1/needs", body, status=403, code="not_allowed")
    body["resident_id"] = str(s.outsider)  # another community: not this leader's
    await refused(api, s.leader, "POST", "/api/v1/needs", body, status=403, code="not_allowed")


async def test_a_task_dispatched_to_a_person_is_theirs_to_accept_or_decline(api):
    s = api.street
    chosen, other = s.volunteers[3], s.volunteers[4]
    body = {"title": "陪同就医", "area_id": str(s.unit), "category": "care.escort", "assignee": str(chosen)}
    task = await api.ok(s.staff, "POST", "/api/v1/tasks", body, status=201)
    assert task["status"] == "offered"
    # Offered to someone else, the task is not theirs to see: it is not there at all.
    await refused(api, other, "POST", f"/api/v1/tasks/{task['id']}/accept", status=404, code="not_found")
    await refused(api, other, "POST", f"/api/v1/tasks/{task['id']}/claims", status=404, code="not_found")
    accepted = await api.ok(chosen, "POST", f"/api/v1/tasks/{task['id']}/accept")
    assert (accepted["status"], accepted["claimed"]) == ("full", 1)
    mine = await api.ok(chosen, "GET", "/api/v1/claims")
    assert [c["task_id"] for c in mine["items"]] == [task["id"]]


async def test_an_organisation_claims_places_for_its_own_members_only(api):
    s = api.street
    body = {
        "title": "社区义诊",
        "area_id": str(s.community),
        "category": "culture.health",
        "capacity": 3,
        "assignee": f"organisation:{s.organisation}",
    }
    task = await api.ok(s.staff, "POST", "/api/v1/tasks", body, status=201)
    await refused(
        api, s.volunteers[0], "POST", f"/api/v1/tasks/{task['id']}/accept", status=404, code="not_found"
    )
    await api.ok(s.representative, "POST", f"/api/v1/tasks/{task['id']}/accept")
    url = f"/api/v1/tasks/{task['id']}/claims"
    member_body = {"member_id": str(s.volunteers[0]), "organisation_id": str(s.organisation)}
    await refused(api, s.volunteers[5], "POST", url, member_body, status=403, code="not_allowed")
    await refused(
        api, s.volunteers[5], "POST", url, status=403, code="not_allowed"
    )  # not through the organisation
    outsider_body = {"member_id": str(s.volunteers[10]), "organisation_id": str(s.organisation)}
    await refused(api, s.representative, "POST", url, outsider_body, status=400, code="invalid_input")
    claim = await api.ok(s.representative, "POST", url, member_body, status=201)
    assert (claim["member_id"], claim["organisation_id"]) == (str(s.volunteers[0]), str(s.organisation))
    # the representative reports the hours for the member they sent
    await worked(api, s.representative, claim["id"], 120)


async def test_a_member_cannot_rate_their_own_work_nor_work_they_did_not_receive(api):
    s = api.street
    created = await triaged_need(api)
    task = await open_task(api, need_id=created["id"])
    performer = s.volunteers[2]
    claim = await api.ok(performer, "POST", f"/api/v1/tasks/{task['id']}/claims", status=201)
    await worked(api, performer, claim["id"], 60)
    url = f"/api/v1/claims/{claim['id']}/rating"
    await refused(
        api, s.resident, "POST", url, {"score": 5}, status=409, code="conflict"
    )  # not confirmed yet
    await api.ok(s.resident, "POST", f"/api/v1/claims/{claim['id']}/confirm")
    await refused(api, performer, "POST", url, {"score": 5}, status=403, code="own_work")
    await refused(api, s.neighbour, "POST", url, {"score": 1}, status=404, code="not_found")
    await api.ok(s.resident, "POST", url, {"score": 4, "comment": "不错"}, status=201)
    await refused(api, s.resident, "POST", url, {"score": 5}, status=409, code="already_rated")


@pytest.mark.parametrize("grade", ["D", "", None])
async def test_a_grade_other_than_a_b_or_c_is_refused(api, grade):
    created = await need(api)
    await refused(
        api,
        api.street.staff,
        "POST",
        f"/api/v1/needs/{created['id']}/triage",
        {"grade": grade},
        status=400,
        code="invalid_input",
    )


async def test_a_residents_own_need_cannot_be_claimed_by_them(api):
    from projects.members import grant_role

    s = api.street
    await grant_role(s.resident, s.community, "volunteer", now=api.clock())  # a volunteer too
    created = await triaged_need(api)
    task = await open_task(api, need_id=created["id"])
    await refused(api, s.resident, "POST", f"/api/v1/tasks/{task['id']}/claims", status=403, code="own_work")


async def test_only_registered_volunteers_claim_from_the_open_pool(api):
    s = api.street
    task = await open_task(api)
    for member in (s.neighbour, s.resident, s.staff):
        await refused(
            api, member, "POST", f"/api/v1/tasks/{task['id']}/claims", status=403, code="not_allowed"
        )
    await api.ok(s.volunteers[0], "POST", f"/api/v1/tasks/{task['id']}/claims", status=201)


async def test_a_resource_is_rated_by_the_people_of_the_community_it_serves(api):
    s = api.street
    body = {
        "name": "幸福里便民理发",
        "kind": "merchant",
        "level": "community",
        "area_id": str(s.community),
        "categories": ["care.meals"],
    }
    resource = await api.ok(s.staff, "POST", "/api/v1/resources", body, status=201)
    url = f"/api/v1/resources/{resource['id']}/ratings"
    for outsider in (s.outsider, s.other_staff):  # 和平里's people would move 幸福里's evaluation
        await refused(api, outsider, "POST", url, {"score": 1}, status=403, code="not_allowed")
    await api.ok(s.resident, "POST", url, {"score": 5}, status=201)


async def test_a_communitys_issuance_caps_are_read_by_its_staff_and_staff_above_it(api):
    s = api.street
    url = f"/api/v1/communities/{s.community}/issuance"
    for member in (s.staff, s.street_staff, s.district_staff, s.admin):
        assert (await api.ok(member, "GET", url))["approval_over_points"] == 100
    for member in (s.resident, s.leader, s.volunteers[0]):
        await refused(api, member, "GET", url, status=403, code="not_allowed")
    for member in (s.other_staff, s.outsider):
        await refused(api, member, "GET", url, status=404, code="not_found")
