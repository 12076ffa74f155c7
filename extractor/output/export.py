"""`extractor export`: a batch's outputs for other systems.

- `csv`, `jsonl`, `parquet`: the long form, one row per cell: file, agency, year, template, table,
  row, column, value, raw, confidence, flagged, verified, corrected_from. The form spreadsheets and
  databases ingest.
- `csv-wide`: the request grid of section 三, one row per report (`new_received.total`, …), then
  `verified` (the grid's cells a person decided) and `corrected_from` (`granted.total=1819` …).

A person's decisions (`corrections.jsonl`, applied by the caller: `review_queue.apply_outputs`) show
in every format: `verified` is `person` or `machine`, `corrected_from` what a corrected cell was read as.
- `sqlite`: tables `reports`, `cells` and `checks`, keyed and indexed, and a view `long` that is
  the long form. In SQL the cell's table is the column `tbl` (TABLE is a reserved word).

CSV files are UTF-8 with a byte-order mark, so that spreadsheet programs read the Chinese right.
Every file is written whole or not at all (a temporary file, then a rename).
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args

from ..batch.atomic import atomic_path, write_atomic
from ..errors import DependencyMissingError, OutputError
from ..model import RequestColumn, RequestRow
from .formats import Format
from .outputs import Output, Outputs

TABLES = ("proactive", "requests", "review_litigation")
LONG = (
    "file",
    "agency",
    "year",
    "template",
    "table",
    "row",
    "column",
    "value",
    "raw",
    "confidence",
    "flagged",
    "verified",
    "corrected_from",
)


def export(outputs: Outputs, to: Path, fmt: Format) -> int:
    """Write `outputs` to `to` in `fmt`; return the number of rows (cells, or reports for csv-wide)."""
    if fmt is Format.csv:
        return _write_csv(to, LONG, long_rows(outputs))
    if fmt is Format.jsonl:
        lines = [
            json.dumps(dict(zip(LONG, row, strict=True)), ensure_ascii=False) for row in long_rows(outputs)
        ]
        write_atomic(to, "".join(line + "\n" for line in lines))
        return len(lines)
    if fmt is Format.csv_wide:
        header, rows = wide(outputs)
        return _write_csv(to, header, iter(rows))
    if fmt is Format.sqlite:
        return write_sqlite(outputs, to)
    return write_parquet(outputs, to)


def cells(output: Output) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(table, row, column, cell) of a report, in the document's order; a pre-2019 report's 统计表
    as table `legacy_statistics`, rows named by their key or, without one, their indicator."""
    for table in TABLES:
        for row, columns in (output.data.get(table) or {}).items():
            for column, cell in columns.items():
                yield table, row, column, cell
    items = output.data.get(LEGACY) or []
    for item, name in zip(items, legacy_rows(items), strict=True):
        for column in ("year", "cumulative"):
            if item.get(column) is not None:
                yield LEGACY, name, column, item[column]


LEGACY = "legacy_statistics"


def legacy_rows(items: list[dict[str, Any]]) -> list[str]:
    """A name per 统计表 row, unique in the report: its key, else its indicator; a name printed twice
    (被依法纠错数 under 复议 and under 诉讼) takes its parent's before it, then a number."""
    names = [item["key"] or item["indicator"] for item in items]
    names = [
        f"{item['parent']}/{name}" if names.count(name) > 1 and item["parent"] else name
        for item, name in zip(items, names, strict=True)
    ]
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if names.count(name) == 1 else f"{name}#{seen[name]}")
    return out


def flagged_paths(data: dict[str, Any]) -> set[str]:
    """The paths of the cells in needs_review, as `cells` names them (a 统计表 row by its name, not
    its index)."""
    flagged = {item["path"] for item in data.get("needs_review", [])}
    for i, name in enumerate(legacy_rows(data.get(LEGACY) or [])):
        for column in ("year", "cumulative"):
            if f"{LEGACY}.{i}.{column}" in flagged:
                flagged.add(f"{LEGACY}.{name}.{column}")
    return flagged


