"""Compilations (汇编: several reports in one file): N reports in, N reports out, each as exact as the
report alone — through the Python API, `extractor extract` and `extractor batch` (samples/compilations,
made by samples/compilations.py from the other samples)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from extractor import extract, extract_all
from extractor.cli import main
from extractor.model import Report, json_schema

from .conftest import ROOT
from .legacy_truth import legacy_differences
from .truth import differences, source_failures, truth_source_failures

jsonschema = pytest.importorskip("jsonschema")

COMPILATIONS = ROOT / "samples" / "compilations"
FILES = sorted(p for p in COMPILATIONS.iterdir() if p.suffix != ".json" and Path(f"{p}.json").exists())


def _truths(path: Path) -> list[dict[str, Any]]:
    reports: list[dict[str, Any]] = json.loads(Path(f"{path}.json").read_text(encoding="utf-8"))["reports"]
    return reports


def _differences(report: Report, truth: dict[str, Any]) -> list[str]:
    if truth["report"]["template"] != "2008":
        out = differences(report, truth)
        if source_failures(report) != truth_source_failures(truth):
            out.append(f"source failures: {source_failures(report)}")
        return out
    out = legacy_differences(report, truth)
    for key in ("agency", "year", "template"):
        if getattr(report.report, key) != truth["report"][key]:
            out.append(f"report.{key}: got {getattr(report.report, key)!r}")
    failed = {c.id for c in report.checks if not c.passed}
    if failed != {f["check"] for f in truth["source_failures"]}:
        out.append(f"failed checks: {failed}")
    return out


def _same_reading(a: Report, b: Report) -> list[str]:
    """Where two readings of one report differ (the compilation's part and the report alone)."""
    out = []
    for key in ("title", "agency", "year", "template", "published"):
        if getattr(a.report, key) != getattr(b.report, key):
            out.append(f"report.{key}: {getattr(a.report, key)!r} != {getattr(b.report, key)!r}")
    for table in ("proactive", "requests", "review_litigation"):
        if _readings(getattr(a, table)) != _readings(getattr(b, table)):
            out.append(f"{table} differs")
    if [(x.indicator, x.year.value) for x in a.legacy_statistics] != [
        (x.indicator, x.year.value) for x in b.legacy_statistics
    ]:
        out.append("legacy_statistics differ")
    if [(c.id, c.passed) for c in a.checks] != [(c.id, c.passed) for c in b.checks]:
        out.append("checks differ")
    if [i.path for i in a.needs_review] != [i.path for i in b.needs_review]:
        out.append("needs_review differs")
    for key, section in vars(a.sections).items():
        other = getattr(b.sections, key)
        if (section is None) != (other is None) or (
            section is not None and (section.heading, section.text) != (other.heading, other.text)
        ):
            out.append(f"section {key} differs")
    return out


def _readings(table: dict[str, dict[str, Any]]) -> dict[tuple[str, str], tuple[Any, str, float]]:
    return {
        (r, c): (cell.value, cell.raw, cell.confidence) for r, row in table.items() for c, cell in row.items()
    }


def test_there_are_compilations() -> None:
    assert {p.suffix for p in FILES} >= {".pdf", ".md"}


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_a_compilation_of_n_reports_gives_n_exact_reports(path: Path) -> None:
    truths = _truths(path)
    reports = extract_all(path)
    assert len(reports) == len(truths)
    for n, (report, truth) in enumerate(zip(reports, truths, strict=True), 1):
        assert _differences(report, truth) == [], (n, truth["source"])
        assert report.status == "ok" and report.needs_review == []
        assert report.source.file == path.name
        assert report.warnings[0].startswith(f"report {n} of {len(truths)} in a compilation")
        assert not any(w.startswith("compilation:") for w in report.warnings)
        jsonschema.validate(json.loads(report.to_json()), json_schema())


def test_each_report_of_a_pdf_compilation_reads_as_the_report_alone() -> None:
    """Same cells, confidences, checks, sections and metadata as the sample PDF extracted on its own;
    pages are the compilation's (the cover page and the reports before shift them)."""
    path = COMPILATIONS / "c01_city_2021_four.pdf"
    reports = extract_all(path)
    offset = 1  # the cover page
    for report, truth in zip(reports, _truths(path), strict=True):
        alone = extract(ROOT / "samples" / "reports" / truth["source"])
        assert _same_reading(report, alone) == []
        assert [c.page for c in _cells(report)] == [c.page + offset for c in _cells(alone) if c.page]
        assert report.sections.requests is not None and alone.sections.requests is not None
        assert report.sections.requests.pages == [p + offset for p in alone.sections.requests.pages]
        assert report.sections.overview is not None and alone.sections.overview is not None
        offset += alone.source.pages or 0


def _cells(report: Report) -> list[Any]:
    return [
        cell
        for t in ("proactive", "requests", "review_litigation")
        for row in getattr(report, t).values()
        for cell in row.values()
    ]


def test_extract_keeps_one_report_and_says_the_file_holds_more() -> None:
    path = COMPILATIONS / "c01_city_2021_four.pdf"
    report = extract(path)
    assert report.status == "partial"
    assert report.report.agency == _truths(path)[0]["report"]["agency"]
    assert any(w.startswith("compilation: the file seems to hold 4 reports") for w in report.warnings)


def test_cli_extract_writes_an_array_or_a_file_per_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = COMPILATIONS / "c03_county_2021_three.md"
    assert main(["extract", str(path)]) == 0
    array = json.loads(capsys.readouterr().out)
    assert isinstance(array, list) and len(array) == 3
    assert [r["report"]["template"] for r in array] == ["2021", "2019", "2008"]
    assert array[2]["legacy_statistics"] and array[0]["legacy_statistics"] == []
    out = tmp_path / "out"
    out.mkdir()
    assert main(["extract", str(path), "-o", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [f"{path.name}#{n}.json" for n in (1, 2, 3)]
    second = json.loads((out / f"{path.name}#2.json").read_text(encoding="utf-8"))
    assert second == array[1]
    # One report: one object, as before.
    single = tmp_path / "single"
    single.mkdir()
    assert (
        main(["extract", str(ROOT / "samples" / "legacy" / "l04_gov_2014_national.txt"), "-o", str(single)])
        == 0
    )
    assert [p.name for p in single.iterdir()] == ["l04_gov_2014_national.txt.json"]


def test_batch_writes_one_output_and_one_summary_row_per_report(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    pdf = COMPILATIONS / "c02_city_2011_legacy.pdf"
    md = COMPILATIONS / "c03_county_2021_three.md"
    (folder / "sub" / pdf.name).write_bytes(pdf.read_bytes())
    (folder / md.name).write_bytes(md.read_bytes())
    out = tmp_path / "out"
    assert main(["batch", str(folder), "-o", str(out), "-j", "2"]) == 0
    with (out / "summary.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    names = [f"sub/{pdf.name}#{n}" for n in (1, 2, 3)] + [f"{md.name}#{n}" for n in (1, 2, 3)]
    assert sorted(row["file"] for row in rows) == sorted(names)
    by_name = {row["file"]: row for row in rows}
    for name, truth in zip(names, _truths(pdf) + _truths(md), strict=True):
        assert by_name[name]["status"] == "ok"
        assert (by_name[name]["agency"], by_name[name]["template"]) == (
            truth["report"]["agency"],
            truth["report"]["template"],
        )
        data = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
        assert data["report"]["agency"] == truth["report"]["agency"]
    assert by_name[f"sub/{pdf.name}#3"]["checks_failed"] == "1"  # the sub-row over its parent
    # A second run finds every output current; the summary keeps a row per report.
    assert main(["batch", str(folder), "-o", str(out)]) == 0
    with (out / "summary.csv").open(encoding="utf-8-sig") as f:
        assert sorted(row["file"] for row in csv.DictReader(f)) == sorted(names)
    # The file becomes one report: its old outputs go, the new one is written.
    (folder / md.name).write_text(
        (ROOT / "samples" / "legacy" / "l05_bureau_2012_cumulative.md").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    assert main(["batch", str(folder), "-o", str(out)]) == 0
    assert (out / f"{md.name}.json").is_file()
    assert not any((out / f"{md.name}#{n}.json").exists() for n in (1, 2, 3))


def test_review_and_export_read_a_compilations_outputs(tmp_path: Path) -> None:
    from extractor.output.outputs import read_outputs

    folder = tmp_path / "in"
    folder.mkdir()
    pdf = COMPILATIONS / "c01_city_2021_four.pdf"
    (folder / pdf.name).write_bytes(pdf.read_bytes())
    out = tmp_path / "out"
    assert main(["batch", str(folder), "-o", str(out)]) == 0
    outputs = read_outputs(out)
    assert [o.file for o in outputs.reports] == [f"{pdf.name}#{n}" for n in (1, 2, 3, 4)]
    assert all(o.source == (folder / pdf.name).resolve() for o in outputs.reports)
    assert main(["export", str(out), "--to", str(tmp_path / "cells.csv")]) == 0
    with (tmp_path / "cells.csv").open(encoding="utf-8-sig") as f:
        files = {row["file"] for row in csv.DictReader(f)}
    assert files == {f"{pdf.name}#{n}" for n in (1, 2, 3, 4)}


def test_a_decision_on_one_report_of_a_compilation_stays_with_it(tmp_path: Path) -> None:
    """The reports of a compilation share their file's sha256: a person's decision carries the
    report's `part`, and applies to that report only (a file of one report writes no `part`)."""
    from extractor.output.outputs import read_outputs
    from extractor.output.review_queue import ReviewSession, apply_outputs

    folder = tmp_path / "in"
    folder.mkdir()
    md = COMPILATIONS / "c03_county_2021_three.md"
    (folder / md.name).write_bytes(md.read_bytes())
    single = ROOT / "samples" / "reports" / "office_2021.html"
    (folder / single.name).write_bytes(single.read_bytes())
    out = tmp_path / "out"
    assert main(["batch", str(folder), "-o", str(out)]) == 0
    before = {o.file: o.data for o in read_outputs(out).reports}
    assert [before[f"{md.name}#{n}"]["source"]["part"] for n in (1, 2, 3)] == [1, 2, 3]
    assert before[single.name]["source"]["part"] is None
    path = "requests.granted.total"
    read = before[f"{md.name}#2"]["requests"]["granted"]["total"]["value"]
    session = ReviewSession(out, reviewer="tester")
    session.decide(f"{md.name}#2", path, "correct", read + 1)
    session.decide(single.name, path, "accept")
    lines = [json.loads(x) for x in (out / "corrections.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [line.get("part") for line in lines] == [2, None] and "part" not in lines[1]
    after = {o.file: o.data for o in apply_outputs(read_outputs(out), None, out).reports}
    cell = after[f"{md.name}#2"]["requests"]["granted"]["total"]
    assert (cell["value"], cell["verified"], cell["corrected_from"]) == (read + 1, "person", read)
    for n in (1, 3):
        other = after[f"{md.name}#{n}"]["requests"].get("granted", {}).get("total")
        assert other is None or (other.get("verified") != "person" and "corrected_from" not in other)
    assert after[single.name]["requests"]["granted"]["total"]["verified"] == "person"
