"""The report's tables in flattened text, rebuilt as Tables the reconstructors read.

A table region starts at a table's header (a 第二十条 caption, the request table's corner note, two
header words in a row, a line of header words) and ends at a section heading, at prose, or when the
one-row table of section 四 has its row. Inside, text is tokens: runs of numbers (cells, possibly
glued together) and Han text (header words, row labels). Markdown rows bring their cells.

Rows are laid out as from any other source: label columns on the left (group labels, then the
leaf), value columns under a header row of the template's column names. The request and review
headers are rebuilt from the header words found, in the template's column order: flattening a
merged header loses which leaf sat under which group, while the values of a row still come in the
template's order. Section 二's headers are flat and kept as printed. A run of numbers fills a row
only when it splits into exactly that row's cells (`glued.split_run`); anything else is a fragment,
never spread over a row by counting.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from pathlib import Path

import regex

from .. import patterns
from ..document import CellKind, Document, GluedPart, Line, Page, Table, TableCell
from ..model import APPLICANTS, REVIEW_PARTS
from ..numbers import header_money_unit
from ..text import label_key, ordinal, similarity, squash
from ..vocabulary import heading_key, is_furniture
from .glued import Sum, count_cells, split_run, well_formed
from .text_repair import join, joinable, pair_in_gaps, place, template_columns, template_verdict
from .text_units import Unit

PAGE = 1
LABEL_COLS = {"requests": 3, "proactive": 1, "review": 0}
AMBIGUOUS = 0.6  # a cell the splits of its glued run disagree on, until `resolve` decides


@dataclass(frozen=True)
class Word:
    """A header word: which table it belongs to, the column (or block) it names, and its role."""

    kind: str  # "requests", "review" or "proactive"
    key: str
    role: str  # "leaf" (a column), "block" (section 四's blocks), "group", "label" (信息内容)


@dataclass(frozen=True)
class Column:
    key: str
    text: str  # the header text as found (or the template's name, when found in pieces)
    kind: CellKind = field(default_factory=CellKind)


# ---------------------------------------------------------------------------------------------
# Vocabulary and tokens
# ---------------------------------------------------------------------------------------------


@cache
def vocabulary() -> dict[str, tuple[Word, ...]]:
    """Header words (whitespace removed) → what they name."""
    words: dict[str, list[Word]] = {}

    def add(text: str, word: Word) -> None:
        for form in {nospace(text), squash(text)}:  # as printed, and half-width
            words.setdefault(form, []).append(word)

    templates = patterns.load("templates")
    for c in patterns.request_columns():
        for a in c.aliases:
            add(a, Word("requests", c.key, "leaf"))
    for w in templates["requests"]["header_words"]:
        add(w, Word("requests", "", "group"))
    for b in patterns.review_blocks():
        for a in b.aliases:
            add(a, Word("review", b.key, "block"))
    for leaf in patterns.review_leaves():
        for a in leaf.aliases:
            add(a, Word("review", leaf.key, "leaf"))
    for w in patterns.load("text")["vocabulary"]["review_groups"]:
        add(w, Word("review", "", "group"))
    for c in patterns.proactive_columns():
        for a in c.aliases:
            add(a, Word("proactive", c.key, "leaf"))
    for w in templates["proactive"]["header_words"]:
        add(w, Word("proactive", "", "label"))
    return {k: tuple(v) for k, v in words.items()}


@cache
def _word_pattern() -> regex.Pattern[str]:
    # Longest first; a parenthesised hint right after a word ("（单位：万元）") belongs to it.
    alts = "|".join(regex.escape(w) for w in sorted(vocabulary(), key=len, reverse=True))
    return regex.compile(rf"(?P<w>{alts})(?P<hint>[（(][^（）()]{{1,20}}[)）])?")


@cache
def _caption() -> regex.Pattern[str]:
    return regex.compile(patterns.load("sections")["proactive_caption"]["regex"])


@cache
def _corner() -> regex.Pattern[str]:
    return regex.compile(patterns.load("text")["corner_note"])


@cache
def _run() -> regex.Pattern[str]:
    data = patterns.load("numbers")
    units = sorted({*data["count_units"], *data["money_units"]}, key=len, reverse=True)
    markers = [m for m in data["null_markers"] if not regex.match(r"\p{Han}", m)]
    num = r"[+\-−－]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:[.．]\d+)?"
    unit = "|".join(regex.escape(u) for u in units)
    # A dash before digits is their sign; other marks ("/", "—") may sit glued between numbers.
    dashes = [m for m in markers if m in ("-", "－")]
    others = sorted((m for m in markers if m not in dashes), key=len, reverse=True)
    mark = "|".join([*(regex.escape(m) for m in others), *(rf"{regex.escape(d)}(?!\d)" for d in dashes)])
    atom = rf"(?:{num}(?:{unit})?|(?:{mark}))"
    return regex.compile(rf"{atom}(?:[ \t\u3000]*{atom})*")


_NUMBERING_NEXT = regex.compile(r"[.．、]\p{Han}")
_LABEL_START = regex.compile(
    r"(?=[（(][一二三四五六七八九十]{1,3}[)）])"
    r"|(?<![一二三四五六七八九十])(?=[一二三四五六七八九十]{1,3}、)"
    r"|(?<![\d.．])(?=\d{1,2}[.．、](?!\d))"
)


@dataclass
class Token:
    type: str  # "han", "values", "caption"
    text: str
    start: int  # in the unit's text


def tokens(text: str) -> list[Token]:
    """Han text and runs of numbers, captions apart. A digit followed by "." and a Han character is
    the next label's numbering ("00000002.其他…" is the run 0000000 and the label 2.其他…); a mark
    inside a header word ("本年增/减") is the word's."""
    words = [m.span() for m in _word_pattern().finditer(text)] + [m.span() for m in _caption().finditer(text)]
    out: list[Token] = []
    at = 0
    for m in _run().finditer(text):
        start, end = m.span()
        if start < at or any(a < end and start < b for a, b in words):
            continue
        if text[end - 1].isdigit() and _NUMBERING_NEXT.match(text, end):
            end -= 1
        if end <= start or not text[start:end].strip():
            continue
        _han(text, at, start, out)
        out.append(Token("values", text[start:end].strip(), start))
        at = end
    _han(text, at, len(text), out)
    return out


