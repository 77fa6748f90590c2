"""Several processes claiming the same places at once: the database decides, not a lock here."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time

import pytest

from projects.access import load_actor
from projects.tables import Claim, Task
from projects.tasks import create_task
from tests.projects.community import T0, build_street

CLAIMER = """
import asyncio, json, sys, time
from web.database import open_database, close_database
from projects.access import load_actor
from projects.claims import claim_task
from projects import errors
from datetime import datetime, UTC

async def main(url, task_id, member_ids, start):
    engine = await open_database(url, pool_size=2)
    actors = [await load_actor(m) for m in member_ids]
    time.sleep(max(0.0, start - time.time()))
    results = []
    for actor in actors:
        try:
            await claim_task(actor, task_id, now=datetime.now(UTC))
            results.append("won")
        except errors.TaskFull:
            results.append("full")
    await close_database(engine)
    print(json.dumps(results))

asyncio.run(main(sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3]), float(sys.argv[4])))
"""


@pytest.mark.slow
async def test_eight_processes_claiming_three_places_fill_exactly_three(db, database_url):
    street = await build_street(T0, volunteers=16)
    staff = await load_actor(street.staff)
    task = await create_task(
        staff, title="搬运物资", area_id=street.community, category="volunteer.events", capacity=3, now=T0
    )
    start = time.time() + 3
    groups = [street.volunteers[n::8] for n in range(8)]  # two volunteers per process
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            CLAIMER,
            database_url,
            str(task.id),
            json.dumps(group),
            str(start),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env={**os.environ},
        )
        for group in groups
    ]
    outcomes = []
    for process in processes:
        out, err = await process.communicate()
        assert process.returncode == 0, err.decode()
        outcomes += json.loads(out)
    assert sorted(outcomes) == ["full"] * 13 + ["won"] * 3
    row = await Task.select(Task.claimed, Task.status).where(Task.id == task.id).first()
    assert row == {"claimed": 3, "status": "full"}
    assert await Claim.count().where(Claim.task == task.id) == 3
