"""三评 published through the API: residents rate their three leaders once a quarter, staff publish
a quarter once it has ended, the published figures stay as they were, groups of fewer than 5
show nothing, and the year's honours pay their bonus from the community's issuer."""

from __future__ import annotations

from datetime import timedelta

from projects import members
from tests.api.helpers import refused, triaged_need, worked
from tests.web.test_app import fetch_value


async def _leaders(api):
    """A building leader and a unit leader beside the grid leader; the raters: residents of unit 1."""
    s = api.street
    now = api.clock()
    await members.grant_role(s.volunteers[1], s.building, "leader", now=now)
    await members.grant_role(s.volunteers[3], s.unit, "leader", now=now)
    raters = [s.resident, *s.volunteers[4::2][:6]]  # all in unit 1
    return raters


async def _rated_service(api, raters, score=4):
    """A common need of ``raters[0]`` that the others joined, done by a volunteer and rated by all."""
    s = api.street
    need = await triaged_need(api, scope="common", category="environment.cleaning", resident=raters[0])
    for neighbour in raters[1:]:
        await api.ok(neighbour, "POST", f"/api/v1/needs/{need['id']}/join")
    task = await api.ok(
        s.staff,
        "POST",
        "/api/v1/tasks",
        {"need_id": need["id"], "title": "清理楼道", "capacity": 1},
        status=201,
    )
    claim = await api.ok(s.volunteers[0], "POST", f"/api/v1/tasks/{task['id']}/claims", status=201)
    await worked(api, s.volunteers[0], claim["id"], 60)
    await api.ok(raters[0], "POST", f"/api/v1/claims/{claim['id']}/confirm")
    for rater in raters:
        await api.ok(rater, "POST", f"/api/v1/claims/{claim['id']}/rating", {"score": score}, status=201)


async def test_leaders_are_rated_once_a_quarter_and_published_after_it_ends_frozen(api):
    s = api.street
    raters = await _leaders(api)
    mine = await api.ok(s.resident, "GET", "/api/v1/me/leaders")
    assert [(leader["level"], leader["leader_name"], leader["score"]) for leader in mine] == [
        ("unit", "志愿者3", None),
        ("building", "志愿者1", None),
        ("grid", "网格长", None),
    ]
    for number, rater in enumerate(raters):
        await api.ok(
            rater, "POST", f"/api/v1/me/leaders/{s.grid}/rating", {"score": 5 - number % 2}, status=201
        )
    for rater in raters[:3]:
        await api.ok(rater, "POST", f"/api/v1/me/leaders/{s.building}/rating", {"score": 2}, status=201)
    await refused(
        api,
        s.resident,
        "POST",
        f"/api/v1/me/leaders/{s.grid}/rating",
        {"score": 3},
        status=409,
        code="already_rated",
    )
    await refused(
        api,
        s.outsider,
        "POST",
        f"/api/v1/me/leaders/{s.grid}/rating",
        {"score": 3},
        status=404,
        code="not_found",
    )
    await refused(
        api,
        s.volunteers[1],
        "POST",
        f"/api/v1/me/leaders/{s.building}/rating",
        {"score": 5},
        status=403,
        code="own_work",
    )
    await _rated_service(api, raters, score=4)
    assert (await api.ok(s.resident, "GET", "/api/v1/me/leaders"))[2]["score"] == 5

    url = f"/api/v1/communities/{s.community}/evaluations"
    early = await api.post(s.staff, url, {"period": "2026Q4"})
    assert early.status_code == 409 and "2027-01-01" in early.json()["message"]
    await refused(api, s.resident, "POST", url, {"period": "2026Q3"}, status=403, code="not_allowed")
    api.clock.advance(days=31)  # 2027-01-01 17:00 in China: the quarter has ended
    api.tokens.clear()  # the month-old sign-ins have expired
    published = await api.ok(s.staff, "POST", url, {"period": "2026Q4"}, status=201)
    await refused(api, s.staff, "POST", url, {"period": "2026Q4"}, status=409, code="conflict")

    public = await api.ok(None, "GET", f"{url}/2026Q4")
    assert public == published
    grid = next(leader for leader in public["leaders"] if leader["level"] == "grid")
    # 7 raters: 5, 4, 5, 4, 5, 4, 5 -> 32 / 7 = 4.57, all satisfied.
    assert grid["name"] == "网格长" and grid["rated"] == {
        "ratings": 7,
        "average": "4.57",
        "satisfaction": 1.0,
    }
    building = next(leader for leader in public["leaders"] if leader["level"] == "building")
    assert building["rated"] == {"ratings": None, "average": None, "satisfaction": None}  # 3 < 5
    assert public["services"] == {"ratings": 7, "average": "4.00", "satisfaction": 1.0}
    assert public["categories"] == [
        {"category": "environment", "ratings": 7, "average": "4.00", "satisfaction": 1.0}
    ]
    assert "王阿姨" not in str(public)  # no resident is named
    assert [p["period"] for p in await api.ok(None, "GET", url)] == ["2026Q4"]
    assert (await api.get(None, f"{url}/2026Q3")).status_code == 404

    # Ratings made now belong to 2027Q1: the published quarter does not move.
    for rater in raters[:5]:
        await api.ok(rater, "POST", f"/api/v1/me/leaders/{s.building}/rating", {"score": 1}, status=201)
    assert await api.ok(None, "GET", f"{url}/2026Q4") == published
    # And the database itself refuses to edit published figures.
    refused_edit = False
    try:
        await fetch_value(api.database_url, "UPDATE projects_evaluation_figure SET ratings = 99")
    except Exception as error:  # noqa: BLE001 - sqlite3 or asyncpg, both say why
        refused_edit = "frozen" in str(error)
    assert refused_edit
    assert await api.ok(None, "GET", f"{url}/2026Q4") == published