def _han(text: str, start: int, end: int, out: list[Token]) -> None:
    piece = text[start:end]
    at = 0
    for m in _caption().finditer(piece):
        if piece[at : m.start()].strip():
            out.append(Token("han", piece[at : m.start()].strip(), start + at))
        out.append(Token("caption", m.group(), start + m.start()))
        at = m.end()
    if piece[at:].strip():
        out.append(Token("han", piece[at:].strip(), start + at))


def nospace(text: str) -> str:
    """Whitespace removed; full-width punctuation kept, as labels print it."""
    return regex.sub(r"\s+", "", text)


def label_pieces(text: str) -> list[str]:
    """A label split before each numbering: "三、本年度办理结果（一）予以公开" → two pieces."""
    s = nospace(text)
    cuts = [m.start() for m in _LABEL_START.finditer(s) if m.start() > 0]
    bounds = [0, *cuts, len(s)]
    return [s[a:b] for a, b in pairwise(bounds) if s[a:b]]


def find_trigger(text: str) -> tuple[int, str] | None:
    """Where a table starts in `text`, and which: a caption, the corner note, two header words of
    one table in a row, or a text made only of one table's header words."""
    s = text
    hits: list[tuple[int, str]] = []
    if (m := _caption().search(s)) is not None:
        hits.append((m.start(), "proactive"))
    if (m := _corner().search(s)) is not None:
        hits.append((m.start(), "requests"))
    matches = list(_word_pattern().finditer(s))
    for a, b in pairwise(matches):
        if a.end() == b.start():
            shared = _kinds(a["w"]) & _kinds(b["w"])
            if shared:
                hits.append((a.start(), _pick(shared)))
                break
    covered = sum(len(m.group()) for m in matches)
    if matches and covered == len(nospace(s)):
        shared = set.intersection(*(_kinds(m["w"]) for m in matches))
        if len(shared) == 1:
            hits.append((0, shared.pop()))
    return min(hits) if hits else None


def _kinds(word: str) -> set[str]:
    return {w.kind for w in vocabulary()[word]}


def _pick(kinds: set[str]) -> str:
    return sorted(kinds, key=("requests", "review", "proactive").index)[0]


@cache
def _prose() -> tuple[tuple[str, ...], int, tuple[str, ...]]:
    data = patterns.load("text")
    return tuple(data["prose_punctuation"]), int(data["prose_chars"]), tuple(data["narrative_units"])


def is_prose(text: str, *, in_header: bool = False) -> bool:
    """Sentence punctuation, or (among rows, where labels are short) a long text. A header zone may
    be long: the corner note and the header words come as one text when flattened."""
    punctuation, chars, _ = _prose()
    return any(p in text for p in punctuation) or (not in_header and len(squash(text)) > chars)


def is_narrative_number(text: str, end: int) -> bool:
    """A number followed by 年, 月, % …: the text's, not a cell."""
    return text[end:].lstrip().startswith(_prose()[2])


# ---------------------------------------------------------------------------------------------
# Headers
# ---------------------------------------------------------------------------------------------


def _consume(text: str, words: Iterable[str]) -> tuple[str, dict[str, str]]:
    """Exact header words removed from `text`, longest first (so 其他 inside 法人或其他组织 is not a
    column): what is left (pieces joined by "|") and word → as found."""
    found: dict[str, str] = {}
    for w in sorted(words, key=len, reverse=True):
        if w in text:
            found[w] = w
            text = text.replace(w, "|", 1)
    return text, found


def _subsequence(word: str, text: str) -> str | None:
    """`text` with `word`'s characters taken out in order, or None: a header a converter shredded
    column by column ("商业企…" on one line, "业" on the next) still holds its words in order."""
    chars = list(text)
    at = 0
    for ch in word:
        while at < len(chars) and chars[at] != ch:
            at += 1
        if at == len(chars):
            return None
        chars[at] = "|"
        at += 1
    return "".join(chars)


