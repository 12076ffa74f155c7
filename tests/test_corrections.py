"""A person's decisions: recorded in corrections.jsonl as the contract says, applied with the
relations run again, kept across batch reruns, dropped with a warning when the source changes, and
applied by `export` in every format."""

from __future__ import annotations

import copy
import csv
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from extractor.batch.corrections import NAME, Corrections, apply, apply_report, decision, read_decisions
from extractor.batch.run import run_batch
from extractor.cli import main
from extractor.errors import UsageError
from extractor.output.outputs import read_outputs
from extractor.output.review_queue import ReviewSession

from .batch_inputs import doubtful_once, make_folder, truth

PDF = "s01_gov_2021_split4.pdf"
FIELDS = {"sha256", "path", "read", "value", "action", "by", "at", "note"}


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    """Two text PDFs and a web page, each with three doubtful cells (stand-in reader)."""
    out = tmp_path / "out"
    good = [PDF, "s07_gov_2021_wrongtotal.pdf", "office_2021.html"]
    run_batch(make_folder(tmp_path, good=good, broken=False), out, jobs=1, read=doubtful_once)
    return out


def _lines(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / NAME).read_text(encoding="utf-8").splitlines()]


def test_decisions_are_recorded_as_the_contract_says(batch: Path) -> None:
    session = ReviewSession(batch, reviewer="ana")
    assert session.summary()["left"] == 9
    value = truth(PDF)["requests"]["granted"]["total"]
    session.decide(PDF, "requests.granted.total", "accept")
    session.decide(PDF, "requests.new_received.natural_person", "correct", "1,234")
    session.decide(PDF, "review_litigation.review.upheld", "blank", note="nothing printed")
    lines = _lines(batch)
    assert [set(line) for line in lines] == [FIELDS] * 3
    sha = json.loads((batch / f"{PDF}.json").read_text(encoding="utf-8"))["source"]["sha256"]
    assert [(x["sha256"], x["action"], x["read"], x["value"], x["by"]) for x in lines] == [
        (sha, "accept", value, value, "ana"),
        (sha, "correct", truth(PDF)["requests"]["new_received"]["natural_person"], 1234, "ana"),
        (sha, "blank", truth(PDF)["review_litigation"]["review"]["upheld"], None, "ana"),
    ]
    assert lines[2]["note"] == "nothing printed" and lines[0]["at"].endswith("+00:00")
    assert not list(batch.glob(".corrections*"))  # written whole each time: no temporary file left
    assert session.summary()["left"] == 6
    assert not {i.path for i in session.queue() if i.file == PDF}

    session.decide(PDF, "requests.new_received.natural_person", "accept")  # a second thought wins
    assert len(_lines(batch)) == 4  # the file keeps the history
    decided = {d.path: d for d in read_decisions(batch)}
    assert decided["requests.new_received.natural_person"].action == "accept"
    assert ReviewSession(batch).summary()["left"] == 6  # a new session reads them back

    with pytest.raises(UsageError):
        session.decide(PDF, "requests.granted.total", "correct", "12a")
    with pytest.raises(UsageError):
        session.decide(PDF, "requests.nothing.total", "accept")
    with pytest.raises(UsageError):
        session.decide(PDF, "requests.granted.total", "guess")


def _doubt(data: dict[str, Any], path: str, value: Any = None, confidence: float = 0.4) -> None:
    table, row, column = path.split(".")
    cell = data[table][row][column]
    if value is not None:
        cell["value"] = value
    cell["confidence"] = confidence
    data["needs_review"].append(
        {"path": path, "value": cell["value"], "confidence": confidence, "reasons": ["misread, say"]}
    )


def test_a_correction_that_makes_a_relation_hold_clears_the_doubt_it_ties(batch: Path) -> None:
    data = json.loads((batch / f"{PDF}.json").read_text(encoding="utf-8"))
    data["needs_review"] = []
    right = data["requests"]["granted"]["natural_person"]["value"]
    _doubt(data, "requests.granted.natural_person", right + 5, 0.3)  # misread
    _doubt(data, "requests.granted.commercial")  # read right, but doubtful
    sha = data["source"]["sha256"]
    fix = decision(sha, "requests.granted.natural_person", right + 5, "correct", right, by="ana")

    applied = apply(data, [fix])
    assert applied.queue == []  # 总计 of the row holds again: its one other doubtful cell is settled
    assert applied.cleared == {"requests.granted.commercial": "requests.row_total.granted"}
    cell = applied.data["requests"]["granted"]["natural_person"]
    assert (cell["value"], cell["verified"], cell["corrected_from"]) == (right, "person", right + 5)
    assert applied.data["requests"]["granted"]["commercial"]["verified"] == "machine"
    assert all(c["passed"] for c in applied.data["checks"] if "granted" in c["id"] or "outcomes" in c["id"])

    # Two doubtful cells left in the row: the relation cannot tell them apart, both stay.
    two = copy.deepcopy(data)
    _doubt(two, "requests.granted.legal_service")
    applied = apply(two, [fix])
    assert set(applied.queue) == {"requests.granted.commercial", "requests.granted.legal_service"}
    # Without the correction the relations fail on the misread cell, and nothing is cleared.
    assert not apply(data, []).cleared and len(apply(data, []).queue) == 2
    # A decision about another file does not apply.
    assert apply(data, [decision("0" * 64, fix.path, None, "blank", by="x")]).decided == {}


