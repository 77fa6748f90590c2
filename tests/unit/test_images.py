"""Uploaded photos made safe, without a database: recognised by content, turned upright,
re-encoded as JPEG with a thumbnail and nothing of the upload's metadata; the rest refused."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from projects import images
from tests.photo_samples import GPS_IFD, MAKE, gif, jpeg_with_gps, opened, png_with_alpha, webp


def test_a_phones_jpeg_loses_its_exif_and_gps_and_stands_upright():
    original = jpeg_with_gps(64, 48, rotated=True)
    assert GPS_IFD in opened(original).getexif()  # the upload says where it was taken
    kept = images.reencode(original)
    image, thumbnail = opened(kept.image), opened(kept.thumbnail)
    assert image.format == thumbnail.format == "JPEG"
    assert not image.getexif() and not thumbnail.getexif()
    assert b"LinliPhone" not in kept.image and b"Exif" not in kept.image
    # Turned as the camera said (90° clockwise): 48 wide, 64 high, blue (the left) now on top.
    assert (kept.width, kept.height) == image.size == (48, 64)
    red, green, blue = image.getpixel((24, 5))
    assert blue > red


def test_png_with_transparency_and_webp_are_taken_and_flattened_to_jpeg():
    png = images.reencode(png_with_alpha())
    assert opened(png.image).mode == "RGB"
    assert opened(png.image).getpixel((1, 1))[0] > 240  # transparency laid on white
    assert opened(images.reencode(webp()).image).format == "JPEG"


def test_a_large_photo_is_kept_at_2048_pixels_with_a_thumbnail_of_320():
    out = io.BytesIO()
    Image.new("RGB", (4000, 1000), (1, 2, 3)).save(out, "PNG")
    kept = images.reencode(out.getvalue())
    assert (kept.width, kept.height) == (2048, 512)
    assert opened(kept.thumbnail).size == (320, 80)


@pytest.mark.parametrize(
    "data",
    [
        gif(),  # an image, but not one Linli takes
        b"%PDF-1.4 not a photo at all",
        jpeg_with_gps()[:200],  # cut short
        b"",
    ],
)
def test_what_is_not_a_jpeg_png_or_webp_is_refused_by_its_content(data):
    with pytest.raises(images.NotAPhoto):
        images.reencode(data)


def test_a_photo_over_ten_megabytes_is_refused_before_it_is_decoded():
    with pytest.raises(images.PhotoTooLarge) as refused:
        images.reencode(b"\xff" * (images.MAX_PHOTO_BYTES + 1))
    assert refused.value.params == {"megabytes": 10}


def test_a_photo_of_too_many_pixels_is_refused_before_it_is_decoded():
    out = io.BytesIO()
    Image.new("1", (7100, 7100)).save(out, "PNG")  # 50.4 megapixels in a few kilobytes
    assert len(out.getvalue()) < images.MAX_PHOTO_BYTES
    with pytest.raises(images.NotAPhoto) as refused:
        images.reencode(out.getvalue())
    assert "50" in refused.value.template


def test_exif_tags_of_the_sample_are_what_a_camera_writes():
    assert opened(jpeg_with_gps()).getexif()[MAKE] == "LinliPhone"
