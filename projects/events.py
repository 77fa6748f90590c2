"""The trace (痕迹化管理): every state change, appended in the transaction that makes it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from piccolo.table import Table

from projects import concerns, outbox  # noqa: F401 (concerns: who is told what, on import)
from projects.notification_tables import MemberEvent
from projects.tables import Event

SUBJECTS = ("need", "task", "claim", "project")

# The log each subject is traced in. Apps built on this one (the market) register their own
# subjects with a log table of the same columns, so that one ``record`` and one ``history``
# serve every trace.
LOGS: dict[str, type[Table]] = {**dict.fromkeys(SUBJECTS, Event), "member": MemberEvent}


def register(subjects: tuple[str, ...], log: type[Table]) -> None:
    for subject in subjects:
        LOGS[subject] = log


@dataclass(frozen=True, slots=True)
class Trace:
    seq: int
    subject: str
    subject_id: int
    action: str
    from_state: str
    to_state: str
    actor: int | None  # None: the system (a deadline passed), unless ``hidden``
    reason: str
    created_at: datetime
    hidden: bool = False  # someone acted whom the reader may not know (a neighbour's +1)


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
    """Append one event, and the notifications of those it concerns (``projects.outbox``), in
    the caller's transaction; ``actor`` None is the system (the deadline sweep)."""
    log = LOGS[subject]
    await log.insert(
        log(
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
    await outbox.notify(outbox.Change(subject, subject_id, action, actor, from_state, to_state, reason, now))


async def history(subject: str, subject_id: int) -> list[Trace]:
    """The item's events, oldest first."""
    log = LOGS[subject]
    rows = (
        await log.select().where((log.subject == subject) & (log.subject_id == subject_id)).order_by(log.seq)
    )
    return [Trace(**row) for row in rows]
