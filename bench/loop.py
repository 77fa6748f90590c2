"""The loop benchmark behind ``linli bench loop``: claim → check in → submit → confirm through the domain,
against plain sqlite3 doing the same durable writes.

Everything runs on a temporary SQLite file with Linli's production settings (WAL,
``synchronous=FULL``), so every commit is a real durable write.

- ``loop``: one volunteer after another claims a task, checks in, submits an hour and has it
  confirmed: four use cases, four transactions, the last one posting the points. The baseline is
  plain ``sqlite3`` on one reused connection doing the same writes in four ``BEGIN IMMEDIATE``
  transactions: claim (UPDATE task, INSERT claim, INSERT event), check in and submit (UPDATE
  claim, INSERT event each), confirm (UPDATE claim, INSERT event, INSERT transfer, UPDATE two
  balances, UPDATE task).
- ``concurrent_claims``: 32 volunteers claim 32 tasks at once (asyncio tasks on one engine);
  the ratio is against the same claims made one after another, so above 1 means the writer's
  group commit turns concurrency into throughput.
- ``open_tasks_page``: the first page of "open tasks near me" with 1,000 tasks and with 20,000
  (2,000 and 10,000 in quick mode): flat means the page is served from the indexes.

Rounds interleave Linli and the baseline, so a disk whose speed drifts treats both alike.
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from projects import areas, members
from projects.access import load_actor
from projects.claims import check_in, claim_task, confirm_work, submit_work
from projects.tasks import create_task, list_tasks

T0 = datetime(2026, 12, 1, 9, tzinfo=UTC)
T1 = T0 + timedelta(hours=1)  # an hour's work after checking in

BASELINE_SCHEMA = """
CREATE TABLE task (id INTEGER PRIMARY KEY, claimed INTEGER, status TEXT, updated_at TEXT);
CREATE TABLE claim (id INTEGER PRIMARY KEY, task INTEGER, member INTEGER, status TEXT, minutes INTEGER,
                    points INTEGER, updated_at TEXT);
