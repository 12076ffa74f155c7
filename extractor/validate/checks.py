"""The contract's arithmetic relations, run on the reading as it is; confidences and the review list.

A failed relation is reported, never "fixed". When every cell in it was read with confidence, the
document itself breaks the relation (cause "source") and no confidence changes. When a doubtful
reading is involved (cause "reading"), the cell where a failing row relation and a failing column
relation cross is the suspect: its confidence drops and the value that would satisfy both is
proposed in its reasons, never written to `value`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

from ..model import APPLICANTS, REVIEW_PARTS, Cell, Check, ReviewItem

OUTCOMES = (
    "granted", "partially_granted",
    "denied_state_secret", "denied_law_prohibited", "denied_safety_stability", "denied_third_party",
    "denied_internal_affairs", "denied_process_info", "denied_enforcement_file", "denied_admin_query",
    "unavailable_not_held", "unavailable_needs_creation", "unavailable_unclear",
    "rejected_complaint", "rejected_repeat", "rejected_publication", "rejected_excessive",
    "rejected_confirmation", "other", "other_overdue_correction", "other_overdue_fee", "other_misc",
)  # fmt: skip


@dataclass
class Relation:
    """sum(parts) == sum(totals)."""

    id: str
    parts: list[str]
    totals: list[str]


Tables = dict[str, dict[str, dict[str, Cell]]]  # "requests" → row → column → Cell


def _get(tables: Tables, path: str) -> Cell | None:
    table, row, col = path.split(".")
    return tables.get(table, {}).get(row, {}).get(col)


def relations(tables: Tables) -> list[Relation]:
    req = tables.get("requests", {})
    rels: list[Relation] = []
    cols = sorted({c for row in req.values() for c in row}, key=lambda c: (*APPLICANTS, "total").index(c))
    for c in cols:
        rels.append(
            Relation(
                f"requests.balance.{c}",
                [f"requests.{r}.{c}" for r in ("new_received", "carried_over") if c in req.get(r, {})],
                [f"requests.{r}.{c}" for r in ("total", "carried_forward") if c in req.get(r, {})],
            )
        )
        if "total" in req:
            rels.append(
                Relation(
                    f"requests.outcomes.{c}",
                    [f"requests.{r}.{c}" for r in OUTCOMES if c in req.get(r, {})],
                    [f"requests.total.{c}"] if c in req["total"] else [],
                )
            )
    for r, row in req.items():
        if "total" in row:
            rels.append(
                Relation(
                    f"requests.row_total.{r}",
                    [f"requests.{r}.{c}" for c in APPLICANTS if c in row],
                    [f"requests.{r}.total"],
                )
            )
    for block, row in tables.get("review_litigation", {}).items():
        if "total" in row:
            rels.append(
                Relation(
                    f"review_litigation.{block}",
                    [f"review_litigation.{block}.{p}" for p in REVIEW_PARTS if p in row],
                    [f"review_litigation.{block}.total"],
                )
            )
    return [r for r in rels if r.parts and r.totals]


def _sum(tables: Tables, paths: list[str]) -> int | float | None:
    values = [c.value for p in paths if (c := _get(tables, p)) is not None and c.value is not None]
    if not values:
        return None
    total = sum(values)
    return round(total, 6) if isinstance(total, float) else total


def run_checks(
    tables: Tables, threshold: float, doubt_below: float | None = None
) -> list[tuple[Relation, Check]]:
    """Every relation on the reading as it is. A cell under `doubt_below` (default: the threshold)
    is a doubtful reading; OCR passes a higher bar, so that a machine reading may be at fault."""
    doubt_below = threshold if doubt_below is None else doubt_below
    checks = []
    for rel in relations(tables):
        expected, actual = _sum(tables, rel.parts), _sum(tables, rel.totals)
        if expected is None and actual is None:
            continue  # every cell blank: nothing to check
        passed = abs((expected or 0) - (actual or 0)) < 1e-6
        cells = rel.parts + rel.totals
        cause: Literal["source", "reading"] | None = None
        if not passed:
            doubtful = any((c := _get(tables, p)) is None or c.confidence < doubt_below for p in cells)
            cause = "reading" if doubtful else "source"
        check = Check(id=rel.id, passed=passed, expected=expected, actual=actual, cells=cells, cause=cause)
        checks.append((rel, check))
    return checks


def localise(
    tables: Tables,
    checks: list[tuple[Relation, Check]],
    threshold: float,
    flag_unlocalised: bool = False,
    doubt_below: float = 1.0,
) -> None:
    """Lower the confidence of cells that break two relations when a reading may be at fault.

    With `flag_unlocalised` (OCR), a failing relation that no crossing explains (a block of section
    四 has one relation only) has every cell under `doubt_below` in it lowered: one of them, or the
    document, is wrong, and nothing tells which."""
    by_cell: dict[str, list[tuple[Relation, Check]]] = defaultdict(list)
    for rel, check in checks:
        if not check.passed and check.cause == "reading":
            for path in check.cells:
                by_cell[path].append((rel, check))
    localised: set[str] = set()
    for path, hits in by_cell.items():
        if len(hits) < 2:
            continue
        cell = _get(tables, path)
        if cell is None:
            continue
        proposals = {_solve(rel, check, path, cell) for rel, check in hits}
        ids = ", ".join(c.id for _, c in hits)
        reason = f"breaks {ids}"
        if len(proposals) == 1 and None not in proposals:
            reason += f"; {proposals.pop()} would satisfy them"
        cell.confidence = min(cell.confidence, round(threshold / 2, 3))
        cell.reasons.append(reason)
        localised.add(path)
    if flag_unlocalised:
        _flag_unlocalised(tables, checks, threshold, localised, doubt_below)


def _flag_unlocalised(
    tables: Tables,
    checks: list[tuple[Relation, Check]],
    threshold: float,
    localised: set[str],
    doubt_below: float,
) -> None:
    for _, check in checks:
        if check.passed or check.cause != "reading" or localised & set(check.cells):
            continue
        for path in check.cells:
            cell = _get(tables, path)
            if cell is None or cell.confidence >= doubt_below:
                continue
            cell.confidence = min(cell.confidence, round(threshold / 2, 3))
            cell.reasons.append(
                f"breaks {check.id} (the parts sum to {check.expected}, the total reads {check.actual}) and "
                "no other relation tells which cell is wrong: this reading, another in it, or the report"
            )


def recause(tables: Tables, checks: list[tuple[Relation, Check]], threshold: float) -> None:
    """The cause of each failing relation once confidences are final: a doubtful reading when one
    of its cells is under the review threshold, else the document itself."""
    for _, check in checks:
        if not check.passed:
            doubtful = any((c := _get(tables, p)) is None or c.confidence < threshold for p in check.cells)
            check.cause = "reading" if doubtful else "source"


def _solve(rel: Relation, check: Check, path: str, cell: Cell) -> int | float | None:
    """The value of `path` that makes `check` hold, the other cells as read."""
    gap = (check.actual or 0) - (check.expected or 0)
    current = cell.value or 0
    value = current + gap if path in rel.parts else current - gap
    return value if value >= 0 else None


def review_list(tables: Tables, threshold: float) -> list[ReviewItem]:
    items = [
        ReviewItem(path=f"{t}.{r}.{c}", value=cell.value, confidence=cell.confidence, reasons=cell.reasons)
        for t, rows in tables.items()
        for r, row in rows.items()
        for c, cell in row.items()
        if cell.confidence < threshold
    ]
    return sorted(items, key=lambda i: i.confidence)
