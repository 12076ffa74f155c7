"""Random reports (samples/truth.py) rendered as text the way tools flatten them (samples/render_text.py)
and read back: Markdown and spaced text exactly; crawler-flattened text with glued cells exactly or
flagged, never a wrong cell unflagged, also when the source itself breaks a relation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from extractor import extract
from extractor.model import Report
from samples.render_text import STYLES, crawler
from samples.truth import make_truth

from .truth import source_failures, truth_source_failures

TABLES = ("proactive", "requests", "review_litigation")


def _compare(report: Report, truth: dict[str, Any]) -> tuple[list[str], list[str], list[str]]:
    """(wrong and unflagged, flagged, missing) paths."""
    flagged = {i.path for i in report.needs_review}
    wrong, doubted, missing = [], [], []
    for table in TABLES:
        got = getattr(report, table)
        for row, cols in truth[table].items():
            for col, value in cols.items():
                path = f"{table}.{row}.{col}"
                cell = got.get(row, {}).get(col)
                if cell is None:
                    missing.append(path)
                elif path in flagged:
                    doubted.append(path)
                elif cell.value != value:
                    wrong.append(f"{path}: got {cell.value!r}, truth {value!r}")
    return wrong, doubted, missing


def _read(tmp_path: Path, truth: dict[str, Any], style: str) -> Report:
    path = tmp_path / ("report.md" if style == "markdown" else "report.txt")
    path.write_text(STYLES[style](truth), encoding="utf-8")
    report = extract(path)
    for key in ("agency", "year", "template"):
        assert getattr(report.report, key) == truth["report"][key]
    return report


CASES = [(seed, template) for seed in (1, 2) for template in ("2019", "2021", "hybrid")]


@pytest.mark.parametrize(("seed", "template"), CASES)
@pytest.mark.parametrize("style", ["markdown", "spaced"])
def test_separated_cells_read_exactly(tmp_path: Path, seed: int, template: str, style: str) -> None:
    truth = make_truth(seed, template, scale="large", money_in_yuan=True, plus_sign_changes=True)  # type: ignore[arg-type]
    wrong, doubted, missing = _compare(_read(tmp_path, truth, style), truth)
    assert (wrong, doubted, missing) == ([], [], [])


@pytest.mark.parametrize(("seed", "template"), CASES)
def test_markdown_keeps_blank_cells(tmp_path: Path, seed: int, template: str) -> None:
    truth = make_truth(seed, template, blank_zero_rate=0.3, dash_zero_rate=0.2)  # type: ignore[arg-type]
    assert _compare(_read(tmp_path, truth, "markdown"), truth) == ([], [], [])


@pytest.mark.parametrize(("seed", "template"), CASES)
@pytest.mark.parametrize("scale", ["small", "large"])
def test_glued_cells_exact_or_flagged(tmp_path: Path, seed: int, template: str, scale: str) -> None:
    truth = make_truth(seed, template, scale=scale, dash_zero_rate=0.2)  # type: ignore[arg-type]
    report = _read(tmp_path, truth, "flat")
    wrong, doubted, missing = _compare(report, truth)
    assert wrong == [] and missing == []
    # Section 二 has no relation within a year; sections 三 and 四 are decided almost everywhere.
    grid = [p for p in doubted if not p.startswith("proactive.")]
    assert len(grid) <= 14, grid


@pytest.mark.parametrize("failure", ["review_total", "request_total", "blank_total"])
@pytest.mark.parametrize("seed", [1, 2])
def test_glued_cells_never_wrong_unflagged_when_the_source_errs(
    tmp_path: Path, seed: int, failure: str
) -> None:
    truth = make_truth(seed, "2021", scale="large", source_failure=failure)  # type: ignore[arg-type]
    report = _read(tmp_path, truth, "flat")
    wrong, _, _ = _compare(report, truth)
    assert wrong == []
    # A relation is the document's own inconsistency only where the document breaks it.
    assert source_failures(report) <= truth_source_failures(truth)


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("style", ["flat", "crawler"])
def test_a_wrong_printed_total_in_glued_text_is_the_sources(tmp_path: Path, seed: int, style: str) -> None:
    """An agency's wrong row total among glued cells: the row is read as printed, nothing in section
    三 is flagged, and the two relations it breaks are reported as the document's own."""
    truth = make_truth(seed, "2021", scale="large", source_failure="request_total")
    path = tmp_path / "report.txt"
    path.write_text(STYLES["flat"](truth) if style == "flat" else crawler(truth, seed), encoding="utf-8")
    report = extract(path)
    wrong, doubted, missing = _compare(report, truth)
    assert wrong == [] and missing == []
    assert [p for p in doubted if not p.startswith("proactive.")] == []
    assert source_failures(report) == truth_source_failures(truth)
    assert any(w.startswith("source inconsistency: requests.row_total.") for w in report.warnings)
