"""Deciding glued splits when the source breaks one of its own relations.

A row whose total the agency printed wrong has no split its row's relation allows, or only spurious
ones: "171100180109" read 17/11/0/0/1/80/109 satisfies the row while the agency printed
171/10/0/1/8/0 beside a wrong 总计 109. A search over the row-abiding splits then bends other rows
to make up the columns, and its best reading is wrong in places no failing relation marks.

So when a relation still fails, the search runs again once per hypothesis about where the source
errs: in one cell of a suspect run (one a failing relation ties; or the one row no split of which
satisfies its relation, which the source broke for sure). Under a hypothesis the suspect also
offers the readings of its digits that break its own row (`row_breaking`), and every relation but
those that hold the erring cell must hold. The best hypotheses (the most relations holding, then
the narrative's facts), with the search that assumes no row error, decide together: a split any of
them takes is a candidate, and a run left with several is flagged. One error per report is
assumed; a report that breaks two rows keeps the first search's reading, which `glued_doubt` then
weighs cell by cell.
"""

from __future__ import annotations

from ..document import GluedRun
from ..ingest.glued import Bound, Weighted, readings
from .glued_doubt import STEPS, Relation, number
from .glued_runs import Relations, Run, problem, search_runs, spans
from .split_search import Outcome

MAX_BREAKING = 2000  # a run with more readings that break its row than this offers none to the search


def hypotheses(
    runs: list[Run], failing: set[str] | None, hard: Relations, soft: Relations, known: dict[str, float]
) -> tuple[list[Run], Outcome, bool] | None:
    """The runs searched, their decision under the best hypotheses, and whether one of those is an
    error in one cell (not only the search that assumes no row error); None when no hypothesis could
    be weighed. `failing`: the cells of the relations that fail on the first reading (None:
    that search had too many combinations); `hard` and `soft`: the report's relations.

    A row no split of which satisfies its relation is one the source broke: it is the one culprit
    (searched here even when it has too many splits, if its readings that fit the other rows are
    few). Otherwise each run a failing relation ties is a suspect, and the first search's
    hypothesis, no row error, is weighed too. A relation that holds a cell of a run not searched
    tells nothing."""
    broken = [r for r in runs if not r.run.fits_row]
    if len(broken) > 1 or (not broken and failing is not None and not failing):
        return None  # two rows break their relation (more than one error), or no lead to follow
    unknown = {p for r in runs if not r.searched and r not in broken for p in r.paths.values()}
    hard = [h for h in hard if not h[0].keys() & unknown]
    soft = [s for s in soft if not s[0].keys() & unknown]
    if failing is None:  # the first search gave up: any run a relation ties may be the culprit
        failing = {p for c, _, _ in hard for p in c}
    suspects = broken or [r for r in runs if r.searched and failing & set(r.paths.values())]
    saved = [(r, r.run.splits, r.values, r.candidates) for r in broken if not r.searched]
    for r in broken:
        if not r.searched:  # its splits were too many to list: its readings are listed anew
            r.run.splits, r.values, r.candidates = [], [], 0
    searched = [r for r in runs if r.searched or r in broken]
    _add_row_breaking(searched, suspects, hard, known)
    found = _decide(searched, suspects, hard, soft, known, plain=not broken)
    for r, splits, values, candidates in saved:
        if found is None:
            r.run.splits, r.values, r.candidates = splits, values, candidates
        else:
            r.searched = True
    return found


