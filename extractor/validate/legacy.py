"""The relations of a pre-2019 统计表: a sub-row (其中：…) does not exceed its parent.

Tried on the reading as it is, per value column (本年度, 累计), where both figures are there and share
a unit. A failed relation is a `Check` like the template's: `source` when both figures were read with
confidence, `reading` when one is doubtful, and then the doubtful figures go under the review
threshold with the relation named; a value is never changed.
"""

from __future__ import annotations

from ..model import Cell, Check, LegacyIndicator, ReviewItem

PATH = "legacy_statistics"


def path(index: int, column: str) -> str:
    """The path of a figure: `legacy_statistics.<row index>.<year|cumulative>`."""
    return f"{PATH}.{index}.{column}"


def legacy_checks(rows: list[LegacyIndicator], threshold: float, doubt_below: float) -> list[Check]:
    index = {row.indicator: i for i, row in enumerate(rows)}
    checks = []
    for i, row in enumerate(rows):
        if row.parent is None or row.parent not in index:
            continue
        p = index[row.parent]
        parent = rows[p]
        if parent.unit != row.unit:
            continue
        for column in ("year", "cumulative"):
            part: Cell | None = getattr(row, column)
            whole: Cell | None = getattr(parent, column)
            if part is None or whole is None or part.value is None or whole.value is None:
                continue
            passed = part.value <= whole.value
            cause = None
            if not passed:
                doubtful = [c for c in (part, whole) if c.confidence < doubt_below]
                cause = "reading" if doubtful else "source"
                for cell in doubtful:
                    cell.confidence = min(cell.confidence, round(threshold - 0.05, 3))
                    cell.reasons.append(
                        f"{row.indicator} ({part.value}) exceeds {parent.indicator} ({whole.value}), "
                        "of which it is a part: one of the two readings is wrong"
                    )
            checks.append(
                Check(
                    id=f"{PATH}.{i}.within_parent.{column}",
                    passed=passed,
                    expected=whole.value,
                    actual=part.value,
                    cells=[path(p, column), path(i, column)],
                    cause=cause,  # type: ignore[arg-type]
                )
            )
    return checks


def legacy_review(rows: list[LegacyIndicator], threshold: float) -> list[ReviewItem]:
    items = []
    for i, row in enumerate(rows):
        for column in ("year", "cumulative"):
            cell: Cell | None = getattr(row, column)
            if cell is not None and cell.confidence < threshold:
                items.append(ReviewItem(path(i, column), cell.value, cell.confidence, list(cell.reasons)))
    return items
