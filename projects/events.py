"""The trace (痕迹化管理): every state change, appended in the transaction that makes it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from projects.tables import Event

SUBJECTS = ("need", "task", "claim", "project")


@dataclass(frozen=True, slots=True)
class Trace:
    seq: int
    subject: str
    subject_id: int
    action: str
    from_state: str
    to_state: str
    actor: int | None
    reason: str
    created_at: datetime


async def record(
    subject: str,
    subject_id: int,
    action: str,
    *,
    actor: int | None,
    now: datetime,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
) -> None:
    """Append one event; ``actor`` None is the system (the deadline sweep)."""
    await Event.insert(
        Event(
            subject=subject,
            subject_id=subject_id,
            action=action,
            from_state=from_state,
            to_state=to_state,
            actor=actor,
            reason=reason,
            created_at=now,
        )
    )


async def history(subject: str, subject_id: int) -> list[Trace]:
    """The item's events, oldest first."""
    rows = (
        await Event.select()
        .where((Event.subject == subject) & (Event.subject_id == subject_id))
        .order_by(Event.seq)
    )
    return [Trace(**row) for row in rows]
