"""The 统计表 of a pre-2019 report (the 2008 条例's format): indicator rows, not a template grid.

The table is found by its header (指标名称 · 计量单位 · 本年度 · 累计, or 统计指标 · 单位 · 统计数;
`patterns/legacy.toml`): as a physical table (text PDFs, scans, web pages, Word files; a table
continued on the next page keeps the header's columns), or, when no table holds it, as lines of text
under a header line (a crawler's or a converter's text). Each row with a unit or a figure is an
indicator; a row with neither is a group heading. Sub-rows name their parent: a row's parent is the
nearest indicator above it with an outer numbering (（一） above 1．), and "其中：" makes a row, and
the rows numbered like it after it, the sub-rows of the row above. An unnumbered row after a 其中
row is the next indicator (indentation, which would say otherwise, is not in every medium).

Numbers are never assigned by counting: in text, a row whose figures are fewer than the value
columns is flagged, its figure taken as 本年度.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import regex

from .. import patterns
from ..document import Document, Line, Table, TableCell
from ..model import Cell, LegacyIndicator
from ..numbers import parse_cell
from ..text import full_width_brackets, label_key, squash
from .cells import CellSource, build_cell


@dataclass(frozen=True)
class _Patterns:
    indicator: regex.Pattern[str]
    unit: regex.Pattern[str]
    year: regex.Pattern[str]
    cumulative: regex.Pattern[str]
    units: tuple[str, ...]
    money_units: frozenset[str]
    numbering: tuple[regex.Pattern[str], ...]
    sub_row: regex.Pattern[str]
    text_header: regex.Pattern[str]
    keys: tuple[tuple[str, tuple[regex.Pattern[str], ...], str | None], ...]


@cache
def _patterns() -> _Patterns:
    data = patterns.load("legacy")
    header = data["header"]
    return _Patterns(
        indicator=regex.compile(header["indicator"]),
        unit=regex.compile(header["unit"]),
        year=regex.compile(header["year"]),
        cumulative=regex.compile(header["cumulative"]),
        units=tuple(sorted(data["units"], key=len, reverse=True)),
        money_units=frozenset(data["money_units"]),
        numbering=tuple(regex.compile(p) for p in data["numbering"]),
        sub_row=regex.compile(data["sub_row"]),
        text_header=regex.compile(header["text"]),
        keys=tuple(
            (item["key"], tuple(regex.compile(n) for n in item["names"]), item.get("parent"))
            for item in data["indicator"]
        ),
    )


@dataclass
class Columns:
    """Where the header puts each role (grid columns); None for a column the table lacks."""

    indicator: int
    unit: int | None
    year: int | None
    cumulative: int | None

    @property
    def values(self) -> int:
        return (self.year is not None) + (self.cumulative is not None)


@dataclass
class _Row:
    label: str  # as printed, whitespace removed
    unit: str | None = None
    year: Cell | None = None  # None for a group heading (no unit, no figures)
    cumulative: Cell | None = None
    unit_unread: bool = False  # the unit cell holds something the reader could not read as a unit


@dataclass
class Statistics:
    """A 统计表 as read: its indicator rows and what a person should know about the reading."""

    rows: list[LegacyIndicator]
    warnings: list[str] = field(default_factory=list)


def _clean(text: str) -> str:
    return full_width_brackets(squash(text))


def header_columns(cells: list[str]) -> Columns | None:
    """The roles of a header row's cells (left to right), when it is a 统计表's header."""
    p = _patterns()
    roles: dict[str, int] = {}
    patterns_by_role = (
        ("indicator", p.indicator),
        ("unit", p.unit),
        ("year", p.year),
        ("cumulative", p.cumulative),
    )
    for i, text in enumerate(cells):
        t = _clean(text)
        for role, pat in patterns_by_role:
            if role not in roles and pat.search(t):
                roles[role] = i
                break
    if "indicator" not in roles or not ({"unit", "year", "cumulative"} & roles.keys()):
        return None
    return Columns(roles["indicator"], roles.get("unit"), roles.get("year"), roles.get("cumulative"))


def text_header_columns(text: str) -> Columns | None:
    """The columns a header line of text names ("指标名称 计量单位 本年度 累计", also with the spaces
    squeezed out: "统计指标单位统计数"), in the table's order: indicator, unit, figures."""
    m = _patterns().text_header.match(_clean(text))
    if m is None or not (m["unit"] or m["year"] or m["cumulative"]):
        return None
    year = 2 if m["year"] else None
    return Columns(0, 1 if m["unit"] else None, year, (3 if year else 2) if m["cumulative"] else None)


# --- from physical tables -------------------------------------------------------------------------


