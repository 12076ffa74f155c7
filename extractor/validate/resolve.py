"""Choosing among the splits of glued digits: the relations decide, the narrative breaks ties.

`glued.split_run` keeps every split a row's own relations allow ("270020130" is 2,7,0,0,20,1,30 or
27,0,0,2,0,1,30). Once rows have their place in the template, the column relations (一 + 二 = 总计 +
四; 总计 = the sum of the outcome rows) and the numbers the narrative states can tell them apart.

A combination of splits (one per ambiguous run) is scored by the relations it satisfies: the
contract's first, the narrative's second (`split_search`). A run left with one split in the best
combinations is decided and its cells are confident; a run left with several keeps the one the soft
preferences favour, and its cells that differ between them are flagged with the others named.

When a relation fails on every combination, the source may break a row's own relation, which no
split its row allows reads: the search runs again under each hypothesis about where the source
errs (`source_error`). What a relation that still fails may hide is then weighed cell by cell
(`glued_doubt`): only a cell a failing relation ties and that a reading as good as the chosen one
changes is flagged; a failing relation left with none is the document's own inconsistency.

The decision is written on the table cells (text, confidence, a note); the caller rebuilds the
contract's cells from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import regex

from .. import patterns
from ..document import Line, TableCell
from ..model import Cell
from ..text import squash
from .checks import Tables, relations
from .glued_doubt import Glued, doubts
from .glued_runs import Relations, Run, parse, problem, residual, search_runs
from .source_error import hypotheses
from .split_search import Outcome

DOUBT = 0.6  # a cell whose split the evidence does not decide
MAX_SPLITS = 64  # a run with more splits than this is not searched: its differing cells stay flagged
SHOWN = 3  # alternatives named in a reason


@dataclass(frozen=True)
class Fact:
    """A number the narrative states that the cells at `paths` should sum to."""

    paths: tuple[str, ...]
    value: int
    text: str


def narrative_facts(lines: list[Line]) -> list[Fact]:
    """The facts of patterns/narrative.toml the prose states, each with a single value."""
    return facts_in(squash("".join(line.text for line in lines if not line.in_table)))


def facts_in(prose: str, kinds: tuple[str, ...] = ("fact",)) -> list[Fact]:
    """The facts of patterns/narrative.toml (the arrays `kinds`) that `prose` (squashed) states once."""
    out = []
    specs = patterns.load("narrative")
    for spec in (s for kind in kinds for s in specs.get(kind, [])):
        found: dict[int, str] = {}
        for p in spec["patterns"]:
            for m in regex.finditer(p, prose):
                found.setdefault(int(m["n"]), m.group())
        if len(found) == 1:
            ((value, text),) = found.items()
            out.append(Fact(tuple(spec["cells"]), value, text))
    return out


def resolve_glued(tables: Tables, sources: dict[str, TableCell], facts: list[Fact]) -> list[str]:
    """Choose each glued run's split: its table cells' texts, confidences and notes; warnings.

    `tables` is the reading so far (for the values of the cells that are not glued), `sources` the
    table cell each path was read from."""
    runs = _runs(tables, sources)
    warnings = _choose_splits(tables, runs, facts)
    warnings.extend(_recheck(tables, runs))
    warnings.extend(_recheck_facts(tables, runs, facts))
    return warnings


def _recheck_facts(tables: Tables, runs: list[Run], facts: list[Fact]) -> list[str]:
    """The numbers the narrative states on the chosen splits. A run that split several ways and
    holds a cell a stated number contradicts is not sure: when the source breaks a relation of its
    own row (a mistyped total), a spurious split can satisfy every relation the true one breaks,
    and nothing else in the table says so. The narrative never decides a cell; here it only says
    that the relations may have chosen wrong."""
    value: dict[str, float] = {}
    for r in runs:
        for i, path in r.paths.items():
            v = parse(r.run, i, r.chosen[i]) if r.chosen else None
            value[path] = float(v) if v is not None else 0.0
    warnings = []
    for fact in facts:
        if not _known(tables, fact) or not any(p in value for p in fact.paths):
            continue
        got = sum(value.get(p, _value(tables, p)) for p in fact.paths)
        if abs(got - fact.value) < 1e-6:
            continue
        for r in runs:
            if len(r.run.splits) < 2 or not set(fact.paths) & set(r.paths.values()):
                continue
            shown = "/".join(c.text for _, c in sorted(r.cells.items()))
            for cell in r.cells.values():
                if cell.confidence >= 1.0:
                    cell.confidence = DOUBT
                    cell.notes = [
                        f"{r.run.what} {r.run.raw!r} read as {shown}; the text states {fact.text!r}, "
                        f"the reading gives {got:g}: the relations may have chosen the wrong split"
                    ]
            warnings.append(
                f"{r.run.what} {r.run.raw!r}: the narrative's {fact.text!r} contradicts it; cells flagged"
            )
    return warnings


def _recheck(tables: Tables, runs: list[Run]) -> list[str]:
    """The contract's relations on the chosen splits. When one fails with glued cells in it, the
    cells whose runs may be misread are flagged (`glued_doubt`: a reading of the digits as good as
    the chosen one changes them); a failing relation left with none is the source's own error."""
    value: dict[str, float] = {}
    for r in runs:
        for i, path in r.paths.items():
            v = parse(r.run, i, r.chosen[i])
            value[path] = float(v) if v is not None else 0.0
    unknown = {p for r in runs if not r.searched for p in r.paths.values()}
    rels = [(name, c) for c, _, name in _relations(tables) if not c.keys() & unknown]
    for _, coef in rels:
        for p in coef:
            value.setdefault(p, _value(tables, p))
    multi = [r for r in runs if len(r.run.kinds) >= 2]
    found = doubts([Glued(r.run, r.chosen, r.paths) for r in multi], rels, value)
    flagged = 0
    for n, doubt in found.items():
        r = multi[n]
        shown = "/".join(r.chosen)
        named = ", ".join(doubt.failing[:SHOWN]) + (
            f" and {len(doubt.failing) - SHOWN} more" if len(doubt.failing) > SHOWN else ""
        )
        if doubt.readings:
            alts = ", ".join("/".join(s) for s in doubt.readings[:SHOWN])
            more = f" and {len(doubt.readings) - SHOWN} more" if len(doubt.readings) > SHOWN else ""
            than = f"{doubt.gain} fewer relations failing" if doubt.gain else "no more relations failing"
            why = f"the digits also read as {alts}{more}, with {than}"
        else:
            why = "its other readings are too many to weigh"
        for i in sorted(doubt.cells):
            cell = r.cells.get(i)
            if cell is None or cell.confidence < 1.0:
                continue
            cell.confidence = DOUBT
            cell.notes = [f"{r.run.what} {r.run.raw!r} read as {shown}; {named} fail: {why}"]
            flagged += 1
    return (
        [f"glued digits: {flagged} cells that relations failing may have misread; flagged"] if flagged else []
    )


