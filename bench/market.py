"""The market benchmark behind ``linli bench market``: redeem → fulfil through the domain, against
plain sqlite3 doing the same durable writes.

Everything runs on a temporary SQLite file with Linli's production settings (WAL,
``synchronous=FULL``), so every commit is a real durable write.

- ``redemption``: one member after another redeems an item and the provider fulfils it by code:
  two use cases, two transactions. The baseline is plain ``sqlite3`` on one reused connection doing
  the same writes in two ``BEGIN IMMEDIATE`` transactions: redeem (UPDATE stock, INSERT redemption,
  INSERT pending transfer, UPDATE two accounts' pending totals, INSERT reservation, INSERT event),
  fulfil (UPDATE redemption, INSERT posting transfer, UPDATE two accounts, DELETE reservation,
  INSERT event).
- ``concurrent_redemptions``: 32 members redeem at once (asyncio tasks on one engine), against the
  same redemptions made one after another: above 1 means the writer's group commit turns
  concurrency into throughput, even though every redemption of one item waits for its row lock.
- ``catalogue_page``: the first page of the catalogue with 500 items and with 5,000 (flat means
  it is served from the indexes).

Rounds interleave Linli and the baseline, so a disk whose speed drifts treats both alike.
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.loop import street
from ledger.transfers import transfer
from market.catalogue import ItemDraft, create_item, list_catalogue
from market.redemptions import fulfil, redeem
from projects.areas import issuer_account
from projects.members import member_account

T0 = datetime(2026, 12, 1, 9, tzinfo=UTC)

BASELINE_SCHEMA = """
CREATE TABLE item (id INTEGER PRIMARY KEY, stock INTEGER);
CREATE TABLE redemption (id INTEGER PRIMARY KEY, item INTEGER, member INTEGER, code TEXT UNIQUE,
                         status TEXT, transfer_id TEXT, updated_at TEXT);
