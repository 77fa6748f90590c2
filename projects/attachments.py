"""Photos attached to a need, a progress report or a claim (or kept as a donation's evidence)
inside the use case that adds them: their files are written, then their rows, in the use case's
transaction; if it does not commit, the files it wrote are removed (``kept_if_committed``). At
most six to an item."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
from collections.abc import AsyncIterator
from datetime import datetime

from projects import errors, media
from projects.errors import N_
from projects.images import Photo, check_size, reencode
from projects.tables import Photo as PhotoRow

MAX_PHOTOS = 6  # on a need, on one of its progress reports, on a claim (the database says so too)


class TooManyPhotos(errors.Conflict):
    code = "too_many_photos"
    message = N_("At most {limit} photos here.")


_written: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("linli_written", default=None)


def check_count(existing: int, adding: int) -> None:
    if existing + adding > MAX_PHOTOS:
        raise TooManyPhotos(limit=MAX_PHOTOS)


async def prepare(uploads: list[bytes]) -> list[Photo]:
    """Uploads re-encoded (``projects.images``), off the event loop: before any transaction, so
    that a photo refused refuses its whole form and nothing is written."""
    check_count(0, len(uploads))
    for upload in uploads:
        check_size(len(upload))
    return [await asyncio.to_thread(reencode, upload) for upload in uploads]


@contextlib.asynccontextmanager
async def kept_if_committed() -> AsyncIterator[None]:
    """Wrap a use case's transaction: the files ``attach`` writes inside are removed again if
    the block fails (the transaction rolled back: no row names them)."""
    written: list[str] = []
    token = _written.set(written)
    try:
        yield
    except BaseException:
        for key in written:
            await asyncio.to_thread(media.remove, key)
        raise
    finally:
        _written.reset(token)


def _write_both(key: str, photo: Photo) -> None:
    media.write(key, "image", photo.image)
    media.write(key, "thumbnail", photo.thumbnail)


async def keep(photo: Photo) -> str:
    """Write ``photo``'s files (inside ``kept_if_committed``): the key that names them, for the
    row that the caller writes in the same transaction (a photo row, a donation's evidence)."""
    written = _written.get()
    assert written is not None, "keep inside kept_if_committed()"
    key = media.new_key()
    written.append(key)
    await asyncio.to_thread(_write_both, key, photo)
    return key


async def attach(
    photos: list[Photo],
    *,
    uploaded_by: int,
    now: datetime,
    need: int | None = None,
    report: int | None = None,
    claim: int | None = None,
) -> list[int]:
    """Keep ``photos`` on the item (locked by the caller, inside ``kept_if_committed`` and a
    transaction); their ids."""
    if not photos:
        return []
    same = (
        (PhotoRow.claim == claim)
        if claim is not None
        else (PhotoRow.need == need)
        & (PhotoRow.report.is_null() if report is None else PhotoRow.report == report)
    )
    check_count(await PhotoRow.count().where(same), len(photos))
    ids = []
    for photo in photos:
        key = await keep(photo)
        rows = await PhotoRow.insert(
            PhotoRow(
                need=need,
                report=report,
                claim=claim,
                uploaded_by=uploaded_by,
                file_key=key,
                width=photo.width,
                height=photo.height,
                bytes=len(photo.image),
                created_at=now,
            )
        ).returning(PhotoRow.id)
        ids.append(rows[0]["id"])
    return ids
