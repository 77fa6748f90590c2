"""Statistics and the needs ledger through the real app, on SQLite and PostgreSQL: the shapes
DESIGN.md fixes, the figures of the hand-worked story (tests/projects/stats_story.py), who may
see them, bad input, and the ledger read back with openpyxl and csv."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import openpyxl
import pytest

from tests.projects.stats_story import COMMUNITY_DECEMBER, tell

DECEMBER = "from=2026-12-01&to=2027-01-01"
FIGURE_KEYS = [
    "reported", "handled", "handled_rate", "done", "on_time", "on_time_rate",
    "first_response_hours", "completion_hours", "open", "overdue",
]  # fmt: skip


@pytest.fixture
async def story(api):
    told = await tell(api.street)
    api.clock.now = datetime.fromisoformat("2027-02-01T09:00:00+00:00")
    return told


async def test_a_communitys_figures_have_exactly_the_shape_design_fixes(api, story):
    s = api.street
    body = await api.ok(s.staff, "GET", f"/api/v1/stats/needs?area_id={s.community}&{DECEMBER}")
    assert list(body) == FIGURE_KEYS  # no "groups" unless asked
    assert body == COMMUNITY_DECEMBER
    grouped = await api.ok(s.staff, "GET", f"/api/v1/stats/needs?area_id={s.community}&{DECEMBER}&by=grade")
    assert list(grouped) == [*FIGURE_KEYS, "groups"]
    assert [list(group)[0] for group in grouped["groups"]] == ["key"] * 4
    assert [group["key"] for group in grouped["groups"]] == ["A", "B", "C", "none"]
    assert {k: v for k, v in grouped.items() if k != "groups"} == COMMUNITY_DECEMBER
    by_area = await api.ok(
        s.street_staff, "GET", f"/api/v1/stats/needs?area_id={s.street}&{DECEMBER}&by=area"
    )
    assert [(g["key"], g["reported"]) for g in by_area["groups"]] == [
        (str(s.community), 9),
        (str(s.other_community), 1),
    ]


async def test_without_an_area_staff_see_their_own_and_the_year_so_far(api, story):
    s = api.street
    body = await api.ok(s.staff, "GET", "/api/v1/stats/needs?by=month")
    # The year so far on 1 February 2027: January, with n15 in it, and February.
    assert [(g["key"], g["reported"]) for g in body["groups"]] == [("2027-01", 1), ("2027-02", 0)]


async def test_the_needs_behind_a_figure_are_listed_back(api, story):
    s, n = api.street, story.needs
    url = f"/api/v1/stats/needs/items?area_id={s.community}&{DECEMBER}"
    handled = await api.ok(s.staff, "GET", f"{url}&figure=handled")
    assert [item["id"] for item in handled["items"]] == [str(n["n10"]), str(n["n2"]), str(n["n1"])]
    assert handled["next_cursor"] is None
    ungraded = await api.ok(s.staff, "GET", f"{url}&figure=open&by=grade&key=none")
    assert [item["id"] for item in ungraded["items"]] == [str(n["n14"]), str(n["n9"])]
    first = await api.ok(s.staff, "GET", f"{url}&limit=5")
    rest = await api.ok(s.staff, "GET", f"{url}&limit=5&cursor={first['next_cursor']}")
    assert len(first["items"]) + len(rest["items"]) == COMMUNITY_DECEMBER["reported"]
    assert rest["next_cursor"] is None


async def test_hours_and_points_of_a_month(api, story):
    s = api.street
    body = await api.ok(s.staff, "GET", f"/api/v1/stats/hours?area_id={s.community}&{DECEMBER}")
    assert (body["minutes"], body["hours"], body["points_issued"], body["active_volunteers"]) == (
        270,
        4.5,
        50,
        3,
    )
    assert (body["points_redeemed"], body["points_outstanding"]) == (0, 50)
    assert body["by_month"] == [{"month": "2026-12", "minutes": 270}]
    assert body["top_volunteers"][0] == {
        "id": str(s.volunteers[2]),
        "name": "志愿者2",
        "minutes": 120,
        "claims": 1,
    }
    assert [team["name"] for team in body["top_teams"]] == ["阳光志愿服务队"]


@pytest.mark.parametrize(
    ("who", "query", "status", "code"),
    [
        ("resident", "area_id={community}", 404, "not_found"),
        ("leader", "area_id={grid}", 404, "not_found"),
        ("other_staff", "area_id={community}", 404, "not_found"),
        ("staff", "area_id={street}", 404, "not_found"),
        ("staff", "area_id=999999", 404, "not_found"),
        ("resident", "", 403, "not_allowed"),
        ("staff", "area_id={community}&from=2026-13-01", 400, "invalid_input"),
        ("staff", "area_id={community}&from=2027-01-01&to=2026-12-01", 400, "invalid_input"),
        ("staff", "area_id={community}&by=weekday", 400, "invalid_input"),
        ("staff", "area_id=abc", 400, "invalid_input"),
    ],
)
async def test_statistics_refuse_whom_and_what_they_must(api, story, who, query, status, code):
    s = api.street
    query = query.format(community=s.community, grid=s.grid, street=s.street)
    urls = [
        "/api/v1/stats/needs",
        "/api/v1/stats/hours",
        "/api/v1/exports/needs.xlsx",
        "/api/v1/exports/needs.csv",
    ]
    for url in urls[:1] if "by=" in query else urls:  # only the figures are grouped
        response = await api.get(getattr(s, who), f"{url}?{query}")
        assert response.status_code == status, response.text
        body = response.json()
        assert body["code"] == code
        assert body["message"] and body["message"].isascii() is False  # said in Chinese


async def test_refusals_speak_the_requests_language(api, story):
    s = api.street
    response = await api.get(
        s.staff, f"/api/v1/stats/needs?area_id={s.community}&from=yesterday", language="en"
    )
    assert response.status_code == 400
    assert response.json()["message"] == "The first day (from) is a day such as 2026-01-31."
    response = await api.get(
        s.staff, f"/api/v1/stats/needs/items?area_id={s.community}&figure=all", language="en"
    )
    assert response.status_code == 400
    assert "reported" in response.json()["message"]
    assert (await api.get(None, f"/api/v1/stats/needs?area_id={s.community}")).status_code == 401


def _sheet(content: bytes):
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return workbook.active


async def _download(api, who, url) -> bytes:
    response = await api.get(who, url)
    assert response.status_code == 200, response.text
    return response


async def test_a_communitys_ledger_is_the_needs_it_reports_with_their_contacts(api, story):
    s, n = api.street, story.needs
    response = await _download(api, s.staff, f"/api/v1/exports/needs.xlsx?area_id={s.community}&{DECEMBER}")
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response.headers["content-disposition"]
    sheet = _sheet(response.content)
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["编号", "所在区域", "类别"]
    assert header[-3:] == ["地址", "联系人", "联系电话"]
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width > 30
    rows = {
        row[0]: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    listed = await api.ok(s.staff, "GET", f"/api/v1/stats/needs/items?area_id={s.community}&{DECEMBER}")
    assert sorted(rows) == sorted(int(item["id"]) for item in listed["items"])
    assert len(rows) == COMMUNITY_DECEMBER["reported"]
    first = rows[n["n1"]]
    assert first["所在区域"] == "南关区 / 鸿城街道 / 幸福里社区 / 第一网格 / 1号楼 / 1单元"
    assert (first["类别"], first["渠道"], first["状态"], first["分级"]) == (
        "助餐送餐",
        "网上提交（线上问）",
        "已完成",
        "A",
    )
    assert first["上报时间"] == datetime(2026, 12, 1, 17, 0)  # a date in China's time, as a date
    assert first["首次响应"] == datetime(2026, 12, 1, 19, 0)
    assert first["办结时间"] == datetime(2026, 12, 2, 3, 0)
    assert (first["按时办结"], first["执行人"], first["评价"]) == ("是", "志愿者0", 5)
    assert (first["联系人"], first["联系电话"]) == ("王阿姨", s.phones[s.resident])
    assert rows[n["n10"]]["按时办结"] == "否"
    assert rows[n["n13"]]["联系电话"] is None  # a common need never shows who reported it
    assert rows[n["n8"]]["办理单位"] == "南关区"  # escalated twice, held by the district


async def test_a_streets_ledger_has_no_phone_and_the_same_rows_as_csv(api, story):
    s = api.street
    query = f"area_id={s.street}&{DECEMBER}"
    sheet = _sheet((await _download(api, s.street_staff, f"/api/v1/exports/needs.xlsx?{query}")).content)
    header = [cell.value for cell in sheet[1]]
    assert "联系电话" not in header and "联系人" not in header
    cells = [str(value) for row in sheet.iter_rows(values_only=True) for value in row if value is not None]
    assert not any(phone in cell for phone in s.phones.values() for cell in cells)
    xlsx_ids = sorted(row[0] for row in sheet.iter_rows(min_row=2, values_only=True))
    response = await _download(api, s.street_staff, f"/api/v1/exports/needs.csv?{query}")
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table[0] == header
    assert sorted(int(row[0]) for row in table[1:]) == xlsx_ids
    assert len(xlsx_ids) == 10
    assert not any(phone in response.text for phone in s.phones.values())
    first = next(row for row in table[1:] if row[0] == str(story.needs["n1"]))
    assert first[header.index("上报时间")] == "2026-12-01 17:00"


async def test_an_empty_period_exports_only_the_header_and_english_on_request(api, story):
    s = api.street
    url = f"/api/v1/exports/needs.csv?area_id={s.community}&from=2026-10-01&to=2026-11-01"
    response = await api.get(s.staff, url, language="en")
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table[0][:3] == ["No.", "Area path", "Category"] and len(table) == 1


async def test_the_work_ledgers_and_the_statistics_export_with_the_same_filter(api, story):
    s = api.street
    query = f"area_id={s.community}&{DECEMBER}"
    claims = _sheet((await _download(api, s.staff, f"/api/v1/exports/claims.xlsx?{query}")).content)
    header = [cell.value for cell in claims[1]]
    assert header[:4] == ["编号", "任务编号", "需求编号", "任务"]
    rows = [dict(zip(header, row, strict=True)) for row in claims.iter_rows(min_row=2, values_only=True)]
    # Three claims in December: n1's, n10's and the team's stairwell cleaning, all confirmed.
    assert sorted((row["志愿者"], row["服务分钟数"], row["积分"], row["状态"]) for row in rows) == [
        ("志愿者0", 60, 15, "已确认"),
        ("志愿者1", 90, 15, "已确认"),
        ("志愿者2", 120, 20, "已确认"),
    ]
    assert next(row for row in rows if row["志愿者"] == "志愿者2")["代表单位"] == "阳光志愿服务队"
    volunteers = await _download(api, s.staff, f"/api/v1/exports/volunteers.csv?{query}")
    table = list(csv.reader(io.StringIO(volunteers.content.decode("utf-8-sig"))))
    assert table[0] == ["会员编号", "志愿者", "所住社区", "服务次数", "服务分钟数", "时长（小时）", "积分"]
    assert table[1] == [str(s.volunteers[2]), "志愿者2", "幸福里社区", "1", "120", "2.0", "20"]
    assert len(table) == 4
    figures = _sheet((await _download(api, s.staff, f"/api/v1/exports/stats.xlsx?{query}")).content)
    rows = list(figures.iter_rows(values_only=True))
    assert rows[1][:5] == ("合计", None, 9, 3, 0.3333)
    assert ("按分级", "未分级", 4) in {row[:3] for row in rows}
    assert figures["E2"].number_format == "0.00%"
    missing = await api.get(s.staff, f"/api/v1/exports/everything.xlsx?{query}")
    assert missing.status_code == 404 and missing.json()["message"] == "找不到该台账。"
