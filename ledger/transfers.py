"""Posting transfers: single, pending and its resolution, reversals, linked batches, expiry.

Every function here is one database transaction (or a savepoint inside the caller's Piccolo
transaction, so that a use case can post points atomically with its own state change), and
every one is idempotent on the transfer id it is given.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator, Callable, Generator, Sequence
from datetime import UTC, datetime
from typing import Any

from ledger import errors, posting
from ledger.engine import is_sqlite
from ledger.posting import NewTransfer, Operation, ResolvePending, Reverse, Sql, TransferRecord
from ledger.tables import Transfer

logger = logging.getLogger(__name__)

MAX_EXPIRE_PER_SWEEP = 1000
HISTORY_PAGE_SIZE = 5000


async def run_steps(make_steps: Callable[[], Generator[Sql, posting.Rows, Any]]) -> Any:
    """Run ledger SQL steps atomically on whatever engine the ledger's tables use."""
    engine = Transfer._meta.db
    if is_sqlite(engine):
        return await engine.write(lambda connection: posting.run_sync(connection, make_steps()))
    transaction = engine.current_transaction.get()
    if transaction is not None:
        async with transaction.connection.transaction():  # a savepoint in the caller's transaction
            return await posting.run_async(transaction.connection, make_steps())
    async with engine.transaction() as transaction:
        return await posting.run_async(transaction.connection, make_steps())


async def post_batch(
    operations: Sequence[Operation], *, batch_id: str | None = None, now: datetime | None = None
) -> list[TransferRecord]:
    """A linked batch: every operation posts, or none does (``batch_id``, if given, is recorded
    on each). Every other posting function here is a batch of one."""
    moment = now or datetime.now(UTC)
    operations = list(operations)
    postgres = not is_sqlite(Transfer._meta.db)
    return await run_steps(
        lambda: posting.apply(operations, now=moment, postgres=postgres, batch_id=batch_id)
    )


async def transfer(
    id: str,
    debit_account_id: str,
    credit_account_id: str,
    amount: int,
    asset: str = "PTS",
    *,
    reason: str = "",
    reference: str = "",
    memo: str = "",
    now: datetime | None = None,
) -> TransferRecord:
    """Move ``amount`` now."""
    operation = NewTransfer(id, debit_account_id, credit_account_id, amount, asset, reason, reference, memo)
    return (await post_batch([operation], now=now))[0]


async def reserve(
    id: str,
    debit_account_id: str,
    credit_account_id: str,
    amount: int,
    asset: str = "PTS",
    *,
    timeout_s: int | None = None,
    reason: str = "",
    reference: str = "",
    memo: str = "",
    now: datetime | None = None,
) -> TransferRecord:
    """A pending transfer: holds ``amount`` of the debit account until posted, voided or expired."""
    operation = NewTransfer(
        id, debit_account_id, credit_account_id, amount, asset, reason, reference, memo,
        pending=True, timeout_s=timeout_s,
    )  # fmt: skip
    return (await post_batch([operation], now=now))[0]


async def post_pending(
    id: str,
    pending_id: str,
    amount: int | None = None,
    *,
    reason: str = "",
    reference: str = "",
    memo: str = "",
    now: datetime | None = None,
) -> TransferRecord:
    """Post a pending transfer, whole or in part (the rest returns to the debit account)."""
    operation = ResolvePending(id, pending_id, "post", amount, reason, reference, memo)
    return (await post_batch([operation], now=now))[0]


async def void_pending(
    id: str,
    pending_id: str,
    *,
    reason: str = "",
    reference: str = "",
    memo: str = "",
    now: datetime | None = None,
) -> TransferRecord:
    """Release a pending transfer's hold without moving anything."""
    operation = ResolvePending(id, pending_id, "void", None, reason, reference, memo)
    return (await post_batch([operation], now=now))[0]


async def reverse(
    id: str,
    transfer_id: str,
    *,
    reason: str = "reversal",
    reference: str = "",
    memo: str = "",
    now: datetime | None = None,
) -> TransferRecord:
    """Correct a posted movement with the opposite transfer (transfers are never edited)."""
    return (await post_batch([Reverse(id, transfer_id, reason, reference, memo)], now=now))[0]


