"""Rows a PDF-to-Markdown converter mangled, put back in their places by the template and the relations.

A converter that meets a table it cannot lay out writes what it read in reading order, but not in
rows: the header comes out as fragments of its cells, a row's cells spread over two Markdown rows,
a cell is taken out of its row and written as a line of its own, blank cells are dropped (the row
has fewer cells than the table has columns), and labels are written apart from their rows. What
is still there is the order of the values in a row (the template's column order), the template's
columns and rows themselves, and the relations between the cells of a row. So:

- the columns of the request and review tables are the template's, whatever part of the header
  the fragments let us read (a row of seven values is the seven columns, in order);
- a row with fewer values than columns, and the cells written apart just before it, are placed in
  every way that keeps the values' order; the row's relations choose among the placements; a cell
  the remaining placements disagree on is flagged with the other readings, never shifted silently
  into a neighbour's column;
- a row's two halves (blank cells dropped or not) are joined when the template leaves no row
  between its labelled neighbours that the second half could be, or when they make one row whose
  relations hold with a total that is not zero; kept apart when the template has a row there for
  the second half and none for the rows as joined;
- labels written apart are paired with the unlabelled rows between two labelled ones, in order,
  when the template puts exactly as many rows there.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

import regex

from .. import patterns
from ..document import CellKind, GluedPart, GluedRun, TableCell
from ..numbers import parse_cell
from ..text import best_similarity, label_key
from .glued import Sum, well_formed

# Where a label's numbering starts ("（一）", "三、", "1."): a leaf after its group labels.
_NUMBERING = regex.compile(
    r"(?=[（(][一二三四五六七八九十]{1,3}[)）])"
    r"|(?<![一二三四五六七八九十])(?=[一二三四五六七八九十]{1,3}、)"
    r"|(?<![\d.．])(?=\d{1,2}[.．、](?!\d))"
)
AMBIGUOUS = 0.6  # a cell the placements disagree on (as for glued digits, until a person looks)
MAX_DROPPED = 4  # more blank cells missing than this: the row is not placed at all
MAX_PLACEMENTS = 2000


def template_columns(kind: str) -> list[str]:
    """The column keys of the request or review table, in the template's order."""
    if kind == "requests":
        return [c.key for c in patterns.request_columns()]
    blocks = [b.key for b in reversed(patterns.review_blocks())]  # review, direct, after review
    return [f"{b}.{leaf.key}" for b in blocks for leaf in patterns.review_leaves()]


def holds(texts: Sequence[str], kinds: Sequence[CellKind], sums: Sequence[Sum]) -> bool:
    """Whether a row's cells satisfy its relations: blanks and marks count as nothing, and a blank
    or marked total holds only beside blank parts (as the checks of validate/ judge them)."""
    if not sums or len(texts) != len(kinds):
        return False
    values = []
    for text, kind in zip(texts, kinds, strict=True):
        reading = parse_cell(text, money=kind.money, signed=kind.signed, unit=kind.unit)
        if not reading.ok:
            return False
        values.append(reading.value)
    for parts, total in sums:
        t = values[total]
        if t is None:
            if any(values[p] not in (None, 0) for p in parts):
                return False
        elif sum(values[p] or 0 for p in parts) != t:
            return False
    return True


def placements(values: Sequence[str], width: int, pulled: Sequence[str] = ()) -> list[tuple[str, ...]]:
    """Every row of `width` cells that keeps `values` in order, with `pulled` (cells written apart
    from the row, in their order) put back as a block anywhere, and blanks for what is missing."""
    rows: list[tuple[str, ...]] = []
    bases = [tuple(values)]
    if pulled:
        bases = [(*values[:i], *pulled, *values[i:]) for i in range(len(values) + 1)]
    for base in dict.fromkeys(bases):
        missing = width - len(base)
        if missing < 0 or missing > MAX_DROPPED:
            continue
        for blanks in combinations(range(width), missing):
            it = iter(base)
            rows.append(tuple("" if c in blanks else next(it) for c in range(width)))
            if len(rows) > MAX_PLACEMENTS:
                return []
    return list(dict.fromkeys(rows))


