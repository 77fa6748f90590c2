"""Leases of the periodic jobs: one holder at a time, taken over once it expires, and of
processes racing for it, exactly one wins each period."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest

from projects import leases
from projects.tables import Lease

T0 = datetime(2026, 12, 20, 9, tzinfo=UTC)
TTL = timedelta(seconds=60)


async def test_a_free_lease_is_taken_and_another_holder_is_refused_until_it_expires(db):
    assert await leases.take("sweep", "a", ttl=TTL, now=T0)
    assert not await leases.take("sweep", "b", ttl=TTL, now=T0 + timedelta(seconds=59))
    assert await leases.holder_of("sweep", now=T0 + timedelta(seconds=59)) == "a"
    assert await leases.take("sweep", "b", ttl=TTL, now=T0 + TTL)  # expired: b takes it over
    row = await Lease.select().where(Lease.name == "sweep").first()
    assert (row["holder"], row["taken_at"], row["expires_at"]) == ("b", T0 + TTL, T0 + 2 * TTL)


async def test_the_holder_renews_its_own_lease_and_keeps_when_it_took_it(db):
    assert await leases.take("sweep", "a", ttl=TTL, now=T0)
    assert await leases.take("sweep", "a", ttl=TTL, now=T0 + timedelta(seconds=30))
    assert await leases.renew("sweep", "a", ttl=TTL, now=T0 + timedelta(seconds=50))
    row = await Lease.select().where(Lease.name == "sweep").first()
    assert (row["taken_at"], row["renewed_at"]) == (T0, T0 + timedelta(seconds=50))
    assert row["expires_at"] == T0 + timedelta(seconds=110)
    assert not await leases.renew("sweep", "b", ttl=TTL, now=T0 + timedelta(seconds=60))


async def test_a_released_lease_is_free_at_once_and_only_its_holder_releases_it(db):
    assert await leases.take("sweep", "a", ttl=TTL, now=T0)
    assert not await leases.release("sweep", "b")
    assert await leases.release("sweep", "a")
    assert await leases.holder_of("sweep", now=T0) is None
    assert await leases.take("sweep", "b", ttl=TTL, now=T0 + timedelta(seconds=1))


async def test_leases_of_different_jobs_are_independent(db):
    assert await leases.take("sweep", "a", ttl=TTL, now=T0)
    assert await leases.take("anchor", "b", ttl=TTL, now=T0)
    ran, result = await leases.run_if_held("sweep", "b", _answer, ttl=TTL, now=T0)
    assert (ran, result) == (False, None)
    assert await leases.run_if_held("anchor", "b", _answer, ttl=TTL, now=T0) == (True, 42)


async def _answer() -> int:
    return 42


async def test_a_bad_name_or_lifetime_is_refused(db):
    with pytest.raises(ValueError):
        await leases.take("", "a", ttl=TTL, now=T0)
    with pytest.raises(ValueError):
        await leases.take("x" * 65, "a", ttl=TTL, now=T0)
    with pytest.raises(ValueError):
        await leases.take("sweep", "a", ttl=timedelta(0), now=T0)


async def test_connections_racing_for_a_lease_leave_one_winner(db):
    results = await asyncio.gather(*(leases.take("sweep", f"h{n}", ttl=TTL, now=T0) for n in range(16)))
    assert sum(results) == 1


RACER = """
import asyncio, json, sys, time
from datetime import datetime, timedelta, UTC
from web.database import open_database, close_database
from projects import leases

async def main(url, holder, start, periods):
    engine = await open_database(url, pool_size=2)
    t0 = datetime(2026, 12, 20, 9, tzinfo=UTC)
    won = []
    for period in range(periods):
        # Every process starts each period's race at the same wall-clock moment.
        time.sleep(max(0.0, start + period * 0.5 - time.time()))
        now = t0 + period * timedelta(seconds=60)  # the last period's lease has just expired
        if await leases.take("deadline sweep", holder, ttl=timedelta(seconds=60), now=now):
            won.append(period)
    await close_database(engine)
    print(json.dumps(won))

asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])))
"""


@pytest.mark.slow
async def test_processes_racing_for_a_lease_each_period_leave_exactly_one_winner_per_period(db, database_url):
    processes_count, periods = 4, 4
    start = time.time() + 3  # time for every process to import and open the database
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            RACER,
            database_url,
            f"process-{n}",
            str(start),
            str(periods),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env={**os.environ},
        )
        for n in range(processes_count)
    ]
    winners: list[int] = []
    for process in processes:
        out, err = await process.communicate()
        assert process.returncode == 0, err.decode()
        winners += json.loads(out)
    assert sorted(winners) == list(range(periods))  # each period won once, by one process