def _choose_splits(tables: Tables, runs: list[Run], facts: list[Fact]) -> list[str]:
    warnings: list[str] = []
    for r in runs:
        _order(r)
        # A search cut short may have missed the right split, and a run with many is not searched.
        r.searched = not r.run.truncated and len(r.run.splits) <= MAX_SPLITS
    hard = _relations(tables)
    soft = [(_coefficients(list(f.paths), []), -float(f.value), f.text) for f in facts if _known(tables, f)]
    known = _first_values(tables, runs)
    # A relation that holds a cell of a run not searched tells nothing: that cell may read anything.
    unknown = {p for r in runs if not r.searched for p in r.paths.values()}
    usable = [h for h in hard if not h[0].keys() & unknown]
    open_ = [r for r in runs if r.searched and len(r.run.splits) > 1]
    outcome = search_runs(problem(open_, usable, [f for f in soft if not f[0].keys() & unknown], known))
    failing: set[str] | None = None
    explained = False  # a hypothesis of one error in one cell won
    if outcome is not None:
        chosen = dict(known)
        for r, j in zip(open_, outcome.chosen, strict=True):
            chosen.update({p: float(v or 0) for p, v in r.values[j].items()})
        glued = {p for r in runs if r.searched for p in r.paths.values()}
        failing = {p for c, _, _ in usable if c.keys() & glued and abs(residual(c, chosen)) > 1e-6 for p in c}
    if outcome is None or failing or any(not r.run.fits_row for r in runs):
        # A relation fails on the splits chosen, or a row has no split its relation allows: the
        # source may break a row's own relation. Search again under each hypothesis of where.
        found = hypotheses(runs, failing, hard, soft, known)
        if found is not None:
            open_, outcome, explained = found
    if outcome is None:
        for r in (r for r in runs if r.searched):
            others = list(range(1, len(r.run.splits)))
            _apply(r, 0, decided=not others, alternatives=others, note="too many combinations to search")
        _flag_unsearched(runs, warnings)
        return [*warnings, "glued digits: too many combinations to decide by the relations; cells flagged"]
    decided = set(open_)
    for r in runs:
        if r.searched and r not in decided:
            _apply(r, 0, decided=True, alternatives=[], note="")
    _flag_unsearched(runs, warnings)
    # Where some relation fails whatever the splits, the best readings still decide when one error
    # of the source explains every failure (the failing relations share a cell); what they may hide
    # is `_recheck`'s to flag. Failures no one cell explains (two errors, or cells a converter lost)
    # leave every split a candidate: each cell the splits disagree on is flagged.
    explained = explained or outcome.consistent or _one_error(known, runs, open_, outcome, hard)
    decided_by = (
        "the row and column relations"
        if outcome.consistent
        else "the most relations (others fail on every split)"
    )
    for i, r in enumerate(open_):
        ok = sorted(outcome.feasible[i])
        if not explained:
            ok = sorted({*range(r.candidates), *ok})
        pick = outcome.chosen[i]
        if len(ok) == 1:
            note = f"the only split that satisfies {decided_by}"
            if len(outcome.feasible_hard[i]) > 1:
                note += " and the numbers the narrative states"
            if pick >= r.candidates:
                note += "; it breaks the row's own relation, as the source printed it"
            _apply(r, pick, decided=True, alternatives=[], note=note)
        else:
            note = "" if outcome.consistent else f"each in a reading that satisfies {decided_by}"
            if not explained:
                note = "relations fail that no one error of the source explains"
            _apply(r, pick, decided=False, alternatives=[j for j in ok if j != pick], note=note)
            warnings.append(f"{r.run.what} {r.run.raw!r} split {len(ok)} ways; cells flagged")
        keep = [j for j in range(len(r.run.splits)) if j < r.candidates or j == pick or j in ok]
        r.run.splits = [r.run.splits[j] for j in keep]
        r.values = [r.values[j] for j in keep]
    return warnings


