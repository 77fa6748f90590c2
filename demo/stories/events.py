"""A community's own events: a task in the open pool with no need behind it."""

from __future__ import annotations

from datetime import timedelta

from demo.month import Month
from demo.stories.work import finish
from demo.street import Community
from demo.timeline import Steps
from demo.words import EVENTS
from projects import claims, tasks


async def event(month: Month, c: Community, *, fate: str) -> Steps:
    """A task of its own in the open pool (no need behind it): a clean-up, a patrol, a talk.
    ``fate``: done, expired (nobody signs up), cancelled, or open (today)."""
    category, title, description = month.rng.choice(EVENTS)
    staff = await month.actor(c.staff)
    starts = month.now + month.hours(30, 60)
    task = await tasks.create_task(
        staff,
        title=title,
        description=description,
        area_id=c.id,
        category=category,
        capacity=month.rng.randint(4, 10),
        starts_at=starts,
        deadline=starts + timedelta(hours=6),
        now=month.now,
    )
    if fate == "expired":
        return  # the sweep lets it expire once its deadline passes
    taken = []
    for member in month.volunteers_for(c, month.rng.randint(2, min(task.capacity, 5))):
        yield month.hours(0.5, 5)
        taken.append((await claims.claim_task(await month.actor(member), task.id, now=month.now)).id)
    if fate == "open":
        return
    if fate == "cancelled":
        yield month.hours(1, 6)
        await tasks.cancel_task(staff, task.id, reason="天气原因，活动取消", now=month.now)
        return
    yield max(starts - month.now, timedelta(minutes=1))
    async for wait in finish(month, taken, c.staff, []):
        yield wait
