"""Linli's SQLite engine: Piccolo on long-lived connections, group commit, and a writer that never wedges."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

import piccolo_conf
from ledger import accounts, errors, transfers
from ledger import engine as engine_module
from ledger.accounts import DEBITS_MUST_NOT_EXCEED_CREDITS
from ledger.engine import LinliSQLiteEngine
from ledger.tables import Account
from ledger.verify import verify

WEDGED_AFTER_S = 10  # a write that takes this long means the writer is stuck: fail, never hang


@pytest.fixture
def make_engine(sqlite_template: Path, tmp_path: Path) -> Callable[..., LinliSQLiteEngine]:
    """Builds an engine on a fresh copy of the migrated database and binds every table to it."""
    path = tmp_path / "linli.sqlite"
    shutil.copyfile(sqlite_template, path)
    built: list[LinliSQLiteEngine] = []

    def make(**settings) -> LinliSQLiteEngine:
        engine = LinliSQLiteEngine(str(path), **settings)
        piccolo_conf.use(engine)
        built.append(engine)
        return engine

    make.path = path
    yield make
    for engine in built:
        engine.close()


@pytest.fixture
async def engine(make_engine) -> AsyncIterator[LinliSQLiteEngine]:
    engine = make_engine()
    yield engine
    report = await verify()
    assert report.ok, report.render()


def account(id: str, **fields) -> Account:
    return Account(**{"id": id, "asset": "PTS", "kind": "member", "created_at": datetime.now(UTC), **fields})


async def soon(awaitable):
    """Await, failing (instead of hanging the suite) if the writer is wedged."""
    return await asyncio.wait_for(awaitable, timeout=WEDGED_AFTER_S)


# -- Piccolo on this engine ----------------------------------------------------------------------


async def test_piccolos_query_builder_inserts_selects_updates_and_deletes_accounts(engine):
    await Account.insert(account("a1", name="Alice"), account("a2", name="Bob"))

    assert await Account.select(Account.id, Account.name).order_by(Account.id) == [
        {"id": "a1", "name": "Alice"},
        {"id": "a2", "name": "Bob"},
    ]

    await Account.update({Account.name: "Alice Wang"}).where(Account.id == "a1")
    await Account.delete().where(Account.id == "a2")

    assert await Account.select(Account.name).where(Account.id == "a1").first() == {"name": "Alice Wang"}
    assert await Account.count() == 1
    assert await Account.exists().where(Account.id == "a2") is False


async def test_piccolos_objects_save_and_refresh_work(engine):
    alice = account("a1", name="Alice")
    await alice.save()
    alice.name = "Alice Wang"
    await alice.save()

    loaded = await Account.objects().get(Account.id == "a1")

    assert loaded.name == "Alice Wang"
    assert loaded.created_at.tzinfo is not None


async def test_every_connection_uses_wal_foreign_keys_and_a_busy_timeout(make_engine):
    engine = make_engine(busy_timeout_ms=1234)

    def settings(connection: sqlite3.Connection) -> tuple:
        return tuple(
            next(iter(connection.execute(f"PRAGMA {name}").fetchone().values()))
            for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
        )

    assert await engine.write(settings) == ("wal", 1, 1234, 2)  # synchronous 2 is FULL
    assert await engine.read(settings) == ("wal", 1, 1234, 2)


async def test_a_reader_connection_refuses_to_write(engine):
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        await engine.read(lambda connection: connection.execute("DELETE FROM ledger_account"))


# -- transactions --------------------------------------------------------------------------------


async def test_a_piccolo_transaction_commits_when_its_block_ends(engine):
    async with engine.transaction():
        await Account.insert(account("a1"))
        await Account.insert(account("a2"))
        assert await Account.count() == 2  # the transaction reads its own writes

    assert await Account.count() == 2


async def test_a_piccolo_transaction_that_raises_rolls_back(engine):
    await Account.insert(account("kept"))

    with pytest.raises(RuntimeError):
        async with engine.transaction():
            await Account.insert(account("a1"))
            await Account.update({Account.name: "changed"}).where(Account.id == "kept")
            raise RuntimeError("the use case failed")

    assert await Account.select(Account.id, Account.name) == [{"id": "kept", "name": ""}]


async def test_a_savepoint_rolls_back_only_what_came_after_it(engine):
    async with engine.transaction() as transaction:
        await Account.insert(account("before"))
        savepoint = await transaction.savepoint()
        await Account.insert(account("after"))
        await savepoint.rollback_to()

    assert await Account.select(Account.id) == [{"id": "before"}]


async def test_a_nested_transaction_commits_with_the_outer_one(engine):
    async with engine.transaction():
        await Account.insert(account("outer"))
        async with engine.transaction():
            await Account.insert(account("inner"))

    assert await Account.count() == 2


async def test_a_ledger_posting_inside_a_piccolo_transaction_is_undone_with_it(engine):
    await accounts.open_account("issuer", asset="PTS", kind="issuer")
    await accounts.open_account("alice", asset="PTS", kind="member")

    with pytest.raises(RuntimeError):
        async with engine.transaction():
            await transfers.transfer("t1", "issuer", "alice", 10)
            raise RuntimeError("the use case failed")

    assert await transfers.get_transfer("t1") is None
    assert (await accounts.balance("alice")).posted == 0


# -- group commit --------------------------------------------------------------------------------


async def test_a_hundred_concurrent_writes_share_commits(engine):
    await Account.count()  # start the threads
    commits_before = engine.commits

    await asyncio.gather(*(Account.insert(account(f"a{number}")) for number in range(100)))

    assert engine.commits - commits_before < 100
    assert await Account.count() == 100


async def test_a_failing_write_in_a_group_is_rolled_back_alone_while_the_others_commit(engine):
    def insert(id: str) -> Callable[[sqlite3.Connection], None]:
        def write(connection: sqlite3.Connection) -> None:
            connection.execute(
                "INSERT INTO ledger_account (id, asset, kind, created_at) VALUES (?, 'PTS', 'member', ?)",
                (id, datetime.now(UTC)),
            )

        return write

    def insert_then_fail(connection: sqlite3.Connection) -> None:
        insert("half-done")(connection)
        raise ValueError("changed its mind")

    await Account.count()
    commits_before = engine.commits
    writes = [engine.write(insert(f"a{number}")) for number in range(20)]
    writes.insert(7, engine.write(insert_then_fail))
    writes.insert(13, Account.insert(account("bad-asset", asset="USD")))  # a CHECK constraint refuses it

    results = await asyncio.gather(*writes, return_exceptions=True)

    assert isinstance(results[7], ValueError)
    assert isinstance(results[13], sqlite3.IntegrityError)
    assert [r for r in results if isinstance(r, BaseException)] == [results[7], results[13]]
    assert engine.commits - commits_before < len(writes)
    ids = {row["id"] for row in await Account.select(Account.id)}
    assert ids == {f"a{number}" for number in range(20)}


async def test_concurrent_transfers_from_one_member_post_until_the_balance_runs_out(engine):
    await accounts.open_account("issuer", asset="PTS", kind="issuer")
    await accounts.open_account("alice", asset="PTS", kind="member", flags=DEBITS_MUST_NOT_EXCEED_CREDITS)
    await accounts.open_account("shop", asset="PTS", kind="merchant")
    await transfers.transfer("issue", "issuer", "alice", 100)
    commits_before = engine.commits

    results = await asyncio.gather(
        *(transfers.transfer(f"buy-{number}", "alice", "shop", 10) for number in range(30)),
        return_exceptions=True,
    )

    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(refused) == 20
    assert all(isinstance(r, errors.Overdraft) for r in refused)
    assert (await accounts.balance("alice")).posted == 0
    assert (await accounts.balance("shop")).posted == 100
    assert engine.commits - commits_before < 30


async def test_closing_the_engine_lets_queued_writes_finish(make_engine):
    engine = make_engine()
    await Account.count()
    writes = [asyncio.ensure_future(Account.insert(account(f"a{number}"))) for number in range(50)]
    await asyncio.sleep(0)  # every write reaches the writer's queue

    engine.close()
    await soon(asyncio.gather(*writes))

    make_engine()
    assert await Account.count() == 50


# -- reads ---------------------------------------------------------------------------------------


async def test_reads_outside_a_transaction_see_every_committed_write(engine):
    for number in range(50):
        await Account.insert(account(f"a{number}"))
        assert await Account.count() == number + 1
        await Account.update({Account.name: f"name {number}"}).where(Account.id == "a0")
        assert await Account.select(Account.name).where(Account.id == "a0").first() == {
            "name": f"name {number}"
        }


async def test_reads_outside_a_transaction_do_not_see_what_an_open_transaction_wrote(engine):
    written = asyncio.Event()

    async def count_from_outside() -> int:
        await written.wait()
        return await Account.count()

    outside = asyncio.create_task(count_from_outside())  # created outside the transaction's context
    async with engine.transaction():
        await Account.insert(account("a1"))
        written.set()
        seen_outside = await soon(outside)  # the reader is not held up by the open transaction

    assert seen_outside == 0
    assert await Account.count() == 1


# -- the writer never wedges ---------------------------------------------------------------------


async def test_a_begin_that_fails_on_a_lock_held_elsewhere_does_not_wedge_the_writer(make_engine):
    engine = make_engine(busy_timeout_ms=50)
    other_process = sqlite3.connect(make_engine.path, isolation_level=None)
    other_process.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            async with engine.transaction():
                await Account.insert(account("never"))
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            await soon(Account.insert(account("never")))
    finally:
        other_process.execute("ROLLBACK")
        other_process.close()

    async with engine.transaction():
        await soon(Account.insert(account("a1")))
    await soon(Account.insert(account("a2")))
    assert await Account.count() == 2


async def test_a_cancelled_transaction_hands_the_writer_back_at_once(engine):
    entered = asyncio.Event()

    async def use_case() -> None:
        async with engine.transaction():
            await Account.insert(account("abandoned"))
            entered.set()
            await asyncio.Event().wait()  # never set: cancelled here

    task = asyncio.create_task(use_case())
    await entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    await soon(Account.insert(account("a1")))  # far sooner than the idle timeout
    assert await Account.select(Account.id) == [{"id": "a1"}]


async def test_an_abandoned_transaction_is_rolled_back_after_the_idle_timeout(engine, monkeypatch):
    monkeypatch.setattr(engine_module, "SESSION_IDLE_TIMEOUT_S", 0.2)

    async def forget_to_finish() -> None:
        transaction = engine.transaction()
        await transaction.__aenter__()
        await Account.insert(account("abandoned"))  # and never leaves the block

    await asyncio.create_task(forget_to_finish())

    await soon(Account.insert(account("a1")))
    assert await Account.select(Account.id) == [{"id": "a1"}]


def _fill_the_disk(connection: sqlite3.Connection) -> None:
    """Run out of space mid-write: SQLite then rolls back the whole transaction by itself."""
    pages = connection.execute("PRAGMA page_count").fetchone()["page_count"]
    connection.execute(f"PRAGMA max_page_count = {pages + 1}")
    try:
        connection.execute("CREATE TABLE filler (blob BLOB)")
        connection.executemany("INSERT INTO filler VALUES (?)", [(b"x" * 4000,)] * 100)
    finally:
        connection.execute("PRAGMA max_page_count = 1073741823")


async def test_a_full_disk_in_a_group_fails_its_writes_but_does_not_stop_the_writer(engine):
    with pytest.raises(sqlite3.OperationalError, match="full"):
        await soon(engine.write(_fill_the_disk))

    await soon(Account.insert(account("a1")))
    assert await Account.select(Account.id) == [{"id": "a1"}]


async def test_writes_grouped_with_a_full_disk_are_either_committed_or_refused_as_their_callers_were_told(
    engine,
):
    await Account.count()
    writes = [Account.insert(account(f"a{number}")) for number in range(10)]
    writes.insert(5, engine.write(_fill_the_disk))

    results = await soon(asyncio.gather(*writes, return_exceptions=True))

    assert isinstance(results.pop(5), sqlite3.OperationalError)
    refused = [result for result in results if isinstance(result, BaseException)]
    assert all(isinstance(result, sqlite3.OperationalError) for result in refused)
    told_committed = {f"a{number}" for number, result in enumerate(results) if result not in refused}
    assert {row["id"] for row in await Account.select(Account.id)} == told_committed
    await soon(Account.insert(account("after")))


async def test_a_full_disk_inside_a_transaction_hands_the_writer_back(engine):
    with pytest.raises(sqlite3.OperationalError, match="full"):
        async with engine.transaction():
            await Account.insert(account("lost"))
            await soon(engine.write(_fill_the_disk))

    await soon(Account.insert(account("a1")))  # far sooner than the idle timeout
    assert await Account.select(Account.id) == [{"id": "a1"}]


async def test_a_database_that_cannot_be_opened_refuses_writes_at_once_and_recovers(tmp_path):
    path = tmp_path / "missing-folder" / "linli.sqlite"
    engine = LinliSQLiteEngine(str(path))
    try:
        with pytest.raises(sqlite3.OperationalError, match="unable to open"):
            await soon(engine.write(lambda connection: connection.execute("SELECT 1").fetchall()))
        with pytest.raises(sqlite3.OperationalError, match="unable to open"):
            async with engine.transaction():
                pass
        path.parent.mkdir()  # the folder appears: the next write opens the database after all
        assert await soon(engine.write(lambda connection: connection.execute("SELECT 7").fetchall())) == [
            {"7": 7}
        ]
    finally:
        engine.close()


@pytest.mark.parametrize(
    "url", ["sqlite://data/linli.sqlite", "sqlite://linli.sqlite", "sqlite:///", "mysql://x/y"]
)
def test_a_database_url_that_names_no_file_clearly_is_refused(url):
    with pytest.raises(ValueError, match="sqlite:///"):
        engine_module.engine_from_url(url)


def test_an_unknown_synchronous_setting_is_refused(tmp_path):
    with pytest.raises(ValueError, match="synchronous"):
        LinliSQLiteEngine(str(tmp_path / "x.sqlite"), synchronous="FULL; DROP TABLE x")


async def test_the_first_reads_and_writes_on_a_fresh_file_all_switch_it_to_wal(tmp_path):
    # The writer and every reader open the fresh file at once and race to switch it to WAL;
    # the switch takes an exclusive lock that SQLite does not wait for by itself.
    for attempt in range(15):
        engine = LinliSQLiteEngine(str(tmp_path / f"fresh-{attempt}.sqlite"), readers=4)
        try:
            reads = [engine.read(lambda conn: conn.execute("SELECT 1 AS one").fetchone()) for _ in range(8)]
            write = engine.write(lambda conn: conn.execute("CREATE TABLE t (x)"))
            results = await asyncio.gather(write, *reads)
            assert [row["one"] for row in results[1:]] == [1] * 8
            mode = await engine.read(lambda conn: conn.execute("PRAGMA journal_mode").fetchone())
            assert mode["journal_mode"] == "wal"
        finally:
            engine.close()