def find_leaves(header: str, kind: str) -> dict[str, str]:
    """Column key → header text, for the leaves of `kind`'s table found in a header's text."""
    s = _corner().sub("|", squash(header))
    words = {w: ws for w, ws in vocabulary().items() if any(x.kind == kind for x in ws)}
    left, exact = _consume(s, words)
    found: dict[str, str] = {}
    for w in exact:
        for x in words[w]:
            if x.kind == kind and x.role in ("leaf", "block"):
                found.setdefault(x.key, w)
    aliases: dict[str, list[str]] = {}
    for w, ws in words.items():
        for x in ws:
            if x.kind == kind and x.role in ("leaf", "block"):
                aliases.setdefault(x.key, []).append(w)
    # Missing leaves: a leftover piece very like the leaf ("然人" for 自然人, a character lost), then
    # the leaf's characters in order across the leftovers, then a piece only somewhat like it.
    for threshold in (0.8, None, 0.6):
        for key, names in aliases.items():
            if key in found:
                continue
            if threshold is None:
                for name in sorted(names, key=len, reverse=True):
                    rest = _subsequence(name, left)
                    if rest is not None:
                        found[key], left = name, rest
                        break
                continue
            pieces = [p for p in left.split("|") if p]
            scored = sorted(((max(similarity(p, n) for n in names), p) for p in pieces), reverse=True)
            if scored and scored[0][0] >= threshold:
                found[key] = scored[0][1]
                left = left.replace(scored[0][1], "|", 1)
    return found


def request_columns(header: str) -> list[Column]:
    found = find_leaves(header, "requests")
    return [Column(c.key, found[c.key]) for c in patterns.request_columns() if c.key in found]


def review_columns(header: str) -> list[Column] | None:
    """The 15 columns of section 四 when the header names its three blocks and the leaves."""
    found = find_leaves(header, "review")
    blocks = [b for b in reversed(patterns.review_blocks())]  # review, direct, after review
    leaves = patterns.review_leaves()
    if not all(b.key in found for b in blocks) or not all(leaf.key in found for leaf in leaves):
        return None
    return [Column(f"{b.key}.{leaf.key}", leaf.aliases[0]) for b in blocks for leaf in leaves]


def proactive_columns(heads: list[str]) -> list[Column]:
    specs = {c.key: c for c in patterns.proactive_columns()}
    out = []
    for h in heads:
        word = next((x for x in vocabulary().get(_bare(h), ()) if x.kind == "proactive"), None)
        if word is None or word.role != "leaf":
            continue
        spec = specs[word.key]
        out.append(
            Column(word.key, h, CellKind(money=spec.money, signed=spec.signed, unit=header_money_unit(h)))
        )
    return out


def _bare(word: str) -> str:
    """A header word without the hint absorbed after it."""
    m = _word_pattern().match(word)
    return m["w"] if m is not None else word


def complete_columns(kind: str, found: list[Column], warnings: list[str]) -> list[Column]:
    """The request and review tables have the template's columns, in its order, whatever part of a
    shredded header could be read: a row's values come in that order."""
    keys = template_columns(kind)
    if [c.key for c in found] == keys:
        return found
    have = {c.key: c for c in found}
    names = {c.key: c.aliases[0] for c in patterns.request_columns()}
    blocks, leaves = patterns.review_blocks(), patterns.review_leaves()
    names.update({f"{b.key}.{x.key}": x.aliases[0] for b in blocks for x in leaves})
    warnings.append(
        f"{kind}: the header names {len(found)} of the template's {len(keys)} columns; "
        "the template's columns taken"
    )
    return [have.get(k) or Column(k, names[k]) for k in keys]


def row_sums(columns: list[Column]) -> list[Sum]:
    """The relations among a row's cells that the template states (contract relations A3, A4)."""
    at = {c.key: i for i, c in enumerate(columns)}
    sums: list[Sum] = []
    if "total" in at and all(a in at for a in APPLICANTS):
        sums.append((tuple(at[a] for a in APPLICANTS), at["total"]))
    for b in patterns.review_blocks():
        parts = [f"{b.key}.{p}" for p in REVIEW_PARTS]
        if f"{b.key}.total" in at and all(p in at for p in parts):
            sums.append((tuple(at[p] for p in parts), at[f"{b.key}.total"]))
    return sorted(sums, key=lambda s: s[1])


# ---------------------------------------------------------------------------------------------
# Reading a region
# ---------------------------------------------------------------------------------------------


@dataclass
class Row:
    role: str  # "caption", "header", "data"
    labels: list[str] = field(default_factory=list)
    values: list[TableCell] = field(default_factory=list)  # col set later
    y: float = 0.0
    md: bool = False  # a Markdown row: its cells were given
    given: list[str] = field(default_factory=list)  # a Markdown row's value texts, as given
    columns: list[Column] = field(default_factory=list)  # header rows: the columns they set


@dataclass
class Half:
    """A short Markdown row joined with the unlabelled Markdown row after it, until the table's
    rows are all read and the template's rows say whether they are one row (`Region._settle`)."""

    row: Row  # the first half, holding the joined values
    first: list[str]  # its own value texts
    second: list[str]  # the next row's value texts
    before: list[str]  # cells written apart before the first half
    y: float  # the second half's place


@dataclass
class Out:
    """Lines and tables placed by a running counter, in document order."""

    lines: list[Line] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    y: int = 0

    def next_y(self) -> float:
        self.y += 1
        return float(self.y)

    def line(self, text: str, *, in_table: bool = False, block_end: bool = True) -> float:
        y = self.next_y()
        if text.strip():
            self.lines.append(Line(text=text, page=PAGE, y=y, in_table=in_table, block_end=block_end))
        return y


