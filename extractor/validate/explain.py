"""Which cells explain the failing relations: the fewest, least sure readings whose change makes
every relation hold.

Crossing a failing row relation with a failing column relation finds one misread cell; with two
misread cells in different rows and columns it finds four suspects, two of them right. Here the
failures are explained as a whole: a set of cells is an explanation when changing their values
alone (to whole numbers ≥ 0, the other cells as read) makes every relation hold, the holding ones
included. Each cell's cost is how sure its reading is (the log-odds of its reading evidence), so a
doubtful reading explains before a sure one. Every explanation close to the cheapest is kept: the
cells in them are the suspects, and a cell that no explanation needs is not one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .checks import Relation, Tables, _get

MAX_CELLS = 4  # more misread cells than this in one table: the failures are not explained
MAX_NODES = 20_000  # search steps; beyond them the failures are left unexplained
MARGIN = 2.5  # log-odds: explanations this close to the cheapest are kept too
SOURCE_COST = 4.0  # log-odds against a printed relation being the document's own error


@dataclass
class Explanation:
    cells: tuple[str, ...]
    cost: float
    # The value each cell would need (None: not unique).
    values: dict[str, float | None] = field(default_factory=dict)
    excused: tuple[str, ...] = ()  # failing relations taken as the document's own error


def _gap(tables: Tables, rel: Relation) -> float:
    def total(paths: list[str]) -> float:
        return float(sum((c.value or 0) for p in paths if (c := _get(tables, p)) is not None))

    return total(rel.totals) - total(rel.parts)


def components(rels: list[Relation]) -> list[list[Relation]]:
    """The relations in groups that share cells (section 三's grid is one, each block of 四 another):
    each group's failures are explained on their own."""
    parent = list(range(len(rels)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, r in enumerate(rels):
        for p in r.parts + r.totals:
            if p in owner:
                parent[find(i)] = find(owner[p])
            else:
                owner[p] = i
    groups: dict[int, list[Relation]] = {}
    for i, r in enumerate(rels):
        groups.setdefault(find(i), []).append(r)
    return list(groups.values())


def explain_all(
    tables: Tables, rels: list[Relation], cost: Callable[[str], float]
) -> list[tuple[list[Relation], list[Explanation] | None]]:
    """Each group of relations with a failing one, and its explanations (see `explain`)."""
    out = []
    for group in components(rels):
        found = explain(tables, group, cost)
        if found != []:
            out.append((group, found))
    return out


def explain(
    tables: Tables, rels: list[Relation], cost: Callable[[str], float], source_cost: float = SOURCE_COST
) -> list[Explanation] | None:
    """The explanations of the failing relations, cheapest first; [] when every relation holds,
    None when nothing explains them within the search budget. A failing relation may also be the
    document's own error, at `source_cost` (the log-odds against a printed total being wrong): an
    explanation that excuses relations so names them in `excused`."""
    gaps = {r.id: _gap(tables, r) for r in rels}
    failing = [r for r in rels if abs(gaps[r.id]) > 1e-6]
    if not failing:
        return []
    by_cell: dict[str, list[Relation]] = {}
    for r in rels:
        for p in r.parts + r.totals:
            by_cell.setdefault(p, []).append(r)
    found: list[Explanation] = []
    seen: set[tuple[frozenset[str], frozenset[str]]] = set()
    nodes = 0

    def solve(cells: list[str], excused: set[str]) -> dict[str, float | None] | None:
        touched = {r.id: r for c in cells for r in by_cell.get(c, []) if r.id not in excused}
        eqs = list(touched.values())
        if not cells:
            return {}
        a = np.zeros((len(eqs), len(cells)))
        b = np.array([gaps[r.id] for r in eqs])
        for i, r in enumerate(eqs):
            for j, c in enumerate(cells):
                a[i, j] = (c in r.parts) - (c in r.totals)
        delta, *_ = np.linalg.lstsq(a, b, rcond=None)
        if not np.allclose(a @ delta, b, atol=1e-6):
            return None
        unique = np.linalg.matrix_rank(a) == len(cells)
        values: dict[str, float | None] = {}
        for c, d in zip(cells, delta, strict=True):
            if unique and abs(d) < 1e-6:
                return None  # this cell need not change: a smaller set explains
            cell = _get(tables, c)
            new = (cell.value if cell is not None and cell.value is not None else 0) + float(d)
            if unique and (new < -1e-6 or abs(new - round(new, 2)) > 1e-6):
                return None  # a count cannot be negative or fractional past cents
            values[c] = round(new, 2) if unique else None
        return values

    def search(chosen: list[str], excused: set[str], spent: float) -> None:
        nonlocal nodes
        nodes += 1
        if nodes > MAX_NODES:
            return
        best = min((e.cost for e in found), default=None)
        if best is not None and spent > best + MARGIN:
            return
        key = (frozenset(chosen), frozenset(excused))
        if key in seen:
            return
        seen.add(key)
        unhit = [r for r in failing if r.id not in excused and not set(chosen) & set(r.parts + r.totals)]
        if not unhit:
            values = solve(chosen, excused)
            if values is not None:
                found.append(Explanation(tuple(sorted(chosen)), spent, values, tuple(sorted(excused))))
                return
        if len(chosen) + len(excused) >= MAX_CELLS:
            return
        # Branch on a failing relation the set does not reach yet: one of its cells is wrong, or the
        # document is. When the set reaches every one but does not solve them, on every cell of a
        # failing relation.
        if unhit:
            search(chosen, excused | {unhit[0].id}, spent + source_cost)
        pool = unhit[0].parts + unhit[0].totals if unhit else [p for r in failing for p in r.parts + r.totals]
        for c in sorted(set(pool) - set(chosen), key=cost):
            search([*chosen, c], excused, spent + cost(c))

    search([], set(), 0.0)
    if not found:
        return None
    found.sort(key=lambda e: e.cost)
    return [e for e in found if e.cost <= found[0].cost + MARGIN]
