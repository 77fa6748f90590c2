"""Photos through the API: add one to a need (or a progress report) or to a claim's work (the
multipart field ``file``), list an item's photos, remove one; and the images themselves, served
to whoever may see their item, signed in by a bearer token or the pages' session cookie."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import Controller, Request, delete, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import File

from projects import attachments, errors, images, photos
from projects.errors import N_
from web.api.deps import CurrentActor, Now, actor_for_token, bearer_token
from web.api.schemas import IdPath, PhotoItemOut, PhotoOut

# One photo and its form's few fields: what a request that adds one may carry.
ONE_PHOTO_BYTES = images.MAX_PHOTO_BYTES + 64 * 1024
# The pages send up to six at once with their form.
PHOTOS_BYTES = attachments.MAX_PHOTOS * images.MAX_PHOTO_BYTES + 256 * 1024
CACHE = "private, max-age=86400"  # a photo never changes; only those who may see it get it


@dataclass
class PhotoUpload:
    file: UploadFile
    report: str | None = None  # a progress report's trace seq: the photo shows that report


async def read_upload(upload: UploadFile) -> bytes:
    """An upload's bytes, never more than a photo may have (and one more, to say it had more)."""
    data = await upload.read(images.MAX_PHOTO_BYTES + 1)
    images.check_size(len(data))
    return data


def _report(value: str | None) -> int | None:
    if value in (None, ""):
        return None
    if not (value.isascii() and value.isdigit() and len(value) <= 18):
        raise errors.Invalid(N_("Choose one from the list."), field="report")
    return int(value)


MultipartPhoto = Annotated[PhotoUpload, Body(media_type=RequestEncodingType.MULTI_PART)]


class NeedPhotoController(Controller):
    path = "/api/v1/needs/{need_id:int}/photos"
    tags = ["photos"]

    @post(
        name="api:need-photo-add",
        summary="Add a photo to a need, or to a progress report of it (multipart field file)",
        request_max_body_size=ONE_PHOTO_BYTES,
    )
    async def add(self, actor: CurrentActor, need_id: IdPath, data: MultipartPhoto, now: Now) -> PhotoOut:
        prepared = await attachments.prepare([await read_upload(data.file)])
        added = await photos.add_to_need(actor, need_id, prepared, report=_report(data.report), now=now)
        return PhotoOut.model_validate(added[0])

    @get(name="api:need-photos", summary="A need's photos and its progress reports', oldest first")
    async def index(self, actor: CurrentActor, need_id: IdPath) -> list[PhotoItemOut]:
        return [PhotoItemOut.model_validate(photo) for photo in await photos.need_photos(actor, need_id)]


class ClaimPhotoController(Controller):
    path = "/api/v1/claims/{claim_id:int}/photos"
    tags = ["photos"]

    @post(
        name="api:claim-photo-add",
        summary="Add a photo of the work to a claim (the proof; multipart field file)",
        request_max_body_size=ONE_PHOTO_BYTES,
    )
    async def add(self, actor: CurrentActor, claim_id: IdPath, data: MultipartPhoto, now: Now) -> PhotoOut:
        prepared = await attachments.prepare([await read_upload(data.file)])
        return PhotoOut.model_validate((await photos.add_to_claim(actor, claim_id, prepared, now=now))[0])

    @get(name="api:claim-photos", summary="A claim's photos of the work, oldest first")
    async def index(self, actor: CurrentActor, claim_id: IdPath) -> list[PhotoItemOut]:
        return [PhotoItemOut.model_validate(photo) for photo in await photos.claim_photos(actor, claim_id)]


class PhotoController(Controller):
    path = "/api/v1/photos"
    tags = ["photos"]

    @delete("/{photo_id:int}", name="api:photo-remove", summary="Remove a photo (whoever added it, or staff)")
    async def remove(self, actor: CurrentActor, photo_id: IdPath, now: Now) -> None:
        await photos.remove_photo(actor, photo_id, now=now)


async def photo_viewer(request: Request):
    """A bearer token's member, else the session cookie's (an <img> on a page sends the cookie)."""
    from web.pages.session import SESSION_COOKIE

    token = bearer_token(request) or request.cookies.get(SESSION_COOKIE)
    return await actor_for_token(request, token, request.app.state.clock())


class PhotoFileController(Controller):
    path = "/photos"
    include_in_schema = False

    @get("/{photo_id:int}", name="photo-image")
    async def image(self, request: Request, photo_id: IdPath) -> File:
        path = await photos.photo_file(await photo_viewer(request), photo_id)
        return File(
            path, media_type="image/jpeg", content_disposition_type="inline", headers={"Cache-Control": CACHE}
        )

    @get("/{photo_id:int}/thumbnail", name="photo-thumbnail")
    async def thumbnail(self, request: Request, photo_id: IdPath) -> File:
        path = await photos.photo_file(await photo_viewer(request), photo_id, thumbnail=True)
        return File(
            path, media_type="image/jpeg", content_disposition_type="inline", headers={"Cache-Control": CACHE}
        )
