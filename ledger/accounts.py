"""Opening accounts and reading balances (constant time: totals live on the account row)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from ledger import errors
from ledger.posting import (
    CREDITS_MUST_NOT_EXCEED_DEBITS,
    DEBITS_MUST_NOT_EXCEED_CREDITS,
    MAX_ID_LENGTH,
    as_utc,
    has_control_characters,
)
from ledger.tables import ACCOUNT_KINDS, ASSETS, Account

__all__ = [
    "CREDITS_MUST_NOT_EXCEED_DEBITS",
    "DEBITS_MUST_NOT_EXCEED_CREDITS",
    "AccountRecord",
    "Balance",
    "balance",
    "get_account",
    "open_account",
    "snapshot",
]


@dataclass(frozen=True, slots=True)
class Balance:
    """An account's balance, in the asset's smallest unit.

    ``posted`` is credits − debits posted; ``pending`` is the net of open reservations
    (negative when the account has promised to pay); ``available`` is what it can spend now:
    posted minus what it has reserved.
    """

    posted: int
    pending: int
    available: int


@dataclass(frozen=True, slots=True)
class AccountRecord:
    id: str
    asset: str
    kind: str
    owner: str
    name: str
    flags: int
    debits_posted: int
    credits_posted: int
    debits_pending: int
    credits_pending: int
    created_at: datetime

    @property
    def balance(self) -> Balance:
        posted = self.credits_posted - self.debits_posted
        return Balance(
            posted=posted,
            pending=self.credits_pending - self.debits_pending,
            available=posted - self.debits_pending,
        )


_FIELDS = ("id", "asset", "kind", "owner", "name", "flags")


async def open_account(
    id: str,
    *,
    asset: str,
    kind: str,
    owner: str = "",
    name: str = "",
    flags: int = 0,
) -> AccountRecord:
    """Open an account, or return it if it is already open with the same fields (idempotent)."""
    if not isinstance(id, str) or not id or len(id) > MAX_ID_LENGTH or has_control_characters(id, False):
        raise errors.InvalidAccount(f"an account id is 1 to {MAX_ID_LENGTH} characters, none of them control")
    if len(owner) > 64 or len(name) > 128:
        raise errors.InvalidAccount("an account's owner is at most 64 and its name 128 characters")
    if asset not in ASSETS:
        raise errors.InvalidAccount(f"unknown asset {asset!r}")
    if kind not in ACCOUNT_KINDS:
        raise errors.InvalidAccount(f"unknown account kind {kind!r}")
    if isinstance(flags, bool) or not isinstance(flags, int) or flags < 0 or flags > 3:
        raise errors.InvalidAccount(
            "an account's flags are 0, 1 (no overdraft) or 2 (no credit beyond debits)"
        )
    if flags & DEBITS_MUST_NOT_EXCEED_CREDITS and flags & CREDITS_MUST_NOT_EXCEED_DEBITS:
        raise errors.InvalidAccount("an account cannot limit both its debits and its credits")
    wanted = {"id": id, "asset": asset, "kind": kind, "owner": owner, "name": name, "flags": flags}
    await Account.insert(Account(**wanted, created_at=datetime.now(UTC))).on_conflict(action="DO NOTHING")
    account = await get_account(id)
    assert account is not None
    if any(getattr(account, key) != value for key, value in wanted.items()):
        raise errors.AccountConflict(f"account {id} is already open with other fields", account=id)
    return account


async def get_account(account_id: str) -> AccountRecord | None:
    row = await Account.select().where(Account.id == account_id).first()
    return AccountRecord(**row) if row else None


async def balance(account_id: str) -> Balance:
    account = await get_account(account_id)
    if account is None:
        raise errors.AccountNotFound(f"no account {account_id}", account=account_id)
    return account.balance


_SNAPSHOT = (
    "SELECT *, (SELECT COALESCE(MAX(seq), 0) FROM ledger_transfer) AS head FROM ledger_account ORDER BY id"
)


async def snapshot() -> tuple[list[AccountRecord], int]:
    """Every account and the last transfer's sequence number, read in one statement.

    One statement sees one moment on either engine, so the totals are exactly those of the
    transfers up to that sequence number, however many postings go on meanwhile.
    """
    rows = await Account.raw(_SNAPSHOT)
    records = [
        AccountRecord(
            **{
                **{name: row[name] for name in AccountRecord.__slots__},
                "created_at": as_utc(row["created_at"]),
            }
        )
        for row in rows
    ]
    return records, (rows[0]["head"] if rows else 0)
