"""Tampering: the database refuses to change a transfer, and verify catches what gets past it."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator

import asyncpg
import pytest

from ledger import transfers
from ledger.posting import transfer_hash
from ledger.tables import Transfer
from ledger.verify import verify
from tests.ledger.street import T0, at, open_street
from web.database import close_database, open_database


async def small_history(url: str) -> AsyncIterator[str]:
    engine = await open_database(url)
    await open_street()
    await transfers.transfer("issue-1", "issuer", "alice", 100, reason="task", now=T0)
    await transfers.transfer("issue-2", "issuer", "bob", 50, reason="task", now=at(1))
    await transfers.transfer("pay-1", "alice", "bob", 30, reason="exchange", now=at(2))
    await transfers.reserve("hold-1", "alice", "shop", 20, timeout_s=3600, now=at(3))
    await transfers.transfer("pay-2", "bob", "alice", 5, reason="exchange", now=at(4))
    assert (await verify()).ok
    yield url
    await close_database(engine)


@pytest.fixture
async def ledger(database_url: str) -> AsyncIterator[str]:
    """A small history on a fresh database (not verified at teardown: these tests break it)."""
    async for url in small_history(database_url):
        yield url


@pytest.fixture
async def postgres_ledger(postgres_databases) -> AsyncIterator[str]:
    async for url in small_history(postgres_databases.new_url()):
        yield url


async def raw(url: str, *statements: str) -> None:
    """Run SQL behind Linli's back, on a connection of its own."""
    if url.startswith("sqlite"):
        connection = sqlite3.connect(url[len("sqlite:///") :], isolation_level=None)
        try:
            for statement in statements:
                connection.execute(statement)
        finally:
            connection.close()
        return
    connection = await asyncpg.connect(url)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


def drop_guards(url: str) -> list[str]:
    if url.startswith("sqlite"):
        return ["DROP TRIGGER ledger_transfer_no_update", "DROP TRIGGER ledger_transfer_no_delete"]
    return ["ALTER TABLE ledger_transfer DISABLE TRIGGER USER"]


async def problems() -> list[str]:
    report = await verify()
    assert not report.ok
    assert "verification FAILED" in report.render()
    return report.problems


# -- the database refuses ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_transfer SET amount = 1000 WHERE id = 'pay-1'",
        "UPDATE ledger_transfer SET memo = 'nothing to see' WHERE id = 'pay-1'",
        "DELETE FROM ledger_transfer WHERE id = 'pay-2'",
        "DELETE FROM ledger_transfer",
    ],
)
async def test_the_database_refuses_to_update_or_delete_a_transfer(ledger, statement):
    with pytest.raises((sqlite3.DatabaseError, asyncpg.PostgresError), match="append-only"):
        await raw(ledger, statement)
    assert (await verify()).ok


async def test_postgresql_refuses_to_truncate_the_transfers(postgres_ledger):
    # SQLite has no TRUNCATE: its DELETE without WHERE is refused above.
    with pytest.raises(asyncpg.PostgresError, match="append-only"):
        await raw(postgres_ledger, "TRUNCATE ledger_transfer CASCADE")
    assert await Transfer.count() == 5


async def test_piccolos_query_builder_cannot_change_a_transfer_either(ledger):
    with pytest.raises(Exception, match="append-only"):
        await Transfer.update({Transfer.amount: 1}).where(Transfer.id == "pay-1")
    with pytest.raises(Exception, match="append-only"):
        await Transfer.delete().where(Transfer.id == "pay-1")
    assert (await transfers.get_transfer("pay-1")).amount == 30


# -- verify catches what gets past it ------------------------------------------------------------


async def test_an_amount_changed_behind_the_databases_back_breaks_the_hash_and_the_totals(ledger):
    await raw(ledger, *drop_guards(ledger), "UPDATE ledger_transfer SET amount = 3 WHERE id = 'pay-1'")
    found = await problems()
    assert any("pay-1 (seq 3): hash does not match its fields" in problem for problem in found)
    assert any(problem.startswith("account alice: stored totals") for problem in found)


