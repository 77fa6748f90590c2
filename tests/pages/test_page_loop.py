"""The loop through the pages, as each role would use it, and every refusal a form can meet:
a wrong form comes back (400) with the input kept and the error beside its field; a refused
action answers 403, 404 or 409 with its message, in the reader's language."""

from __future__ import annotations

import re

from tests.pages.conftest import refused, worked


def new_id(response, kind: str) -> int:
    return int(re.fullmatch(rf"/{kind}/(\d+)", response.headers["location"]).group(1))


async def report(site, browser, description="每天中午需要送餐", category="care.meals", scope="personal"):
    response = await browser.post(
        "/needs", {"category": category, "description": description, "scope": scope}
    )
    assert response.status_code == 303, response.text[:2000]
    return new_id(response, "needs")


async def test_the_loop_from_ordering_to_points_through_the_pages(site):
    s = site.street
    resident = await site.signed_in(s.resident)
    menu = await resident.get("/needs/new")
    assert "助老助残" in menu.text and "/needs/new?category=care.meals" in menu.text
    form = await resident.get("/needs/new?category=care.meals")
    assert 'option value="care.meals" selected' in form.text
    need = await report(site, resident)
    page = await resident.get(f"/needs/{need}")
    assert "每天中午需要送餐" in page.text and 'class="state new"' in page.text

    staff = await site.signed_in(s.staff)
    desk = await staff.get("/desk")
    assert f"/needs/{need}" in desk.text
    graded = await staff.post(f"/desk/needs/{need}/triage", {"action": "grade", "grade": "A"})
    assert graded.status_code == 303
    dispatched = await staff.post(
        f"/desk/needs/{need}/dispatch",
        {"title": "送午餐", "assignee": "pool", "capacity": "1", "points_per_hour": "15"},
    )
    task = new_id(dispatched, "tasks")
    assert "任务已发布到接单大厅" in (await staff.follow(dispatched)).text

    volunteer = await site.signed_in(s.volunteers[3])
    tasks = await volunteer.get("/tasks?category=care")
    assert f"/tasks/{task}" in tasks.text and "送午餐" in tasks.text
    claimed = await volunteer.post(f"/tasks/{task}/claim")
    claim = new_id(claimed, "claims")
    assert (await volunteer.post(f"/claims/{claim}/check-in")).status_code == 303
    site.clock.advance(hours=2)
    submitted = await volunteer.post(f"/claims/{claim}/submit", {"minutes": "120", "note": "送到了"})
    assert "服务时长已提交" in (await volunteer.follow(submitted)).text

    # The resident reads it in a plain sentence that leads to their need, and it counts as read.
    home = await resident.get("/")
    assert re.search(r'id="unread"[^>]*>[^<]*\d+ 条未读', home.text)
    notes = await resident.get("/notifications")
    assert "志愿者3 已完成「送午餐」，请确认。" in notes.text and f'href="/needs/{need}"' in notes.text
    assert "→" not in notes.text and "submitted" not in notes.text
    assert 'aria-label="0 条未读通知">0 条未读</a>' in (await resident.get("/notifications")).text
    page = await resident.get(f"/needs/{need}")
    assert f'action="/claims/{claim}/confirm"' in page.text
    confirmed = await resident.post(f"/claims/{claim}/confirm", {"next": f"/needs/{need}"})
    assert confirmed.headers["location"] == f"/needs/{need}"
    assert "30 积分已存入志愿者3的账户" in (await resident.follow(confirmed)).text
    rated = await resident.post(
        f"/claims/{claim}/rate", {"score": "5", "comment": "很好", "next": f"/needs/{need}"}
    )
    assert rated.status_code == 303

    points = await volunteer.get("/points")
    assert re.search(r'id="available">30<', points.text)
    ratings = await volunteer.get("/ratings")
    assert "★★★★★" in ratings.text and "很好" in ratings.text
    english = await site.signed_in(s.volunteers[3], language="en")
    statement = await english.get("/points")
    assert "What happened to my points" in statement.text and "送午餐" in statement.text


async def test_a_need_without_a_description_comes_back_with_the_category_kept(site):
    resident = await site.signed_in(site.street.resident)
    response = await resident.post(
        "/needs", {"category": "care.meals", "description": "  ", "scope": "personal"}
    )
    assert response.status_code == 400
    assert 'option value="care.meals" selected' in response.text
    assert re.search(r'id="description-error">请填写描述', response.text)
    assert 'aria-invalid="true" aria-describedby="description-error"' in response.text
    unknown = await resident.post(
        "/needs", {"category": "no.such", "description": "帮忙", "scope": "personal"}
    )
    assert unknown.status_code == 400 and 'id="category-error"' in unknown.text and "帮忙" in unknown.text