CREATE TABLE event (seq INTEGER PRIMARY KEY, subject TEXT, subject_id INTEGER, action TEXT, at TEXT);
CREATE TABLE account (id TEXT PRIMARY KEY, posted INTEGER, pending INTEGER);
CREATE TABLE transfer (seq INTEGER PRIMARY KEY, id TEXT UNIQUE, debit TEXT, credit TEXT, amount INTEGER);
CREATE TABLE reservation (transfer_id TEXT PRIMARY KEY);
"""


def _baseline(path: Path, loops: int, offset: int) -> float:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    now = T0.isoformat()
    started = time.perf_counter()
    for number in range(offset, offset + loops):
        member = f"member:{number % 32}"
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("UPDATE item SET stock = stock - 1 WHERE id = 1 AND stock >= 1")
        redemption = connection.execute(
            "INSERT INTO redemption (item, member, code, status, transfer_id, updated_at) "
            "VALUES (1, ?, ?, 'pending', ?, ?)",
            (number, f"C{number:07d}", f"redemption:{number}", now),
        ).lastrowid
        connection.execute(
            "INSERT INTO transfer (id, debit, credit, amount) VALUES (?, ?, 'merchant', 10)",
            (f"redemption:{number}", member),
        )
        connection.execute("UPDATE account SET pending = pending - 10 WHERE id = ?", (member,))
        connection.execute("UPDATE account SET pending = pending + 10 WHERE id = 'merchant'")
        connection.execute("INSERT INTO reservation VALUES (?)", (f"redemption:{number}",))
        connection.execute(
            "INSERT INTO event (subject, subject_id, action, at) VALUES ('redemption', ?, 'redeem', ?)",
            (redemption, now),
        )
        connection.execute("COMMIT")
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(
            "UPDATE redemption SET status = 'fulfilled', updated_at = ? WHERE id = ?", (now, redemption)
        )
        connection.execute(
            "INSERT INTO transfer (id, debit, credit, amount) VALUES (?, ?, 'merchant', 10)",
            (f"redemption:{number}:fulfilled", member),
        )
        connection.execute(
            "UPDATE account SET pending = pending + 10, posted = posted - 10 WHERE id = ?", (member,)
        )
        connection.execute(
            "UPDATE account SET pending = pending - 10, posted = posted + 10 WHERE id = 'merchant'"
        )
        connection.execute("DELETE FROM reservation WHERE transfer_id = ?", (f"redemption:{number}",))
        connection.execute(
            "INSERT INTO event (subject, subject_id, action, at) VALUES ('redemption', ?, 'fulfil', ?)",
            (redemption, now),
        )
        connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


async def _items(staff, community: int, count: int, stock: int | None = None) -> list[int]:
    made = []
    for number in range(count):
        draft = ItemDraft(name=f"商品{number}", price=10, stock=stock, area_ids=[community])
        made.append((await create_item(staff, draft, community_id=community, now=T0)).id)
    return made


async def _run(directory: Path, quick: bool) -> dict:
    from web.database import close_database, migrate, open_database

    rounds, per_round = (3, 30) if quick else (6, 100)
    engine = await open_database(f"sqlite:///{directory / 'linli.sqlite'}")
    try:
        await migrate()
        community, staff, people = await street(32)
        for person in people:  # enough points for every redemption of the run
            await transfer(
                f"bench:{person.member_id}",
                issuer_account(community),
                member_account(person.member_id),
                10**6,
            )
        baseline = directory / "baseline.sqlite"
        setup = sqlite3.connect(baseline)
        setup.executescript(BASELINE_SCHEMA)
        setup.execute("INSERT INTO item VALUES (1, 1000000)")
        setup.executemany(
            "INSERT INTO account VALUES (?, 1000000, 0)",
            [("merchant",)] + [(f"member:{n}",) for n in range(32)],
        )
        setup.commit()
        setup.close()
        (item,) = await _items(staff, community, 1, stock=10**6)
        linli_s = baseline_s = 0.0
        for number in range(rounds):
            started = time.perf_counter()
            for loop in range(per_round):
                made = await redeem(people[loop % 32], item, 1, now=T0)
                await fulfil(staff, made.code, now=T0)
            linli_s += time.perf_counter() - started
            baseline_s += _baseline(baseline, per_round, number * per_round)
        loops = rounds * per_round
        result = {
            "redemption": {
                "linli_redemptions_per_s": round(loops / linli_s),
                "sqlite3_redemptions_per_s": round(loops / baseline_s),
                "ratio": round(baseline_s / linli_s, 2),
            }
        }
        items = await _items(staff, community, 32)
        sequential_s = concurrent_s = 0.0
        for _ in range(rounds):
            started = time.perf_counter()
            for person, item_id in zip(people, items, strict=True):
                await redeem(person, item_id, 1, now=T0)
            sequential_s += time.perf_counter() - started
            started = time.perf_counter()
            await asyncio.gather(
                *(redeem(person, item_id, 1, now=T0) for person, item_id in zip(people, items, strict=True))
            )
            concurrent_s += time.perf_counter() - started
        result["concurrent_redemptions"] = {
            "sequential_per_s": round(rounds * 32 / sequential_s),
            "concurrent_per_s": round(rounds * 32 / concurrent_s),
            "ratio": round(sequential_s / concurrent_s, 2),
        }
        result["catalogue_page"] = await _pages(staff, community, people[0], have=33)
        return result
    finally:
        await close_database(engine)


async def _pages(staff, community: int, member, have: int) -> dict:
    small, large = 500, 5000
    timings = {}
    for size in (small, large):
        await _items(staff, community, size - have)
        have = size
        await list_catalogue(member, now=T0)  # warm
        started = time.perf_counter()
        for _ in range(50):
            await list_catalogue(member, now=T0)
        timings[size] = (time.perf_counter() - started) / 50
    return {
        "items_small": small,
        "items_large": large,
        "page_ms_small": round(timings[small] * 1000, 2),
        "page_ms_large": round(timings[large] * 1000, 2),
        "ratio": round(timings[small] / timings[large], 2),
    }


def run(quick: bool = False) -> dict:
    directory = Path(tempfile.mkdtemp(prefix="linli-bench-market-"))
    try:
        return asyncio.run(_run(directory, quick))
    finally:
        shutil.rmtree(directory, ignore_errors=True)