def test_the_python_api_applies_decisions_to_a_report(batch: Path) -> None:
    from extractor import extract

    report = extract(batch.parent / "in" / PDF)
    path = "requests.granted.total"
    made = decision(report.source.sha256, path, report.requests["granted"]["total"].value, "correct", 7)
    applied = apply_report(report, [made])
    assert applied.data["requests"]["granted"]["total"]["value"] == 7
    assert applied.decided[path] is made
    failing = {c["id"] for c in applied.data["checks"] if not c["passed"]}
    assert {"requests.row_total.granted", "requests.outcomes.total"} <= failing


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_export_applies_decisions_in_every_format(tmp_path: Path, batch: Path) -> None:
    pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    session = ReviewSession(batch, reviewer="ana")
    right = truth(PDF)["requests"]["granted"]["total"]
    session.decide(PDF, "requests.granted.total", "correct", right + 100)
    session.decide(PDF, "requests.new_received.natural_person", "accept")
    key = ("requests", "granted", "total")

    def cell_of(rows: list[dict[str, Any]]) -> dict[str, Any]:
        return next(r for r in rows if r["file"] == PDF and (r["table"], r["row"], r["column"]) == key)

    for suffix in ("csv", "jsonl", "parquet"):
        to = tmp_path / f"cells.{suffix}"
        assert main(["export", str(batch), "--to", str(to)]) == 0
        if suffix == "csv":
            rows: list[dict[str, Any]] = _read_csv(to)
        elif suffix == "jsonl":
            rows = [json.loads(x) for x in to.read_text(encoding="utf-8").splitlines()]
        else:
            rows = pq.read_table(to).to_pylist()
        got = cell_of(rows)
        assert (float(got["value"]), got["verified"], float(got["corrected_from"])) == (
            right + 100,
            "person",
            right,
        ), suffix
        assert {r["verified"] for r in rows if r["file"] != PDF} == {"machine"}
        assert sum(r["verified"] == "person" for r in rows) == 2

    to = tmp_path / "batch.sqlite"
    assert main(["export", str(batch), "--to", str(to)]) == 0
    db = sqlite3.connect(to)
    found = db.execute(
        "SELECT c.value, c.verified, c.corrected_from, c.flagged FROM cells c JOIN reports r ON r.id = "
        "c.report_id WHERE r.file = ? AND c.tbl = 'requests' AND c.row = 'granted' AND c.column = 'total'",
        (PDF,),
    ).fetchone()
    assert found == (right + 100, "person", right, 0)
    assert db.execute("SELECT count(*) FROM long WHERE verified = 'person'").fetchone() == (2,)
    # The relations ran again on the decided value: the row's 总计 no longer holds.
    assert db.execute(
        "SELECT k.passed FROM checks k JOIN reports r ON r.id = k.report_id WHERE r.file = ? AND "
        "k.id = 'requests.row_total.granted'",
        (PDF,),
    ).fetchone() == (0,)

    wide = tmp_path / "grid.csv"
    assert main(["export", str(batch), "--to", str(wide), "--format", "csv-wide"]) == 0
    row = next(r for r in _read_csv(wide) if r["file"] == PDF)
    assert row["granted.total"] == str(right + 100)
    assert row["verified"] == "new_received.natural_person granted.total"
    assert row["corrected_from"] == f"granted.total={right}"

    plain = tmp_path / "plain.csv"
    assert main(["export", str(batch), "--to", str(plain), "--readings-only"]) == 0
    got = cell_of(_read_csv(plain))
    assert (got["value"], got["verified"], got["corrected_from"]) == (str(right), "machine", "")


def test_batch_reruns_keep_decisions_and_a_replaced_source_drops_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = make_folder(tmp_path, good=[PDF, "s05_gov_2019_wanyuan.pdf"], broken=False)
    out = tmp_path / "out"
    assert main(["batch", str(folder), "-o", str(out), "--jobs", "1"]) == 0
    session = ReviewSession(out, reviewer="ana")
    session.decide(PDF, "requests.granted.total", "correct", 4242)
    session.decide("s05_gov_2019_wanyuan.pdf", "requests.granted.total", "accept")
    before = (out / NAME).read_bytes()

    for extra in ([], ["--force"]):
        assert main(["batch", str(folder), "-o", str(out), "--jobs", "1", *extra]) == 0
        assert (out / NAME).read_bytes() == before  # nothing a person decided changes
        outputs = read_outputs(out)
        corrections = Corrections(out)
        pdf = next(o for o in outputs.reports if o.file == PDF)
        applied = apply(pdf.data, corrections.for_source(pdf.data["source"]["sha256"]))
        assert applied.data["requests"]["granted"]["total"]["value"] == 4242
    capsys.readouterr()

    (folder / PDF).write_bytes((folder / PDF).read_bytes() + b"\n%reissued\n")  # replaced
    assert main(["batch", str(folder), "-o", str(out), "--jobs", "1"]) == 0
    err = capsys.readouterr().err
    assert f"warning: {PDF} changed or went since it was reviewed: its 1 decisions no longer apply" in err
    kept = _lines(out)
    assert [x["path"] for x in kept] == ["requests.granted.total"] and kept[0]["action"] == "accept"
    dropped = (out / "corrections-dropped.jsonl").read_text(encoding="utf-8")
    assert '"value": 4242' in dropped
    assert main(["export", str(out), "--to", str(tmp_path / "cells.csv")]) == 0
    rows = _read_csv(tmp_path / "cells.csv")
    got = next(r for r in rows if r["file"] == PDF and r["row"] == "granted" and r["column"] == "total")
    assert got["verified"] == "machine" and got["value"] == str(truth(PDF)["requests"]["granted"]["total"])
