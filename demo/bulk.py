"""Rows written straight into tables, in bulk, inside one Piccolo transaction on either engine:
``executemany`` on SQLite's writer connection, ``COPY`` on PostgreSQL. Values go in as the
engines' own adapters would store them (on SQLite: instants as UTC text, booleans as 0 and 1),
so that the app reads them back exactly like rows it wrote itself.

Ids are chosen by the caller; ``finish`` then moves PostgreSQL's identity sequences past them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from itertools import islice
from typing import Any

CHUNK_ROWS = 20_000  # rows per statement: memory stays flat, round trips stay few
IDENTITY_TABLES = (
    ("projects_area", "id"),
    ("projects_member", "id"),
    ("projects_role", "id"),
    ("projects_organisation", "id"),
    ("projects_organisation_member", "id"),
    ("projects_need", "id"),
    ("projects_task", "id"),
    ("projects_claim", "id"),
    ("projects_rating", "id"),
    ("projects_event", "seq"),
)


def sqlite_value(value: Any) -> Any:
    """What Piccolo's SQLite adapters store: an aware instant as its UTC text, a bool as 0/1."""
    if isinstance(value, datetime):
        return str(value.astimezone(UTC))
    if isinstance(value, bool):
        return int(value)
    return value


def chunks(rows: Iterable[tuple], size: int = CHUNK_ROWS) -> Iterator[list[tuple]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


class Bulk:
    """Bulk writes into the current transaction of ``engine`` (enter ``engine.transaction()`` first)."""

    def __init__(self, engine):
        self.engine = engine
        self.postgres = engine.engine_type == "postgres"
        self.rows = 0

    def _connection(self):
        transaction = self.engine.current_transaction.get()
        assert transaction is not None, "bulk writes go inside a transaction"
        return transaction.connection

    async def insert(self, table: str, columns: tuple[str, ...], rows: Iterable[tuple], progress=None) -> int:
        """Insert ``rows`` (tuples in ``columns``' order); answer how many. ``progress(n)`` is told
        after each chunk."""
        count = 0
        connection = self._connection()
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        for chunk in chunks(rows):
            if self.postgres:
                await connection.copy_records_to_table(table, records=chunk, columns=list(columns))
            else:
                converted = [tuple(sqlite_value(value) for value in row) for row in chunk]
                await connection.call(lambda conn, converted=converted: conn.executemany(sql, converted))
            count += len(chunk)
            if progress is not None:
                progress(len(chunk))
        self.rows += count
        return count

    async def finish(self) -> None:
        """Identity sequences past the ids written (PostgreSQL), and fresh planner statistics."""
        connection = self._connection()
        if self.postgres:
            for table, column in IDENTITY_TABLES:
                await connection.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                    f"COALESCE((SELECT MAX({column}) FROM {table}), 0) + 1, false)"
                )
            await connection.execute("ANALYZE")
        else:
            await connection.call(lambda conn: conn.execute("ANALYZE"))
