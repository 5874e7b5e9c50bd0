"""Thumbnails of image attachments (Pillow). Decoding the image is also the strongest check of
an image upload: bytes that start like a PNG but do not decode are refused."""

from __future__ import annotations

import io
import warnings

from PIL import Image

# The box a thumbnail fits in: sharp in a chat column on a high-density screen.
THUMBNAIL_BOX = (320, 320)
THUMBNAIL_TYPE = "image/webp"
# Images with more pixels are refused: decoding one costs memory in proportion (4 bytes a
# pixel), and a small file can declare an enormous image (a decompression bomb).
MAX_PIXELS = 40_000_000


class NotAnImage(ValueError):
    pass


def make_thumbnail(data: bytes) -> tuple[int, int, bytes]:
    """(width, height, WebP thumbnail) of an image; NotAnImage if it does not decode."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise NotAnImage(f"images are at most {MAX_PIXELS} pixels")
                # JPEG (phone photos) can be decoded at a fraction of its size: far less
                # memory and time for the same thumbnail.
                image.draft("RGB", (THUMBNAIL_BOX[0] * 2, THUMBNAIL_BOX[1] * 2))
                image.load()
                thumb = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
                thumb.thumbnail(THUMBNAIL_BOX)
                out = io.BytesIO()
                thumb.save(out, "WEBP", quality=80)
    except NotAnImage:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Warning) as exc:
        raise NotAnImage("the file is not a readable image") from exc
    return width, height, out.getvalue()