def expiry_id(pending_id: str) -> str:
    """The id of the transfer that expires ``pending_id``: derived, so a sweep is idempotent.

    The prefix is reserved (``posting.validate`` refuses it to callers); an id too long to take
    it whole is replaced by its hash, never cut, so two long ids cannot meet on one expiry.
    """
    whole = posting.EXPIRY_PREFIX + pending_id
    if len(whole) <= posting.MAX_ID_LENGTH:
        return whole
    room = posting.MAX_ID_LENGTH - len(posting.EXPIRY_PREFIX) - 1
    return f"{posting.EXPIRY_PREFIX}#{hashlib.sha256(pending_id.encode()).hexdigest()[:room]}"


def _expiry(pending_id: str) -> ResolvePending:
    return ResolvePending(expiry_id(pending_id), pending_id, "expire", reason="expired")


_DUE = (
    "SELECT transfer_id FROM ledger_reservation WHERE expires_at <= ? "
    "ORDER BY expires_at, transfer_id LIMIT ?"
)


def _expire_due(now: datetime, limit: int, postgres: bool):
    rows = yield Sql(_DUE, (now, limit))
    operations = [_expiry(pending_id) for (pending_id,) in rows]
    return (yield from posting.apply(operations, now=now, postgres=postgres, batch_id=None))


async def expire_due(
    *, now: datetime | None = None, limit: int = MAX_EXPIRE_PER_SWEEP
) -> list[TransferRecord]:
    """Expire the pending transfers whose timeout has passed (at most ``limit`` per call)."""
    moment = now or datetime.now(UTC)
    postgres = not is_sqlite(Transfer._meta.db)
    try:
        return await run_steps(lambda: _expire_due(moment, limit, postgres))
    except errors.LedgerError:
        # One reservation the ledger refuses must not stop every other from expiring, today
        # and at every sweep after: expire them one at a time and report the refusals.
        rows = await Transfer.raw(_DUE.replace("?", "{}"), moment, limit)
        expired: list[TransferRecord] = []
        for row in rows:
            try:
                expired += await post_batch([_expiry(row["transfer_id"])], now=moment)
            except errors.LedgerError:
                logger.exception("pending transfer %s could not expire", row["transfer_id"])
        return expired


async def expire_all_due(*, now: datetime | None = None) -> int:
    """Expire every pending transfer whose timeout has passed, a bounded sweep at a time."""
    total = 0
    while True:
        expired = await expire_due(now=now, limit=MAX_EXPIRE_PER_SWEEP)
        total += len(expired)
        if len(expired) < MAX_EXPIRE_PER_SWEEP:
            return total


async def last_seq() -> int:
    """The sequence number of the newest transfer (0 for an empty ledger): how many there are,
    since sequence numbers have no gaps, in one index lookup on either engine."""
    rows = await Transfer.raw("SELECT COALESCE(MAX(seq), 0) AS head FROM ledger_transfer")
    return int(rows[0]["head"])


async def get_transfer(transfer_id: str) -> TransferRecord | None:
    rows = await Transfer.raw(f"{posting.TRANSFER_SELECT} WHERE id = {{}}", transfer_id)
    return TransferRecord.from_row(list(rows[0].values())) if rows else None


_HISTORY_PAGE = f"{posting.TRANSFER_SELECT} WHERE seq > {{}} AND seq <= {{}} ORDER BY seq LIMIT {{}}"


async def history(
    *, after_seq: int = 0, up_to_seq: int = 2**62, page_size: int = HISTORY_PAGE_SIZE
) -> AsyncIterator[TransferRecord]:
    """The transfers after ``after_seq`` up to ``up_to_seq`` in sequence order, read a page at a
    time by keyset, so that verifying or exporting a ledger of millions never holds it all."""
    after = after_seq
    while after < up_to_seq:
        rows = await Transfer.raw(_HISTORY_PAGE, after, up_to_seq, page_size)
        if not rows:
            return
        for row in rows:
            record = TransferRecord.from_row(list(row.values()))
            after = record.seq
            yield record
