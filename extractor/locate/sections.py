"""Section locators: the six headings by regex (patterns/sections.toml), then each section's lines.

Headings are found by ordinal plus keyword, tolerant of spaces inside them, half-width brackets and
headings that wrap onto the next line. Lines inside multi-cell table rows are never headings (the
request table's row "四、结转下年度继续办理" is not section 四).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import regex

from ..document import Document, Line, Pos, Table
from ..text import ordinal, squash
from ..vocabulary import heading_candidates, is_furniture, mentions_tables, section_specs

SECTION_KEYS = ("overview", "proactive", "requests", "review_litigation", "problems", "other")


@dataclass
class Located:
    """A section found in the document: its heading line and the lines up to the next heading."""

    key: str
    heading: str
    start: Pos
    end: Pos | None  # the next section's heading, None for the last section
    lines: list[Line] = field(default_factory=list)

    def contains(self, pos: Pos) -> bool:
        return self.start <= pos and (self.end is None or pos < self.end)

    @property
    def pages(self) -> list[int]:
        pages = {self.start[0], *(line.page for line in self.lines)}
        return sorted(pages)


def locate_sections(doc: Document) -> dict[str, Located]:
    """The sections found, in document order, each with its body lines (furniture removed)."""
    lines = doc.lines()
    chosen = _in_order(sorted(heading_candidates(lines), key=lambda c: c[0]))
    repeated = _running_lines(doc)
    located: dict[str, Located] = {}
    for n, (i, key, text, used) in enumerate(chosen):
        end_i = chosen[n + 1][0] if n + 1 < len(chosen) else len(lines)
        body = [
            line
            for line in lines[i + used : end_i]
            if not is_furniture(line.text) and squash(line.text) not in repeated
        ]
        located[key] = Located(
            key=key,
            heading=text,
            start=lines[i].pos,
            end=lines[end_i].pos if end_i < len(lines) else None,
            lines=body,
        )
    return located


def _in_order(candidates: list[tuple[int, str, str, int]]) -> list[tuple[int, str, str, int]]:
    """The headings to use: sections come in template order, so the candidates (in line order) are
    cut to the in-order run with the most sections, then the most ordinals that agree with the
    template's, then the earliest. A report that renumbers its outline ("四、政府信息公开申请情况" in
    its narrative, the tables under "一、" to "三、" after it) keeps every section its headings name."""
    order = {key: n for n, key in enumerate(SECTION_KEYS)}
    ordinals = {spec.key: spec.ordinal for spec in section_specs()[0]}
    agree = [int(ordinal(text) == ordinals[key]) for _, key, text, _ in candidates]
    # Linear in the candidates (a compilation of many reports has thousands): walking back, `ahead`
    # holds per section key the best chain starting at a candidate far enough ahead to follow this one,
    # ties to the earliest; the thresholds (line + lines used) never grow, so each enters once.
    best: list[tuple[int, int]] = []
    follow: list[int] = []
    ahead: dict[str, tuple[tuple[int, int], int]] = {}
    pending = len(candidates)
    for a in range(len(candidates) - 1, -1, -1):
        i, key, _, used = candidates[a]
        while pending > a + 1 and candidates[pending - 1][0] > i + used - 1:
            pending -= 1
            b_key = candidates[pending][1]
            s = best[len(candidates) - 1 - pending]
            if b_key not in ahead or s >= ahead[b_key][0]:
                ahead[b_key] = (s, pending)
        score, link = (1, agree[a]), -1
        for b_key, (s, b) in ahead.items():
            if order[b_key] > order[key]:
                cand = (1 + s[0], agree[a] + s[1])
                if cand > score or (cand == score and link != -1 and b < link):
                    score, link = cand, b
        best.append(score)
        follow.append(link)
    best.reverse()
    follow.reverse()
    if not candidates:
        return []
    at = max(range(len(candidates)), key=lambda a: (best[a], -a))
    chosen = []
    while at != -1:
        chosen.append(candidates[at])
        at = follow[at]
    return chosen


def _running_lines(doc: Document) -> set[str]:
    """Running headers and footers: the same first or last line on at least half the pages (3+)."""
    if len(doc.pages) < 3:
        return set()
    edges: Counter[str] = Counter()
    for page in doc.pages:
        texts = [squash(line.text) for line in page.lines if squash(line.text)]
        edges.update({t for t in (texts[:1] + texts[-1:])})
    return {t for t, n in edges.items() if n >= max(3, len(doc.pages) // 2) and len(t) > 1}


def section_text(lines: list[Line], width: int) -> str:
    """Prose of a section: table text dropped, wrapped lines joined into paragraphs.

    `width` is the length of a full line of prose in this document (see `line_width`).
    """
    prose = [(squash_keep_inner_spaces(line.text), line.block_end) for line in lines if not line.in_table]
    prose = [(p, end) for p, end in prose if p]
    if not prose:
        return ""
    paragraphs: list[str] = []
    last_len, last_end = 0, False
    for p, end in prose:
        starts_item = bool(
            regex.match(r"^(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、|\d+[.、．])", p)
        )
        # A short line that ends a sentence closes its paragraph; a full line wraps into the next,
        # unless the source marks the end of its paragraph.
        closed = bool(paragraphs) and (
            last_end
            or last_len < width * 0.6
            or (paragraphs[-1].endswith(_PARAGRAPH_END) and last_len < width * 0.9)
        )
        if not paragraphs or starts_item or closed:
            paragraphs.append(p)
        else:
            paragraphs[-1] += p
        last_len, last_end = len(p), end
    return "\n".join(paragraphs)


_PARAGRAPH_END = ("。", "：", ":", "；", "！", "？")


def line_width(doc: Document) -> int:
    """The length of a full line of prose: the 90th percentile of the prose lines' lengths."""
    lengths = sorted(len(squash_keep_inner_spaces(ln.text)) for ln in doc.lines() if not ln.in_table)
    return lengths[int(len(lengths) * 0.9)] if lengths else 0


