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

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

import regex

from . import patterns

# A run with more splits than this, or that takes more search steps, is not searched further: its
# cells are flagged, not guessed.
MAX_SPLITS = 400
MAX_STEPS = 50_000

Sum = tuple[tuple[int, ...], int]  # (indices of the parts, index of their total)


@dataclass(frozen=True)
class CellKind:
    """What a column holds: a count (the default), a signed change (本年增/减), money in `unit`."""

    money: bool = False
    signed: bool = False
    unit: str = "万元"


@dataclass(eq=False)
class GluedRun:
    """One run of glued cells and the ways to split it, best first. The run's cells share it."""

    raw: str  # as printed, e.g. "230 000023"
    kinds: tuple[CellKind, ...]
    splits: list[tuple[str, ...]]  # each: the cells' texts, left to right
    checked: bool = False  # the row's relations were applied
    fits_row: bool = True  # False: no split satisfies the row's relations; every well-formed one is kept
    truncated: bool = False  # more splits exist than were kept

    @property
    def ambiguous(self) -> bool:
        return len(self.splits) > 1

    def differs(self, index: int) -> bool:
        """Whether the splits disagree on cell `index` (a cell all splits agree on is sure)."""
        return len({s[index] for s in self.splits}) > 1

    def shown(self, split: tuple[str, ...]) -> str:
        return "/".join(split)


@dataclass(frozen=True)
class GluedPart:
    """A table cell's place in a glued run."""

    run: GluedRun
    index: int


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
    """Every split of `raw` into `len(kinds)` well-formed cells that satisfies `sums`, in search order
    (shorter first cells first). When none satisfies `sums`, the well-formed splits, flagged."""
    chunks = _chunks(raw)
    kinds = tuple(kinds)
    found, truncated = _search(chunks, kinds, sums)
    fits = True
    if not found and sums:
        found, truncated = _search(chunks, kinds, ())
        fits = False
    return GluedRun(
        raw=raw, kinds=kinds, splits=found, checked=bool(sums), fits_row=fits, truncated=truncated
    )


def _search(
    chunks: list[_Chunk], kinds: tuple[CellKind, ...], sums: Sequence[Sum]
) -> tuple[list[tuple[str, ...]], bool]:
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
    cells: list[str] = []
    values: list[Decimal | int | None] = []
    longest: dict[int, int] = {}  # total's index -> its longest part so far
    partial: dict[int, Decimal | int] = {}  # total's index -> the sum of its parts so far
    out: list[tuple[str, ...]] = []
    after = [sum(len(ch.body) for ch in chunks[c + 1 :]) for c in range(len(chunks))]
    steps = 0

    def need(i: int) -> int:
        """The fewest characters cells i.. can take."""
        return n - i + sum(v - 1 for t, v in longest.items() if t >= i)

    def walk(i: int, c: int, o: int) -> None:
        nonlocal steps
        if len(out) > MAX_SPLITS or steps > MAX_STEPS:
            return
        if i == n:
            if c == len(chunks):
                out.append(tuple(cells))
            return
        # Every chunk left needs a cell of its own.
        if c >= len(chunks) or n - i < len(chunks) - c:
            return
        body = chunks[c].body
        for end in range(o + 1, len(body) + 1):
            steps += 1
            if len(body) - end + after[c] < need(i + 1) or steps > MAX_STEPS:
                break
            text = body[o:end]
            if not _valid(text, kinds[i]):
                if end - o > 1 and text[-1].isdigit() and text.lstrip("+-−－")[:1] == "0":
                    break  # a leading zero: no longer cell starting here is well-formed either
                continue
            if text in "-−－+" and end < len(body) and body[end].isdigit():
                continue  # a dash before digits is their sign, not a cell of its own
            value = _value(text)
            if i in longest and value is not None and len(text.lstrip("+-−－")) < longest[i]:
                continue  # a total shorter than one of its parts
            last = end == len(body)
            total = total_of.get(i)
            saved = (longest.get(total), partial.get(total)) if total is not None else (None, None)
            if total is not None and value is not None:
                if value >= 0:
                    longest[total] = max(longest.get(total, 1), len(text))
                partial[total] = partial.get(total, 0) + value
                # The total fits in what is left once the other cells have their least.
                room = len(body) - end + after[c] - need(i + 1) + longest.get(total, 1)
                if value >= 0 and partial[total] >= 10**room:
                    _restore(longest, partial, total, saved)
                    continue
            cells.append(text + (chunks[c].unit if last else ""))
            values.append(value)
            if all(_holds(values, s) for s in checks.get(i, ())):
                walk(i + 1, c + 1, 0) if last else walk(i + 1, c, end)
            cells.pop()
            values.pop()
            if total is not None:
                _restore(longest, partial, total, saved)

    walk(0, 0, 0)
    return out[:MAX_SPLITS], len(out) > MAX_SPLITS or steps > MAX_STEPS


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
    """A blank or marked total holds only beside blank parts (blank counts as nothing)."""
    parts, total = s
    t = values[total]
    if t is None:
        return all(values[p] is None for p in parts)
    return sum(values[p] or 0 for p in parts) == t
