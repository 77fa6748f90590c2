"""Small images for the photo tests, made with Pillow: a phone's JPEG with its EXIF (the camera,
the place it was taken, its rotation), a PNG with transparency, a WebP, and things that are not
photos Linli takes."""

from __future__ import annotations

import io

from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112
MAKE = 0x010F


def jpeg_with_gps(width: int = 64, height: int = 48, *, rotated: bool = False) -> bytes:
    """A JPEG as a phone sends it: its maker, where it was taken (GPS) and, if ``rotated``, the
    camera's rotation (6: turn 90° clockwise to see it upright)."""
    image = Image.new("RGB", (width, height), (200, 40, 40))
    image.paste((40, 40, 200), (0, 0, width // 2, height))  # left half blue: the rotation shows
    exif = Image.Exif()
    exif[MAKE] = "LinliPhone"
    exif[GPS_IFD] = {1: "N", 2: (43.0, 52.0, 48.0), 3: "E", 4: (125.0, 19.0, 12.0)}
    if rotated:
        exif[ORIENTATION] = 6
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def png_with_alpha(width: int = 40, height: int = 40) -> bytes:
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    image.paste((10, 120, 10, 255), (10, 10, 30, 30))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def webp(width: int = 30, height: int = 20) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (90, 90, 200)).save(out, "WEBP")
    return out.getvalue()


def gif(width: int = 20, height: int = 20) -> bytes:
    out = io.BytesIO()
    Image.new("P", (width, height), 1).save(out, "GIF")
    return out.getvalue()


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
