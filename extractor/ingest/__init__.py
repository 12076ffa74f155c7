"""Ingest adapters: one per kind of input, each producing the shared Document."""

from __future__ import annotations

from pathlib import Path

from ..document import Document
from ..errors import InputMissingError, UnsupportedInputError
from ..limits import DEFAULT_MAX_PIXELS, check_image
from ..ocr.options import OcrOptions
from .image import looks_like_image
from .pages import TablePages


def sniff(path: Path) -> str:
    """The kind of input, from its content first and its name second."""
    try:
        with path.open("rb") as f:
            head = f.read(2048)
    except FileNotFoundError as e:
        raise InputMissingError(f"{path}: no such file; check the path") from e
    except IsADirectoryError as e:
        raise InputMissingError(f"{path}: is a folder; give a file") from e
    except OSError as e:
        raise InputMissingError(f"{path}: cannot be read ({e.strerror}); check its permissions") from e
    if not head:
        raise UnsupportedInputError(f"{path}: the file is empty; fetch it again")
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if looks_like_image(head):
        return "image"
    # The other kinds' checks are imported here, so a PDF never pays for them.
    from .kinds import kind_by_name, looks_like_html, office_kind
    from .text import looks_like_text

    # Word files and web pages (kinds.py): by content, whatever the name.
    office = office_kind(path, head)
    if office is not None:
        return office
    if looks_like_html(head):
        return "html"
    # Word files and web pages by name: only when no check of the content told (keep this last).
    named = kind_by_name(path)
    if named is not None:
        return named
    # Plain text and Markdown (text.py): any decodable bytes without markup pass this check, so it
    # comes after the name's claim (a cut-short .docx stays a damaged Word file).
    if looks_like_text(head):
        return "text"
    raise UnsupportedInputError(
        f"{path}: not a report file this version reads (unknown content); give a PDF (text or "
        "scanned), an image (.png, .jpg, .tif), a web page (.html), a Word file (.docx, .doc) or plain "
        "text (.txt, .md)"
    )


def read_document(
    path: Path,
    password: str | None = None,
    ocr: OcrOptions | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    table_pages: TablePages | None = None,
) -> Document:
    """The Document of one file; `max_pixels` bounds an image, or a PDF page rendered for OCR;
    `table_pages` picks the PDF pages read for table geometry (every page when None)."""
    kind = sniff(path)
    if kind == "pdf":
        from .pdf import read_pdf

        return read_pdf(path, password=password, ocr=ocr, max_pixels=max_pixels, table_pages=table_pages)
    if kind == "image":
        from .image import read_image

        check_image(path, max_pixels)
        return read_image(path, ocr)
    if kind == "html":
        from .html import read_html

        return read_html(path, ocr)
    if kind in ("docx", "doc"):
        from .docx import read_doc, read_docx

        return read_docx(path, ocr=ocr) if kind == "docx" else read_doc(path, ocr)
    if kind == "text":
        from .text import read_text

        return read_text(path)
    raise UnsupportedInputError(f"{path}: {kind} input is not supported")  # pragma: no cover
