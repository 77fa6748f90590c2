"""The ledger benchmark behind ``linli bench ledger``: Linli's posting path against plain sqlite3.

Everything runs on temporary SQLite files with Linli's production settings (the engine's
defaults: WAL, ``synchronous=FULL``, a busy timeout), so every commit is a real durable write.

- ``single``: transfers each in its own transaction, awaited one after another; the baseline is
  plain ``sqlite3`` on one reused connection doing the same durable writes per transfer
  (``BEGIN IMMEDIATE``, INSERT one transfer row, UPDATE two balance rows, COMMIT).
- ``batch_1000``: linked batches of 1,000 (``post_batch``); the baseline inserts 1,000 rows and
  updates two balance rows per transfer in one transaction.
- ``concurrent_32``: 32 asyncio tasks each posting its own transfers one after another; the
  baseline is 32 threads, each with its own connection, committing their own transfers. Both
  count "database is locked" errors; ``linli_commits`` is how many durable commits the engine's
  group commit needed for them.
- ``reads``: balance and a first statement page (50 lines) on a ledger of 1,000 transfers and on
  one of 1,000,000 (100,000 in quick mode), built through ``post_batch`` in batches of 5,000;
  the statement is read for the account with the most transfers.

Each comparison runs in interleaved rounds (Linli, then the baseline; the small ledger, then
the large one) so that a disk or CPU whose speed drifts, as virtual machines' do, treats both
sides alike. The
baseline schema is the simplest one that does the same writes: an account table with one balance
column and a transfer table with an INTEGER PRIMARY KEY sequence and a unique id.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import random
import shutil
import sqlite3
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ledger import accounts, statements, transfers
from ledger.engine import LinliSQLiteEngine, engine_from_url
from ledger.posting import NewTransfer
from ledger.tables import Transfer

BATCH_SIZE = 1000
CONCURRENT_POSTERS = 32
SINKS = 4  # shared accounts that receive the concurrent posters' transfers
BUILD_BATCH_SIZE = 5000
SMALL_LEDGER_TRANSFERS = 1000
READ_MEMBERS = 200  # member accounts of the read ledgers, beside an issuer and a busy fund ("hub")
STATEMENT_PAGE = 50
FUNDING = 10**12  # each member starts rich enough never to meet its no-overdraft flag
WARM_UP = 20


@dataclass(frozen=True)
class Sizes:
    rounds: int
    single_per_round: int
    batches_per_round: int
    transfers_per_poster_per_round: int
    large_transfers: int
    read_calls: int


FULL = Sizes(
    rounds=10,
    single_per_round=200,  # 2,000 single transfers a side
    batches_per_round=2,  # 20 batches of 1,000 a side
    transfers_per_poster_per_round=10,  # 3,200 concurrent transfers a side
    large_transfers=1_000_000,
    read_calls=2000,
)
QUICK = Sizes(
    rounds=3,
    single_per_round=100,
    batches_per_round=2,
    transfers_per_poster_per_round=5,
    large_transfers=100_000,
    read_calls=1000,
)


def run(quick: bool = False) -> dict:
    """Run the whole benchmark on temporary databases and answer one JSON-ready dict."""
    import piccolo_conf  # the project's Piccolo configuration: tables are bound through it

    sizes = QUICK if quick else FULL
    previous_engine = piccolo_conf.DB
    try:
        with tempfile.TemporaryDirectory(prefix="linli-bench-") as directory:
            bench = _Bench(Path(directory), piccolo_conf)
            bench.migrate_template()
            result = bench.writes(sizes)
            result["reads"] = bench.reads(sizes)
            result["event_loop"] = event_loop_name()
    finally:
        piccolo_conf.use(previous_engine)
    return result


def _run(coroutine):
    """Run on the event loop ``linli serve`` uses: uvicorn picks uvloop when it is installed."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard] on Linux and macOS
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


def event_loop_name() -> str:
    try:
        import uvloop  # noqa: F401
    except ImportError:  # pragma: no cover
        return "asyncio"
    return "uvloop"


# -- bookkeeping ---------------------------------------------------------------------------------


