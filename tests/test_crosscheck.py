"""Checks across a batch's reports: consecutive years, the same report twice, the prose against the
table. Generated series (samples/truth.py `make_series`) rendered as text and read by a real batch."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from typing import Any

import pytest

from extractor.batch.crosscheck import cross_checks, failed_by_file
from extractor.batch.run import run_batch
from extractor.cli import main
from extractor.output.outputs import read_outputs
from samples.render_text import STYLES
from samples.truth import make_series, make_truth

YEARS = [2022, 2023, 2024]


def _write(folder: Path, name: str, truth: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(STYLES["spaced"](truth), encoding="utf-8")


def _summary(out: Path) -> dict[str, dict[str, str]]:
    with (out / "summary.csv").open(encoding="utf-8-sig", newline="") as f:
        return {row["file"]: row for row in csv.DictReader(f)}


def _checks(out: Path) -> list[Any]:
    return cross_checks((o.file, o.data) for o in read_outputs(out).reports)


@pytest.fixture(scope="module")
def consistent(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("series")
    for seed in (3, 11):
        for truth in make_series(seed, YEARS):
            _write(root / "in", f"{seed}_{truth['report']['year']}.txt", truth)
    run_batch(root / "in", root / "out", jobs=1)
    return root / "out"


def test_consistent_series_are_silent(consistent: Path) -> None:
    checks = _checks(consistent)
    kinds = {c.kind for c in checks}
    assert kinds == {"carried", "narrative"}  # tried, and every one holds
    assert [c.message for c in checks if not c.passed] == []
    assert sum(c.kind == "carried" for c in checks) >= 2 * 2 * 3  # two series, two year pairs, columns
    rows = _summary(consistent)
    assert {row["cross_checks_failed"] for row in rows.values()} == {"0"}
    assert {row["cross_checks"] for row in rows.values()} == {""}


def test_generated_inconsistencies_are_found(tmp_path: Path) -> None:
    first, second = make_series(7, YEARS[:2])
    # The next year carries over 4 more than this year carries forward (natural persons).
    forward = {c: v or 0 for c, v in second["requests"]["carried_forward"].items() if c != "total"}
    forward["natural_person"] += 4
    third = make_truth(9, "2021", year=YEARS[2], agency_kind="government", carried_over=forward)
    old, agency = third["report"]["agency"], first["report"]["agency"]
    third["report"]["agency"] = agency
    third["report"]["title"] = third["report"]["title"].replace(old, agency)
    third["sections"] = {k: v.replace(old, agency) for k, v in third["sections"].items()}
    # The prose of the second year states a granted count the table does not have.
    granted = sum(v or 0 for c, v in second["requests"]["granted"].items() if c != "total")
    overview = second["sections"]["overview"]
    assert f"予以公开{granted}件" in overview
    second["sections"]["overview"] = overview.replace(f"予以公开{granted}件", f"予以公开{granted + 7}件")
    folder = tmp_path / "in"
    for truth in (first, second, third):
        _write(folder, f"{truth['report']['year']}.txt", truth)
    shutil.copy(folder / "2022.txt", folder / "2022_copy.txt")  # the same report twice
    out = tmp_path / "out"
    run_batch(folder, out, jobs=1)

    failed = [c for c in _checks(out) if not c.passed]
    assert {(c.id, tuple(c.files)) for c in failed} == {
        ("carried.natural_person", ("2023.txt", "2024.txt")),
        ("carried.total", ("2023.txt", "2024.txt")),
        ("narrative.requests.granted.total", ("2023.txt",)),
        ("duplicate", ("2022.txt", "2022_copy.txt")),
    }
    carried = next(c for c in failed if c.id == "carried.natural_person")
    assert carried.cause == "source" and carried.actual == carried.expected + 4
    assert carried.cells == {
        "2023.txt": ["requests.carried_forward.natural_person"],
        "2024.txt": ["requests.carried_over.natural_person"],
    }
    narrative = next(c for c in failed if c.kind == "narrative")
    assert (narrative.expected, narrative.actual) == (granted + 7, granted)
    assert f"予以公开{granted + 7}件" in narrative.message
    assert "the same values" in next(c for c in failed if c.kind == "duplicate").message
    by_file = failed_by_file(failed)
    assert len(by_file["2023.txt"]) == 3 and len(by_file["2024.txt"]) == 2

    rows = _summary(out)
    assert rows["2024.txt"]["cross_checks_failed"] == "2"
    assert "2023 carries forward" in rows["2024.txt"]["cross_checks"]
    assert rows["2022.txt"]["cross_checks_failed"] == "1" and "in 2 files" in rows["2022.txt"]["cross_checks"]


def test_review_prints_the_checks_across_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first, second = make_series(21, YEARS[:2])
    folder = tmp_path / "in"
    _write(folder, "a.txt", first)
    _write(folder, "b.txt", second)
    shutil.copy(folder / "b.txt", folder / "b_again.txt")
    run_batch(folder, tmp_path / "out", jobs=1)
    assert main(["review", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "across reports" in out and "in 2 files" in out and "b_again.txt" in out


@pytest.mark.corpus
def test_the_corpus_reports_agree_with_their_prose(tmp_path: Path, corpus: Path) -> None:
    """Real reports word their numbers many ways (予以公开及部分公开 42 件 is two rows): no false alarm."""
    folder = tmp_path / "in"
    folder.mkdir()
    for doc in sorted((corpus / "docs").iterdir()):
        if "scan" not in doc.name:  # the scans say what their text PDFs say
            shutil.copy(doc, folder / doc.name)
    run_batch(folder, tmp_path / "out", jobs=1)
    checks = _checks(tmp_path / "out")
    assert sum(c.kind == "narrative" for c in checks) >= 10
    assert [c.message for c in checks if not c.passed] == []
