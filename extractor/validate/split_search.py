"""The search over combinations of glued runs' splits: the one `resolve` decides with.

Each run offers its splits; a split's effect on every relation is a residual vector. A forward
pass keeps the residuals reachable after each run (combinations that leave the same residuals
merge, so the search stays small); the best final states are those where the most contract
relations hold, then the most narrative facts; a backward pass finds which splits of each run take
part in a best combination.

The search is run once per hypothesis about the source (`resolve`): each says which relations may
not narrow the splits, and which runs offer readings that break their own row.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import add

MAX_STATES = 50_000

Residual = tuple[int | float, ...]  # ints: counts (money has no relation within a year)


@dataclass
class Outcome:
    chosen: list[int]  # per run, the split written (the first the preferences favour)
    feasible: list[set[int]]  # per run, the splits in some best combination
    feasible_hard: list[set[int]]  # the same, by the contract relations alone
    score: tuple[int, int]  # contract relations, narrative facts holding in a best combination
    consistent: bool  # a best combination satisfies every contract relation


def search(
    base: Residual,
    deltas: list[list[Residual]],
    n_hard: int,
    domains: list[list[int]],
    prunable: set[int],
    required: frozenset[int] = frozenset(),
) -> Outcome | None:
    """The best combinations of one split per run. `base`: the relations' residuals without the
    runs (the first `n_hard` are contract relations, the rest narrative facts); `deltas[i][j]`: what
    split j of run i adds; `domains`: the splits of each run to try; `prunable`: the contract
    relations that may narrow them first (never one the source may break: it would narrow the
    printed reading away); `required`: relations every combination must satisfy (a hypothesis
    about the source: the others hold). None: too many combinations to search, or none satisfies
    `required`. Residuals as `integral` makes them."""
    pruned = _prune(base, deltas, domains, prunable | required, required)
    if pruned is None:
        return None
    domains = pruned
    narrowed = [[deltas[i][j] for j in dom] for i, dom in enumerate(domains)]
    layers = _forward(base, narrowed, sorted(required))
    if layers is None or not layers[-1]:
        return None

    def score(state: Residual) -> tuple[int, int]:
        zeros = [abs(x) < 1e-6 for x in state]
        return sum(zeros[:n_hard]), sum(zeros[n_hard:])

    final = layers[-1]
    best = max(score(s) for s in final)
    best_hard = max(score(s)[0] for s in final)
    targets = {s for s in final if score(s) == best}
    targets_hard = {s for s in final if score(s)[0] == best_hard}

    def back(found: list[set[int]]) -> list[set[int]]:
        return [{dom[j] for j in f} for dom, f in zip(domains, found, strict=True)]

    chosen = _choose(layers, narrowed, targets)
    return Outcome(
        chosen=[dom[j] for dom, j in zip(domains, chosen, strict=True)],
        feasible=back(_feasible(layers, narrowed, targets)),
        feasible_hard=back(_feasible(layers, narrowed, targets_hard)),
        score=best,
        consistent=best[0] == n_hard,
    )


def _prune(
    base: Residual,
    deltas: list[list[Residual]],
    start: list[list[int]],
    use: set[int],
    required: frozenset[int],
) -> list[list[int]] | None:
    """Each run's splits (of `start`) that can still satisfy the relations `use`, the other runs'
    splits taken at their least and their most (repeated until nothing changes). A relation that
    would leave a run no split is one the source itself breaks: it is left out of the pruning (the
    search still weighs it), and the pruning starts over without it; None when it is `required`."""
    use = set(use)
    while True:
        domains = [list(d) for d in start]
        broken = _narrow(base, deltas, domains, use)
        if broken is None:
            return domains
        if broken in required:
            return None
        use.discard(broken)


def _narrow(
    base: Residual, deltas: list[list[Residual]], domains: list[list[int]], use: set[int]
) -> int | None:
    """Narrow `domains` in place by the relations in `use`; a relation that empties one, or None.
    The bounds are updated as each run narrows (bounds a step behind are only wider: still sound)."""
    ks = sorted(use)
    lo = {k: [min(deltas[i][j][k] for j in dom) for i, dom in enumerate(domains)] for k in ks}
    hi = {k: [max(deltas[i][j][k] for j in dom) for i, dom in enumerate(domains)] for k in ks}
    low = {k: base[k] + sum(lo[k]) for k in ks}
    high = {k: base[k] + sum(hi[k]) for k in ks}
    changed = True
    while changed:
        changed = False
        for i, dom in enumerate(domains):
            keep = dom
            for k in ks:
                keep = [
                    j
                    for j in keep
                    if low[k] - lo[k][i] + deltas[i][j][k] <= 1e-6
                    and high[k] - hi[k][i] + deltas[i][j][k] >= -1e-6
                ]
                if not keep:
                    return k
            if len(keep) < len(dom):
                domains[i] = keep
                changed = True
                for k in ks:
                    new_lo = min(deltas[i][j][k] for j in keep)
                    new_hi = max(deltas[i][j][k] for j in keep)
                    low[k] += new_lo - lo[k][i]
                    high[k] += new_hi - hi[k][i]
                    lo[k][i], hi[k][i] = new_lo, new_hi
    return None


def integral(v: Residual) -> Residual:
    """Whole numbers as ints, so that sums are exact and fast."""
    return tuple(int(x) if float(x).is_integer() else round(x, 6) for x in v)


def _add(a: Residual, b: Residual) -> Residual:
    return tuple(map(add, a, b))


def _forward(base: Residual, deltas: list[list[Residual]], required: list[int]) -> list[set[Residual]] | None:
    """The residuals reachable after each run; a state from which a `required` relation can no
    longer hold (the runs left cannot bring it to 0) is dropped."""
    lo: list[list[int | float]] = [[0] * len(required) for _ in range(len(deltas) + 1)]
    hi: list[list[int | float]] = [[0] * len(required) for _ in range(len(deltas) + 1)]
    for i in range(len(deltas) - 1, -1, -1):
        for n, k in enumerate(required):
            lo[i][n] = lo[i + 1][n] + min(d[k] for d in deltas[i])
            hi[i][n] = hi[i + 1][n] + max(d[k] for d in deltas[i])
    layers = [{base}]
    for i, ds in enumerate(deltas):
        nxt = {
            s
            for s in (_add(s, d) for s in layers[-1] for d in ds)
            if all(
                s[k] + lo[i + 1][n] <= 1e-6 and s[k] + hi[i + 1][n] >= -1e-6 for n, k in enumerate(required)
            )
        }
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
