"""Accounts and notifications through the pages: the header's unread count, opening the list
and the button that marks all read; the profile (email, channels, language, password with the
old one, other sessions signed out); registering, waiting, being approved; a staff reset; an
admin's group outlet."""

from __future__ import annotations

import html
import re

from projects.notification_tables import Outlet
from tests.pages.conftest import refused

UNREAD = re.compile(r'id="unread"[^>]*>(\d+) 条未读<')


async def _unread(browser) -> int:
    return int(UNREAD.search((await browser.get("/points")).text).group(1))


async def test_the_header_counts_unread_and_the_list_marks_what_it_shows_read(site):
    s = site.street
    resident = await site.signed_in(s.resident)
    assert await _unread(resident) == 0
    staff = await site.signed_in(s.staff)
    for words in ("楼道灯不亮", "水管漏水"):
        await resident.post("/needs", {"category": "care.meals", "description": words, "scope": "personal"})
    for need in (1, 2):
        await staff.post(f"/desk/needs/{need}/triage", {"action": "grade", "grade": "B"})
    assert await _unread(resident) == 2
    shown = await resident.get("/notifications")
    assert (
        shown.text.count('<li class="unread">') == 2
        and "社区工作者 已受理您的需求「水管漏水」，将尽快办理。" in shown.text
    )
    assert UNREAD.search(shown.text).group(1) == "0"  # what it shows is read now
    await staff.post("/desk/needs/1/progress", {"note": "已联系物业"})
    assert await _unread(resident) == 1
    marked = await resident.follow(await resident.post("/notifications/read"))
    assert "已将1条通知标为已读" in marked.text and UNREAD.search(marked.text).group(1) == "0"
    english = await site.signed_in(s.resident, language="en")
    listed = html.unescape((await english.get("/notifications")).text)
    assert '社区工作者 reported progress on your need "楼道灯不亮". Reason: 已联系物业' in listed


async def test_the_profile_keeps_email_channels_and_language_and_a_new_password_signs_others_out(site):
    s = site.street
    resident = await site.signed_in(s.resident)
    other = await site.signed_in(s.resident)
    no_email = await resident.post(
        "/profile", {"name": "王阿姨", "email": "", "channels": "email", "lang": "zh"}
    )
    assert (
        no_email.status_code == 400
        and 'id="email-error"' in no_email.text
        and "请先填写电子邮箱" in no_email.text
    )
    saved = await resident.post(
        "/profile", {"name": "王阿姨", "email": "wang@example.org", "channels": "email", "lang": "en"}
    )
    assert saved.status_code == 303 and 'lang="en"' not in saved.text
    page = await resident.follow(saved)
    assert "Your profile is saved." in page.text and 'value="wang@example.org"' in page.text
    assert 'value="email" checked' in page.text

    wrong = await resident.post(
        "/profile/password", {"old_password": "not-it-at-all", "new_password": "brand-new-9"}
    )
    assert wrong.status_code == 400 and 'id="old_password-error"' in wrong.text
    changed = await resident.post(
        "/profile/password", {"old_password": "linli-demo", "new_password": "brand-new-9"}
    )
    assert changed.status_code == 303
    assert (await resident.get("/points")).status_code == 200  # this session stays
    assert (await other.get("/points")).headers["location"].startswith("/login")  # the other is out


async def test_a_resident_registers_waits_and_is_approved_by_the_grid_leader(site):
    s = site.street
    newcomer = site.browser()
    form = await newcomer.get(f"/register?community={s.community}")
    assert f'<option value="{s.unit}"' in form.text and "1号楼 1单元" in form.text
    short = await newcomer.post(
        "/register",
        {
            "community": str(s.community),
            "unit_id": str(s.unit),
            "phone": "13912340000",
            "name": "赵新",
            "password": "x",
        },
    )
    assert short.status_code == 400 and "密码须为8至128个字符" in short.text and 'value="赵新"' in short.text
    sent = await newcomer.post(
        "/register",
        {
            "community": str(s.community),
            "unit_id": str(s.unit),
            "phone": "13912340000",
            "name": "赵新",
            "password": "new-home-1",
        },
    )
    pending = await newcomer.follow(sent)
    assert "等待审核" in pending.text and "1单元" in pending.text
    kept_out = await newcomer.get("/needs/new")
    assert kept_out.headers["location"] == "/pending"

    leader = await site.signed_in(s.leader)
    waiting = await leader.get("/registrations")
    assert "赵新" in waiting.text and "13912340000" in waiting.text
    registration = re.search(r'action="/registrations/(\d+)/approve"', waiting.text).group(1)
    outsider = await site.signed_in(s.other_staff)
    assert "赵新" not in (await outsider.get("/registrations")).text
    await refused(outsider, await outsider.post(f"/registrations/{registration}/approve"), 404)
    approved = await leader.follow(await leader.post(f"/registrations/{registration}/approve"))
    assert "赵新已通过审核，成为1单元的居民" in approved.text
    assert (await newcomer.get("/needs/new")).status_code == 200
    assert "网格长 通过了您的登记，欢迎！" in (await newcomer.get("/notifications")).text


async def test_staff_reset_a_password_and_the_member_must_choose_a_new_one(site):
    s = site.street
    staff = await site.signed_in(s.staff)
    shown = await staff.post("/registrations/password-reset", {"phone": site.street.phones[s.resident]})
    temporary = re.search(r"请把临时密码告诉王阿姨：([A-Za-z0-9]{10})。", shown.text).group(1)
    nobody = await staff.post("/registrations/password-reset", {"phone": "13999999999"})
    assert nobody.status_code == 400 and 'id="phone-error"' in nobody.text

    resident = site.browser()
    await resident.get("/login")
    signed = await resident.post("/login", {"phone": s.phones[s.resident], "password": temporary})
    home = await resident.get(signed.headers["location"])
    assert home.headers["location"] == "/profile/password"
    page = await resident.follow(home)
    assert "您的密码已被重置，请先设置新密码。" in page.text
    await resident.post("/profile/password", {"old_password": temporary, "new_password": "mine-again-7"})
    assert (await resident.get("/")).status_code == 200


async def test_an_admin_sets_a_grids_group_outlet_and_others_may_not(site):
    s = site.street
    admin = await site.signed_in(s.admin)
    wrong = await admin.post(
        "/outlets", {"area_id": str(s.grid), "kind": "wecom", "target": "https://example.org/x?key=abcdefgh"}
    )
    assert wrong.status_code == 400 and 'id="target-error"' in wrong.text
    saved = await admin.post(
        "/outlets",
        {
            "area_id": str(s.grid),
            "kind": "wecom",
            "target": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4",
        },
    )
    listed = await admin.follow(saved)
    assert "群通知已保存" in listed.text and "第一网格" in listed.text and "企业微信群机器人" in listed.text
    assert "693a91f6" not in listed.text  # the key is not shown again
    row = await Outlet.select(Outlet.kind, Outlet.target).where(Outlet.area == s.grid).first()
    assert row == {"kind": "wecom", "target": "693a91f6-7xxx-4bc4"}
    staff = await site.signed_in(s.staff)
    await refused(
        staff,
        await staff.post("/outlets", {"area_id": str(s.grid), "kind": "json", "target": "http://x"}),
        403,
    )
