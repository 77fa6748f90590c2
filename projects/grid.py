"""Small things stay in the grid (小事不出网格): a grid's leader takes a need of their grid on
themself. The grid then holds it, and a task with the leader's place already taken records the
work: they check in, do it and report what was done with a note; the resident confirms it, as
for any task. What a leader took and did stays in the trace, for the year's evaluation."""

from __future__ import annotations

from datetime import datetime

from projects import events
from projects.access import Actor
from projects.area_path import AreaPath
from projects.categories import get_category
from projects.claims import add_claim
from projects.db import atomic
from projects.deadlines import deadline_after
from projects.limits import TITLE_MAX_CHARS
from projects.needs import NeedRecord, locked, view_need
from projects.rules import needs as need_rules
from projects.states import load, move
from projects.tables import Need, Task


async def take_need(actor: Actor, need_id: int, *, now: datetime) -> NeedRecord:
    async with atomic():
        row, facts = await locked(actor, need_id, need_rules.take)
        grid = AreaPath.parse(facts.grid_path).area_id
        category = await get_category(row["category"], field=None)
        title = f"{category.name}：{row['description']}"
        deadline = row["deadline"] if row["deadline"] is not None and row["deadline"] > now else None
        rows = await Task.insert(
            Task(
                need=need_id,
                title=title[: TITLE_MAX_CHARS - 1] + "…" if len(title) > TITLE_MAX_CHARS else title,
                area=row["area"],
                category=row["category"],
                capacity=1,
                claimed=0,
                points_per_hour=category.points_per_hour,
                status="open",
                assignee_member=actor.member_id,
                deadline=deadline,
                created_by=actor.member_id,
                created_at=now,
                updated_at=now,
            )
        ).returning(Task.id)
        task_id = rows[0]["id"]
        await events.record("task", task_id, "create", actor=actor.member_id, now=now, to_state="open")
        await move(
            Need,
            "need",
            row,
            "in_progress",
            "take",
            actor=actor.member_id,
            now=now,
            handling_area=grid,
            handed_from=None if row["handling_area"] == grid else row["handling_area"],
            # A small thing is handled now (A), unless it was graded or handed down already.
            grade=row["grade"] or "A",
            deadline=row["deadline"]
            if row["grade"] or row["handed_from"]
            else await deadline_after("A", now),
        )
        task = await load(Task, "task", task_id)
        await add_claim(task, member_id=actor.member_id, organisation_id=None, actor=actor.member_id, now=now)
    return await view_need(actor, need_id)
