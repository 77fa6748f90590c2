"""An account's statement: its transfers newest first, each with the balance after it.

Paged by cursor (the sequence number of the last line shown), never by OFFSET, and served from
the (account, seq) indexes, so page one costs the same on a ledger of a thousand transfers or of
a million.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ledger import errors
from ledger.posting import as_utc
from ledger.tables import Transfer

MAX_PAGE = 200
DEFAULT_PAGE = 50


@dataclass(frozen=True, slots=True)
class StatementLine:
    seq: int
    id: str
    kind: str
    direction: str  # "credit" (into the account) or "debit" (out of it)
    amount: int
    counterparty: str
    reason: str
    reference: str
    memo: str
    balance_after: int  # posted balance of the account after this transfer
    created_at: datetime


@dataclass(frozen=True, slots=True)
class StatementPage:
    items: list[StatementLine]
    next_cursor: str | None


_SIDE = """SELECT * FROM (
    SELECT seq, id, kind, '{direction}' AS direction, amount, {other}_account AS counterparty,
           reason, reference, memo, {side}_balance_after AS balance_after, created_at
    FROM ledger_transfer WHERE {side}_account = {{}} AND seq < {{}}
    ORDER BY seq DESC LIMIT {{}}
) AS {side}_side"""

_STATEMENT = (
    _SIDE.format(direction="debit", side="debit", other="credit")
    + "\nUNION ALL\n"
    + _SIDE.format(direction="credit", side="credit", other="debit")
    + "\nORDER BY seq DESC LIMIT {}"
)


def parse_cursor(cursor: str | None) -> int:
    if cursor is None or cursor == "":
        return 2**62
    if not (cursor.isascii() and cursor.isdigit()) or len(cursor) > 18:
        raise errors.InvalidCursor("the cursor is not one this statement gave out")
    return int(cursor)


async def statement(
    account_id: str, *, cursor: str | None = None, limit: int = DEFAULT_PAGE
) -> StatementPage:
    """One page of the account's statement, newest first; pass ``next_cursor`` for the next."""
    before = parse_cursor(cursor)
    limit = max(1, min(int(limit), MAX_PAGE))
    rows = await Transfer.raw(
        _STATEMENT, account_id, before, limit + 1, account_id, before, limit + 1, limit + 1
    )
    lines = [StatementLine(**{**row, "created_at": as_utc(row["created_at"])}) for row in rows[:limit]]
    next_cursor = str(lines[-1].seq) if len(rows) > limit else None
    return StatementPage(items=lines, next_cursor=next_cursor)
