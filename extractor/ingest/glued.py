"""Glued digits: table cells a source printed with nothing between them ("21710000218").

A crawler that flattens a web page's table drops the cell boundaries: "21710000218" is the row
217, 1, 0, 0, 0, 0, 218. A run is split back into its cells by searching the splits whose cells are
well-formed numbers (no leading zeros, decimals only in money, a sign only where the column takes
one) and whose cells satisfy the row's own relations (the 总计 equals the sum of the six applicant
columns; each block of section 四 sums to its 总计). Spaces the source did keep are cell boundaries.

The search keeps every split the row allows; choosing among them needs the column relations, which
only exist once rows are placed in the template, so that is `resolve`'s work.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from itertools import pairwise
from typing import Literal

import regex

from .. import patterns
from ..document import CellKind, GluedRun

# A run with more splits than this, or that takes more search steps, is not searched further: its
# cells are flagged, not guessed.
MAX_SPLITS = 400
MAX_STEPS = 50_000

Sum = tuple[tuple[int, ...], int]  # (indices of the parts, index of their total)


@dataclass
class _Chunk:
    body: str  # digits, signs, points, markers
    unit: str  # a unit printed after the chunk's last cell ("元")


@cache
def _markers() -> frozenset[str]:
    return frozenset(m for m in patterns.load("numbers")["null_markers"] if not regex.match(r"\p{Han}", m))


@cache
def _units() -> tuple[str, ...]:
    data = patterns.load("numbers")
    return tuple(sorted({*data["count_units"], *data["money_units"]}, key=len, reverse=True))


_INT = r"(?:0|[1-9]\d{0,2}(?:,\d{3})+|[1-9]\d*)"  # no leading zero; thousands may be grouped
_COUNT = regex.compile(_INT)
_SIGNED = regex.compile(rf"[+\-−－]?{_INT}")
_MONEY = regex.compile(rf"{_INT}(?:[.．]\d+)?")


def _chunks(raw: str) -> list[_Chunk]:
    out = []
    for token in raw.split():
        unit = next((u for u in _units() if token.endswith(u) and len(token) > len(u)), "")
        out.append(_Chunk(token[: len(token) - len(unit)], unit))
    return out


def _valid(text: str, kind: CellKind) -> bool:
    if text in _markers():
        return True
    pattern = _MONEY if kind.money else (_SIGNED if kind.signed else _COUNT)
    return pattern.fullmatch(text) is not None


def _candidate(body: str, o: int, end: int, kind: CellKind) -> Literal["cell", "skip", "stop"]:
    """Whether `body[o:end]` can be one cell of `kind`: "cell"; "skip" when it cannot but a longer
    one from `o` may; "stop" when no longer one from `o` can either."""
    text = body[o:end]
    if not _valid(text, kind):
        if end - o > 1 and text[-1].isdigit() and text.lstrip("+-−－")[:1] == "0":
            return "stop"  # a leading zero: no longer cell starting here is well-formed either
        return "skip"
    if text in "-−－+" and end < len(body) and body[end].isdigit():
        return "skip"  # a dash before digits is their sign, not a cell of its own
    return "cell"


def _value(text: str) -> Decimal | int | None:
    if text in _markers():
        return None
    plain = text.replace("−", "-").replace("－", "-").replace("．", ".").replace(",", "")
    return Decimal(plain) if "." in plain else int(plain)  # ints: most cells, and fast


def well_formed(text: str, kind: CellKind | None = None) -> bool:
    """Whether `text` is one cell of `kind` (of any kind when None): a number, maybe with a unit,
    or a null marker."""
    unit = next((u for u in _units() if text.endswith(u) and len(text) > len(u)), "")
    body = text[: len(text) - len(unit)]
    kinds = [kind] if kind is not None else [CellKind(money=True), CellKind(signed=True)]
    return any(_valid(body, k) for k in kinds)


def count_cells(raw: str) -> int:
    """How many cells the source separated (its space-separated tokens)."""
    return len(raw.split())


def split_run(raw: str, kinds: Sequence[CellKind], sums: Sequence[Sum] = ()) -> GluedRun:
    """Every split of `raw` into `len(kinds)` well-formed cells that satisfies `sums`, in search order.
    When none does, those that satisfy all sums but one, else every well-formed split (`fits_row`
    false either way)."""
    chunks = _chunks(raw)
    kinds = tuple(kinds)
    found, truncated = _search(chunks, kinds, sums)
    # A blank cell leaves no trace in glued text: the readings with one blank cell are as good.
    more, cut = _one_blank(chunks, kinds, sums)
    found.extend(x for x in more if x not in found)
    truncated = truncated or cut
    fits = True
    if not found and len(sums) > 1:
        # The source may break one of the row's relations (a mistyped block total of section 四):
        # the splits that satisfy all the others.
        for broken in sums:
            more, cut = _search(chunks, kinds, [s for s in sums if s is not broken])
            found.extend(x for x in more if x not in found)
            truncated = truncated or cut
        fits = False
    if not found and sums:
        found, truncated = _search(chunks, kinds, ())
        fits = False
    return GluedRun(
        raw=raw, kinds=kinds, splits=found, checked=bool(sums), fits_row=fits, truncated=truncated
    )


def _one_blank(
    chunks: list[_Chunk], kinds: tuple[CellKind, ...], sums: Sequence[Sum]
) -> tuple[list[tuple[str, ...]], bool]:
    """The splits with one blank cell; a blank total only beside parts that are all 0 or blank (the
    relations count a blank as 0: such a row still adds up)."""
    n = len(kinds)
    if n < 2 or len(chunks) > n - 1 or sum(len(c.body) for c in chunks) < n - 1:
        return [], False
    if all(not c.body.strip("0") for c in chunks) and sum(len(c.body) for c in chunks) != n - 1:
        return [], False  # zeros are one cell each ("00" is no number): no room for a blank
    out: list[tuple[str, ...]] = []
    truncated = False
    nonzero = any(ch in "123456789" for c in chunks for ch in c.body)
    for p in range(n):
        zero = {q for parts, t in sums if t == p for q in parts}  # the parts a blank total needs at 0
        if nonzero and len(zero) == n - 1:
            continue
        shift = {i: i - (i > p) for i in range(n) if i != p}
        sub = [(tuple(shift[q] for q in parts if q != p), shift[t]) for parts, t in sums if t != p]
        rest = kinds[:p] + kinds[p + 1 :]
        if zero:
            found, cut = _walk(chunks, rest, [g for g in sub if g[0]], {frozenset(shift[q] for q in zero): 0})
        else:
            found, cut = _search(chunks, rest, [g for g in sub if g[0]])
        out.extend((*f[:p], "", *f[p:]) for f in found)
        truncated = truncated or cut
    return out, truncated


def _search(
    chunks: list[_Chunk], kinds: tuple[CellKind, ...], sums: Sequence[Sum]
) -> tuple[list[tuple[str, ...]], bool]:
    n = len(kinds)
    if not chunks or len(chunks) > n or sum(len(c.body) for c in chunks) < n:
        return [], False
    # A row whose last cell is the total of the cells before it (section 三): try each ending of the
    # run as the total first; the cells before it must then sum to a known number, which prunes hard.
    last = next((g for g in sums if g[1] == n - 1 and all(p < n - 1 for p in g[0])), None)
    segments = _segments(n, sums)
    plain = not any(k.signed or k.money for k in kinds) and not any(
        m in c.body for c in chunks for m in _markers()
    )
    if len(segments) > 1 and plain:
        return _by_segments(chunks, segments, sums)
    if last is None or kinds[-1].signed or kinds[-1].money:
        return _walk(chunks, kinds, sums, {})
    body, unit = chunks[-1].body, chunks[-1].unit
    rest = [g for g in sums if g is not last]
    out: list[tuple[str, ...]] = []
    budget = [MAX_STEPS]
    if any(m in body for m in _markers()):
        return _walk(chunks, kinds, sums, {})  # a marked cell counts as nothing: the general search
    for size in range(1, len(body) + 1):
        text = body[len(body) - size :]
        if not _valid(text, kinds[-1]) or text in _markers():
            continue
        head = chunks[:-1] + ([_Chunk(body[: len(body) - size], "")] if size < len(body) else [])
        marked = any(m in c.body for c in head for m in _markers())
        if not rest and len(last[0]) == n - 1 and not any(k.signed or k.money for k in kinds) and not marked:
            # Met in the middle: counts only (a marked cell, "—", counts as nothing: the general walk).
            found = _summing(head, kinds[:-1], int(text), budget)
        else:
            found, _ = _walk(head, kinds[:-1], rest, {frozenset(last[0]): int(text)}, budget)
        out.extend((*f, text + unit) for f in found)
        if len(out) > MAX_SPLITS:
            return out[:MAX_SPLITS], True
    return out, budget[0] <= 0


def _segments(n: int, sums: Sequence[Sum]) -> list[tuple[int, int]]:
    """The row cut where no relation spans the cut (section 四's three blocks): [start, end) each."""
    groups = [{*parts, total} for parts, total in sums]
    cuts = [i for i in range(1, n) if all(max(g) < i or min(g) >= i for g in groups)]
    bounds = [0, *cuts, n]
    return list(pairwise(bounds))


def _by_segments(
    chunks: list[_Chunk], segments: list[tuple[int, int]], sums: Sequence[Sum]
) -> tuple[list[tuple[str, ...]], bool]:
    """Segment by segment, each segment's splits from each place it may start found once: the
    splits of the rest do not depend on how the segments before it were split."""
    text = "".join(c.body for c in chunks)
    bounds: set[int] = set()
    at = 0
    for c in chunks[:-1]:
        at += len(c.body)
        bounds.add(at)
    budget = [MAX_STEPS]
    local = [[(tuple(p - a for p in parts), t - a) for parts, t in sums if a <= t < b] for a, b in segments]
    memo: dict[tuple[int, int], list[tuple[str, ...]]] = {}

    def rest(seg: int, pos: int) -> list[tuple[str, ...]]:
        if seg == len(segments):
            return [()] if pos == len(text) else []
        if (seg, pos) not in memo:
            a, b = segments[seg]
            out: list[tuple[str, ...]] = []
            after = segments[-1][1] - b  # cells of the segments after this one: a character each at least
            for end, cells in _segment_at(text, bounds, pos, b - a, local[seg], budget, after):
                out.extend((*cells, *tail) for tail in rest(seg + 1, end))
                if len(out) > MAX_SPLITS:
                    break
            memo[(seg, pos)] = out
        return memo[(seg, pos)]

    found = rest(0, 0)
    return found[:MAX_SPLITS], len(found) > MAX_SPLITS or budget[0] <= 0


def _segment_at(
    text: str, bounds: set[int], start: int, n: int, sums: Sequence[Sum], budget: list[int], after: int
) -> list[tuple[int, tuple[str, ...]]]:
    """Every way `n` count cells from `start` satisfy `sums`: (where they end, the cells), leaving
    at least `after` characters. Cells never cross the source's separators."""
    parts_of = {t: parts for parts, t in sums if all(p < t for p in parts)}
    total_of = {p: t for t, parts in parts_of.items() for p in parts}
    checks: dict[int, list[Sum]] = {}
    for g in sums:
        checks.setdefault(max(*g[0], g[1]), []).append(g)
    cells: list[str] = []
    values: list[Decimal | int | None] = []
    out: list[tuple[int, tuple[str, ...]]] = []

    def walk(i: int, pos: int) -> None:
        if i == n:
            out.append((pos, tuple(cells)))
            return
        left = len(text) - pos - after - (n - i - 1)  # the most this cell may take
        if left < 1 or budget[0] <= 0:
            return
        if i in total_of:
            # A part is no longer than its total, which still has to come after the other cells.
            left = (len(text) - pos - after - (n - i - 2)) // 2
        ends = range(pos + 1, pos + max(left, 1) + 1)
        if i in parts_of:
            expected = str(sum(values[p] or 0 for p in parts_of[i]))
            ends = range(pos + len(expected), pos + len(expected) + 1)
            if not text.startswith(expected, pos):
                return
        for end in ends:
            budget[0] -= 1
            if any(pos < x < end for x in bounds):
                break
            piece = text[pos:end]
            if not _COUNT.fullmatch(piece):
                if piece[0] == "0":
                    break
                continue
            cells.append(piece)
            values.append(int(piece.replace(",", "")))
            if all(_holds(values, g) for g in checks.get(i, ())):
                walk(i + 1, end)
            cells.pop()
            values.pop()

    walk(0, start)
    return out


def _summing(
    chunks: list[_Chunk], kinds: tuple[CellKind, ...], target: int, budget: list[int] | None = None
) -> list[tuple[str, ...]]:
    """Every split of `chunks` into `len(kinds)` counts that sum to `target`, met in the middle: the
    first half's splits and the second half's are enumerated apart (a few hundred each) and joined
    on where they meet and on sums that add up to `target`. Each half's paths are counted against
    `budget`: a run of hundreds of digits (a damaged file) has more than any search can list."""
    budget = budget if budget is not None else [MAX_STEPS]
    text = "".join(c.body for c in chunks)
    bounds: set[int] = set()
    at = 0
    for c in chunks[:-1]:
        at += len(c.body)
        bounds.add(at)  # the source's own separators: no cell crosses them
    units = {len(text): chunks[-1].unit} if chunks else {}
    n, half = len(kinds), len(kinds) // 2

    def cell(a: int, b: int) -> int | None:
        piece = text[a:b]
        if any(a < x < b for x in bounds) or not _COUNT.fullmatch(piece):
            return None
        value = int(piece.replace(",", ""))
        return value if value <= target else None

    width = len(str(target))  # no cell is longer than the total

    def forward(count: int) -> dict[int, list[tuple[tuple[str, ...], int]]]:
        """The first `count` cells: where they end → [(cells, sum)]."""
        out: dict[int, list[tuple[tuple[str, ...], int]]] = {0: [((), 0)]}
        for _ in range(count):
            nxt: dict[int, list[tuple[tuple[str, ...], int]]] = {}
            for a, paths in out.items():
                for b in range(a + 1, min(len(text), a + width) + 1):
                    v = cell(a, b)
                    if v is None:
                        if text[a] == "0":
                            break
                        continue
                    for cells, total in paths:
                        if total + v <= target:
                            nxt.setdefault(b, []).append(((*cells, text[a:b]), total + v))
                            budget[0] -= 1
                    if budget[0] <= 0:
                        return {}
            out = nxt
        return out

    def backward(count: int) -> dict[tuple[int, int], list[tuple[str, ...]]]:
        """The last `count` cells: (where they start, their sum) → [cells]."""
        out: dict[int, list[tuple[tuple[str, ...], int]]] = {len(text): [((), 0)]}
        for _ in range(count):
            nxt: dict[int, list[tuple[tuple[str, ...], int]]] = {}
            for b, paths in out.items():
                for a in range(b - 1, max(0, b - width) - 1, -1):
                    v = cell(a, b)
                    if v is None:
                        continue
                    for cells, total in paths:
                        if total + v <= target:
                            nxt.setdefault(a, []).append(((text[a:b], *cells), total + v))
                            budget[0] -= 1
                    if budget[0] <= 0:
                        return {}
            out = nxt
        keyed: dict[tuple[int, int], list[tuple[str, ...]]] = {}
        for a, paths in out.items():
            for cells, total in paths:
                keyed.setdefault((a, total), []).append(cells)
        return keyed

    first = forward(half)
    second = backward(n - half)
    found = []
    for end, paths in first.items():
        for cells, total in paths:
            for tail in second.get((end, target - total), []):
                split = (*cells, *tail)
                found.append((*split[:-1], split[-1] + units.get(len(text), "")))
                if len(found) > MAX_SPLITS:
                    return found
    return found


def _walk(
    chunks: list[_Chunk],
    kinds: tuple[CellKind, ...],
    sums: Sequence[Sum],
    targets: dict[frozenset[int], int],
    budget: list[int] | None = None,
) -> tuple[list[tuple[str, ...]], bool]:
    """Depth-first over the cells' lengths. `targets`: groups of cells whose sum is known;
    `budget`: search steps left, shared between calls."""
    budget = budget if budget is not None else [MAX_STEPS]
    n = len(kinds)
    if not chunks or len(chunks) > n or sum(len(c.body) for c in chunks) < n:
        return [], False
    # A sum is checked as soon as its last cell is placed. A total placed after its parts is at
    # least as long as its longest non-negative part: that bounds the search early.
    checks: dict[int, list[Sum]] = {}
    total_of: dict[int, int] = {}
    for parts, total in sums:
        checks.setdefault(max(*parts, total), []).append((parts, total))
        if all(p < total for p in parts):
            total_of.update({p: total for p in parts})
    target_of = {p: group for group in targets for p in group}
    marked = any(m in c.body for c in chunks for m in _markers())  # marks count as nothing, digits or not
    widest = max(len(m) for m in _markers())
    parts_of = {total: parts for parts, total in sums if all(p < total for p in parts)}
    cells: list[str] = []
    values: list[Decimal | int | None] = []
    longest: dict[int, int] = {}  # total's index -> its longest part so far
    partial: dict[int, Decimal | int] = {}  # total's index -> the sum of its parts so far
    toward: dict[frozenset[int], int] = dict.fromkeys(targets, 0)  # known sums: placed so far
    out: list[tuple[str, ...]] = []
    after = [sum(len(ch.body) for ch in chunks[c + 1 :]) for c in range(len(chunks))]

    def need(i: int) -> int:
        """The fewest characters cells i.. can take."""
        return n - i + sum(v - 1 for t, v in longest.items() if t >= i)

    def fits_target(i: int, value: int, left: int) -> bool:
        """Whether cell i's value keeps its group's known sum reachable, with `left` characters for
        the cells after it (all the group's own, when the group runs to the end)."""
        group = target_of[i]
        got = toward[group] + value
        if got > targets[group] or (i == max(group) and got != targets[group]):
            return False
        if min(group) <= i < n - 1 and max(group) == n - 1 and len(group) == n - min(group):
            # The cells left are all the group's: as many characters in so many cells make one of
            # them at least ceil(left / cells) digits long, so at least 10**(that - 1). A mark
            # ("——") counts as nothing, whatever its length: then only the widest cell bounds.
            remaining = targets[group] - got
            parts_left = n - 1 - i
            if marked:
                return parts_left <= left <= parts_left * max(len(str(remaining)), widest)
            if remaining == 0:
                return left == parts_left
            return 10 ** (-(-left // parts_left) - 1) <= remaining and left <= parts_left * len(
                str(remaining)
            )
        return True

    def walk(i: int, c: int, o: int) -> None:
        if len(out) > MAX_SPLITS or budget[0] <= 0:
            return
        if i == n:
            if c == len(chunks):
                out.append(tuple(cells))
            return
        # Every chunk left needs a cell of its own.
        if c >= len(chunks) or n - i < len(chunks) - c:
            return
        body = chunks[c].body
        ends = range(o + 1, len(body) + 1)
        if i in parts_of and all(isinstance(values[p], int) for p in parts_of[i]):
            # A total placed after its parts can only be their sum: one length to try.
            expected = str(sum(values[p] or 0 for p in parts_of[i]))
            if not body.startswith(expected, o):
                return
            ends = range(o + len(expected), o + len(expected) + 1)
        for end in ends:
            budget[0] -= 1
            left = len(body) - end + after[c]
            if left < need(i + 1) or budget[0] <= 0:
                break
            verdict = _candidate(body, o, end, kinds[i])
            if verdict == "stop":
                break
            if verdict == "skip":
                continue
            text = body[o:end]
            value = _value(text)
            if i in longest and value is not None and len(text.lstrip("+-−－")) < longest[i]:
                continue  # a total shorter than one of its parts
            if i in target_of and isinstance(value, int) and value >= 0 and not fits_target(i, value, left):
                if value > targets[target_of[i]] - toward[target_of[i]]:
                    break  # longer cells are larger still
                continue
            last = end == len(body)
            total = total_of.get(i)
            saved = (longest.get(total), partial.get(total)) if total is not None else (None, None)
            if total is not None and value is not None:
                if value >= 0:
                    longest[total] = max(longest.get(total, 1), len(text))
                partial[total] = partial.get(total, 0) + value
                # The total fits in what is left once the other cells have their least.
                room = left - need(i + 1) + longest.get(total, 1)
                if value >= 0 and partial[total] >= 10**room:
                    _restore(longest, partial, total, saved)
                    continue
            if i in target_of and isinstance(value, int):
                toward[target_of[i]] += value
            cells.append(text + (chunks[c].unit if last else ""))
            values.append(value)
            if all(_holds(values, s) for s in checks.get(i, ())):
                walk(i + 1, c + 1, 0) if last else walk(i + 1, c, end)
            cells.pop()
            values.pop()
            if i in target_of and isinstance(value, int):
                toward[target_of[i]] -= value
            if total is not None:
                _restore(longest, partial, total, saved)

    walk(0, 0, 0)
    return out[:MAX_SPLITS], len(out) > MAX_SPLITS or budget[0] <= 0


def _restore(
    longest: dict[int, int],
    partial: dict[int, Decimal | int],
    total: int,
    saved: tuple[int | None, Decimal | int | None],
) -> None:
    for store, value in ((longest, saved[0]), (partial, saved[1])):
        if value is None:
            store.pop(total, None)
        else:
            store[total] = value  # type: ignore[assignment]


def _holds(values: list[Decimal | int | None], s: Sum) -> bool:
    """A blank or marked cell counts as 0, as the contract's checks count it: a blank or marked
    total holds beside parts that are all 0, blank or marked."""
    parts, total = s
    return sum(values[p] or 0 for p in parts) == (values[total] or 0)


Weighted = tuple[tuple[tuple[int, int], ...], int]  # ((cell index, coefficient), …) summing to 0; a cost
Bound = tuple[Decimal | int, Decimal | int, int]  # the least and the most a cell may read; a cost past them


def readings(
    raw: str,
    kinds: Sequence[CellKind],
    bounds: Mapping[int, Bound],
    sums: Sequence[Weighted],
    budget: int,
    blanks: int,
    steps: int = MAX_STEPS,
) -> tuple[list[tuple[str, ...]], bool]:
    """Every well-formed split of `raw` into `len(kinds)` cells, at most `blanks` of them blank, whose
    departures cost at most `budget`: a cell of `bounds` read outside them (a blank as 0: the
    relations cannot tell them apart) costs its cost, a broken relation of `sums` its cost. No
    relation is required to hold: where the source breaks a row's relation (a wrong printed total),
    the split it printed is among these. Second: whether the search was cut short."""
    chunks = _chunks(raw)
    n = len(kinds)
    after = [sum(len(ch.body) for ch in chunks[c:]) for c in range(len(chunks) + 1)]
    checks: dict[int, list[Weighted]] = {}
    for s in sums:
        checks.setdefault(max(i for i, _ in s[0]), []).append(s)
    out: list[tuple[str, ...]] = []
    cells: list[str] = []
    values: list[Decimal | int] = []
    left = [steps]

    def cost(i: int, value: Decimal | int) -> int:
        spent = 0
        if i in bounds and not bounds[i][0] <= value <= bounds[i][1]:
            spent += bounds[i][2]
        for terms, weight in checks.get(i, ()):
            if sum(values[j] * k for j, k in terms if j != i) + value * dict(terms)[i] != 0:
                spent += weight
        return spent

    def place(i: int, c: int, o: int, text: str, value: Decimal | int, spent: int, blank: int) -> None:
        cells.append(text)
        values.append(value)
        nxt = (c + 1, 0) if c < len(chunks) and o == len(chunks[c].body) else (c, o)
        walk(i + 1, *nxt, spent, blank)
        cells.pop()
        values.pop()

    def walk(i: int, c: int, o: int, spent: int, blank: int) -> None:
        left[0] -= 1
        if left[0] <= 0:
            return
        if i == n:
            if c == len(chunks):
                out.append(tuple(cells))
            return
        chars = after[c] - o
        if len(chunks) - c > n - i or chars < n - i - (blanks - blank):
            return  # every chunk left needs a cell; every cell not blank a character
        if blank < blanks and (extra := cost(i, 0)) + spent <= budget:
            place(i, c, o, "", 0, spent + extra, blank + 1)
        if c == len(chunks):
            return
        body = chunks[c].body
        for end in range(o + 1, len(body) + 1):
            verdict = _candidate(body, o, end, kinds[i])
            if verdict == "stop":
                break
            if verdict == "skip":
                continue
            text = body[o:end]
            value = _value(text)
            number = value if value is not None else 0
            extra = cost(i, number)
            if spent + extra <= budget:
                unit = chunks[c].unit if end == len(body) else ""
                place(i, c, end, text + unit, number, spent + extra, blank)

    walk(0, 0, 0, 0, 0)
    return out, left[0] <= 0
