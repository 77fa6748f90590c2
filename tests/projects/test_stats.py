"""The statistics of needs against figures worked out by hand (tests/projects/stats_story.py), on
SQLite and PostgreSQL; and the same story on both engines gives the same figures."""

from __future__ import annotations

import dataclasses
import importlib
import shutil
import urllib.parse
import uuid
from datetime import date, timedelta

import pytest

from ledger.posting import as_utc
from projects import errors, need_trace, stats
from projects.hours import hours_stats
from projects.stats import Scope, need_stats, needs_behind, stats_scope
from projects.tables import Need
from tests.conftest import create_postgres_database
from tests.projects.community import T0, build_street
from tests.projects.stats_story import AUTUMN, COMMUNITY_DECEMBER, DECEMBER, THREE_MONTHS, figures, tell
from web.database import close_database, open_database

NOW = T0.replace(year=2027, month=2, day=1)  # when the figures are read: after everything


@pytest.fixture
async def story(db):
    return await tell(await build_street(T0, volunteers=4))


async def scope(story, who: int, area: int, days=DECEMBER) -> Scope:
    actor = await story.street.actor(who)
    return await stats_scope(actor, area_id=area, first=days[0], end=days[1], now=NOW)


def as_api(figures) -> dict:
    """A domain ``Figures`` as the API's body (without the key of a group)."""
    body = dataclasses.asdict(figures)
    body.pop("key", None)
    return body


async def test_a_communitys_month_matches_the_figures_worked_out_by_hand(story):
    s = story.street
    result = await need_stats(await scope(story, s.staff, s.community))
    assert as_api(result.totals) == COMMUNITY_DECEMBER
    assert result.groups == {}


async def test_the_street_counts_both_communities_and_the_district_the_same(story):
    s = story.street
    street = await need_stats(await scope(story, s.street_staff, s.street), ("area",))
    # n11 in 和平里 adds one reported, open need, answered in 2 h.
    expected = figures(
        reported=10, handled=3, done=2, on_time=1, timed=2, open=6, overdue=1,
        response={"median": 2.0, "p90": 3.0}, completion={"median": 10.0, "p90": 34.0},
    )  # fmt: skip
    assert as_api(street.totals) == expected
    assert {group.key: group.reported for group in street.groups["area"]} == {
        str(s.community): 9,
        str(s.other_community): 1,
    }
    district = await need_stats(await scope(story, s.district_staff, s.district))
    assert as_api(district.totals) == expected


async def test_an_empty_period_gives_zero_counts_and_null_rates(story):
    s = story.street
    result = await need_stats(await scope(story, s.staff, s.community, AUTUMN), ("month", "area"))
    assert as_api(result.totals) == figures()
    assert [group.key for group in result.groups["month"]] == ["2026-10"]
    assert as_api(result.groups["month"][0]) == figures()
    # Every child area is listed, even empty ones; the community itself only when it has needs.
    assert [group.key for group in result.groups["area"]] == [str(s.grid), str(s.grid2)]


async def test_grades_group_the_ungraded_as_none(story):
    s = story.street
    groups = (await need_stats(await scope(story, s.staff, s.community), ("grade",))).groups["grade"]
    assert {group.key: as_api(group) for group in groups} == {
        # n1 (done on time, 2 h, 10 h), n10 (done late, 1 h, 34 h), n13 (open, no response).
        "A": figures(
            reported=3, handled=2, done=2, on_time=1, timed=2, open=1,
            response={"median": 1.0, "p90": 2.0}, completion={"median": 10.0, "p90": 34.0},
        ),
        "B": figures(reported=1, open=1, response={"median": 2.0, "p90": 2.0}),  # n5
        "C": figures(reported=1, open=1, response={"median": 2.0, "p90": 2.0}),  # n8
        # n2 rejected (3 h), n7 cancelled by the resident, n9 overdue, n14 new.
        "none": figures(reported=4, handled=1, open=2, overdue=1, response={"median": 3.0, "p90": 3.0}),
    }  # fmt: skip


async def test_channels_categories_and_child_areas_each_add_up_to_the_totals(story):
    s = story.street
    result = await need_stats(
        await scope(story, s.staff, s.community), ("channel", "category", "area", "month")
    )
    channels = {group.key: group.reported for group in result.groups["channel"]}
    assert channels == {"online": 4, "door_visit": 2, "grid_patrol": 1, "hotline": 1, "consultation": 1}
    categories = {group.key: group.reported for group in result.groups["category"]}
    assert categories == {
        "care.meals": 1,
        "environment.cleaning": 1,
        "care.elderly": 1,
        "construction.facilities": 1,
        "mediation.neighbours": 1,
        "environment.greening": 1,
        "convenience.appliances": 1,
        "volunteer.events": 1,
        "culture.tutoring": 1,
    }
    areas = {group.key: group.reported for group in result.groups["area"]}
    # n13 was filed at the community itself: its group is the community's own id, listed first.
    assert list(areas) == [str(s.community), str(s.grid), str(s.grid2)]
    assert areas == {str(s.community): 1, str(s.grid): 8, str(s.grid2): 0}
    assert {group.key: group.reported for group in result.groups["month"]} == {"2026-12": 9}
    for grouping in ("channel", "category", "area", "month"):
        for name in ("reported", "handled", "done", "on_time", "open", "overdue"):
            assert sum(getattr(g, name) for g in result.groups[grouping]) == getattr(result.totals, name)