CREATE TABLE event (seq INTEGER PRIMARY KEY, subject TEXT, subject_id INTEGER, action TEXT, at TEXT);
CREATE TABLE account (id TEXT PRIMARY KEY, balance INTEGER);
CREATE TABLE transfer (seq INTEGER PRIMARY KEY, id TEXT UNIQUE, debit TEXT, credit TEXT, amount INTEGER);
"""


async def street(volunteers: int):
    """A community with its staff and ``volunteers`` volunteers (their actors), for benchmarks."""
    district = await areas.create_area("district", "区", now=T0)
    street = await areas.create_area("street", "街道", parent_id=district.id, now=T0)
    community = await areas.create_area("community", "社区", parent_id=street.id, now=T0)
    password = members.hash_password("bench-password")
    staff = await members.create_member("13000000000", "社工", password_hash=password, now=T0)
    await members.grant_role(staff.id, community.id, "staff", now=T0)
    people = []
    for number in range(volunteers):
        member = await members.create_member(
            f"131{number:08d}", f"志愿者{number}", password_hash=password, now=T0
        )
        await members.grant_role(member.id, community.id, "volunteer", now=T0)
        people.append(await load_actor(member.id))
    return community.id, await load_actor(staff.id), people


async def _tasks(staff, community: int, count: int) -> list[int]:
    made = []
    for number in range(count):
        task = await create_task(
            staff, title=f"任务{number}", area_id=community, category="volunteer.events", capacity=1, now=T0
        )
        made.append(task.id)
    return made


def _baseline(path: Path, loops: int, offset: int) -> float:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    now = T0.isoformat()
    started = time.perf_counter()
    for number in range(offset, offset + loops):
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(
            "UPDATE task SET claimed = claimed + 1, status = 'full', updated_at = ? WHERE id = ?",
            (now, number),
        )
        claim = connection.execute(
            "INSERT INTO claim (task, member, status, updated_at) VALUES (?, ?, 'claimed', ?)",
            (number, number, now),
        ).lastrowid
        connection.execute(
            "INSERT INTO event (subject, subject_id, action, at) VALUES ('claim', ?, 'claim', ?)",
            (claim, now),
        )
        connection.execute("COMMIT")
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(
            "UPDATE claim SET status = 'checked_in', updated_at = ? WHERE id = ?", (now, claim)
        )
        connection.execute(
            "INSERT INTO event (subject, subject_id, action, at) VALUES ('claim', ?, 'check_in', ?)",
            (claim, now),
        )
        connection.execute("COMMIT")
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(
            "UPDATE claim SET status = 'submitted', minutes = 60, updated_at = ? WHERE id = ?", (now, claim)
        )
        connection.execute(
            "INSERT INTO event (subject, subject_id, action, at) VALUES ('claim', ?, 'submit', ?)",
            (claim, now),
        )
        connection.execute("COMMIT")
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(
            "UPDATE claim SET status = 'confirmed', points = 10, updated_at = ? WHERE id = ?", (now, claim)
        )
        connection.execute(
            "INSERT INTO event (subject, subject_id, action, at) VALUES ('claim', ?, 'confirm', ?)",
            (claim, now),
        )
        connection.execute(
            "INSERT INTO transfer (id, debit, credit, amount) VALUES (?, 'issuer', ?, 10)",
            (f"task:{number}", f"member:{number}"),
        )
        connection.execute("UPDATE account SET balance = balance - 10 WHERE id = 'issuer'")
        connection.execute("UPDATE account SET balance = balance + 10 WHERE id = ?", (f"member:{number}",))
        connection.execute("UPDATE task SET status = 'done', updated_at = ? WHERE id = ?", (now, number))
        connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


async def _loop(staff, people, tasks: list[int]) -> float:
    started = time.perf_counter()
    for volunteer, task_id in zip(people, tasks, strict=False):
        claim = await claim_task(volunteer, task_id, now=T0)
        await check_in(volunteer, claim.id, now=T0)
        await submit_work(volunteer, claim.id, minutes=60, now=T1)
        await confirm_work(staff, claim.id, now=T1)
    return time.perf_counter() - started


async def _run(directory: Path, quick: bool) -> dict:
    from web.database import close_database, migrate, open_database

    rounds, per_round = (3, 30) if quick else (6, 100)
    volunteers = per_round
    engine = await open_database(f"sqlite:///{directory / 'linli.sqlite'}")
    try:
        await migrate()
        community, staff, people = await street(volunteers)
        baseline = directory / "baseline.sqlite"
        setup = sqlite3.connect(baseline)
        setup.executescript(BASELINE_SCHEMA)
        setup.executemany(
            "INSERT INTO task (id, claimed, status) VALUES (?, 0, 'open')",
            [(n,) for n in range(rounds * per_round)],
        )
        setup.executemany(
            "INSERT INTO account VALUES (?, 0)",
            [("issuer",)] + [(f"member:{n}",) for n in range(rounds * per_round)],
        )
        setup.commit()
        setup.close()
        linli_s = baseline_s = 0.0
        for number in range(rounds):
            tasks = await _tasks(staff, community, per_round)
            linli_s += await _loop(staff, people, tasks)
            baseline_s += _baseline(baseline, per_round, number * per_round)
        loops = rounds * per_round
        result = {
            "loop": {
                "linli_loops_per_s": round(loops / linli_s),
                "sqlite3_loops_per_s": round(loops / baseline_s),
                "ratio": round(baseline_s / linli_s, 2),
            }
        }
        sequential_s = concurrent_s = 0.0
        for _ in range(rounds):
            tasks = await _tasks(staff, community, 2 * 32)
            started = time.perf_counter()
            for volunteer, task_id in zip(people[:32], tasks[:32], strict=False):
                await claim_task(volunteer, task_id, now=T0)
            sequential_s += time.perf_counter() - started
            started = time.perf_counter()
            await asyncio.gather(
                *(
                    claim_task(volunteer, task_id, now=T0)
                    for volunteer, task_id in zip(people[:32], tasks[32:], strict=False)
                )
            )
            concurrent_s += time.perf_counter() - started
        result["concurrent_claims"] = {
            "sequential_claims_per_s": round(rounds * 32 / sequential_s),
            "concurrent_claims_per_s": round(rounds * 32 / concurrent_s),
            "ratio": round(sequential_s / concurrent_s, 2),
        }
        result["open_tasks_page"] = await _pages(staff, community, people[0], quick)
        return result
    finally:
        await close_database(engine)


async def _pages(staff, community: int, volunteer, quick: bool) -> dict:
    small, large = (2000, 10000) if quick else (1000, 20000)
    timings = {}
    have = 0
    for size in (small, large):
        await _tasks(staff, community, size - have)
        have = size
        await list_tasks(volunteer)  # warm
        started = time.perf_counter()
        for _ in range(50):
            await list_tasks(volunteer)
        timings[size] = (time.perf_counter() - started) / 50
    return {
        "tasks_small": small,
        "tasks_large": large,
        "page_ms_small": round(timings[small] * 1000, 2),
        "page_ms_large": round(timings[large] * 1000, 2),
        "ratio": round(timings[small] / timings[large], 2),
    }


def run(quick: bool = False) -> dict:
    directory = Path(tempfile.mkdtemp(prefix="linli-bench-loop-"))
    try:
        return asyncio.run(_run(directory, quick))
    finally:
        shutil.rmtree(directory, ignore_errors=True)
