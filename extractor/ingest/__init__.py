"""Ingest adapters: one per kind of input, each producing the shared Document."""

from __future__ import annotations

from pathlib import Path

from ..document import Document
from ..errors import InputMissingError, UnsupportedInputError


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
    raise UnsupportedInputError(
        f"{path}: not a PDF (unknown content); this version reads text PDFs: convert the file to PDF"
    )


def read_document(path: Path, password: str | None = None) -> Document:
    kind = sniff(path)
    if kind == "pdf":
        from .pdf import read_pdf

        return read_pdf(path, password=password)
    raise UnsupportedInputError(f"{path}: {kind} input is not supported")  # pragma: no cover