class _Tally:
    """Operations done and seconds spent, per measurement, summed over the rounds."""

    def __init__(self) -> None:
        self.operations: dict[str, int] = {}
        self.seconds: dict[str, float] = {}

    def add(self, name: str, operations: int, seconds: float) -> None:
        self.operations[name] = self.operations.get(name, 0) + operations
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds

    def per_second(self, name: str) -> float:
        return self.operations[name] / self.seconds[name]

    def compare(self, name: str) -> dict:
        linli, plain = self.per_second(f"{name} linli"), self.per_second(f"{name} sqlite3")
        return {"linli_tps": round(linli), "sqlite3_tps": round(plain), "ratio": round(linli / plain, 2)}


def _is_locked(error: BaseException) -> bool:
    return "database is locked" in str(error)


def _member(number: int) -> str:
    return f"member-{number}"


def _sink(number: int) -> str:
    return _member(CONCURRENT_POSTERS + number % SINKS)


def _batch_rows(tag: str) -> list[tuple[str, str, str, int]]:
    """One batch: 1,000 transfers of 1 point around a ring of 16 members."""
    return [(f"{tag}-{i}", _member(i % 16), _member((i + 1) % 16), 1) for i in range(BATCH_SIZE)]


class _Bench:
    def __init__(self, directory: Path, piccolo_conf):
        self.directory = directory
        self.piccolo_conf = piccolo_conf
        self.template = directory / "template.sqlite"

    # -- databases ----------------------------------------------------------------------------

    def migrate_template(self) -> None:
        """One migrated, empty Linli database that every measurement starts from (a copy)."""
        from piccolo.apps.migrations.commands.forwards import run_forwards

        async def migrate() -> None:
            with self._engine(self.template), contextlib.redirect_stdout(io.StringIO()):
                result = await run_forwards("ledger")
            if not result.success:
                raise RuntimeError(f"migrating the benchmark database failed: {result.message}")

        asyncio.run(migrate())

    def _copy_template(self, name: str) -> Path:
        path = self.directory / f"{name}.sqlite"
        shutil.copyfile(self.template, path)
        return path

    @contextlib.contextmanager
    def _engine(self, path: Path) -> Iterator[LinliSQLiteEngine]:
        """Linli's own engine for ``path``, exactly as ``LINLI_DATABASE_URL`` would make it."""
        engine = engine_from_url(f"sqlite:///{path}")
        assert isinstance(engine, LinliSQLiteEngine)
        self.piccolo_conf.use(engine)
        try:
            yield engine
        finally:
            engine.close()

    def _plain_database(self, members: int) -> Path:
        path = self.directory / "baseline.sqlite"
        connection = _plain_connection(path)
        try:
            connection.executescript(
                """
                CREATE TABLE account (id TEXT PRIMARY KEY NOT NULL, balance INTEGER NOT NULL);
                CREATE TABLE transfer (
                    seq INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    debit_account TEXT NOT NULL,
                    credit_account TEXT NOT NULL,
                    amount INTEGER NOT NULL,
                    created_at TEXT NOT NULL
                );
                """
            )
            connection.execute("BEGIN IMMEDIATE")
            connection.executemany(
                "INSERT INTO account (id, balance) VALUES (?, ?)",
                [(_member(number), FUNDING) for number in range(members)],
            )
            connection.execute("COMMIT")
        finally:
            connection.close()
        return path

    # -- (a), (b), (c): writes, Linli and the baseline in alternating rounds ------------------

    def writes(self, sizes: Sizes) -> dict:
        members = CONCURRENT_POSTERS + SINKS
        linli_path = self._copy_template("writes")
        plain_path = self._plain_database(members)
        tally = _Tally()
        errors = {"linli": 0, "sqlite3": 0}
        commits = 0

        plain = _plain_connection(plain_path)
        same_rows = _plain_connection(self._copy_template("same-rows"))
        same_rows.execute("PRAGMA foreign_keys = ON")
        poster_connections = [_plain_connection(plain_path) for _ in range(CONCURRENT_POSTERS)]

        async def linli_concurrent(tag: str) -> tuple[int, float]:
            async def poster(number: int) -> int:
                posted = 0
                for i in range(sizes.transfers_per_poster_per_round):
                    try:
                        await transfers.transfer(f"{tag}-{number}-{i}", _member(number), _sink(i), 1)
                    except Exception as error:
                        if not _is_locked(error):
                            raise
                        errors["linli"] += 1
                    else:
                        posted += 1
                return posted

            started = time.perf_counter()
            posted = sum(await asyncio.gather(*(poster(number) for number in range(CONCURRENT_POSTERS))))
            return posted, time.perf_counter() - started

        def plain_concurrent(tag: str) -> tuple[int, float]:
            barrier = threading.Barrier(CONCURRENT_POSTERS + 1)
            posted = [0] * CONCURRENT_POSTERS
            failed = [0] * CONCURRENT_POSTERS

            def poster(number: int) -> None:
                connection = poster_connections[number]
                barrier.wait()
                for i in range(sizes.transfers_per_poster_per_round):
                    try:
                        _plain_transfer(connection, f"{tag}-{number}-{i}", _member(number), _sink(i), 1)
                    except sqlite3.OperationalError as error:
                        if not _is_locked(error):
                            raise
                        failed[number] += 1
                    else:
                        posted[number] += 1

            threads = [threading.Thread(target=poster, args=(n,)) for n in range(CONCURRENT_POSTERS)]
            for thread in threads:
                thread.start()
            barrier.wait()
            started = time.perf_counter()
            for thread in threads:
                thread.join()
            errors["sqlite3"] += sum(failed)
            return sum(posted), time.perf_counter() - started

        async def main() -> None:
            nonlocal commits
            with self._engine(linli_path) as engine:
                await _open_members(members)
                same_rows.executemany(
                    "INSERT INTO ledger_account (id, asset, kind, flags, credits_posted, created_at) "
                    "VALUES (?, 'PTS', 'member', 1, ?, '2026-12-01 00:00:00+00:00')",
                    [(_member(number), FUNDING) for number in range(members)],
                )
                for i in range(WARM_UP):  # both sides: threads started, statements prepared
                    await transfers.transfer(f"warm-{i}", _sink(i), _sink(i + 1), 1)
                    _plain_transfer(plain, f"warm-{i}", _sink(i), _sink(i + 1), 1)

                for round_number in range(sizes.rounds):
                    tag = f"r{round_number}"
                    count = sizes.single_per_round
                    started = time.perf_counter()
                    for i in range(count):
                        await transfers.transfer(f"{tag}-single-{i}", _sink(i), _sink(i + 1), 1)
                    tally.add("single linli", count, time.perf_counter() - started)
                    started = time.perf_counter()
                    for i in range(count):
                        _plain_transfer(plain, f"{tag}-single-{i}", _sink(i), _sink(i + 1), 1)
                    tally.add("single sqlite3", count, time.perf_counter() - started)

                    for number in range(sizes.batches_per_round):
                        rows = _batch_rows(f"{tag}-batch-{number}")
                        operations = [NewTransfer(*row, "PTS") for row in rows]
                        started = time.perf_counter()
                        records = await transfers.post_batch(operations, batch_id=f"{tag}-batch-{number}")
                        tally.add("batch_1000 linli", len(rows), time.perf_counter() - started)
                        started = time.perf_counter()
                        _plain_batch(plain, rows)
                        tally.add("batch_1000 sqlite3", len(rows), time.perf_counter() - started)
                        stored = [(*r[:14], str(r.created_at), *r[15:]) for r in records]
                        started = time.perf_counter()
                        _plain_same_rows(same_rows, stored)
                        tally.add("batch_1000 same_rows", len(rows), time.perf_counter() - started)

                    commits_before = engine.commits
                    tally.add("concurrent_32 linli", *await linli_concurrent(f"{tag}-concurrent"))
                    commits += engine.commits - commits_before
                    tally.add("concurrent_32 sqlite3", *plain_concurrent(f"{tag}-concurrent"))

        try:
            _run(main())
        finally:
            for connection in (plain, same_rows, *poster_connections):
                connection.close()
        return {
            "single": tally.compare("single"),
            "batch_1000": {
                **tally.compare("batch_1000"),
                # The same rows Linli wrote (hash chain, balances after, every column), inserted by
                # plain sqlite3 into Linli's own schema with its constraints and indexes: what is
                # left between the two is Linli's own work (validation, rules, hashing, the engine).
                "sqlite3_same_rows_tps": round(tally.per_second("batch_1000 same_rows")),
                "ratio_same_rows": round(
                    tally.per_second("batch_1000 linli") / tally.per_second("batch_1000 same_rows"), 2
                ),
            },
            "concurrent_32": {
                **tally.compare("concurrent_32"),
                "linli_errors": errors["linli"],
                "sqlite3_errors": errors["sqlite3"],
                "linli_commits": commits,
            },
        }

    # -- (d) reads as the ledger grows, small and large ledger in alternating rounds ----------

    def reads(self, sizes: Sizes) -> dict:
        small_path = self._copy_template("reads-small")
        large_path = self._copy_template("reads-large")
        tally = _Tally()

        async def main() -> float:
            with self._engine(small_path) as small, self._engine(large_path) as large:
                ledgers = {"small": small, "large": large}
                self.piccolo_conf.use(small)
                await _build_ledger(SMALL_LEDGER_TRANSFERS)
                self.piccolo_conf.use(large)
                build_large_s = await _build_ledger(sizes.large_transfers)
                busiest = {}
                for name, engine in ledgers.items():
                    self.piccolo_conf.use(engine)
                    busiest[name] = await _busiest_account()
                    await _read_balances(WARM_UP)
                    await _read_statements(busiest[name], WARM_UP)
                calls = sizes.read_calls // sizes.rounds
                for _ in range(sizes.rounds):
                    for name, engine in ledgers.items():
                        self.piccolo_conf.use(engine)
                        tally.add(f"balance {name}", calls, await _read_balances(calls))
                        tally.add(f"statement {name}", calls, await _read_statements(busiest[name], calls))
            return build_large_s

        build_large_s = _run(main())
        result: dict = {"small_transfers": SMALL_LEDGER_TRANSFERS, "large_transfers": sizes.large_transfers}
        for read in ("balance", "statement"):
            small_ops, large_ops = tally.per_second(f"{read} small"), tally.per_second(f"{read} large")
            result[f"{read}_small_ops"] = round(small_ops)
            result[f"{read}_large_ops"] = round(large_ops)
            result[f"{read}_ratio"] = round(large_ops / small_ops, 2)
        result["build_large_s"] = round(build_large_s, 1)
        return result


