"""Reports on 2018 and earlier (the 2008 条例's format): template "2008", a warning that says so, and
every indicator row of their 统计表 in legacy_statistics, from text PDFs, text, Markdown and scans
(samples/legacy, made by samples/legacy.py; the scans' OCR is replayed as in test_scans.py)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from extractor import extract
from extractor.cli import main
from extractor.document import Document, Line, Page, Table, TableCell
from extractor.model import json_schema
from extractor.reconstruct.legacy import read_statistics, text_header_columns

from .conftest import ROOT, SAMPLES
from .legacy_truth import legacy_differences, legacy_score, similar
from .test_scans import replay

jsonschema = pytest.importorskip("jsonschema")

LEGACY = ROOT / "samples" / "legacy"
TEXT_LAYER = sorted(
    p
    for p in LEGACY.iterdir()
    if Path(f"{p}.json").exists() and p.suffix != ".json" and "_scan" not in p.stem
)
SCANS = sorted(p for p in LEGACY.glob("*_scan.pdf") if Path(f"{p}.json").exists())
PREDATES = "predates the national template"


def _truth(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(Path(f"{path}.json").read_text(encoding="utf-8"))
    return data


def test_there_are_legacy_samples() -> None:
    assert {p.suffix for p in TEXT_LAYER} == {".pdf", ".txt", ".md"}
    assert len(SCANS) >= 2


@pytest.mark.parametrize("sample", TEXT_LAYER, ids=[p.name for p in TEXT_LAYER])
def test_legacy_sample_matches_truth(sample: Path) -> None:
    truth = _truth(sample)
    report = extract(sample)
    assert report.report.template == "2008"
    for key in ("agency", "year", "title", "published"):
        assert getattr(report.report, key) == truth["report"][key]
    assert report.proactive == {} and report.requests == {} and report.review_litigation == {}
    assert any(PREDATES in w for w in report.warnings)
    assert not any(w.endswith("table not found") for w in report.warnings)  # not "missing": predating
    assert report.status == "ok"
    assert legacy_differences(report, truth) == []
    failed = {c.id for c in report.checks if not c.passed}
    assert failed == {f["check"] for f in truth["source_failures"]}
    assert all(c.cause == "source" for c in report.checks if not c.passed)
    # Every sub-row with figures on both sides was checked against its parent.
    assert any(c.id.endswith("within_parent.year") for c in report.checks)
    jsonschema.validate(json.loads(report.to_json()), json_schema())


def test_a_sub_row_over_its_parent_is_a_source_inconsistency() -> None:
    report = extract(LEGACY / "l03_gov_2009_wrongsub.pdf")
    (check,) = [c for c in report.checks if not c.passed]
    child = report.legacy_statistics[int(check.id.split(".")[1])]
    assert child.indicator == "网上申请数" and child.parent == "受理依申请公开信息总数"
    assert check.actual == child.year.value and check.expected is not None and check.actual is not None
    assert check.actual > check.expected
    assert check.cells == ["legacy_statistics.4.year", "legacy_statistics.6.year"]
    assert any(w.startswith("source inconsistency: legacy_statistics.6") for w in report.warnings)
    assert report.needs_review == []  # read with certainty: the document's, not the reading's


@pytest.mark.parametrize("sample", SCANS, ids=[p.name for p in SCANS])
def test_legacy_scan_exact_or_flagged(sample: Path) -> None:
    truth = _truth(sample)
    report = extract(sample, replay(sample.name))
    assert report.source.kind == "pdf-scanned"
    assert report.report.template == "2008" and any(PREDATES in w for w in report.warnings)
    for key in ("agency", "year"):
        assert getattr(report.report, key) == truth["report"][key]
    n, wrong_flagged, wrong_unflagged = legacy_score(report, truth)
    assert wrong_unflagged == []
    assert (n - len(wrong_flagged)) / n >= 0.95, wrong_flagged
    # Every indicator row, in order, named as printed (OCR may misread a character of a name).
    assert len(report.legacy_statistics) == len(truth["legacy_statistics"])
    for got, want in zip(report.legacy_statistics, truth["legacy_statistics"], strict=True):
        assert similar(got.indicator, want["indicator"]) >= 0.85, (got.indicator, want["indicator"])
        assert similar(got.parent, want["parent"]) >= 0.85, (got.parent, want["parent"])
        assert got.key in (want["key"], None)
        # A unit OCR could not read is null, and a warning says so; one read is right.
        assert got.unit in (want["unit"], None)
    if any(row.unit is None for row in report.legacy_statistics):
        assert any("the unit of" in w and "could not be read" in w for w in report.warnings)
    cells = [c for row in report.legacy_statistics for c in (row.year, row.cumulative) if c is not None]
    assert all(c.page is not None and c.bbox is not None for c in cells if c.raw)
    jsonschema.validate(json.loads(report.to_json()), json_schema())


def test_a_folder_of_legacy_reports_in_a_batch(tmp_path: Path) -> None:
    folder = tmp_path / "old reports"
    folder.mkdir()
    for path in TEXT_LAYER:
        shutil.copy(path, folder / path.name)
    out = tmp_path / "out"
    assert main(["batch", str(folder), "-o", str(out), "-j", "2"]) == 0
    with (out / "summary.csv").open(encoding="utf-8-sig") as f:
        rows = {row["file"]: row for row in csv.DictReader(f)}
    assert set(rows) == {p.name for p in TEXT_LAYER}
    for path in TEXT_LAYER:
        row = rows[path.name]
        assert (row["status"], row["template"]) == ("ok", "2008")
        data = json.loads((out / f"{path.name}.json").read_text(encoding="utf-8"))
        assert any(PREDATES in w for w in data["warnings"])
        want = _truth(path)["legacy_statistics"]
        assert [(r["indicator"], r["year"]["value"]) for r in data["legacy_statistics"]] == [
            (t["indicator"], t["year"]) for t in want
        ]


def test_detected_from_the_document_not_from_the_year() -> None:
    """A 2019-template report keeps its template whatever its year; its legacy_statistics is empty."""
    report = extract(SAMPLES / "s05_gov_2019_wanyuan.pdf")
    assert report.report.template == "2019" and report.legacy_statistics == []
    assert not any(PREDATES in w for w in report.warnings)


def _doc(lines: list[str], tables: list[Table] | None = None) -> Document:
    page = Page(1, lines=[Line(text, 1, float(n)) for n, text in enumerate(lines)], tables=tables or [])
    return Document(Path("x.txt"), "text", [page])


def test_header_lines_of_text() -> None:
    assert text_header_columns("指标名称 计量单位 本年度 累计") is not None
    assert text_header_columns("统计指标单位统计数") is not None
    assert text_header_columns("指标名称") is None  # a word, not a header
    assert text_header_columns("信息内容 本年制发件数 本年废止件数") is None  # the 2019 template's


def test_text_rows_glued_spaced_and_doubtful() -> None:
    stats = read_statistics(
        _doc(
            [
                "指标名称 计量单位 本年度 累计",
                "受理依申请公开信息总数件12 345",
                "其中：1.当面申请数 件 — 40",
                "2.网上申请数件7",  # one figure for two columns: flagged, never spread
                "依申请公开收取费用 元 12.5 —",
                "本机关将进一步做好政府信息公开工作。",
            ]
        )
    )
    assert stats is not None
    rows = stats.rows
    assert [(r.indicator, r.unit, r.parent) for r in rows] == [
        ("受理依申请公开信息总数", "件", None),
        ("当面申请数", "件", "受理依申请公开信息总数"),
        ("网上申请数", "件", "受理依申请公开信息总数"),
        ("依申请公开收取费用", "元", None),
    ]
    assert [r.key for r in rows] == [
        "requests_received",
        "requests_in_person",
        "requests_online",
        "fees_collected",
    ]
    assert (rows[0].year.value, rows[0].cumulative.value if rows[0].cumulative else "") == (12, 345)
    assert rows[1].year.value is None and rows[1].year.raw == "—"
    assert rows[2].year.value == 7 and rows[2].year.confidence < 0.8
    assert rows[2].cumulative is not None and rows[2].cumulative.value is None
    assert rows[3].year.value == 12.5


def _table(cells: list[list[str]], confidence: float = 1.0) -> Table:
    out = [
        TableCell(r, c, text, confidence=confidence if r else 1.0)
        for r, row in enumerate(cells)
        for c, text in enumerate(row)
    ]
    return Table(1, len(cells), len(cells[0]), out, [float(r) for r in range(len(cells))])


def test_table_groups_numbering_and_unreadable_cells() -> None:
    table = _table(
        [
            ["统计指标", "单位", "统计数"],
            ["一、依申请公开情况", "", ""],
            ["（一）收到申请数", "件", "20"],
            ["1．当面申请数", "件", "3"],
            ["（二）申请答复数", "件", "18"],
            ["4．不同意公开答复数", "件", "2"],
            ["其中：涉及国家秘密", "件", "1"],
            ["5．申请信息不存在数", "件", "4"],
            ["二、举报投诉数量", "件", "一一"],
        ],
        confidence=0.9,
    )
    table.cells[-2].confidence = 0.3  # a unit OCR could not read: its row is an indicator
    table.cells[-2].text = ""
    stats = read_statistics(_doc([], [table]))
    assert stats is not None
    parents = [(r.indicator, r.parent) for r in stats.rows]
    assert parents == [
        ("收到申请数", None),
        ("当面申请数", "收到申请数"),
        ("申请答复数", None),
        ("不同意公开答复数", "申请答复数"),
        ("涉及国家秘密", "不同意公开答复数"),
        ("申请信息不存在数", "申请答复数"),
        ("举报投诉数量", None),
    ]
    last = stats.rows[-1]
    assert last.unit is None and last.key == "complaints"
    assert last.year.value is None and last.year.raw == "一一" and last.year.confidence < 0.8
    assert any("could not be read" in w for w in stats.warnings)


def test_export_and_review_of_legacy_outputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The 统计表 goes to the long export (rows by key or name, unique in a report) and to SQLite;
    review lists a doubtful figure of it with its raw reading."""
    import sqlite3

    from extractor.output.outputs import read_outputs
    from extractor.output.review import collect

    out = tmp_path / "out"
    out.mkdir()
    national = LEGACY / "l02_bureau_2016_national.pdf"
    (out / f"{national.name}.json").write_text(extract(national).to_json(), encoding="utf-8")
    scan = SCANS[0]
    (out / f"{scan.name}.json").write_text(_with_a_doubt(extract(scan, replay(scan.name)).to_json()), "utf-8")
    assert main(["export", str(out), "--to", str(tmp_path / "cells.csv")]) == 0
    with (tmp_path / "cells.csv").open(encoding="utf-8-sig") as f:
        rows = [r for r in csv.DictReader(f) if r["file"] == national.name]
    truth = _truth(national)["legacy_statistics"]
    assert len(rows) == len(truth) and {r["table"] for r in rows} == {"legacy_statistics"}
    assert {r["row"] for r in rows} >= {
        "requests_received",
        "行政复议数量/被依法纠错数",
        "行政诉讼数量/被依法纠错数",
    }
    assert main(["export", str(out), "--to", str(tmp_path / "batch.sqlite")]) == 0
    db = sqlite3.connect(tmp_path / "batch.sqlite")
    try:
        (n,) = db.execute("SELECT count(*) FROM cells WHERE tbl = 'legacy_statistics'").fetchone()
        flagged = db.execute("SELECT count(*) FROM cells WHERE flagged").fetchone()[0]
    finally:
        db.close()
    assert n > len(truth) and flagged >= 1
    reviews = collect(read_outputs(out))
    doubts = [d for r in reviews for d in r.doubts]
    assert doubts and all(d.path.startswith("legacy_statistics.") for d in doubts)
    assert any(d.raw for d in doubts)


