"""Plain text and Markdown: the flattened text of a report (a crawler's dump, a converter's Markdown).

Such text has lost the report's layout: a crawler may put a whole report on one line, headings and
table cells glued to their neighbours; a PDF converter wraps lines and shreds tables into Markdown
fragments. Reading it takes three steps:

1. decode the bytes (UTF-8 or GB18030, with or without a byte-order mark) and split the text into
   units: lines, Markdown table rows, and the section headings cut out of the lines they were
   flattened into (`text_units.py`, `patterns/text.toml`);
2. find the report's tables in the units and rebuild them as Tables (`text_tables.py`);
3. place everything on one page by a running counter, as for other sources without geometry.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import regex

from ..document import Document
from ..errors import UnsupportedInputError

# Control characters a text file does not hold (tab, newline, carriage return and form feed aside).
_BINARY = regex.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def decode(data: bytes, path: Path) -> str:
    """The text of a text file: byte-order mark first, then strict UTF-8, then GB18030."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec)
            except UnicodeDecodeError as e:
                raise UnsupportedInputError(f"{path}: not valid {codec} text ({e.reason}); re-save it") from e
    for codec in ("utf-8", "gb18030"):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    raise UnsupportedInputError(
        f"{path}: text in an unknown encoding (neither UTF-8 nor GB18030); re-save it as UTF-8"
    )


def looks_like_text(head: bytes) -> bool:
    """Whether the first bytes of a file are text: no binary control bytes, and decodable as UTF-8
    or GB18030 (allowing a character cut by the end of `head`)."""
    if any(head.startswith(bom) for bom, _ in _BOMS[1:]):
        return True
    if head.startswith(_BOMS[0][0]):
        head = head[3:]
    if _BINARY.search(head):
        return False
    for codec in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(codec)()
        try:
            decoder.decode(head, final=False)
            return True
        except UnicodeDecodeError:
            continue
    return False


def read_text(path: Path) -> Document:
    from .text_tables import read_units
    from .text_units import units

    try:
        data = path.read_bytes()
    except OSError as e:  # pragma: no cover - sniff read the same file a moment ago
        raise UnsupportedInputError(f"{path}: cannot be read ({e.strerror})") from e
    text = decode(data, path)
    if not text.strip():
        raise UnsupportedInputError(f"{path}: the file holds no text; fetch it again")
    return read_units(path, units(text))