# -- Linli helpers -------------------------------------------------------------------------------


async def _open_members(count: int) -> None:
    """An issuer and ``count`` funded members (flagged: they can never go below zero)."""
    await accounts.open_account("issuer", asset="PTS", kind="issuer")
    for number in range(count):
        await accounts.open_account(
            _member(number), asset="PTS", kind="member", flags=accounts.DEBITS_MUST_NOT_EXCEED_CREDITS
        )
    await transfers.post_batch(
        [NewTransfer(f"fund-{n}", "issuer", _member(n), FUNDING, "PTS") for n in range(count)],
        batch_id="funding",
    )


HUB = "hub"


def _ledger_transfers(count: int) -> Iterator[NewTransfer]:
    """``count`` transfers: the members' funding, then a mix in which the hub takes half."""
    rng = random.Random(20261201)
    for number in range(min(count, READ_MEMBERS)):
        yield NewTransfer(f"fund-{number}", "issuer", _member(number), FUNDING, "PTS")
    for sequence in range(READ_MEMBERS, count):
        member = _member(rng.randrange(READ_MEMBERS))
        choice = rng.random()
        if choice < 0.25:
            debit, credit = member, HUB
        elif choice < 0.5:
            debit, credit = HUB, member
        else:
            other = _member(rng.randrange(READ_MEMBERS))
            debit, credit = member, (HUB if other == member else other)
        yield NewTransfer(f"r-{sequence}", debit, credit, rng.randint(1, 100), "PTS", reason="bench")


