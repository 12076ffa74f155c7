"""The command line, in process: stdout carries only data, errors are one line with a documented code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractor.cli import app, main
from extractor.errors import ExitCode

from .conftest import ROOT, SAMPLES

SAMPLE = sorted(SAMPLES.glob("*.pdf"))[0]


def test_extract_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(SAMPLE)]) == 0
    out = capsys.readouterr().out
    report = json.loads(out)
    assert report["schema_version"] == "1" and report["source"]["file"] == SAMPLE.name
    assert "\\u" not in out  # Chinese is written as is (ensure_ascii=False)


def test_extract_to_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "deep" / "r.json"
    assert main(["extract", str(SAMPLE), "-o", str(out), "--compact"]) == 0
    assert capsys.readouterr().out == ""
    assert json.loads(out.read_text(encoding="utf-8"))["requests"]
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1


def test_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert {"source", "report", "requests", "checks", "needs_review"} <= set(schema["properties"])


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    out = capsys.readouterr().out
    for name in ("extractor", "pdfplumber", "tesseract", "rapidocr", "python"):
        assert out.count(f"{name} ") >= 1


@pytest.mark.parametrize("stage", ["sections", "tables", "grid"])
def test_debug_stages(stage: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["debug", str(SAMPLE), "--stage", stage]) == 0
    dumped = json.loads(capsys.readouterr().out)
    assert dumped["kind"] == "pdf-text"
    assert dumped["sections" if stage == "sections" else "tables"]


def test_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", "no-such-report.pdf"]) == ExitCode.INPUT_MISSING
    err = capsys.readouterr().err
    assert err.startswith("extractor: error: ") and err.count("\n") == 1 and "Traceback" not in err


def test_not_a_pdf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bogus = tmp_path / "report.pdf"
    bogus.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    assert main(["extract", str(bogus)]) == ExitCode.INPUT_UNSUPPORTED
    assert "report.pdf" in capsys.readouterr().err


def test_empty_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    assert main(["extract", str(empty)]) == ExitCode.INPUT_UNSUPPORTED
    assert "empty" in capsys.readouterr().err


def test_truncated_pdf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(SAMPLE.read_bytes()[:3000])
    assert main(["extract", str(cut)]) in (ExitCode.INPUT_UNSUPPORTED, ExitCode.NOT_A_REPORT)
    assert "Traceback" not in capsys.readouterr().err


def test_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract"]) == ExitCode.USAGE
    assert main(["extract", str(SAMPLE), "--threshold", "7"]) == ExitCode.USAGE


def test_every_command_is_documented() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in app.registered_commands:
        name = command.name or (command.callback.__name__ if command.callback else "")
        assert f"extractor {name}" in readme, f"README does not show `extractor {name}`"
    for code in ExitCode:
        assert f"| {int(code)} " in readme, f"README does not document exit code {int(code)}"


def test_extract_on_a_folder_points_to_batch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(tmp_path)]) == ExitCode.INPUT_MISSING
    err = capsys.readouterr().err
    assert f"extractor batch {tmp_path} -o" in err and len(err.strip().splitlines()) == 1
