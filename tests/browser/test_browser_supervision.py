"""Supervision in a real browser: the street's staff find an overdue need on their board and issue
a notice, the community answers it with a progress report on a phone; a need the community
escalated is handed back down by the street. Photographed at 375 and 1280 px."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from projects import needs, triage
from projects.sweep import sweep
from tests.browser.conftest import populated, serve
from tests.browser.test_browser_story import DESKTOP, person, shoot
from tests.projects.community import build_street

CHINA = ZoneInfo("Asia/Shanghai")  # what a datetime-local field means on Linli's pages


async def _overdue_and_escalated():
    """The street, a need two days old that nobody triaged (the sweep flagged it), and a need
    the community escalated to the street."""
    now = datetime.now(UTC)
    s = await build_street(now - timedelta(days=3))
    resident = await s.actor(s.resident)
    late = await needs.report_need(
        resident,
        category="construction.lighting",
        description="楼道灯坏了一个星期",
        now=now - timedelta(days=2),
    )
    await sweep(now=now)
    escalated = await needs.report_need(
        resident, category="construction.facilities", description="单元门禁坏了，涉及物业和房管", now=now
    )
    await triage.escalate_need(await s.actor(s.staff), escalated.id, reason="涉及房屋产权", now=now)
    s.late, s.escalated = late.id, escalated.id
    return s


@pytest.fixture(scope="module")
def supervised(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory):
    url, street = populated(sqlite_template, tmp_path_factory.mktemp("supervision"), _overdue_and_escalated)
    with serve(url) as base:
        yield base, street


def test_an_overdue_need_is_supervised_and_answered_and_an_escalation_handed_back_down(
    supervised, browser, artefacts
):
    base, street = supervised
    street_context, street_staff = person(browser, base, street.phones[street.street_staff], viewport=DESKTOP)
    street_staff.goto("/desk/supervision")
    board = street_staff.locator("ul.items > li", has_text="楼道灯坏了")
    assert "逾期" in board.inner_text()
    shoot(street_staff, artefacts, "supervision-board")
    board.get_by_role("link").first.click()
    street_staff.get_by_label("督办内容").fill("请社区一日内答复处理进展")
    answer_by = (datetime.now(UTC) + timedelta(days=1)).astimezone(CHINA).strftime("%Y-%m-%dT%H:%M")
    street_staff.get_by_label("答复期限").fill(answer_by)
    street_staff.get_by_role("button", name="下发督办单").click()
    assert "督办单已下发" in street_staff.content()

    # The community's staff answer it on a phone, with a progress report.
    staff_context, staff = person(browser, base, street.phones[street.staff])
    staff.goto(f"/needs/{street.late}")
    assert "待答复" in staff.content()
    staff.get_by_label("已办理的情况").fill("已联系电工，明天上午更换")
    shoot(staff, artefacts, "supervised-need")
    staff.get_by_role("button", name="发布").click()
    assert re.search(r"已于.*答复", staff.content())

    # The street hands the escalated need back down to the community with a deadline.
    street_staff.goto(f"/needs/{street.escalated}")
    street_staff.get_by_label("交办意见").fill("已联系房管所，请社区牵头上门核实")
    due = (datetime.now(UTC) + timedelta(days=3)).astimezone(CHINA).strftime("%Y-%m-%dT%H:%M")
    street_staff.get_by_label("截止时间", exact=True).fill(due)
    street_staff.get_by_role("button", name="交办", exact=True).click()
    assert "已交办" in street_staff.content()
    staff.goto(f"/needs/{street.escalated}")
    assert "由鸿城街道交办" in staff.content()
    shoot(staff, artefacts, "handed-down-need")
    for context in (street_context, staff_context):
        context.close()
