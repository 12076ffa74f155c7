"""Plain text cut into units in document order: lines, Markdown table rows, and the section headings
cut out of the lines a crawler flattened them into (`patterns/text.toml`)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import regex

from .. import patterns

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
    marked: bool = False  # a Markdown heading ("## 表三：…") that heads no section


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
        marked = md_heading.match(raw) is not None
        line = tight(md_heading.sub("", raw))
        pieces = split_headings(line)
        for i, (piece, heading) in enumerate(pieces):
            last = i == len(pieces) - 1
            end = heading or not last or not nxt.strip() or bool(_PIPE_ROW.match(nxt))
            out.append(
                Unit(piece, "heading" if heading else "text", block_end=end, marked=marked and not heading)
            )
    return out