def _one_error(
    known: dict[str, float], runs: list[Run], open_: list[Run], outcome: Outcome, hard: Relations
) -> bool:
    """Whether the relations that fail on the chosen reading all hold one cell (one wrong printed
    number explains them). Relations that hold a cell of a run not searched tell nothing."""
    value = dict(known)
    for r, j in zip(open_, outcome.chosen, strict=True):
        value.update({p: float(v or 0) for p, v in r.values[j].items()})
    unknown = {p for r in runs if not r.searched for p in r.paths.values()}
    glued = {p for r in runs if r.searched for p in r.paths.values()}
    failing = [
        set(c)
        for c, _, _ in hard
        if c.keys() & glued and not c.keys() & unknown and abs(residual(c, value)) > 1e-6
    ]
    return bool(set.intersection(*failing)) if failing else True


def _flag_unsearched(runs: list[Run], warnings: list[str]) -> None:
    for r in runs:
        if not r.searched:
            others = list(range(1, len(r.run.splits)))
            _apply(
                r, 0, decided=False, alternatives=others, note="it splits too many ways to search", every=True
            )
            warnings.append(f"{r.run.what} {r.run.raw!r} split too many ways to search; cells flagged")


def _relations(tables: Tables) -> Relations:
    return [(_coefficients(rel.parts, rel.totals), 0.0, rel.id) for rel in relations(tables)]


def _first_values(tables: Tables, runs: list[Run]) -> dict[str, float]:
    """Every cell a relation may hold: glued cells at their first split, the others as read."""
    out: dict[str, float] = {}
    for table, rows in tables.items():
        for row, cols in rows.items():
            for col, cell in cols.items():
                out[f"{table}.{row}.{col}"] = float(cell.value) if cell.value is not None else 0.0
    for r in runs:
        out.update({p: float(v or 0) for p, v in r.values[0].items()})
    return out


