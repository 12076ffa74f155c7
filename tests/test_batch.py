"""Batches: `extract_many` and `extractor batch` — parallel, resumable, a failure never stops the rest."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from extractor import extract_many
from extractor.batch.manifest import NAME as MANIFEST
from extractor.batch.progress import BarProgress, LineProgress, progress_for
from extractor.batch.run import run_batch
from extractor.cli import main
from extractor.errors import ExitCode

from .batch_inputs import (
    BROKEN,
    GOOD,
    crash_on_crash,
    hang_on_hang,
    make_folder,
    relative_inputs,
    slow,
    truth,
)
from .conftest import ROOT, SAMPLES
from .truth import differences


def summary(out: Path) -> dict[str, dict[str, str]]:
    with (out / "summary.csv").open(encoding="utf-8-sig", newline="") as f:
        return {row["file"]: row for row in csv.DictReader(f)}


def outputs(out: Path) -> set[str]:
    return {p.relative_to(out).as_posix()[: -len(".json")] for p in out.rglob("*.json")}


def mtimes(out: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in out.rglob("*.json")}


# --- the Python API -------------------------------------------------------------------------------


def test_extract_many_gives_a_result_per_file(tmp_path: Path) -> None:
    folder = make_folder(tmp_path)
    files = [folder / name for name in sorted(relative_inputs())]
    results = {r.path: r for r in extract_many(files, jobs=2)}
    assert set(results) == set(files)
    for path, result in results.items():
        name = path.relative_to(folder).as_posix()
        if name in BROKEN:
            assert result.status == "failed" and result.report is None
            assert BROKEN[name] in result.errors[0] and str(path) not in result.errors[0]
        else:
            assert result.status == "ok" and result.errors == [] and result.report is not None
            assert differences(result.report, truth(name)) == []


def test_a_hung_worker_is_killed_and_the_rest_go_on(tmp_path: Path) -> None:
    for name in ("a.pdf", "hang.pdf", "b.pdf"):
        shutil.copy(SAMPLES / GOOD[0], tmp_path / name)
    start = time.monotonic()
    results = {
        r.path.name: r for r in extract_many(sorted(tmp_path.iterdir()), jobs=2, timeout=2, read=hang_on_hang)
    }
    assert time.monotonic() - start < 20
    assert results["a.pdf"].status == results["b.pdf"].status == "ok"
    assert results["hang.pdf"].status == "failed"
    assert "took longer than 2 s" in results["hang.pdf"].errors[0]


def test_a_crashed_worker_is_replaced(tmp_path: Path) -> None:
    for name in ("crash.pdf", "a.pdf", "b.pdf", "c.pdf"):
        shutil.copy(SAMPLES / GOOD[0], tmp_path / name)
    results = {r.path.name: r for r in extract_many(sorted(tmp_path.iterdir()), jobs=1, read=crash_on_crash)}
    assert results["crash.pdf"].status == "failed"
    assert "worker process died (signal SIGKILL)" in results["crash.pdf"].errors[0]
    assert all(results[n].status == "ok" for n in ("a.pdf", "b.pdf", "c.pdf"))


# --- extractor batch ------------------------------------------------------------------------------


def test_batch_writes_an_output_per_good_input_and_reports_the_broken(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, out = make_folder(tmp_path), tmp_path / "out"
    assert main(["batch", str(folder), "-o", str(out), "--jobs", "2"]) == ExitCode.BATCH_FAILED
    captured = capsys.readouterr()
    assert captured.out == ""  # stdout carries only data; a batch writes none
    good = relative_inputs(broken=False)
    assert outputs(out) == good
    for name in good:
        report = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
        assert report["source"]["file"] == Path(name).name and report["status"] == "ok"
    rows = summary(out)
    assert set(rows) == relative_inputs()  # notes.json and the hidden file are not inputs
    for name, words in BROKEN.items():
        assert rows[name]["status"] == "failed" and words in rows[name]["error"]
        assert f"failed {name}" in captured.err and words in captured.err
    s07 = rows["s07_gov_2021_wrongtotal.pdf"]
    assert (s07["kind"], s07["template"], s07["agency"], s07["year"]) == (
        "pdf-text",
        "2021",
        "清河市人民政府",
        "2021",
    )
    assert (s07["pages"], s07["cells_flagged"], s07["checks_failed"]) == ("4", "0", "2")
    assert float(s07["seconds"]) > 0
    assert rows["sub/office_2021.html"]["pages"] == ""
    # the one-line summary, then the error that says what to do
    last = captured.err.strip().splitlines()[-2:]
    assert last[0].startswith("batch: 9 inputs: 6 ok, 0 partial, 3 failed (9 read now, 0 current")
    assert last[1].startswith("extractor: error: 3 of 9 inputs failed")
    assert not list(out.rglob("*.tmp"))


def test_second_run_does_no_work_and_force_redoes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder, out = make_folder(tmp_path), tmp_path / "out"
    main(["batch", str(folder), "-o", str(out)])
    before, rows = mtimes(out), summary(out)
    capsys.readouterr()
    assert main(["batch", str(folder), "-o", str(out)]) == ExitCode.BATCH_FAILED  # still has failures
    err = capsys.readouterr().err
    assert "(0 read now, 9 current from before)" in err
    assert mtimes(out) == before and summary(out) == rows
    for name in BROKEN:  # named again, with their reason
        assert f"failed (unchanged since an earlier run) {name}: " in err
    assert main(["batch", str(folder), "-o", str(out), "--force"]) == ExitCode.BATCH_FAILED
    assert "(9 read now, 0 current from before)" in capsys.readouterr().err
    assert all(mtimes(out)[name] > t for name, t in before.items())


def test_changed_inputs_are_redone(tmp_path: Path) -> None:
    folder, out = make_folder(tmp_path), tmp_path / "out"
    run_batch(folder, out, jobs=2)
    before = mtimes(out)
    # a broken file fixed, a good one broken, a good one replaced by another report
    shutil.copy(SAMPLES / "s02_bureau_2019_blanks.pdf", folder / "empty.pdf")
    (folder / "s05_gov_2019_wanyuan.pdf").write_bytes(b"")
    shutil.copy(SAMPLES / "s04_gov_2021_dashes.pdf", folder / "s01_gov_2021_split4.pdf")
    run = run_batch(folder, out, jobs=2)
    assert run.fresh == {"empty.pdf", "s05_gov_2019_wanyuan.pdf", "s01_gov_2021_split4.pdf"}
    rows = summary(out)
    assert rows["empty.pdf"]["status"] == "ok" and rows["empty.pdf"]["agency"] == "平阳区人力资源和社会保障局"
    assert rows["s05_gov_2019_wanyuan.pdf"]["status"] == "failed"
    assert not (out / "s05_gov_2019_wanyuan.pdf.json").exists()  # no output of the old file stays
    assert rows["s01_gov_2021_split4.pdf"]["agency"] == "临川县人民政府"
    assert mtimes(out)["s07_gov_2021_wrongtotal.pdf.json"] == before["s07_gov_2021_wrongtotal.pdf.json"]
    # a changed setting makes every output stale
    assert run_batch(folder, out, jobs=2).done == 0
    assert run_batch(folder, out, jobs=2, settings=_settings(0.9)).done == 9


def _settings(threshold: float):  # type: ignore[no-untyped-def]
    from extractor import Settings

    return Settings(review_threshold=threshold)


def test_all_good_exits_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder, out = make_folder(tmp_path, broken=False), tmp_path / "out"
    assert main(["batch", str(folder), "-o", str(out), "-j", "1"]) == ExitCode.OK
    err = capsys.readouterr().err
    assert "batch: 6 inputs: 6 ok, 0 partial, 0 failed" in err and "error" not in err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_a_bar_on_a_terminal_and_lines_elsewhere(tmp_path: Path) -> None:
    assert isinstance(progress_for(io.StringIO()), LineProgress)
    terminal = _Terminal()
    progress = progress_for(terminal)
    assert isinstance(progress, BarProgress)
    run_batch(make_folder(tmp_path, good=GOOD[:2]), tmp_path / "out", progress=progress)
    shown = terminal.getvalue()
    assert "5/5" in shown and "2 ok, 0 partial, 3 failed" in shown and "ETA" in shown
    assert "empty.pdf: the file is empty" in shown  # a failure is printed above the bar


def test_per_file_time_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder, out = make_folder(tmp_path, good=GOOD[:2], broken=False), tmp_path / "out"
    assert main(["batch", str(folder), "-o", str(out), "--timeout", "0.001"]) == ExitCode.BATCH_FAILED
    rows = summary(out)
    assert {r["status"] for r in rows.values()} == {"failed"}
    assert all("took longer than 0.001 s" in r["error"] for r in rows.values())
    assert "give it more time (--timeout)" in capsys.readouterr().err


def test_a_timed_out_file_is_retried_only_with_more_time(tmp_path: Path) -> None:
    folder, out = make_folder(tmp_path, good=GOOD[:2], broken=False), tmp_path / "out"
    first = run_batch(folder, out, jobs=2, timeout=0.3, read=slow)
    assert first.counts["failed"] == 2
    assert run_batch(folder, out, jobs=2, timeout=0.3, read=slow).done == 0
    again = run_batch(folder, out, jobs=2, timeout=30, read=slow)
    assert again.done == 2 and again.counts["ok"] == 2


def test_no_inputs_and_no_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["batch", str(tmp_path), "-o", str(tmp_path / "out")]) == ExitCode.INPUT_MISSING
    assert "no report files" in capsys.readouterr().err
    assert main(["batch", str(tmp_path / "nope"), "-o", str(tmp_path / "out")]) == ExitCode.INPUT_MISSING
    assert main(["batch", str(SAMPLES / GOOD[0]), "-o", str(tmp_path / "out")]) == ExitCode.INPUT_MISSING
    assert "extractor extract" in capsys.readouterr().err


def test_output_folder_that_cannot_be_made(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = make_folder(tmp_path, good=GOOD[:1], broken=False)
    (tmp_path / "taken").write_text("a file", encoding="utf-8")
    assert main(["batch", str(folder), "-o", str(tmp_path / "taken")]) == ExitCode.OUTPUT_FAILED
    assert "cannot make the output folder" in capsys.readouterr().err


def test_output_folder_inside_the_input_folder_is_not_read(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, good=GOOD[:1], broken=False)
    run_batch(folder, folder / "out")
    (folder / "out" / "review.html").write_text("<html></html>", encoding="utf-8")
    run = run_batch(folder, folder / "out")
    assert [r.file for r in run.rows] == [GOOD[0]]


def test_manifest_line_cut_short_is_ignored(tmp_path: Path) -> None:
    folder, out = make_folder(tmp_path, good=GOOD[:2], broken=False), tmp_path / "out"
    run_batch(folder, out)
    manifest = out / MANIFEST
    lines = manifest.read_text(encoding="utf-8").splitlines()
    manifest.write_text(lines[0] + "\n" + lines[1][:40], encoding="utf-8")  # a crash mid-line
    run = run_batch(folder, out)
    assert run.done == 1 and run.skipped == 1


def test_interrupted_batch_keeps_its_outputs_and_a_rerun_completes_it(tmp_path: Path) -> None:
    """Ctrl-C (SIGINT to the whole process group, as a terminal sends it) mid-batch, then a rerun."""
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    pdfs = sorted(SAMPLES.glob("s0*.pdf"))
    for i in range(60):
        shutil.copy(pdfs[i % len(pdfs)], folder / f"r{i:02}.pdf")
    command = [sys.executable, "-m", "extractor", "batch", str(folder), "-o", str(out), "--jobs", "2"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, start_new_session=True, env=env)
    deadline = time.monotonic() + 60
    while len(list(out.glob("r*.pdf.json"))) < 5 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == ExitCode.INTERRUPTED, err
    assert "interrupted" in err and "rerun the same command" in err
    written = list(out.glob("r*.pdf.json"))
    assert 5 <= len(written) < 60
    for path in written:  # every output there is whole
        assert json.loads(path.read_text(encoding="utf-8"))["schema_version"] == "1"
    assert not list(out.rglob("*.tmp"))
    # what the batch recorded as done (an output written in the instant of the interrupt may not be)
    recorded = {name: (out / f"{name}.json").stat().st_mtime_ns for name in summary(out)}
    assert len(written) - 2 <= len(recorded) <= len(written)

    rerun = subprocess.run(command, stderr=subprocess.PIPE, text=True, env=env, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert f"({60 - len(recorded)} read now, {len(recorded)} current from before)" in rerun.stderr
    assert len(list(out.glob("r*.pdf.json"))) == 60 and len(summary(out)) == 60
    assert all((out / f"{name}.json").stat().st_mtime_ns == t for name, t in recorded.items())  # not redone


# --- the shared corpus ----------------------------------------------------------------------------


@pytest.mark.corpus
def test_batch_over_the_corpus_matches_ground_truth_in_sqlite(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The corpus and broken files: an output per good input, the broken named, SQL equals the truth."""
    import sqlite3

    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    docs = sorted(p for p in (corpus / "docs").iterdir() if p.is_file())
    for doc in docs:
        (folder / doc.name).symlink_to(doc)
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "random.pdf").write_bytes(os.urandom(4000).replace(b"%PDF-", b"xxxxx"))
    (folder / "truncated.pdf").write_bytes((corpus / "docs" / "001_hongzequ_2023.pdf").read_bytes()[:5000])
    assert main(["batch", str(folder), "-o", str(out)]) == ExitCode.BATCH_FAILED
    err = capsys.readouterr().err
    rows = summary(out)
    assert set(rows) == {d.name for d in docs} | {"empty.pdf", "random.pdf", "truncated.pdf"}
    for name in ("empty.pdf", "random.pdf", "truncated.pdf"):
        assert rows[name]["status"] == "failed" and rows[name]["error"] and f"failed {name}" in err
    for name, row in rows.items():  # an output for every input that did not fail, none for the others
        assert (out / f"{name}.json").exists() == (row["status"] != "failed")
    for doc in docs:  # every text PDF, web page and text file of the corpus is read
        if "scan" not in doc.name:
            assert rows[doc.name]["status"] in ("ok", "partial"), rows[doc.name]

    assert main(["batch", str(folder), "-o", str(out)]) == ExitCode.BATCH_FAILED
    assert "0 read now" in capsys.readouterr().err

    db = tmp_path / "corpus.sqlite"
    assert main(["export", str(out), "--to", str(db)]) == 0
    con = sqlite3.connect(db)
    compared = 0
    for gt in sorted((corpus / "gt").glob("*.json")):
        name = gt.name[: -len(".json")]
        if Path(name).suffix not in (".pdf", ".html") or rows.get(name, {}).get("status") not in (
            "ok",
            "partial",
        ):
            continue
        want = json.loads(gt.read_text(encoding="utf-8"))
        got = {
            (t, r, c): v
            for t, r, c, v in con.execute(
                "SELECT tbl, row, column, value FROM cells JOIN reports ON reports.id = cells.report_id "
                "WHERE reports.file = ?",
                (name,),
            )
        }
        for table in ("proactive", "requests", "review_litigation"):
            for row, columns in want[table].items():
                for column, value in columns.items():
                    assert got[(table, row, column)] == value, f"{name}: {table}.{row}.{column}"
                    compared += 1
        meta = con.execute("SELECT agency, year, template FROM reports WHERE file = ?", (name,)).fetchone()
        assert meta == (want["report"]["agency"], want["report"]["year"], want["report"]["template"])
    assert compared > 300
    failed = con.execute("SELECT count(*) FROM reports WHERE status = 'failed'").fetchone()[0]
    assert failed == sum(1 for r in rows.values() if r["status"] == "failed")
