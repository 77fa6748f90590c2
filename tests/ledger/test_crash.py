"""A process killed (SIGKILL) while posting linked batches leaves no partial batch and a ledger that verifies.

Run as a script, this file is the process that gets killed (see ``_batch_poster_process``): three
posters in it post batches of 200 transfers in a loop, so on SQLite several batches often share
one group commit; every fourth batch ends with an overdraft and must leave no trace at all. It is
killed at random moments, and once while it holds a batch written in full but not yet committed.
"""

from __future__ import annotations

import asyncio
import collections
import os
import random
import re
import signal
import sys
import time
from pathlib import Path

import pytest

from ledger import accounts, errors, posting, transfers
from ledger.tables import Account, Transfer
from ledger.verify import verify
from web.database import open_database

ROOT = Path(__file__).resolve().parents[2]
BATCH_SIZE = 200
POSTERS = 3
MEMBERS = tuple(f"m{i}" for i in range(10))
BATCH_ID = re.compile(r"r(\d+)p(\d+)n(\d+)")
POLL_S = 0.005
WAIT_TIMEOUT_S = 30.0
HOLD_S = 600.0  # far longer than the test waits: the process dies holding the batch


def is_doomed(number: int) -> bool:
    """Every fourth batch of a poster overdraws m0 with its last transfer, so it must not post at all."""
    return number % 4 == 3


def batch_operations(batch_id: str, number: int) -> list[posting.NewTransfer]:
    """Batch ``number``: 199 grants from the issuer to the members, then m0 pays m1."""
    operations = [
        posting.NewTransfer(
            f"{batch_id}-{i}", "issuer", MEMBERS[i % len(MEMBERS)], 1 + (number + i) % 7, "PTS"
        )
        for i in range(BATCH_SIZE - 1)
    ]
    last_amount = 10**12 if is_doomed(number) else 5
    operations.append(posting.NewTransfer(f"{batch_id}-last", "m0", "m1", last_amount, "PTS"))
    return operations


async def _batch_poster_process(url: str, round_number: int, batch_to_hold: str) -> None:
    """Post batches until killed; exit non-zero on anything unexpected, so the test sees it.

    ``batch_to_hold``, if any, is written in full and then held uncommitted (its transaction open)
    until the process dies, after saying ``holding <batch id>``.
    """
    await open_database(url, pool_size=POSTERS)
    apply = posting.apply

    def apply_and_maybe_hold(operations, *, now, postgres, batch_id):
        records = yield from apply(operations, now=now, postgres=postgres, batch_id=batch_id)
        if batch_id == batch_to_hold and operations[-1].id.endswith("-last"):
            # Every row of the batch is written: stall before the commit, until killed.
            print(f"holding {batch_id}", flush=True)
            time.sleep(HOLD_S)
        return records

    posting.apply = apply_and_maybe_hold

    async def poster(poster_number: int) -> None:
        for number in range(1_000_000):
            batch_id = f"r{round_number}p{poster_number}n{number}"
            operations = batch_operations(batch_id, number)
            if is_doomed(number):
                try:
                    await transfers.post_batch(operations, batch_id=batch_id)
                except errors.Overdraft:
                    continue
                raise AssertionError(f"batch {batch_id} overdraws m0 but was posted")
            records = await transfers.post_batch(operations, batch_id=batch_id)
            assert [record.id for record in records] == [operation.id for operation in operations]

    await asyncio.gather(*(poster(number) for number in range(POSTERS)))


async def start_batch_poster(
    url: str, round_number: int, batch_to_hold: str = ""
) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        url,
        str(round_number),
        batch_to_hold,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=ROOT,
        env=env,
    )


async def fail_unless_running(child: asyncio.subprocess.Process) -> None:
    if child.returncode is not None:
        _, stderr = await child.communicate()
        pytest.fail(f"the batch poster stopped by itself ({child.returncode}):\n{stderr.decode()}")


async def kill(child: asyncio.subprocess.Process, after_s: float) -> None:
    await asyncio.sleep(after_s)
    await fail_unless_running(child)
    child.send_signal(signal.SIGKILL)
    await child.wait()
    assert child.returncode == -signal.SIGKILL


async def wait_for_transfers(child: asyncio.subprocess.Process, at_least: int) -> None:
    async with asyncio.timeout(WAIT_TIMEOUT_S):
        while await Transfer.count() < at_least:
            await fail_unless_running(child)
            await asyncio.sleep(POLL_S)


async def wait_for_line(child: asyncio.subprocess.Process, expected: str) -> None:
    async with asyncio.timeout(WAIT_TIMEOUT_S):
        line = await child.stdout.readline()
    if line.decode().strip() != expected:
        await fail_unless_running(child)
        pytest.fail(f"the batch poster said {line!r}, not {expected!r}")


