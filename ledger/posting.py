"""How transfers are applied: the ledger's rules, written once, run on SQLite or PostgreSQL.

The rules are a generator that yields SQL (``?`` placeholders) and receives the rows, so that the
same code runs synchronously on SQLite's writer thread (a whole transfer costs one hop to that
thread, and concurrent postings share one commit) and asynchronously on an asyncpg connection.
Every call applies a list of operations all or nothing: a linked batch is just a longer list.

Serialisation: on SQLite the caller holds ``BEGIN IMMEDIATE``; on PostgreSQL the first statement
takes a transaction-scoped advisory lock. Either way one posting at a time extends the hash chain,
so sequence numbers, balances and the chain are exact under any number of processes.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, Literal, NamedTuple

from ledger import errors
from ledger.tables import ASSETS

DEBITS_MUST_NOT_EXCEED_CREDITS = 1
CREDITS_MUST_NOT_EXCEED_DEBITS = 2

GENESIS_HASH = "0" * 64
# Operations in one linked batch: TigerBeetle's limit, and a batch's reads stay under SQLite's
# 32,766 bound variables.
MAX_BATCH = 8190
MAX_ID_LENGTH = 64
MAX_AMOUNT = 10**15  # a quadrillion points, or ten trillion yuan in fen: beyond any community
MAX_TOTAL = 2**63 - 1  # an account's running totals are BIGINT on both engines
MAX_TIMEOUT_S = 10 * 365 * 24 * 3600  # a reservation is held ten years at most
MAX_REASON_LENGTH = 32
MAX_REFERENCE_LENGTH = 128
MAX_MEMO_LENGTH = 1000
# The ids of transfers the expiry sweep writes; callers may not take them (see expiry_id).
EXPIRY_PREFIX = "expire:"
POSTGRES_LEDGER_LOCK = 0x4C494E4C49  # "LINLI": the advisory lock that orders PostgreSQL postings

TRANSFER_COLUMNS = (
    "seq", "id", "kind", "debit_account", "credit_account", "amount", "asset", "pending",
    "reverses", "batch_id", "timeout_s", "reason", "reference", "memo", "created_at",
    "debit_balance_after", "credit_balance_after", "prev_hash", "hash",
)  # fmt: skip
ACCOUNT_COLUMNS = (
    "id", "asset", "kind", "flags", "debits_posted", "credits_posted", "debits_pending",
    "credits_pending",
)  # fmt: skip
TRANSFER_SELECT = "SELECT " + ", ".join(TRANSFER_COLUMNS) + " FROM ledger_transfer"
_ACCOUNT_SELECT = "SELECT " + ", ".join(ACCOUNT_COLUMNS) + " FROM ledger_account"
_TRANSFER_INSERT = (
    f"INSERT INTO ledger_transfer ({', '.join(TRANSFER_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(TRANSFER_COLUMNS))})"
)


# -- what callers ask for ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewTransfer:
    """Move ``amount`` from the debit to the credit account, now or (``pending``) reserved."""

    id: str
    debit_account_id: str
    credit_account_id: str
    amount: int
    asset: str
    reason: str = ""
    reference: str = ""
    memo: str = ""
    pending: bool = False
    timeout_s: int | None = None  # a pending transfer expires after this many seconds


@dataclass(frozen=True, slots=True)
class ResolvePending:
    """Post (all, or ``amount`` of it), void or expire a pending transfer."""

    id: str
    pending_id: str
    action: Literal["post", "void", "expire"]
    amount: int | None = None  # post only: at most the pending amount; None means all of it
    reason: str = ""
    reference: str = ""
    memo: str = ""


@dataclass(frozen=True, slots=True)
class Reverse:
    """Undo a posted movement with an opposite transfer that names it."""

    id: str
    transfer_id: str
    reason: str = "reversal"
    reference: str = ""
    memo: str = ""


Operation = NewTransfer | ResolvePending | Reverse


# -- what the ledger answers ---------------------------------------------------------------------


class TransferRecord(NamedTuple):
    """A stored transfer. A tuple in the table's column order, so that it is also the row."""

    seq: int
    id: str
    kind: str
    debit_account_id: str
    credit_account_id: str
    amount: int
    asset: str
    pending_id: str | None
    reverses_id: str | None
    batch_id: str | None
    timeout_s: int | None
    reason: str
    reference: str
    memo: str
    created_at: datetime
    debit_balance_after: int
    credit_balance_after: int
    prev_hash: str
    hash: str

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> TransferRecord:
        return cls(*row[:14], as_utc(row[14]), *row[15:])


