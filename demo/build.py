"""The demo street (`linli demo`): areas, people, organisations, resources and a month of history.

南关区 → 鸿城街道 → 幸福里社区 and 和平里社区, with their grids, buildings and units; the accounts
of DESIGN.md ("Demo accounts", password ``linli-demo``), their leaders, staff and a few hundred
residents; organisations and volunteer teams; the service resource library. Then a month of
history made by the domain's own use cases, never by writing rows: needs reported, joined,
triaged, escalated, merged, rejected and cancelled; tasks dispatched, declined and claimed;
work checked in, submitted, confirmed (points banked through the ledger) or disputed and settled;
service projects with milestones and progress; ratings; the deadline sweep running every hour.
The ledger's own demo history (redemptions, exchanges, reversals, grants) is woven in, cast
with the street's accounts.

Everything is told as stories: async generators that do one step, then yield how long to wait
before the next. A timeline runs every story's steps in time order on one simulated clock, from
30 days ago to a few minutes ago; a story whose next step would come after that stops where it
is, which is how the street ends with work in every state. Everything is drawn from
``random.Random(seed)`` and dated relative to ``now``, so the same seed builds the same street.

The whole demo is one transaction: it is there entirely or not at all, and a second run finds
its first account and only reports.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from piccolo.query.functions.aggregate import Count

from demo.accounts import ADMIN, OPEN311_KEY, PASSWORD
from demo.plan import live_month
from demo.resources import add_resources
from demo.street import build_street
from ledger.transfers import last_seq
from projects import members, open311
from projects.db import atomic, utcnow
from projects.tables import (
    Area,
    Claim,
    Event,
    Member,
    Need,
    Organisation,
    Project,
    Rating,
    Resource,
    Role,
    Task,
)

MIN_RESIDENTS = 150  # fewer, and 和平里 has too few volunteers for its stories
HISTORY_SPAN = timedelta(days=30)
HISTORY_ENDS = timedelta(minutes=5)  # before the real now


@dataclass(frozen=True, slots=True)
class DemoReport:
    built: bool  # False: the demo was already there, nothing was written
    counts: dict[str, int]


async def build_demo(
    *, now: datetime | None = None, seed: int = 7, residents: int = 300, transfers: int = 3000
) -> DemoReport:
    """Build the demo street with ``residents`` residents besides its volunteers, leaders and
    staff, and a history ending just before ``now`` with ``transfers`` ledger-only transfers
    woven in; or, if it is there already, only count it."""
    if residents < MIN_RESIDENTS or transfers < 0:
        raise ValueError(f"a demo street has at least {MIN_RESIDENTS} residents and no negative transfers")
    now = now or utcnow()
    password_hash = members.hash_password(PASSWORD)  # once: Argon2 is slow on purpose
    async with atomic():
        if await Member.exists().where(Member.phone == ADMIN):
            return DemoReport(False, await count_demo())
        end = now - HISTORY_ENDS
        start = end - HISTORY_SPAN
        street = await build_street(
            random.Random(seed), password_hash, residents, founded=start - timedelta(days=2)
        )
        await add_resources(street, start - timedelta(days=1))
        # DESIGN.md: "The demo also registers an Open311 client whose API key is linli-demo-open311".
        await open311.register_client(
            "邻里随手拍", street.communities[0].id, api_key=OPEN311_KEY, now=start - timedelta(days=1)
        )
        await live_month(street, random.Random(seed + 2), seed, transfers, start, end)
    return DemoReport(True, await count_demo())


async def count_demo() -> dict[str, int]:
    """What the database holds, by kind and state: the demo's summary."""
    counts = {
        "areas": await Area.count(),
        "members": await Member.count(),
        "volunteers": await Role.count().where(Role.role == "volunteer"),
        "leaders": await Role.count().where(Role.role == "leader"),
        "organisations": await Organisation.count(),
        "resources": await Resource.count(),
    }
    for name, table in (("needs", Need), ("tasks", Task), ("claims", Claim), ("projects", Project)):
        counts[name] = await table.count()
        rows = await table.select(table.status, Count()).group_by(table.status).order_by(table.status)
        counts.update({f"{name}.{row['status']}": row["count"] for row in rows})
    counts["needs.escalated"] = await Need.count().where(Need.escalations > 0)
    counts["needs.overdue"] = await Need.count().where(Need.overdue == True)  # noqa: E712
    counts["tasks.overdue"] = await Task.count().where(Task.overdue == True)  # noqa: E712
    counts["projects.overdue"] = await Project.count().where(Project.overdue == True)  # noqa: E712
    counts["ratings"] = await Rating.count()
    counts["events"] = await Event.count()
    counts["transfers"] = await last_seq()
    return counts
