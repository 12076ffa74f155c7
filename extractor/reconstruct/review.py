"""Section 四: review and litigation, 15 cells under a two-level merged header."""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import patterns
from ..document import Table, TableCell
from ..model import Cell
from ..text import best_similarity, label_key
from .cells import CellSource, Doubt, build_cell
from .rows import (
    ColumnMap,
    RowRef,
    header_paths,
    header_rows,
    inherit_columns,
    is_data_row,
    parts,
    starting_cells,
    value_cell,
)


@dataclass
class ReviewTables:
    cells: dict[str, dict[str, Cell]]
    warnings: list[str]
    # Where each cell was read: block → column → table cell.
    sources: dict[str, dict[str, TableCell]] = field(default_factory=dict)


def _column_key(path: list[str]) -> tuple[str, str, float] | None:
    """(block, leaf, similarity) for a column's header path (texts, top to bottom), or None."""
    if not path:
        return None
    joined = "".join(label_key(t) for t in path)
    block = next(
        (b.key for b in patterns.review_blocks() if any(label_key(a) in joined for a in b.aliases)), None
    )
    if block is None:
        return None
    # A leaf broken over two header rows ("结果" above "维持") is tried joined too.
    names = [path[-1]] + ([path[-2] + path[-1]] if len(path) > 1 else [])
    scored = sorted(
        (best_similarity(name, leaf.aliases), leaf.key) for leaf in patterns.review_leaves() for name in names
    )
    sim, leaf = scored[-1]
    return (block, leaf, sim) if sim >= 0.6 else None


def _map_header(
    table: Table, heads: list[int], above: tuple[Table, list[list[str]]] | None = None
) -> tuple[ColumnMap, dict[str, float], list[list[str]]]:
    """ "block.leaf" → grid columns from the header paths, each column's similarity, and the paths.

    `above` is a header-only part on the previous page: a header row broken by the page ("结果" above
    the break, "维持" below) is joined back cell by cell."""
    columns: ColumnMap = {}
    sims: dict[str, float] = {}
    paths = [[c.text for c in path] for path in header_paths(table, heads)]
    if above is not None:
        prev_table, prev_paths = above
        joined = []
        for c, path in enumerate(paths):
            prev = _path_above(prev_table, prev_paths, table, c)
            if prev and path:
                joined.append([*prev[:-1], prev[-1] + path[0], *path[1:]])
            else:
                joined.append(prev + path)
        paths = joined
    for c, path in enumerate(paths):
        key = _column_key(path)
        if key is None:
            continue
        name = f"{key[0]}.{key[1]}"
        columns.setdefault(name, []).append(c)
        sims[name] = max(sims.get(name, 0.0), key[2])
    return columns, sims, paths


def _path_above(prev_table: Table, prev_paths: list[list[str]], table: Table, col: int) -> list[str]:
    if prev_table.col_x is not None and table.col_x is not None:
        x = (table.col_x[col] + table.col_x[col + 1]) / 2
        c = prev_table.col_at_x(x)
        return prev_paths[c] if c is not None else []
    return prev_paths[col] if prev_table.n_cols == table.n_cols else []


def reconstruct_review(rows: list[RowRef], anchored: bool = True) -> ReviewTables | None:
    """Section 四's table from `rows`. `anchored`: the rows are section 四's own (its heading was
    found); otherwise they are every row of the document, and a row placed by position alone may
    belong to another table."""
    warnings: list[str] = []
    order = [
        f"{b.key}.{leaf.key}" for b in reversed(patterns.review_blocks()) for leaf in patterns.review_leaves()
    ]
    header: tuple[Table, ColumnMap, dict[str, float]] | None = None
    header_only: tuple[Table, list[list[str]]] | None = None  # a part that was all header
    for part in parts(rows):
        table = part.table
        heads = header_rows(part)
        data = [r for r in part.rows if r not in heads and is_data_row(table, r)]
        columns, sims, paths = _map_header(table, heads)
        if heads and header_only is not None and len(columns) < len(order):
            columns, sims, paths = _map_header(table, heads, header_only)
        if len(columns) >= len(order) // 2:
            header = (table, columns, sims)
        elif header is not None:
            # A continuation: the header was on the previous page.
            columns = inherit_columns(header[0], header[1], table)
            sims = header[2]
        header_only = (table, paths) if not data else None
        if not data:
            continue
        if len(data) > 1:
            warnings.append(f"review_litigation: {len(data)} rows of values; the first was used")
        r = data[0]
        doubts: list[Doubt] = []
        if len(columns) < len(order):
            values = starting_cells(table, r)
            if len(values) != len(order):
                warnings.append(
                    f"review_litigation: header not understood and {len(values)} values, "
                    f"not {len(order)}"
                )
                continue
            # The header could not be read, but the row has exactly the template's 15 cells.
            columns = {key: [v.col] for key, v in zip(order, values, strict=True)}
            sims = {}
            if anchored:
                doubts.append(Doubt(0.6, "columns placed by position: the header was not understood"))
            else:
                doubts.append(
                    Doubt(
                        0.3,
                        "columns placed by position, and neither section 四's heading nor its header "
                        "was found: these values may belong to another table",
                    )
                )
            warnings.append("review_litigation: header not understood; columns placed by position")
        cells: dict[str, dict[str, Cell]] = {}
        sources: dict[str, dict[str, TableCell]] = {}
        for name in sorted(columns, key=order.index):
            block, leaf = name.split(".")
            ds = list(doubts)
            sim = sims.get(name, 1.0)
            if sim < 0.8:
                ds.append(Doubt(sim, f"column header matched loosely ({sim:.2f})"))
            cell = value_cell(table, r, columns[name], lambda c: bool(c.text.strip()))
            cells.setdefault(block, {})[leaf] = build_cell(CellSource(table, cell, ds))
            if cell is not None:
                sources.setdefault(block, {})[leaf] = cell
        return ReviewTables(cells, warnings, sources)
    return None