def _with_a_doubt(report: str) -> str:
    """The report with its first figure in doubt, as a misread one is (the recorded scans now read
    every figure surely; what is tested here is how review and export carry a doubt)."""
    data = json.loads(report)
    i, row = next((i, r) for i, r in enumerate(data["legacy_statistics"]) if r["year"]["value"] is not None)
    row["year"]["confidence"] = 0.5
    row["year"]["reasons"].append("OCR readings disagree (set so by the test)")
    data["needs_review"].insert(
        0,
        {
            "path": f"legacy_statistics.{i}.year",
            "value": row["year"]["value"],
            "confidence": 0.5,
            "reasons": row["year"]["reasons"],
        },
    )
    return json.dumps(data, ensure_ascii=False)


def test_a_doubtful_figure_of_a_scanned_legacy_table_in_the_review_queue(tmp_path: Path) -> None:
    """The review app's session lists a 统计表 figure in doubt, crops it from the scan, and applies a
    person's decision about it."""
    from extractor.output.review_queue import ReviewSession, apply_outputs

    scan = SCANS[0]
    out = tmp_path / "out"
    out.mkdir()
    (out / f"{scan.name}.json").write_text(_with_a_doubt(extract(scan, replay(scan.name)).to_json()), "utf-8")
    session = ReviewSession(out, reviewer="tester", source=LEGACY)
    items = [item for item in session.queue() if item.path.startswith("legacy_statistics.")]
    assert items
    item = next(i for i in items if i.has_crop)
    assert session.crop(scan.name, item.path).startswith(b"\x89PNG")
    session.decide(scan.name, item.path, "blank")
    from extractor.output.outputs import read_outputs

    (applied,) = apply_outputs(read_outputs(out), None, out).reports
    _, index, column = item.path.split(".")
    cell = applied.data["legacy_statistics"][int(index)][column]
    assert cell["value"] is None and cell["verified"] == "person"
    session.close()
