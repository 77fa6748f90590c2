"""Linli's database engines: a fast SQLite engine with long-lived connections, and the URL switch.

Piccolo's stock SQLiteEngine opens a new aiosqlite connection (and thread) for every query and
every transaction. This engine keeps one writer thread with one connection for the life of the
process, and a small pool of reader threads, each with its own connection:

- every write (a Piccolo transaction, an INSERT/UPDATE/DELETE outside one, a ledger posting)
  runs on the writer, so this process never fights itself for SQLite's single write lock;
- writes that arrive while the writer is busy are grouped into one transaction and one durable
  commit (group commit); each runs inside its own SAVEPOINT, so a failing one is rolled back
  alone, and each caller is answered only after the commit that holds its work;
- reads outside a transaction go to the readers, which WAL lets run beside the writer.

Correctness across processes still comes from SQLite itself: every write transaction is
``BEGIN IMMEDIATE`` with a busy timeout. Piccolo's query builder, migrations and admin run on
this engine unchanged, because it only overrides how SQL reaches the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import sqlite3
import threading
import time
import urllib.parse
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory
from piccolo.querystring import QueryString

from settings import DATABASE_URL

T = TypeVar("T")

# Limits (TigerStyle: a bound on everything).
MAX_GROUP_UNITS = 1024  # writes folded into one commit
# A transaction that sends nothing for this long is rolled back, so a forgotten one cannot hold
# the writer for ever. (It bounds the gap between statements, not a transaction's length.)
SESSION_IDLE_TIMEOUT_S = 120.0
DEFAULT_BUSY_TIMEOUT_MS = 10_000
DEFAULT_READERS = 4

_READ_PREFIXES = ("SELECT", "WITH", "VALUES", "EXPLAIN")


def _is_read(sql: str) -> bool:
    head = sql.lstrip().upper()
    # "WITH ... INSERT" exists, but Piccolo never emits it; a RETURNING clause means a write.
    return head.startswith(_READ_PREFIXES) and " RETURNING " not in head


def _resolve(
    loop: asyncio.AbstractEventLoop, future: asyncio.Future, value: Any, error: BaseException | None
) -> None:
    def settle() -> None:
        if future.cancelled():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value)

    with contextlib.suppress(RuntimeError):  # the caller's loop is closed: nobody waits any more
        loop.call_soon_threadsafe(settle)


class _Unit:
    """One write that may share a transaction and a commit with others."""

    __slots__ = ("fn", "future", "loop")

    def __init__(self, fn: Callable[[sqlite3.Connection], Any], loop: asyncio.AbstractEventLoop):
        self.fn = fn
        self.loop = loop
        self.future: asyncio.Future = loop.create_future()


_END = object()


class WriterSession:
    """The writer connection lent to one Piccolo transaction until it ends.

    It quacks like the aiosqlite connection Piccolo's transaction and savepoint code expect.
    """

    def __init__(self) -> None:
        self.ops: queue.SimpleQueue = queue.SimpleQueue()
        self.lock = threading.Lock()  # orders ``closed`` against new ops: none is ever stranded
        self.closed: BaseException | None = None  # set by the writer when it stops serving it: why

    async def call(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        with self.lock:
            if self.closed is not None:
                raise self.closed
            self.ops.put((fn, future, loop))
        return await future

    async def execute(self, sql: str, args: Any = ()) -> list:
        return await self.call(lambda conn: conn.execute(sql, args).fetchall())

    async def close(self) -> None:
        await self.call(_END)  # type: ignore[arg-type]


_STOP = object()


class _Writer(threading.Thread):
    """The one thread that owns the writer connection.

    Its queue is a ``queue.SimpleQueue``: put and get are C calls that wait without holding the
    GIL, which makes the hop to this thread and back a few tens of microseconds.
    """

    def __init__(self, connect: Callable[[], sqlite3.Connection]):
        super().__init__(name="linli-sqlite-writer", daemon=True)
        self._connect = connect
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._held: _Unit | WriterSession | object | None = None  # taken while grouping, not a unit
        self.commits = 0  # how many durable commits the writer made (for the benchmark)
        self.connect_error: BaseException | None = None

    def submit(self, item: _Unit | WriterSession) -> None:
        self._queue.put(item)

    def stop(self) -> None:
        """Stop after everything queued before this call is done."""
        self._queue.put(_STOP)

    def run(self) -> None:
        try:
            conn = self._connect()
        except BaseException as error:  # noqa: BLE001 - e.g. a database in a folder that does not exist
            self.connect_error = error
            self._refuse_until_stopped(error)
            return
        try:
            while True:
                item, self._held = self._held or self._queue.get(), None
                if item is _STOP:
                    return
                if isinstance(item, WriterSession):
                    self._serve_session(conn, item)
                else:
                    self._group_commit(conn, item)
        finally:
            conn.close()

    def _refuse_until_stopped(self, error: BaseException) -> None:
        """Answer every queued write with ``error``: nobody waits forever on a writer that failed."""
        while (item := self._queue.get()) is not _STOP:
            if isinstance(item, WriterSession):
                _close_session(item, error)
            else:
                _resolve(item.loop, item.future, None, error)

    def _next_unit(self) -> _Unit | None:
        """The next queued write if it can join the current group (a unit, already waiting)."""
        try:
            item = self._queue.get_nowait()
        except queue.Empty:
            return None
        if isinstance(item, _Unit):
            return item
        self._held = item
        return None

    def _group_commit(self, conn: sqlite3.Connection, first: _Unit) -> None:
        done: list[tuple[_Unit, Any, BaseException | None]] = []
        unit: _Unit | None = first
        try:
            conn.execute("BEGIN IMMEDIATE")
            while unit is not None:
                conn.execute("SAVEPOINT unit")
                try:
                    result, error = unit.fn(conn), None
                except BaseException as failure:  # noqa: BLE001 - handed to the caller, never lost
                    result, error = None, failure
                if not conn.in_transaction:
                    # SQLite rolled the whole transaction back by itself (a full disk, an I/O
                    # error), or the unit ended it: no write of the group can be vouched for.
                    raise error or sqlite3.OperationalError("a write ended the transaction it shared")
                if error is not None:
                    conn.execute("ROLLBACK TO unit")
                conn.execute("RELEASE unit")
                done.append((unit, result, error))
                unit = self._next_unit() if len(done) < MAX_GROUP_UNITS else None
            conn.execute("COMMIT")
            self.commits += 1
        except BaseException as lost:  # noqa: BLE001 - the writer thread must outlive any failure
            with contextlib.suppress(sqlite3.Error):
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
            for failed in (*(u for u, _, _ in done), *((unit,) if unit is not None else ())):
                _resolve(failed.loop, failed.future, None, lost)
            return
        for unit, result, error in done:
            _resolve(unit.loop, unit.future, result, error)

    def _serve_session(self, conn: sqlite3.Connection, session: WriterSession) -> None:
        ended = sqlite3.OperationalError("this transaction has ended")
        try:
            while True:
                try:
                    fn, future, loop = session.ops.get(timeout=SESSION_IDLE_TIMEOUT_S)
                except queue.Empty:  # abandoned: the finally clause rolls it back
                    idle_s = SESSION_IDLE_TIMEOUT_S
                    ended = sqlite3.OperationalError(
                        f"transaction rolled back: it sent nothing for {idle_s:.0f} s"
                    )
                    return
                if fn is _END:
                    _resolve(loop, future, None, None)
                    return
                try:
                    result = fn(conn)
                except BaseException as error:  # noqa: BLE001
                    _resolve(loop, future, None, error)
                else:
                    _resolve(loop, future, result, None)
        finally:
            with contextlib.suppress(sqlite3.Error):
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
            _close_session(session, ended)


def _close_session(session: WriterSession, error: BaseException) -> None:
    """Mark the session closed and answer whatever it still had queued with ``error``."""
    with session.lock:
        session.closed = error
    while True:
        try:
            _, future, loop = session.ops.get_nowait()
        except queue.Empty:
            return
        _resolve(loop, future, None, error)


class LinliSQLiteTransaction(SQLiteTransaction):
    """A Piccolo transaction that borrows the engine's writer connection."""

    async def get_connection(self) -> WriterSession:  # type: ignore[override]
        return self.engine.open_session()

    async def __aenter__(self) -> LinliSQLiteTransaction:
        if self._parent is not None:
            return self._parent
        self.connection = await self.get_connection()
        try:
            await self.begin()
        except BaseException:
            await self.connection.close()  # hand the writer back, or it waits for us in vain
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def begin(self) -> None:
        # Every transaction may write, so it takes the write lock up front: a deferred
        # transaction that upgrades later can fail with "database is locked" mid-way.
        await self.connection.execute("BEGIN IMMEDIATE")

    async def rollback(self) -> None:
        # SQLite may have rolled back by itself already (a full disk, an I/O error): then the
        # caller should see that error, not "cannot rollback - no transaction is active".
        await self.connection.call(_rollback_if_open)
        self._rolled_back = True

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent is not None:
            return exception is None
        try:
            if exception is not None:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        finally:
            # Hand the writer back even when COMMIT or ROLLBACK failed, or every other write
            # waits for the idle timeout; the writer rolls back whatever is still open.
            self.engine.current_transaction.reset(self.context)
            await self.connection.close()
        return exception is None


