"""A timeline: stories that each do one step, then yield how long to wait before the next, run
in time order on one simulated clock. A story whose next step would come after the end stops
where it is."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

Steps = AsyncIterator[timedelta]


class Timeline:
    def __init__(self, start: datetime, end: datetime):
        self.start = start
        self.end = end
        self.now = start
        self._queue: list[tuple[datetime, int, Steps]] = []
        self._order = itertools.count()

    def at(self, moment: datetime, steps: Steps) -> None:
        heapq.heappush(self._queue, (moment, next(self._order), steps))

    async def run(self) -> None:
        """Every story, step by step, until none has a step left before the end."""
        while self._queue:
            moment, order, steps = heapq.heappop(self._queue)
            if moment > self.end:
                await steps.aclose()  # it would happen after today: it stops where it is
                continue
            self.now = moment
            try:
                wait = await anext(steps)
            except StopAsyncIteration:
                continue
            heapq.heappush(self._queue, (moment + max(wait, timedelta(seconds=1)), order, steps))
        self.now = self.end