def cell_fields(
    table: str, row: str, column: str, cell: dict[str, Any], flagged: set[str]
) -> tuple[Any, ...]:
    """What every export says of a cell: where it sits, what was read, how sure, whether flagged, and
    who vouches for the value (`person` when a reviewer decided it, then what it was read as)."""
    flag = f"{table}.{row}.{column}" in flagged
    verified = cell.get("verified", "machine")
    return (
        table, row, column, cell["value"], cell["raw"], cell["confidence"], flag, verified,
        cell.get("corrected_from"),
    )  # fmt: skip


def long_rows(outputs: Outputs) -> Iterator[tuple[Any, ...]]:
    for output in outputs.reports:
        meta = output.meta
        flagged = flagged_paths(output.data)
        for table, row, column, cell in cells(output):
            yield (
                output.file,
                meta.get("agency"),
                meta.get("year"),
                meta.get("template"),
                *cell_fields(table, row, column, cell, flagged),
            )


def wide(outputs: Outputs) -> tuple[list[str], list[list[Any]]]:
    """The request grid, a row per report; columns for the grid rows that some report has."""
    present = {row for output in outputs.reports for row in (output.data.get("requests") or {})}
    keys = [(r, c) for r in get_args(RequestRow) if r in present for c in get_args(RequestColumn)]
    header = ["file", "agency", "year", "template", *(f"{r}.{c}" for r, c in keys)]
    header += ["verified", "corrected_from"]
    rows = []
    for output in outputs.reports:
        grid = output.data.get("requests") or {}
        meta = output.meta
        values = [(grid.get(r) or {}).get(c, {}).get("value") for r, c in keys]
        # The grid's cells a person decided, and what they were read as ("granted.total=1819").
        cells_of = [((grid.get(r) or {}).get(c) or {}, f"{r}.{c}") for r, c in keys]
        verified = " ".join(k for cell, k in cells_of if cell.get("verified") == "person")
        corrected = " ".join(
            f"{k}={'' if cell['corrected_from'] is None else cell['corrected_from']}"
            for cell, k in cells_of
            if "corrected_from" in cell
        )
        about = [output.file, meta.get("agency"), meta.get("year"), meta.get("template")]
        rows.append([*about, *values, verified, corrected])
    return header, rows


def _write_csv(path: Path, header: tuple[str, ...] | list[str], rows: Iterator[Any]) -> int:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    n = 0
    for row in rows:
        writer.writerow(["" if v is None else str(v).lower() if isinstance(v, bool) else v for v in row])
        n += 1
    write_atomic(path, "\ufeff" + buffer.getvalue())
    return n


# --- SQLite ---------------------------------------------------------------------------------------

SCHEMA = """
CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    file TEXT NOT NULL UNIQUE,      -- the input, relative to the batch folder
    status TEXT NOT NULL,           -- ok, partial, failed
    error TEXT,                     -- why it failed
    source_file TEXT, sha256 TEXT, kind TEXT, pages INTEGER,
    title TEXT, agency TEXT, year INTEGER, template TEXT, published TEXT,
    cells_flagged INTEGER, checks_failed INTEGER,
    warnings TEXT                   -- JSON array
);
CREATE TABLE cells (
    report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    tbl TEXT NOT NULL,              -- proactive, requests, review_litigation
    row TEXT NOT NULL,
    column TEXT NOT NULL,
    value NUMERIC,                  -- null for a blank cell, never 0
    raw TEXT NOT NULL,
    confidence REAL NOT NULL,
    flagged INTEGER NOT NULL,       -- 1 when in needs_review
    verified TEXT NOT NULL,         -- person (a reviewer decided the value) or machine
    corrected_from NUMERIC,         -- what the extractor read, where a reviewer corrected it
    page INTEGER,
    bbox TEXT,                      -- JSON [x0, top, x1, bottom]
    reasons TEXT,                   -- JSON array
    PRIMARY KEY (report_id, tbl, row, column)
) WITHOUT ROWID;
CREATE TABLE checks (
    report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    passed INTEGER NOT NULL,
    expected NUMERIC,
    actual NUMERIC,
    cause TEXT,                     -- source or reading, for a failed relation
    cells TEXT NOT NULL,            -- JSON array of cell paths
    PRIMARY KEY (report_id, id)
) WITHOUT ROWID;
CREATE INDEX reports_agency_year ON reports(agency, year);
CREATE INDEX cells_key ON cells(tbl, row, column);
CREATE INDEX cells_flagged ON cells(report_id) WHERE flagged;
CREATE INDEX checks_failed ON checks(cause) WHERE NOT passed;
CREATE VIEW long AS
    SELECT r.file, r.agency, r.year, r.template, c.tbl AS "table", c.row, c.column, c.value, c.raw,
           c.confidence, c.flagged, c.verified, c.corrected_from
    FROM cells c JOIN reports r ON r.id = c.report_id;
"""


