"""Notifications: what others did to my needs, my tasks, my claims and my organisations' work,
read from the trace (``projects_event``), newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from projects.access import Actor
from projects.states import parse_cursor
from projects.surveys import invitations
from projects.tables import Claim, Event, Need, Project, Task

PAGE = 30


@dataclass(frozen=True, slots=True)
class Notification:
    seq: int
    subject: str  # need, task, claim or project; survey: I was drawn to answer it
    subject_id: int
    action: str
    from_state: str
    to_state: str
    actor_name: str | None  # None: the system (the deadline sweep)
    reason: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class NotificationPage:
    items: list[Notification]
    next_cursor: str | None


async def notifications(
    actor: Actor, *, cursor: str | None = None, limit: int = PAGE, now: datetime | None = None
) -> NotificationPage:
    """Events on the needs I asked for or reported, the tasks dispatched to me or done for my
    needs, my claims and the claims on my needs' tasks, and the projects my organisations run;
    only what someone else (or the system) did. Newest first, paged by a cursor. The first page
    starts with the open surveys I was drawn for and have not answered (评社区)."""
    limit = max(1, min(limit, 100))
    me = actor.member_id
    my_needs = Need.select(Need.id).where((Need.resident == me) | (Need.reporter == me))
    my_tasks = Task.select(Task.id).where((Task.assignee_member == me) | Task.need.is_in(my_needs))
    my_claims = Claim.select(Claim.id).where((Claim.member == me) | Claim.task.is_in(my_tasks))
    about = (
        ((Event.subject == "need") & Event.subject_id.is_in(my_needs))
        | ((Event.subject == "task") & Event.subject_id.is_in(my_tasks))
        | ((Event.subject == "claim") & Event.subject_id.is_in(my_claims))
    )
    represented = actor.represented
    if represented:
        ours = Project.select(Project.id).where(Project.organisation.is_in(represented))
        offered = Task.select(Task.id).where(Task.assignee_organisation.is_in(represented))
        about = (
            about
            | ((Event.subject == "project") & Event.subject_id.is_in(ours))
            | ((Event.subject == "task") & Event.subject_id.is_in(offered))
        )
    query = (
        Event.select(*Event.all_columns(exclude=[Event.actor]), Event.actor.name.as_alias("actor_name"))
        .where(about & ((Event.actor != me) | Event.actor.is_null()))
        .order_by(Event.seq, ascending=False)
        .limit(limit + 1)
    )
    before = parse_cursor(cursor)
    if before is not None:
        query = query.where(Event.seq < before)
    rows = await query
    items = [Notification(**row) for row in rows[:limit]]
    if before is None:
        waiting = [invitation for invitation in await invitations(actor, now=now) if not invitation.answered]
        items = [
            Notification(0, "survey", found.survey, "sample", "", "", found.drawn_by_name, "", found.drawn_at)
            for found in waiting
        ] + items
    return NotificationPage(items, str(rows[limit - 1]["seq"]) if len(rows) > limit else None)