def _rollback_if_open(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        conn.execute("ROLLBACK")


class LinliSQLiteEngine(SQLiteEngine):
    """SQLite with a long-lived group-committing writer and a few readers (see module docstring)."""

    def __init__(
        self,
        path: str = "linli.sqlite",
        readers: int = DEFAULT_READERS,
        busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
        synchronous: str = "FULL",
        **kwargs: Any,
    ):
        if synchronous.upper() not in ("OFF", "NORMAL", "FULL", "EXTRA"):
            raise ValueError(f"synchronous must be OFF, NORMAL, FULL or EXTRA, not {synchronous!r}")
        super().__init__(path=path, **kwargs)
        self.readers = readers
        self.busy_timeout_ms = busy_timeout_ms
        self.synchronous = synchronous
        self._writer: _Writer | None = None
        self._reader_pool: ThreadPoolExecutor | None = None
        self._reader_local = threading.local()
        self._reader_connections: list[sqlite3.Connection] = []
        self._owner_pid = 0
        self._start_lock = threading.Lock()

    # -- connections --------------------------------------------------------------------------

    def connect(self, read_only: bool = False) -> sqlite3.Connection:
        """A plain sqlite3 connection with Linli's settings (WAL, busy timeout, foreign keys)."""
        kwargs = {**self.connection_kwargs, "check_same_thread": False}
        conn = sqlite3.connect(**kwargs)
        conn.row_factory = dict_factory
        conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
        self._use_wal(conn)
        conn.execute(f"PRAGMA synchronous = {self.synchronous}")
        conn.execute("PRAGMA foreign_keys = ON")
        if read_only:
            conn.execute("PRAGMA query_only = ON")
        return conn

    def _use_wal(self, conn: sqlite3.Connection) -> None:
        # WAL is a property of the file, set by whichever connection comes first. Switching
        # needs an exclusive lock, for which SQLite does not call the busy handler: on a fresh
        # file the writer and a reader (or another process) can race, so retry until the timeout.
        deadline = time.monotonic() + self.busy_timeout_ms / 1000
        while conn.execute("PRAGMA journal_mode").fetchone()["journal_mode"] != "wal":
            try:
                conn.execute("PRAGMA journal_mode = WAL")
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.005)

    def _ensure_started(self) -> _Writer:
        writer = self._writer
        if writer is not None and self._owner_pid == os.getpid() and writer.connect_error is None:
            return writer
        with self._start_lock:
            if self._writer is not None and self._writer.connect_error is not None:
                self._writer.stop()  # it could not open the database: try again with a new one
                self._writer = None
            if self._writer is None or self._owner_pid != os.getpid():
                # After a fork the threads do not exist in the child: start our own.
                self._owner_pid = os.getpid()
                self._writer = _Writer(self.connect)
                self._writer.start()
                self._reader_local = threading.local()
                self._reader_connections = []
                self._reader_pool = ThreadPoolExecutor(
                    max_workers=self.readers, thread_name_prefix="linli-sqlite-reader"
                )
        return self._writer

    def close(self) -> None:
        """Stop the writer and readers and close their connections; queued writes finish first.

        Closing the last connection checkpoints the WAL into the database file.
        """
        if self._writer is not None and self._owner_pid == os.getpid():
            assert self._reader_pool is not None
            self._reader_pool.shutdown(wait=True)
            for connection in self._reader_connections:
                connection.close()
            self._writer.stop()
            self._writer.join()
        self._reader_connections = []
        self._writer = None
        self._reader_pool = None

    @property
    def commits(self) -> int:
        return self._writer.commits if self._writer else 0

    def open_session(self) -> WriterSession:
        writer = self._ensure_started()
        session = WriterSession()
        writer.submit(session)
        return session

    # -- running work -------------------------------------------------------------------------

    async def write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``fn(connection)`` on the writer, atomically.

        Inside a Piccolo transaction it joins that transaction (in a savepoint, so a failure
        undoes only ``fn``'s own writes); outside one it is a group-committed unit.
        """
        transaction = self.current_transaction.get()
        if transaction is not None:
            return await transaction.connection.call(lambda conn: _in_savepoint(conn, fn))
        writer = self._ensure_started()
        unit = _Unit(fn, asyncio.get_running_loop())
        writer.submit(unit)
        return await unit.future

    async def read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``fn(connection)`` on a reader (or in the current transaction, to see its writes)."""
        transaction = self.current_transaction.get()
        if transaction is not None:
            return await transaction.connection.call(fn)
        self._ensure_started()
        return await asyncio.get_running_loop().run_in_executor(self._reader_pool, self._on_reader, fn)

    def _on_reader(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        conn = getattr(self._reader_local, "conn", None)
        if conn is None:
            conn = self._reader_local.conn = self.connect(read_only=True)
            self._reader_connections.append(conn)
        return fn(conn)

    async def _run_sql(self, sql: str, args: list[Any] | None) -> list[dict]:
        def run(conn: sqlite3.Connection) -> list[dict]:
            return conn.execute(sql, args or []).fetchall()

        if _is_read(sql):
            return await self.read(run)
        transaction = self.current_transaction.get()
        if transaction is not None:
            return await transaction.connection.call(run)
        return await self.write(run)

    # -- Piccolo's entry points ---------------------------------------------------------------

    async def run_querystring(self, querystring: QueryString, in_pool: bool = False):
        query_id = self.get_query_id()
        if self.log_queries:
            self.print_query(query_id=query_id, query=querystring.__str__())
        sql, args = querystring.compile_string(engine_type=self.engine_type)
        response = await self._run_sql(sql, args)
        if self.log_responses:
            self.print_response(query_id=query_id, response=response)
        return response

    async def run_ddl(self, ddl: str, in_pool: bool = False):
        if self.log_queries:
            self.print_query(query_id=self.get_query_id(), query=ddl)
        return await self._run_sql(ddl, None)

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.immediate,
        allow_nested: bool = True,
    ) -> LinliSQLiteTransaction:
        return LinliSQLiteTransaction(
            engine=self, transaction_type=transaction_type, allow_nested=allow_nested
        )


def _in_savepoint(conn: sqlite3.Connection, fn: Callable[[sqlite3.Connection], T]) -> T:
    conn.execute("SAVEPOINT nested_write")
    try:
        result = fn(conn)
    except BaseException:
        if conn.in_transaction:  # else SQLite rolled it all back by itself (a full disk, an I/O error)
            conn.execute("ROLLBACK TO nested_write")
            conn.execute("RELEASE nested_write")
        raise
    conn.execute("RELEASE nested_write")
    return result


# PostgreSQL: how long a request may wait for the database before it is told it is unreachable.
CONNECT_TIMEOUT_S = 5.0  # opening a connection (a server that is down refuses at once; a lost one)
ACQUIRE_TIMEOUT_S = 10.0  # waiting for a pooled connection (every one busy, or being reopened)


class DatabaseUnreachable(ConnectionError):
    """No connection to the database server could be opened (it is down, restarting, or too
    slow to answer within ``CONNECT_TIMEOUT_S``)."""


async def _connect(*args, **kwargs):
    """``asyncpg.connect``, its failures to reach the server told apart from every other error
    (a missing socket file is a FileNotFoundError, which means something else elsewhere)."""
    import asyncpg

    try:
        return await asyncpg.connect(*args, **kwargs)
    except (OSError, TimeoutError) as error:
        raise DatabaseUnreachable(f"cannot connect to the database: {error}") from error


class LinliPostgresTransaction(PostgresTransaction):
    """Piccolo's transaction, giving its connection back whatever happens.

    Piccolo's own keeps the pooled connection when ``BEGIN`` fails or is cancelled (its
    ``__aexit__`` never runs) or when ``COMMIT``/``ROLLBACK`` raises (the release is skipped):
    the pool drains, and once the server is back every request waits for a connection for ever.
    Here a connection in an unknown state (its work failed or was cancelled halfway) is
    terminated rather than reused, and the pool opens a fresh one when next asked.
    """

    async def get_connection(self):
        if self.engine.pool:
            return await self.engine.pool.acquire(timeout=ACQUIRE_TIMEOUT_S)
        return await self.engine.get_new_connection()

    async def __aenter__(self) -> PostgresTransaction:
        if self._parent is not None:
            return self._parent
        self.connection = await self.get_connection()
        try:
            self.transaction = self.connection.transaction()
            await self.begin()
        except BaseException:
            await self._give_back(broken=True)
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent:
            return exception is None
        broken = False
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        except BaseException:
            broken = True
            raise
        finally:
            self.engine.current_transaction.reset(self.context)
            await self._give_back(broken=broken)
        return exception is None

    async def _give_back(self, *, broken: bool) -> None:
        connection, self.connection = self.connection, None
        if connection is None:
            return
        if broken:
            connection.terminate()  # never awaits: a dead server cannot make it hang
        if self.engine.pool:
            await asyncio.shield(self.engine.pool.release(connection, timeout=CONNECT_TIMEOUT_S))
        elif not broken:
            await connection.close(timeout=CONNECT_TIMEOUT_S)


async def _keep_session(connection) -> None:
    """What a pooled connection needs when it goes back: nothing more than asyncpg's own step.

    asyncpg always rolls back a transaction left open; its default reset then sends one more
    statement (release advisory locks, close cursors, UNLISTEN, RESET ALL) on every release,
    which doubled the round trips of every read outside a transaction. Linli leaves no session
    state on a pooled connection (its advisory locks are transaction-scoped; the migration lock
    takes a connection of its own), so there is nothing to undo.
    """


class LinliPostgresEngine(PostgresEngine):
    """Piccolo's PostgreSQL engine with bounded waits: a connection opens within
    ``CONNECT_TIMEOUT_S`` and comes from the pool within ``ACQUIRE_TIMEOUT_S``, or the caller
    gets an error (web answers 503) instead of waiting for ever; transactions always give their
    connection back (``LinliPostgresTransaction``)."""

    def __init__(self, url: str):
        super().__init__(config={"dsn": url, "timeout": CONNECT_TIMEOUT_S}, log_queries=False)

    async def start_connection_pool(self, **kwargs) -> None:
        await super().start_connection_pool(connect=_connect, reset=_keep_session, **kwargs)

    async def get_new_connection(self):
        return await _connect(**self.config)

    async def _run_in_pool(self, query: str, args=None):
        if not self.pool:
            raise ValueError("A pool isn't currently running.")
        async with self.pool.acquire(timeout=ACQUIRE_TIMEOUT_S) as connection:
            return await connection.fetch(query, *(args or []))

    def transaction(self, allow_nested: bool = True) -> LinliPostgresTransaction:
        return LinliPostgresTransaction(engine=self, allow_nested=allow_nested)


def engine_from_url(url: str | None = None) -> Engine:
    """The engine for a database URL: ``sqlite:///path`` (the default) or ``postgresql://...``."""
    url = url or DATABASE_URL.read()
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme in ("postgres", "postgresql"):
        return LinliPostgresEngine(url)
    if parsed.scheme == "sqlite":
        # sqlite:///relative.sqlite and sqlite:////absolute/path.sqlite, as SQLAlchemy spells them.
        path = url[len("sqlite:///") :] if url.startswith("sqlite:///") else ""
        if not path:
            raise ValueError(
                "a SQLite URL is sqlite:///relative/file.sqlite or sqlite:////absolute/file.sqlite, "
                f"not {url!r}"
            )
        return LinliSQLiteEngine(path=path)
    raise ValueError(f"LINLI_DATABASE_URL must start with sqlite:/// or postgresql://, not {url!r}")


_SQLITE_UNAVAILABLE = ("database is locked", "disk i/o error", "unable to open database file")


def unreachable(error: BaseException) -> bool:
    """Whether ``error`` (or what caused it) says the database cannot be reached or used just now
    (a server stopped, restarting or refusing connections; a connection lost; no connection
    free in time; SQLite's file busy past its timeout or gone), rather than a refusal or a bug."""
    seen = 0
    current: BaseException | None = error
    while current is not None and seen < 8:
        if _unreachable_itself(current):
            return True
        current, seen = current.__cause__ or current.__context__, seen + 1
    return False


def _unreachable_itself(error: BaseException) -> bool:
    import asyncpg

    if isinstance(
        error,
        asyncpg.PostgresConnectionError  # class 08: the connection failed or was refused
        | asyncpg.exceptions.OperatorInterventionError  # class 57: shutting down, starting up
        | asyncpg.exceptions.ConnectionDoesNotExistError  # lost while in use
        | DatabaseUnreachable
        | ConnectionError  # reset or broken under a query
        | TimeoutError,  # no pooled connection free in time
    ):
        return True
    if isinstance(error, asyncpg.InterfaceError):
        text = str(error).lower()
        return "closed" in text or "closing" in text
    if isinstance(error, asyncpg.exceptions.InternalClientError):
        # A connection the server dropped mid-query, used again before the pool noticed (seen
        # under load as PostgreSQL shut down): "another operation is in progress".
        return "another operation" in str(error).lower()
    if isinstance(error, sqlite3.OperationalError):
        return str(error).lower().startswith(_SQLITE_UNAVAILABLE)
    return False


def is_sqlite(engine: Engine) -> bool:
    return engine.engine_type == "sqlite"