def _from_tables(tables: list[Table]) -> list[_Row] | None:
    rows: list[_Row] = []
    columns: Columns | None = None
    n_cols = 0
    found = False
    for table in tables:
        start = 0
        head = _table_header(table)
        if head is not None:
            columns, start = head
            n_cols = table.n_cols
            found = True
        elif columns is None or table.n_cols != n_cols:
            columns = None  # another table: the 统计表 ended
            continue
        for r in range(start, table.n_rows):
            row = _table_row(table, r, columns)
            if row is not None:
                rows.append(row)
    return rows if found else None


def _table_header(table: Table) -> tuple[Columns, int] | None:
    """The header's columns and the first data row, when one of the first rows is the header."""
    for r in range(min(3, table.n_rows)):
        texts = [""] * table.n_cols
        for c in range(table.n_cols):
            cell = table.at(r, c)
            if cell is not None and cell.col == c:
                texts[c] = cell.text
        columns = header_columns(texts)
        if columns is not None:
            return columns, r + 1
    return None


def _table_row(table: Table, r: int, columns: Columns) -> _Row | None:
    label_cell = table.at(r, columns.indicator)
    if label_cell is None or label_cell.row != r:
        return None
    label = _clean(label_cell.text)
    if not label:
        return None

    def own(col: int | None) -> TableCell | None:
        """The cell at this column, when it is not the label's (a group heading spans the row)."""
        if col is None:
            return None
        cell = table.at(r, col)
        return None if cell is None or cell is label_cell else cell

    unit_cell = own(columns.unit)
    unit = _clean(unit_cell.text) if unit_cell is not None else ""
    year_cell, cum_cell = own(columns.year), own(columns.cumulative)
    others = [c for c in (unit_cell, year_cell, cum_cell) if c is not None]
    # A group heading: no unit, no figures, and the emptiness is sure (a cell OCR could not read
    # is not empty: its row is an indicator with doubtful cells).
    if all(not squash(c.text) and c.confidence >= _SURE_BLANK for c in others):
        return _Row(label)
    unread = (bool(unit) and unit not in _patterns().units) or (
        unit_cell is not None and not unit and unit_cell.confidence < _SURE_BLANK
    )
    if unit not in _patterns().units:
        unit = ""
    money = unit in _patterns().money_units
    year = _cell(table, year_cell, money) if columns.year is not None else _absent()
    cumulative = _cell(table, cum_cell, money) if columns.cumulative is not None else None
    return _Row(label, unit or None, year, cumulative, unit_unread=unread)


# A blank cell is sure to be blank above this confidence (a text layer's 1.0, OCR's "blank in the
# scan"); under it the reader could not tell what the cell holds.
_SURE_BLANK = 0.9
# What OCR makes of a dash in a figure cell: chi_sim's 一 (one or several), a katakana long mark.
_DASH_READINGS = regex.compile(r"^[一ー_]+$")


def _cell(table: Table, cell: TableCell | None, money: bool) -> Cell:
    if cell is None:
        return _absent()
    if cell.confidence < 1.0 and _DASH_READINGS.match(squash(cell.text)):
        # Not a figure in any reading: a dash (null), kept as doubtful as its reading was.
        built = build_cell(CellSource(table, TableCell(cell.row, cell.col, "—", bbox=cell.bbox)))
        built.raw = squash(cell.text)
        built.confidence = round(min(cell.confidence, 0.75), 3)
        built.reasons = [*cell.notes, f"read by OCR as {built.raw!r}: a dash, no figure"]
        return built
    # Money stays in the row's unit (the unit field says which): parsed as 万元, whose factor is 1.
    return build_cell(CellSource(table, cell), money=money, unit="万元")


def _absent() -> Cell:
    return Cell(None, "", 0.3, None, None, ["no cell at this position of the table"])


# --- from lines of text ---------------------------------------------------------------------------


def _from_lines(lines: list[Line]) -> list[_Row] | None:
    for i, line in enumerate(lines):
        columns = text_header_columns(line.text)
        if columns is None:
            continue
        rows: list[_Row] = []
        for following in lines[i + 1 :]:
            if not following.text.strip():
                continue
            row = _text_row(following, columns.values, columns.cumulative is not None)
            if row is None:
                if rows:
                    break  # prose after the table
                continue
            rows.append(row)
        return rows
    return None


_GROUP_CHARS = 40
# The figures at the end of a line (after the unit, a Han character): numbers and null marks.
_TAIL = regex.compile(r"[\d.,，—\-－/／\s]+$")
_FIGURE = regex.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|—+|[-－/／]")


