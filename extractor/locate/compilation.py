"""Compilations (汇编): several reports in one file, cut into one Document per report.

A report starts at its title ("<agency><year>年政府信息公开工作年度报告", the metadata's title
patterns) when a section 一 heading follows it before any other heading. A compilation repeats both:
each report's range runs from its title to the next report's title. A file whose headings repeat
without titles between them (pages of headings, an outline printed twice) is not cut: it stays one
report and the pipeline warns that it seems to hold several.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import regex

from .. import patterns
from ..document import Document, Line, Page, Pos
from ..text import full_width_brackets, squash
from ..vocabulary import heading_candidates, is_furniture, section_specs
from .sections import table_pages

# A title wraps over at most this many lines, and leaves at most this many characters after it
# ("（摘要）"); a line that goes on is a sentence that names the report.
_TITLE_LINES = 3
_TITLE_TAIL = 6


@dataclass(frozen=True)
class Part:
    """One report of a compilation: from its title (`start`) up to the next report's (`end`)."""

    index: int  # 1-based
    start: Pos
    end: Pos | None
    doc: Document

    @property
    def pages(self) -> list[int]:
        return [page.number for page in self.doc.pages]


@cache
def _titles() -> list[regex.Pattern[str]]:
    return [regex.compile(p) for p in patterns.load("metadata")["title"]]


def _is_title(lines: list[Line], i: int) -> bool:
    """Whether a report title starts at line `i` and fills it (joined with the lines it may wrap
    onto): a title is a line of its own, a sentence that names the report is not."""
    joined = ""
    for line in lines[i : i + _TITLE_LINES]:
        joined += squash(line.text)
        for p in _titles():
            m = p.match(joined)
            if m is not None and len(joined) - m.end() <= _TITLE_TAIL:
                return True
    return False


def report_starts(doc: Document) -> list[Pos]:
    """Where each report of the document starts: the title line before each section 一 heading
    (ordinal agreeing) with no other heading between them. One position or none: not a compilation."""
    lines = doc.lines()
    overview = next(s.ordinal for s in section_specs()[0] if s.key == "overview")
    candidates = sorted(heading_candidates(lines), key=lambda c: c[0])
    starts: list[Pos] = []
    previous = 0  # the line after the last heading seen: a title lies between it and its 一
    for i, key, text, used in candidates:
        if key == "overview" and text.startswith(overview):
            # The last title after the previous heading (the previous report's last section ends
            # before it; a compilation's cover and table of contents list titles before the first).
            title = next(
                (
                    j
                    for j in range(i - 1, previous - 1, -1)
                    if not lines[j].in_table and not is_furniture(lines[j].text) and _is_title(lines, j)
                ),
                None,
            )
            if title is not None:
                starts.append(lines[title].pos)
        previous = i + used
    return starts


def split_reports(doc: Document) -> list[Part]:
    """The reports of a compilation, each a Document of its own range (pages keep their numbers:
    a cell's page is the file's); a single Part of the whole document when it is not one."""
    starts = report_starts(doc)
    if len(starts) < 2:
        return [Part(1, (0, 0.0), None, doc)]
    parts = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else None
        parts.append(Part(n + 1, start, end, _cut(doc, start, end)))
    return parts


def _cut(doc: Document, start: Pos, end: Pos | None) -> Document:
    def inside(pos: Pos) -> bool:
        return start <= pos and (end is None or pos < end)

    pages = []
    for page in doc.pages:
        if page.number < start[0] or (end is not None and page.number > end[0]):
            continue
        lines = [line for line in page.lines if inside(line.pos)]
        tables = [table for table in page.tables if inside(table.pos(0))]
        if lines or tables:
            pages.append(Page(page.number, page.width, page.height, lines, tables))
    return Document(doc.path, doc.kind, pages, n_pages=doc.n_pages, ocr=doc.ocr, warnings=list(doc.warnings))


def compilation_table_pages(doc: Document) -> list[int]:
    """The pre-pass of a PDF (see `sections.table_pages`), for every report the file holds, and the
    pages of a pre-2019 report's 统计表."""
    parts = split_reports(doc)
    return sorted({page for part in parts for page in (*table_pages(part.doc), *statistics_pages(part.doc))})


@cache
def _statistics_header() -> regex.Pattern[str]:
    return regex.compile(patterns.load("legacy")["header"]["text"])


def statistics_pages(doc: Document) -> list[int]:
    """The pages of a 统计表 (a pre-2019 report's table of indicators): from the page of its header
    line (指标名称 · 计量单位 · 本年度 · 累计) to the end of the report, which it closes."""
    header = _statistics_header()
    for page in doc.pages:
        if any(header.match(full_width_brackets(squash(line.text))) for line in page.lines):
            return [p.number for p in doc.pages if p.number >= page.number]
    return []
