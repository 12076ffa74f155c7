"""Which glued cells a relation that still fails may have misread, once `resolve` chose the splits.

A relation that fails after the splits were chosen (`source_error` included) either is the
source's own error (an agency's wrong total) or hides a wrong split. A spurious split can satisfy a
row whose printed total is wrong: "171100180109" read 17/11/0/0/1/80/109 satisfies the row, while
the agency printed 171/10/0/1/8/0 beside a wrong 总计 109, and the columns fail. So a run's other
readings are every well-formed split of its digits, not only those its row allows.

A cell is in doubt when its run reads otherwise, that cell changed, with no more relations failing
than on the chosen reading (the other runs as chosen). Relations that hold are what confirms: a
reading that changes a cell a holding relation ties breaks it, and that costs the reading what it
gains. The run's own row relation confirms nothing more than that: it holds on any split `glued`
chose, so it costs a reading one relation, never more. Of the readings as good as the chosen one,
those that explain the document best (the most relations holding) name the cells in doubt.

A failing relation none of whose cells is in doubt is the document's own inconsistency: its cells
keep their confidence, and `checks.run_checks` reports it with cause "source".
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..document import GluedRun
from ..ingest.glued import Bound, Weighted, readings
from ..numbers import parse_cell

STEPS = 50_000  # search steps for one run's other readings; past them, its failing cells stay flagged
EPS = 1e-6


@dataclass
class Glued:
    """A run as `resolve` chose it: the split and the table path of each cell."""

    run: GluedRun
    chosen: tuple[str, ...]
    paths: dict[int, str]


@dataclass
class Doubt:
    """The cells of a run that may be misread, and why."""

    cells: set[int]
    failing: list[str]  # the failing relations that tie the run
    readings: list[tuple[str, ...]]  # the other readings as good as the chosen one (none: cut short)
    gain: int = 0  # how many more relations those readings satisfy than the chosen one


Relation = tuple[str, dict[str, int]]  # id, path → coefficient (parts +1, totals −1)


def failing(relations: list[Relation], value: dict[str, float]) -> set[str]:
    return {name for name, coef in relations if abs(_residual(coef, value)) > EPS}


def doubts(runs: list[Glued], relations: list[Relation], value: dict[str, float]) -> dict[int, Doubt]:
    """For each run (by its index in `runs`) that a failing relation ties: the cells in doubt.
    `value`: every path's value on the chosen reading (blank as 0)."""
    broken = failing(relations, value)
    out: dict[int, Doubt] = {}
    for n, g in enumerate(runs):
        mine = set(g.paths.values())
        touching = [(name, coef) for name, coef in relations if mine & coef.keys()]
        ties = [name for name, _ in touching if name in broken]
        if ties or _assumed_blanks(g):
            out[n] = _doubt(g, touching, broken, ties, value)
    return {n: d for n, d in out.items() if d.cells}


def _assumed_blanks(g: Glued) -> int:
    """The blank cells of the chosen split that its digits do not need: each is an assumption (a
    blank leaves no trace), which a relation the source breaks explains as well."""
    chars = sum(len(token) for token in g.run.raw.split())
    return sum(1 for t in g.chosen if t == "") - max(0, len(g.chosen) - chars)


def _doubt(
    g: Glued, touching: list[Relation], broken: set[str], ties: list[str], value: dict[str, float]
) -> Doubt:
    index = {path: i for i, path in g.paths.items()}
    pinned: dict[int, Bound] = {}
    sums: list[Weighted] = []
    for name, coef in touching:
        if name in broken:
            continue
        mine = [p for p in coef if p in index]
        if len(mine) == len(coef):  # the run's own relation (its row): checked as it is split
            sums.append((tuple((index[p], coef[p]) for p in mine), 1))
        elif len(mine) == 1:  # a relation across rows that holds: changing its cell breaks it
            i = index[mine[0]]
            v = number(value[mine[0]])
            pinned[i] = (v, v, pinned.get(i, (0, 0, 0))[2] + 1)
    chosen_blanks = sum(1 for t in g.chosen if t == "")
    assumed = _assumed_blanks(g)
    # Where a relation fails, the source may have left one more cell blank. A reading that spares an
    # assumed blank may break one more relation: as good (with no relation failing, only such
    # readings are new: the others satisfy every relation, and the search weighed them).
    blanks = chosen_blanks + 1 if ties else chosen_blanks - 1
    found, cut = readings(g.run.raw, g.run.kinds, pinned, sums, len(ties) + assumed, blanks, STEPS)
    if cut:
        # Not every reading was weighed: every cell a failing relation ties stays in doubt, and every
        # cell of a reading that rests on an assumed blank.
        tied = {index[p] for name, coef in touching if name in broken for p in coef if p in index}
        return Doubt(set(g.paths) if assumed else tied, ties, [])
    best, good = 0, []
    for split in found:
        if split == g.chosen:
            continue
        net = _net(g, split, touching, broken, value) + max(
            0, chosen_blanks - sum(1 for t in split if t == "")
        )
        if net > best:
            best, good = net, [split]
        elif net == best:
            good.append(split)
    cells = {i for split in good for i in g.paths if split[i] != g.chosen[i]}
    return Doubt(cells, ties, good, best)


def _net(
    g: Glued, split: tuple[str, ...], touching: list[Relation], broken: set[str], value: dict[str, float]
) -> int:
    """Relations the reading `split` mends, less those it breaks (the other runs as chosen)."""
    changed: dict[str, float] = {}
    for i, path in g.paths.items():
        if split[i] != g.chosen[i]:
            kind = g.run.kinds[i]
            v = parse_cell(split[i], money=kind.money, signed=kind.signed, unit=kind.unit).value
            changed[path] = float(v) if v is not None else 0.0
    net = 0
    for name, coef in touching:
        if changed.keys() & coef.keys():
            holds = abs(_residual(coef, value, changed)) <= EPS
            net += 1 if holds and name in broken else -1 if not holds and name not in broken else 0
    return net


def _residual(
    coef: dict[str, int], value: dict[str, float], changed: dict[str, float] | None = None
) -> float:
    over = changed or {}
    return sum(k * over.get(p, value.get(p, 0.0)) for p, k in coef.items())


def number(v: float) -> Decimal | int:
    return int(v) if float(v).is_integer() else Decimal(str(v))
