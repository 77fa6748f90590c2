"""The market's periodic job: redemptions whose time is up expire (points and stock return), and
venture calls past their deadline go to review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from market import redemptions, ventures


@dataclass(frozen=True, slots=True)
class MarketSweep:
    redemptions_expired: int
    calls_closed: int


async def sweep(*, now: datetime) -> MarketSweep:
    return MarketSweep(
        redemptions_expired=await redemptions.expire_due(now=now),
        calls_closed=await ventures.close_due_calls(now=now),
    )