def _runs(tables: Tables, sources: dict[str, TableCell]) -> list[Run]:
    by_run: dict[int, Run] = {}
    for path, cell in sources.items():
        if cell.glued is None or len(cell.glued.run.kinds) < 2:
            continue
        run = cell.glued.run
        r = by_run.setdefault(id(run), Run(run, {}, {}, []))
        r.paths[cell.glued.index] = path
        r.cells[cell.glued.index] = cell
    for r in by_run.values():
        r.values = [
            {path: parse(r.run, i, split[i]) for i, path in r.paths.items()} for split in r.run.splits
        ]
        r.candidates = len(r.run.splits)
    return list(by_run.values())


@cache
def _preferences() -> dict[str, Any]:
    prefs: dict[str, Any] = patterns.load("glued")["preferences"]
    return prefs


def _order(r: Run) -> None:
    """Splits in the order the soft preferences favour (patterns/glued.toml); ties keep the search
    order. A preference never decides a cell: it only says which split to show first."""
    prefs = _preferences()
    by_key = {path.rsplit(".", 1)[1]: path for path in r.paths.values()}

    def key(n: int) -> tuple[int, float, int, int]:
        vals = r.values[n]
        got = {k: vals[p] for k, p in by_key.items()}
        broken = sum(
            1
            for a, b in prefs["at_most"]
            if (x := got.get(a)) is not None and (y := got.get(b)) is not None and x > y
        )
        size = sum(
            abs(v) / max(abs(ref), 1)
            for col, of in prefs["small"].items()
            if (v := got.get(col)) is not None and (ref := got.get(of)) is not None
        )
        return broken, size, max(len(t) for t in r.run.splits[n]), n

    order = sorted(range(len(r.run.splits)), key=key)
    r.run.splits = [r.run.splits[n] for n in order]
    r.values = [r.values[n] for n in order]


def _coefficients(parts: list[str], totals: list[str]) -> dict[str, int]:
    c: dict[str, int] = {}
    for p in parts:
        c[p] = c.get(p, 0) + 1
    for t in totals:
        c[t] = c.get(t, 0) - 1
    return c


def _get(tables: Tables, path: str) -> Cell | None:
    table, row, col = path.split(".")
    return tables.get(table, {}).get(row, {}).get(col)


def _value(tables: Tables, path: str) -> float:
    cell = _get(tables, path)
    return float(cell.value) if cell is not None and cell.value is not None else 0.0


def _known(tables: Tables, fact: Fact) -> bool:
    return all(_get(tables, p) is not None for p in fact.paths)


def _apply(
    r: Run, chosen: int, *, decided: bool, alternatives: list[int], note: str, every: bool = False
) -> None:
    """Write the chosen split on the run's table cells: confident where decided or where every
    candidate split agrees, flagged with the others named where they differ (`every`: all its
    cells flagged, when the candidates may not hold the right split: a search cut short)."""
    run = r.run
    split = run.splits[chosen]
    r.chosen = split
    shown = "/".join(split)
    for i, cell in r.cells.items():
        cell.text = split[i]
        differs = every or any(run.value(run.splits[j], i) != run.value(split, i) for j in alternatives)
        if decided or not differs:
            if note:
                why = note
            elif len(run.splits) > 1:
                why = "every split agrees on it"
            elif run.checked and run.fits_row:
                why = "the only split that satisfies the row's relations"
            else:
                why = "its only well-formed split"
            if not run.fits_row:
                why += "; no split satisfies the row's relations"
            cell.confidence = 1.0
            cell.notes = [f"{run.what} {run.raw!r} read as {shown}: {why}"]
            continue
        others = ", ".join("/".join(run.splits[j]) for j in alternatives[:SHOWN])
        more = f" and {len(alternatives) - SHOWN} more" if len(alternatives) > SHOWN else ""
        cell.confidence = min(cell.confidence, DOUBT)
        reason = f"{run.what} {run.raw!r} read as {shown}; also read as {others}{more}"
        cell.notes = [reason + (f" ({note})" if note else "")]
