"""A member's notifications: what the outbox wrote for them (``projects.outbox``), newest first,
read or not; the unread count (an index count); marking one, some or all read. The first page
starts with the open surveys they were drawn for and have not answered (评社区), which stay until
answered."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from projects import errors
from projects.access import Actor
from projects.errors import N_
from projects.notification_tables import Notification
from projects.states import parse_cursor
from projects.surveys import invitations

PAGE = 30
MAX_PAGE = 100
MAX_MARKED = 200  # ids marked read in one call
SURVEY = N_('You were drawn to answer the survey "{title}": please take part.')

_UNREAD = """
SELECT
    (SELECT COUNT(*) FROM projects_notification
     WHERE member = {} AND read_at IS NULL) AS notifications,
    (SELECT COUNT(*) FROM projects_survey_frame f JOIN projects_survey s ON s.id = f.survey
     WHERE f.member = {} AND f.sampled AND NOT f.answered AND s.status = 'open' AND s.closes_at > {})
     AS surveys
"""


@dataclass(frozen=True, slots=True)
class NotificationRecord:
    id: str  # a number, or "survey-<id>" for a survey invitation
    message: str  # a msgid, rendered with ``params`` in the reader's language
    params: dict
    link: str
    read: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class NotificationPage:
    items: list[NotificationRecord]
    next_cursor: str | None
    unread: int


async def unread_count(member_id: int, *, now: datetime) -> int:
    """Unread notifications and surveys waiting for an answer: counted in the indexes."""
    row = (await Notification.raw(_UNREAD, member_id, member_id, now))[0]
    return int(row["notifications"]) + int(row["surveys"])


async def notifications(
    actor: Actor,
    *,
    unread: bool = False,
    cursor: str | None = None,
    limit: int = PAGE,
    now: datetime,
) -> NotificationPage:
    """Mine, newest first, paged by a cursor; ``unread``: only those not read yet."""
    limit = max(1, min(limit, MAX_PAGE))
    query = (
        Notification.select(
            Notification.id,
            Notification.message,
            Notification.params,
            Notification.link,
            Notification.read_at,
            Notification.created_at,
        )
        .where(Notification.member == actor.member_id)
        .order_by(Notification.id, ascending=False)
        .limit(limit + 1)
    )
    if unread:
        query = query.where(Notification.read_at.is_null())
    before = parse_cursor(cursor)
    if before is not None:
        query = query.where(Notification.id < before)
    rows = await query
    items = [
        NotificationRecord(
            str(row["id"]),
            row["message"],
            json.loads(row["params"]),
            row["link"],
            row["read_at"] is not None,
            row["created_at"],
        )
        for row in rows[:limit]
    ]
    if before is None:
        waiting = [found for found in await invitations(actor, now=now) if not found.answered]
        items = [
            NotificationRecord(
                f"survey-{found.survey}",
                SURVEY,
                {"title": found.title},
                f"/surveys/{found.survey}",
                False,
                found.drawn_at,
            )
            for found in waiting
        ] + items
    next_cursor = str(rows[limit - 1]["id"]) if len(rows) > limit else None
    return NotificationPage(items, next_cursor, await unread_count(actor.member_id, now=now))


def notification_ids(values: list[str] | None) -> list[int] | None:
    """The notification ids a client sent (a survey's stays until it is answered); None: all."""
    if values is None:
        return None
    if len(values) > MAX_MARKED:
        raise errors.Invalid(N_("At most {limit} at a time."), field="ids", limit=MAX_MARKED)
    ids = []
    for value in values:
        value = str(value)
        if value.startswith("survey-"):
            continue
        if not (value.isascii() and value.isdigit() and 0 < len(value) <= 18):
            raise errors.Invalid(N_("{value} is not a notification."), field="ids", value=value[:30])
        ids.append(int(value))
    return ids


async def mark_read(actor: Actor, ids: list[int] | None, *, now: datetime) -> int:
    """Mark mine read: those with ``ids`` (others' ids are ignored), or all; how many."""
    clause = (Notification.member == actor.member_id) & Notification.read_at.is_null()
    if ids is not None:
        if not ids:
            return 0
        clause = clause & Notification.id.is_in(ids)
    rows = await Notification.update({Notification.read_at: now}).where(clause).returning(Notification.id)
    return len(rows)
