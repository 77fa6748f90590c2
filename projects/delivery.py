"""Delivering notifications beyond the site, as far as the database goes: each delivery is
claimed (in one conditional update, so that two processes never both take it) before it is sent,
its outcome logged per attempt, a failure retried with exponential backoff, a success final (a
trigger refuses to change a sent delivery). ``web.delivery`` renders and sends.

A process that dies while sending leaves its delivery claimed: the claim runs out after
``CLAIM_S`` and another process sends it again (at least once; a receiver can tell a repeat by
its delivery number)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from projects.db import atomic, postgres
from projects.notification_tables import Delivery, DeliveryAttempt

MAX_ATTEMPTS = 8
BACKOFF_FIRST_S = 30
BACKOFF_MAX_S = 6 * 3600
CLAIM_S = 120  # longer than any one send may take (Apprise's timeouts are 4 to 15 s)
BATCH = 50
ERROR_MAX_CHARS = 1000


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failure: 30 s, 1 min, 2 min, … at most 6 h."""
    return timedelta(seconds=min(BACKOFF_FIRST_S * 2 ** max(attempts - 1, 0), BACKOFF_MAX_S))


@dataclass(frozen=True, slots=True)
class Job:
    """A claimed delivery and what it needs to be sent."""

    delivery: int
    attempt: int
    channel: str  # email or group
    notification: int
    message: str
    params: dict
    link: str
    created_at: datetime
    email: str  # the member's, for email
    lang: str  # the reader's (the member's, or the outlet's)
    wants_email: bool  # the member still has email among their channels
    outlet_kind: str | None  # for group
    outlet_target: str
    outlet_secret: str
    outlet_active: bool


_CLAIM = """
UPDATE projects_delivery SET status = 'sending', attempts = attempts + 1, next_attempt_at = {}
WHERE id IN (
    SELECT id FROM projects_delivery
    WHERE status IN ('pending', 'sending') AND next_attempt_at <= {} AND attempts < {}
        AND channel IN (CHANNELS)
    ORDER BY next_attempt_at, id LIMIT {} SKIP
) AND status IN ('pending', 'sending') AND next_attempt_at <= {}
RETURNING id, attempts
"""

_JOBS = """
SELECT d.id AS delivery, d.attempts AS attempt, d.channel AS channel, n.id AS notification,
    n.message AS message, n.params AS params, n.link AS link, n.created_at AS created_at,
    m.email AS email, m.channels AS channels, m.lang AS member_lang,
    o.kind AS outlet_kind, o.target AS outlet_target, o.secret AS outlet_secret,
    o.lang AS outlet_lang, o.active AS outlet_active
FROM projects_delivery d
JOIN projects_notification n ON n.id = d.notification
LEFT JOIN projects_member m ON m.id = n.member
LEFT JOIN projects_outlet o ON o.id = n.outlet
WHERE d.id IN ({ids})
ORDER BY d.id
"""


async def claim_due(
    *, now: datetime, channels: tuple[str, ...] = ("email", "group"), limit: int = BATCH
) -> list[Job]:
    """Claim up to ``limit`` deliveries through ``channels`` that are due (new, to retry, or
    claimed by a process that died), for ``CLAIM_S``; deliveries out of attempts are given up."""
    await Delivery.update({Delivery.status: "failed"}).where(
        (Delivery.status == "sending")
        & (Delivery.next_attempt_at <= now)
        & (Delivery.attempts >= MAX_ATTEMPTS)
    )
    skip = "FOR UPDATE SKIP LOCKED" if postgres() else ""
    query = _CLAIM.replace("SKIP", skip).replace("CHANNELS", ", ".join("{}" for _ in channels))
    claimed = await Delivery.raw(
        query, now + timedelta(seconds=CLAIM_S), now, MAX_ATTEMPTS, *channels, limit, now
    )
    if not claimed:
        return []
    ids = [row["id"] for row in claimed]
    rows = await Delivery.raw(_JOBS.replace("{ids}", ", ".join("{}" for _ in ids)), *ids)
    return [
        Job(
            delivery=row["delivery"],
            attempt=row["attempt"],
            channel=row["channel"],
            notification=row["notification"],
            message=row["message"],
            params=json.loads(row["params"]),
            link=row["link"],
            created_at=row["created_at"],
            email=row["email"] or "",
            lang=row["outlet_lang"] or row["member_lang"] or "zh",
            wants_email="email" in (row["channels"] or "").split(","),
            outlet_kind=row["outlet_kind"],
            outlet_target=row["outlet_target"] or "",
            outlet_secret=row["outlet_secret"] or "",
            outlet_active=bool(row["outlet_active"]),
        )
        for row in rows
    ]


async def finish(
    job: Job,
    *,
    ok: bool,
    error: str = "",
    outlet: str = "",
    started_at: datetime,
    now: datetime,
    drop: bool = False,
) -> str:
    """Log the attempt and settle the delivery: sent, retried later (backoff), failed (out of
    attempts) or dropped (the reader no longer has that outlet); its new status."""
    if ok:
        status, values = "sent", {Delivery.sent_at: now}
    elif drop:
        status, values = "dropped", {}
    elif job.attempt >= MAX_ATTEMPTS:
        status, values = "failed", {}
    else:
        status, values = "pending", {Delivery.next_attempt_at: now + backoff(job.attempt)}
    async with atomic():
        await DeliveryAttempt.insert(
            DeliveryAttempt(
                delivery=job.delivery,
                attempt=job.attempt,
                outlet=outlet[:300],
                ok=ok,
                error=error[:ERROR_MAX_CHARS],
                started_at=started_at,
                finished_at=now,
            )
        )
        # Only while the claim is still ours: a process that took it over after ours ran out
        # settles it itself.
        await Delivery.update({Delivery.status: status, **values}).where(
            (Delivery.id == job.delivery)
            & (Delivery.status == "sending")
            & (Delivery.attempts == job.attempt)
        )
    return status