def place(
    values: Sequence[str],
    kinds: Sequence[CellKind],
    sums: Sequence[Sum],
    pulled: Sequence[str] = (),
) -> tuple[list[TableCell], bool] | None:
    """A row's cells from values that do not fill it (and cells written apart before it): the
    placements whose cells are well formed for their columns, narrowed by the relations; cells
    the remaining placements disagree on are flagged. Also whether the relations chose one
    placement. None when the values cannot be placed at all."""
    width = len(kinds)
    rows = [
        row
        for row in placements(values, width, pulled)
        if all(not t or well_formed(t, k) for t, k in zip(row, kinds, strict=True))
    ]
    if not rows:
        return None
    holding = [row for row in rows if holds(row, kinds, sums)]
    candidates = _distinct(holding or rows, kinds)
    # The placements left are a run of cells like glued digits: once the rows have their places,
    # the column relations choose among them (validate/resolve.py), or the cells stay flagged.
    shown = " ".join(t or "_" for t in values)
    run = GluedRun(
        raw=f"{' '.join(pulled)} + {shown}" if pulled else shown,
        kinds=tuple(kinds),
        splits=candidates,
        checked=bool(sums),
        fits_row=bool(holding),
        what="cells a converter dropped or moved",
    )
    cells = []
    for i, text in enumerate(candidates[0]):
        cell = TableCell(0, 0, text, glued=GluedPart(run, i))
        if run.differs(i):
            cell.confidence = AMBIGUOUS
            cell.notes = [f"the converter dropped or moved cells of this row: placed {len(candidates)} ways"]
        cells.append(cell)
    return cells, len(candidates) == 1 and bool(holding)


def _distinct(rows: Sequence[tuple[str, ...]], kinds: Sequence[CellKind]) -> list[tuple[str, ...]]:
    """The placements that differ in some cell's value, the first of each kept: a blank and a
    printed "/" side by side may trade places, and the cells' values are the same either way."""
    out: dict[tuple[object, ...], tuple[str, ...]] = {}
    for row in rows:
        values = tuple(
            parse_cell(t, money=k.money, signed=k.signed, unit=k.unit).value
            for t, k in zip(row, kinds, strict=True)
        )
        out.setdefault(values, row)
    return list(out.values())


def join(
    first: Sequence[str],
    second: Sequence[str],
    kinds: Sequence[CellKind],
    sums: Sequence[Sum],
    pulled: Sequence[str] = (),
) -> bool:
    """Whether two runs of values (and cells written apart before the first) are one row's halves
    by the row's relations: together they fit the row (blank cells dropped or not) and satisfy its
    relations in some placement, with a total that is not zero, and each half holds a value that
    is not zero. A half of zeros says nothing: the other half fits alone as well (a row of zeros
    satisfies any relation)."""
    if not _something(pulled, first) or not _something(second):
        return False
    return any(
        any(parse_cell(row[t]).value not in (None, 0) for _, t in sums)
        for row in _joined(first, second, kinds, sums, pulled)
    )


def _something(*runs: Sequence[str]) -> bool:
    return any(parse_cell(t).value not in (None, 0) for run in runs for t in run if parse_cell(t).ok)


def joinable(
    first: Sequence[str],
    second: Sequence[str],
    kinds: Sequence[CellKind],
    sums: Sequence[Sum],
    pulled: Sequence[str] = (),
) -> bool:
    """Whether two runs of values fit the row and satisfy its relations in some placement, zeros
    included: halves the template's rows may confirm (`template_verdict`)."""
    return bool(_joined(first, second, kinds, sums, pulled))


def _joined(
    first: Sequence[str],
    second: Sequence[str],
    kinds: Sequence[CellKind],
    sums: Sequence[Sum],
    pulled: Sequence[str],
) -> list[tuple[str, ...]]:
    if len(first) + len(second) + len(pulled) > len(kinds) or not sums:
        return []
    rows = placements([*first, *second], len(kinds), pulled)
    return [row for row in rows if holds(row, kinds, sums)]


