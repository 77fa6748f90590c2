"""One database transaction per use case, on whichever engine the tables are bound to."""

from __future__ import annotations

from datetime import UTC, datetime

from projects.tables import Area


def atomic():
    """``async with atomic():`` — every query inside commits together or not at all.

    Nested, it joins the outer transaction. Ledger postings inside join it too (in a savepoint),
    so a state change and the points it moves commit as one.
    """
    return Area._meta.db.transaction()


def utcnow() -> datetime:
    return datetime.now(UTC)


def postgres() -> bool:
    return Area._meta.db.engine_type == "postgres"


def for_update(query):
    """Lock the selected rows until the transaction ends (PostgreSQL). On SQLite the writer's
    immediate transaction already holds the database's one write lock."""
    return query.lock_rows() if postgres() else query
