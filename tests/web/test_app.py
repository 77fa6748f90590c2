"""The real app, through Litestar's test client, on SQLite and on PostgreSQL.

The test client runs the app (and its lifespan: database, migrations, expiry sweep) in a thread of
its own, with its own event loop; so these tests prepare data before the app starts and look at
the database from outside with a plain connection, never through the app's engine.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from ledger.accounts import DEBITS_MUST_NOT_EXCEED_CREDITS, open_account
from ledger.anchor import latest_anchor
from ledger.transfers import expiry_id, reserve, transfer
from projects import leases
from web import app as web_app
from web.app import PeriodicJob, Settings, anchor_daily, create_app, run_periodic_jobs
from web.database import close_database, open_database


@pytest.fixture
def empty_database_url(databases) -> str:
    """A database that exists but was never migrated."""
    return databases.new_url(migrated=False)


def engine_name(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


async def fetch_value(url: str, sql: str):
    """The first column of the first row of ``sql``, read with a plain connection (None: no row)."""
    if url.startswith("sqlite"):
        connection = sqlite3.connect(url[len("sqlite:///") :])
        try:
            row = connection.execute(sql).fetchone()
        finally:
            connection.close()
        return row[0] if row else None
    connection = await asyncpg.connect(url)
    try:
        return await connection.fetchval(sql)
    finally:
        await connection.close()


async def write_ledger(url: str, *, transfers: int = 0, due_hold: str | None = None) -> None:
    """Some transfers, and optionally a pending transfer whose timeout passed an hour ago."""
    engine = await open_database(url)
    try:
        await open_account("issuer", asset="PTS", kind="issuer")
        await open_account("member:1", asset="PTS", kind="member", flags=DEBITS_MUST_NOT_EXCEED_CREDITS)
        await open_account("merchant:1", asset="PTS", kind="merchant")
        for number in range(transfers):
            await transfer(f"t{number}", "issuer", "member:1", 10, reason="task")
        if due_hold:
            an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
            await reserve(due_hold, "member:1", "merchant:1", 5, timeout_s=60, now=an_hour_ago)
    finally:
        await close_database(engine)


async def test_health_names_the_engine_and_counts_the_transfers(database_url):
    await write_ledger(database_url, transfers=3)
    async with AsyncTestClient(create_app(database_url, sweep_interval_s=0)) as client:
        response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": engine_name(database_url), "transfers": 3}


async def test_the_openapi_schema_is_served_as_json(database_url):
    async with AsyncTestClient(create_app(database_url, sweep_interval_s=0)) as client:
        response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Linli 邻里 API"
    assert schema["info"]["version"]
    assert "/health" in schema["paths"]


async def test_the_app_migrates_an_empty_database_as_it_starts(empty_database_url, monkeypatch):
    monkeypatch.setenv("LINLI_DATABASE_URL", empty_database_url)  # the way `linli serve` passes it
    async with AsyncTestClient(create_app(sweep_interval_s=0)) as client:
        response = await client.get("/health")
    assert response.json() == {"status": "ok", "database": engine_name(empty_database_url), "transfers": 0}
    applied = await fetch_value(
        empty_database_url, "SELECT COUNT(*) FROM migration WHERE app_name = 'ledger'"
    )
    assert applied >= 1


async def test_the_app_expires_due_reservations_and_anchors_the_ledger_daily_in_the_background(
    database_url, tmp_path, monkeypatch
):
    await write_ledger(database_url, transfers=1, due_hold="hold-1")
    expired_sql = f"SELECT kind FROM ledger_transfer WHERE id = '{expiry_id('hold-1')}'"
    anchors = tmp_path / "anchors.jsonl"
    monkeypatch.setenv("LINLI_ANCHOR_FILE", str(anchors))
    async with AsyncTestClient(create_app(database_url, sweep_interval_s=0.05)):
        for _ in range(200):
            if await fetch_value(database_url, expired_sql) and anchors.exists():
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # a few more rounds of the jobs: the day's anchor is not repeated
    assert await fetch_value(database_url, expired_sql) == "expire"
    (anchored,) = anchors.read_text().splitlines()
    head = await fetch_value(database_url, "SELECT hash FROM ledger_transfer ORDER BY seq DESC LIMIT 1")
    assert latest_anchor(anchors).hash == head and '"seq":3' in anchored  # after the expiry


async def test_the_daily_anchor_is_written_when_the_last_is_a_day_old(tmp_path, database_url):
    await write_ledger(database_url, transfers=2)
    engine = await open_database(database_url)
    try:
        path, now = tmp_path / "anchors.jsonl", datetime(2026, 12, 9, 9, tzinfo=UTC)
        first = await anchor_daily(path, now, None)
        assert first == now
        assert await anchor_daily(path, now + timedelta(hours=23), None) == now  # read from the file
        assert await anchor_daily(path, now + timedelta(hours=24), first) == now + timedelta(hours=24)
        assert len(path.read_text().splitlines()) == 2
    finally:
        await close_database(engine)


async def test_a_failing_job_is_logged_and_tried_again(db, monkeypatch, caplog):
    calls = []

    async def flaky_expire_all_due(now):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return 0

    async def failing_sweep(now):
        raise RuntimeError("deadline sweep broke")

    monkeypatch.setattr(web_app, "expire_all_due", flaky_expire_all_due)
    monkeypatch.setattr(web_app, "sweep", failing_sweep)
    with caplog.at_level(logging.INFO, logger="web.app"):
        stop = asyncio.Event()
        sweeper = asyncio.create_task(run_periodic_jobs(0.01, web_app.utcnow, stop))
        for _ in range(200):
            if len(calls) >= 3:
                break
            await asyncio.sleep(0.01)
        stop.set()
        await asyncio.wait_for(sweeper, 5)  # it stops by itself once told
    assert len(calls) >= 3
    assert "reservation expiry failed" in caplog.text
    assert "database went away" in caplog.text
    assert "deadline sweep failed" in caplog.text
    assert "deadline sweep broke" in caplog.text


async def test_two_workers_run_each_job_once_per_period_and_the_survivor_takes_over(db):
    """Two processes' job loops on one database: each period's job runs in one of them only;
    when that one stops, the other takes its jobs over at once (the lease is given up)."""
    runs: list[str] = []

    def job(holder: str) -> list[PeriodicJob]:
        async def record(now):
            runs.append(holder)

        return [PeriodicJob("test job", record)]

    stops = {holder: asyncio.Event() for holder in ("first", "second")}
    loops = {
        holder: asyncio.create_task(
            run_periodic_jobs(0.02, web_app.utcnow, stop, jobs=job(holder), holder=holder)
        )
        for holder, stop in stops.items()
    }
    for _ in range(500):
        if len(runs) >= 20:
            break
        await asyncio.sleep(0.01)
    assert len(set(runs)) == 1, runs  # one holder ran every period
    (first,) = set(runs)
    stops[first].set()
    await asyncio.wait_for(loops[first], 5)
    assert await leases.holder_of("test job", now=web_app.utcnow()) in (None, *stops)
    before = len(runs)
    for _ in range(500):
        if len(runs) >= before + 5:
            break
        await asyncio.sleep(0.01)
    (second,) = set(stops) - {first}
    assert set(runs[before:]) == {second}
    stops[second].set()
    await asyncio.wait_for(loops[second], 5)
    assert await leases.holder_of("test job", now=web_app.utcnow()) is None


def test_the_sweep_interval_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("LINLI_SWEEP_INTERVAL_S", "2.5")
    assert Settings.from_env().sweep_interval_s == 2.5
    monkeypatch.delenv("LINLI_SWEEP_INTERVAL_S")
    assert Settings.from_env().sweep_interval_s == 30
    monkeypatch.setenv("LINLI_SWEEP_INTERVAL_S", "soon")
    with pytest.raises(ValueError, match="LINLI_SWEEP_INTERVAL_S"):
        Settings.from_env()


async def test_the_delivery_and_the_digest_run_in_one_worker_at_a_time(db, monkeypatch):
    """Every periodic job, main's notification delivery and digest included, runs by its lease:
    of two workers' loops, one runs each job each period; the delivery keeps its own period."""
    runs: list[tuple[str, str]] = []

    async def deliver(settings, clock):
        runs.append(("notification delivery", asyncio.current_task().get_name()))
        return {"sent": 0}

    async def digests(now):
        runs.append(("digest", asyncio.current_task().get_name()))
        return 0

    monkeypatch.setattr(web_app, "deliver_due", deliver)
    monkeypatch.setattr(web_app, "write_digests", digests)
    delivery = web_app.DeliverySettings(None, "http://linli.test")
    stop = asyncio.Event()
    loops = [
        asyncio.create_task(
            run_periodic_jobs(
                0.5, web_app.utcnow, stop, notify_interval_s=0.02, delivery=delivery, holder=holder
            ),
            name=holder,
        )
        for holder in ("first", "second")
    ]
    for _ in range(500):
        if sum(job == "notification delivery" for job, _ in runs) >= 20:
            break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(asyncio.gather(*loops), 5)
    delivered_by = {worker for job, worker in runs if job == "notification delivery"}
    digested_by = {worker for job, worker in runs if job == "digest"}
    assert len(delivered_by) == 1 and len(digested_by) == 1, runs
    # The delivery runs at its own period (0.02 s), more often than the digest (the sweep's 0.5 s).
    digests, deliveries = (
        sum(job == name for job, _ in runs) for name in ("digest", "notification delivery")
    )
    assert digests < deliveries, runs


