"""Cell text to number: counts, signed changes, money in 万元; blanks and dashes stay null."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache

import regex

from . import patterns
from .text import squash

_NUMBER = regex.compile(
    r"^(?P<sign>[+\-−－]?)(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d+)?(?P<unit>\p{Han}{0,3})$"
)


@dataclass(frozen=True)
class Reading:
    """A parsed cell: `value` null for blank or a null marker; `ok` false when the text is not a number."""

    value: int | float | None
    raw: str
    ok: bool
    note: str = ""


@cache
def _null_markers() -> frozenset[str]:
    return frozenset(patterns.load("numbers")["null_markers"])


@cache
def _count_units() -> frozenset[str]:
    return frozenset(patterns.load("numbers")["count_units"])


@cache
def _money_units() -> dict[str, float]:
    units: dict[str, float] = patterns.load("numbers")["money_units"]
    return units


def parse_cell(text: str, *, money: bool = False, signed: bool = False, unit: str = "万元") -> Reading:
    """Parse one cell. `unit` is the unit the column header states for money columns."""
    raw = squash(text)
    if raw == "":
        return Reading(None, raw, True)
    if raw in _null_markers():
        return Reading(None, raw, True, "marked not applicable")
    m = _NUMBER.match(raw.replace("−", "-").replace("－", "-"))
    if not m:
        return Reading(None, raw, False, f"not a number: {raw!r}")
    sign, num, frac, cell_unit = m["sign"], m["num"].replace(",", ""), m["frac"] or "", m["unit"]
    if sign == "+" and not signed:
        sign = ""
    if sign == "-" and not signed:
        return Reading(None, raw, False, f"negative value in a column that takes none: {raw!r}")
    try:
        number = Decimal(sign + num + frac)
    except InvalidOperation:  # pragma: no cover - the regex admits only digits
        return Reading(None, raw, False, f"not a number: {raw!r}")
    if money:
        factors = _money_units()
        unit_used = cell_unit or unit
        if unit_used not in factors:
            return Reading(None, raw, False, f"unknown money unit {unit_used!r}")
        number = number * Decimal(str(factors[unit_used]))
        note = f"converted from {cell_unit} to 万元" if factors[unit_used] != 1 else ""
        return Reading(_plain(number), raw, True, note)
    if cell_unit and cell_unit not in _count_units():
        return Reading(None, raw, False, f"unexpected unit {cell_unit!r} in a count")
    if frac:
        return Reading(None, raw, False, f"a count with decimals: {raw!r}")
    return Reading(int(number), raw, True)


def _plain(number: Decimal) -> int | float:
    """An exact decimal as the JSON number a reader expects: 25.1, not 25.100000000000001."""
    normal = number.normalize()
    if normal == normal.to_integral_value():
        return int(normal)
    return float(str(normal))


def header_money_unit(header: str) -> str:
    """The unit a money column's header states ("（单位：万元）", "（元）"), defaulting to 万元."""
    h = squash(header)
    m = regex.search(r"单位[:：]?(万元|亿元|元)|[（(](万元|亿元|元)[)）]", h)
    if m:
        return m.group(1) or m.group(2)
    return "万元"


def is_number_text(text: str) -> bool:
    """Whether a table cell holds a number (so its row is a data row, not a header)."""
    reading = parse_cell(text, money=True, signed=True)
    return reading.ok and reading.value is not None
