"""Plain text and Markdown: the flattened text of a report (a crawler's dump, a converter's Markdown).

Such text has lost the report's layout: a crawler may put a whole report on one line, headings and
table cells glued to their neighbours; a PDF converter wraps lines and shreds tables into Markdown
fragments. Reading it takes three steps:

1. decode the bytes (UTF-8 or GB18030, with or without a byte-order mark) and split the text into
   units: lines, Markdown table rows, and the section headings cut out of the lines they were
   flattened into (`patterns/text.toml`);
2. find the report's tables in the units and rebuild them as Tables (`text_tables.py`);
3. place everything on one page by a running counter, as for other sources without geometry.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import regex

from .. import patterns
from ..document import Document
from ..errors import UnsupportedInputError

# Control characters a text file does not hold (tab, newline, carriage return and form feed aside).
_BINARY = regex.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# Whitespace next to a Han character or full-width punctuation is typesetting, not a cell boundary;
# whitespace between two numbers is one.
_HAN_SPACE = regex.compile(
    r"(?<=[\p{Han}\p{Ps}\p{Pe}\p{Pi}\p{Pf}、，。：；！？])\s+|\s+(?=[\p{Han}\p{Ps}\p{Pe}\p{Pi}\p{Pf}、，。：；！？])"
)
_PIPE_ROW = regex.compile(r"^\s*\|.*\|\s*$")
_PIPE_SEPARATOR = regex.compile(r"^\s*\|(?:\s*:?-{2,}:?\s*\|)+\s*$")


@dataclass
class Unit:
    """A piece of the text in document order: a line or part of one, a heading, a Markdown row."""

    text: str
    kind: str  # "text", "heading", "md" (cells set) or "blank"
    cells: list[str] | None = None
    block_end: bool = False  # the source ends a paragraph here


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


@cache
def _heading() -> tuple[regex.Pattern[str], regex.Pattern[str], list[tuple[str, list[regex.Pattern[str]]]]]:
    sections = patterns.load("sections")
    text = patterns.load("text")
    ordinals = "|".join(sorted(sections["ordinals"], key=len, reverse=True))
    ends = "|".join(regex.escape(e) for e in text["heading_ends"])
    window = int(sections["window"])
    pattern = regex.compile(
        rf"(?P<ord>{ordinals})(?:{sections['separator']})"
        rf"[^\d。；！？!?;，,：:（）()]{{1,{window}}}?(?:{ends})"
    )
    specs = [(s["ordinal"], [regex.compile(k) for k in s["keywords"]]) for s in sections["section"]]
    return pattern, regex.compile(text["heading_after"]), specs


def split_headings(line: str) -> list[tuple[str, bool]]:
    """A line cut around the section headings flattened into it: (text, is_heading) pieces.

    After a boundary (start, sentence end, a table's last digit) any section's keyword will do;
    glued to a word ("…32.52元三、收到和处理…情况") the ordinal and its 、 must be the section's own."""
    pattern, after, specs = _heading()
    out: list[tuple[str, bool]] = []
    at = 0
    for m in pattern.finditer(line, overlapped=True):
        if m.start() < at:
            continue
        bounded = after.fullmatch(line[m.start() - 1 : m.start()]) is not None
        body = m.group()
        if not bounded and body[len(m["ord"])] != "、":
            continue  # "表二：…" names a table; a glued heading keeps the template's 、
        if not any(
            (bounded or ordinal == m["ord"]) and any(k.search(body) for k in keywords)
            for ordinal, keywords in specs
        ):
            continue
        before = line[at : m.start()].strip()
        if before:
            out.append((before, False))
        out.append((body, True))
        at = m.end()
    rest = line[at:].strip()
    if rest:
        out.append((rest, False))
    return out


def tight(text: str) -> str:
    """Whitespace next to Han characters removed, runs of other whitespace made one space."""
    return regex.sub(r"\s+", " ", _HAN_SPACE.sub("", text)).strip()


def units(text: str) -> list[Unit]:
    """The text's lines as units: Markdown rows as cells, headings cut out of flattened lines."""
    md_heading = regex.compile(patterns.load("text")["md_heading"])
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out: list[Unit] = []
    for n, raw in enumerate(lines):
        nxt = lines[n + 1] if n + 1 < len(lines) else ""
        if not raw.strip():
            out.append(Unit("", "blank"))
            continue
        if _PIPE_ROW.match(raw):
            if not _PIPE_SEPARATOR.match(raw):
                cells = [tight(c) for c in raw.strip().strip("|").split("|")]
                out.append(Unit(" ".join(c for c in cells if c), "md", cells=cells))
            continue
        line = tight(md_heading.sub("", raw))
        pieces = split_headings(line)
        for i, (piece, heading) in enumerate(pieces):
            last = i == len(pieces) - 1
            end = heading or not last or not nxt.strip() or bool(_PIPE_ROW.match(nxt))
            out.append(Unit(piece, "heading" if heading else "text", block_end=end))
    return out


def read_text(path: Path) -> Document:
    from .text_tables import read_units

    try:
        data = path.read_bytes()
    except OSError as e:  # pragma: no cover - sniff read the same file a moment ago
        raise UnsupportedInputError(f"{path}: cannot be read ({e.strerror})") from e
    text = decode(data, path)
    if not text.strip():
        raise UnsupportedInputError(f"{path}: the file holds no text; fetch it again")
    return read_units(path, units(text))