class Region:
    """One table being read: header zone, then rows, until the region ends."""

    def __init__(self, kind: str, out: Out) -> None:
        self.kind = kind
        self.out = out
        self.rows: list[Row] = []
        self.header: list[str] = []  # the header zone's text
        self.in_header = True
        self.columns: list[Column] = []
        self.sums: list[Sum] = []
        self.pending: list[str] = []  # label text waiting for its values
        self.orphans: list[list[str]] = []  # label text a converter detached from Markdown rows
        self.carry: list[str] = []  # a row's cells so far, when the source puts one cell per line
        # The last Markdown row, when it was short: the row, its values, the cells written apart before it.
        self.short: tuple[Row, list[str], list[str]] | None = None
        self.halves: list[Half] = []  # rows joined with the next Markdown row, to be settled
        self.closed = False

    # -- feeding -------------------------------------------------------------------------------

    def feed(self, unit: Unit) -> Unit | None:
        """Read a unit; what is left of it when the region ended inside it."""
        if unit.kind == "md":
            self._md(unit.cells or [])
            return None
        text = unit.text
        for tok in tokens(text):
            if self.closed:
                return Unit(text[tok.start :], "text", block_end=unit.block_end)
            if tok.type == "caption":
                if self.kind != "proactive":  # section 二 starts: this table ended
                    self.close()
                    return Unit(text[tok.start :], "text", block_end=unit.block_end)
                self._caption(tok.text)
            elif tok.type == "han":
                rest = self._han(tok.text)
                if rest is not None:
                    self.close()
                    return Unit(
                        text[tok.start + len(tok.text) - len(rest) :], "text", block_end=unit.block_end
                    )
            else:
                end = tok.start + len(tok.text)
                if is_narrative_number(text, end):
                    self.close()
                    return Unit(self._unclaimed(text, tok.start), "text", block_end=unit.block_end)
                self._values(tok.text)
        return None

    def _unclaimed(self, text: str, start: int) -> str:
        """Label text waiting for values goes back to the prose it came with."""
        before = "".join(self.pending)
        self.pending = []
        return before + text[start:]

    def _caption(self, text: str) -> None:
        """A 第二十条 caption opens a sub-table of section 二: its header comes next."""
        self._drop_carry()
        self._flush_pending()
        self.rows.append(Row("caption", labels=[text], y=self.out.line(text, in_table=True)))
        self.in_header, self.header = True, []

    def _han(self, text: str) -> str | None:
        """Han text: header words, a label, or prose (returned: the region ends there)."""
        self._drop_carry()
        if is_prose(text, in_header=self.in_header):
            return text
        trigger = find_trigger(text)
        if not self.in_header and trigger is not None:
            pos, kind = trigger
            if kind == self.kind == "proactive" or kind != self.kind:
                if pos:
                    self.pending.append(text[:pos])
                if kind != self.kind:
                    return text[pos:]
                self._flush_pending()
                self.in_header, self.header = True, []
                text = text[pos:]
        # Once a label has started, text goes on with it unless it is header words alone: a wrapped
        # label's tail may hold one ("，不计其他情形）").
        label = bool(self.header) and (
            self._row_label(text) or (bool(self.pending) and not self._only_names(text))
        )
        if self.in_header and not label:
            self.header.append(text)
        else:
            self.pending.append(text)
        return None

    def _row_label(self, text: str) -> bool:
        """Text after the request table's header that starts a row's label (numbered): a converter
        wrote the first rows' labels apart from their Markdown rows. A header word inside it does
        not make it header text ("2.其他法律行政…" holds 其他): no header cell starts with a numbering."""
        return self.kind == "requests" and ordinal(nospace(text)) is not None

    def _only_names(self, text: str) -> bool:
        """Whether the text is header words of this table and nothing else."""
        s = nospace(text)
        words = [m for m in _word_pattern().finditer(s) if self.kind in _kinds(m["w"])]
        return bool(words) and sum(len(m.group()) for m in words) == len(s)

    def _values(self, raw: str) -> None:
        if self.in_header:
            self._end_header()
        kinds = [c.kind for c in self.columns]
        if self.carry:
            # One cell per line: the cells the source separated, never re-split, fill the row.
            tokens = [*self.carry, *raw.split()]
            if len(tokens) < len(kinds):
                self.carry = tokens
                return
            if len(tokens) == len(kinds) and all(
                well_formed(t, k) for t, k in zip(tokens, kinds, strict=True)
            ):
                self.carry = []
                self._row(" ".join(tokens), [TableCell(row=0, col=0, text=t) for t in tokens])
                return
            self._drop_carry()
        cells = self._decode(raw)
        if cells is None:
            if kinds and count_cells(raw) < len(kinds) and all(well_formed(t) for t in raw.split()):
                self.carry = raw.split()  # the row may go on on the next lines
                return
            self._fragment(raw)
            return
        self._row(raw, cells)

    def _fragment(self, raw: str) -> None:
        self.out.line(raw, in_table=True)  # numbers that do not fill a row: never spread by counting
        self.out.warnings.append(f"{self.kind}: numbers {raw!r} do not fill a row; not used")

    def _drop_carry(self) -> None:
        if self.carry:
            self._fragment(" ".join(self.carry))
            self.carry = []

    def _row(self, raw: str, cells: list[TableCell]) -> None:
        labels = self._take_labels()
        text = "".join(labels) + " " + raw
        self.rows.append(Row("data", labels=labels, values=cells, y=self.out.line(text, in_table=True)))
        if self.kind == "review":
            self.close()

    def _md(self, cells: list[str]) -> None:
        numeric = [i for i, c in enumerate(cells) if c and well_formed(c)]
        # Cells a converter wrote apart just before this row may be its own (see `_md_values`).
        pulled, self.carry = (self.carry, []) if numeric else ([], self.carry)
        self._drop_carry()
        short, self.short = self.short, None
        if not numeric:
            if self.in_header:
                self.header.append("".join(cells))
            elif self.kind == "proactive" and find_trigger("".join(cells)) is not None:
                self._flush_pending()
                self.in_header, self.header = True, ["".join(cells)]
            else:
                self.pending.append("".join(cells))
            return
        if self.in_header:
            self._end_header(from_md=True)
        if self.pending:
            # Label text since the last row: this row's label, written apart; never a row's rest.
            self.orphans.append(self.pending)
            self.pending = []
            short = None
        # Labels up to the last cell that is text, not a number or a mark; the values after it,
        # blanks included, trimmed to the table's width: a converter's padding at the end first,
        # then the blank label columns a merged label left.
        first = max((i + 1 for i, c in enumerate(cells) if c.strip() and not well_formed(c)), default=0)
        labels = [c for c in cells[:first] if c.strip()]
        kinds = [c.kind for c in self.columns]
        if short is not None and not labels and not pulled:
            row, values, before = short
            second = cells[first:]
            if len(values) + len(before) + len(second) <= len(kinds) and self._fits(values, second, before):
                # Maybe the second half of a row a converter split over two Markdown rows (blank
                # cells dropped or not): joined for now; `_settle` decides once every row is read.
                row.values = self._md_values([*values, *second], 0, before)
                y = self.out.line(" | ".join(cells), in_table=True)
                self.halves.append(Half(row, values, second, before, y))
                if self.kind == "review":
                    self.close()
                return
            _doubt(row.values, "the next Markdown row has no label: it may hold the rest of this row")
        out = self._md_values(cells, first, pulled)
        text = " | ".join(cells)
        row = Row(
            "data",
            labels=labels,
            values=out,
            y=self.out.line(text, in_table=True),
            md=True,
            given=cells[first:],
        )
        self.rows.append(row)
        is_short = bool(self.columns) and len(cells) - first < len(self.columns)
        self.short = (row, cells[first:], pulled) if is_short else None
        if self.kind == "review" and self.short is None:
            self.close()

    def _md_values(self, cells: list[str], first: int, pulled: list[str] | None = None) -> list[TableCell]:
        """A Markdown row's value cells: those after its labels, blanks included. With more cells
        than columns, the blanks dropped may be a converter's padding at the end or the blank label
        columns of a merged label, and a blank 总计 looks like padding: every placement that drops
        only blanks is tried, the row's relations choose, then the table's width (the row's last
        cells); cells that still differ between placements are flagged. With fewer (blanks dropped,
        cells `pulled` out of the row), `text_repair.place` puts them back, flagged where unsure."""
        values = cells[first:]
        k = len(self.columns) or len(values)
        if self.columns and len(values) + len(pulled or []) <= k and (pulled or len(values) < k):
            return self._place(values, pulled or [])
        if pulled:
            self._fragment(" ".join(pulled))
        places = [w for w in range(len(values) - k + 1) if not any(values[:w]) and not any(values[w + k :])]
        if len(places) <= 1:
            chosen = values[places[0] : places[0] + k] if places else values
            return [TableCell(row=0, col=0, text=v) for v in chosen]
        kinds = [c.kind for c in self.columns]
        holding = [w for w in places if _row_holds(values[w : w + k], kinds, self.sums)]
        candidates = holding if holding else places
        w = len(values) - k if len(values) - k in candidates else candidates[0]
        chosen = values[w : w + k]
        out = [TableCell(row=0, col=0, text=v) for v in chosen]
        if len(candidates) > 1:
            for i, cell in enumerate(out):
                if any(values[o + i] != chosen[i] for o in candidates):
                    cell.confidence = AMBIGUOUS
                    cell.notes = ["the row has more cells than columns: its values may sit one column over"]
        return out

    def start_headless(self) -> None:
        """Start reading rows with the template's columns (the header could not be read at all)."""
        self.out.warnings.append(f"{self.kind}: no header found before the table's first row")
        self._end_header()

    def _place(self, values: list[str], pulled: list[str]) -> list[TableCell]:
        kinds = [c.kind for c in self.columns]
        placed = place(values, kinds, self.sums, pulled)
        shown = " ".join(t or "_" for t in values)
        if placed is None:
            self.out.warnings.append(
                f"{self.kind}: a row's numbers {shown!r} cannot be placed in its {len(kinds)} columns; "
                "not used"
            )
            return []
        cells, decided = placed
        what = f"cells {' '.join(pulled)!r} written apart and " if pulled else ""
        self.out.warnings.append(
            f"{self.kind}: {what}a row of {len(values)} cells for {len(kinds)} columns ({shown!r}): placed "
            + ("by the row's relations" if decided else "by order, the cells in doubt flagged")
        )
        return cells

    # -- headers and rows -------------------------------------------------------------------------

    def _end_header(self, from_md: bool = False) -> None:
        """The header zone is complete: set the columns; the zone's tail is the first row's label."""
        self.in_header = False
        zone = list(self.header)
        if zone and not from_md:
            last = zone[-1]
            words = [m for m in _word_pattern().finditer(last) if self.kind in _kinds(m["w"])]
            corner = [m.end() for m in _corner().finditer(last)]
            cut = max([m.end() for m in words] + corner, default=0)
            if cut < len(last):
                zone[-1] = last[:cut]
                self.pending.append(last[cut:])
        header_text = "".join(zone)
        if self.kind == "requests":
            self.columns = complete_columns("requests", request_columns(header_text), self.out.warnings)
        elif self.kind == "review":
            self.columns = complete_columns("review", review_columns(header_text) or [], self.out.warnings)
        else:
            heads = [m.group() for m in _word_pattern().finditer(nospace(header_text))]
            self.columns = proactive_columns(heads)
        self.sums = row_sums(self.columns)
        self.rows.append(
            Row(
                "header", labels=zone, columns=list(self.columns), y=self.out.line(header_text, in_table=True)
            )
        )
        self.header = []

    def _decode(self, raw: str) -> list[TableCell] | None:
        """The cells of a run of numbers, or None when it cannot fill the row."""
        kinds = [c.kind for c in self.columns]
        tokens_ = raw.split()
        if not kinds:
            return [TableCell(row=0, col=0, text=t) for t in tokens_]
        if len(tokens_) == len(kinds) and all(well_formed(t, k) for t, k in zip(tokens_, kinds, strict=True)):
            return [TableCell(row=0, col=0, text=t) for t in tokens_]
        if count_cells(raw) > len(kinds):
            return None
        run = split_run(raw, kinds, self.sums)
        if not run.splits:
            return None
        first = run.splits[0]
        out = []
        for i in range(len(kinds)):
            doubt = run.differs(i) or not run.fits_row
            note = f"glued digits {raw!r} split {len(run.splits)} ways" if doubt else ""
            cell = TableCell(0, 0, first[i], confidence=AMBIGUOUS if doubt else 1.0, glued=GluedPart(run, i))
            cell.notes = [note] if note else []
            out.append(cell)
        return out

    def _take_labels(self) -> list[str]:
        text = "".join(self.pending)
        self.pending = []
        if self.kind == "proactive":
            return [nospace(text)] if nospace(text) else []
        return label_pieces(text)

    def _flush_pending(self) -> None:
        for p in self.pending:
            self.out.line(p, in_table=True)
        self.pending = []

    # -- closing ----------------------------------------------------------------------------------

    def close(self) -> None:
        if self.closed:
            return
        self._drop_carry()
        self.closed = True
        if self.pending:
            self.orphans.append(self.pending)
            self.pending = []
        if self.in_header and self.header:
            for h in self.header:  # a header without rows: keep its text
                self.out.line(h, in_table=True)
        self._settle()
        if self.kind == "requests":
            self._pair_orphans()
        table = build_table(self.kind, self.rows)
        if table is not None:
            self.out.tables.append(table)

    def _fits(self, first: list[str], second: list[str], before: list[str]) -> bool:
        """Whether two runs of values make one row its relations allow (zeros too)."""
        return joinable(first, second, [c.kind for c in self.columns], self.sums, before)

    def _settle(self) -> None:
        """Rows joined with the next Markdown row: one row, or two? The row's relations tell when
        both halves hold a value that is not zero (`text_repair.join`). Otherwise (halves of
        zeros, which fit any relation) the template's rows tell: room for the unlabelled rows
        between the nearest labelled ones as joined and not for one more (section 四 has one row),
        or the other way round (the second half is a row whose label was lost). Else the join
        stands, flagged. Either way, when the second half could as well be the first half of the
        unlabelled row after it, the rows count the same both ways: flagged unless its relations
        hold for this join and not for that one."""
        kinds = [c.kind for c in self.columns]
        for half in self.halves:
            data = [r for r in self.rows if r.role == "data"]
            at = next(i for i, r in enumerate(data) if r is half.row)
            after = data[at + 1] if at + 1 < len(data) else None
            rival = (
                after is not None
                and after.md
                and not any(label_key(x) for x in after.labels)
                and self._fits(half.second, after.given, [])
            )
            if join(half.first, half.second, kinds, self.sums, half.before) and not (
                rival and after is not None and join(half.second, after.given, kinds, self.sums)
            ):
                continue
            verdict = None
            if rival:
                pass  # the rows count the same either way
            elif self.kind == "review":
                verdict = "join" if len(data) == 1 else None
            elif self.kind == "requests":
                named = ["".join(r.labels) if any(label_key(x) for x in r.labels) else None for r in data]
                verdict = template_verdict(named, at)
            if verdict == "join":
                self.out.warnings.append(
                    f"{self.kind}: a row split over two Markdown rows joined: the template has no "
                    "other row there"
                )
            elif verdict == "apart":
                half.row.values = self._md_values(half.first, 0, half.before)
                second = Row("data", values=self._md_values(half.second, 0), y=half.y, md=True)
                self.rows.insert(self.rows.index(half.row) + 1, second)
                self.out.warnings.append(
                    f"{self.kind}: an unlabelled Markdown row is a row of its own, not the rest of the "
                    "row before it: the template has a row for it there"
                )
            else:
                why = "or the start of the next" if rival else "by the count of cells alone"
                _doubt(half.row.values, f"joined with the next Markdown row {why}")
        self.halves = []

    def _pair_orphans(self) -> None:
        """Markdown rows without labels, and the labels detached from them: a converter that could
        not fit a wrapped label into its row writes it out as text, in reading order. Between two
        labelled rows, the detached labels of the template rows between theirs go to the rows
        there, in order, when the counts agree (`text_repair.pair_in_gaps`). Rows left without a
        label are placed by their neighbours in the alignment, flagged: pairing labels and rows by
        their order alone would put a row under the wrong label as soon as one is missing."""
        data = [r for r in self.rows if r.role == "data"]
        named = ["".join(r.labels) if any(label_key(x) for x in r.labels) else None for r in data]
        bare = [r for r, name in zip(data, named, strict=True) if name is None and r.md]
        leaves = [leaf for block in self.orphans for leaf in orphan_leaves(block)]
        if not bare or not leaves:
            return
        paired = pair_in_gaps(named, leaves)
        placed = [(r, now) for r, was, now in zip(data, named, paired, strict=True) if was is None and now]
        for row, leaf in placed:
            row.labels = [leaf]
        if placed:
            self.out.warnings.append(
                f"requests: {len(placed)} of {len(bare)} rows had their labels detached (a converter's "
                "shredded table); labels and rows paired by the template's rows between their labelled "
                "neighbours"
            )


