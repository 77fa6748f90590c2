"""Photos (拍照存档) as people meet them: added to a need (or to one of its progress reports) or to
a claim's work, listed with their item, served to exactly those who may see that item (anyone
else is told there is no such photo), and removed, traced, by whoever added them while the item
is open, or by staff. Uploads are made safe by ``projects.images`` and kept by
``projects.attachments``."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from projects import claims, errors, events, media, needs
from projects.access import Actor
from projects.attachments import attach, kept_if_committed
from projects.db import atomic, for_update
from projects.errors import N_
from projects.images import Photo
from projects.rules import claims as claim_rules
from projects.rules import needs as need_rules
from projects.rules import photos as photo_rules
from projects.rules import refuse
from projects.rules.needs import OPEN
from projects.rules.workorders import ACTIVE_CLAIMS
from projects.tables import Claim, Event, Need
from projects.tables import Photo as PhotoRow


@dataclass(frozen=True, slots=True)
class PhotoRecord:
    id: int
    need: int | None
    report: int | None  # the progress report (its trace's seq) it shows, if any
    claim: int | None
    uploaded_by: int
    width: int
    height: int
    created_at: datetime
    may: frozenset[str] = frozenset()  # "remove", when the viewer may remove it

    @property
    def url(self) -> str:
        return f"/photos/{self.id}"

    @property
    def thumbnail_url(self) -> str:
        return f"/photos/{self.id}/thumbnail"


def _select():
    """Photos with where their item is and whether it is still open (for ``remove``)."""
    return PhotoRow.select(
        *PhotoRow.all_columns(exclude=[PhotoRow.file_key, PhotoRow.bytes]),
        PhotoRow.need.area.path.as_alias("need_path"),
        PhotoRow.need.status.as_alias("need_status"),
        PhotoRow.claim.task.area.path.as_alias("claim_path"),
        PhotoRow.claim.status.as_alias("claim_status"),
    ).order_by(PhotoRow.id)


def _facts(row: dict) -> photo_rules.PhotoFacts:
    if row["need"] is not None:
        return photo_rules.PhotoFacts(row["uploaded_by"], row["need_path"], row["need_status"] in OPEN)
    return photo_rules.PhotoFacts(row["uploaded_by"], row["claim_path"], row["claim_status"] in ACTIVE_CLAIMS)


def _record(actor: Actor, row: dict) -> PhotoRecord:
    allowed = frozenset({"remove"}) if photo_rules.remove(actor, _facts(row)) is None else frozenset()
    return PhotoRecord(
        id=row["id"],
        need=row["need"],
        report=row["report"],
        claim=row["claim"],
        uploaded_by=row["uploaded_by"],
        width=row["width"],
        height=row["height"],
        created_at=row["created_at"],
        may=allowed,
    )


async def _by_id(actor: Actor, photo_ids: list[int]) -> list[PhotoRecord]:
    return [_record(actor, row) for row in await _select().where(PhotoRow.id.is_in(photo_ids or [-1]))]


async def add_to_need(
    actor: Actor, need_id: int, photos: list[Photo], *, report: int | None = None, now: datetime
) -> list[PhotoRecord]:
    """Photos of a need, by whoever asked or those who handle it; or (``report``) of a progress
    report, by its author, while the need is open."""
    async with kept_if_committed(), atomic():
        await needs.locked(actor, need_id, need_rules.add_photo if report is None else need_rules.progress)
        if report is not None and not await Event.exists().where(
            (Event.seq == report)
            & (Event.subject == "need")
            & (Event.subject_id == need_id)
            & (Event.action == "progress")
            & (Event.actor == actor.member_id)
        ):
            raise errors.NotFound(thing=N_("progress report"), field="report")
        ids = await attach(photos, uploaded_by=actor.member_id, need=need_id, report=report, now=now)
    return await _by_id(actor, ids)


async def add_to_claim(
    actor: Actor, claim_id: int, photos: list[Photo], *, now: datetime
) -> list[PhotoRecord]:
    """Photos of a claim's work (the proof), by its performer or whoever recorded it for them."""
    async with kept_if_committed(), atomic():
        await claims.locked(actor, claim_id, claim_rules.add_photo)
        ids = await attach(photos, uploaded_by=actor.member_id, claim=claim_id, now=now)
    return await _by_id(actor, ids)


async def of_needs(actor: Actor, need_ids: list[int]) -> dict[int, list[PhotoRecord]]:
    """The photos of needs the caller has shown ``actor`` (theirs and their progress reports'),
    by need, oldest first: one query."""
    if not need_ids:
        return {}
    found: dict[int, list[PhotoRecord]] = {}
    for row in await _select().where(PhotoRow.need.is_in(need_ids)):
        found.setdefault(row["need"], []).append(_record(actor, row))
    return found


async def of_claims(actor: Actor, claim_ids: list[int]) -> dict[int, list[PhotoRecord]]:
    """The photos of claims the caller has shown ``actor``, by claim, oldest first: one query."""
    if not claim_ids:
        return {}
    found: dict[int, list[PhotoRecord]] = {}
    for row in await _select().where(PhotoRow.claim.is_in(claim_ids)):
        found.setdefault(row["claim"], []).append(_record(actor, row))
    return found


async def need_photos(actor: Actor, need_id: int) -> list[PhotoRecord]:
    await needs.view_need(actor, need_id)
    return (await of_needs(actor, [need_id])).get(need_id, [])


async def claim_photos(actor: Actor, claim_id: int) -> list[PhotoRecord]:
    await claims.view_claim(actor, claim_id)
    return (await of_claims(actor, [claim_id])).get(claim_id, [])


async def _visible_row(actor: Actor, photo_id: int, *, lock: bool = False) -> dict:
    """The photo's row (locked, if asked), if ``actor`` may see its item; else there is no such
    photo, as far as they know."""
    query = PhotoRow.select().where(PhotoRow.id == photo_id)
    row = await (for_update(query) if lock else query).first()
    if row is not None:
        if row["need"] is not None:
            need = await needs.select_needs().where(Need.id == row["need"]).first()
            if need_rules.sees(actor, await needs.facts_of(need, actor)):
                return row
        else:
            claim = await Claim.select().where(Claim.id == row["claim"]).first()
            if claim_rules.sees(actor, (await claims.facts_for(actor, [claim]))[claim["id"]]):
                return row
    raise errors.NotFound(thing=N_("photo"))


async def photo_file(actor: Actor, photo_id: int, *, thumbnail: bool = False) -> Path:
    """Where the image (or its thumbnail) is, for those who may see its item."""
    row = await _visible_row(actor, photo_id)
    path = media.path_of(row["file_key"], "thumbnail" if thumbnail else "image")
    if not await asyncio.to_thread(path.is_file):
        raise errors.NotFound(thing=N_("photo"))
    return path


async def remove_photo(actor: Actor, photo_id: int, *, now: datetime) -> None:
    """Remove a photo: traced on its need or claim; its files go once the removal is committed."""
    async with atomic():
        row = await _visible_row(actor, photo_id, lock=True)
        full = await _select().where(PhotoRow.id == photo_id).first()
        refuse(photo_rules.remove(actor, _facts(full)))
        await PhotoRow.delete().where(PhotoRow.id == photo_id)
        subject, item = ("need", row["need"]) if row["need"] is not None else ("claim", row["claim"])
        await events.record(
            subject, item, "remove_photo", actor=actor.member_id, now=now, reason=f"#{photo_id}"
        )
    await asyncio.to_thread(media.remove, row["file_key"])
