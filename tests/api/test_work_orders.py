"""A work order says where, who and when, through the real app on both engines: a need's address,
contact and preferred time reach its tasks; who sees them, role by role (staff and leaders of
the area, whoever asked, whoever works on it now) and who sees only the area's names
(neighbours, volunteers browsing the pool, staff elsewhere, Open311 readers); a common need's
contact is its grid leader or the community's duty phone, never whoever reported or joined it."""

from __future__ import annotations

import pytest

from projects.areas import set_duty_phone
from tests.api.helpers import counts, need, worked

NAMES = ["幸福里社区", "第一网格", "1号楼", "1单元"]
ADDRESS = "1号楼1单元301"


def _sees(item: dict) -> bool:
    """Whether a need or task as answered shows its address and contact."""
    where = item["where"]
    assert where["area_names"] == NAMES, where
    if item["contact"] is None:
        assert "address" not in where  # left out, not merely empty
        return False
    assert where["address"] == ADDRESS
    return True


async def test_who_sees_a_personal_needs_address_and_contact_on_the_need_and_its_task(api):
    s = api.street
    volunteer, browsing = s.volunteers[8], s.volunteers[9]
    # A grid leader reports for 王阿姨, an elder, with her daughter to call.
    created = await need(
        api,
        s.leader,
        resident_id=str(s.resident),
        channel="door_visit",
        address=ADDRESS,
        contact_name="王阿姨的女儿",
        contact_phone="139 0000 1234",
        preferred_time="周六上午",
    )
    need_id = created["id"]
    assert created["contact"] == {"name": "王阿姨的女儿", "phone": "139 0000 1234"}
    assert (created["contact_name"], created["address"], created["preferred_time"]) == (
        "王阿姨的女儿",
        ADDRESS,
        "周六上午",
    )
    await api.ok(s.staff, "POST", f"/api/v1/needs/{need_id}/triage", {"grade": "A"})
    task = await api.ok(
        s.staff,
        "POST",
        "/api/v1/tasks",
        {"need_id": need_id, "title": "陪老人看病", "capacity": 2},
        status=201,
    )
    task_url = f"/api/v1/tasks/{task['id']}"
    assert task["preferred_time"] == "周六上午" and task["contact"]["phone"] == "139 0000 1234"

    # The need: those who asked and those who serve the area see it whole; others never see it.
    for member in (s.resident, s.leader, s.staff, s.street_staff, s.district_staff, s.admin):
        assert _sees(await api.ok(member, "GET", f"/api/v1/needs/{need_id}")), member
    for member in (s.neighbour, s.other_staff, volunteer):
        assert (await api.get(member, f"/api/v1/needs/{need_id}")).status_code == 404, member
    # The task: the pool shows it near by, with the area's names only.
    for member in (s.resident, s.leader, s.staff, s.street_staff):
        assert _sees(await api.ok(member, "GET", task_url)), member
    for member in (s.neighbour, volunteer, browsing):
        shown = await api.ok(member, "GET", task_url)
        assert not _sees(shown) and shown["preferred_time"] == "周六上午", member
    pool = await api.ok(browsing, "GET", "/api/v1/tasks?status=open")
    listed = next(item for item in pool["items"] if item["id"] == task["id"])
    assert not _sees(listed)
    assert (await api.get(s.other_staff, task_url)).status_code == 404

    # Claiming gives the volunteer where to go and whom to call, as long as they hold the claim.
    claim = await api.ok(volunteer, "POST", f"{task_url}/claims", status=201)
    assert _sees(await api.ok(volunteer, "GET", task_url))
    assert not _sees(await api.ok(browsing, "GET", task_url))  # the pool still does not
    assert (await api.get(volunteer, f"/api/v1/needs/{need_id}")).status_code == 404  # nor the need
    await api.ok(volunteer, "POST", f"/api/v1/claims/{claim['id']}/withdraw")
    assert not _sees(await api.ok(volunteer, "GET", task_url))
    claim = await api.ok(browsing, "POST", f"{task_url}/claims", status=201)
    await worked(api, browsing, claim["id"], 30)
    assert _sees(await api.ok(browsing, "GET", task_url))  # submitted: still on it
    await api.ok(s.resident, "POST", f"/api/v1/claims/{claim['id']}/confirm")
    assert not _sees(await api.ok(browsing, "GET", task_url))  # confirmed: done with it

    # A task dispatched to an organisation: its representative knows where, once it is theirs.
    second = await api.ok(
        s.staff,
        "POST",
        "/api/v1/tasks",
        {"need_id": need_id, "title": "送药", "capacity": 1, "assignee": f"organisation:{s.organisation}"},
        status=201,
    )
    assert _sees(await api.ok(s.representative, "GET", f"/api/v1/tasks/{second['id']}"))
    await api.ok(s.representative, "POST", f"/api/v1/tasks/{second['id']}/decline", {"reason": "人手不够"})
    assert not _sees(await api.ok(s.representative, "GET", f"/api/v1/tasks/{second['id']}"))

    # Open311 lists no personal need.
    listed = (await api.client.get(f"/open311/v2/requests.json?jurisdiction_id={s.community}")).json()
    assert need_id not in [row["service_request_id"] for row in listed]