def write_sqlite(outputs: Outputs, to: Path) -> int:
    """A fresh database at `to` (replacing any file there); returns the number of cells."""
    with atomic_path(to) as tmp:
        try:
            db = sqlite3.connect(tmp)
            try:
                db.executescript(SCHEMA)
                n = _fill(db, outputs)
                db.commit()
            finally:
                db.close()
        except sqlite3.Error as e:
            raise OutputError(f"{to}: cannot write the database ({e}); choose a writable place") from e
    return n


def _fill(db: sqlite3.Connection, outputs: Outputs) -> int:
    n = 0
    for output in outputs.reports:
        data, meta, source = output.data, output.meta, output.data["source"]
        flagged = flagged_paths(data)
        report_id = db.execute(
            "INSERT INTO reports (file, status, source_file, sha256, kind, pages, title, agency, year,"
            " template, published, cells_flagged, checks_failed, warnings)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                output.file,
                data.get("status", "ok"),
                source["file"],
                source["sha256"],
                source["kind"],
                source["pages"],
                meta.get("title"),
                meta.get("agency"),
                meta.get("year"),
                meta.get("template"),
                meta.get("published"),
                len(data.get("needs_review", [])),
                sum(1 for c in data.get("checks", []) if not c["passed"]),
                json.dumps(data.get("warnings", []), ensure_ascii=False),
            ),
        ).lastrowid
        rows = [
            (
                report_id,
                *cell_fields(table, row, column, cell, flagged),
                cell.get("page"),
                None if cell.get("bbox") is None else json.dumps(cell["bbox"]),
                json.dumps(cell.get("reasons", []), ensure_ascii=False),
            )
            for table, row, column, cell in cells(output)
        ]
        db.executemany("INSERT INTO cells VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        n += len(rows)
        db.executemany(
            "INSERT INTO checks VALUES (?,?,?,?,?,?,?)",
            [
                (
                    report_id,
                    c["id"],
                    c["passed"],
                    c["expected"],
                    c["actual"],
                    c.get("cause"),
                    json.dumps(c["cells"]),
                )
                for c in data.get("checks", [])
            ],
        )
    for entry in outputs.failed:
        db.execute(
            "INSERT INTO reports (file, status, error, sha256) VALUES (?, 'failed', ?, ?)",
            (entry.file, entry.row.get("error", ""), entry.sha256),
        )
    return n


# --- Parquet --------------------------------------------------------------------------------------


def write_parquet(outputs: Outputs, to: Path) -> int:
    """The long form as Parquet (needs pyarrow: `pip install 'extractor[parquet]'`)."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as e:
        raise DependencyMissingError(
            "Parquet needs pyarrow: pip install 'extractor[parquet]' (or export to .csv, .jsonl or .sqlite)"
        ) from e
    schema = pa.schema(
        [
            ("file", pa.string()),
            ("agency", pa.string()),
            ("year", pa.int32()),
            ("template", pa.string()),
            ("table", pa.string()),
            ("row", pa.string()),
            ("column", pa.string()),
            ("value", pa.float64()),
            ("raw", pa.string()),
            ("confidence", pa.float64()),
            ("flagged", pa.bool_()),
            ("verified", pa.string()),
            ("corrected_from", pa.float64()),
        ]
    )
    rows = list(long_rows(outputs))
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in LONG]
    table = pa.table({name: list(values) for name, values in zip(LONG, columns, strict=True)}, schema=schema)
    with atomic_path(to) as tmp:
        pq.write_table(table, tmp)
    return len(rows)
