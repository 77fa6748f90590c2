"""The market's periodic job: redemptions whose time is up expire (points and stock return)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from market import redemptions


@dataclass(frozen=True, slots=True)
class MarketSweep:
    redemptions_expired: int


async def sweep(*, now: datetime) -> MarketSweep:
    return MarketSweep(redemptions_expired=await redemptions.expire_due(now=now))
