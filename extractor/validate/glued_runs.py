"""Glued runs as `resolve` weighs them, and the search over their splits set up from the relations."""

from __future__ import annotations

from dataclasses import dataclass

from ..document import GluedRun, TableCell
from ..numbers import parse_cell
from .split_search import Outcome, integral, search

Relations = list[tuple[dict[str, int], float, str]]  # path → coefficient, constant, name


@dataclass(eq=False)
class Run:
    run: GluedRun
    paths: dict[int, str]  # cell index → table path ("requests.granted.total")
    cells: dict[int, TableCell]  # cell index → the table cell
    values: list[dict[str, int | float | None]]  # per split: path → value
    chosen: tuple[str, ...] = ()  # the split written on the cells
    candidates: int = 0  # the splits `glued` found (the row's relations allow them); after them, others
    searched: bool = True  # False: too many splits to search; its cells are flagged, their values unknown

    def add(self, split: tuple[str, ...]) -> None:
        """Another reading of the run (after its candidates): one that breaks its row."""
        self.run.splits.append(split)
        self.values.append({path: parse(self.run, i, split[i]) for i, path in self.paths.items()})


def parse(run: GluedRun, index: int, text: str) -> int | float | None:
    kind = run.kinds[index]
    return parse_cell(text, money=kind.money, signed=kind.signed, unit=kind.unit).value


def residual(coef: dict[str, int], value: dict[str, float]) -> float:
    return sum(k * value.get(p, 0.0) for p, k in coef.items())


@dataclass
class Problem:
    """The search's input for a list of runs: the relations they touch (contract relations first,
    then narrative facts), the residuals without them and what each of their splits adds."""

    runs: list[Run]
    rels: Relations
    n_hard: int
    base: tuple[float, ...]
    deltas: list[list[tuple[float, ...]]]


def problem(runs: list[Run], hard: Relations, soft: Relations, known: dict[str, float]) -> Problem:
    variable = {p for r in runs for p in r.paths.values()}
    rels = [(c, k, name) for c, k, name in hard + soft if variable & c.keys()]
    n_hard = sum(1 for c, _, _ in hard if variable & c.keys())
    base = tuple(
        k + sum(v * known.get(p, 0.0) for p, v in c.items() if p not in variable) for c, k, _ in rels
    )
    deltas = []
    for r in runs:
        touched = [(n, c) for n, (c, _, _) in enumerate(rels) if c.keys() & r.paths.values()]
        rows = []
        for vals in r.values:
            d = [0.0] * len(rels)
            for n, c in touched:
                d[n] = sum(c.get(p, 0) * float(v or 0) for p, v in vals.items())
            rows.append(integral(tuple(d)))
        deltas.append(rows)
    return Problem(runs, rels, n_hard, integral(base), deltas)


def search_runs(
    problem: Problem, culprit: Run | None = None, excused: frozenset[str] = frozenset()
) -> Outcome | None:
    """The best combinations of the runs' splits (`split_search`): each run's candidates, and all of
    the `culprit`'s readings (those that break its row too), every contract relation but those
    `excused` then holding. Without a culprit, any relation may fail."""
    runs, rels, n_hard = problem.runs, problem.rels, problem.n_hard
    if not rels:
        every = [set(range(len(r.values))) for r in runs]
        return Outcome([0] * len(runs), every, every, score=(0, 0), consistent=True)
    domains = [list(range(len(r.values) if r is culprit else r.candidates)) for r in runs]
    if culprit is None:
        return search(problem.base, problem.deltas, n_hard, domains, set(range(n_hard)))
    required = frozenset(k for k, (_, _, name) in enumerate(rels[:n_hard]) if name not in excused)
    return search(problem.base, problem.deltas, n_hard, domains, set(), required)


def spans(runs: list[Run], hard: Relations, known: dict[str, float]) -> dict[str, tuple[float, float]]:
    """For each relation, the least and the most its residual can be: the cells outside `runs` as
    `known`, each run at its candidates' least and most."""
    mine = {p for r in runs for p in r.paths.values()}
    out = {}
    for c, k, name in hard:
        lo = hi = k + sum(v * known.get(p, 0.0) for p, v in c.items() if p not in mine)
        for r in runs:
            if c.keys() & r.paths.values():
                sums = [
                    sum(c.get(p, 0) * float(v or 0) for p, v in r.values[j].items())
                    for j in range(r.candidates)
                ]
                lo, hi = lo + min(sums, default=0.0), hi + max(sums, default=0.0)
        out[name] = (lo, hi)
    return out
