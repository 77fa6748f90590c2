"""Notifications through the real app: written with the change they tell of, for those it
concerns and never its actor, read as plain sentences in the reader's language, counted unread
and marked read; PATCH /me; registration and approval; a staff reset of a password."""

from __future__ import annotations

from projects.notification_tables import Delivery, Notification
from tests.api.helpers import triaged_need, worked


async def _submitted(api, volunteer):
    need = await triaged_need(api, description="楼道灯不亮，晚上看不清")
    task = await api.ok(
        api.street.staff,
        "POST",
        "/api/v1/tasks",
        {"need_id": need["id"], "title": "修理楼道灯", "capacity": 1},
        201,
    )
    claim = await api.ok(volunteer, "POST", f"/api/v1/tasks/{task['id']}/claims", status=201)
    await worked(api, volunteer, claim["id"], 30)
    return need, task, claim


async def test_the_resident_is_told_in_a_plain_sentence_who_did_what_to_which_item(api):
    s = api.street
    volunteer = s.volunteers[4]
    need, task, claim = await _submitted(api, volunteer)

    told = await api.ok(s.resident, "GET", "/api/v1/me/notifications")
    texts = [item["text"] for item in told["items"]]
    assert texts[0] == "志愿者4 已完成「修理楼道灯」，请确认。"
    assert told["items"][0]["link"] == f"/needs/{need['id']}" and told["items"][0]["read"] is False
    assert "社区工作者 已受理您的需求「楼道灯不亮，晚上看不清」，将尽快办理。" in texts
    assert "您的需求「楼道灯不亮，晚上看不清」已分派给 接单大厅的志愿者。" in texts
    assert not any("→" in text or "submitted" in text or "in_progress" in text for text in texts)
    assert told["unread"] == len(texts) and told["next_cursor"] is None
    english = (await api.get(s.resident, "/api/v1/me/notifications", language="en")).json()
    assert english["items"][0]["text"] == '志愿者4 has finished "修理楼道灯": please confirm.'
    # Nobody is told of what they did themself.
    mine = await api.ok(volunteer, "GET", "/api/v1/me/notifications")
    assert mine["items"] == [] and mine["unread"] == 0
    assert await Notification.count().where(Notification.member == Notification.actor) == 0

    # Confirming tells the volunteer, with the points.
    await api.ok(s.resident, "POST", f"/api/v1/claims/{claim['id']}/confirm")
    told = await api.ok(volunteer, "GET", "/api/v1/me/notifications?unread=true")
    assert told["items"][0]["text"] == "王阿姨 确认了您在「修理楼道灯」中的服务，8 积分已入账。"
    assert told["items"][0]["link"] == f"/claims/{claim['id']}"


async def test_marking_read_one_or_all_lowers_the_unread_count(api):
    s = api.street
    await _submitted(api, s.volunteers[4])
    before = await api.ok(s.resident, "GET", "/api/v1/me/notifications")
    first = before["items"][0]["id"]
    marked = await api.ok(s.resident, "POST", "/api/v1/me/notifications/read", {"ids": [first]})
    assert marked == {"marked": 1, "unread": before["unread"] - 1}
    unread = await api.ok(s.resident, "GET", "/api/v1/me/notifications?unread=true")
    assert first not in [item["id"] for item in unread["items"]]
    # Someone else's notification is not mine to mark.
    others = await Notification.select(Notification.id).where(Notification.member != s.resident).first()
    if others:
        again = await api.ok(s.leader, "POST", "/api/v1/me/notifications/read", {"ids": [str(others["id"])]})
        assert again["marked"] == 0
    everything = await api.ok(s.resident, "POST", "/api/v1/me/notifications/read", {})
    assert everything["unread"] == 0 and everything["marked"] == before["unread"] - 1
    bad = await api.post(s.resident, "/api/v1/me/notifications/read", {"ids": ["abc"]})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_input" and "abc" in bad.json()["message"]


async def test_a_member_chooses_email_and_deliveries_are_written_with_each_notification(api):
    s = api.street
    no_address = await api.call(s.resident, "PATCH", "/api/v1/me", {"channels": ["email"]})
    assert no_address.status_code == 400 and no_address.json()["fields"][0]["field"] == "email"
    wrong = await api.call(s.resident, "PATCH", "/api/v1/me", {"email": "not an address"})
    assert wrong.status_code == 400 and "not an address" in wrong.json()["message"]
    unknown = await api.call(s.resident, "PATCH", "/api/v1/me", {"channels": ["pigeon"]})
    assert unknown.status_code == 400
    me = await api.ok(
        s.resident, "PATCH", "/api/v1/me", {"email": "wang@example.org", "channels": ["email"], "lang": "en"}
    )
    assert (me["email"], me["channels"], me["lang"], me["name"]) == (
        "wang@example.org",
        ["email"],
        "en",
        "王阿姨",
    )
    renamed = await api.ok(s.resident, "PATCH", "/api/v1/me", {"name": "王秀兰"})
    assert renamed["name"] == "王秀兰" and renamed["email"] == "wang@example.org"

    await _submitted(api, s.volunteers[4])
    rows = await Delivery.select(Delivery.channel, Delivery.notification.member.as_alias("member"))
    assert rows and all(row["member"] == s.resident and row["channel"] == "email" for row in rows)
    told = await api.ok(s.resident, "GET", "/api/v1/me/notifications")
    assert told["items"][0]["text"] == "志愿者4 已完成「修理楼道灯」，请确认。"  # the request's language


