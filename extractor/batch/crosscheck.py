"""Checks across the reports of a batch: what one report states that another, or its own prose, must
agree with. They never change a value; a failure is a source inconsistency (`cause: source`) for a
person to look at.

- `carried`: the same agency's consecutive years. What year N carries forward (四、结转下年度继续办理)
  is what year N+1 carries over (二、上年结转), column by column.
- `duplicate`: the same agency and year in several files (copies of one report, or a report and
  its corrected reissue); which cells differ from the first file's.
- `narrative`: the numbers the prose states (共收到申请 N 件, 予以公开 N 件, 行政复议 N 件 …;
  `fact` and `check` in patterns/narrative.toml) against the table's.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .. import patterns
from ..model import APPLICANTS
from ..text import squash

Kind = Literal["carried", "duplicate", "narrative"]
Number = int | float


@dataclass
class CrossCheck:
    """One relation between reports (or between a report's prose and its table)."""

    id: str
    """carried.<column>, duplicate, narrative.<cell path>."""
    kind: Kind
    passed: bool
    expected: Number | None
    """What the other report (or the prose) says."""
    actual: Number | None
    """What this report's table says."""
    files: list[str]
    """The reports involved: for `carried`, the earlier year first."""
    cells: dict[str, list[str]] = field(default_factory=dict)
    """File → the paths of its cells the check ties."""
    message: str = ""
    cause: Literal["source"] = "source"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "passed": self.passed,
            "expected": self.expected,
            "actual": self.actual,
            "files": self.files,
            "cells": self.cells,
            "message": self.message,
            "cause": self.cause,
        }