def _doubt(cells: list[TableCell], note: str) -> None:
    for cell in cells:
        cell.confidence = min(cell.confidence, AMBIGUOUS)
        cell.notes = [*cell.notes, note]


def _numbers_only(unit: Unit) -> list[str] | None:
    tokens = unit.text.split()
    return tokens if tokens and all(well_formed(t) for t in tokens) else None


def row_trigger(unit: Unit, section: str | None = None) -> str | None:
    """The table a row starts when no header was found before it: a row labelled with one of the
    request table's labels, a Markdown row of exactly the review table's cells, or in section 四 a
    Markdown row of numbers alone (a converter dropped some, or split the row in two). In section
    三, also a line that starts a request-table label (a label a converter wrapped and wrote apart
    from its row: "一、本年新收政府信息公开") and a Markdown row of numbers alone (its label apart)."""
    cells = unit.cells if unit.kind == "md" else None
    texts = [c for c in (cells or unit.text.split()) if c.strip()]
    values = [t for t in texts if well_formed(t)]
    label = "".join(t for t in texts if not well_formed(t))
    requests = section == "requests"
    if requests and not values and label and not is_prose(label) and starts_request_label(label):
        return "requests"
    if not values:
        return None
    review = len(template_columns("review"))
    some = section == "review_litigation" and len(cells or []) <= review  # a part of the row
    if cells is not None and len(values) == len(texts) and (len(cells) == review or some):
        return "review"  # blank cells kept: fifteen cells, numbers or nothing
    if requests and cells is not None and len(values) == len(texts):
        return "requests"
    keys = {label_key(x) for spec in patterns.request_rows() for x in (spec.label, *spec.aliases)}
    if label and label_key(label) in keys and not is_prose(label):
        return "requests"
    return None