@dataclass(slots=True)
class _AccountState:
    id: str
    asset: str
    kind: str
    flags: int
    debits_posted: int
    credits_posted: int
    debits_pending: int
    credits_pending: int
    touched: bool = field(default=False)

    @property
    def balance(self) -> int:
        return self.credits_posted - self.debits_posted


# -- the chain -----------------------------------------------------------------------------------


def canonical_time(moment: datetime) -> str:
    return as_utc(moment).isoformat(timespec="microseconds")


def transfer_hash(record: TransferRecord) -> str:
    """SHA-256 over every immutable field and the previous hash: change one and the chain breaks."""
    return _digest(record, canonical_time(record.created_at))


def _digest(fields: Sequence[Any], created_at: str) -> str:
    """The hash of a transfer's fields (in TransferRecord order, the hash itself excluded)."""
    (seq, id, kind, debit, credit, amount, asset, pending, reverses, batch, timeout_s,
     reason, reference, memo, _, debit_after, credit_after, prev_hash) = fields[:18]  # fmt: skip
    text = (
        f"{prev_hash}\x1f{seq}\x1f{id}\x1f{kind}\x1f{debit}\x1f{credit}\x1f{amount}\x1f{asset}"
        f"\x1f{pending or ''}\x1f{reverses or ''}\x1f{batch or ''}\x1f{timeout_s or ''}\x1f{reason}"
        f"\x1f{reference}\x1f{memo}\x1f{created_at}\x1f{debit_after}\x1f{credit_after}"
    )
    return hashlib.sha256(text.encode()).hexdigest()


def as_utc(moment: datetime | str) -> datetime:
    if isinstance(moment, str):  # a raw SQLite read without Piccolo's converters
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


# -- validation that needs no database -----------------------------------------------------------


def _check_id(value: str, what: str) -> None:
    if not isinstance(value, str) or not value or len(value) > MAX_ID_LENGTH:
        raise errors.InvalidTransfer(
            f"{what} must be a non-empty string of at most {MAX_ID_LENGTH} characters"
        )


_CONTROL = re.compile("[\x00-\x1f\x7f]")
_CONTROL_BUT_LINES = re.compile("[\x00-\x08\x0b-\x1f\x7f]")  # newline and tab allowed


def has_control_characters(text: str, allow_lines: bool) -> bool:
    return (_CONTROL_BUT_LINES if allow_lines else _CONTROL).search(text) is not None


def _check_texts(operation: Operation) -> None:
    # The hash joins fields with a control character: fields without them cannot be shifted
    # from one into another without changing it. (Account ids are checked when opened.)
    if not all(isinstance(text, str) for text in (operation.reason, operation.reference, operation.memo)):
        raise errors.InvalidTransfer("the reason, reference and memo must be text")
    if _CONTROL.search(operation.id + operation.reason + operation.reference) or _CONTROL_BUT_LINES.search(
        operation.memo
    ):
        raise errors.InvalidTransfer(
            "the transfer id, reason and reference may not contain control characters, "
            "nor the memo any but newlines and tabs"
        )


def _check_amount(amount: Any) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise errors.InvalidAmount("the amount must be a whole number of the smallest unit")
    if amount <= 0:
        raise errors.InvalidAmount("the amount must be positive", amount=amount)
    if amount > MAX_AMOUNT:
        raise errors.InvalidAmount("the amount is too large", amount=amount)


