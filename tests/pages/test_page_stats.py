"""The statistics page through the real app, on SQLite and PostgreSQL: staff of a community, a street
and the district see their figures (the hand-worked story of tests/projects/stats_story.py),
drill down from the street to a community, follow any figure to the needs behind it, see the
charts without JavaScript and download the ledger; everyone else is refused."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

import openpyxl
import pytest

from tests.projects.stats_story import tell

DECEMBER = "from=2026-12-01&to=2027-01-01"


@pytest.fixture
async def story(site):
    told = await tell(site.street)
    site.clock.now = datetime.fromisoformat("2027-01-05T09:00:00+00:00")
    return told


def link_text(html: str, href_part: str) -> str:
    """The text of the first link whose address contains ``href_part``."""
    match = re.search(r'<a href="([^"]*' + re.escape(href_part) + r'[^"]*)">([^<]*)</a>', html)
    assert match, f"no link with {href_part!r}"
    return match.group(2)


async def test_community_staff_see_their_figures_each_linked_to_its_needs(site, story):
    s, n = site.street, story.needs
    staff = await site.signed_in(s.staff)
    home = await staff.get("/")
    assert '<a href="/stats"' in home.text  # the menu offers statistics to staff
    page = await staff.get(f"/stats?area_id={s.community}&{DECEMBER}")
    assert page.status_code == 200
    html = page.text.replace("&amp;", "&")
    assert "统计 · 幸福里社区" in html
    assert link_text(html, f"area_id={s.community}&from=2026-12-01&to=2027-01-01&figure=handled") == "3"
    assert link_text(html, "figure=reported") == "9"
    assert "处理率 33.33%" in html and "按时办结率 50%" in html
    # Four charts, inline SVG, no script: readable without JavaScript.
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 4
    assert "<script" not in html
    assert "每月需求" in html and "各类需求数量" in html and "每月志愿服务时长（小时）" in html
    # The grids are listed under the community; n13, filed at the community itself, too.
    assert "幸福里社区（本级）" in html
    assert link_text(html, f"area_id={s.grid}&from=2026-12-01") == "第一网格"
    # A figure of a group opens the needs behind it.
    listed = await staff.get(f"/stats/needs?area_id={s.community}&{DECEMBER}&figure=handled&by=grade&key=A")
    assert listed.status_code == 200
    found = {int(number) for number in re.findall(r'href="/needs/(\d+)"', listed.text)}
    assert found == {n["n1"], n["n10"]}
    assert "已处理 · 按分级：A" in listed.text


async def test_street_staff_drill_down_to_a_community_and_back(site, story):
    s = site.street
    street = await site.signed_in(s.street_staff)
    page = (await street.get(f"/stats?area_id={s.street}&{DECEMBER}")).text.replace("&amp;", "&")
    assert link_text(page, f"/stats?area_id={s.community}&") == "幸福里社区"
    assert link_text(page, f"/stats?area_id={s.other_community}&") == "和平里社区"
    assert link_text(page, "figure=reported") == "10"
    community = (await street.get(f"/stats?area_id={s.community}&{DECEMBER}")).text.replace("&amp;", "&")
    assert link_text(community, f"/stats?area_id={s.street}&") == "鸿城街道"  # back up
    # Community staff see the street's name, but not as a link: its figures are not theirs.
    staff = await site.signed_in(s.staff)
    own = (await staff.get(f"/stats?area_id={s.community}&{DECEMBER}")).text
    assert "<span>鸿城街道</span>" in own


async def test_a_many_page_list_goes_on_page_by_page(site, story):
    s = site.street
    staff = await site.signed_in(s.staff)
    first = await staff.get(f"/stats/needs?area_id={s.community}&{DECEMBER}&figure=reported")
    assert len(re.findall(r'href="/needs/\d+"', first.text)) == 9
    assert "/stats/needs?" not in first.text  # 9 fit on one page: no link to more


async def test_a_period_typed_wrong_is_said_on_the_form(site, story):
    s = site.street
    staff = await site.signed_in(s.staff)
    page = await staff.get(f"/stats?area_id={s.community}&from=2026-12-01&until=2026-02-30")
    assert page.status_code == 200
    assert "结束日期须为日期，例如 2026-01-31。" in page.text
    backwards = await staff.get(f"/stats?area_id={s.community}&from=2026-12-31&until=2026-12-01")
    assert "统计期间的结束日期须晚于开始日期" in backwards.text
    # The last day typed is included: until 31 December is the whole month.
    december = (await staff.get(f"/stats?area_id={s.community}&from=2026-12-01&until=2026-12-31")).text
    assert link_text(december.replace("&amp;", "&"), "figure=reported") == "9"


async def test_the_ledger_downloads_from_the_page(site, story):
    s = site.street
    staff = await site.signed_in(s.staff)
    sheet = await staff.get(f"/stats/needs.xlsx?area_id={s.community}&{DECEMBER}")
    assert sheet.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "编号" and len(rows) == 1 + 9
    table = list(
        csv.reader(io.StringIO((await staff.get(f"/stats/needs.csv?area_id={s.community}&{DECEMBER}")).text))
    )
    assert len(table) == 1 + 9


async def test_the_page_speaks_english_on_request(site, story):
    s = site.street
    staff = await site.signed_in(s.district_staff, language="en")
    page = await staff.get(f"/stats?{DECEMBER}")
    assert "Statistics · 南关区" in page.text and "Needs by month" in page.text


async def test_residents_leaders_and_the_signed_out_may_not_see_statistics(site, story):
    s = site.street
    resident = await site.signed_in(s.resident)
    assert '<a href="/stats"' not in (await resident.get("/")).text
    refused = await resident.get("/stats")
    assert refused.status_code == 403 and "统计数据仅供社区、街道和区级工作人员查看。" in refused.text
    assert (await resident.get(f"/stats?area_id={s.community}")).status_code == 404
    leader = await site.signed_in(s.leader)
    assert (await leader.get(f"/stats?area_id={s.grid}")).status_code == 404
    assert (await leader.get(f"/stats/needs.csv?area_id={s.grid}")).status_code == 404
    other = await site.signed_in(s.other_staff)
    assert (await other.get(f"/stats/needs?area_id={s.community}&figure=reported")).status_code == 404
    stranger = site.browser()
    response = await stranger.get("/stats")
    assert response.status_code in (302, 303) and "/login" in response.headers["location"]
