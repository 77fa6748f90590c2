"""The app's periodic deadline sweep (督办), as the month runs."""

from __future__ import annotations

from datetime import timedelta

from demo.month import Month
from demo.timeline import Steps
from projects.sweep import sweep

SWEEP_EVERY = timedelta(hours=1)


async def sweeper(month: Month) -> Steps:
    """The app's periodic deadline sweep (督办), every hour."""
    while True:
        await sweep(now=month.now)
        yield SWEEP_EVERY
