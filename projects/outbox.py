"""The outbox: every traced state change writes, in its own transaction, a notification for each
person it concerns (never its actor) and one for each work group of its area, with a delivery
for every outlet the reader has; the delivery job (``web.delivery``) sends them later.

Who is concerned, and what they are told, is decided per subject by a ``Concern`` that each app
registers (``projects.concerns`` for the loop and accounts, ``market.notifications`` for the
market). A notification is an English msgid with its parameters, rendered in the reader's
language when it is read or sent.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from projects.area_path import AreaPath
from projects.errors import N_
from projects.notification_tables import Delivery, Notification, Outlet
from projects.tables import Member

MAX_READERS = 50  # notifications one change may write, work groups included
TITLE_MAX_CHARS = 40  # an item's words quoted in a sentence
REASON_MAX_CHARS = 200
CHANNELS = ("email",)  # the outlets a member can choose beyond the site
THE_SYSTEM = N_("The system")  # who acted when nobody did (a deadline passed)


@dataclass(frozen=True, slots=True)
class Change:
    """A state change as the trace records it."""

    subject: str
    subject_id: int
    action: str
    actor: int | None  # None: the system
    from_state: str
    to_state: str
    reason: str
    now: datetime


@dataclass(frozen=True, slots=True)
class Notice:
    """What one reader is told: a member (``reader``), or the work groups of the area with
    ``area_path`` (``reader`` None). ``params`` values are shown as given; those named in
    ``words`` are msgids, translated for the reader. ``reason`` follows the sentence."""

    reader: int | None
    message: str
    link: str
    params: dict = field(default_factory=dict)
    words: tuple[str, ...] = ()
    reason: str = ""
    area_path: str = ""


Concern = Callable[[Change], Awaitable[list[Notice]]]
CONCERNS: dict[str, Concern] = {}


def register(subjects: Iterable[str], concern: Concern) -> None:
    """``concern`` decides who is told what when an item of one of ``subjects`` changes."""
    for subject in subjects:
        CONCERNS[subject] = concern


def short(text: str | None, limit: int = TITLE_MAX_CHARS) -> str:
    """An item's words as a sentence quotes them: one line, at most ``limit`` characters."""
    line = " ".join((text or "").split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def to(readers: Iterable[int | None], message: str, link: str, **params) -> list[Notice]:
    """The same sentence for each of ``readers`` (None and repeats left out)."""
    words = tuple(params.pop("words", ()))
    reason = params.pop("reason", "")
    seen: list[int] = []
    for reader in readers:
        if reader is not None and reader not in seen:
            seen.append(reader)
    return [Notice(reader, message, link, params, words, reason) for reader in seen]


def group(area_path: str, message: str, link: str, **params) -> list[Notice]:
    """The sentence for the work groups (outlets) of the area with ``area_path`` and above it."""
    words = tuple(params.pop("words", ()))
    reason = params.pop("reason", "")
    return [Notice(None, message, link, params, words, reason, area_path)]


async def notify(change: Change) -> int:
    """Write the notifications of ``change`` and their deliveries (inside the caller's
    transaction); how many were written."""
    concern = CONCERNS.get(change.subject)
    if concern is None:
        return 0
    notices, told = [], set()
    for notice in await concern(change):
        if notice.reader is not None:
            if notice.reader == change.actor or notice.reader in told:
                continue  # never the actor themself; each reader once, the first sentence for them
            told.add(notice.reader)
        notices.append(notice)
    if not notices:
        return 0
    members = {notice.reader for notice in notices if notice.reader is not None}
    wanted = {change.actor, *members} - {None}
    people = {
        row["id"]: row
        for row in (
            await Member.select(Member.id, Member.name, Member.channels, Member.email, Member.active)
            .where(Member.id.is_in(sorted(wanted)))
            .limit(MAX_READERS + 1)
            if wanted
            else []
        )
    }
    actor = {"actor": people[change.actor]["name"]} if change.actor in people else {"actor": THE_SYSTEM}
    actor_words = ("actor",) if change.actor not in people else ()
    rows: list[Notification] = []
    channels: list[tuple[str, ...]] = []
    for notice in notices:
        if notice.reader is not None:
            person = people.get(notice.reader)
            if person is None or not person["active"]:
                continue
            targets = [(notice.reader, None)]
            chosen = chosen_channels(person["channels"], person["email"])
        else:
            targets = [(None, outlet) for outlet in await outlets_over(notice.area_path)]
            chosen = ("group",)
        params = {
            **actor,
            **notice.params,
            "_words": [*actor_words, *notice.words],
            "_reason": short(notice.reason, REASON_MAX_CHARS),
        }
        for member, outlet in targets:
            if len(rows) >= MAX_READERS:
                break
            rows.append(
                Notification(
                    member=member,
                    outlet=outlet,
                    subject=change.subject,
                    subject_id=change.subject_id,
                    action=change.action[:24],
                    actor=change.actor,
                    message=notice.message,
                    params=json.dumps(params, ensure_ascii=False),
                    link=notice.link,
                    created_at=change.now,
                )
            )
            channels.append(chosen)
    if not rows:
        return 0
    written = await Notification.insert(*rows).returning(Notification.id)
    deliveries = [
        Delivery(
            notification=row["id"],
            channel=channel,
            status="pending",
            attempts=0,
            next_attempt_at=change.now,
            created_at=change.now,
        )
        for row, chosen in zip(written, channels, strict=True)
        for channel in chosen
    ]
    if deliveries:
        await Delivery.insert(*deliveries)
    return len(written)


def chosen_channels(channels: str, email: str) -> tuple[str, ...]:
    """The outlets a member chose (``channels``, comma-separated) that can reach them."""
    return tuple(
        channel for channel in channels.split(",") if channel in CHANNELS and (channel != "email" or email)
    )


async def outlets_over(area_path: str) -> list[int]:
    """The active group outlets of the area with ``area_path`` and of the areas above it."""
    ids = list(AreaPath.parse(area_path).ids)
    if not ids:
        return []
    rows = (
        await Outlet.select(Outlet.id)
        .where(Outlet.area.is_in(ids) & (Outlet.active == True))  # noqa: E712
        .order_by(Outlet.id)
    )
    return [row["id"] for row in rows]