async def test_a_personal_needs_contact_is_its_resident_unless_it_names_another(api):
    s = api.street
    own = await need(api, address=ADDRESS, preferred_time="工作日晚上")
    assert own["contact"] == {"name": "王阿姨", "phone": s.phones[s.resident]}
    assert own["where"] == {"area_id": str(s.unit), "area_names": NAMES, "address": ADDRESS}


async def test_a_common_needs_contact_is_its_grid_leader_or_the_duty_phone_never_who_reported_it(api):
    s = api.street
    in_grid = await need(api, s.neighbour, scope="common", description="楼道灯坏了", address="2单元门口")
    shown = await api.ok(s.staff, "GET", f"/api/v1/needs/{in_grid['id']}")
    assert shown["contact"] == {"name": "网格长", "phone": s.phones[s.leader]}
    assert shown["where"]["address"] == "2单元门口" and shown["resident_id"] == str(s.neighbour)
    joined = await api.ok(s.resident, "POST", f"/api/v1/needs/{in_grid['id']}/join")
    assert joined["contact"] is None and "address" not in joined["where"]  # a neighbour: the names only
    assert joined["where"]["area_names"] == ["幸福里社区", "第一网格", "1号楼", "2单元"]

    # A community-wide need has no grid: the community's duty phone, once it has one.
    wide = await need(api, scope="common", description="小区东门积水", area_id=str(s.community))
    assert wide["contact"] is None
    await set_duty_phone(s.community, "0431-8888 6666")
    again = await api.ok(s.staff, "GET", f"/api/v1/needs/{wide['id']}")
    assert again["contact"] == {"name": "幸福里社区", "phone": "0431-8888 6666"}
    assert again["where"] == {"area_id": str(s.community), "area_names": ["幸福里社区"]}


async def test_a_work_order_that_cannot_be_kept_is_refused_with_its_field_and_writes_nothing(api):
    s = api.street
    before = await counts(api)
    cases = [
        ({"scope": "common", "contact_name": "我", "contact_phone": "13900000000"}, "contact_name"),
        ({"contact_name": "女儿"}, "contact_phone"),
        ({"contact_name": "女儿", "contact_phone": "请打我电话"}, "contact_phone"),
        ({"address": "楼" * 101}, "address"),
        ({"preferred_time": 9}, "preferred_time"),
    ]
    for extra, field in cases:
        body = {"category": "care.meals", "description": "需要帮助", **extra}
        response = await api.post(s.resident, "/api/v1/needs", json=body)
        assert response.status_code == 400, (extra, response.text)
        assert response.json()["fields"][0]["field"] == field, response.json()
    english = await api.post(
        s.resident,
        "/api/v1/needs",
        json={"category": "care.meals", "description": "x", "contact_name": "A"},
        language="en",
    )
    assert english.json()["message"] == "Please fill in the contact's phone."
    assert await counts(api) == before


@pytest.mark.filterwarnings("ignore:If running sessions in production")
async def test_an_admin_sets_a_communitys_duty_phone_in_the_admin(api):
    from tests.api.test_admin import _signed_in

    s = api.street
    wide = await need(api, scope="common", description="小区东门积水", area_id=str(s.community))
    response, headers = await _signed_in(api, s.admin)
    assert response.status_code in (200, 303), response.text
    changed = await api.client.patch(
        f"/admin/api/tables/projects_area/{s.community}/",
        json={"duty_phone": "0431-8555 0101"},
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    shown = await api.ok(s.staff, "GET", f"/api/v1/needs/{wide['id']}")
    assert shown["contact"] == {"name": "幸福里社区", "phone": "0431-8555 0101"}