def cross_checks(reports: Iterable[tuple[str, dict[str, Any]]]) -> list[CrossCheck]:
    """Every check across `reports` ((file, report JSON) pairs), failed ones first."""
    reports = list(reports)
    by_key: dict[tuple[str, int], list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for file, data in reports:
        meta = data.get("report") or {}
        if meta.get("agency") and isinstance(meta.get("year"), int):
            by_key[(squash(meta["agency"]), meta["year"])].append((file, data))
    out: list[CrossCheck] = []
    for (agency, year), group in sorted(by_key.items()):
        if len(group) > 1:
            out.append(_duplicate(group, agency, year))
        for earlier in group:
            for later in by_key.get((agency, year + 1), []):
                out.extend(_carried(earlier, later, year))
    for file, data in reports:
        out.extend(_narrative(file, data))
    return sorted(out, key=lambda c: (c.passed, c.files, c.id))


def failed_by_file(checks: list[CrossCheck]) -> dict[str, list[CrossCheck]]:
    """File → the failed checks it takes part in."""
    out: dict[str, list[CrossCheck]] = defaultdict(list)
    for check in checks:
        if not check.passed:
            for file in check.files:
                out[file].append(check)
    return dict(out)


def _value(data: dict[str, Any], path: str) -> Number | None:
    table, row, column = path.split(".")
    cell = ((data.get(table) or {}).get(row) or {}).get(column)
    return None if cell is None else cell.get("value")


def _carried(
    earlier: tuple[str, dict[str, Any]], later: tuple[str, dict[str, Any]], year: int
) -> list[CrossCheck]:
    (f1, d1), (f2, d2) = earlier, later
    forward = (d1.get("requests") or {}).get("carried_forward") or {}
    over = (d2.get("requests") or {}).get("carried_over") or {}
    out = []
    for column in (*APPLICANTS, "total"):
        if column not in forward or column not in over:
            continue
        said, stated = forward[column].get("value"), over[column].get("value")
        if said is None and stated is None:
            continue
        passed = (said or 0) == (stated or 0)  # a blank stands for none carried, as in the relations
        out.append(
            CrossCheck(
                f"carried.{column}",
                "carried",
                passed,
                said,
                stated,
                [f1, f2],
                {f1: [f"requests.carried_forward.{column}"], f2: [f"requests.carried_over.{column}"]},
                f"{year} carries forward {_show(said)} ({column}); {year + 1} carries over {_show(stated)}",
            )
        )
    return out


def _duplicate(group: list[tuple[str, dict[str, Any]]], agency: str, year: int) -> CrossCheck:
    """One check for the files of one agency and year: which cells differ from the first file's."""
    (first, d1), others = group[0], group[1:]
    cells: dict[str, list[str]] = {}
    for f2, d2 in others:
        differ = []
        for table in ("proactive", "requests", "review_litigation"):
            t1, t2 = d1.get(table) or {}, d2.get(table) or {}
            for row in sorted(set(t1) | set(t2)):
                for column in sorted(set(t1.get(row) or {}) | set(t2.get(row) or {})):
                    path = f"{table}.{row}.{column}"
                    if _value(d1, path) != _value(d2, path):
                        differ.append(path)
        cells[f2] = differ
    apart = {f: len(d) for f, d in cells.items() if d}
    how = (
        "the same values"
        if not apart
        else "; ".join(f"{f} differs from {first} in {n} cells" for f, n in apart.items())
    )
    files = [f for f, _ in group]
    return CrossCheck(
        "duplicate",
        "duplicate",
        False,
        None,
        None,
        files,
        cells,
        f"{agency} {year} in {len(files)} files (copies of one report, or a report and its reissue): "
        f"{how}; keep one",
    )


def _alternatives() -> dict[tuple[str, ...], list[list[str]]]:
    return {
        tuple(spec["cells"]): [list(s) for s in spec["sums"]]
        for spec in patterns.load("narrative").get("alternative", [])
    }


def _narrative(file: str, data: dict[str, Any]) -> list[CrossCheck]:
    from ..validate.resolve import facts_in

    sections = data.get("sections") or {}
    prose = squash("".join((s or {}).get("text", "") for s in sections.values()))
    if not prose:
        return []
    alternatives = _alternatives()
    out = []
    for fact in facts_in(prose, kinds=("fact", "check")):
        sums = [list(fact.paths), *alternatives.get(fact.paths, [])]
        totals = [_sum(data, paths) for paths in sums]
        if totals[0] is None:
            continue  # the table does not have the cells (not found, or all blank)
        passed = any(t is not None and t == fact.value for t in totals)
        out.append(
            CrossCheck(
                f"narrative.{fact.paths[0]}",
                "narrative",
                passed,
                fact.value,
                totals[0],
                [file],
                {file: list(fact.paths)},
                f"the text says “{fact.text}”; the table has {_show(totals[0])}",
            )
        )
    return out


def _sum(data: dict[str, Any], paths: list[str]) -> Number | None:
    values = [_value(data, p) for p in paths]
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def _show(value: Number | None) -> str:
    return "blank" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def print_checks(checks: list[CrossCheck], console: Any) -> None:
    """The failed checks across reports, after the review's table (rich)."""
    from rich.markup import escape
    from rich.table import Table

    failed = [c for c in checks if not c.passed]
    if not failed:
        if checks:
            console.print(f"{len(checks)} checks across reports: all hold")
        return
    table = Table(title="across reports (source inconsistencies: no value changes)")
    for name in ("check", "files", "what"):
        table.add_column(name, overflow="fold")
    for c in failed:
        table.add_row(escape(c.id), escape(" / ".join(c.files)), escape(c.message))
    console.print(table)
    console.print(f"{len(failed)} of {len(checks)} checks across reports fail")


def render_checks(checks: list[CrossCheck]) -> str:
    """The failed checks across reports as a section of the review page."""
    import html

    failed = [c for c in checks if not c.passed]
    if not failed:
        return ""
    rows = "".join(
        f"<tr><td><code>{html.escape(c.id)}</code></td><td>{html.escape(' / '.join(c.files))}</td>"
        f"<td>{html.escape(c.message)}</td></tr>"
        for c in failed
    )
    return (
        "<section class=file id=across><h2>Across reports</h2><p class=about>What reports of the batch "
        "must agree on (consecutive years, the same report twice, the prose against the table): "
        "source inconsistencies, no value changes.</p><table class=source><thead><tr><th>check</th>"
        f"<th>files</th><th>what</th></tr></thead><tbody>{rows}</tbody></table></section>"
    )


# --- in a batch's summary.csv -----------------------------------------------------------------------

SUMMARY_COLUMNS = ("cross_checks_failed", "cross_checks")


def summary_columns(outdir: Path, files: list[str]) -> dict[str, dict[str, Any]]:
    """File → its summary.csv columns for the checks across the batch: how many fail, and what they
    say. Reads the outputs of `files` (relative paths), with the decisions of review applied."""
    from .corrections import Corrections, apply, source_key

    corrections = Corrections(outdir)
    reports = []
    for file in files:
        try:
            data = json.loads((outdir / f"{file}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and "source" in data:
            reports.append((file, apply(data, corrections.for_source(source_key(data["source"]))).data))
    failed = failed_by_file(cross_checks(reports))
    return {
        file: {
            SUMMARY_COLUMNS[0]: len(failed.get(file, [])),
            SUMMARY_COLUMNS[1]: "; ".join(c.message for c in failed.get(file, [])),
        }
        for file in files
    }


def drop_stale_decisions(outdir: Path, current: set[str], before: dict[str, str]) -> list[str]:
    """Drop the decisions on sources no input of the batch has any more (`current`: their sha256s);
    one warning per file (`before`: sha256 → the file it was, from the manifest before the run)."""
    from .corrections import Corrections

    corrections = Corrections(outdir)
    if not corrections.decisions:
        return []
    gone = corrections.drop(current)
    counts: dict[str, int] = defaultdict(int)
    for d in gone:
        counts[before.get(d.sha256, f"a source with sha256 {d.sha256[:12]}…")] += 1
    return [
        f"{file} changed or went since it was reviewed: its {n} decisions no longer apply (kept in "
        "corrections-dropped.jsonl); review it again"
        for file, n in sorted(counts.items())
    ]