async def _build_ledger(transfer_count: int) -> float:
    """Post ``transfer_count`` transfers through ``post_batch``; answer the seconds it took."""
    await accounts.open_account("issuer", asset="PTS", kind="issuer")
    await accounts.open_account(HUB, asset="PTS", kind="fund")
    for number in range(READ_MEMBERS):
        await accounts.open_account(
            _member(number), asset="PTS", kind="member", flags=accounts.DEBITS_MUST_NOT_EXCEED_CREDITS
        )
    started = time.perf_counter()
    batch: list[NewTransfer] = []
    for operation in _ledger_transfers(transfer_count):
        batch.append(operation)
        if len(batch) == BUILD_BATCH_SIZE:
            await transfers.post_batch(batch, batch_id=f"build-{operation.id}")
            batch = []
    if batch:
        await transfers.post_batch(batch, batch_id=f"build-{batch[-1].id}")
    return time.perf_counter() - started


_BUSIEST_ACCOUNT = """
SELECT account FROM (
    SELECT debit_account AS account, COUNT(*) AS transfers FROM ledger_transfer GROUP BY debit_account
    UNION ALL
    SELECT credit_account AS account, COUNT(*) AS transfers FROM ledger_transfer GROUP BY credit_account
) AS sides GROUP BY account ORDER BY SUM(transfers) DESC LIMIT 1
"""


