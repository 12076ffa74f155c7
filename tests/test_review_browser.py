"""`extractor review --serve` in a real browser: Playwright drives the system's Chromium (never a
downloaded one) over a batch of the sample scans, whose truth is known. Every cell in the queue is
decided by keyboard from the truth (Enter when the reading is right, the number and Enter when it is
not, `b` for a blank), then `export` must give the truth in every cell, each decided one
`verified: person`."""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from extractor import extract
from extractor.batch.run import run_batch
from extractor.cli import main
from extractor.model import Report, ReviewItem
from extractor.pipeline import Settings

from .conftest import ROOT
from .test_scans import SAMPLE_SCANS, replay
from .truth import TABLES

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "tests" / "artifacts"  # git-ignored: the screenshot is kept here

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install chromium): skipped"
)


def misread_scans(path: Path, settings: Settings) -> Report:
    """The scan read from its recorded OCR, then two readings made wrong, as a misread would be: a
    flagged number off by 7, and a blank cell read as 0 (flagged). The reviewer must correct both."""
    report = extract(path, replay(path.name))
    numbers = [i for i in report.needs_review if i.value is not None and i.path.startswith("requests.")]
    if not numbers:  # nothing flagged with a number: a number cell read wrong, and flagged as such
        row, column, cell = next(
            (r, c, cell) for r, cols in report.requests.items() for c, cell in cols.items() if cell.value
        )
        cell.confidence, cell.reasons = 0.4, ["OCR readings disagree (made so by the test)"]
        numbers = [ReviewItem(f"requests.{row}.{column}", cell.value, 0.4, cell.reasons)]
        report.needs_review.insert(0, numbers[0])
    item = numbers[0]
    table, row, column = item.path.split(".")
    cell = getattr(report, table)[row][column]
    cell.value = item.value = (cell.value or 0) + 7
    cell.raw = str(cell.value)
    blanks = [(r, c) for r, cols in report.requests.items() for c, cell in cols.items() if cell.value is None]
    if blanks:
        row, column = blanks[0]
        cell = report.requests[row][column]  # type: ignore[index]
        cell.value, cell.raw, cell.confidence = 0, "0", 0.4
        cell.reasons = ["read as 0 where the page may be blank"]
        report.needs_review.append(ReviewItem(f"requests.{row}.{column}", 0, 0.4, cell.reasons))
    return report


def _truth(name: str) -> dict[str, Any]:
    import json

    data: dict[str, Any] = json.loads(
        Path(f"{SAMPLE_SCANS[0].parent / name}.json").read_text(encoding="utf-8")
    )
    return data


def _value(truth: dict[str, Any], path: str) -> Any:
    table, row, column = path.split(".")
    return truth[table][row][column]


def _same(shown: str, want: Any) -> bool:
    return (shown == "blank" and want is None) or (
        want is not None and shown != "blank" and float(shown) == want
    )


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if len(SAMPLE_SCANS) < 3:
        pytest.skip("samples/scans is incomplete: run python -m samples.scan")
    root = tmp_path_factory.mktemp("scans")
    folder = root / "in"
    folder.mkdir()
    for scan in SAMPLE_SCANS:
        shutil.copy(scan, folder / scan.name)
    run = run_batch(folder, root / "out", jobs=2, read=misread_scans)
    assert run.counts["ok"] == len(SAMPLE_SCANS)
    return root / "out"


def _serve(out: Path) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "extractor", "review", str(out), "--serve", "--no-browser"]
    server = subprocess.Popen([*command, "--reviewer", "tester"], stderr=subprocess.PIPE, text=True, env=env)
    assert server.stderr is not None
    line = server.stderr.readline()
    assert line.startswith("review: http://127.0.0.1:"), line
    return server, line.split()[1]