async def test_the_year_ranks_from_published_quarters_and_honours_pay_a_bonus_once(api):
    s = api.street
    raters = await _leaders(api)
    for rater in raters:
        await api.ok(rater, "POST", f"/api/v1/me/leaders/{s.grid}/rating", {"score": 4}, status=201)
        await api.ok(rater, "POST", f"/api/v1/me/leaders/{s.unit}/rating", {"score": 5}, status=201)
    api.clock.advance(days=31)
    api.tokens.clear()
    await api.ok(
        s.staff, "POST", f"/api/v1/communities/{s.community}/evaluations", {"period": "2026Q4"}, status=201
    )
    ranking = await api.ok(None, "GET", f"/api/v1/communities/{s.community}/rankings/2026")
    assert ranking["quarters"] == ["2026Q4"]
    assert [(entry["rank"], entry["name"], entry["figures"]["average"]) for entry in ranking["leaders"]] == [
        (1, "志愿者3", "5.00"),
        (2, "网格长", "4.00"),
        (None, "志愿者1", None),
    ]
    url = f"/api/v1/communities/{s.community}/recognitions"
    unranked = await api.post(s.staff, url, {"year": 2026, "leader_id": str(s.volunteers[1])})
    assert unranked.status_code == 409
    await refused(
        api,
        s.resident,
        "POST",
        url,
        {"year": 2026, "leader_id": str(s.volunteers[3])},
        status=403,
        code="not_allowed",
    )
    before = await api.ok(s.volunteers[3], "GET", "/api/v1/me")
    granted = await api.ok(
        s.staff,
        "POST",
        url,
        {"year": 2026, "leader_id": str(s.volunteers[3]), "note": "全年满分", "bonus_points": 50},
        status=201,
    )
    assert (granted["title"], granted["bonus_points"], granted["name"]) == ("best_unit_leader", 50, "志愿者3")
    assert granted["transfer_id"] == f"recognition:{s.community}:2026:leader:{s.volunteers[3]}"
    after = await api.ok(s.volunteers[3], "GET", "/api/v1/me")
    assert after["balance"]["posted"] == before["balance"]["posted"] + 50
    await refused(
        api,
        s.staff,
        "POST",
        url,
        {"year": 2026, "leader_id": str(s.volunteers[3])},
        status=409,
        code="conflict",
    )
    reason = await fetch_value(
        api.database_url, f"SELECT reason FROM ledger_transfer WHERE id = '{granted['transfer_id']}'"
    )
    assert reason == "recognition"
    assert [r["name"] for r in await api.ok(None, "GET", url)] == ["志愿者3"]
    api.clock.now -= timedelta(days=40)  # back in 2026: the year has not ended
    await refused(
        api, s.staff, "POST", url, {"year": 2026, "leader_id": str(s.leader)}, status=409, code="conflict"
    )


async def test_a_bonus_over_the_threshold_waits_for_a_second_staff_member_who_did_not_grant_it(api):
    s = api.street
    for rater in await _leaders(api):
        await api.ok(rater, "POST", f"/api/v1/me/leaders/{s.unit}/rating", {"score": 5}, status=201)
    api.clock.advance(days=31)
    api.tokens.clear()
    await api.ok(
        s.staff, "POST", f"/api/v1/communities/{s.community}/evaluations", {"period": "2026Q4"}, status=201
    )
    url = f"/api/v1/communities/{s.community}/recognitions"
    before = (await api.ok(s.volunteers[3], "GET", "/api/v1/me"))["balance"]["posted"]
    body = {"year": 2026, "leader_id": str(s.volunteers[3]), "bonus_points": 101}  # over 100
    waiting = await api.ok(s.staff, "POST", url, body, status=201)
    assert (waiting["status"], waiting["transfer_id"], waiting["may_approve"]) == (
        "awaiting_approval",
        None,
        False,
    )
    assert (await api.ok(s.volunteers[3], "GET", "/api/v1/me"))["balance"]["posted"] == before
    told = await api.ok(s.street_staff, "GET", "/api/v1/me/notifications")
    assert told["items"][0]["text"].endswith("101奖励积分，需另一位工作人员审核。")
    approve = f"/api/v1/recognitions/{waiting['id']}/approve"
    for member, status, code in (
        (s.staff, 403, "not_allowed"),  # who granted it
        (s.volunteers[3], 403, "not_allowed"),
        (s.other_staff, 403, "not_allowed"),
    ):
        await refused(api, member, "POST", approve, status=status, code=code)
    listed = await api.ok(s.street_staff, "GET", url)
    assert [(r["id"], r["may_approve"]) for r in listed] == [(waiting["id"], True)]
    assert (await api.ok(None, "GET", url))[0]["may_approve"] is False
    approved = await api.ok(s.street_staff, "POST", approve)
    assert (approved["status"], approved["approved_by_id"]) == ("granted", str(s.street_staff))
    assert approved["transfer_id"] == f"recognition:{s.community}:2026:leader:{s.volunteers[3]}"
    assert (await api.ok(s.volunteers[3], "GET", "/api/v1/me"))["balance"]["posted"] == before + 101
    told = await api.ok(s.volunteers[3], "GET", "/api/v1/me/notifications")
    assert told["items"][0]["text"].endswith("审核通过了您2026年度的101奖励积分。")
    await refused(api, s.district_staff, "POST", approve, status=409, code="wrong_state")  # issued once
    history = await api.ok(None, "GET", f"/api/v1/recognitions/{waiting['id']}/history")
    assert [(h["action"], h["to_state"], h["actor_id"]) for h in history] == [
        ("grant", "awaiting_approval", str(s.staff)),
        ("approve", "granted", str(s.street_staff)),
    ]
