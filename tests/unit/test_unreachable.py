"""Which errors mean the database cannot be reached just now (the app answers 503), and which
are refusals or bugs (a 500 stays a 500): ``ledger.engine.unreachable``."""

from __future__ import annotations

import sqlite3

import asyncpg
import pytest

from ledger.engine import DatabaseUnreachable, unreachable


def _caused_by(cause: BaseException) -> RuntimeError:
    try:
        try:
            raise cause
        except BaseException as inner:
            raise RuntimeError("rolled back") from inner
    except RuntimeError as outer:
        return outer


@pytest.mark.parametrize(
    "error",
    [
        DatabaseUnreachable("cannot connect"),
        asyncpg.exceptions.CannotConnectNowError("the database system is shutting down"),
        asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command"),
        asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        asyncpg.InterfaceError("connection is closed"),
        asyncpg.exceptions.InternalClientError(
            "cannot switch to state 12; another operation (2) is in progress"
        ),
        ConnectionResetError(104, "Connection reset by peer"),
        TimeoutError(),
        sqlite3.OperationalError("database is locked"),
        _caused_by(asyncpg.exceptions.AdminShutdownError("terminating connection")),
    ],
)
def test_these_say_the_database_is_away(error):
    assert unreachable(error)


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.exceptions.UniqueViolationError("duplicate key value"),
        asyncpg.exceptions.InternalClientError("something else entirely"),
        asyncpg.InterfaceError("cannot perform operation: another transaction is in progress"),
        sqlite3.OperationalError("no such table: projects_need"),
        sqlite3.IntegrityError("CHECK constraint failed"),
        ValueError("a bug"),
        _caused_by(KeyError("a bug underneath")),
    ],
)
def test_these_are_refusals_or_bugs(error):
    assert not unreachable(error)
