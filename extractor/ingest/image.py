"""Images (`.png`, `.jpg`, `.tif` with one page or several, `.bmp`, `.webp`): every page by OCR."""

from __future__ import annotations

from pathlib import Path

from ..document import Document
from ..errors import UnsupportedInputError
from ..ocr.options import OcrOptions

_MAGIC = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",  # JPEG
    b"II*\x00",  # TIFF, little-endian
    b"MM\x00*",  # TIFF, big-endian
    b"BM",  # BMP
)


def looks_like_image(head: bytes) -> bool:
    return head.startswith(_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")


def read_image(path: Path, options: OcrOptions | None = None) -> Document:
    from ..ocr.preprocess import image_page_count
    from .scanned import ocr_document_pages

    try:
        n = image_page_count(path)
    except Exception as e:
        raise UnsupportedInputError(f"{path}: a damaged image ({e}); fetch it again") from e
    numbers = list(range(1, n + 1))
    pages, warnings, engine = ocr_document_pages(path, "image", numbers, options or OcrOptions())
    return Document(
        path=path,
        kind="image",
        pages=[pages[n] for n in numbers],
        n_pages=n,
        ocr=engine,
        warnings=warnings,
    )
