"""The demo street's month as its stories share it: the clock, the random draws, who has been
signed in, and the small choices every story makes (a resident, volunteers, a leader, how long
to wait)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from demo.street import Community, Street
from demo.timeline import Timeline
from projects.access import Actor, load_actor


class Month(Timeline):
    def __init__(
        self, street: Street, rng: random.Random, seed: int, transfers: int, start: datetime, end: datetime
    ):
        super().__init__(start, end)
        self.street = street
        self.rng = rng
        self.seed = seed
        self.transfers = transfers
        self._actors: dict[int, Actor] = {}
        self.rated: set[tuple[int, int]] = set()  # (rater, resource)
        self.assessed: list[int] = []  # the indicator system's assessment leaves, once planted

    def hours(self, low: float, high: float) -> timedelta:
        return timedelta(minutes=self.rng.randint(int(low * 60), int(high * 60)))

    async def actor(self, member_id: int) -> Actor:
        if member_id not in self._actors:
            self._actors[member_id] = await load_actor(member_id)
        return self._actors[member_id]

    def resident_of(self, c: Community, *, exclude: tuple[int, ...] = ()) -> int:
        while True:
            member = self.rng.choice(c.residents)
            if member not in exclude:
                return member

    def volunteers_for(self, c: Community, count: int, *, exclude: tuple[int, ...] = ()) -> list[int]:
        pool = [member for member in c.volunteers if member not in exclude]
        return self.rng.sample(pool, min(count, len(pool)))

    def manager_of(self, c: Community, unit: int) -> int:
        """A leader of the unit, its building or its grid (the one who confirms and settles)."""
        area = self.rng.choice((unit, c.building_of[unit], c.grid_of[unit], c.grid_of[unit]))
        return c.leaders[area]
