"""Counting the SQL statements the app sends to the database, on either engine.

SQLite reports each statement a connection runs to a trace callback; asyncpg through a
query logger on each pooled connection. Transaction control (BEGIN, COMMIT, SAVEPOINT, ...) and
statements run by triggers are not counted: the budgets are about the work a use case asks for.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Iterator

from piccolo.engine.base import Engine

from ledger.engine import is_sqlite

_WRITES = ("INSERT", "UPDATE", "DELETE")
_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA", "END", "--")


def counted(sql: str) -> bool:
    return not sql.lstrip().upper().startswith(_CONTROL)


class StatementCounter:
    """Installed once on an engine; ``with counter.counting() as seen`` collects what runs inside."""

    def __init__(self) -> None:
        self._seen: list[str] | None = None
        self._last: dict[int, str] = {}  # connection -> the last statement it reported

    def _record(self, sql: str) -> None:
        seen = self._seen
        if seen is not None and counted(sql):
            seen.append(sql)

    @classmethod
    async def install(cls, engine: Engine) -> StatementCounter:
        counter = cls()
        if is_sqlite(engine):
            await counter._install_sqlite(engine)
        else:
            counter._install_postgres(engine)
        return counter

    async def _install_sqlite(self, engine) -> None:
        def trace(conn: sqlite3.Connection) -> None:
            # SQLite reports a write again as each trigger it fires starts (with the same text):
            # a write repeated right after itself on one connection is that, not a new one.
            def record(sql: str) -> None:
                if not (sql == self._last.get(id(conn)) and sql.lstrip().upper().startswith(_WRITES)):
                    self._record(sql)
                self._last[id(conn)] = sql

            conn.set_trace_callback(record)

        # The writer's connection is reachable only from its own thread; readers are opened
        # lazily, one per reader thread, so future ones are traced as they are made.
        await engine.write(trace)
        for reader in engine._reader_connections:
            trace(reader)
        connect = engine.connect

        def traced_connect(read_only: bool = False) -> sqlite3.Connection:
            conn = connect(read_only=read_only)
            trace(conn)
            return conn

        engine.connect = traced_connect

    def _install_postgres(self, engine) -> None:
        # The app's pool opens all its connections at start (min_size == max_size).
        for holder in engine.pool._holders:
            if holder._con is not None:
                holder._con.add_query_logger(lambda record: self._record(record.query))

    @contextlib.contextmanager
    def counting(self) -> Iterator[list[str]]:
        self._seen = seen = []
        self._last.clear()
        try:
            yield seen
        finally:
            self._seen = None

    async def run(self, coroutine) -> list[str]:
        """The statements ``coroutine`` sends (asyncpg logs them a loop turn after they run)."""
        with self.counting() as seen:
            await coroutine
            for _ in range(3):
                await asyncio.sleep(0)
        return seen
