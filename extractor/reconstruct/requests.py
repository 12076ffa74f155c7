"""Section 三: the request-outcome grid, rebuilt from physical table rows.

Columns come from the header leaves (自然人, 商业企业 … 总计), found through the merged header's spans.
Rows are aligned to the template rows **in order** by dynamic programming over fuzzy label matches:
a typo, a wrapped label or a group label split across pages lowers a match's score but not the
order, and a row whose label cannot be read at all is placed by its neighbours (and flagged).
Numbers are never assigned by counting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from .. import patterns
from ..document import Table, TableCell
from ..model import Cell
from ..patterns import RowSpec
from ..text import best_similarity, label_key
from .cells import CellSource, Doubt, build_cell
from .rows import ColumnMap, Part, RowRef, header_paths, header_rows, inherit_columns, parts, value_cell
from .template_columns import confirm, fill_columns

SURE = 0.8  # a label match at least this similar is as good as exact


@dataclass
class ObservedRow:
    table: Table
    row: int
    leaf: str  # the rightmost label cell that starts in this row
    full: str  # every label cell covering the row, left to right
    values: dict[str, TableCell | None]
    col_doubts: dict[str, Doubt] = field(default_factory=dict)

    @property
    def has_values(self) -> bool:
        return any(c is not None and c.text.strip() for c in self.values.values())


@dataclass
class RequestGrid:
    cells: dict[str, dict[str, Cell]]
    variant: str | None  # "single" or "split" （六）, None when neither was seen
    warnings: list[str]
    # Where each cell was read: row → column → table cell (for checks that need the reading itself).
    sources: dict[str, dict[str, TableCell]] = field(default_factory=dict)


@cache
def _noise() -> frozenset[str]:
    # The vertical "三、本年度办理结果" label: a group heading, never a row label.
    return frozenset(label_key(x) for x in patterns.load("templates")["requests"]["label_headings"])


def map_columns(table: Table, rows: list[int]) -> tuple[ColumnMap, dict[str, float]]:
    """Column key → grid columns, from the header leaves; with each key's match similarity."""
    specs = patterns.request_columns()
    header_words = patterns.load("templates")["requests"]["header_words"]
    out: ColumnMap = {}
    sims: dict[str, float] = {}
    for c, path in enumerate(header_paths(table, rows)):
        leaves = [cell for cell in path if not any(w in label_key(cell.text) for w in header_words)]
        if not leaves:
            continue
        # A leaf broken over two header rows ("商业企" above "业") is tried joined too.
        names = [leaves[-1].text] + ([leaves[-2].text + leaves[-1].text] if len(leaves) > 1 else [])
        sim, key = max((best_similarity(name, spec.aliases), spec.key) for spec in specs for name in names)
        if sim >= 0.6:
            out.setdefault(key, []).append(c)
            sims[key] = max(sims.get(key, 0.0), sim)
    return out, sims


def _observe(part: Part, columns: ColumnMap, sims: dict[str, float], skip: set[int]) -> list[ObservedRow]:
    table = part.table
    first_data_col = min(min(cols) for cols in columns.values())
    doubts = {
        key: Doubt(sims.get(key, 0.7), f"column header matched loosely ({sims.get(key, 0.0):.2f})")
        for key in columns
        if sims.get(key, 0.0) < SURE
    }
    out = []
    for r in part.rows:
        if r in skip:
            continue
        label_cells = [c for c in table.row_cells(r) if c.last_col < first_data_col]
        texts = [c.text for c in label_cells if label_key(c.text) and label_key(c.text) not in _noise()]
        starting = [c.text for c in label_cells if c.row == r and label_key(c.text) not in _noise()]
        leaf = next((t for t in reversed(starting) if label_key(t)), "")
        values = {
            key: value_cell(table, r, cols, lambda cell: bool(cell.text.strip()))
            for key, cols in columns.items()
        }
        out.append(ObservedRow(table, r, leaf, "".join(texts), values, doubts))
    return out


def _similarity(o: ObservedRow, t: RowSpec) -> float:
    labels = (t.label, *t.aliases)
    s = best_similarity(o.leaf, labels) if o.leaf else 0.0
    if t.group:
        s = max(s, best_similarity(o.full, (t.group + t.label,)))
    elif not o.leaf:
        s = best_similarity(o.full, labels)
    return s


def _keys(t: RowSpec) -> list[str]:
    return [label_key(x) for x in (t.label, *t.aliases)]


