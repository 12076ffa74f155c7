"""Report metadata: title, agency and year from the title lines; the publication date if stated."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

import regex

from .. import patterns
from ..document import Document, Line, Pos
from ..text import squash
from ..vocabulary import is_furniture

_CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


@dataclass
class Metadata:
    title: str | None = None
    agency: str | None = None
    year: int | None = None
    published: str | None = None
    warnings: list[str] = field(default_factory=list)


@cache
def _patterns() -> dict[str, object]:
    data = patterns.load("metadata")
    return {
        "title": [regex.compile(p) for p in data["title"]],
        "compiler": regex.compile(data["compiler"]),
        "period": regex.compile(data["period"]),
        "date": regex.compile(data["date"]),
        "labelled_date": regex.compile(data["labelled_date"]),
        "title_lines": int(data["title_lines"]),
    }


def _cn_number(text: str) -> int:
    """A date part in digits or Chinese numerals: "2024", "二〇二四", "十二", "二十一"."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)
    return int("".join(str(_CN_DIGITS[ch]) for ch in text))


def parse_date(text: str) -> str | None:
    m = _patterns()["date"].fullmatch(squash(text))  # type: ignore[attr-defined]
    if not m:
        return None
    try:
        return _iso(_cn_number(m["year"]), _cn_number(m["month"]), _cn_number(m["day"]))
    except KeyError:
        return None


def read_metadata(doc: Document, first_heading: Pos | None) -> Metadata:
    """Title, agency, year and date; the title is looked for above `first_heading` when known."""
    pats = _patterns()
    lines = [ln for ln in doc.lines() if not is_furniture(ln.text)]
    head: list[Line] = lines[: int(pats["title_lines"])]  # type: ignore[call-overload]
    if first_heading is not None:
        # Positions, not indexes: `lines` has the page furniture taken out.
        head = [ln for ln in head if ln.pos < first_heading] or head
    meta = Metadata()
    title_lines = 0
    # The title may wrap over several lines: try growing prefixes of the head.
    for n in range(1, len(head) + 1):
        joined = "".join(squash(ln.text) for ln in head[:n])
        for pat in pats["title"]:  # type: ignore[attr-defined]
            m = pat.search(joined)
            if m:
                meta.title = joined[m.start() : m.end()]
                meta.agency = m["agency"]
                meta.year = int(m["year"])
                title_lines = n
                break
        if meta.title:
            break
    text = "".join(squash(ln.text) for ln in lines[:40])
    if meta.agency and meta.title:
        body = "".join(squash(ln.text) for ln in lines[title_lines:])
        agency, warning = _agency_in_body(meta.agency, body)
        if warning:
            meta.warnings.append(warning)
        if agency != meta.agency:
            meta.title = meta.title.replace(meta.agency, agency)
            meta.agency = agency
    data = patterns.load("metadata")
    if meta.agency and meta.agency.endswith(tuple(data["place_suffixes"])):
        organ = meta.agency + data["government"]
        if organ in text:
            meta.agency = organ
    if meta.agency is None:
        m = pats["compiler"].search(text)  # type: ignore[attr-defined]
        if m:
            meta.agency = m["agency"]
    if meta.year is None:
        m = pats["period"].search(text)  # type: ignore[attr-defined]
        if m:
            meta.year = int(m["year"])
    # A date on a line of its own: under the title, or at the end after the sign-off; else a
    # labelled date above the article.
    for ln in [*head, *lines[-6:]]:
        date = parse_date(ln.text)
        if date is not None:
            meta.published = date
    if meta.published is None:
        m = pats["labelled_date"].search(text)  # type: ignore[attr-defined]
        if m:
            meta.published = _iso(int(m["year"]), int(m["month"]), int(m["day"]))
    return meta


def _agency_in_body(agency: str, body: str) -> tuple[str, str | None]:
    """The agency as the body names it, when the title's form is nowhere in the body but a form
    one character away is: a title misread in one character (OCR reads 洪泽区 as 洪译区) is caught by
    the text, which names the agency again. The body's form is kept, with a warning."""
    if agency in body:
        return agency, None
    one_off = "|".join(
        regex.escape(agency[:i]) + r"\p{Han}" + regex.escape(agency[i + 1 :]) for i in range(len(agency))
    )
    seen = Counter(regex.findall(one_off, body))
    if not seen:
        return agency, None
    best, count = seen.most_common(1)[0]
    if count < 2:  # one reading against one: keep the title's, and say so
        return agency, f"agency read as {agency} in the title but as {best} once in the text"
    return (
        best,
        f"agency read as {agency} in the title but as {best} in the text ({count}×); the text's form kept",
    )


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return None