async def expected_balances(single_transfers: dict[str, int]) -> dict[str, int]:
    """The balances the complete batches present (and the given single grants to m0) add up to.

    Asserts on the way that every batch is whole and that each poster's batches have no gap.
    """
    rows = await Transfer.raw(
        "SELECT batch_id, count(*) AS transfers FROM ledger_transfer GROUP BY batch_id ORDER BY batch_id"
    )
    sizes = {row["batch_id"]: row["transfers"] for row in rows}
    assert sizes.pop(None, 0) == len(single_transfers)
    partial = {batch_id: size for batch_id, size in sizes.items() if size != BATCH_SIZE}
    assert not partial, f"partial batches: {partial}"

    numbers_by_poster: dict[tuple[int, int], set[int]] = collections.defaultdict(set)
    balances = dict.fromkeys(("issuer", *MEMBERS), 0)
    for batch_id in sizes:
        round_number, poster_number, number = map(int, BATCH_ID.fullmatch(batch_id).groups())
        assert not is_doomed(number), f"batch {batch_id} overdraws m0, yet it is in the ledger"
        numbers_by_poster[round_number, poster_number].add(number)
        for operation in batch_operations(batch_id, number):
            balances[operation.debit_account_id] -= operation.amount
            balances[operation.credit_account_id] += operation.amount
    for poster, numbers in numbers_by_poster.items():
        posted_in_order = {n for n in range(max(numbers) + 1) if not is_doomed(n)}
        assert numbers == posted_in_order, f"poster {poster} has gaps: {sorted(posted_in_order - numbers)}"
    for amount in single_transfers.values():
        balances["issuer"] -= amount
        balances["m0"] += amount
    return balances


async def open_accounts() -> None:
    await accounts.open_account("issuer", asset="PTS", kind="issuer")
    for member in MEMBERS:
        await accounts.open_account(
            member, asset="PTS", kind="member", flags=accounts.DEBITS_MUST_NOT_EXCEED_CREDITS
        )


async def assert_whole_batches_and_a_ledger_that_verifies(
    single_transfers: dict[str, int], seed: int
) -> None:
    balances = {row["id"]: row["credits_posted"] - row["debits_posted"] for row in await Account.select()}
    assert balances == await expected_balances(single_transfers), f"seed {seed}"
    report = await verify()
    assert report.ok, f"seed {seed}\n{report.render()}"


async def post_after_the_kill(single_id: str, single_transfers: dict[str, int]) -> None:
    """The dead process holds no lock: this process posts at once."""
    async with asyncio.timeout(10):
        await transfers.transfer(single_id, "issuer", "m0", 3)
    single_transfers[single_id] = 3


@pytest.mark.slow
async def test_a_process_killed_at_random_moments_while_posting_batches_leaves_only_whole_batches(
    db, database_url
):
    seed = random.randrange(2**32)
    chance = random.Random(seed)
    await open_accounts()
    single_transfers: dict[str, int] = {}

    # Three kills: soon after the first batches, later, and much later; each a few ms off the count.
    for round_number, batches_first in enumerate(
        (chance.randint(1, 3), chance.randint(4, 9), chance.randint(10, 20))
    ):
        before = await Transfer.count()
        child = await start_batch_poster(database_url, round_number)
        await wait_for_transfers(child, before + batches_first * BATCH_SIZE)
        await kill(child, after_s=chance.uniform(0, 0.05))

        complete = await Transfer.count().where(Transfer.batch_id.like(f"r{round_number}p%")) // BATCH_SIZE
        assert complete >= batches_first, f"seed {seed}"
        await assert_whole_batches_and_a_ledger_that_verifies(single_transfers, seed)
        await post_after_the_kill(f"after-kill-{round_number}", single_transfers)

    await assert_whole_batches_and_a_ledger_that_verifies(single_transfers, seed)


@pytest.mark.slow
async def test_a_batch_written_but_not_committed_when_its_process_is_killed_leaves_no_trace(db, database_url):
    seed = random.randrange(2**32)
    chance = random.Random(seed)
    await open_accounts()
    number = chance.choice([n for n in range(2, 8) if not is_doomed(n)])
    held = f"r0p0n{number}"

    child = await start_batch_poster(database_url, 0, batch_to_hold=held)
    await wait_for_line(child, f"holding {held}")
    await kill(child, after_s=chance.uniform(0, 0.05))

    assert await Transfer.count().where(Transfer.batch_id == held) == 0
    assert await Transfer.count().where(Transfer.id.like(f"{held}-%")) == 0
    posted_before = sum(not is_doomed(n) for n in range(number))
    assert await Transfer.count().where(Transfer.batch_id.like("r0p0n%")) == posted_before * BATCH_SIZE
    await assert_whole_batches_and_a_ledger_that_verifies({}, seed)
    single_transfers: dict[str, int] = {}
    await post_after_the_kill("after-kill", single_transfers)
    await assert_whole_batches_and_a_ledger_that_verifies(single_transfers, seed)


if __name__ == "__main__":
    asyncio.run(_batch_poster_process(sys.argv[1], int(sys.argv[2]), sys.argv[3]))
