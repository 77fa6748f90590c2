"""An uploaded photo made safe to keep and show: recognised by its content (JPEG, PNG or WebP,
whatever its name says), decoded within limits, turned upright, and re-encoded as a JPEG and a
thumbnail that carry none of the upload's metadata (EXIF, GPS included). Pure: no database."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from projects import errors
from projects.errors import N_

MAX_PHOTO_BYTES = 10 * 1024 * 1024  # 10 MB as uploaded
MAX_PHOTO_PIXELS = 50_000_000  # a 50-megapixel camera; more is refused before it is decoded
IMAGE_PIXELS = 2048  # the longest side kept: sharp on any screen, a few hundred KB
THUMBNAIL_PIXELS = 320
IMAGE_QUALITY = 85
THUMBNAIL_QUALITY = 75
FORMATS = ("JPEG", "PNG", "WEBP")  # what Pillow is allowed to recognise an upload as


class PhotoTooLarge(errors.TooLarge):
    code = "photo_too_large"
    message = N_("A photo is at most {megabytes} MB.")


class NotAPhoto(errors.Invalid):
    code = "not_a_photo"
    message = N_("This is not a photo Linli can take: send a JPEG, PNG or WebP image.")


@dataclass(frozen=True, slots=True)
class Photo:
    """A photo re-encoded: what is kept, never the bytes that were sent."""

    image: bytes  # JPEG
    thumbnail: bytes  # JPEG
    width: int
    height: int


def check_size(size_bytes: int) -> None:
    if size_bytes > MAX_PHOTO_BYTES:
        raise PhotoTooLarge(megabytes=MAX_PHOTO_BYTES // (1024 * 1024))


def _flattened(image: Image.Image) -> Image.Image:
    """RGB, transparency laid on white (a JPEG has no alpha)."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    return image.convert("RGB")


def _jpeg(image: Image.Image, quality: int, icc_profile: bytes | None) -> bytes:
    out = io.BytesIO()
    # Only the pixels and their colour profile are written: no EXIF, XMP or comment of the upload.
    extra = {"icc_profile": icc_profile} if icc_profile else {}
    image.save(out, "JPEG", quality=quality, optimize=True, progressive=True, **extra)
    return out.getvalue()


def reencode(data: bytes) -> Photo:
    """``data`` as a photo Linli keeps; ``PhotoTooLarge`` or ``NotAPhoto`` (a 413, a 400)."""
    check_size(len(data))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=FORMATS) as opened:
                if opened.width * opened.height > MAX_PHOTO_PIXELS:
                    raise NotAPhoto(N_("This photo has too many pixels: at most 50 megapixels."))
                # A JPEG is decoded at the scale it is kept at: less memory, less time.
                opened.draft("RGB", (IMAGE_PIXELS, IMAGE_PIXELS))
                opened.load()
                icc_profile = opened.info.get("icc_profile")
                upright = ImageOps.exif_transpose(opened)  # the camera's rotation, before EXIF goes
                image = _flattened(upright)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        raise NotAPhoto() from None
    except (Image.DecompressionBombWarning, MemoryError):
        raise NotAPhoto(N_("This photo has too many pixels: at most 50 megapixels.")) from None
    image.thumbnail((IMAGE_PIXELS, IMAGE_PIXELS))
    thumbnail = image.copy()
    thumbnail.thumbnail((THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))
    return Photo(
        image=_jpeg(image, IMAGE_QUALITY, icc_profile),
        thumbnail=_jpeg(thumbnail, THUMBNAIL_QUALITY, icc_profile),
        width=image.width,
        height=image.height,
    )
