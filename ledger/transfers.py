"""Posting transfers: single, pending and its resolution, reversals, linked batches, expiry.

Every function here is one database transaction (or a savepoint inside the caller's Piccolo
transaction, so that a use case can post points atomically with its own state change), and
every one is idempotent on the transfer id it is given.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Generator, Sequence
from datetime import UTC, datetime
from typing import Any

from ledger import posting
from ledger.engine import is_sqlite
from ledger.posting import NewTransfer, Operation, ResolvePending, Reverse, Sql, TransferRecord
from ledger.tables import Transfer

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


async def execute(
    operations: Sequence[Operation], *, now: datetime | None = None, batch_id: str | None = None
) -> list[TransferRecord]:
    """Apply operations all or nothing (a linked batch when there are several)."""
    moment = now or datetime.now(UTC)
    operations = list(operations)
    postgres = not is_sqlite(Transfer._meta.db)
    return await run_steps(
        lambda: posting.apply(operations, now=moment, postgres=postgres, batch_id=batch_id)
    )


async def post_batch(
    operations: Sequence[Operation], *, batch_id: str | None = None, now: datetime | None = None
) -> list[TransferRecord]:
    """A linked batch: every operation posts, or none does. ``batch_id`` is recorded on each."""
    return await execute(operations, now=now, batch_id=batch_id)


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
    return (await execute([operation], now=now))[0]


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
    return (await execute([operation], now=now))[0]


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
    return (await execute([operation], now=now))[0]


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
    return (await execute([operation], now=now))[0]


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
    return (await execute([Reverse(id, transfer_id, reason, reference, memo)], now=now))[0]


def expiry_id(pending_id: str) -> str:
    """The id of the transfer that expires ``pending_id``: derived, so a sweep is idempotent."""
    return f"expire:{pending_id}"[: posting.MAX_ID_LENGTH]


def _expire_due(now: datetime, limit: int, postgres: bool):
    rows = yield Sql(
        "SELECT transfer_id FROM ledger_reservation WHERE expires_at <= ? "
        "ORDER BY expires_at, transfer_id LIMIT ?",
        (now, limit),
    )
    operations = [
        ResolvePending(expiry_id(pending_id), pending_id, "expire", reason="expired")
        for (pending_id,) in rows
    ]
    return (yield from posting.apply(operations, now=now, postgres=postgres, batch_id=None))


async def expire_due(
    *, now: datetime | None = None, limit: int = MAX_EXPIRE_PER_SWEEP
) -> list[TransferRecord]:
    """Expire the pending transfers whose timeout has passed (at most ``limit`` per call)."""
    moment = now or datetime.now(UTC)
    postgres = not is_sqlite(Transfer._meta.db)
    return await run_steps(lambda: _expire_due(moment, limit, postgres))


async def expire_all_due(*, now: datetime | None = None) -> int:
    """Expire every pending transfer whose timeout has passed, a bounded sweep at a time."""
    total = 0
    while True:
        expired = await expire_due(now=now, limit=MAX_EXPIRE_PER_SWEEP)
        total += len(expired)
        if len(expired) < MAX_EXPIRE_PER_SWEEP:
            return total


async def get_transfer(transfer_id: str) -> TransferRecord | None:
    rows = await Transfer.raw(f"{posting.TRANSFER_SELECT} WHERE id = {{}}", transfer_id)
    return TransferRecord.from_row(list(rows[0].values())) if rows else None


_HISTORY_PAGE = f"{posting.TRANSFER_SELECT} WHERE seq > {{}} AND seq <= {{}} ORDER BY seq LIMIT {{}}"


async def history(
    *, up_to_seq: int = 2**62, page_size: int = HISTORY_PAGE_SIZE
) -> AsyncIterator[TransferRecord]:
    """Every transfer in sequence order (up to ``up_to_seq``), read a page at a time by keyset,
    so that verifying or exporting a ledger of millions never holds it all in memory."""
    after = 0
    while after < up_to_seq:
        rows = await Transfer.raw(_HISTORY_PAGE, after, up_to_seq, page_size)
        if not rows:
            return
        for row in rows:
            record = TransferRecord.from_row(list(row.values()))
            after = record.seq
            yield record