def validate(operation: Operation) -> None:
    _check_id(operation.id, "the transfer id")
    is_expiry = isinstance(operation, ResolvePending) and operation.action == "expire"
    if operation.id.startswith(EXPIRY_PREFIX) and not is_expiry:
        raise errors.InvalidTransfer(f"transfer ids starting with {EXPIRY_PREFIX!r} are the expiry sweep's")
    _check_texts(operation)
    if (
        len(operation.reason) > MAX_REASON_LENGTH
        or len(operation.reference) > MAX_REFERENCE_LENGTH
        or len(operation.memo) > MAX_MEMO_LENGTH
    ):
        raise errors.InvalidTransfer(
            f"the reason is at most {MAX_REASON_LENGTH}, the reference {MAX_REFERENCE_LENGTH} "
            f"and the memo {MAX_MEMO_LENGTH} characters"
        )
    if isinstance(operation, NewTransfer):
        _check_id(operation.debit_account_id, "the debit account")
        _check_id(operation.credit_account_id, "the credit account")
        _check_amount(operation.amount)
        if operation.asset not in ASSETS:
            raise errors.AssetMismatch(f"unknown asset {operation.asset!r}", asset=operation.asset)
        if operation.debit_account_id == operation.credit_account_id:
            raise errors.SameAccount("a transfer needs two different accounts")
        if operation.timeout_s is not None:
            if not operation.pending:
                raise errors.InvalidTransfer("only a pending transfer has a timeout")
            if (
                isinstance(operation.timeout_s, bool)
                or not isinstance(operation.timeout_s, int)
                or not 0 < operation.timeout_s <= MAX_TIMEOUT_S
            ):
                raise errors.InvalidTransfer(
                    f"the timeout must be a whole number of seconds from 1 to {MAX_TIMEOUT_S}"
                )
    elif isinstance(operation, ResolvePending):
        _check_id(operation.pending_id, "the pending transfer id")
        if operation.action not in ("post", "void", "expire"):
            raise errors.InvalidTransfer(f"unknown action {operation.action!r}")
        if operation.amount is not None:
            if operation.action != "post":
                raise errors.InvalidTransfer("only a post takes an amount")
            _check_amount(operation.amount)
    elif isinstance(operation, Reverse):
        _check_id(operation.transfer_id, "the reversed transfer id")
    else:
        raise TypeError(f"not a ledger operation: {operation!r}")


# -- the rules, as a generator of SQL ------------------------------------------------------------


class Sql(NamedTuple):
    """One statement for a driver to run (a tuple: cheap to make on the hot path)."""

    text: str
    params: tuple | list = ()
    many: bool = False  # params is a list of tuples: one execution each


Rows = list[tuple]


def _placeholders(count: int) -> str:
    return ", ".join("?" * count)


