"""Relations: a source error keeps its confidences; a doubtful reading is localised and a value proposed."""

from __future__ import annotations

from extractor.model import APPLICANTS, Cell
from extractor.validate.checks import localise, review_list, run_checks

# A section 三 grid where every relation holds (tests of confidence misread it on purpose).
CONSISTENT: dict[str, list[int | None]] = {
    "new_received": [10, 2, 0, 0, 0, 0, 12],
    "carried_over": [1, 0, 0, 0, 0, 0, 1],
    "granted": [6, 1, 0, 0, 0, 0, 7],
    "unavailable_not_held": [3, 1, 0, 0, 0, 0, 4],
    "total": [9, 2, 0, 0, 0, 0, 11],
    "carried_forward": [2, 0, 0, 0, 0, 0, 2],
}


def _cell(value: int | None, confidence: float = 1.0) -> Cell:
    return Cell(
        value=value, raw="" if value is None else str(value), confidence=confidence, page=1, bbox=None
    )


def _grid(rows: dict[str, list[int | None]]) -> dict[str, dict[str, Cell]]:
    return {
        r: {c: _cell(v) for c, v in zip((*APPLICANTS, "total"), vals, strict=True)}
        for r, vals in rows.items()
    }


def _consistent() -> dict[str, dict[str, Cell]]:
    return _grid(CONSISTENT)


def test_consistent_grid_passes_every_relation() -> None:
    checks = [c for _, c in run_checks({"requests": _consistent()}, 0.8)]
    assert checks and all(c.passed for c in checks)
    ids = {c.id for c in checks}
    assert {"requests.balance.total", "requests.outcomes.natural_person", "requests.row_total.granted"} <= ids


def test_source_error_keeps_confidence() -> None:
    review = {
        "review": {
            k: _cell(v)
            for k, v in zip(
                ("upheld", "corrected", "other", "pending", "total"), (10, 1, 0, 0, 0), strict=True
            )
        }
    }
    tables = {"review_litigation": review}
    pairs = run_checks(tables, 0.8)
    localise(tables, pairs, 0.8)
    (check,) = [c for _, c in pairs]
    assert (check.passed, check.cause, check.expected, check.actual) == (False, "source", 11, 0)
    assert all(c.confidence == 1.0 for c in review["review"].values())
    assert review_list(tables, 0.8) == []


def test_doubtful_reading_is_localised_with_a_proposal() -> None:
    grid = _consistent()
    grid["granted"]["natural_person"] = _cell(8, confidence=0.7)  # misread 6 as 8
    tables = {"requests": grid}
    pairs = run_checks(tables, 0.8)
    localise(tables, pairs, 0.8)
    failed = {c.id: c for _, c in pairs if not c.passed}
    assert set(failed) == {"requests.row_total.granted", "requests.outcomes.natural_person"}
    assert all(c.cause == "reading" for c in failed.values())
    suspect = grid["granted"]["natural_person"]
    assert suspect.value == 8  # never overwritten
    assert suspect.confidence < 0.5 and any("6 would satisfy them" in r for r in suspect.reasons)
    assert [i.path for i in review_list(tables, 0.8)] == ["requests.granted.natural_person"]


def test_blank_total_beside_values_fails_and_all_blank_is_skipped() -> None:
    grid = _grid({"granted": [258, 12, 1, 1, None, None, None], "partially_granted": [None] * 7})
    ids = {c.id: c for _, c in run_checks({"requests": grid}, 0.8)}
    assert ids["requests.row_total.granted"].passed is False
    assert ids["requests.row_total.granted"].actual is None
    assert "requests.row_total.partially_granted" not in ids