async def _busiest_account() -> str:
    """The account named by the most transfers: its statement walks the deepest index range."""
    return (await Transfer.raw(_BUSIEST_ACCOUNT))[0]["account"]


_BALANCE_ACCOUNTS = [HUB, *(_member(number) for number in range(READ_MEMBERS))]


async def _read_balances(calls: int) -> float:
    """Seconds for ``calls`` balance reads, awaited one after another, across the accounts."""
    started = time.perf_counter()
    for call in range(calls):
        await accounts.balance(_BALANCE_ACCOUNTS[call % len(_BALANCE_ACCOUNTS)])
    return time.perf_counter() - started


async def _read_statements(account_id: str, calls: int) -> float:
    """Seconds for ``calls`` first statement pages of ``account_id``, awaited one after another."""
    started = time.perf_counter()
    for _ in range(calls):
        page = await statements.statement(account_id, limit=STATEMENT_PAGE)
        assert len(page.items) == STATEMENT_PAGE and page.next_cursor is not None
    return time.perf_counter() - started


# -- the plain sqlite3 baseline ------------------------------------------------------------------


def _plain_connection(path: Path) -> sqlite3.Connection:
    """A sqlite3 connection with Linli's durability settings; transactions are managed by hand."""
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10.0)
    connection.execute("PRAGMA busy_timeout = 10000")
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = FULL")
    return connection


_PLAIN_INSERT = (
    "INSERT INTO transfer (id, debit_account, credit_account, amount, created_at) VALUES (?, ?, ?, ?, ?)"
)


def _plain_transfer(connection: sqlite3.Connection, id: str, debit: str, credit: str, amount: int) -> None:
    connection.execute("BEGIN IMMEDIATE")
    try:
        connection.execute(_PLAIN_INSERT, (id, debit, credit, amount, datetime.now(UTC).isoformat()))
        connection.execute("UPDATE account SET balance = balance - ? WHERE id = ?", (amount, debit))
        connection.execute("UPDATE account SET balance = balance + ? WHERE id = ?", (amount, credit))
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise


def _plain_batch(connection: sqlite3.Connection, rows: list[tuple[str, str, str, int]]) -> None:
    now = datetime.now(UTC).isoformat()
    connection.execute("BEGIN IMMEDIATE")
    try:
        connection.executemany(_PLAIN_INSERT, [(*row, now) for row in rows])
        connection.executemany(
            "UPDATE account SET balance = balance + ? WHERE id = ?",
            [change for _, debit, credit, amount in rows for change in ((-amount, debit), (amount, credit))],
        )
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise


_SAME_ROWS_INSERT = (
    "INSERT INTO ledger_transfer (seq, id, kind, debit_account, credit_account, amount, asset, pending, "
    "reverses, batch_id, timeout_s, reason, reference, memo, created_at, debit_balance_after, "
    "credit_balance_after, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _plain_same_rows(connection: sqlite3.Connection, rows: list[tuple]) -> None:
    """Linli's rows, verbatim, into Linli's schema: one transaction, two balance updates a row."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        connection.executemany(_SAME_ROWS_INSERT, rows)
        connection.executemany(
            "UPDATE ledger_account SET debits_posted = debits_posted + ? WHERE id = ?",
            [(row[5], row[3]) for row in rows],
        )
        connection.executemany(
            "UPDATE ledger_account SET credits_posted = credits_posted + ? WHERE id = ?",
            [(row[5], row[4]) for row in rows],
        )
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