async def test_a_memo_changed_behind_the_databases_back_breaks_the_hash(ledger):
    await raw(ledger, *drop_guards(ledger), "UPDATE ledger_transfer SET memo = 'x' WHERE id = 'issue-2'")
    assert await problems() == ["transfer issue-2 (seq 2): hash does not match its fields (altered?)"]


async def test_a_forger_who_recomputes_the_hash_still_breaks_the_chain_after_it(ledger):
    forged = (await transfers.get_transfer("pay-1"))._replace(memo="forged")
    await raw(
        ledger,
        *drop_guards(ledger),
        f"UPDATE ledger_transfer SET memo = 'forged', hash = '{transfer_hash(forged)}' WHERE id = 'pay-1'",
    )
    assert "transfer hold-1 (seq 4): previous hash does not match the chain" in await problems()


async def test_a_transfer_deleted_from_the_middle_leaves_a_gap(ledger):
    await raw(ledger, *drop_guards(ledger), "DELETE FROM ledger_transfer WHERE id = 'issue-2'")
    found = await problems()
    assert "transfer pay-1 (seq 3): expected sequence number 2" in found
    assert "transfer pay-1 (seq 3): previous hash does not match the chain" in found


async def test_the_last_transfer_deleted_leaves_the_totals_without_their_transfer(ledger):
    await raw(ledger, *drop_guards(ledger), "DELETE FROM ledger_transfer WHERE id = 'pay-2'")
    found = await problems()
    assert any(problem.startswith("account bob: stored totals") for problem in found)
    assert any(problem.startswith("account alice: stored totals") for problem in found)


async def test_a_balance_edited_directly_differs_from_its_transfers(ledger):
    # Account rows change with every posting, so no trigger guards them: verify does.
    await raw(ledger, "UPDATE ledger_account SET credits_posted = credits_posted + 1000 WHERE id = 'bob'")
    found = await problems()
    assert any(problem.startswith("account bob: stored totals") for problem in found)
    assert any("stored debit and credit totals differ" in problem for problem in found)


async def test_a_reservation_row_that_names_no_open_pending_transfer_is_reported(ledger):
    await raw(ledger, "DELETE FROM ledger_reservation WHERE transfer_id = 'hold-1'")
    assert await problems() == ["pending transfer hold-1 is open but has no reservation row"]


async def test_a_row_that_cannot_be_read_is_reported_not_crashed_on(ledger):
    if ledger.startswith("sqlite"):
        # SQLite stores whatever it is given; Linli cannot parse this as a time.
        await raw(
            ledger, *drop_guards(ledger), "UPDATE ledger_transfer SET created_at = 'yesterday' WHERE seq = 3"
        )
        assert (await problems())[-1].startswith("the transfer after seq 2 cannot be read")
    else:
        # PostgreSQL refuses a time that is not one: the most a forger can do is change it.
        await raw(
            ledger, *drop_guards(ledger), "UPDATE ledger_transfer SET created_at = '1900-01-01' WHERE seq = 3"
        )
        assert await problems() == ["transfer pay-1 (seq 3): hash does not match its fields (altered?)"]


# -- verify while the ledger is busy ---------------------------------------------------------------


async def test_verify_is_exact_while_postings_go_on(ledger):
    async def post_many() -> None:
        for number in range(150):
            await transfers.transfer(f"busy-{number}", "issuer", "alice", 1, now=at(10 + number))
            if number % 10 == 0:
                await transfers.reserve(f"busy-hold-{number}", "alice", "shop", 1, now=at(10 + number))
            if number % 20 == 0:
                await transfers.void_pending(
                    f"busy-void-{number}", "hold-1" if number == 0 else f"busy-hold-{number - 10}"
                )

    poster = asyncio.create_task(post_many())
    reports = []
    while not poster.done():
        reports.append(await verify(page_size=7))
    await poster
    reports.append(await verify())
    assert len(reports) > 1
    assert all(report.ok for report in reports), [report.render() for report in reports if not report.ok]