def squash_keep_inner_spaces(text: str) -> str:
    """Strip a line, and drop the spaces typesetting puts between Han characters and digits."""
    s = text.strip()
    s = regex.sub(r"(?<=[\p{Han}\p{P}])\s+|\s+(?=[\p{Han}\p{P}])", "", s)
    return s


def rows_by_section(doc: Document, located: dict[str, Located]) -> dict[str, list[tuple[Table, int]]]:
    """Every table row, assigned to the section whose range holds it."""
    out: dict[str, list[tuple[Table, int]]] = {key: [] for key in SECTION_KEYS}
    out["unplaced"] = []
    spans = sorted(located.values(), key=lambda s: s.start)
    for table in doc.tables():
        for r in range(table.n_rows):
            pos = table.pos(r)
            owner = next((s.key for s in reversed(spans) if s.start <= pos), None)
            out[owner or "unplaced"].append((table, r))
    return out


def report_count(doc: Document) -> int:
    """How many reports the document seems to hold: a compilation repeats the section headings, so
    this is how often the third most repeated of the six headings (its ordinal agreeing) occurs."""
    ordinals = {spec.key: spec.ordinal for spec in section_specs()[0]}
    counts = Counter(
        key for _, key, text, _ in heading_candidates(doc.lines()) if ordinal(text) == ordinals[key]
    )
    ranked = sorted(counts.values(), reverse=True)
    return ranked[2] if len(ranked) >= 3 else int(bool(ranked))


def table_pages(doc: Document) -> list[int]:
    """The pages a PDF reader should read for table geometry (the pipeline's pre-pass over the text
    layer): from the heading of 二 (or 三) to that of 五 (or 六) when the text shows them, else every
    page whose text names a table."""
    located = locate_sections(doc)
    start = located.get("proactive") or located.get("requests")
    stop = located.get("problems") or located.get("other")
    if start is not None and stop is not None and start.start[0] <= stop.start[0]:
        return list(range(start.start[0], stop.start[0] + 1))
    return [p.number for p in doc.pages if any(mentions_tables(line.text) for line in p.lines)]