def _template_index(text: str) -> int | None:
    """Where a request-table label stands in the template's rows (None when it matches none well);
    of a label with its group before it ("（四）无法提供1.本机关…"), the leaf decides."""
    rows = patterns.request_rows()
    keys = {label_key(x): i for i, spec in enumerate(rows) for x in (spec.label, *spec.aliases)}
    tails = [text[m.start() :] for m in _NUMBERING.finditer(text) if m.start() > 0][::-1]
    for cand in [*tails, text]:
        if label_key(cand) in keys:
            return keys[label_key(cand)]
    leaf = tails[0] if tails else text
    sim, i = max(((best_similarity(leaf, (spec.label, *spec.aliases)), i) for i, spec in enumerate(rows)))
    return i if sim >= 0.8 else None


def pair_in_gaps(labels: list[str | None], orphans: list[str]) -> list[str | None]:
    """Labels for the unlabelled rows of a table (None in `labels`, in order): between two labelled
    rows, the detached labels whose template rows lie between theirs, paired in the template's
    order when there are as many of each. Rows left unpaired stay None."""
    index = [(_template_index(x) if x else None) for x in labels]
    spare = [(i, x) for x in orphans if (i := _template_index(x)) is not None]
    out = list(labels)
    n = len(labels)
    at = 0
    while at < n:
        if labels[at] is not None:
            at += 1
            continue
        end = at
        while end < n and labels[end] is None:
            end += 1
        low = next((index[j] for j in range(at - 1, -1, -1) if index[j] is not None), -1)
        high = next((index[j] for j in range(end, n) if index[j] is not None), 10**6)
        assert low is not None and high is not None
        inside = [x for i, x in sorted(spare, key=lambda s: s[0]) if low < i < high]  # the template's order
        if len(inside) == end - at:
            out[at:end] = inside
        at = end
    return out


def _rows_between(low: int, high: int, shapes: set[str]) -> set[int]:
    """How many template rows lie strictly between template rows `low` and `high`, for each shape
    of （六） in `shapes` (its one row, or its three sub-rows)."""
    rows = patterns.request_rows()
    return {sum(1 for i in range(low + 1, high) if rows[i].variant in ("", shape)) for shape in shapes}


def _shapes(index: Sequence[int | None]) -> set[str]:
    """The shapes of （六） the table's labelled rows allow."""
    rows = patterns.request_rows()
    seen = {rows[i].variant for i in index if i is not None} - {""}
    return seen if len(seen) == 1 else {"single", "split"}


def template_verdict(labels: Sequence[str | None], at: int) -> str | None:
    """Whether request row `at` (of rows labelled `labels`, None where a row has none), joined with
    the unlabelled Markdown row that came after it, is one row ("join") or two ("apart"), by the
    template's rows between the nearest labelled rows around it: room for the unlabelled rows as
    they are and not for one more, or the other way round. None when the template cannot tell
    (a label it does not know, rooms for both)."""
    index = [(_template_index(x) if x else None) for x in labels]
    if any(x and i is None for x, i in zip(labels, index, strict=True)):
        return None  # a label the template does not know: its rows cannot be counted
    low_at = next((j for j in range(at, -1, -1) if index[j] is not None), -1)
    high_at = next((j for j in range(at + 1, len(index)) if index[j] is not None), len(index))
    low = index[low_at] if low_at >= 0 else -1
    high = index[high_at] if high_at < len(index) else len(patterns.request_rows())
    assert low is not None and high is not None
    if high <= low:
        return None
    unlabelled = sum(1 for j in range(low_at + 1, high_at) if index[j] is None)
    room = _rows_between(low, high, _shapes(index))
    if unlabelled in room and unlabelled + 1 not in room:
        return "join"
    if unlabelled + 1 in room and unlabelled not in room:
        return "apart"
    return None
