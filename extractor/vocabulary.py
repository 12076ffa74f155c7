"""The templates' words, line by line: section headings, the words of table pages, page furniture.

One line on its own is classified here (`patterns/sections.toml`, `patterns/furniture.toml`): the
readers use it (OCR chooses among its readings of a line; web pages and Word files tell data tables
from layout) and the locator builds on it to cut the document into sections.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import regex

from . import patterns
from .document import Line
from .text import full_width_brackets, squash


@dataclass
class SectionSpec:
    key: str
    ordinal: str
    keywords: list[regex.Pattern[str]]


@cache
def section_specs() -> tuple[list[SectionSpec], regex.Pattern[str], int]:
    data = patterns.load("sections")
    specs = [
        SectionSpec(s["key"], s["ordinal"], [regex.compile(k) for k in s["keywords"]])
        for s in data["section"]
    ]
    ordinals = "|".join(sorted(data["ordinals"], key=len, reverse=True))
    head = regex.compile(rf"^(?P<ord>{ordinals})(?:{data['separator']})")
    return specs, head, int(data["window"])


@cache
def _furniture() -> list[regex.Pattern[str]]:
    return [regex.compile(rf"^(?:{p})$") for p in patterns.load("furniture")["lines"]]


@cache
def _table_keywords() -> regex.Pattern[str]:
    words = patterns.load("sections")["table_pages"]["keywords"]
    return regex.compile("|".join(regex.escape(w) for w in words))


def is_furniture(text: str) -> bool:
    s = squash(text)
    return bool(s) and any(p.match(s) for p in _furniture())


def mentions_tables(text: str) -> bool:
    return bool(_table_keywords().search(squash(text)))


def heading_candidates(lines: list[Line]) -> list[tuple[int, str, str, int]]:
    """(line index, section key, heading text, lines used) for every line that reads as a heading."""
    specs, head, window = section_specs()
    found = []
    for i, line in enumerate(lines):
        if line.in_table:
            continue
        s = full_width_brackets(squash(line.text))
        m = head.match(s)
        if not m:
            continue
        rest = s[m.end() :]
        if regex.search(r"\d", rest):
            continue  # a heading has no numbers; a table row read as text ("四、结转下年度继续办理 0 0") has
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        follow = full_width_brackets(squash(nxt.text)) if nxt is not None and not nxt.in_table else ""
        joined = rest + ("" if head.match(follow) else follow)
        for spec in specs:
            for kw in spec.keywords:
                hit = kw.search(joined[:window])
                if hit is None:
                    continue
                used = 2 if hit.end() > len(rest) else 1
                text = s if used == 1 else s + squash(lines[i + 1].text)
                # Ordinal agreement ranks first; a renumbered outline still counts.
                found.append((i, spec.key, text, used, m["ord"] == spec.ordinal))
                break
    # Keep, per line, the best spec: the one whose ordinal agrees.
    best: dict[int, tuple[int, str, str, int, bool]] = {}
    for cand in found:
        if cand[0] not in best or (cand[4] and not best[cand[0]][4]):
            best[cand[0]] = cand
    return [(i, key, text, used) for i, key, text, used, agree in best.values() if agree] + [
        (i, key, text, used) for i, key, text, used, agree in best.values() if not agree
    ]


def reads_as_heading(text: str) -> bool:
    """Whether one line on its own reads as a section heading (OCR chooses among its readings)."""
    return bool(heading_candidates([Line(text=text, page=0, y=0.0)]))


def heading_key(text: str) -> str | None:
    """The section one line on its own heads, when its ordinal is that section's own."""
    specs, head, _ = section_specs()
    found = heading_candidates([Line(text=text, page=0, y=0.0)])
    m = head.match(full_width_brackets(squash(text)))
    if not found or m is None:
        return None
    key = found[0][1]
    return key if any(s.key == key and s.ordinal == m["ord"] for s in specs) else None