async def test_wrong_dispatch_minutes_dispute_and_rating_forms_come_back_with_their_errors(site):
    s = site.street
    resident = await site.signed_in(s.resident, language="en")
    need = await report(site, resident)
    staff = await site.signed_in(s.staff, language="en")
    await staff.post(f"/desk/needs/{need}/triage", {"action": "grade", "grade": "B"})
    bad = await staff.post(f"/desk/needs/{need}/dispatch", {"title": "", "assignee": "pool", "capacity": "0"})
    assert bad.status_code == 400
    assert 'id="title-error">Please fill in the title.' in bad.text
    assert 'id="capacity-error">Enter a whole number from 1 to 1000.' in bad.text
    nobody = await staff.post(
        f"/desk/needs/{need}/dispatch",
        {"title": "送餐", "assignee": "member", "member_phone": "13999999999", "capacity": "1"},
    )
    assert (
        nobody.status_code == 400
        and "Nobody is registered with the mobile number 13999999999." in nobody.text
    )
    assert 'value="送餐"' in nobody.text
    no_grade = await staff.post(f"/desk/needs/{need}/progress", {"note": ""})
    assert no_grade.status_code == 400 and 'id="note-error"' in no_grade.text

    dispatched = await staff.post(
        f"/desk/needs/{need}/dispatch", {"title": "送餐", "assignee": "pool", "capacity": "1"}
    )
    task = new_id(dispatched, "tasks")
    volunteer = await site.signed_in(s.volunteers[1], language="en")
    claim = new_id(await volunteer.post(f"/tasks/{task}/claim"), "claims")
    await volunteer.post(f"/claims/{claim}/check-in")
    site.clock.advance(minutes=45)
    minutes = await volunteer.post(f"/claims/{claim}/submit", {"minutes": "lots", "note": "done"})
    assert minutes.status_code == 400
    assert 'id="minutes-error">Enter a whole number from 1 to 1440.' in minutes.text
    assert ">done</textarea>" in minutes.text
    # No more minutes than have passed since checking in.
    early = await volunteer.post(f"/claims/{claim}/submit", {"minutes": "60", "note": "done"})
    assert early.status_code == 400
    assert 'id="minutes-error">You checked in 45 minutes ago: report at most that many minutes.' in early.text
    assert ">done</textarea>" in early.text
    await worked(site, volunteer, claim, 60)
    dispute = await resident.post(f"/claims/{claim}/dispute", {"reason": ""})
    assert dispute.status_code == 400 and 'id="reason-error">Please fill in the reason.' in dispute.text
    await resident.post(f"/claims/{claim}/confirm")
    rating = await resident.post(f"/claims/{claim}/rate", {"score": "9", "comment": "ok"})
    assert rating.status_code == 400 and 'id="score-error">Enter a whole number from 1 to 5.' in rating.text
    assert 'value="ok"' in rating.text


async def test_refused_actions_answer_with_their_status_and_message(site):
    s = site.street
    resident = await site.signed_in(s.resident)
    need = await report(site, resident)
    # A resident may not triage: 403, in Chinese, back on the need's page.
    triage = await resident.post(f"/desk/needs/{need}/triage", {"action": "grade", "grade": "A"})
    page = await refused(resident, triage, 403, "您无权进行此操作")
    assert "每天中午需要送餐" in page.text and 'href="/needs/new"' in page.text  # the need, the menu
    desk = await resident.get("/desk")
    assert desk.status_code == 403 and 'href="/needs/new"' in desk.text and 'href="/"' in desk.text
    staff = await site.signed_in(s.staff)
    await staff.post(f"/desk/needs/{need}/triage", {"action": "grade", "grade": "A"})
    task = new_id(
        await staff.post(
            f"/desk/needs/{need}/dispatch", {"title": "送餐", "assignee": "pool", "capacity": "1"}
        ),
        "tasks",
    )
    # Only registered volunteers claim from the open pool.
    neighbour = await site.signed_in(s.neighbour, language="en")
    await refused(
        neighbour,
        await neighbour.post(f"/tasks/{task}/claim"),
        403,
        "Only registered volunteers can claim open tasks.",
    )
    volunteer = await site.signed_in(s.volunteers[0], language="en")
    claim = new_id(await volunteer.post(f"/tasks/{task}/claim"), "claims")
    # The last place is taken: 409.
    other = await site.signed_in(s.volunteers[2], language="en")
    page = await refused(other, await other.post(f"/tasks/{task}/claim"), 409, "This task has no place left.")
    assert f'action="/tasks/{task}/claim"' not in page.text  # the task as it is now: nothing to claim
    await worked(site, volunteer, claim, 30)
    # Nobody confirms their own work.
    await refused(
        volunteer, await volunteer.post(f"/claims/{claim}/confirm"), 403, "You cannot confirm your own work."
    )
    # Withdrawing a submitted claim is a state conflict.
    await refused(
        volunteer, await volunteer.post(f"/claims/{claim}/withdraw"), 409, "you cannot withdraw it now"
    )


async def test_a_resident_never_sees_another_residents_need(site):
    s = site.street
    resident = await site.signed_in(s.resident)
    need = await report(site, resident, description="家里水管漏水")
    neighbour = await site.signed_in(s.neighbour, language="en")
    response = await neighbour.get(f"/needs/{need}")
    assert response.status_code == 404 and "家里水管漏水" not in response.text
    assert "There is no such need." in response.text
    assert (await neighbour.post(f"/needs/{need}/cancel")).status_code == 404
    assert "家里水管漏水" not in (await neighbour.get("/needs/common")).text
    # A common need is seen by neighbours without who reported it, and they may join it.
    common = await report(
        site, resident, description="楼道灯坏了", scope="common", category="construction.lighting"
    )
    listed = await neighbour.get("/needs/common")
    assert f"/needs/{common}" in listed.text
    joined = await neighbour.post(f"/needs/{common}/join")
    assert joined.status_code == 303
    await refused(
        neighbour, await neighbour.post(f"/needs/{common}/join"), 409, "You have already joined this need."
    )