async def test_a_rare_job_s_lease_is_renewed_meanwhile_so_that_a_dead_holder_frees_it_soon(db, monkeypatch):
    """An hourly job's lease is not held for hours: its holder renews it every few seconds for
    ``LEASE_TTL`` (a worker killed without giving it up frees it within that time)."""
    from projects.tables import Lease

    monkeypatch.setattr(web_app, "RENEW_LEASES_S", 0.05)
    runs: list[datetime] = []

    async def record(now):
        runs.append(now)

    async def expires_at() -> datetime:
        row = await Lease.select(Lease.expires_at).where(Lease.name == "rare job").first()
        return row["expires_at"]

    stop = asyncio.Event()
    loop = asyncio.create_task(
        run_periodic_jobs(3600, web_app.utcnow, stop, jobs=[PeriodicJob("rare job", record)], holder="first")
    )
    try:
        for _ in range(500):
            if runs:
                break
            await asyncio.sleep(0.01)
        first = await expires_at()
        assert first - runs[0] < web_app.LEASE_TTL + timedelta(seconds=2)  # not the hour of its period
        await asyncio.sleep(0.5)
        assert await expires_at() > first  # renewed although the job is not due for an hour
        assert len(runs) == 1
    finally:
        stop.set()
        await asyncio.wait_for(loop, 5)
