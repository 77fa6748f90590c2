"""The ledger's tables: accounts with their running totals, append-only transfers, open reservations."""

from piccolo.columns import (
    BigInt,
    ForeignKey,
    Integer,
    OnDelete,
    OnUpdate,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

ASSETS = ("PTS", "CNY")  # points; Chinese yuan counted in fen
ACCOUNT_KINDS = ("member", "organisation", "issuer", "fund", "merchant", "escrow", "world")


class Account(Table, tablename="ledger_account"):
    """An account holds one asset. Balance = credits − debits (see ledger.accounts).

    The schema, with its CHECK constraints, lives in the hand-written migration: the columns here
    map it for Piccolo's query builder and admin.
    """

    id = Varchar(length=64, primary_key=True)
    asset = Varchar(length=8)
    kind = Varchar(length=16)
    owner = Varchar(length=64, index=True, default="")  # e.g. "member:42", "community:7"
    name = Varchar(length=128, default="")
    flags = Integer(default=0)
    debits_posted = BigInt(default=0)
    credits_posted = BigInt(default=0)
    debits_pending = BigInt(default=0)
    credits_pending = BigInt(default=0)
    created_at = Timestamptz()


class Transfer(Table, tablename="ledger_transfer"):
    """One immutable movement of ``amount`` from the debit account to the credit account.

    The database refuses UPDATE and DELETE on this table (triggers added by the migration).
    ``seq`` orders the ledger; ``hash`` chains each transfer to the one before it.
    """

    seq = BigInt(primary_key=True)
    id = Varchar(length=64, unique=True)
    kind = Varchar(length=8)
    debit_account = ForeignKey(Account, null=False, on_delete=OnDelete.restrict, on_update=OnUpdate.restrict)
    credit_account = ForeignKey(Account, null=False, on_delete=OnDelete.restrict, on_update=OnUpdate.restrict)
    amount = BigInt()
    asset = Varchar(length=8)
    # A pending transfer is resolved (posted, voided, expired) at most once, and any transfer
    # reversed at most once: partial unique indexes in the migration enforce both.
    pending = ForeignKey(
        "self",
        target_column="id",
        null=True,
        default=None,
        unique=True,
        on_delete=OnDelete.restrict,
        on_update=OnUpdate.restrict,
    )
    reverses = ForeignKey(
        "self",
        target_column="id",
        null=True,
        default=None,
        unique=True,
        on_delete=OnDelete.restrict,
        on_update=OnUpdate.restrict,
    )
    batch_id = Varchar(length=64, null=True, default=None)
    timeout_s = Integer(null=True, default=None)
    reason = Varchar(length=32, default="")
    reference = Varchar(length=128, default="")
    memo = Text(default="")
    created_at = Timestamptz()
    debit_balance_after = BigInt()
    credit_balance_after = BigInt()
    prev_hash = Varchar(length=64)
    hash = Varchar(length=64)


class Reservation(Table, tablename="ledger_reservation"):
    """A pending transfer not yet posted, voided or expired: what the expiry sweep scans.

    Rows come and go; the transfers that open and close them stay forever.
    """

    transfer_id = Varchar(length=64, primary_key=True)
    expires_at = Timestamptz(null=True, default=None, index=True)
