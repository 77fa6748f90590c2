"""Supervision (督办), escalation and hand-down that work: overdue is supervised, not taken away;
notices are answered by the holder's progress report or fall overdue in turn; escalation is
deliberate; a need handed down may be returned; a grid's leader handles small things."""

from __future__ import annotations

from datetime import timedelta

from projects.sweep import sweep
from tests.api.helpers import need, refused, triaged_need, worked


def allowed(item: dict) -> set[str]:
    return {name.removeprefix("may_") for name, value in item.items() if name.startswith("may_") and value}


def later(api, **delta) -> str:
    return (api.clock() + timedelta(**delta)).isoformat()


async def test_an_overdue_need_shows_on_every_board_above_its_holder_and_a_notice_is_answered(api):
    s = api.street
    created = await need(api)
    await sweep(now=api.clock.advance(hours=25))
    for member in (s.street_staff, s.district_staff):
        board = await api.ok(member, "GET", "/api/v1/supervision")
        [item] = board["items"]
        assert (item["need_id"], item["handling_area_id"], item["overdue"]) == (
            created["id"],
            str(s.community),
            True,
        )
        assert item["holder"] == "幸福里社区" and item["escalations"] == 0
    assert (await api.ok(s.staff, "GET", "/api/v1/supervision"))["items"] == []  # its own level: the desk
    await refused(api, s.resident, "GET", "/api/v1/supervision", status=403, code="not_allowed")

    # The street pushes the holder; the need's deadline does not move.
    body = {"note": "请三日内答复处理进展", "answer_by": later(api, days=3)}
    notice = await api.ok(
        s.street_staff, "POST", f"/api/v1/needs/{created['id']}/supervise", body, status=201
    )
    assert (notice["area_id"], notice["answered_at"]) == (str(s.street), None)
    read = await api.ok(s.staff, "GET", f"/api/v1/needs/{created['id']}")
    assert read["deadline"] == created["deadline"] and "supervise" not in allowed(read)
    pushed = (await api.ok(s.staff, "GET", "/api/v1/me/notifications"))["items"][0]
    assert "督办需求" in pushed["text"] and "请三日内答复处理进展" in pushed["text"]
    resident_told = await api.ok(s.resident, "GET", "/api/v1/me/notifications")
    assert not any("督办" in item["text"] for item in resident_told["items"])  # a push on the holder
    await refused(
        api, s.staff, "POST", f"/api/v1/needs/{created['id']}/supervise", body, status=403, code="not_allowed"
    )
    # The holder answers by reporting progress; a report by anyone else answers nothing.
    await api.ok(s.leader, "POST", f"/api/v1/needs/{created['id']}/progress", {"note": "网格长已上门了解"})
    assert (await api.ok(s.street_staff, "GET", f"/api/v1/needs/{created['id']}/notices"))[0][
        "answered_at"
    ] is None
    await api.ok(s.staff, "POST", f"/api/v1/needs/{created['id']}/progress", {"note": "已联系物业，明天维修"})
    [answered] = await api.ok(s.street_staff, "GET", f"/api/v1/needs/{created['id']}/notices")
    assert answered["answered_at"] is not None
    history = await api.ok(s.resident, "GET", f"/api/v1/needs/{created['id']}/history")
    assert [h["action"] for h in history][-3:] == ["supervise", "progress", "progress"]


async def test_an_unanswered_notice_falls_overdue_in_turn_and_stays_on_the_boards(api):
    s = api.street
    created = await triaged_need(api, grade="B")
    body = {"note": "请说明进展", "answer_by": later(api, days=1)}
    await api.ok(s.district_staff, "POST", f"/api/v1/needs/{created['id']}/supervise", body, status=201)
    result = await sweep(now=api.clock.advance(days=1, seconds=1))
    assert (result.notices_flagged, result.needs_flagged) == (1, 0)  # the need itself is not late
    for member in (s.street_staff, s.district_staff):
        [item] = (await api.ok(member, "GET", "/api/v1/supervision?overdue=true"))["items"]
        assert item["overdue"] is True and item["notices"][0]["overdue"] is True
    assert (await sweep(now=api.clock.advance(days=1))).notices_flagged == 0
    filtered = await api.ok(s.district_staff, "GET", f"/api/v1/supervision?grade=A&area_id={s.community}")
    assert filtered["items"] == []