async def test_months_are_months_in_china_to_the_last_microsecond(story):
    s = story.street
    result = await need_stats(await scope(story, s.staff, s.community, THREE_MONTHS), ("month",))
    # n12 in November; n14 at 23:59:59.999999 on 31 December (China) in December; n15 in January.
    assert {group.key: group.reported for group in result.groups["month"]} == {
        "2026-11": 1,
        "2026-12": 9,
        "2027-01": 1,
    }


async def test_every_figure_lists_back_as_the_needs_behind_it(story):
    s, n = story.street, story.needs
    here = await scope(story, s.staff, s.community)
    staff = await s.actor(s.staff)

    async def listed(figure, grouping=None, key=None):
        page = await needs_behind(staff, here, figure=figure, grouping=grouping, key=key)
        return [need.id for need in page.items]

    def ids(*names):
        return sorted((n[name] for name in names), reverse=True)

    assert await listed("reported") == ids("n1", "n2", "n5", "n7", "n8", "n9", "n10", "n13", "n14")
    assert await listed("handled") == ids("n1", "n2", "n10")
    assert await listed("done") == ids("n1", "n10")
    assert await listed("on_time") == ids("n1")
    assert await listed("open") == ids("n5", "n8", "n9", "n13", "n14")
    assert await listed("overdue") == ids("n9")
    assert await listed("responded") == ids("n1", "n2", "n5", "n8", "n10")
    assert await listed("reported", "grade", "none") == ids("n2", "n7", "n9", "n14")
    assert await listed("handled", "area", str(s.grid)) == ids("n1", "n2", "n10")
    assert await listed("reported", "area", str(s.community)) == ids("n13")
    # A page at a time: the cursor goes on where the page before stopped.
    first = await needs_behind(staff, here, figure="reported", limit=4)
    second = await needs_behind(staff, here, figure="reported", limit=4, cursor=first.next_cursor)
    third = await needs_behind(staff, here, figure="reported", limit=4, cursor=second.next_cursor)
    assert [x.id for x in first.items + second.items + third.items] == await listed("reported")
    assert third.next_cursor is None


async def test_statistics_are_for_staff_of_the_area_or_above(story):
    s = story.street
    for who in (s.staff, s.street_staff, s.district_staff, s.admin):
        assert (await scope(story, who, s.community)).area.id == s.community
    for who, area in (
        (s.staff, s.street),
        (s.other_staff, s.community),
        (s.resident, s.community),
        (s.leader, s.grid),
    ):
        with pytest.raises(errors.NotFound):
            await scope(story, who, area)
    with pytest.raises(errors.NotFound):
        await scope(story, s.admin, 10**9)
    resident = await s.actor(s.resident)
    with pytest.raises(errors.NotAllowed):
        await stats_scope(resident, area_id=None, first=None, end=None, now=NOW)
    # Without an area: the highest one where they are staff.
    street_staff = await s.actor(s.street_staff)
    assert (await stats_scope(street_staff, area_id=None, first=None, end=None, now=NOW)).area.id == s.street


@pytest.mark.parametrize(
    ("first", "end"),
    [
        (date(2026, 12, 2), date(2026, 12, 1)),
        (date(2026, 12, 1), date(2026, 12, 1)),
        (date(2000, 1, 1), date(2020, 1, 2)),
    ],
)
async def test_a_period_that_ends_before_it_begins_or_is_too_long_is_refused(story, first, end):
    staff = await story.street.actor(story.street.staff)
    with pytest.raises(errors.Invalid):
        await stats_scope(staff, area_id=story.street.community, first=first, end=end, now=NOW)


async def test_unknown_groupings_and_figures_are_refused(story):
    here = await scope(story, story.street.staff, story.street.community)
    with pytest.raises(errors.Invalid):
        await need_stats(here, ("weekday",))
    staff = await story.street.actor(story.street.staff)
    with pytest.raises(errors.Invalid):
        await needs_behind(staff, here, figure="everything")
    with pytest.raises(errors.Invalid):
        await needs_behind(staff, here, figure="reported", grouping="grade")


