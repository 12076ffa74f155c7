"""`extractor export`: long CSV/JSONL/Parquet, the wide CSV and SQLite give back the truth of the samples."""

from __future__ import annotations

import csv
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest

from extractor.batch.run import run_batch
from extractor.cli import main
from extractor.errors import ExitCode

from .batch_inputs import GOOD, make_folder, relative_inputs, truth

TABLES = ("proactive", "requests", "review_litigation")


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("export")
    run_batch(make_folder(root), root / "out", jobs=2)
    return root / "out"


def truth_cells(name: str) -> dict[tuple[str, str, str], Any]:
    data = truth(name)
    return {(t, r, c): v for t in TABLES for r, cols in data[t].items() for c, v in cols.items()}


def test_sqlite_answers_plain_sql_with_the_truth(tmp_path: Path, batch: Path) -> None:
    db = tmp_path / "batch.sqlite"
    assert main(["export", str(batch), "--to", str(db)]) == 0
    con = sqlite3.connect(db)
    for name in relative_inputs(broken=False):
        got = {
            (t, r, c): v
            for t, r, c, v in con.execute(
                "SELECT tbl, row, column, value FROM cells JOIN reports ON reports.id = cells.report_id"
                " WHERE reports.file = ?",
                (name,),
            )
        }
        assert got == truth_cells(name), name  # every cell, and none the truth does not have
        meta = truth(name)["report"]
        assert con.execute(
            "SELECT agency, year, template FROM reports WHERE file = ?", (name,)
        ).fetchone() == (
            meta["agency"],
            meta["year"],
            meta["template"],
        )
    # the questions people ask, in plain SQL
    total = con.execute(
        "SELECT value FROM cells JOIN reports r ON r.id = report_id"
        " WHERE r.file = 's07_gov_2021_wrongtotal.pdf' AND tbl = 'requests' AND row = 'new_received'"
        " AND column = 'total'"
    ).fetchone()[0]
    assert total == truth("s07_gov_2021_wrongtotal.pdf")["requests"]["new_received"]["total"]
    source_errors = con.execute(
        "SELECT r.file, c.id FROM checks c JOIN reports r ON r.id = c.report_id"
        " WHERE NOT c.passed AND c.cause = 'source' ORDER BY r.file, c.id"
    ).fetchall()
    assert source_errors == [
        ("s03_gov_hybrid_failure.pdf", "review_litigation.review"),
        ("s07_gov_2021_wrongtotal.pdf", "requests.outcomes.total"),
        ("s07_gov_2021_wrongtotal.pdf", "requests.row_total.other_misc"),
    ]
    failed = dict(con.execute("SELECT file, error FROM reports WHERE status = 'failed'").fetchall())
    assert set(failed) == {"empty.pdf", "random.pdf", "sub/truncated.pdf"} and "empty" in failed["empty.pdf"]
    # blank is not zero
    blanks = con.execute("SELECT count(*) FROM cells WHERE value IS NULL").fetchone()[0]
    assert blanks == sum(
        1 for n in relative_inputs(broken=False) for v in truth_cells(n).values() if v is None
    )
    # keys and indexes, and the long form as a view
    indexes = {row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"reports_agency_year", "cells_key", "cells_flagged", "checks_failed"} <= indexes
    with pytest.raises(sqlite3.IntegrityError):
        con.execute(
            "INSERT INTO cells (report_id, tbl, row, column, raw, confidence, flagged) SELECT report_id,"
            " tbl, row, column, raw, confidence, flagged FROM cells LIMIT 1"
        )
    long_rows = con.execute('SELECT file, "table", row, column, value FROM long').fetchall()
    assert len(long_rows) == sum(len(truth_cells(n)) for n in relative_inputs(broken=False))


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _number(text: str) -> Any:
    if text == "":
        return None
    return float(text) if "." in text else int(text)


def test_long_csv_and_jsonl_round_trip(tmp_path: Path, batch: Path) -> None:
    assert main(["export", str(batch), "--to", str(tmp_path / "cells.csv")]) == 0
    assert main(["export", str(batch), "--to", str(tmp_path / "cells.jsonl")]) == 0
    rows = _read_csv(tmp_path / "cells.csv")
    assert (tmp_path / "cells.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # spreadsheets read UTF-8
    assert " ".join(rows[0]) == (
        "file agency year template table row column value raw confidence flagged verified corrected_from"
    )
    lines = [json.loads(line) for line in (tmp_path / "cells.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(lines) == len(rows)
    for name in relative_inputs(broken=False):
        want = truth_cells(name)
        from_csv = {
            (r["table"], r["row"], r["column"]): _number(r["value"]) for r in rows if r["file"] == name
        }
        from_jsonl = {(r["table"], r["row"], r["column"]): r["value"] for r in lines if r["file"] == name}
        assert from_csv == want and from_jsonl == want, name
    assert {r["flagged"] for r in rows} == {"false"}
    assert {r["verified"] for r in rows} == {"machine"} and {r["corrected_from"] for r in lines} == {None}
    first = lines[0]
    assert first["agency"] and isinstance(first["year"], int) and isinstance(first["confidence"], float)


def test_wide_csv_has_one_row_per_report(tmp_path: Path, batch: Path) -> None:
    to = tmp_path / "grid.csv"
    assert main(["export", str(batch), "--to", str(to), "--format", "csv-wide"]) == 0
    rows = {r["file"]: r for r in _read_csv(to)}
    assert set(rows) == relative_inputs(broken=False)
    for name, row in rows.items():
        grid = truth(name)["requests"]
        for r, cols in grid.items():
            for c, v in cols.items():
                assert _number(row[f"{r}.{c}"]) == v, (name, r, c)


def test_parquet(tmp_path: Path, batch: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    to = tmp_path / "cells.parquet"
    assert main(["export", str(batch), "--to", str(to)]) == 0
    table = pq.read_table(to)
    assert table.column_names[:3] == ["file", "agency", "year"]
    rows = table.to_pylist()
    name = GOOD[0]
    got = {(r["table"], r["row"], r["column"]): r["value"] for r in rows if r["file"] == name}
    assert got == truth_cells(name)


def test_parquet_without_pyarrow_says_what_to_install(
    tmp_path: Path, batch: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    assert main(["export", str(batch), "--to", str(tmp_path / "x.parquet")]) == ExitCode.DEPENDENCY_MISSING
    assert "pip install 'extractor[parquet]'" in capsys.readouterr().err
    assert not (tmp_path / "x.parquet").exists()


def test_format_errors(tmp_path: Path, batch: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", str(batch), "--to", str(tmp_path / "x.xlsx")]) == ExitCode.USAGE
    assert "add --format" in capsys.readouterr().err
    assert main(["export", str(batch), "--to", str(tmp_path / "x"), "--format", "xml"]) == ExitCode.USAGE
    assert main(["export", str(tmp_path / "none"), "--to", str(tmp_path / "x.csv")]) == ExitCode.INPUT_MISSING


def test_one_report_json(tmp_path: Path, batch: Path) -> None:
    name = "s07_gov_2021_wrongtotal.pdf"
    assert main(["export", str(batch / f"{name}.json"), "--to", str(tmp_path / "one.jsonl")]) == 0
    lines = [json.loads(x) for x in (tmp_path / "one.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {line["file"] for line in lines} == {name}
    assert {(x["table"], x["row"], x["column"]): x["value"] for x in lines} == truth_cells(name)