async def test_escalation_moves_the_holder_up_and_the_level_above_hands_it_down_or_gets_it_back(api):
    s = api.street
    created = await need(api)
    escalated = await api.ok(
        s.staff, "POST", f"/api/v1/needs/{created['id']}/escalate", {"reason": "涉及两个社区"}
    )
    assert (escalated["handling_area_id"], escalated["escalations"]) == (str(s.street), 1)
    assert not allowed(await api.ok(s.staff, "GET", f"/api/v1/needs/{created['id']}")) & {"triage", "reject"}
    assert "hand_down" in allowed(await api.ok(s.street_staff, "GET", f"/api/v1/needs/{created['id']}"))
    # The street hands it back down to the community, with instructions and its own deadline.
    due = later(api, days=4)
    body = {"area_id": str(s.community), "note": "请社区牵头协调物业", "deadline": due}
    handed = await api.ok(s.street_staff, "POST", f"/api/v1/needs/{created['id']}/hand-down", body)
    assert (handed["handling_area_id"], handed["handed_from_id"], handed["status"]) == (
        str(s.community),
        str(s.street),
        "new",
    )
    assert handed["deadline"] == due.replace("+00:00", "Z")
    yours = (await api.ok(s.staff, "GET", "/api/v1/me/notifications"))["items"][0]["text"]
    assert "交由幸福里社区办理，请您处理" in yours
    graded = await api.ok(s.staff, "POST", f"/api/v1/needs/{created['id']}/triage", {"grade": "B"})
    assert graded["deadline"] == due.replace("+00:00", "Z")  # the hand-down's deadline holds
    wrong = {**body, "area_id": str(s.other_community)}
    await refused(
        api,
        s.staff,
        "POST",
        f"/api/v1/needs/{created['id']}/hand-down",
        wrong,
        status=400,
        code="invalid_input",
    )
    # The community may return it, with a reason: the street holds it again, to triage.
    await refused(
        api,
        s.staff,
        "POST",
        f"/api/v1/needs/{created['id']}/return",
        {"reason": ""},
        status=400,
        code="invalid_input",
    )
    returned = await api.ok(
        s.staff, "POST", f"/api/v1/needs/{created['id']}/return", {"reason": "超出社区职权"}
    )
    assert (returned["handling_area_id"], returned["handed_from_id"], returned["status"]) == (
        str(s.street),
        None,
        "new",
    )
    # Handed down to the grid this time: its leader holds it, and may take it on or pass it up.
    grid_body = {"area_id": str(s.grid), "note": "请网格长上门处理", "deadline": later(api, days=2)}
    await api.ok(s.street_staff, "POST", f"/api/v1/needs/{created['id']}/hand-down", grid_body)
    assert {"take", "escalate", "return"} <= allowed(
        await api.ok(s.leader, "GET", f"/api/v1/needs/{created['id']}")
    )
    history = await api.ok(s.resident, "GET", f"/api/v1/needs/{created['id']}/history")
    assert [h["action"] for h in history] == [
        "report",
        "escalate",
        "hand_down",
        "triage",
        "return",
        "hand_down",
    ]


async def test_a_grid_leader_takes_a_small_thing_on_and_the_resident_confirms_it(api):
    s = api.street
    created = await need(api)  # in the leader's grid
    assert "take" in allowed(await api.ok(s.leader, "GET", f"/api/v1/needs/{created['id']}"))
    taken = await api.ok(s.leader, "POST", f"/api/v1/needs/{created['id']}/take")
    assert (taken["status"], taken["handling_area_id"]) == ("in_progress", str(s.grid))
    [claim] = (await api.ok(s.leader, "GET", "/api/v1/claims"))["items"]
    assert claim["status"] == "claimed"
    claim = await worked(api, s.leader, claim["id"], 40, note="已帮老人换好灯泡")
    confirmed = await api.ok(s.resident, "POST", f"/api/v1/claims/{claim['id']}/confirm")
    assert confirmed["status"] == "confirmed"
    done = await api.ok(s.resident, "GET", f"/api/v1/needs/{created['id']}")
    assert done["status"] == "done"
    # It counts in the leader's own record of the year, beside what residents say of them.
    from projects.areas import get_area
    from projects.recognition import taken_on

    assert await taken_on((await get_area(s.community)).path, 2026) == {s.leader: (1, 1)}
    # Another grid's need is not theirs to take.
    other = await need(api, resident=s.outsider)
    await refused(api, s.leader, "POST", f"/api/v1/needs/{other['id']}/take", status=404, code="not_found")
