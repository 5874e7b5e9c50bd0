"""Thumbnails: the box, the format, and refusals (not an image, too many pixels)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tipchat.chat import thumbnails


def _image(size: tuple[int, int], mode: str = "RGB", fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, fmt)
    return out.getvalue()


@pytest.mark.parametrize(
    ("size", "mode", "fmt", "thumb"),
    [
        ((1000, 500), "RGB", "PNG", (320, 160)),
        ((100, 80), "RGBA", "PNG", (100, 80)),  # small images are not enlarged
        ((640, 640), "P", "GIF", (320, 320)),
        ((200, 900), "RGB", "JPEG", (71, 320)),
    ],
)
def test_thumbnails_fit_the_box_as_webp(size, mode, fmt, thumb):
    width, height, data = thumbnails.make_thumbnail(_image(size, mode, fmt))
    assert (width, height) == size
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "WEBP" and image.size == thumb


def test_not_an_image_and_too_many_pixels_are_refused(monkeypatch):
    with pytest.raises(thumbnails.NotAnImage):
        thumbnails.make_thumbnail(b"\x89PNG\r\n\x1a\n" + bytes(100))
    monkeypatch.setattr(thumbnails, "MAX_PIXELS", 1000)
    with pytest.raises(thumbnails.NotAnImage, match="at most 1000 pixels"):
        thumbnails.make_thumbnail(_image((40, 30)))