def _text_row(line: Line, n_values: int, has_cumulative: bool) -> _Row | None:
    """One row of a 统计表 in text: label, unit, figures, in that order. A converter may have kept
    the cells apart (spaces, pipes) or squeezed the spaces out between Han and digits
    ("主动公开政府信息数条1099"); figures glued to each other are one figure, never split by count."""
    p = _patterns()
    text = regex.sub(r"[|｜]", " ", line.text).strip()
    tail = _TAIL.search(text)
    figures = _FIGURE.findall(tail.group()) if tail is not None else []
    head = _clean(text[: tail.start()] if tail is not None else text)
    unit = next((u for u in p.units if head.endswith(u) and len(head) > len(u)), "")
    label = head[: -len(unit)] if unit else head
    if not label or not regex.search(r"\p{Han}", label):
        return None
    if not unit and not figures:
        # A group heading is a short numbered line ("一、主动公开情况"); anything else ends the table.
        short = len(label) <= _GROUP_CHARS and not regex.search(r"[。；;，,]", label)
        return _Row(label) if short and _strip(label)[1] is not None else None
    if not unit or regex.search(r"[。；;]", label):
        return None  # prose with a number at its end
    money = unit in p.money_units
    cells = [_text_cell(f, line, money) for f in figures[:n_values]]
    doubt = None
    if len(figures) > n_values:
        doubt = f"{len(figures)} figures in this line of text for {n_values} value columns"
        cells = [_blank(line) for _ in range(n_values)]
    elif len(figures) < n_values and figures:
        doubt = "fewer figures than value columns in this line of text: the figure is taken as 本年度"
    year = cells[0] if cells else _blank(line)
    cumulative = (cells[1] if len(cells) > 1 else _blank(line)) if has_cumulative else None
    if doubt is not None:
        for cell in (year, cumulative):
            if cell is not None:
                cell.confidence = min(cell.confidence, 0.5)
                cell.reasons.append(doubt)
    return _Row(label, unit, year, cumulative)


def _text_cell(text: str, line: Line, money: bool) -> Cell:
    reading = parse_cell(text, money=money, unit="万元")
    confidence = line.confidence if reading.ok else min(line.confidence, 0.2)
    reasons = ["read from the document text"] if confidence >= 1.0 else []
    if reading.note:
        reasons.append(reading.note)
    return Cell(reading.value, reading.raw, round(confidence, 3), None, None, reasons)


def _blank(line: Line) -> Cell:
    return Cell(None, "", 0.5, None, None, ["no figure in this line of text for this column"])


# --- the rows' hierarchy and keys ----------------------------------------------------------------


def _strip(label: str) -> tuple[bool, int | None, str]:
    """(a 其中 row, its numbering's level or None, the name without them)."""
    p = _patterns()
    m = p.sub_row.match(label)
    sub = m is not None
    rest = label[m.end() :] if m else label
    level = None
    for n, pat in enumerate(p.numbering):
        nm = pat.match(rest)
        if nm is not None:
            level, rest = n, rest[nm.end() :]
            break
    return sub, level, rest


def _key(name: str, parent_key: str | None) -> str | None:
    words = label_key(name)
    for key, names, needs_parent in _patterns().keys:
        if any(n.fullmatch(words) for n in names) and (needs_parent is None or needs_parent == parent_key):
            return key
    return None


def _hierarchy(rows: list[_Row]) -> list[LegacyIndicator]:
    """Parents and keys, over the table's rows in order (a group heading takes a level, so that its
    children have no indicator parent)."""
    out: list[LegacyIndicator] = []
    # The open rows: (numbering level, indicator index or None for a group heading).
    stack: list[tuple[int, int | None]] = []
    sub_parent: int | None = None  # the parent of the current run of 其中 rows
    sub_level: int | None = None  # the numbering the 其中 run's siblings carry
    in_sub = False
    for row in rows:
        sub, level, name = _strip(row.label)
        group = row.year is None
        parent: int | None = None
        if sub:
            parent = len(out) - 1 if out and not group else None
            in_sub, sub_parent, sub_level = True, parent, level
        elif in_sub and level is not None and level == sub_level:
            parent = sub_parent
        else:
            in_sub = False
            if level is not None:
                while stack and stack[-1][0] >= level:
                    stack.pop()
                parent = stack[-1][1] if stack else None
                stack.append((level, None if group else len(out)))
        if group or row.year is None:
            continue
        parent_name = out[parent].indicator if parent is not None else None
        parent_key = out[parent].key if parent is not None else None
        out.append(
            LegacyIndicator(
                indicator=name or row.label,
                key=_key(name or row.label, parent_key),
                unit=row.unit,
                year=row.year,
                cumulative=row.cumulative,
                parent=parent_name,
            )
        )
    return out


def read_statistics(doc: Document) -> Statistics | None:
    """The 统计表 of the document, or None when it has none (tables first, then text lines)."""
    rows = _from_tables(doc.tables())
    if rows is None:
        rows = _from_lines([line for line in doc.lines() if not line.in_table] or doc.lines())
    if rows is None:
        return None
    warnings = []
    unread = [row.label for row in rows if row.unit_unread]
    if unread:
        warnings.append(
            f"legacy_statistics: the unit of {len(unread)} rows could not be read ({', '.join(unread[:3])}"
            f"{' …' if len(unread) > 3 else ''}); left null"
        )
    return Statistics(_hierarchy(rows), warnings)