def apply(
    operations: Sequence[Operation], *, now: datetime, postgres: bool, batch_id: str | None
) -> Generator[Sql, Rows, list[TransferRecord]]:
    """Apply ``operations`` in order, all or nothing; raise a ``LedgerError`` to refuse them all.

    A transfer id that already exists with the same fields is answered with the stored transfer
    (idempotent retry) and changes nothing; with other fields it is a ``TransferConflict``.
    """
    if not operations:
        return []
    if len(operations) > MAX_BATCH:
        raise errors.BatchTooLarge(f"a batch holds at most {MAX_BATCH} transfers")
    for operation in operations:
        validate(operation)
    ids = [operation.id for operation in operations]
    own_ids = set(ids)  # a set: the membership tests below stay O(1) on batches of thousands
    if len(own_ids) != len(ids):
        raise errors.InvalidTransfer("a batch names the same transfer id twice")
    now = as_utc(now)
    created_at = canonical_time(now)  # once per batch: formatting a time costs more than hashing
    # What Piccolo's SQLite adapter would store for ``now``, made once instead of once per row.
    stored_now = str(now)

    if postgres:
        yield Sql("SELECT pg_advisory_xact_lock(?)", (POSTGRES_LEDGER_LOCK,))

    # Everything the batch names, read up front: the transfers (for retries, pendings and
    # reversals) and the accounts they touch.
    targets = {  # the transfers that the batch's resolutions and reversals act on
        operation.pending_id if isinstance(operation, ResolvePending) else operation.transfer_id
        for operation in operations
        if not isinstance(operation, NewTransfer)
    }
    named = own_ids | targets
    rows = yield Sql(f"{TRANSFER_SELECT} WHERE id IN ({_placeholders(len(named))})", tuple(named))
    known = {row[1]: TransferRecord.from_row(row) for row in rows}

    # Stored targets need their state (resolved? reversed? due?) even when the batch also
    # retries them; targets made by this batch get theirs as it goes.
    referenced = [i for i in targets if i in known]
    resolutions: dict[str, str] = {}  # pending id -> kind of the transfer that resolved it
    reversed_ids: set[str] = set()
    if referenced:
        marks = _placeholders(len(referenced))
        rows = yield Sql(
            f"SELECT pending, reverses, kind FROM ledger_transfer "
            f"WHERE pending IN ({marks}) OR reverses IN ({marks})",
            (*referenced, *referenced),
        )
        for pending_id, reverses_id, kind in rows:
            if pending_id:
                resolutions[pending_id] = kind
            if reverses_id:
                reversed_ids.add(reverses_id)
        rows = yield Sql(
            f"SELECT transfer_id, expires_at FROM ledger_reservation WHERE transfer_id IN ({marks})",
            tuple(referenced),
        )
        expiries = {transfer_id: expires_at for transfer_id, expires_at in rows}
    else:
        expiries = {}

    account_ids: set[str] = set()
    for operation in operations:
        if isinstance(operation, NewTransfer):
            account_ids.update((operation.debit_account_id, operation.credit_account_id))
    for record in known.values():
        account_ids.update((record.debit_account_id, record.credit_account_id))
    accounts: dict[str, _AccountState] = {}
    if account_ids:
        rows = yield Sql(
            f"{_ACCOUNT_SELECT} WHERE id IN ({_placeholders(len(account_ids))})",
            tuple(account_ids),
        )
        accounts = {row[0]: _AccountState(*row) for row in rows}

    rows = yield Sql("SELECT seq, hash FROM ledger_transfer ORDER BY seq DESC LIMIT 1")
    seq, prev_hash = rows[0] if rows else (0, GENESIS_HASH)

    results: list[TransferRecord] = []
    inserts: list[tuple] = []
    reservations_opened: list[tuple] = []
    reservations_closed: list[tuple] = []
    for operation in operations:
        existing = known.get(operation.id)
        if existing is not None:
            _check_same(operation, existing, known)
            results.append(existing)
            continue
        kind, debit, credit, amount, pending_id, reverses_id, asset, timeout_s = _plan(
            operation, known, accounts, resolutions, reversed_ids, expiries, now
        )
        _move(kind, debit, credit, amount, known.get(pending_id) if pending_id else None)
        seq += 1
        fields = (
            seq, operation.id, kind, debit.id, credit.id, amount, asset, pending_id, reverses_id,
            batch_id, timeout_s, operation.reason, operation.reference, operation.memo, now,
            debit.balance, credit.balance, prev_hash,
        )  # fmt: skip
        prev_hash = _digest(fields, created_at)
        record = TransferRecord(*fields, prev_hash)
        known[record.id] = record
        results.append(record)
        inserts.append(record if postgres else (*fields[:14], stored_now, *fields[15:], prev_hash))
        if kind == "pending":
            expires_at = now + timedelta(seconds=timeout_s) if timeout_s else None
            reservations_opened.append((record.id, expires_at))
            expiries[record.id] = expires_at
        elif pending_id is not None:
            resolutions[pending_id] = kind
            reservations_closed.append((pending_id,))
        if reverses_id is not None:
            reversed_ids.add(reverses_id)

    if inserts:
        yield Sql(_TRANSFER_INSERT, inserts, many=True)
        if reservations_opened:
            yield Sql(
                "INSERT INTO ledger_reservation (transfer_id, expires_at) VALUES (?, ?)",
                reservations_opened,
                many=True,
            )
        if reservations_closed:
            yield Sql(
                "DELETE FROM ledger_reservation WHERE transfer_id = ?",
                reservations_closed,
                many=True,
            )
        touched = [a for a in accounts.values() if a.touched]
        yield Sql(
            "UPDATE ledger_account SET debits_posted = ?, credits_posted = ?, "
            "debits_pending = ?, credits_pending = ? WHERE id = ?",
            [(a.debits_posted, a.credits_posted, a.debits_pending, a.credits_pending, a.id) for a in touched],
            many=True,
        )
    return results