async def _everything(url: str) -> dict:
    """Every figure of the story, every grouping, several areas and periods, on one database."""
    engine = await open_database(url)
    try:
        story = await tell(await build_street(T0, volunteers=4))
        s = story.street
        found = {}
        for who, area in ((s.staff, s.community), (s.street_staff, s.street), (s.staff, s.grid)):
            for days in (DECEMBER, AUTUMN, THREE_MONTHS):
                result = await need_stats(await scope(story, who, area, days), stats.GROUPINGS)
                found[f"{area} {days}"] = dataclasses.asdict(result)
                found[f"hours {area} {days}"] = dataclasses.asdict(
                    await hours_stats(await scope(story, who, area, days))
                )
        return found
    finally:
        await close_database(engine)


async def test_both_engines_give_identical_figures_for_the_same_story(
    sqlite_template, postgres_url, postgres_template, tmp_path
):
    copy = tmp_path / "stats.sqlite"
    shutil.copyfile(sqlite_template, copy)
    name = f"linli_stats_{uuid.uuid4().hex}"
    await create_postgres_database(postgres_url, name, template=postgres_template)
    sqlite = await _everything(f"sqlite:///{copy}")
    postgres = await _everything(urllib.parse.urlparse(postgres_url)._replace(path=f"/{name}").geturl())
    assert sqlite == postgres
    assert any(group["reported"] for figures in sqlite.values() for group in figures["groups"]["area"])


async def test_hours_points_and_the_most_active_by_hand(story):
    s = story.street
    result = await hours_stats(await scope(story, s.staff, s.community))
    assert (result.minutes, result.points_issued, result.active_volunteers) == (270, 50, 3)
    assert result.points_outstanding == 50  # the community's issuer owes what it issued
    assert result.minutes_by_month == {"2026-12": 270}
    assert [(v.id, v.minutes, v.claims) for v in result.top_volunteers] == [
        (s.volunteers[2], 120, 1),
        (s.volunteers[1], 90, 1),
        (s.volunteers[0], 60, 1),
    ]
    assert [(t.id, t.name, t.minutes) for t in result.top_teams] == [(s.team, "阳光志愿服务队", 120)]
    assert result.top_organisations == []
    grid = await hours_stats(await scope(story, s.staff, s.grid))
    assert (grid.minutes, grid.points_outstanding) == (270, None)  # every task was in grid 1
    street = await hours_stats(await scope(story, s.street_staff, s.street, THREE_MONTHS))
    assert (street.minutes, street.points_outstanding) == (270, 50)
    assert street.minutes_by_month == {"2026-11": 0, "2026-12": 270, "2027-01": 0}
    autumn = await hours_stats(await scope(story, s.staff, s.community, AUTUMN))
    assert (autumn.minutes, autumn.points_issued, autumn.active_volunteers, autumn.top_volunteers) == (
        0,
        0,
        0,
        [],
    )


async def test_what_the_database_keeps_of_each_needs_trace_is_what_the_trace_says(story):
    """The triggers' projection (need_trace.py) equals a recomputation from the events with
    today's FIRST_RESPONSE_ACTIONS: a list changed without its migration shows here."""
    recomputed = await Need.raw(
        "SELECT r.need AS need, r.responded_at AS responded_at, r.response_s AS response_s, "
        "r.done_at AS done_at, r.completion_s AS completion_s, r.withdrawn AS withdrawn "
        f"FROM ({need_trace.recompute_sql(stats.FIRST_RESPONSE_ACTIONS, Need._meta.db.engine_type)}) r "
        "WHERE r.responded_at IS NOT NULL OR r.done_at IS NOT NULL OR r.withdrawn = 1 ORDER BY r.need"
    )
    kept = await Need.raw(
        "SELECT need, responded_at, response_s, done_at, completion_s, withdrawn FROM projects_need_trace "
        "ORDER BY need"
    )

    def plain(rows):
        return [
            (
                int(row["need"]),
                _moment(row["responded_at"]),
                row["response_s"] and int(row["response_s"]),
                _moment(row["done_at"]),
                row["completion_s"] and int(row["completion_s"]),
                bool(row["withdrawn"]),
            )
            for row in rows
        ]

    assert plain(kept) == plain(recomputed)
    n = story.needs
    facts = {row[0]: row[1:] for row in plain(kept)}
    assert facts[n["n1"]][:4] == (T0 + timedelta(hours=2), 7200, T0 + timedelta(hours=10), 36000)
    assert facts[n["n6"]][4] is True and n["n7"] not in facts  # cancelled by its reporter, or not
    assert n["n13"] not in facts  # triaged by its own resident: no response
    migration = importlib.import_module("projects.piccolo_migrations.2026-12-10T00-00-00")
    assert migration.FIRST_RESPONSE_ACTIONS == stats.FIRST_RESPONSE_ACTIONS


def _moment(value):
    return None if value is None else as_utc(value)
