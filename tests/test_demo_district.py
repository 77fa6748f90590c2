"""``linli demo --scale tiny``: the district generator, run by the real command on an empty
database of each engine (CI's smoke test of ``--scale district``), then read back: the ledger
verifies, the trace agrees with the rows, the statistics count what plain SQL counts, the demo
accounts sign in, and a second run writes nothing."""

from __future__ import annotations

import asyncio
import os
import urllib.parse
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from demo.district import NAMED, SCALES
from ledger.tables import Transfer
from ledger.verify import verify
from projects import need_trace, stats
from projects.access import load_actor
from projects.members import authenticate, find_by_phone
from projects.stats import need_stats, stats_scope
from projects.tables import Area, Claim, Event, Member, Need, Role, Task
from tests.conftest import ENGINES, create_postgres_database
from tests.test_demo import counts, linli
from web.database import close_database, open_database


@pytest.fixture(scope="module", params=ENGINES)
def district(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("district")
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'district.sqlite'}"
    else:
        server = request.getfixturevalue("postgres_url")
        name = f"linli_district_{os.getpid()}"
        asyncio.run(create_postgres_database(server, name, replace=True))
        url = urllib.parse.urlparse(server)._replace(path=f"/{name}").geturl()
    before = datetime.now(UTC)
    first = linli("demo", "--scale", "tiny", url=url, cwd=folder)
    second = linli("demo", "--scale", "tiny", url=url, cwd=folder)
    return {"url": url, "first": first, "second": second, "before": before}


@pytest.fixture
async def opened(district: dict) -> AsyncIterator[dict]:
    engine = await open_database(district["url"], pool_size=2)
    yield district
    report = await verify()
    await close_database(engine)
    assert report.ok, report.render()


async def test_the_district_is_written_once_and_its_ledger_verifies(opened):
    assert opened["first"].startswith("district built in")
    assert opened["second"].startswith("a demo is already there: nothing written")
    assert counts(opened["first"]) == counts(opened["second"])
    found = counts(opened["first"])
    tiny = SCALES["tiny"]
    assert found["areas"] == 1 + tiny.streets * (
        1 + tiny.communities * (1 + tiny.grids * (1 + tiny.buildings * (1 + tiny.units)))
    )
    assert found["members"] == await Member.count() >= tiny.residents
    assert found["leaders"] == tiny.streets * tiny.communities * tiny.grids
    # Every confirmed claim banked its points through the ledger, once.
    confirmed = await Claim.count().where(Claim.status == "confirmed")
    assert confirmed > 0 and await Transfer.count() == confirmed == found["transfers"]
    for state in ("done", "rejected", "merged", "cancelled"):
        assert found[f"needs.{state}"] > 0, state
    assert found["needs.escalated"] > 0 and found["ratings"] > 0


async def test_the_history_lies_within_the_scales_days_and_before_now(opened):
    first = await Need.select(Need.created_at).order_by(Need.created_at).first()
    last = await Event.select(Event.created_at).order_by(Event.created_at, ascending=False).first()
    assert opened["before"] - timedelta(days=SCALES["tiny"].days + 1) < first["created_at"]
    assert last["created_at"] < datetime.now(UTC)
    # The trace is in time order, as if appended as it happened.
    rows = await Event.select(Event.seq, Event.created_at).order_by(Event.seq)
    assert [row["created_at"] for row in rows] == sorted(row["created_at"] for row in rows)


async def test_rows_obey_the_loops_rules(opened):
    # A task of a done need is done with its one claim confirmed; a claim's performer never
    # asked for the need; an in-progress need has a task.
    bad = await Need.raw(
        "SELECT COUNT(*) AS n FROM projects_task t JOIN projects_need n ON n.id = t.need "
        "JOIN projects_claim c ON c.task = t.id WHERE (n.status = 'done') <> (t.status = 'done' "
        "AND c.status = 'confirmed') OR c.member = n.resident"
    )
    assert int(bad[0]["n"]) == 0
    orphans = await Need.raw(
        "SELECT COUNT(*) AS n FROM projects_need n WHERE n.status = 'in_progress' "
        "AND NOT EXISTS (SELECT 1 FROM projects_task t WHERE t.need = n.id)"
    )
    assert int(orphans[0]["n"]) == 0
    assert await Task.count() >= await Claim.count()


async def test_the_trace_kept_for_statistics_matches_the_events(opened):
    recompute = need_trace.recompute_sql(stats.FIRST_RESPONSE_ACTIONS, Need._meta.db.engine_type)
    recomputed = await Need.raw(
        f"SELECT COUNT(*) AS n FROM ({recompute}) r "
        "WHERE r.responded_at IS NOT NULL OR r.done_at IS NOT NULL OR r.withdrawn = 1"
    )
    kept = await Need.raw("SELECT COUNT(*) AS n FROM projects_need_trace")
    assert int(kept[0]["n"]) == int(recomputed[0]["n"]) > 0


async def test_the_district_staff_see_what_plain_sql_counts(opened):
    district = await Area.select(Area.id).where(Area.parent.is_null()).first()
    staff = await load_actor((await find_by_phone(NAMED[9][0])).id)
    now = datetime.now(UTC)
    scope = await stats_scope(staff, area_id=district["id"], first=None, end=None, now=now)
    scope = await stats_scope(
        staff,
        area_id=district["id"],
        first=scope.period.end - timedelta(days=365),
        end=scope.period.end,
        now=now,
    )
    found = await need_stats(scope, ("area", "month"))
    plain = await Need.raw(
        "SELECT COUNT(*) AS n, SUM(CASE WHEN status IN ('done', 'rejected') THEN 1 ELSE 0 END) AS handled "
        "FROM projects_need WHERE status <> 'merged' AND NOT (status = 'cancelled' AND reporter IN "
        "(SELECT actor FROM projects_event e WHERE e.subject = 'need' AND e.subject_id = projects_need.id "
        "AND e.action = 'cancel'))"
    )
    assert (found.totals.reported, found.totals.handled) == (int(plain[0]["n"]), int(plain[0]["handled"]))
    assert sum(group.reported for group in found.groups["area"]) == found.totals.reported
    assert found.totals.first_response_hours.median is not None


async def test_the_demo_accounts_sign_in_with_the_demo_password(opened):
    for phone, _role in NAMED:
        assert (await authenticate(phone, "linli-demo")).phone == phone
    volunteers = await Role.count().where(Role.role == "volunteer")
    assert volunteers >= 100
    assert await find_by_phone("13900000000") is not None


async def test_nothing_is_left_to_bank(opened):
    from demo.district import Phases, bank_confirmed_claims

    assert await bank_confirmed_claims(Phases()) == 0
