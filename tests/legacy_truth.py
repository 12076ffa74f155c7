"""Comparing a pre-2019 report's legacy_statistics with the truth of samples/legacy.py."""

from __future__ import annotations

from difflib import SequenceMatcher
from typing import Any

from extractor.model import Cell, Report

COLUMNS = ("year", "cumulative")


def legacy_differences(report: Report, truth: dict[str, Any]) -> list[str]:
    """Every way the 统计表 as read departs from the truth, for a text layer (exact everything):
    rows, names, keys, units, parents, every figure with its raw text, and no figure flagged."""
    out = []
    got, want = report.legacy_statistics, truth["legacy_statistics"]
    if len(got) != len(want):
        out.append(f"{len(got)} indicator rows, truth {len(want)}")
    flagged = {item.path for item in report.needs_review}
    for i, (g, t) in enumerate(zip(got, want, strict=False)):
        for key in ("indicator", "key", "unit", "parent"):
            if getattr(g, key) != t[key]:
                out.append(f"[{i}] {key}: got {getattr(g, key)!r}, truth {t[key]!r}")
        for column in COLUMNS:
            cell: Cell | None = getattr(g, column)
            path = f"legacy_statistics.{i}.{column}"
            shown = truth["display"].get(path)
            if t[column] is None and column == "cumulative" and shown is None:
                if cell is not None:
                    out.append(f"{path}: a cell the table does not have")
                continue
            if cell is None:
                out.append(f"{path}: missing (truth {t[column]!r})")
            elif cell.value != t[column] or type(cell.value) is bool:
                out.append(f"{path}: got {cell.value!r} (raw {cell.raw!r}), truth {t[column]!r}")
            elif shown is not None and cell.raw != shown:
                out.append(f"{path}: raw {cell.raw!r}, printed {shown!r}")
            elif path in flagged:
                out.append(f"{path}: correct but flagged: {cell.reasons}")
    return out


def legacy_score(report: Report, truth: dict[str, Any]) -> tuple[int, list[str], list[str]]:
    """For OCR: (figures in the truth, wrong and flagged, wrong and NOT flagged)."""
    flagged = {item.path for item in report.needs_review}
    n, wrong_flagged, wrong_unflagged = 0, list[str](), list[str]()
    for i, t in enumerate(truth["legacy_statistics"]):
        g = report.legacy_statistics[i] if i < len(report.legacy_statistics) else None
        for column in COLUMNS:
            path = f"legacy_statistics.{i}.{column}"
            if column == "cumulative" and t[column] is None and path not in truth["display"]:
                continue  # the table has no 累计 column
            n += 1
            cell = getattr(g, column) if g is not None else None
            if cell is not None and cell.value == t[column]:
                continue
            shown = f"{path}: got {None if cell is None else cell.value!r}, truth {t[column]!r}"
            (wrong_flagged if path in flagged else wrong_unflagged).append(shown)
    return n, wrong_flagged, wrong_unflagged


def similar(a: str | None, b: str | None) -> float:
    if a is None or b is None:
        return float(a == b)
    return SequenceMatcher(None, a, b).ratio()
