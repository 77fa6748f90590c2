"""The market's periodic job: redemptions whose time is up expire (points and stock return),
venture calls past their deadline go to review, and exchanges whose work was submitted a week
ago without an answer are confirmed (the performer is paid)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from market import exchanges, redemptions
from market.ventures.calls import close_due_calls


@dataclass(frozen=True, slots=True)
class MarketSweep:
    redemptions_expired: int
    calls_closed: int
    exchanges_confirmed: int


async def sweep(*, now: datetime) -> MarketSweep:
    return MarketSweep(
        redemptions_expired=await redemptions.expire_due(now=now),
        calls_closed=await close_due_calls(now=now),
        exchanges_confirmed=await exchanges.confirm_overdue(now=now),
    )
