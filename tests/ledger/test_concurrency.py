"""Concurrent postings stay exact: draining one account, one id posted many times, one pending resolved.

The posters run in this process (through its engine: a pool of 20 connections on PostgreSQL, the
group-committing writer on SQLite) and in other OS processes, each with its own engine and so its
own connections on the same database. Across processes nothing but the database keeps the ledger
right: BEGIN IMMEDIATE and the busy timeout on SQLite, the ledger's advisory lock on PostgreSQL.

Run as a script, this file is one of those other processes (see ``_poster_process``).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from ledger import accounts, errors, transfers
from ledger.posting import TransferRecord
from ledger.tables import Reservation, Transfer
from ledger.verify import verify
from web.database import close_database, open_database

ROOT = Path(__file__).resolve().parents[2]

MEMBER = accounts.DEBITS_MUST_NOT_EXCEED_CREDITS
STARTUP_TIMEOUT_S = 60.0
RUN_TIMEOUT_S = 120.0

# A job is a list of calls that one poster makes one after another; a call is
# [function name, positional arguments, keyword arguments]. An outcome is ["ok", record as JSON]
# or ["error", exception class name, message], the same whichever process made the call.
Call = list[Any]
Job = list[Call]
Outcome = list[Any]

CALLS = {
    "transfer": transfers.transfer,
    "post_pending": transfers.post_pending,
    "void_pending": transfers.void_pending,
}


def as_json(record: TransferRecord) -> dict[str, Any]:
    fields = record._asdict()
    fields["created_at"] = record.created_at.isoformat()
    return fields


async def run_job(job: Job) -> list[Outcome]:
    outcomes: list[Outcome] = []
    for name, args, kwargs in job:
        try:
            record = await CALLS[name](*args, **kwargs)
        except Exception as error:  # noqa: BLE001 - every refusal is reported, the test judges it
            outcomes.append(["error", type(error).__name__, str(error)])
        else:
            outcomes.append(["ok", as_json(record)])
    return outcomes


async def _poster_process(url: str, jobs: list[Job]) -> None:
    """A separate process: its own engine, then every job at once on the parent's "go"."""
    engine = await open_database(url, pool_size=len(jobs))
    await accounts.get_account("warm-up")  # connect before the start line, not after it
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        raise SystemExit("the test went away before the start")
    outcomes = await asyncio.gather(*(run_job(job) for job in jobs))
    print(json.dumps(outcomes), flush=True)
    await close_database(engine)