def _decide(
    runs: list[Run],
    suspects: list[Run],
    hard: Relations,
    soft: Relations,
    known: dict[str, float],
    plain: bool,
) -> tuple[list[Run], Outcome, bool] | None:
    wide = [r for r in runs if len(r.values) > 1 or r.candidates == 0]
    if any(not r.values for r in wide):
        return None  # a culprit with no reading that fits
    ways: list[tuple[Run, frozenset[str]]] = []
    for r in suspects:
        if r in wide and (len(r.values) > r.candidates or not plain):
            for p in sorted(r.paths.values()):
                ways.append((r, frozenset(name for c, _, name in hard if p in c)))
    task = problem(wide, hard, soft, known)
    outcomes: list[tuple[Outcome, bool]] = []  # each with whether it is a one-cell error's
    if plain:
        # No row error: when this search has too many combinations, the hypotheses still cover
        # every reading whose failing relations share a cell (a consistent one among them).
        first = search_runs(task)
        if first is not None:
            outcomes.append((first, False))
    for culprit, excused in dict.fromkeys(ways):
        found = search_runs(task, culprit, excused)
        if found is not None:
            outcomes.append((found, True))
    if not outcomes:
        return None
    best = max(o.score for o, _ in outcomes)
    explained = any(one for o, one in outcomes if o.score == best)
    top = [o for o, _ in outcomes if o.score == best]
    every = [o for o, _ in outcomes]
    hard_best = max(o.score[0] for o in every)
    merged = Outcome(
        chosen=top[0].chosen,
        feasible=[set().union(*(o.feasible[i] for o in top)) for i in range(len(wide))],
        feasible_hard=[
            set().union(*(o.feasible_hard[i] for o in every if o.score[0] == hard_best))
            for i in range(len(wide))
        ],
        score=best,
        consistent=top[0].consistent,
    )
    return wide, merged, explained


def _add_row_breaking(runs: list[Run], suspects: list[Run], hard: Relations, known: dict[str, float]) -> None:
    """Add to each suspect the readings of its digits that break its own row and fit the other
    relations within what the other runs' candidates allow."""
    total = spans(runs, hard, known)
    rels = [(name, c) for c, _, name in hard]
    for r in suspects:
        outside = {}
        for c, _, name in hard:
            own = [
                sum(c.get(p, 0) * float(v or 0) for p, v in r.values[j].items()) for j in range(r.candidates)
            ]
            lo, hi = total[name]
            outside[name] = (lo - min(own, default=0.0), hi - max(own, default=0.0))
        for split in row_breaking(r.run, r.paths, r.run.splits[: r.candidates], rels, outside):
            r.add(split)


def row_breaking(
    run: GluedRun,
    paths: dict[int, str],
    candidates: list[tuple[str, ...]],
    relations: list[Relation],
    outside: dict[str, tuple[float, float]],
) -> list[tuple[str, ...]]:
    """The readings of a run's digits that its row's relations do not allow, as a row whose total
    (or a part) the source printed wrong reads: its cells fit the relations across rows (what the
    cells outside the run may add up to: `outside`, per relation), all but one cell, and one of the
    run's own relations at most breaks. None (an empty list) past MAX_BREAKING, or when the search
    is cut short: such a run is too loose to say (`glued_doubt` still weighs it)."""
    index = {p: i for i, p in paths.items()}
    bounds: dict[int, tuple[float, float]] = {}
    sums: list[Weighted] = []
    for name, coef in relations:
        mine = [p for p in coef if p in index]
        if len(mine) == len(coef):
            sums.append((tuple((index[p], coef[p]) for p in mine), 1))
        elif len(mine) == 1 and abs(coef[mine[0]]) == 1:
            lo, hi = outside[name]
            need = (-hi, -lo) if coef[mine[0]] > 0 else (lo, hi)  # this cell's term cancels the rest
            i = index[mine[0]]
            have = bounds.get(i, need)
            bounds[i] = (max(have[0], need[0]), min(have[1], need[1]))
    limits: dict[int, Bound] = {i: (number(lo), number(hi), 1) for i, (lo, hi) in bounds.items()}
    blanks = max(sum(1 for t in split if t == "") for split in candidates) + 1 if candidates else 1
    found, cut = readings(run.raw, run.kinds, limits, sums, 2, blanks, STEPS)
    known = set(candidates)
    extra = [s for s in found if s not in known]
    return [] if cut or len(extra) > MAX_BREAKING else extra
