"""Comparing a Report with a ground-truth file (the corpus's gt/ and the samples' truth share a shape)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from extractor.model import Report

TABLES = ("proactive", "requests", "review_litigation")


def differences(report: Report, truth: dict[str, Any]) -> list[str]:
    """Every way the report departs from the truth: metadata, cells (value, presence) and flags.

    A correct cell must not be flagged; a wrong cell is a difference whether flagged or not.
    """
    out = []
    for key in ("agency", "year", "template"):
        got = getattr(report.report, key)
        if got != truth["report"][key]:
            out.append(f"report.{key}: got {got!r}, truth {truth['report'][key]!r}")
    flagged = {item.path for item in report.needs_review}
    for table in TABLES:
        got_table = getattr(report, table)
        for row, cols in truth[table].items():
            for col, value in cols.items():
                path = f"{table}.{row}.{col}"
                cell = got_table.get(row, {}).get(col)
                if cell is None:
                    out.append(f"{path}: missing (truth {value!r})")
                elif cell.value != value:
                    out.append(f"{path}: got {cell.value!r} (raw {cell.raw!r}), truth {value!r}")
                elif path in flagged:
                    out.append(f"{path}: correct but flagged: {cell.reasons}")
        for row in set(got_table) - set(truth[table]):
            out.append(f"{table}.{row}: a row the truth does not have")
        for row, cols in got_table.items():
            for col in set(cols) - set(truth[table].get(row, {})):
                if row in truth[table]:
                    out.append(f"{table}.{row}.{col}: a column the truth does not have")
    return out


def source_failures(report: Report) -> set[str]:
    return {c.id for c in report.checks if not c.passed and c.cause == "source"}


def truth_source_failures(truth: dict[str, Any]) -> set[str]:
    """The truth's `source_failures` ("A4 review: …", "A3 row granted: …") as our check ids."""
    prefixes = {
        "A1 column": "requests.balance",
        "A2 column": "requests.outcomes",
        "A3 row": "requests.row_total",
        "A4": "review_litigation",
    }
    out = set()
    for failure in truth.get("source_failures", []):
        head = failure.split(":")[0]
        for prefix, ours in prefixes.items():
            if head.startswith(prefix + " "):
                out.add(f"{ours}.{head[len(prefix) + 1 :].strip()}")
    return out


def differences_with_doubts(
    report: Report, truth: dict[str, Any], doubtful: Callable[[str], bool]
) -> list[str]:
    """Like `differences`, for documents that are truly ambiguous in places: a flagged cell, right or
    wrong, is accepted where `doubtful(path)` says the document itself cannot decide it, and only if
    its reasons name the other readings. A wrong cell that is not flagged is always a difference."""
    flagged = {item.path: item for item in report.needs_review}
    out = []
    for d in differences(report, truth):
        path = d.split(":")[0]
        item = flagged.get(path)
        if item is None or not doubtful(path):
            out.append(d)
        elif not any("also read as" in r for r in item.reasons):
            out.append(f"{path}: flagged without naming the other readings: {item.reasons}")
    return out