async def run_posters(url: str, *, here: list[Job], elsewhere: list[list[Job]]) -> list[Outcome]:
    """Run ``here``'s jobs in this process and each list of ``elsewhere`` in a process of its own,
    all starting together; answer every call's outcome."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    children = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            url,
            json.dumps(jobs),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            cwd=ROOT,
            env=env,
        )
        for jobs in elsewhere
    ]
    try:
        async with asyncio.timeout(STARTUP_TIMEOUT_S):
            lines = await asyncio.gather(*(child.stdout.readline() for child in children))
        for child, line in zip(children, lines, strict=True):
            if line.strip() != b"ready":
                _, stderr = await child.communicate()
                pytest.fail(f"a poster process did not start: {line!r}\n{stderr.decode()}")
        for child in children:
            child.stdin.write(b"go\n")
        async with asyncio.timeout(RUN_TIMEOUT_S):
            local, *remote = await asyncio.gather(
                asyncio.gather(*(run_job(job) for job in here)),
                *(child.communicate() for child in children),
            )
    finally:
        for child in children:
            if child.returncode is None:
                child.kill()
                await child.wait()
    outcomes = [outcome for job in local for outcome in job]
    for child, (stdout, stderr) in zip(children, remote, strict=True):
        assert child.returncode == 0, f"a poster process failed:\n{stderr.decode()}"
        outcomes += [outcome for job in json.loads(stdout) for outcome in job]
    return outcomes


def successes(outcomes: list[Outcome]) -> list[dict[str, Any]]:
    return [outcome[1] for outcome in outcomes if outcome[0] == "ok"]


def refusals(outcomes: list[Outcome]) -> list[str]:
    return [outcome[1] for outcome in outcomes if outcome[0] == "error"]


async def open_accounts() -> None:
    await accounts.open_account("issuer", asset="PTS", kind="issuer")
    await accounts.open_account("member", asset="PTS", kind="member", flags=MEMBER)
    await accounts.open_account("shop", asset="PTS", kind="merchant")


async def transfer_count(**where: str) -> int:
    query = Transfer.count()
    for column, value in where.items():
        query = query.where(getattr(Transfer, column) == value)
    return await query


@pytest.mark.slow
async def test_fifty_concurrent_posters_drain_a_member_account_exactly_and_never_below_zero(db, database_url):
    funds, price, attempts = 1000, 30, 4
    await open_accounts()
    await transfers.transfer("fund", "issuer", "member", funds)

    def poster(name: str) -> Job:
        return [["transfer", [f"take-{name}-{n}", "member", "shop", price], {}] for n in range(attempts)]

    # 20 posters here (a pool of 20 on PostgreSQL, the writer on SQLite), 30 in 6 other processes.
    here = [poster(f"here{i}") for i in range(20)]
    elsewhere = [[poster(f"p{p}j{j}") for j in range(5)] for p in range(6)]

    samples: list[accounts.Balance] = []
    done = asyncio.Event()

    async def sample_the_balance() -> None:
        while not done.is_set():
            samples.append(await accounts.balance("member"))
            await asyncio.sleep(0.002)

    sampler = asyncio.create_task(sample_the_balance())
    try:
        outcomes = await run_posters(database_url, here=here, elsewhere=elsewhere)
    finally:
        done.set()
        await sampler

    assert len(outcomes) == 50 * attempts
    taken = successes(outcomes)
    assert len(taken) == funds // price == 33
    assert set(refusals(outcomes)) == {"Overdraft"}, refusals(outcomes)
    assert len({record["id"] for record in taken}) == len(taken)
    assert await accounts.balance("member") == accounts.Balance(posted=10, pending=0, available=10)
    assert (await accounts.balance("shop")).posted == 33 * price
    assert await transfer_count(debit_account="member") == 33

    history = sorted(record["debit_balance_after"] for record in taken)
    assert history == list(range(funds - 33 * price, funds, price))  # 10, 40, ..., 970: each once
    assert samples and min(sample.available for sample in samples) >= 0
    posted = [sample.posted for sample in samples]
    assert posted == sorted(posted, reverse=True), "a later read saw more than an earlier one"

    report = await verify()
    assert report.ok, report.render()


@pytest.mark.slow
async def test_one_transfer_id_posted_forty_times_at_once_lands_exactly_once(db, database_url):
    await open_accounts()
    call = ["transfer", ["once", "issuer", "member", 70], {"reason": "grant", "reference": "task:1"}]

    outcomes = await run_posters(
        database_url, here=[[call] for _ in range(20)], elsewhere=[[[call]] * 5 for _ in range(4)]
    )

    assert len(outcomes) == 40
    assert refusals(outcomes) == []
    stored = as_json(await transfers.get_transfer("once"))
    assert all(record == stored for record in successes(outcomes))
    assert await transfer_count() == 1
    assert await accounts.balance("member") == accounts.Balance(posted=70, pending=0, available=70)
    assert (await accounts.balance("issuer")).posted == -70


@pytest.mark.slow
async def test_one_transfer_id_posted_at_once_with_different_amounts_lands_once_and_refuses_the_rest(
    db, database_url
):
    await open_accounts()

    def call(amount: int) -> Call:
        return ["transfer", ["contested", "issuer", "member", amount], {}]

    outcomes = await run_posters(
        database_url,
        here=[[call(amount)] for amount in range(1, 7)],
        elsewhere=[[[call(amount)]] for amount in range(7, 11)],
    )

    (winner,) = successes(outcomes)
    assert refusals(outcomes) == ["TransferConflict"] * 9
    assert await transfer_count() == 1
    assert (await accounts.balance("member")).posted == winner["amount"]


@pytest.mark.slow
async def test_ten_concurrent_posts_and_voids_of_one_pending_transfer_resolve_it_exactly_once(
    db, database_url
):
    await open_accounts()
    await transfers.transfer("fund", "issuer", "member", 100)
    await transfers.reserve("hold", "member", "shop", 60)

    def resolver(i: int) -> Job:
        if i % 2:
            return [["void_pending", [f"void-{i}", "hold"], {}]]
        return [["post_pending", [f"post-{i}", "hold"], {}]]

    outcomes = await run_posters(
        database_url,
        here=[resolver(i) for i in range(4)],
        elsewhere=[[resolver(i) for i in range(4, 7)], [resolver(i) for i in range(7, 10)]],
    )

    (winner,) = successes(outcomes)
    assert winner["pending_id"] == "hold"
    if winner["kind"] == "post":
        assert refusals(outcomes) == ["PendingAlreadyPosted"] * 9
        assert await accounts.balance("member") == accounts.Balance(posted=40, pending=0, available=40)
        assert (await accounts.balance("shop")).posted == 60
    else:
        assert winner["kind"] == "void"
        assert refusals(outcomes) == ["PendingAlreadyVoided"] * 9
        assert await accounts.balance("member") == accounts.Balance(posted=100, pending=0, available=100)
        assert await accounts.balance("shop") == accounts.Balance(posted=0, pending=0, available=0)
    assert await transfer_count(pending="hold") == 1
    assert await Reservation.count() == 0
    with pytest.raises((errors.PendingAlreadyPosted, errors.PendingAlreadyVoided)):
        await transfers.void_pending("void-late", "hold")


if __name__ == "__main__":
    asyncio.run(_poster_process(sys.argv[1], json.loads(sys.argv[2])))
