"""Draw a truth (see `samples.truth`) as a text PDF that looks like a WPS/Word export.

Everything is drawn with the reportlab canvas: paragraphs are broken and justified
here, and tables are ruled cell by cell, so a merged cell has no inner lines and a
merged cell that crosses a page break is drawn in parts, its lines of text flowing from
one part into the next (as Word does: "（四）无" on one page, "法提供" on the next).
`Style` holds every visual choice; `make_style(seed)` draws one at random.
"""

from __future__ import annotations

import itertools
import random
import re
import shutil
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO, Literal

from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped, unused-ignore]
from reportlab.pdfbase.ttfonts import TTFont  # type: ignore[import-untyped, unused-ignore]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped, unused-ignore]

from samples.labels import (
    APPLICANT_COLUMNS,
    COLUMN_LABELS,
    CORNER_NOTE,
    GROUP_LABELS,
    GROUP_ROWS,
    LEAF_LABELS,
    PROACTIVE_COLUMN_LABELS,
    PROACTIVE_ITEMS_2019,
    PROACTIVE_ITEMS_2021,
    PROACTIVE_ROW_LABELS,
    REQUEST_COLUMNS,
    RESULTS_LABEL,
    REVIEW_BLOCKS,
    REVIEW_COLUMN_LABELS,
    REVIEW_COLUMNS,
    ROW_LABELS,
    request_rows,
)
from samples.truth import Truth, printed, proactive_keys

PAGE_W, PAGE_H = 595.28, 841.89  # A4 in points
RGB = tuple[float, float, float]

# --- fonts ----------------------------------------------------------------------------

