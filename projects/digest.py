"""The staff's daily digest: once a day (from 8 o'clock, China's time), each staff member with
something overdue or waiting in their areas is told how much, through the same outbox and
outlets as every notification. Whichever process writes it first, it is written once."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from projects.areas import any_under
from projects.db import atomic
from projects.errors import N_
from projects.notification_tables import Delivery, Notification
from projects.outbox import chosen_channels
from projects.tables import Claim, Member, Need, Role

ZONE = ZoneInfo("Asia/Shanghai")
HOUR = 8  # the digest is written from this hour on, each day
BATCH = 500  # staff members looked at per run
OPEN = ("new", "triaged", "in_progress")
DIGEST = N_(
    "Your daily digest: {overdue} overdue, {triage} waiting for triage and {decide} "
    "pieces of work waiting for a decision in your areas."
)


async def counts_for(paths: list[str]) -> dict[str, int]:
    """What is overdue and what waits for staff of the areas with ``paths``."""
    served = any_under(Need.area.path, paths) | any_under(Need.handling_area.path, paths)
    overdue = await Need.count().where(served & Need.status.is_in(list(OPEN)) & (Need.overdue == True))  # noqa: E712
    triage = await Need.count().where(any_under(Need.handling_area.path, paths) & (Need.status == "new"))
    decide = await Claim.count().where(
        any_under(Claim.task.area.path, paths)
        & ((Claim.status == "disputed") | ((Claim.status == "submitted") & Claim.task.need.is_null()))
    )
    return {"overdue": overdue, "triage": triage, "decide": decide}


async def write_digests(*, now: datetime) -> int:
    """Write today's digest for every staff member who has none yet and something to read; how
    many were written."""
    local = now.astimezone(ZONE)
    if local.hour < HOUR:
        return 0
    day = int(local.strftime("%Y%m%d"))
    done = Notification.select(Notification.member).where(
        (Notification.subject == "digest") & (Notification.subject_id == day)
    )
    rows = (
        await Role.select(Role.member, Role.area.path.as_alias("path"))
        .where((Role.role == "staff") & Role.member.not_in(done) & (Role.member.active == True))  # noqa: E712
        .order_by(Role.member)
        .limit(BATCH)
    )
    paths: dict[int, list[str]] = {}
    for row in rows:
        paths.setdefault(row["member"], []).append(row["path"])
    written = 0
    for member_id, served in paths.items():
        counts = await counts_for(served)
        if not any(counts.values()):
            continue
        written += await _write(member_id, day, counts, now)
    return written


async def _write(member_id: int, day: int, counts: dict[str, int], now: datetime) -> int:
    person = await Member.select(Member.channels, Member.email).where(Member.id == member_id).first()
    async with atomic():
        # The unique index (member, day) makes a second writer's insert do nothing.
        inserted = await Notification.raw(
            "INSERT INTO projects_notification (member, subject, subject_id, action, message, params, link, "
            "created_at) VALUES ({}, 'digest', {}, 'digest', {}, {}, '/desk', {}) "
            "ON CONFLICT DO NOTHING RETURNING id",
            member_id,
            day,
            DIGEST,
            json.dumps(counts),
            now,
        )
        if not inserted:
            return 0
        channels = chosen_channels(person["channels"], person["email"])
        if channels:
            await Delivery.insert(
                *(
                    Delivery(
                        notification=inserted[0]["id"],
                        channel=channel,
                        status="pending",
                        attempts=0,
                        next_attempt_at=now,
                        created_at=now,
                    )
                    for channel in channels
                )
            )
    return 1
