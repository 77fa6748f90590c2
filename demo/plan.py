"""The demo street's month planned: which story starts when, from a month ago to a few minutes
ago; work in every state at the end, DESIGN.md's people with some of it on their desk."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from demo.accounts import GRID_LEADER, RESIDENT, VOLUNTEER
from demo.month import Month
from demo.stories.appraisal import assess, rate_leaders, rate_resources, survey
from demo.stories.escalation import beyond, handed_down, supervised
from demo.stories.events import event
from demo.stories.ledger_history import ledger_history
from demo.stories.needs import common, personal, taken
from demo.stories.service_projects import project
from demo.stories.sweep import sweeper
from demo.street import Street
from projects.sweep import sweep


def plan(month: Month) -> None:
    """Put every story of the month on its timeline, at the moment it starts."""
    first, second = month.street.communities
    rng, start, end = month.rng, month.start, month.end
    month.at(start, sweeper(month))
    month.at(start, ledger_history(month))

    def early() -> datetime:  # early enough to finish well before today
        return start + timedelta(minutes=rng.randint(6 * 60, 22 * 24 * 60))

    def ago(days: float) -> datetime:
        return end - timedelta(hours=days * 24)

    kinds = ("volunteer",) * 8 + (
        "decline",
        "pool",
        "pool",
        "team",
        "dispute",
        "reject",
        "cancel",
        "cancel_triaged",
        "progress",
    )
    scale = month.street.residents / 300  # as many stories per resident, whatever the street's size
    for c, count in ((first, round(90 * scale)), (second, round(35 * scale))):
        for _ in range(count):
            month.at(early(), personal(month, c, kind=rng.choice(kinds)))
        for _ in range(count // 6):
            month.at(early(), common(month, c))
        for _ in range(count // 10):
            month.at(
                early(), event(month, c, fate=rng.choice(("done", "done", "done", "expired", "cancelled")))
            )
        for _ in range(count // 4):
            month.at(early(), rate_resources(month, c))
    month.at(early(), beyond(month, first, handled=True))
    month.at(start + timedelta(days=2), project(month, first, 0, "enterprise", days=18, fate="completed"))
    month.at(start + timedelta(days=12), project(month, first, 1, "social", days=30, fate="claimed"))
    month.at(ago(4), project(month, first, 2, None, days=30, fate="published"))
    month.at(start + timedelta(days=4), project(month, second, 3, "team2", days=22, fate="claimed"))

    # Work in flight today, in every state; DESIGN.md's people have some of it on their desk.
    # Each starts early enough to reach its state, late enough that no deadline passed yet
    # (except where one should have: overdue work).
    phone = month.street.phones
    resident, volunteer, leader = phone[RESIDENT], phone[VOLUNTEER], phone[GRID_LEADER]
    in_leaders_grid = [m for m in first.residents if first.grid_of[first.home[m]] == first.grids[0]]
    month.at(ago(0.1), personal(month, first, resident=resident, kind="volunteer", stop="new"))
    month.at(
        ago(0.3),
        personal(
            month, first, resident=rng.choice(in_leaders_grid), kind="volunteer", stop="new", via=leader
        ),
    )
    month.at(ago(0.5), personal(month, second, kind="volunteer", stop="new"))
    month.at(ago(0.7), beyond(month, first, handled=False))
    month.at(ago(0.6), personal(month, first, kind="volunteer", grade="B", stop="triaged"))
    month.at(ago(12), personal(month, first, kind="progress", grade="C"))
    month.at(
        ago(0.4), personal(month, first, kind="volunteer", grade="A", stop="offered", volunteer=volunteer)
    )
    month.at(ago(0.5), personal(month, second, kind="decline", grade="A", stop="declined"))
    month.at(ago(2), personal(month, first, kind="volunteer", grade="B", stop="claimed"))
    month.at(ago(2), personal(month, first, kind="volunteer", grade="B", stop="checked_in"))
    month.at(
        ago(2.5), personal(month, first, resident=resident, kind="volunteer", grade="B", stop="submitted")
    )
    month.at(ago(3), personal(month, first, kind="dispute", grade="B", stop="disputed"))
    month.at(ago(3.5), personal(month, first, kind="volunteer", grade="A", stop="claimed"))  # overdue
    month.at(ago(25), personal(month, first, resident=resident, kind="volunteer", grade="A"))
    for days in (27, 20, 14, 8):
        month.at(ago(days), personal(month, first, kind="volunteer", grade="B", volunteer=volunteer))
    month.at(ago(1.3), personal(month, second, kind="volunteer", stop="new"))  # the sweep flags it
    # Supervision: needs overdue under notice, escalated, handed down and returned, and a
    # small thing a grid's leader took on (the board of 13900000101 and 13900000102).
    month.at(ago(5), supervised(month, first, answered=True))
    month.at(ago(3), supervised(month, first, answered=False))
    month.at(ago(1.2), supervised(month, second, answered=False))
    month.at(ago(2), handed_down(month, first, returned=False))
    month.at(ago(1.5), handed_down(month, first, returned=True))
    month.at(ago(6), taken(month, first))
    month.at(ago(3), common(month, first, places=4, stop=2, first=volunteer))  # open; a claim withdrawn
    month.at(ago(3), common(month, second, places=3, stop=3))  # full, the work not begun
    month.at(ago(3), common(month, first, places=3, stop=3, first=volunteer, check_in=True))
    month.at(ago(3), event(month, first, fate="expired"))
    month.at(ago(1), event(month, first, fate="open"))
    month.at(ago(6), event(month, second, fate="cancelled"))
    # 评社区 and the indicator system: a survey sampled, answered and published, the
    # street's assessor scoring; leaders rated (评三长). With their own draws, so the
    # stories above are the same whatever these do.
    month.at(start + timedelta(days=3), survey(month, random.Random(month.seed + 5)))
    month.at(ago(3), assess(month, random.Random(month.seed + 6)))
    leaders_rng = random.Random(month.seed + 7)
    for c in (first, second):
        for _ in range(len(c.residents) // 6):
            month.at(early(), rate_leaders(month, c, leaders_rng))


async def live_month(
    street: Street, rng: random.Random, seed: int, transfers: int, start: datetime, end: datetime
) -> None:
    """The street's month, from ``start`` to ``end``: every story planned, run in time order,
    then a last sweep at the end."""
    month = Month(street, rng, seed, transfers, start, end)
    plan(month)
    await month.run()
    await sweep(now=end)