@cache
def _request_label_keys() -> tuple[str, ...]:
    rows = patterns.request_rows()
    headings = patterns.load("templates")["requests"]["label_headings"]
    return tuple(
        {label_key(x) for spec in rows for x in (spec.label, spec.group, *spec.aliases, *headings) if x}
    )


def starts_request_label(text: str) -> bool:
    """Whether `text` is numbered and its pieces are the starts of the request table's labels
    (the first two characters at least after its numbering; a later piece may be cut shorter by
    the wrap, "（三）不予公开1.属"): the first line of a wrapped label."""
    if ordinal(nospace(text)) is None:
        return False
    keys = _request_label_keys()
    pieces = [label_key(p) for p in label_pieces(text)]
    return len(pieces[0]) >= 2 and all(any(k.startswith(p) for k in keys) for p in pieces)


def _row_holds(texts: list[str], kinds: list[CellKind], sums: list[Sum]) -> bool:
    """Whether a row's cells satisfy its relations (blanks and marks count as nothing)."""
    if not sums or len(texts) != len(kinds):
        return False
    run = split_run(" ".join(t or "/" for t in texts), kinds, sums)
    return run.fits_row and len(run.splits) == 1


@cache
def _group_ordinals() -> frozenset[str]:
    return frozenset(o for r in patterns.request_rows() if r.group and (o := ordinal(r.group)) is not None)