def test_review_by_keyboard_in_chromium_then_export_gives_the_truth(tmp_path: Path, scans: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    server, url = _serve(scans)
    keys: list[tuple[str, str, list[str]]] = []  # (file, path, keystrokes)
    try:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1200, "height": 1400})
            page.goto(url)
            page.wait_for_selector("body[data-ready='1']")
            start = int(page.get_attribute("body", "data-left") or 0)
            assert start >= 3 and page.inner_text("#counter") == f"{start} left"
            assert page.evaluate("document.getElementById('crop').naturalWidth") > 300  # a crop decoded

            # The whole table, the cell highlighted, on demand; arrows move through the queue.
            first = page.get_attribute("#card", "data-path")
            page.keyboard.press("t")
            page.wait_for_selector("#table td.hl")
            assert page.get_attribute("#table td.hl", "data-path") == first
            page.keyboard.press("t")
            page.keyboard.press("ArrowRight")
            page.wait_for_selector("body[data-ready='1']")
            assert page.get_attribute("#card", "data-path") != first or start == 1
            page.keyboard.press("ArrowLeft")
            page.wait_for_selector("body[data-ready='1']")
            assert page.get_attribute("#card", "data-path") == first

            left = start
            while left > 0:
                file = page.get_attribute("#card", "data-file") or ""
                path = page.get_attribute("#card", "data-path") or ""
                shown = page.get_attribute("#card", "data-value") or ""
                want = _value(_truth(file), path)
                if _same(shown, want):
                    pressed = ["Enter"]
                elif want is None:
                    pressed = ["b"]
                else:
                    pressed = [*f"{want:g}", "Enter"]
                for key in pressed:
                    page.keyboard.press(key)
                keys.append((file, path, pressed))
                page.wait_for_function(
                    "(n) => document.body.dataset.left !== n && document.body.dataset.ready === '1'",
                    arg=str(left),
                )
                left = int(page.get_attribute("body", "data-left") or 0)
                assert page.inner_text("#counter") == f"{left} left"
            assert page.is_visible("#done")
            # What s07 prints wrong still fails once its doubtful readings are decided: shown with the
            # relation's cells framed in blue.
            relations = page.locator("img.relcrop")
            assert relations.count() >= 1
            for i in range(relations.count()):
                relations.nth(i).scroll_into_view_if_needed()
                page.wait_for_function("(i) => document.querySelectorAll('img.relcrop')[i].complete", arg=i)
                assert relations.nth(i).evaluate("(img) => img.naturalWidth") > 300
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "review_app.png"), full_page=True)
            browser.close()
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    assert len({k[0] for k in keys}) >= 2  # the queue runs across the batch's files
    assert any(k[2] == ["Enter"] for k in keys)  # a right reading: one keystroke
    assert any(k[2][-1] == "Enter" and len(k[2]) > 1 for k in keys)  # a wrong one: the number, Enter
    assert any(k[2] == ["b"] for k in keys)  # a blank read as 0

    to = tmp_path / "cells.csv"
    assert main(["export", str(scans), "--to", str(to)]) == 0
    with to.open(encoding="utf-8-sig", newline="") as f:
        rows = {(r["file"], r["table"], r["row"], r["column"]): r for r in csv.DictReader(f)}
    decided = {(file, *path.split(".")) for file, path, _ in keys}
    for scan in SAMPLE_SCANS:
        truth = _truth(scan.name)
        for table in TABLES:
            for row, columns in truth[table].items():
                for column, want in columns.items():
                    got = rows[(scan.name, table, row, column)]
                    value = None if got["value"] == "" else float(got["value"])
                    assert value == want, (scan.name, table, row, column, got)
    for key in decided:
        got = rows[key]
        assert got["verified"] == "person", key
        assert got["flagged"] == "false", key
    corrected = [k for k in keys if k[2] != ["Enter"]]
    assert all(rows[(f, *p.split("."))]["corrected_from"] != "" for f, p, _ in corrected)
    assert {r["flagged"] for r in rows.values()} == {"false"}  # nothing left in doubt
    assert len((scans / "corrections.jsonl").read_text(encoding="utf-8").splitlines()) == len(keys)
