"""Photos on the pages: the files chosen in a form's plain file input (``photos``: it works
without JavaScript; a phone offers its camera), made safe before the form's action runs; and
removing a photo. The images themselves are served by ``web.api.photos``."""

from __future__ import annotations

from litestar import Controller, Request, post
from litestar.response import Redirect

from projects import attachments, errors, images, photos
from projects.errors import N_
from projects.images import Photo
from web.api.deps import CurrentActor, Now
from web.api.photos import PHOTOS_BYTES
from web.api.schemas import IdPath
from web.pages.forms import Form, read_form
from web.pages.redirects import local_path, redirect

FIELD = "photos"
PHOTO_FORM_BYTES = PHOTOS_BYTES  # a form with its photos: six of them at most, 10 MB each


async def chosen_photos(form: Form, name: str = FIELD) -> list[Photo]:
    """The photos chosen in the form's file input, re-encoded; a refusal (too many, too large,
    not a photo) is the field's error, and none are kept."""
    uploads = [upload for upload in form.files.get(name, []) if upload.filename]
    try:
        attachments.check_count(0, len(uploads))
        read = []
        for upload in uploads:
            data = await upload.read(images.MAX_PHOTO_BYTES + 1)
            images.check_size(len(data))
            read.append(data)
        return await attachments.prepare(read)
    except errors.ProjectError as error:
        form.error(name, error.template, **error.params)
        return []


class PhotoPages(Controller):
    path = "/photos"
    include_in_schema = False

    @post("/{photo_id:int}/remove", name="page:photo-remove")
    async def remove(self, request: Request, actor: CurrentActor, photo_id: IdPath, now: Now) -> Redirect:
        form = await read_form(request)
        await photos.remove_photo(actor, photo_id, now=now)
        return redirect(request, local_path(form.text("next"), "/"), N_("The photo was removed."))