def orphan_leaves(block: list[str]) -> list[str]:
    """The leaf labels in a block of detached label text: group labels ("（三）不予公开" before a
    "1." label) and pieces with no numbering of their own (wrapped tails) are not leaves."""
    pieces = label_pieces("".join(block))
    merged: list[str] = []
    for p in pieces:
        if ordinal(p) is None and merged:
            merged[-1] += p  # the tail of a wrapped label
        elif ordinal(p) is not None:
            merged.append(p)
    out = []
    for i, p in enumerate(merged):
        nxt = merged[i + 1] if i + 1 < len(merged) else ""
        group = p[:1] in "（(" and ordinal(p) in _group_ordinals() and (ordinal(nxt) or "").isdigit()
        if not group and label_key(p):
            out.append(p)
    return out


def build_table(kind: str, rows: list[Row]) -> Table | None:
    """The rows as a Table: label columns, then value columns under the header's leaves."""
    if not any(r.role == "data" for r in rows):
        return None
    n_label = LABEL_COLS[kind]
    width = max([len(r.values) for r in rows] + [len(r.columns) for r in rows])
    n_cols = n_label + max(width, 1)
    cells: list[TableCell] = []
    row_y: list[float] = []
    for row in rows:
        r = len(row_y)
        if row.role == "caption":
            cells.append(TableCell(r, 0, row.labels[0], colspan=n_cols))
            row_y.append(row.y)
        elif row.role == "header":
            if kind == "review" and row.columns:
                # Two header rows: the blocks over their five leaves.
                for b in range(len(row.columns) // 5):
                    block = row.columns[b * 5].key.split(".")[0]
                    name = next(x.aliases[0] for x in patterns.review_blocks() if x.key == block)
                    cells.append(TableCell(r, b * 5, name, colspan=5))
                row_y.append(row.y)
                r += 1
                row_y.append(row.y + 0.5)
            else:
                row_y.append(row.y)
                if n_label:
                    note = _corner().search(nospace("".join(row.labels)))
                    corner = "信息内容" if kind == "proactive" else (note.group() if note else "")
                    cells.append(TableCell(r, 0, corner, colspan=n_label))
            for i, col in enumerate(row.columns):
                cells.append(TableCell(r, n_label + i, col.text))
        else:
            row_y.append(row.y)
            cells.extend(_label_cells(r, row.labels, n_label))
            for i, v in enumerate(row.values):
                v.row, v.col = r, n_label + i
                cells.append(v)
    return Table(page=PAGE, n_rows=len(row_y), n_cols=n_cols, cells=cells, row_y=row_y)


def _label_cells(r: int, labels: list[str], n_label: int) -> list[TableCell]:
    """Labels right-aligned in the label columns: the leaf last, group labels before it."""
    labels = [x for x in labels if x.strip()]
    if not n_label or not labels:
        return []
    if len(labels) == 1:
        return [TableCell(r, 0, labels[0], colspan=n_label)]
    if len(labels) > n_label:
        labels = ["".join(labels[: len(labels) - n_label + 1]), *labels[len(labels) - n_label + 1 :]]
    first = n_label - len(labels)
    return [TableCell(r, first + i, t) for i, t in enumerate(labels)]


# ---------------------------------------------------------------------------------------------
# The document
# ---------------------------------------------------------------------------------------------


def read_units(path: Path, units: list[Unit]) -> Document:
    out = Out()
    region: Region | None = None
    queue = list(reversed(units))
    section: str | None = None  # the section whose heading came last
    held: list[Unit] = []  # lines of numbers alone outside a table: cells a converter wrote apart?
    while queue:
        unit = queue.pop()
        if held and unit.kind != "blank" and not (unit.kind == "text" and _numbers_only(unit) is not None):
            if region is None and unit.kind in ("md", "text") and row_trigger(unit, section) is not None:
                queue.append(unit)
                queue.extend(reversed(held))  # read again inside the table the next row starts
                held = []
                region = Region(row_trigger(unit, section) or "", out)
                region.start_headless()
                unit = queue.pop()
            else:
                for h in held:
                    out.line(h.text, block_end=h.block_end)
                held = []
        if unit.kind == "heading":
            if region is not None:
                region.close()
                region = None
            section = heading_key(unit.text)
            out.line(unit.text)
            continue
        if region is not None and unit.marked and find_trigger(unit.text) is None:
            # A converter's heading over a piece of the table ("## 表三：…"): neither a label nor
            # the table's end.
            out.line(unit.text)
            continue
        if region is None and unit.kind == "text" and _numbers_only(unit) is not None:
            held.append(unit)
            continue
        if unit.kind == "blank":
            continue
        if unit.kind == "text" and is_furniture(unit.text) and not unit.text.strip().isdigit():
            # A page number between a table's rows ("-3-"): the locator drops it. A bare number
            # may be a cell, in text that puts one cell per line.
            out.line(unit.text)
            continue
        if region is None:
            text = unit.text if unit.kind == "text" else "".join(unit.cells or [])
            found = find_trigger(text)
            headless = row_trigger(unit, section) if found is None else None
            if headless is not None:
                # A table whose header a converter shredded past reading: its first row tells.
                region = Region(headless, out)
                region.start_headless()
                rest = region.feed(unit)
                if region.closed:
                    region = None
                if rest is not None and rest.text.strip():
                    queue.append(rest)
                continue
            if found is None:
                out.line(unit.text, block_end=unit.block_end)
                continue
            pos, kind = found
            if unit.kind == "text" and pos > 0:
                out.line(unit.text[:pos], block_end=False)
                unit = Unit(unit.text[pos:], "text", block_end=unit.block_end)
            region = Region(kind, out)
            fresh = True
        else:
            fresh = False
        rest = region.feed(unit)
        if region.closed:
            region = None
        if rest is not None and fresh and rest.text == unit.text:
            # A table that started here and took none of it (its header words, then prose): the
            # text is prose; fed again, it would start the same table forever.
            out.line(rest.text, block_end=rest.block_end)
        elif rest is not None and rest.text.strip():
            queue.append(rest)
    for h in held:
        out.line(h.text, block_end=h.block_end)
    if region is not None:
        region.close()
    page = Page(number=PAGE, lines=out.lines, tables=out.tables)
    return Document(path=path, kind="text", pages=[page], n_pages=None, warnings=out.warnings)