class _Plan(NamedTuple):
    """What one operation will write, once the ledger's state has been checked."""

    kind: str
    debit: _AccountState
    credit: _AccountState
    amount: int
    pending_id: str | None
    reverses_id: str | None
    asset: str
    timeout_s: int | None


def _plan(
    operation: Operation,
    known: dict[str, TransferRecord],
    accounts: dict[str, _AccountState],
    resolutions: dict[str, str],
    reversed_ids: set[str],
    expiries: dict[str, Any],
    now: datetime,
) -> _Plan:
    """Check one operation against the ledger's state; answer what it will write."""
    if isinstance(operation, NewTransfer):
        debit = _account(accounts, operation.debit_account_id)
        credit = _account(accounts, operation.credit_account_id)
        for account in (debit, credit):
            if account.asset != operation.asset:
                raise errors.AssetMismatch(
                    f"account {account.id} holds {account.asset}, not {operation.asset}",
                    account=account.id,
                )
        kind = "pending" if operation.pending else "single"
        return _Plan(kind, debit, credit, operation.amount, None, None, operation.asset, operation.timeout_s)

    if isinstance(operation, ResolvePending):
        pending = known.get(operation.pending_id)
        if pending is None or pending.kind != "pending":
            raise errors.PendingNotFound(f"{operation.pending_id} is not a pending transfer")
        resolved_by = resolutions.get(pending.id)
        if resolved_by == "post":
            raise errors.PendingAlreadyPosted(f"pending transfer {pending.id} was already posted")
        if resolved_by == "void":
            raise errors.PendingAlreadyVoided(f"pending transfer {pending.id} was voided")
        if resolved_by == "expire":
            raise errors.PendingExpired(f"pending transfer {pending.id} has expired")
        expires_at = expiries.get(pending.id)
        is_due = expires_at is not None and as_utc(expires_at) <= now
        if operation.action == "expire" and not is_due:
            raise errors.InvalidTransfer(f"pending transfer {pending.id} is not due to expire yet")
        if operation.action != "expire" and is_due:
            raise errors.PendingExpired(f"pending transfer {pending.id} has expired")
        amount = pending.amount
        if operation.action == "post" and operation.amount is not None:
            if operation.amount > pending.amount:
                raise errors.AmountExceedsPending(
                    f"cannot post {operation.amount}: the pending transfer holds {pending.amount}"
                )
            amount = operation.amount
        debit = _account(accounts, pending.debit_account_id)
        credit = _account(accounts, pending.credit_account_id)
        return _Plan(operation.action, debit, credit, amount, pending.id, None, pending.asset, None)

    original = known.get(operation.transfer_id)
    if original is None:
        raise errors.TransferNotFound(f"no transfer {operation.transfer_id}")
    if original.kind not in ("single", "post"):
        raise errors.NotReversible(f"a {original.kind} transfer moves no posted balance: void it instead")
    if original.id in reversed_ids:
        raise errors.AlreadyReversed(f"transfer {original.id} was already reversed")
    debit = _account(accounts, original.credit_account_id)
    credit = _account(accounts, original.debit_account_id)
    return _Plan("single", debit, credit, original.amount, None, original.id, original.asset, None)


def _account(accounts: dict[str, _AccountState], account_id: str) -> _AccountState:
    account = accounts.get(account_id)
    if account is None:
        raise errors.AccountNotFound(f"no account {account_id}", account=account_id)
    return account