def align(observed: list[ObservedRow], template: tuple[RowSpec, ...]) -> list[tuple[int, int, float]]:
    """Order-preserving alignment of observed rows to template rows: (observed, template, similarity)."""
    n, m = len(observed), len(template)
    exact = {key: j for j, t in enumerate(template) for key in _keys(t)}
    sim = []
    for o in observed:
        # A label that equals a template label needs no fuzzy scoring against the others.
        hit = exact.get(label_key(o.leaf)) if o.leaf else exact.get(label_key(o.full))
        sim.append(
            [float(j == hit) for j in range(m)] if hit is not None else [_similarity(o, t) for t in template]
        )
    skip_t = [-0.05 if t.variant else -0.4 for t in template]
    skip_o = [-0.4 if o.has_values else -0.02 for o in observed]
    neg = float("-inf")
    best = [[neg] * (m + 1) for _ in range(n + 1)]
    move = [[0] * (m + 1) for _ in range(n + 1)]
    best[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            if i == 0 and j == 0:
                continue
            options = []
            if i > 0 and j > 0:
                options.append((best[i - 1][j - 1] + sim[i - 1][j - 1] - 0.45, 1))
            if i > 0:
                options.append((best[i - 1][j] + skip_o[i - 1], 2))
            if j > 0:
                options.append((best[i][j - 1] + skip_t[j - 1], 3))
            best[i][j], move[i][j] = max(options)
    pairs = []
    i, j = n, m
    while i > 0 or j > 0:
        mv = move[i][j]
        if mv == 1:
            pairs.append((i - 1, j - 1, sim[i - 1][j - 1]))
            i, j = i - 1, j - 1
        elif mv == 2:
            i -= 1
        else:
            j -= 1
    return pairs[::-1]


def reconstruct_requests(rows: list[RowRef]) -> RequestGrid | None:
    warnings: list[str] = []
    observed: list[ObservedRow] = []
    prev: tuple[Table, ColumnMap] | None = None
    placed_keys: set[str] = set()
    for part in parts(rows):
        heads = header_rows(part)
        columns, sims = map_columns(part.table, heads)
        # A header that cannot be read (smudged, OCR lost it): the template's positions, when the
        # table's values fit them; the relations confirm the cells below (`confirm`).
        placed = fill_columns(part, columns) if len(columns) < 7 and (prev is None or columns) else None
        if placed is not None:
            columns = placed.columns
            sims.update({key: 1.0 for key in placed.keys})
            placed_keys.update(placed.keys)
            warnings.append(f"requests: p.{part.table.page}: {placed.note}")
        if len(columns) < 4:
            if prev is None:
                continue  # rows before the table's header: not part of the grid
            columns = inherit_columns(prev[0], prev[1], part.table)
            sims = {key: 1.0 for key in columns}
            if not columns:
                warnings.append(
                    f"requests: a table part on page {part.table.page} has no columns we can place"
                )
                continue
        elif len(columns) < 7:
            missing = [c.key for c in patterns.request_columns() if c.key not in columns]
            warnings.append(f"requests: columns not found in the header: {', '.join(missing)}")
        prev = (part.table, columns)
        observed.extend(_observe(part, columns, sims, set(heads)))
    if not observed:
        return None
    if len({id(o.table) for o in observed}) > 1:
        pages = sorted({o.table.page for o in observed})
        warnings.append(f"requests: table stitched across pages {', '.join(map(str, pages))}")
    template = patterns.request_rows()
    pairs = align(observed, template)
    cells: dict[str, dict[str, Cell]] = {}
    sources: dict[str, dict[str, TableCell]] = {}
    matched: set[int] = set()
    for oi, ti, sim in pairs:
        o, t = observed[oi], template[ti]
        matched.add(oi)
        doubts = list(o.col_doubts.values())
        where = f"p.{o.table.page}" if o.table.bbox is not None else "table"
        label = o.leaf or o.full
        if sim < SURE:
            shown = label.replace("\n", "") or "(no label)"
            doubts.append(
                Doubt(round(min(sim, 0.6), 3), f"row label {shown!r} matched {t.key} loosely ({sim:.2f})")
            )
            warnings.append(
                f"requests: row label {shown!r} ({where}) matched {t.key} only loosely ({sim:.2f})"
            )
        cells[t.key] = {key: build_cell(CellSource(o.table, cell, doubts)) for key, cell in o.values.items()}
        sources[t.key] = {key: cell for key, cell in o.values.items() if cell is not None}
    if placed_keys:
        flagged = confirm(cells, [c.key for c in patterns.request_columns() if c.key in placed_keys])
        if flagged:
            warnings.append(
                f"requests: {flagged} cells of the columns placed by the template are not confirmed by "
                "any relation; check them"
            )
    for oi, o in enumerate(observed):
        if oi not in matched and o.has_values:
            warnings.append(f"requests: a row with values was not placed: {(o.leaf or o.full)!r}")
    variant = (
        "split"
        if any(t.variant == "split" and t.key in cells for t in template)
        else ("single" if "other" in cells else None)
    )
    for t in template:
        if t.key not in cells and not t.variant:
            warnings.append(f"requests: row {t.key} ({t.label}) not found")
    return RequestGrid(cells, variant, warnings, sources)
