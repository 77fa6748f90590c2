"""A small street for ledger tests: its accounts, a clock, and a snapshot of everything stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ledger import accounts
from ledger.accounts import DEBITS_MUST_NOT_EXCEED_CREDITS
from ledger.tables import Account, Reservation, Transfer

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def at(seconds: int) -> datetime:
    """A moment ``seconds`` after T0: the tests' clock."""
    return T0 + timedelta(seconds=seconds)


async def open_street() -> None:
    """A points issuer, two members (who may not go below zero) and a merchant; a fund in fen with
    its outside world."""
    await accounts.open_account("issuer", asset="PTS", kind="issuer")
    for member in ("alice", "bob"):
        await accounts.open_account(member, asset="PTS", kind="member", flags=DEBITS_MUST_NOT_EXCEED_CREDITS)
    await accounts.open_account("shop", asset="PTS", kind="merchant")
    await accounts.open_account("world", asset="CNY", kind="world")
    await accounts.open_account("fund", asset="CNY", kind="fund", flags=DEBITS_MUST_NOT_EXCEED_CREDITS)


async def ledger_state() -> tuple:
    """Everything a posting could change: the transfers, the reservations, every account row."""
    return (
        await Transfer.count(),
        await Reservation.count(),
        await Account.select().order_by(Account.id),
    )
