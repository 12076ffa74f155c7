"""Choosing among the splits of glued digits: the relations decide, the narrative breaks ties.

`glued.split_run` keeps every split a row's own relations allow ("270020130" is 2,7,0,0,20,1,30 or
27,0,0,2,0,1,30). Once rows have their place in the template, the column relations (一 + 二 = 总计 +
四; 总计 = the sum of the outcome rows) and the numbers the narrative states can tell them apart.

A combination of splits (one per ambiguous run) is scored by the relations it satisfies: the
contract's first, the narrative's second. A forward pass over the runs keeps the reachable residuals
of the relations (combinations that leave the same residuals merge, so the search stays small); a
backward pass finds which splits of each run take part in a best combination. A run left with one
such split is decided and its cells are confident; a run left with several keeps the one the soft
preferences favour, and its cells that differ between them are flagged with the others named.

The decision is written on the table cells (text, confidence, a note); the caller rebuilds the
contract's cells from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from operator import add
from typing import Any

import regex

from .. import patterns
from ..document import GluedRun, Line, TableCell
from ..model import Cell
from ..numbers import parse_cell
from ..text import squash
from .checks import Tables, relations

DOUBT = 0.6  # a cell whose split the evidence does not decide
MAX_SPLITS = 64  # a run with more splits than this is not searched: its differing cells stay flagged
MAX_STATES = 50_000
SHOWN = 3  # alternatives named in a reason

Residual = tuple[int | float, ...]  # ints: counts (money has no relation within a year)


@dataclass(frozen=True)
class Fact:
    """A number the narrative states that the cells at `paths` should sum to."""

    paths: tuple[str, ...]
    value: int
    text: str


@dataclass
class _Run:
    run: GluedRun
    paths: dict[int, str]  # cell index → table path ("requests.granted.total")
    cells: dict[int, TableCell]  # cell index → the table cell
    values: list[dict[str, int | float | None]]  # per split: path → value


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


def _recheck_facts(tables: Tables, runs: list[_Run], facts: list[Fact]) -> list[str]:
    """The numbers the narrative states on the chosen splits. A run that split several ways and
    holds a cell a stated number contradicts is not sure: when the source breaks a relation of its
    own row (a mistyped total), a spurious split can satisfy every relation the true one breaks,
    and nothing else in the table says so. The narrative never decides a cell; here it only says
    that the relations may have chosen wrong."""
    value: dict[str, float] = {}
    for r in runs:
        for i, path in r.paths.items():
            v = r.run.value(tuple(c.text for _, c in sorted(r.cells.items())), i)
            value[path] = float(v) if isinstance(v, (int, float, Decimal)) else 0.0
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


def _recheck(tables: Tables, runs: list[_Run]) -> list[str]:
    """The contract's relations on the chosen splits. When one fails with glued cells in it, no
    glued cell connected to it (through relations that share cells) is sure: a spurious split can
    satisfy a row whose printed total is wrong, and other rows' splits can be chosen to make up
    its columns. The text cannot tell a source error from a misread split, so they are flagged."""
    value: dict[str, float] = {}
    for r in runs:
        for i, path in r.paths.items():
            kind = r.run.kinds[i]
            v = parse_cell(r.cells[i].text, money=kind.money, signed=kind.signed, unit=kind.unit).value
            value[path] = float(v) if v is not None else 0.0
    rels = [(rel.id, [*rel.parts, *rel.totals], rel.parts, rel.totals) for rel in relations(tables)]
    failing = []
    for name, paths, parts, totals in rels:
        got = {p: value.get(p, _value(tables, p)) for p in paths}
        if (
            any(p in value for p in paths)
            and abs(sum(got[p] for p in parts) - sum(got[p] for p in totals)) > 1e-6
        ):
            failing.append(name)
    if not failing:
        return []
    # The relations connected to a failing one, and the cells they hold.
    reached, cells, todo = set(failing), set(), list(failing)
    by_path: dict[str, list[str]] = {}
    members = {name: paths for name, paths, _, _ in rels}
    for name, paths in members.items():
        for p in paths:
            by_path.setdefault(p, []).append(name)
    while todo:
        for p in members[todo.pop()]:
            cells.add(p)
            for other in by_path[p]:
                if other not in reached:
                    reached.add(other)
                    todo.append(other)
    named = ", ".join(failing[:SHOWN]) + (f" and {len(failing) - SHOWN} more" if len(failing) > SHOWN else "")
    flagged = 0
    for r in runs:
        if len(r.run.kinds) < 2:
            continue
        shown = "/".join(c.text for _, c in sorted(r.cells.items()))
        for i, path in r.paths.items():
            if path in cells and r.cells[i].confidence >= 1.0:
                r.cells[i].confidence = DOUBT
                r.cells[i].notes = [
                    f"{r.run.what} {r.run.raw!r} read as {shown}; {named} fail with glued cells in "
                    "them: the digits may split otherwise"
                ]
                flagged += 1
    return [f"glued digits: {flagged} cells connected to relations that fail; flagged"] if flagged else []


def _choose_splits(tables: Tables, runs: list[_Run], facts: list[Fact]) -> list[str]:
    warnings: list[str] = []
    for r in runs:
        _order(r)
    open_ = [r for r in runs if 1 < len(r.run.splits) <= MAX_SPLITS and not r.run.truncated]
    for r in runs:
        if r.run.truncated or len(r.run.splits) > MAX_SPLITS:
            # A search cut short may have missed the right split: nothing it found is sure.
            others = list(range(1, len(r.run.splits)))
            _apply(
                r, 0, decided=False, alternatives=others, note="it splits too many ways to search", every=True
            )
            warnings.append(f"{r.run.what} {r.run.raw!r} split too many ways to search; cells flagged")
        elif len(r.run.splits) == 1:
            _apply(r, 0, decided=True, alternatives=[], note="")
    if not open_:
        return warnings
    hard = [(_coefficients(rel.parts, rel.totals), 0.0, rel.id) for rel in relations(tables)]
    soft = [(_coefficients(list(f.paths), []), -float(f.value), f.text) for f in facts if _known(tables, f)]
    variable = {p for r in open_ for p in r.paths.values()}
    rels = [(c, k, name) for c, k, name in hard + soft if variable & c.keys()]
    n_hard = sum(1 for c, _, _ in hard if variable & c.keys())
    if not rels:
        for r in open_:
            _apply(r, 0, decided=False, alternatives=list(range(1, len(r.run.splits))), note="")
            warnings.append(f"{r.run.what} {r.run.raw!r} split {len(r.run.splits)} ways; cells flagged")
        return warnings
    base = tuple(
        k + sum(v * _value(tables, p) for p, v in c.items() if p not in variable) for c, k, _ in rels
    )
    deltas = [
        [
            tuple(sum(c.get(p, 0) * (vals[p] or 0) for p in r.paths.values()) for c, _, _ in rels)
            for vals in r.values
        ]
        for r in open_
    ]
    base, deltas = _integral(base), [[_integral(d) for d in ds] for ds in deltas]
    domains = _prune(base, deltas, n_hard)
    narrowed = [[deltas[i][j] for j in dom] for i, dom in enumerate(domains)]
    layers = _forward(base, narrowed)
    if layers is None:
        for r, dom in zip(open_, domains, strict=True):
            _apply(r, dom[0], decided=False, alternatives=dom[1:], note="too many combinations to search")
        return [*warnings, "glued digits: too many combinations to decide by the relations; cells flagged"]

    def score(state: Residual) -> tuple[int, int]:
        zeros = [abs(x) < 1e-6 for x in state]
        return sum(zeros[:n_hard]), sum(zeros[n_hard:])

    final = layers[-1]
    best = max(score(s) for s in final)
    best_hard = max(score(s)[0] for s in final)
    targets = {s for s in final if score(s) == best}
    targets_hard = {s for s in final if score(s)[0] == best_hard}
    feasible = _feasible(layers, narrowed, targets)
    feasible_hard = _feasible(layers, narrowed, targets_hard)
    chosen = _choose(layers, narrowed, targets)
    consistent = best[0] == n_hard
    for i, (r, dom) in enumerate(zip(open_, domains, strict=True)):
        ok = [dom[j] for j in sorted(feasible[i])]
        pick = dom[chosen[i]]
        if consistent and len(ok) == 1:
            note = "the only split that satisfies the row and column relations"
            if len(feasible_hard[i]) > 1:
                note += " and the numbers the narrative states"
            _apply(r, pick, decided=True, alternatives=[], note=note)
            continue
        candidates = ok if consistent else list(range(len(r.run.splits)))
        note = "" if consistent else "no split satisfies every relation"
        _apply(r, pick, decided=False, alternatives=[j for j in candidates if j != pick], note=note)
        warnings.append(f"{r.run.what} {r.run.raw!r} split {len(candidates)} ways; cells flagged")
    return warnings


def _prune(base: Residual, deltas: list[list[Residual]], n_hard: int) -> list[list[int]]:
    """Each run's splits that can still satisfy the contract relations, the other runs' splits
    taken at their least and their most (repeated until nothing changes). A relation that would
    leave a run no split is one the source itself breaks: it is left out of the pruning (the search
    still weighs it), and the pruning starts over without it."""
    use = set(range(n_hard))
    while True:
        domains = [list(range(len(d))) for d in deltas]
        broken = _narrow(base, deltas, domains, use)
        if broken is None:
            return domains
        use.discard(broken)


def _narrow(
    base: Residual, deltas: list[list[Residual]], domains: list[list[int]], use: set[int]
) -> int | None:
    """Narrow `domains` in place by the relations in `use`; a relation that empties one, or None."""
    changed = True
    while changed:
        changed = False
        lo = {k: [min(deltas[i][j][k] for j in dom) for i, dom in enumerate(domains)] for k in use}
        hi = {k: [max(deltas[i][j][k] for j in dom) for i, dom in enumerate(domains)] for k in use}
        low = {k: base[k] + sum(lo[k]) for k in use}
        high = {k: base[k] + sum(hi[k]) for k in use}
        for i, dom in enumerate(domains):
            keep = list(dom)
            for k in sorted(use):
                kept = [
                    j
                    for j in keep
                    if low[k] - lo[k][i] + deltas[i][j][k] <= 1e-6
                    and high[k] - hi[k][i] + deltas[i][j][k] >= -1e-6
                ]
                if not kept:
                    return k
                keep = kept
            if len(keep) < len(dom):
                domains[i] = keep
                changed = True
                break  # the bounds changed: recompute them
    return None


def _runs(tables: Tables, sources: dict[str, TableCell]) -> list[_Run]:
    by_run: dict[int, _Run] = {}
    for path, cell in sources.items():
        if cell.glued is None or len(cell.glued.run.kinds) < 2:
            continue
        run = cell.glued.run
        r = by_run.setdefault(id(run), _Run(run, {}, {}, []))
        r.paths[cell.glued.index] = path
        r.cells[cell.glued.index] = cell
    for r in by_run.values():
        r.values = [
            {path: _parse(r.run, i, split[i]) for i, path in r.paths.items()} for split in r.run.splits
        ]
    return list(by_run.values())


def _parse(run: GluedRun, index: int, text: str) -> int | float | None:
    kind = run.kinds[index]
    return parse_cell(text, money=kind.money, signed=kind.signed, unit=kind.unit).value


@cache
def _preferences() -> dict[str, Any]:
    prefs: dict[str, Any] = patterns.load("glued")["preferences"]
    return prefs


def _order(r: _Run) -> None:
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


def _integral(v: Residual) -> Residual:
    """Whole numbers as ints, so that sums are exact and fast."""
    return tuple(int(x) if float(x).is_integer() else round(x, 6) for x in v)


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


def _add(a: Residual, b: Residual) -> Residual:
    return tuple(map(add, a, b))


def _forward(base: Residual, deltas: list[list[Residual]]) -> list[set[Residual]] | None:
    layers = [{base}]
    for ds in deltas:
        nxt = {_add(s, d) for s in layers[-1] for d in ds}
        if len(nxt) > MAX_STATES:
            return None
        layers.append(nxt)
    return layers


def _feasible(
    layers: list[set[Residual]], deltas: list[list[Residual]], targets: set[Residual]
) -> list[set[int]]:
    """For each run, the splits that take part in a combination ending in `targets`."""
    reach = targets
    out: list[set[int]] = [set() for _ in deltas]
    for i in range(len(deltas) - 1, -1, -1):
        here = set()
        for s in layers[i]:
            for j, d in enumerate(deltas[i]):
                if _add(s, d) in reach:
                    here.add(s)
                    out[i].add(j)
        reach = here
    return out


def _choose(layers: list[set[Residual]], deltas: list[list[Residual]], targets: set[Residual]) -> list[int]:
    """One combination ending in `targets`: at each run, the first split (in preference order) from
    which a target is still reachable."""
    reach: list[set[Residual]] = [set() for _ in layers]
    reach[-1] = set(targets)
    for i in range(len(deltas) - 1, -1, -1):
        reach[i] = {s for s in layers[i] if any(_add(s, d) in reach[i + 1] for d in deltas[i])}
    state = next(iter(layers[0]))
    out = []
    for i, ds in enumerate(deltas):
        j = next(j for j, d in enumerate(ds) if _add(state, d) in reach[i + 1])
        out.append(j)
        state = _add(state, ds[j])
    return out


def _apply(
    r: _Run, chosen: int, *, decided: bool, alternatives: list[int], note: str, every: bool = False
) -> None:
    """Write the chosen split on the run's table cells: confident where decided or where every
    candidate split agrees, flagged with the others named where they differ (`every`: all its
    cells flagged, when the candidates may not hold the right split: a search cut short)."""
    run = r.run
    split = run.splits[chosen]
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