def _move(
    kind: str,
    debit: _AccountState,
    credit: _AccountState,
    amount: int,
    pending: TransferRecord | None,
) -> None:
    """Change the two accounts' totals, then hold them to their flags."""
    if kind == "single":
        debit.debits_posted += amount
        credit.credits_posted += amount
    elif kind == "pending":
        debit.debits_pending += amount
        credit.credits_pending += amount
    else:  # post, void, expire release the whole reservation; a post then moves ``amount``
        assert pending is not None
        debit.debits_pending -= pending.amount
        credit.credits_pending -= pending.amount
        if kind == "post":
            debit.debits_posted += amount
            credit.credits_posted += amount
    debit.touched = credit.touched = True
    if (
        max(debit.debits_posted, debit.debits_pending, credit.credits_posted, credit.credits_pending)
        > MAX_TOTAL
    ):
        raise errors.InvalidAmount(
            "the accounts' totals would overflow: split the ledger's history", amount=amount
        )
    if debit.flags & DEBITS_MUST_NOT_EXCEED_CREDITS and (
        debit.debits_posted + debit.debits_pending > debit.credits_posted
    ):
        raise errors.Overdraft(
            f"account {debit.id} has too little available to pay {amount}",
            account=debit.id,
            amount=amount,
        )
    if credit.flags & CREDITS_MUST_NOT_EXCEED_DEBITS and (
        credit.credits_posted + credit.credits_pending > credit.debits_posted
    ):
        raise errors.Overdraft(
            f"account {credit.id} cannot receive {amount}", account=credit.id, amount=amount
        )


_COMPARED = (
    "debit_account_id",
    "credit_account_id",
    "amount",
    "asset",
    "reason",
    "reference",
    "memo",
)


def _check_same(operation: Operation, existing: TransferRecord, known: dict[str, TransferRecord]) -> None:
    """A retry must ask for exactly what the stored transfer did."""
    if isinstance(operation, NewTransfer):
        wanted_kind = "pending" if operation.pending else "single"
        same = (
            existing.kind == wanted_kind
            and existing.reverses_id is None
            and existing.timeout_s == operation.timeout_s
            and all(getattr(existing, name) == getattr(operation, name) for name in _COMPARED)
        )
    elif isinstance(operation, ResolvePending):
        same = (
            existing.kind == operation.action
            and existing.pending_id == operation.pending_id
            and (operation.amount or known[operation.pending_id].amount) == existing.amount
            and (existing.reason, existing.reference, existing.memo)
            == (operation.reason, operation.reference, operation.memo)
        )
    else:
        same = existing.reverses_id == operation.transfer_id and (
            existing.reason,
            existing.reference,
            existing.memo,
        ) == (operation.reason, operation.reference, operation.memo)
    if not same:
        raise errors.TransferConflict(
            f"transfer id {operation.id} is already used by a different transfer", id=operation.id
        )


# -- drivers -------------------------------------------------------------------------------------


def run_sync(connection: Any, steps: Generator[Sql, Rows, Any]) -> Any:
    """Drive ``steps`` on a sqlite3 connection (already inside a transaction)."""
    cursor = connection.cursor()
    cursor.row_factory = None
    try:
        sql = next(steps)
        while True:
            if sql.many:
                cursor.executemany(sql.text, sql.params)
                rows: Rows = []
            else:
                rows = cursor.execute(sql.text, sql.params).fetchall()
            sql = steps.send(rows)
    except StopIteration as stop:
        return stop.value
    finally:
        cursor.close()


@lru_cache(maxsize=512)
def _numbered(text: str) -> str:
    """``?`` placeholders as asyncpg's ``$1, $2, ...`` (the ledger's SQL has no literal ``?``)."""
    parts = text.split("?")
    return "".join(part + (f"${i}" if i < len(parts) else "") for i, part in enumerate(parts, 1))


async def run_async(connection: Any, steps: Generator[Sql, Rows, Any]) -> Any:
    """Drive ``steps`` on an asyncpg connection (already inside a transaction)."""
    try:
        sql = next(steps)
        while True:
            if sql.many:
                await connection.executemany(_numbered(sql.text), sql.params)
                rows: Rows = []
            else:
                rows = [tuple(r) for r in await connection.fetch(_numbered(sql.text), *sql.params)]
            sql = steps.send(rows)
    except StopIteration as stop:
        return stop.value
