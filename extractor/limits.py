"""Limits on what one input may cost, checked before the costly step: an image's pixels are read from
its header and refused above `max_pixels` (a 30,000 × 30,000 scan, a decompression bomb: a small file
that claims a huge image), and a PDF page whose rendering for OCR would exceed it is not rendered.

The limit is `Settings.max_pixels` (`--max-pixels` on the command line). Pillow's own guard against
decompression bombs is set to the same limit, so the OCR stage decodes what this check let through.
"""

from __future__ import annotations

import struct
from pathlib import Path

from .errors import InputTooLargeError, UnsupportedInputError

DEFAULT_MAX_PIXELS = 200_000_000
"""200 million pixels: an A3 page scanned at 600 dpi is 70 million; a 30,000 × 30,000 image is 900."""


# What Pillow raises on a damaged file: not an image or data cut short (OSError, its
# UnidentifiedImageError, EOFError), bad values (ValueError), a TIFF directory without the image's
# size (TypeError), a bad header (SyntaxError), a field cut short (struct.error), a tag or palette
# index out of range (KeyError, IndexError), a zero resolution (ZeroDivisionError).
PILLOW_DAMAGE: tuple[type[Exception], ...] = (
    OSError,
    EOFError,
    ValueError,
    TypeError,
    SyntaxError,
    struct.error,
    KeyError,
    IndexError,
    ZeroDivisionError,
)

DEFAULT_MAX_MEMORY_MB = 4096
"""Address space a batch worker may use (`--max-memory`): a file that needs more fails, the batch goes on."""


def image_pixels(path: Path) -> list[tuple[int, int]]:
    """(width, height) of every frame of an image file, from its headers (nothing is decoded)."""
    from PIL import Image

    bomb_guard = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None  # read the header of a bomb too: this check refuses it with a reason
    try:
        with Image.open(path) as im:
            sizes = []
            for index in range(int(getattr(im, "n_frames", 1))):
                im.seek(index)
                sizes.append(im.size)
            return sizes
    except PILLOW_DAMAGE as e:
        raise UnsupportedInputError(f"{path}: a damaged image ({e}); fetch it again") from e
    finally:
        Image.MAX_IMAGE_PIXELS = bomb_guard


def check_image(path: Path, max_pixels: int = DEFAULT_MAX_PIXELS) -> None:
    """Refuse an image with a frame over `max_pixels` pixels, before anything decodes it."""
    for index, (width, height) in enumerate(image_pixels(path)):
        if width * height > max_pixels:
            frame = f"frame {index + 1} is" if index else "it is"
            raise InputTooLargeError(
                f"{path}: {frame} {width} × {height} pixels ({width * height / 1e6:.0f} million), over the "
                f"limit of {max_pixels / 1e6:.0f} million; shrink the image, or raise --max-pixels if "
                "it is a real page"
            )
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = max(max_pixels, Image.MAX_IMAGE_PIXELS or 0)


def page_pixels(width_pt: float, height_pt: float, dpi: float) -> int:
    """Pixels of a PDF page of that size (in points) rendered at `dpi`."""
    return int(width_pt * dpi / 72) * int(height_pt * dpi / 72)
