"""The statistics page in a real browser (Debian's chromium): district staff open it at a desk,
drill down to a street and a community, read the charts (inline SVG, no JavaScript needed) and
follow a figure to the needs behind it; the page is photographed at 375 and 1280 px."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import populated, serve
from tests.browser.test_browser_story import DESKTOP, PHONE, person, shoot
from tests.projects.community import build_street
from tests.projects.stats_story import tell


@pytest.fixture(scope="module")
def stats_server(sqlite_template, tmp_path_factory):
    async def story():
        return (await tell(await build_street())).street

    url, street = populated(sqlite_template, tmp_path_factory.mktemp("browser-stats"), story)
    with serve(url) as base:
        yield base, street


def test_district_staff_drill_down_the_statistics_and_read_the_charts(stats_server, browser, artefacts):
    base, street = stats_server
    context, page = person(browser, base, street.phones[street.district_staff], viewport=DESKTOP)
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="统计").click()
    page.wait_for_url(re.compile(r".*/stats$"))
    page.get_by_label("开始日期").fill("2026-12-01")
    page.get_by_label("结束日期").fill("2026-12-31")
    page.get_by_role("button", name="显示").click()
    page.wait_for_url(re.compile(r".*/stats\?.*until=2026-12-31"))
    assert page.get_by_role("heading", name="统计 · 南关区").is_visible()
    page.get_by_role("link", name="鸿城街道").first.click()
    page.wait_for_url(re.compile(rf".*/stats\?area_id={street.street}&.*"))
    page.get_by_role("link", name="幸福里社区").first.click()
    page.wait_for_url(re.compile(rf".*/stats\?area_id={street.community}&.*"))
    charts = page.locator("figure.chart svg")
    assert charts.count() == 4
    for index in range(4):
        box = charts.nth(index).bounding_box()
        assert box and box["width"] > 300 and box["height"] > 150
    shoot(page, artefacts, "stats")
    page.set_viewport_size(PHONE)
    for index in range(4):  # on a phone each chart takes the width of the screen, no more
        box = charts.nth(index).bounding_box()
        assert box and 280 < box["width"] <= 375
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1  # nothing to scroll sideways
    page.get_by_role("link", name="3", exact=True).first.click()  # the needs handled
    page.wait_for_url(re.compile(r".*/stats/needs\?.*figure=handled"))
    assert page.locator("ul.items > li").count() == 3
    shoot(page, artefacts, "stats-needs")
    context.close()