# name -> (family for fc-list, usual Debian file, subfont index in the .ttc)
FONTS: dict[str, tuple[str, str, int]] = {
    "wqy-zenhei": ("WenQuanYi Zen Hei", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    "wqy-microhei": (
        "WenQuanYi Micro Hei",
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
        0,
    ),
    "ar-uming": ("AR PL UMing CN", "/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    "ar-ukai": ("AR PL UKai CN", "/usr/share/fonts/truetype/arphic/ukai.ttc", 0),
}
# PDF base names for the registered fonts
_PDF_NAMES: dict[str, str] = {
    "wqy-zenhei": "WenQuanYiZenHei",
    "wqy-microhei": "WenQuanYiMicroHei",
    "ar-uming": "ARPLUMingCN",
    "ar-ukai": "ARPLUKaiCN",
}
STANDARD_LATIN = ("Times-Roman", "Helvetica")
_registered: set[str] = set()


def _font_file(name: str) -> str:
    family, usual, _ = FONTS[name]
    if Path(usual).exists():
        return usual
    if shutil.which("fc-list"):
        out = subprocess.run(
            ["fc-list", f":family={family}", "file"], capture_output=True, text=True, check=False
        ).stdout
        for line in out.splitlines():
            path = line.split(":")[0].strip()
            if path.endswith((".ttc", ".ttf")):
                return path
    raise FileNotFoundError(f"CJK font {family!r} not found (Debian: fonts-wqy-*, fonts-arphic-*)")


def font_name(name: str) -> str:
    """Register `name` (a key of FONTS or a standard Latin font) and return the
    reportlab font name."""
    if name in STANDARD_LATIN:
        return name
    pdf_name = _PDF_NAMES[name]
    if pdf_name not in _registered:
        pdfmetrics.registerFont(TTFont(pdf_name, _font_file(name), subfontIndex=FONTS[name][2]))
        _registered.add(pdf_name)
    return pdf_name


def _width(text: str, font: str, size: float) -> float:
    return float(pdfmetrics.stringWidth(text, font, size))


# --- style ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Style:
    """Every visual choice of a rendition. Sizes in points."""

    seed: int = 0
    # fonts (keys of FONTS, or "Times-Roman"/"Helvetica" for the Latin ones)
    body_font: str = "ar-ukai"
    lead_font: str = "wqy-zenhei"
    heading_font: str = "wqy-zenhei"
    title_font: str = "ar-uming"
    table_font: str = "ar-uming"
    latin_font: str | None = "Times-Roman"  # digits/ASCII in body text; None: CJK font
    table_latin_font: str | None = None  # digits in table cells
    page_number_font: str = "Times-Roman"
    # page
    margins: tuple[float, float, float, float] = (79.4, 73.7, 96.4, 87.9)  # l, r, t, b
    body_size: float = 16.0
    line_height: float = 28.0
    title_size: float = 22.0
    title_two_lines: bool = True
    heading_size: float = 16.0
    heading_indent: bool = True
    justify: bool = True
    cjk_latin_gap: float = 0.0
    page_number_pos: Literal["center", "outside"] = "center"
    page_number_size: float = 12.0
    signature: bool = True
    # tables
    table_size: float = 9.0
    table_leading: float = 1.35
    cell_pad: float = 3.0
    min_row_h: float = 20.0
    line_width: float = 0.5
    rules: bool = True  # False: no ruling lines at all, columns aligned by whitespace only
    table_indent: float = 0.0  # x offset from the left margin (may be negative)
    table_extra_width: float = 0.0  # added to the text width
    proactive_layout: Literal["single", "separate"] = "single"
    proactive_fill: RGB | None = None  # fill of the 第二十条 caption rows
    proactive_first_col: float = 0.34  # share of the width for 信息内容
    proactive_caption_align: Literal["left", "center"] = "left"
    proactive_row_h: float = 24.0
    req_label_widths: tuple[float, float, float] = (22.0, 52.0, 150.0)  # cols A, B, C
    req_total_col: float = 1.15  # width of 总计 relative to the other data columns
    review_row_h: float = 22.0
    repeat_header: bool = False  # repeat the header rows of section 三 after a break
    header_distributed: bool = False  # 分散对齐 in header cells ("商 业 企")
    # labels
    leaf_sep: str = "."  # "1." or "1、"
    other_leaf_sep: str = "."  # numbering inside （六）其他处理 (R24 uses "、")
    ascii_quotes: bool = False  # 危及"三安全一稳定"
    article_space: bool = False  # 第二十条 第（一）项
    half_brackets: bool = False  # 第二十条第(一)项
    normative_label: str = "行政规范性文件"  # 2021 only; 2019 is 规范性文件
    long_partial_label: bool = True
    forward_label: str = "四、结转下年度继续办理"
    total_label: str = "（七）总计"
    vertical_ordinal_joined: bool = True  # "三、" on one line of the vertical label
    typo_law_prohibited: bool = False  # "2.其他法律行政止公开" (seen in a real report)
    # pagination: start a new page before these table rows. Row keys: section 二
    # "pro:caption:<item>", "pro:header:<item>", "pro:row:<key>" (item 一/五/六/八/九);
    # section 三 "req:head:<n>", "req:<row key>"; section 四 "rev:head:<n>", "rev:values".
    # `samples.generate.fit_break` gets a natural break instead, by nudging sizes.
    break_before: tuple[str, ...] = ()
    # Section 三's table on landscape pages of its own (a wide table in a portrait report).
    landscape_requests: bool = False


def make_style(seed: int, **overrides: Any) -> Style:
    """A random style; `overrides` replace any drawn field."""
    rng = random.Random(seed * 7919 + 17)
    cjk = ("ar-ukai", "ar-uming", "wqy-zenhei", "wqy-microhei")
    body = rng.choice(("ar-ukai", "ar-ukai", "ar-uming", "wqy-microhei"))
    hei = rng.choice(("wqy-zenhei", "wqy-microhei"))
    body_size = rng.choice((14.0, 15.0, 16.0, 16.0))
    table_size = rng.choice((8.0, 9.0, 9.0, 10.0, 10.5))
    a = rng.uniform(18.0, 26.0)
    b = rng.uniform(40.0, 78.0)
    c = rng.uniform(120.0, 175.0)
    style = Style(
        seed=seed,
        body_font=body,
        lead_font=rng.choice((hei, "ar-ukai")),
        heading_font=hei,
        title_font=rng.choice(("ar-uming", hei)),
        table_font=rng.choice(cjk),
        latin_font=rng.choice(("Times-Roman", "Times-Roman", None)),
        table_latin_font=rng.choice(("Times-Roman", None, None)),
        page_number_font=rng.choice(("Times-Roman", body)),
        margins=(
            rng.uniform(70.0, 90.0),
            rng.uniform(66.0, 80.0),
            rng.uniform(72.0, 104.0),
            rng.uniform(72.0, 96.0),
        ),
        body_size=body_size,
        line_height=round(body_size * rng.uniform(1.55, 1.8), 1),
        title_size=rng.choice((18.0, 20.0, 22.0)),
        title_two_lines=rng.random() < 0.6,
        heading_size=body_size,
        heading_indent=rng.random() < 0.7,
        justify=rng.random() < 0.85,
        cjk_latin_gap=rng.choice((0.0, 0.0, 2.0, 4.0)),
        page_number_pos=rng.choice(("center", "outside")),
        page_number_size=rng.choice((10.5, 12.0, 14.0)),
        table_size=table_size,
        table_leading=rng.uniform(1.2, 1.45),
        cell_pad=rng.uniform(2.0, 4.5),
        min_row_h=rng.uniform(16.0, 26.0),
        line_width=rng.choice((0.5, 0.5, 0.75, 0.48)),
        table_indent=rng.uniform(-8.0, 2.0),
        table_extra_width=rng.uniform(0.0, 14.0),
        proactive_layout=rng.choice(("single", "single", "separate")),
        proactive_fill=rng.choice((None, None, (0.776, 0.851, 0.945), (0.85, 0.85, 0.85))),
        proactive_first_col=rng.uniform(0.28, 0.4),
        proactive_caption_align=rng.choice(("left", "center")),
        proactive_row_h=rng.uniform(18.0, 30.0),
        req_label_widths=(a, b, c),
        req_total_col=rng.uniform(1.0, 1.3),
        review_row_h=rng.uniform(18.0, 34.0),
        repeat_header=rng.random() < 0.2,
        header_distributed=rng.random() < 0.25,
        leaf_sep=rng.choice((".", ".", ".", "、")),
        other_leaf_sep=rng.choice((".", "、")),
        ascii_quotes=rng.random() < 0.25,
        article_space=rng.random() < 0.3,
        half_brackets=rng.random() < 0.15,
        normative_label=rng.choice(("行政规范性文件", "行政规范性文件", "规范性文件")),
        long_partial_label=rng.random() < 0.85,
        forward_label=rng.choice(("四、结转下年度继续办理",) * 3 + ("四、结转下一年度继续办理",)),
        total_label=rng.choice(("（七）总计",) * 4 + ("(七)总计",)),
        vertical_ordinal_joined=rng.random() < 0.6,
    )
    return replace(style, **overrides)


# --- text tokens and line breaking ------------------------------------------------------

NO_START = set("，。、；：？！）》」』”’…%,.;:?!)]")
NO_END = set("（《「『“‘([")


@dataclass
class Tok:
    text: str
    font: str
    size: float
    ascii: bool

    @property
    def width(self) -> float:
        return _width(self.text, self.font, self.size)


def _tokens(text: str, font: str, size: float, latin: str | None) -> list[Tok]:
    out: list[Tok] = []
    buf = ""
    lfont = latin or font
    for ch in text:
        if ord(ch) < 128 and ch != " ":
            buf += ch
            continue
        if buf:
            out.append(Tok(buf, lfont, size, True))
            buf = ""
        out.append(Tok(ch, font, size, ch == " "))
    if buf:
        out.append(Tok(buf, lfont, size, True))
    return out


def _gap(a: Tok, b: Tok, cjk_latin_gap: float) -> float:
    if a.text == " " or b.text == " ":
        return 0.0
    return cjk_latin_gap if a.ascii != b.ascii else 0.0


def _natural_width(line: list[Tok], cjk_latin_gap: float) -> float:
    w = sum(t.width for t in line)
    w += sum(_gap(a, b, cjk_latin_gap) for a, b in itertools.pairwise(line))
    return w


def _break_long(toks: list[Tok], width: float) -> list[Tok]:
    out: list[Tok] = []
    for t in toks:
        if t.ascii and len(t.text) > 1 and t.width > width:
            out.extend(Tok(ch, t.font, t.size, True) for ch in t.text)
        else:
            out.append(t)
    return out


def break_lines(
    toks: list[Tok], width: float, first_indent: float = 0.0, cjk_latin_gap: float = 0.0
) -> list[list[Tok]]:
    """Greedy line breaking with the usual Chinese rules (no closing punctuation at the
    start of a line, no opening one at its end). Forced breaks are "\\n" tokens."""
    toks = _break_long(toks, max(1.0, width - first_indent))
    lines: list[list[Tok]] = []
    cur: list[Tok] = []
    used = first_indent
    for tok in toks:
        if tok.text == "\n":
            lines.append(cur)
            cur, used = [], 0.0
            continue
        if not cur and tok.text == " " and lines:
            continue
        gap = _gap(cur[-1], tok, cjk_latin_gap) if cur else 0.0
        if cur and used + gap + tok.width > width + 0.01:
            carry: list[Tok] = []
            if tok.text in NO_START and len(cur) > 1:
                carry.append(cur.pop())
            while len(cur) > 1 and cur[-1].text in NO_END:
                carry.insert(0, cur.pop())
            while cur and cur[-1].text == " ":
                cur.pop()
            lines.append(cur)
            cur = carry
            used = _natural_width(cur, cjk_latin_gap)
            if tok.text == " ":
                continue
            gap = _gap(cur[-1], tok, cjk_latin_gap) if cur else 0.0
        cur.append(tok)
        used += gap + tok.width
    if cur or not lines:
        lines.append(cur)
    return lines


def draw_line(
    c: Canvas,
    line: list[Tok],
    x: float,
    y: float,
    cjk_latin_gap: float,
    extra: float = 0.0,
) -> float:
    """Draw one line of tokens with `extra` points between tokens; returns its width.
    Runs of CJK characters in one font become one Tj with a character spacing."""
    if not line:
        return 0.0
    xs: list[float] = []
    pos = x
    for i, t in enumerate(line):
        if i:
            pos += _gap(line[i - 1], t, cjk_latin_gap) + extra
        xs.append(pos)
        pos += t.width
    text = c.beginText()
    i = 0
    cur_font: tuple[str, float] | None = None
    cur_cs: float | None = None  # Tc persists between text objects: always set it
    while i < len(line):
        j = i + 1
        if not line[i].ascii:
            while (
                j < len(line)
                and not line[j].ascii
                and line[j].font == line[i].font
                and line[j].size == line[i].size
            ):
                j += 1
        run = "".join(t.text for t in line[i:j])
        cs = extra if j - i > 1 else 0.0
        if cur_font != (line[i].font, line[i].size):
            text.setFont(line[i].font, line[i].size)
            cur_font = (line[i].font, line[i].size)
        if cs != cur_cs:
            text.setCharSpace(cs)
            cur_cs = cs
        text.setTextOrigin(xs[i], y)
        text.textOut(run)
        i = j
    c.drawText(text)
    return pos - x


# --- tables ---------------------------------------------------------------------------


@dataclass
class Cell:
    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1
    align: Literal["left", "center"] = "center"
    vertical: bool = False
    fill: RGB | None = None
    header: bool = False


@dataclass
class Table:
    col_widths: list[float]
    row_keys: list[str]
    cells: list[Cell]
    header_rows: int = 0  # rows repeated after a page break when Style.repeat_header
    min_row_h: float = 20.0


@dataclass
class _CellLayout:
    cell: Cell
    lines: list[list[Tok]]
    done: int = 0  # lines already drawn (for cells split across pages)


@dataclass
class _Prepared:
    table: Table
    layouts: list[_CellLayout]
    heights: list[float]
    xs: list[float]

    @property
    def first_need(self) -> float:
        """Height of the header rows plus the first row after them."""
        return sum(self.heights[: self.table.header_rows + 1])


class Flow:
    """Places blocks top-down on pages of a reportlab canvas."""

    def __init__(self, c: Canvas, style: Style) -> None:
        self.c = c
        self.s = style
        left, right, top, bottom = style.margins
        self.x0 = left
        self.page_w = PAGE_W
        self.width = PAGE_W - left - right
        self.top = PAGE_H - top
        self.bottom = bottom
        self.y = self.top
        self.page = 1
        self.page_started = False  # anything drawn on this page yet
        self.breaks: list[str] = []  # keys of table rows that open a continuation
        self.body = font_name(style.body_font)
        self.lead = font_name(style.lead_font)
        self.heading = font_name(style.heading_font)
        self.title = font_name(style.title_font)
        self.tfont = font_name(style.table_font)
        self.latin = font_name(style.latin_font) if style.latin_font else None
        self.tlatin = font_name(style.table_latin_font) if style.table_latin_font else None
        self.pnfont = font_name(style.page_number_font)

    # pages
    def new_page(self) -> None:
        self._page_number()
        self.c.showPage()
        self.page += 1
        self.y = self.top
        self.page_started = False

    def landscape(self, on: bool) -> None:
        """The pages from here on landscape (or portrait again), starting a new page if needed."""
        if self.page_started:
            self.new_page()
        left, right, top, _ = self.s.margins
        self.page_w, page_h = (PAGE_H, PAGE_W) if on else (PAGE_W, PAGE_H)
        self.c.setPageSize((self.page_w, page_h))
        self.width = self.page_w - left - right
        self.top = page_h - top
        self.y = self.top

    def finish(self) -> None:
        self._page_number()
        self.c.save()

    def _page_number(self) -> None:
        s = self.s
        label = f"- {self.page} -"
        w = _width(label, self.pnfont, s.page_number_size)
        y = max(20.0, s.margins[3] * 0.45)
        if s.page_number_pos == "center":
            x = (self.page_w - w) / 2
        elif self.page % 2:
            x = self.page_w - s.margins[1] - w
        else:
            x = s.margins[0]
        self.c.setFont(self.pnfont, s.page_number_size)
        self.c.drawString(x, y, label)

    def room(self) -> float:
        return self.y - self.bottom

    def ensure(self, h: float) -> None:
        if self.page_started and self.room() < h:
            self.new_page()

    # text
    def space(self, h: float) -> None:
        if self.page_started:
            self.y -= h

    def paragraph(
        self,
        runs: list[tuple[str, str]],
        *,
        size: float | None = None,
        line_height: float | None = None,
        indent_chars: float = 2.0,
        align: Literal["justify", "left", "center", "right"] = "justify",
        keep_lines: int = 1,
    ) -> None:
        s = self.s
        size = size or s.body_size
        lh = line_height or s.line_height
        toks: list[Tok] = []
        for text, role in runs:
            font = {"body": self.body, "lead": self.lead, "heading": self.heading, "title": self.title}[role]
            toks.extend(_tokens(text, font, size, self.latin))
        indent = indent_chars * size
        lines = break_lines(toks, self.width, indent, s.cjk_latin_gap)
        self.ensure(lh * min(keep_lines, len(lines)))
        for i, line in enumerate(lines):
            self.ensure(lh)
            baseline = self.y - lh / 2 - size * 0.36
            x = self.x0 + (indent if i == 0 else 0.0)
            avail = self.width - (indent if i == 0 else 0.0)
            natural = _natural_width(line, s.cjk_latin_gap)
            extra = 0.0
            if align == "center":
                x = self.x0 + (self.width - natural) / 2
            elif align == "right":
                x = self.x0 + self.width - natural
            elif align == "justify" and s.justify and i < len(lines) - 1 and len(line) > 1:
                extra = max(0.0, (avail - natural) / (len(line) - 1))
            draw_line(self.c, line, x, baseline, s.cjk_latin_gap, extra)
            self.y -= lh
            self.page_started = True

    # tables
    def prepare(self, t: Table) -> _Prepared:
        """Break every cell's text into lines and size the rows."""
        s = self.s
        size = s.table_size
        lead = size * s.table_leading
        pad = s.cell_pad
        xs = [self.x0 + s.table_indent]
        for w in t.col_widths:
            xs.append(xs[-1] + w)
        nrows = len(t.row_keys)
        layouts: list[_CellLayout] = []
        heights = [t.min_row_h] * nrows
        for cell in t.cells:
            width = xs[cell.col + cell.colspan] - xs[cell.col] - 2 * pad
            if cell.vertical:
                lines = [[Tok(part, self.tfont, size, False)] for part in _vertical(cell.text, s)]
            else:
                toks: list[Tok] = []
                for k, para in enumerate(cell.text.split("\n")):
                    if k:
                        toks.append(Tok("\n", self.tfont, size, False))
                    toks.extend(_tokens(para, self.tfont, size, self.tlatin))
                lines = break_lines(toks, width, 0.0, 0.0)
            layouts.append(_CellLayout(cell, lines))
            if cell.rowspan == 1:
                need = len(lines) * lead + 2 * pad
                heights[cell.row] = max(heights[cell.row], need)
        for lay in layouts:
            cell = lay.cell
            if cell.rowspan > 1:
                need = len(lay.lines) * lead + 2 * pad
                have = sum(heights[cell.row : cell.row + cell.rowspan])
                if need > have:
                    heights[cell.row + cell.rowspan - 1] += need - have
        return _Prepared(t, layouts, heights, xs)

    def table(self, p: _Prepared) -> None:
        """Place a prepared table, breaking it across pages between rows."""
        s = self.s
        t, layouts, heights, xs = p.table, p.layouts, p.heights, p.xs
        lead = s.table_size * s.table_leading
        size = s.table_size
        nrows = len(t.row_keys)
        self.ensure(p.first_need)
        r = 0
        while r < nrows:
            start = r
            y_top = self.y
            repeat = s.repeat_header and start > 0 and t.header_rows > 0
            head_h = sum(heights[: t.header_rows]) if repeat else 0.0
            y = y_top - head_h
            while r < nrows:
                forced = r > start and t.row_keys[r] in s.break_before
                if forced or (y - heights[r] < self.bottom and r > start):
                    break
                y -= heights[r]
                r += 1
            if repeat:
                self._draw_fragment(t, layouts, heights, xs, 0, t.header_rows, y_top, lead, size)
                y_top -= head_h
            self._draw_fragment(t, layouts, heights, xs, start, r, y_top, lead, size)
            self.y = y
            self.page_started = True
            if r < nrows:
                self.breaks.append(t.row_keys[r])
                self.new_page()

    def _draw_fragment(
        self,
        t: Table,
        layouts: list[_CellLayout],
        heights: list[float],
        xs: list[float],
        r0: int,
        r1: int,
        y_top: float,
        lead: float,
        size: float,
    ) -> None:
        s = self.s
        c = self.c
        pad = s.cell_pad
        row_y = [y_top]
        for r in range(r0, r1):
            row_y.append(row_y[-1] - heights[r])
        segments: set[tuple[float, float, float, float]] = set()
        texts: list[tuple[_CellLayout, float, float, float, float, bool, bool]] = []
        for lay in layouts:
            cell = lay.cell
            a, b = max(cell.row, r0), min(cell.row + cell.rowspan, r1)
            if a >= b:
                continue
            x0, x1 = xs[cell.col], xs[cell.col + cell.colspan]
            top, bot = row_y[a - r0], row_y[b - r0]
            if cell.fill is not None:
                c.setFillColorRGB(*cell.fill)
                c.rect(x0, bot, x1 - x0, top - bot, stroke=0, fill=1)
                c.setFillColorRGB(0, 0, 0)
            x0r, x1r, topr, botr = round(x0, 2), round(x1, 2), round(top, 2), round(bot, 2)
            segments.update(
                {
                    (x0r, topr, x1r, topr),
                    (x0r, botr, x1r, botr),
                    (x0r, botr, x0r, topr),
                    (x1r, botr, x1r, topr),
                }
            )
            continued = cell.row < r0
            more = cell.row + cell.rowspan > r1
            texts.append((lay, x0, x1, top, bot, continued, more))
        c.setLineWidth(s.line_width)
        for xa, ya, xb, yb in sorted(segments) if s.rules else ():
            c.line(xa, ya, xb, yb)
        for lay, x0, x1, top, bot, continued, more in texts:
            remaining = lay.lines[lay.done :] if continued else lay.lines
            cap = max(0, int((top - bot - 2 * pad + 0.01) // lead))
            chunk = remaining[:cap] if more else remaining
            lay.done = (lay.done if continued else 0) + len(chunk)
            if not chunk:
                continue
            block = len(chunk) * lead
            # a continuation part is filled from the top; a whole part is centred
            line_top = top - pad if continued else top - max(pad, (top - bot - block) / 2)
            for line in chunk:
                baseline = line_top - lead / 2 - size * 0.36
                natural = _natural_width(line, 0.0)
                width = x1 - x0 - 2 * pad
                extra = 0.0
                x = x0 + pad if lay.cell.align == "left" else x0 + (x1 - x0 - natural) / 2
                if s.header_distributed and lay.cell.header and len(line) > 1 and width < 80:
                    extra = max(0.0, (width - natural) / (len(line) - 1))
                    x = x0 + pad
                draw_line(c, line, x, baseline, 0.0, extra)
                line_top -= lead


def _vertical(text: str, s: Style) -> list[str]:
    chars = list(text)
    if s.vertical_ordinal_joined and len(chars) > 1 and chars[1] in "、.":
        chars = [chars[0] + chars[1], *chars[2:]]
    return chars


# --- the document -----------------------------------------------------------------------


def _label(s: Style, text: str) -> str:
    if s.ascii_quotes:
        text = text.replace("“", '"').replace("”", '"')
    return text


def _article(s: Style, item: str) -> str:
    lb, rb = ("(", ")") if s.half_brackets else ("（", "）")
    sep = " " if s.article_space else ""
    return f"第二十条{sep}第{lb}{item}{rb}项"


def _text_width(s: Style) -> float:
    return PAGE_W - s.margins[0] - s.margins[1] + s.table_extra_width


def proactive_tables(truth: Truth, s: Style) -> list[Table]:
    """Section 二: one 4-column table, or one table per 第二十条 item."""
    template = truth["report"]["template"]
    keys = proactive_keys(template)
    items = PROACTIVE_ITEMS_2019 if template == "2019" else PROACTIVE_ITEMS_2021
    width = _text_width(s)
    first = width * s.proactive_first_col
    rest = (width - first) / 3
    widths = [first, rest, rest, rest]
    tables: list[Table] = []
    cells: list[Cell] = []
    row_keys: list[str] = []

    def add_row(key: str, values: list[tuple[str, int]], header: bool = False) -> None:
        """values: (text, colspan) left to right."""
        r = len(row_keys)
        row_keys.append(key)
        col = 0
        for k, (text, span) in enumerate(values):
            align: Literal["left", "center"] = "left" if k == 0 else "center"
            cells.append(Cell(r, col, text, colspan=span, align=align, header=header))
            col += span

    for item, rows in items:
        r = len(row_keys)
        row_keys.append(f"pro:caption:{item}")
        cells.append(
            Cell(r, 0, _article(s, item), colspan=4, align=s.proactive_caption_align, fill=s.proactive_fill)
        )
        cols = keys[rows[0]]
        header_labels = [_proactive_col_label(template, col) for col in cols]
        spans = _spans(len(cols))
        add_row(f"pro:header:{item}", [("信息内容", 1), *list(zip(header_labels, spans, strict=True))], True)
        for row in rows:
            label = PROACTIVE_ROW_LABELS[row]
            if row == "normative_documents":
                label = "规范性文件" if template == "2019" else s.normative_label
            vals = [printed(truth, f"proactive.{row}.{col}") for col in keys[row]]
            add_row(f"pro:row:{row}", [(label, 1), *list(zip(vals, spans, strict=True))])
        if s.proactive_layout == "separate":
            tables.append(Table(widths, row_keys, cells, min_row_h=s.proactive_row_h))
            cells, row_keys = [], []
    if cells:
        tables.append(Table(widths, row_keys, cells, min_row_h=s.proactive_row_h))
    return tables


def _proactive_col_label(template: str, col: str) -> str:
    if col == "amount":
        return PROACTIVE_COLUMN_LABELS["amount_2019" if template == "2019" else "amount_2021"]
    if col == "decisions" and template == "2019":
        return PROACTIVE_COLUMN_LABELS["decisions_2019"]
    return PROACTIVE_COLUMN_LABELS[col]


def _spans(n: int) -> list[int]:
    return {1: [3], 2: [1, 2], 3: [1, 1, 1]}[n]


def request_table(truth: Truth, s: Style, page_w: float = PAGE_W) -> Table:
    """Section 三: 3 label columns (A vertical, B group, C leaf) + 7 data columns."""
    single_other = "other" in truth["requests"]
    rows = request_rows(single_other)
    a, b, c = s.req_label_widths
    width = _text_width(s) + page_w - PAGE_W
    # every number must fit on one line: narrow the leaf column if needed
    num_font = font_name(s.table_latin_font or s.table_font)
    widest = max(
        _width(printed(truth, f"requests.{row}.{col}"), num_font, s.table_size)
        for row in rows
        for col in REQUEST_COLUMNS
    )
    need = (widest + 2 * s.cell_pad + 2) * (6 + s.req_total_col)
    c = min(c, max(90.0, width - a - b - need))
    data = width - a - b - c
    unit = data / (6 + s.req_total_col)
    widths = [a, b, c] + [unit] * 6 + [unit * s.req_total_col]
    cells: list[Cell] = []
    row_keys = ["req:head:0", "req:head:1", "req:head:2"]
    cells.append(Cell(0, 0, CORNER_NOTE, rowspan=3, colspan=3, header=True))
    cells.append(Cell(0, 3, "申请人情况", colspan=7, header=True))
    cells.append(Cell(1, 3, COLUMN_LABELS["natural_person"], rowspan=2, header=True))
    cells.append(Cell(1, 4, "法人或其他组织", colspan=5, header=True))
    cells.append(Cell(1, 9, COLUMN_LABELS["total"], rowspan=2, header=True))
    for k, col in enumerate(APPLICANT_COLUMNS[1:]):
        cells.append(Cell(2, 4 + k, COLUMN_LABELS[col], header=True))
    first_result = 3 + rows.index("granted")
    n_results = rows.index("total") - rows.index("granted") + 1
    cells.append(Cell(first_result, 0, RESULTS_LABEL, rowspan=n_results, vertical=True))
    group_of = {r: g for g, rs in GROUP_ROWS.items() for r in rs}
    for i, row in enumerate(rows):
        r = 3 + i
        row_keys.append(f"req:{row}")
        if row in ("new_received", "carried_over", "carried_forward"):
            label = s.forward_label if row == "carried_forward" else ROW_LABELS[row]
            cells.append(Cell(r, 0, label, colspan=3, align="left"))
        elif row in ("granted", "partially_granted", "other", "total"):
            label = ROW_LABELS[row]
            if row == "partially_granted" and not s.long_partial_label:
                label = "（二）部分公开"
            if row == "total":
                label = s.total_label
            cells.append(Cell(r, 1, label, colspan=2, align="left"))
        else:
            group = group_of[row]
            members = GROUP_ROWS[group]
            k = members.index(row)
            if k == 0:
                cells.append(Cell(r, 1, GROUP_LABELS[group], rowspan=len(members)))
            sep = s.other_leaf_sep if group == "other" else s.leaf_sep
            leaf = LEAF_LABELS[row]
            if row == "denied_law_prohibited" and s.typo_law_prohibited:
                leaf = "其他法律行政止公开"
            cells.append(Cell(r, 2, f"{k + 1}{sep}{_label(s, leaf)}", align="left"))
        for k, col in enumerate(REQUEST_COLUMNS):
            cells.append(Cell(r, 3 + k, printed(truth, f"requests.{row}.{col}")))
    return Table(widths, row_keys, cells, header_rows=3, min_row_h=s.min_row_h)


def review_table(truth: Truth, s: Style) -> Table:
    """Section 四: 15 data columns under a 3-row header."""
    width = _text_width(s)
    widths = [width / 15] * 15
    cells = [
        Cell(0, 0, "行政复议", colspan=5, header=True),
        Cell(0, 5, "行政诉讼", colspan=10, header=True),
        Cell(1, 5, "未经复议直接起诉", colspan=5, header=True),
        Cell(1, 10, "复议后起诉", colspan=5, header=True),
    ]
    for k, col in enumerate(REVIEW_COLUMNS):
        cells.append(Cell(1, k, REVIEW_COLUMN_LABELS[col], rowspan=2, header=True))
        cells.append(Cell(2, 5 + k, REVIEW_COLUMN_LABELS[col], header=True))
        cells.append(Cell(2, 10 + k, REVIEW_COLUMN_LABELS[col], header=True))
    for b, block in enumerate(REVIEW_BLOCKS):
        for k, col in enumerate(REVIEW_COLUMNS):
            cells.append(Cell(3, 5 * b + k, printed(truth, f"review_litigation.{block}.{col}")))
    keys = ["rev:head:0", "rev:head:1", "rev:head:2", "rev:values"]
    return Table(widths, keys, cells, header_rows=3, min_row_h=s.review_row_h)


_LEAD = re.compile(r"^(（[一二三四五六七八九十]+）[^。]{1,24}。)(.*)$")


def _runs(paragraph: str) -> list[tuple[str, str]]:
    m = _LEAD.match(paragraph)
    if m:
        return [(m.group(1), "lead"), (m.group(2), "body")]
    return [(paragraph, "body")]


def _cn_date(iso: str) -> str:
    y, m, d = (int(x) for x in iso.split("-"))
    return f"{y}年{m}月{d}日"


@dataclass(frozen=True)
class RenderInfo:
    pages: int
    breaks: tuple[str, ...]  # table row keys that start a new page ("req:granted", …)


def render_pdf(truth: Truth, out_path: str | Path | BinaryIO, style: Style) -> RenderInfo:
    """Draw `truth` into `out_path` (a path or a binary file object)."""
    s = style
    target = out_path if hasattr(out_path, "write") else str(out_path)
    c = Canvas(target, pagesize=(PAGE_W, PAGE_H), invariant=1, pageCompression=1)
    report = truth["report"]
    c.setTitle(report.get("title") or "")
    c.setAuthor(report["agency"])
    c.setCreator("samples.render_pdf")
    flow = Flow(c, s)
    sections: dict[str, str] = truth["sections"]
    headings: dict[str, str] = truth["headings"]

    # title
    title = report.get("title") or f"{report['agency']}{report['year']}年政府信息公开工作年度报告"
    title_font = font_name(s.title_font)
    one_line = _width(title, title_font, s.title_size) <= flow.width
    split = title.startswith(report["agency"]) and (s.title_two_lines or not one_line)
    lines = [report["agency"], title[len(report["agency"]) :]] if split else [title]
    flow.space(0)
    flow.y -= s.title_size * 1.2
    for line in lines:
        flow.paragraph(
            [(line, "title")],
            size=s.title_size,
            line_height=s.title_size * 1.6,
            indent_chars=0,
            align="center",
        )
    flow.y -= s.line_height * 0.6

    for para in sections.get("preface", "").split("\n"):
        flow.paragraph(_runs(para))

    def heading(key: str, keep: float) -> None:
        flow.ensure(s.line_height + keep)
        flow.paragraph(
            [(headings[key], "heading")],
            size=s.heading_size,
            indent_chars=2.0 if s.heading_indent else 0.0,
            align="left",
        )

    def body(key: str) -> None:
        heading(key, s.line_height * 2)
        for para in sections.get(key, "").split("\n"):
            if para:
                flow.paragraph(_runs(para))

    body("overview")
    pro = [flow.prepare(t) for t in proactive_tables(truth, s)]
    heading("proactive", sum(pro[0].heights[:3]))
    for k, tab in enumerate(pro):
        if k:
            flow.space(s.line_height * 0.4)
        flow.table(tab)
    flow.space(s.line_height * 0.5)
    if s.landscape_requests:
        flow.landscape(True)
    req = flow.prepare(request_table(truth, s, flow.page_w))
    heading("requests", req.first_need)
    flow.table(req)
    if s.landscape_requests:
        flow.landscape(False)
    flow.space(s.line_height * 0.5)
    rev = flow.prepare(review_table(truth, s))
    heading("review_litigation", sum(rev.heights))
    flow.table(rev)
    flow.space(s.line_height * 0.5)
    body("problems")
    body("other")

    if s.signature and report.get("published"):
        flow.space(s.line_height)
        flow.ensure(2 * s.line_height)
        flow.paragraph([(report["agency"], "body")], indent_chars=0, align="right")
        flow.paragraph([(_cn_date(report["published"]), "body")], indent_chars=0, align="right")
    info = RenderInfo(flow.page, tuple(flow.breaks))
    flow.finish()
    return info
