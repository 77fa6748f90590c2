"""State changes of needs, tasks, claims and projects: checked, written and traced as one.

Call these inside ``atomic()``: ``load`` locks the row (PostgreSQL) so that the check and the
change see the same state, and ``move`` writes the change and its event together.

Locks are always taken in one order, so that two transactions never wait for each other in a
circle: project, then task (several: by id), then claim, then need (several: by id). Creating a
task locks its need before inserting the task: nobody can be waiting for a row not yet written.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from projects import errors, events
from projects.db import for_update
from projects.errors import N_

THINGS = {
    "need": N_("need"),
    "task": N_("task"),
    "claim": N_("claim"),
    "project": N_("project"),
    "survey": N_("survey"),
}


def register_subjects(things: dict[str, str], log) -> None:
    """Let another app's items change state through ``load``/``move``: ``things`` names each
    subject (a msgid), ``log`` is the table its events are appended to."""
    THINGS.update(things)
    events.register(tuple(things), log)


async def load(table, subject: str, item_id: int) -> dict[str, Any]:
    row = await for_update(table.select().where(table._meta.primary_key == item_id)).first()
    if row is None:
        raise errors.NotFound(thing=THINGS[subject])
    return row


def require_state(row: dict[str, Any], subject: str, allowed: tuple[str, ...], action: str) -> None:
    if row["status"] not in allowed:
        raise errors.WrongState(thing=THINGS[subject], state=row["status"], action=action)


async def move(
    table,
    subject: str,
    row: dict[str, Any],
    to: str,
    action: str,
    *,
    actor: int | None,
    now: datetime,
    why: str = "",
    **values: Any,
) -> dict[str, Any]:
    """Set ``row``'s status to ``to`` (and ``values``), trace it with ``why``, answer the new row."""
    changes = {"status": to, "updated_at": now, **values}
    await table.update({getattr(table, key): value for key, value in changes.items()}).where(
        table._meta.primary_key == row["id"]
    )
    await events.record(
        subject, row["id"], action, actor=actor, now=now, from_state=row["status"], to_state=to, reason=why
    )
    return {**row, **changes}


async def trace(
    table,
    subject: str,
    row: dict[str, Any],
    action: str,
    *,
    actor: int | None,
    now: datetime,
    why: str = "",
    **values: Any,
) -> dict[str, Any]:
    """Trace what happened to ``row`` without changing its state (a report, a flag, a +1)."""
    return await move(table, subject, row, row["status"], action, actor=actor, now=now, why=why, **values)


def text(
    value: str | None, limit: int, label: str, *, field: str | None = None, required: bool = False
) -> str:
    """Stripped text of at most ``limit`` characters (``required``: at least one). ``label`` is
    what a person calls it (a msgid); ``field`` the input it came from (default: the label)."""
    value = (value or "").strip()
    field = field or label
    if required and not value:
        raise errors.Invalid(N_("Please fill in the {label}."), field=field, label=label)
    if len(value) > limit:
        raise errors.Invalid(
            N_("The {label} is at most {limit} characters."), field=field, label=label, limit=limit
        )
    return value


def parse_cursor(cursor: str | None) -> int | None:
    """A list's cursor: the id of the last item of the page before (newest-first lists)."""
    if not cursor:
        return None
    if not (cursor.isascii() and cursor.isdigit() and len(cursor) <= 18):
        raise errors.Invalid(N_("This page link is no longer valid: reload the list."))
    return int(cursor)


async def newest_first(query, column, cursor: str | None, limit: int) -> tuple[list[dict], str | None]:
    """One page of ``query``, newest first by ``column`` (an id), after ``cursor``; and the
    cursor of the page after it (None: this is the last). Keyset paging: any page costs the same."""
    limit = max(1, min(limit, 200))
    query = query.order_by(column, ascending=False).limit(limit + 1)
    before = parse_cursor(cursor)
    if before is not None:
        query = query.where(column < before)
    rows = await query
    return rows[:limit], (str(rows[limit - 1][column._meta.name]) if len(rows) > limit else None)
