"""Folders to run batches on: bundled samples plus broken files, and stand-in readers for faults.

The readers are module-level functions, so worker processes can import them by name.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from pathlib import Path
from typing import Any

from extractor import extract
from extractor.model import Report
from extractor.pipeline import Settings

from .conftest import SAMPLES

# A few of every kind: text PDFs (one with a source error), a web page, a Word file.
GOOD = [
    "s01_gov_2021_split4.pdf",
    "s03_gov_hybrid_failure.pdf",
    "s05_gov_2019_wanyuan.pdf",
    "s07_gov_2021_wrongtotal.pdf",
    "office_2021.html",
    "office_2019.docx",
]
# Broken inputs and the words their reason must hold.
BROKEN = {"empty.pdf": "empty", "random.pdf": "not a report file", "sub/truncated.pdf": "cannot be opened"}


def make_folder(root: Path, good: list[str] = GOOD, broken: bool = True) -> Path:
    """`root/in`: samples (the web page and the Word file in `sub/`), and the broken files."""
    folder = root / "in"
    (folder / "sub").mkdir(parents=True)
    for name in good:
        place = folder / "sub" if name.startswith("office") else folder
        shutil.copy(SAMPLES / name, place / name)
    if broken:
        (folder / "empty.pdf").write_bytes(b"")
        (folder / "random.pdf").write_bytes(os.urandom(4000).replace(b"%PDF-", b"xxxxx"))
        (folder / "sub" / "truncated.pdf").write_bytes((SAMPLES / GOOD[0]).read_bytes()[:4000])
    (folder / "notes.json").write_text("{}", encoding="utf-8")  # not a report file: not picked up
    (folder / ".hidden.pdf").write_bytes(b"")  # hidden: not picked up
    return folder


def relative_inputs(good: list[str] = GOOD, broken: bool = True) -> set[str]:
    names = {f"sub/{n}" if n.startswith("office") else n for n in good}
    return names | (set(BROKEN) if broken else set())


def truth(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SAMPLES / f"{Path(name).name}.json").read_text(encoding="utf-8"))
    return data


# --- stand-in readers (run in worker processes) ---------------------------------------------------


def hang_on_hang(path: Path, settings: Settings) -> Report:
    """Hangs (for a minute) on files whose name starts with 'hang'; reads the others."""
    if path.name.startswith("hang"):
        time.sleep(60)
    return extract(path, settings)


def crash_on_crash(path: Path, settings: Settings) -> Report:
    """Kills its own process on files whose name starts with 'crash', as a segfault in a library would."""
    if path.name.startswith("crash"):
        os.kill(os.getpid(), signal.SIGKILL)
    return extract(path, settings)


def slow(path: Path, settings: Settings) -> Report:
    """Takes a second more than it needs."""
    time.sleep(1.0)
    return extract(path, settings)


def doubtful(path: Path, settings: Settings) -> Report:
    """Reads the file, then doubts three cells as a reading problem would (for the review)."""
    report = extract(path, settings)
    from extractor.model import Check, ReviewItem

    picks = [
        ("requests", "granted", "total", 0.3),
        ("requests", "new_received", "natural_person", 0.55),
        ("review_litigation", "review", "upheld", 0.7),
    ]
    for table, row, col, confidence in picks:
        cell = getattr(report, table)[row][col]
        cell.confidence = confidence
        cell.reasons = ["row label matched loosely"]
        if row == "granted":
            proposed = cell.value + 1
            cell.reasons.append(
                f"breaks requests.outcomes.total, requests.row_total.granted; {proposed} would satisfy them"
            )
        report.needs_review.append(ReviewItem(f"{table}.{row}.{col}", cell.value, confidence, cell.reasons))
    report.needs_review.sort(key=lambda item: item.confidence)
    report.checks.append(
        Check("requests.outcomes.total", False, 10, 11, ["requests.granted.total"], cause="reading")
    )
    return report


def doubtful_once(path: Path, settings: Settings) -> Report:
    """As `doubtful`, without its second check of the same id (a database keys checks by id)."""
    report = doubtful(path, settings)
    report.checks.pop()
    return report


def replayed(path: Path, settings: Settings) -> Report:
    """Reads the file, a scan with the OCR recorded for it in tests/fixtures/ocr when there is a
    recording (tesseract for what it lacks): the same reading wherever it runs, in a fraction of the time."""
    from dataclasses import replace

    from extractor.ocr.options import OcrOptions, Recorded

    recording = Path(__file__).resolve().parent / "fixtures" / "ocr" / f"{path.name}.json"
    if recording.is_file():
        engine = Recorded(str(recording), fallback=True)
        settings = replace(settings, ocr=OcrOptions(engine=engine, workers=1))
    return extract(path, settings)