async def test_a_resident_registers_waits_for_approval_and_then_orders(api):
    s = api.street
    units = (await api.client.get(f"/api/v1/registrations/units?community={s.community}")).json()
    assert {unit["id"] for unit in units} >= {str(s.unit), str(s.unit2)}
    registered = await api.client.post(
        "/api/v1/registrations",
        json={"phone": "13912345678", "name": "赵新", "password": "new-home-1", "unit_id": str(s.unit)},
    )
    assert registered.status_code == 201 and registered.json()["status"] == "pending"
    newcomer = registered.json()["member_id"]
    api.street.phones[int(newcomer)] = "13912345678"
    api.tokens[int(newcomer)] = (
        await api.client.post("/api/v1/auth/token", json={"phone": "13912345678", "password": "new-home-1"})
    ).json()["token"]

    me = await api.ok(int(newcomer), "GET", "/api/v1/me")
    assert me["pending"] is True and me["roles"] == []
    refused = await api.post(
        int(newcomer), "/api/v1/needs", {"category": "care.meals", "description": "送饭", "scope": "personal"}
    )
    assert refused.status_code == 403 and refused.json()["code"] == "registration_pending"
    assert (await api.ok(int(newcomer), "GET", "/api/v1/me/registration"))["status"] == "pending"

    # The grid leader is told and approves; a neighbour may not.
    told = await api.ok(s.leader, "GET", "/api/v1/me/notifications")
    assert told["items"][0]["text"] == "赵新 登记为1单元的居民，等待您的审核。"
    waiting = await api.ok(s.leader, "GET", "/api/v1/registrations")
    assert [item["name"] for item in waiting] == ["赵新"]
    registration = waiting[0]["id"]
    assert (await api.post(s.neighbour, f"/api/v1/registrations/{registration}/approve")).status_code == 404
    approved = await api.ok(s.leader, "POST", f"/api/v1/registrations/{registration}/approve")
    assert approved["status"] == "approved"
    again = await api.post(s.staff, f"/api/v1/registrations/{registration}/approve")
    assert again.status_code == 409

    me = await api.ok(int(newcomer), "GET", "/api/v1/me")
    assert me["pending"] is False and me["roles"] == ["resident"] and me["home_area_id"] == str(s.unit)
    await api.ok(
        int(newcomer),
        "POST",
        "/api/v1/needs",
        {"category": "care.meals", "description": "送饭", "scope": "personal"},
        201,
    )
    told = await api.ok(int(newcomer), "GET", "/api/v1/me/notifications")
    assert told["items"][-1]["text"] == "网格长 通过了您的登记，欢迎！"


async def test_staff_reset_a_password_and_the_member_must_change_it_first(api):
    s = api.street
    assert (await api.post(s.leader, f"/api/v1/members/{s.resident}/password-reset")).status_code == 404
    reset = await api.ok(s.staff, "POST", f"/api/v1/members/{s.resident}/password-reset")
    temporary = reset["temporary_password"]
    assert len(temporary) == 10
    old = await api.client.post(
        "/api/v1/auth/token", json={"phone": s.phones[s.resident], "password": "linli-demo"}
    )
    assert old.status_code == 401
    token = (
        await api.client.post(
            "/api/v1/auth/token", json={"phone": s.phones[s.resident], "password": temporary}
        )
    ).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    blocked = await api.client.get("/api/v1/me/statement", headers=headers)
    assert blocked.status_code == 403 and blocked.json()["code"] == "password_change_required"
    wrong = await api.client.post(
        "/api/v1/me/password",
        json={"old_password": "guess-guess", "new_password": "a-new-one-1"},
        headers=headers,
    )
    assert wrong.status_code == 400 and wrong.json()["fields"][0]["field"] == "old_password"
    changed = await api.client.post(
        "/api/v1/me/password",
        json={"old_password": temporary, "new_password": "a-new-one-1"},
        headers=headers,
    )
    assert changed.status_code == 204
    assert (await api.client.get("/api/v1/me/statement", headers=headers)).status_code == 200
    told = await api.client.get("/api/v1/me/notifications", headers=headers)
    assert "社区工作者 重置了您的密码" in told.json()["items"][0]["text"]
