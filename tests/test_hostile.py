"""Hostile and broken inputs (tests/hostile_inputs.py): each gets a clear answer, a documented exit
code and a message that says what to do; nothing crashes, and a batch over all of them loses nothing."""

from __future__ import annotations

import csv
import errno
import json
import os
import time
from pathlib import Path

import pytest

from extractor import extract
from extractor.batch.atomic import atomic_path
from extractor.batch.run import run_batch
from extractor.cli import main
from extractor.errors import ExitCode, InputTooLargeError, NotAReportError, OutputError
from extractor.ingest import sniff
from extractor.ingest.pdf import _pdfium_pages
from extractor.ingest.scanned import triage
from extractor.limits import check_image
from extractor.pipeline import Settings

from . import hostile_inputs as h
from .conftest import SAMPLES


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(args)
    err = capsys.readouterr().err
    assert "Traceback" not in err or "-v" in args
    return code, err


@pytest.mark.parametrize(
    ("make", "code", "words"),
    [
        (h.empty, ExitCode.INPUT_UNSUPPORTED, "the file is empty; fetch it again"),
        (h.truncated_pdf, ExitCode.INPUT_UNSUPPORTED, "check the file is complete"),
        (h.random_bytes, ExitCode.INPUT_UNSUPPORTED, "not a report file this version reads"),
        (h.user_password_pdf, ExitCode.PASSWORD_REQUIRED, "give it with --password"),
        (h.not_a_report_pdf, ExitCode.NOT_A_REPORT, "check this is a 政府信息公开工作年度报告"),
        (h.huge_image, ExitCode.INPUT_TOO_LARGE, "raise --max-pixels"),
        (h.decompression_bomb, ExitCode.INPUT_TOO_LARGE, "shrink the image"),
    ],
)
def test_refused_with_its_code_and_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: object, code: ExitCode, words: str
) -> None:
    suffix = ".png" if make in (h.huge_image, h.decompression_bomb) else ".pdf"
    path = make(tmp_path / f"input{suffix}")  # type: ignore[operator]
    got, err = _run(["extract", str(path), "-o", str(tmp_path / "out.json")], capsys)
    assert got == code, err
    assert err.startswith("extractor: error: ") and err.count("\n") == 1 and words in err
    assert not (tmp_path / "out.json").exists()


@pytest.mark.parametrize(
    ("make", "name", "words"),
    [
        (h.damaged_page_pdf, "report.pdf", "page 2 of the PDF is damaged and cannot be read"),
        (h.damaged_deflate_docx, "report.docx", "the Word file is damaged, it cannot be unpacked"),
        (h.tiff_frame_without_size, "scan.tif", "a damaged image (Missing dimensions)"),
        (h.truncated_png, "scan.png", "a damaged image (image file is truncated"),
    ],
)
def test_damaged_files_are_refused_as_damaged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: object, name: str, words: str
) -> None:
    """Damage the whole-document fuzzer found escaping as internal errors (exit 1): each is now the
    damaged-file error of the adapter that read it (exit 4), with what is wrong and what to do."""
    path = make(tmp_path / name)  # type: ignore[operator]
    got, err = _run(["extract", str(path)], capsys)
    assert got == ExitCode.INPUT_UNSUPPORTED, err
    assert words in err and "fetch it again" in err and "internal error" not in err


def test_a_huge_span_in_a_word_file_is_capped(tmp_path: Path) -> None:
    from extractor.ingest.docx import MAX_GRID, read_docx

    doc = read_docx(h.huge_span_docx(tmp_path / "span.docx"))
    widest = max(cell.col + cell.colspan for page in doc.pages for t in page.tables for cell in t.cells)
    assert MAX_GRID <= widest <= 2 * MAX_GRID
    assert extract(tmp_path / "span.docx").status == "ok"


@pytest.mark.parametrize("label", ["rot13", "base64", "zlib", "undefined", "utf-16"])
def test_a_web_page_declaring_a_codec_that_is_no_text_encoding(tmp_path: Path, label: str) -> None:
    """Python's codecs include transforms and a codec that always fails; browsers know none of
    them, and read a page declaring UTF-16 as UTF-8: the page is read as it is."""
    report = extract(h.html_declaring(tmp_path / "page.html", label))
    truth = json.loads((SAMPLES / "office_2021.html.json").read_text(encoding="utf-8"))
    assert report.report.agency == truth["report"]["agency"]
    assert report.requests["new_received"]["total"].value == truth["requests"]["new_received"]["total"]


def test_a_word_file_whose_part_unpacks_to_gigabytes_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    got, err = _run(["extract", str(h.docx_bomb(tmp_path / "bomb.docx"))], capsys)
    assert got == ExitCode.INPUT_TOO_LARGE and "unpacks to 4295 MB, over the limit" in err


def test_a_run_of_hundreds_of_digits_is_flagged_not_searched_without_end(tmp_path: Path) -> None:
    """Found by bench/fuzz_docs.py (an input over its time limit): the search for a row's cells that
    sum to a total of up to 200 digits had no budget."""
    report = extract(h.long_digit_run_text(tmp_path / "report.txt"))
    assert any("split too many ways to search; cells flagged" in w for w in report.warnings)
    assert report.needs_review


def test_traceback_only_with_verbose(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = h.empty(tmp_path / "empty.pdf")
    assert main(["extract", str(path)]) == ExitCode.INPUT_UNSUPPORTED
    assert "Traceback" not in capsys.readouterr().err
    assert main(["-v", "extract", str(path)]) == ExitCode.INPUT_UNSUPPORTED
    assert "Traceback" in capsys.readouterr().err


def test_a_file_named_pdf_is_read_as_what_it_is(tmp_path: Path) -> None:
    assert sniff(h.jpeg_named_pdf(tmp_path / "photo.pdf")) == "image"
    with pytest.raises(InputTooLargeError):  # the image path: its limit applies, not the PDF reader
        extract(tmp_path / "photo.pdf", Settings(max_pixels=100))
    report = extract(h.html_named_pdf(tmp_path / "page.pdf"))
    assert report.source.kind == "html" and report.status == "ok"


def test_password(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = h.user_password_pdf(tmp_path / "locked.pdf")
    code, err = _run(["extract", str(path), "--password", "wrong"], capsys)
    assert code == ExitCode.PASSWORD_REQUIRED and "the one given is wrong" in err
    code, _ = _run(["extract", str(path), "--password", h.PASSWORD, "-o", str(tmp_path / "r.json")], capsys)
    assert code == 0
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["sections"]["overview"] and report["report"]["year"] == 2021


def test_owner_password_only_is_read(tmp_path: Path) -> None:
    report = extract(h.owner_password_pdf(tmp_path / "restricted.pdf"))
    assert report.sections.overview is not None and report.report.year == 2021


def test_broken_text_layer_goes_to_ocr(tmp_path: Path) -> None:
    pages = _pdfium_pages(h.broken_text_layer_pdf(tmp_path / "garbled.pdf"), None)
    reasons = triage(["\n".join(line.text for line in p.lines) for p in pages])
    assert reasons == {1: "a text layer that is not text (fonts without a usable ToUnicode map)"}


def test_a_thousand_pages_quickly(tmp_path: Path) -> None:
    path = h.thousand_pages_pdf(tmp_path / "thousand.pdf")
    start = time.perf_counter()
    report = extract(path)
    assert time.perf_counter() - start < 15
    assert report.source.pages == 1000 and report.status == "partial"
    assert any(w.startswith("compilation: the file seems to hold 1000 reports") for w in report.warnings)


def test_pixel_limit_is_configurable(tmp_path: Path) -> None:
    huge = h.huge_image(tmp_path / "huge.png")
    with pytest.raises(InputTooLargeError, match="30000 × 30000"):
        check_image(huge)
    check_image(huge, max_pixels=30_000 * 30_000)  # allowed when the limit says so (never decoded here)
    with pytest.raises(InputTooLargeError):
        check_image(h.decompression_bomb(tmp_path / "bomb.png"), max_pixels=10**10 - 1)


def test_huge_pdf_page_is_not_rendered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import extractor.ingest.scanned as ocr

    def no_ocr(*args: object, **kwargs: object) -> None:
        raise AssertionError("a page over the pixel limit was sent to OCR")

    monkeypatch.setattr(ocr, "ocr_document_pages", no_ocr)
    path = h.text_pdf(tmp_path / "poster.pdf", [["a"]], size=(14_000, 14_000))  # no text: a scan's page
    with pytest.raises(NotAReportError):  # nothing else on it to read
        extract(path)


def test_missing_tables_are_partial_with_warnings(tmp_path: Path) -> None:
    report = extract(h.missing_tables_pdf(tmp_path / "outline.pdf"))
    assert report.status == "partial"
    assert {"proactive: table not found", "requests: table not found"} <= set(report.warnings)


def test_compilation_is_detected(tmp_path: Path) -> None:
    report = extract(h.compilation_md(tmp_path / "two.md"))
    assert report.status == "partial"
    assert any("seems to hold 2 reports" in w for w in report.warnings)
    assert not any("compilation" in w for w in extract(SAMPLES / "office_2021.html").warnings)


def test_html_without_tables(tmp_path: Path) -> None:
    report = extract(h.html_without_tables(tmp_path / "page.html"))
    assert report.status == "partial" and report.sections.overview is not None


def test_gbk_without_declaration(tmp_path: Path) -> None:
    report = extract(h.gbk_text(tmp_path / "gbk.txt"))
    assert report.status == "ok" and report.report.template == "2019" and report.requests


def test_chinese_path_with_spaces(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = h.chinese_path(tmp_path)
    out = tmp_path / "输出 目录" / "报告 1.json"
    assert _run(["extract", str(path), "-o", str(out)], capsys)[0] == 0
    assert json.loads(out.read_text(encoding="utf-8"))["source"]["file"] == path.name


def test_read_only_output_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    if os.access(folder, os.W_OK):  # root writes anywhere: refuse as a read-only file system would
        import tempfile

        def refuse(*args: object, **kwargs: object) -> None:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS))

        monkeypatch.setattr(tempfile, "mkstemp", refuse)
    code, err = _run(["extract", str(h.GOOD_PDF), "-o", str(folder / "r.json")], capsys)
    assert code == ExitCode.OUTPUT_FAILED and "choose a writable place" in err
    assert list(folder.iterdir()) == []


def _summary(out: Path) -> dict[str, dict[str, str]]:
    with (out / "summary.csv").open(encoding="utf-8-sig") as f:
        return {row["file"]: row for row in csv.DictReader(f)}


def test_batch_over_every_hostile_input_loses_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in 输入"
    h.make_all(folder)
    good = ["s01_gov_2021_split4.pdf", "office_2021.docx", "office_2019.html"]
    for name in good:
        (folder / name).write_bytes((SAMPLES / name).read_bytes())
    h.chinese_path(folder)
    out = tmp_path / "out"
    code = main(["batch", str(folder), "-o", str(out), "-j", "2", "--timeout", "120"])
    assert code == ExitCode.BATCH_FAILED
    rows = _summary(out)
    chinese = "政府 信息 公开/2021年 年度报告 (终稿).pdf"
    assert set(rows) == {*h.BATCH, *good, chinese}
    for name, (_, status, words) in h.BATCH.items():
        assert rows[name]["status"] == status, (name, rows[name])
        assert words in rows[name]["error"], (name, rows[name])
    for name in [*good, chinese]:
        assert rows[name]["status"] == "ok"
        assert json.loads((out / f"{name}.json").read_text(encoding="utf-8"))["requests"]
    for name, row in rows.items():
        assert (out / f"{name}.json").exists() == (row["status"] != "failed")
    assert not list(out.rglob("*.tmp"))
    assert "inputs failed" in capsys.readouterr().err


def test_full_disk_during_a_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("s01_gov_2021_split4.pdf", "office_2021.html"):
        (folder / name).write_bytes((SAMPLES / name).read_bytes())
    h.gbk_text(folder / "gbk.txt")
    import extractor.batch.storage as storage  # where the batch writes its outputs

    real = storage.write_atomic

    def disk_full_for_one(path: Path, data: str | bytes) -> None:
        if not h.full_disk_victim(path):
            return real(path, data)
        with atomic_path(path) as tmp:  # the space runs out half-way through the write
            tmp.write_bytes(b'{"half": ')
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(storage, "write_atomic", disk_full_for_one)
    out = tmp_path / "out"
    run = run_batch(folder, out, jobs=1)
    rows = _summary(out)
    assert rows["gbk.txt"]["status"] == "failed"
    assert "gbk.txt.json: cannot write the output (No space left on device)" in rows["gbk.txt"]["error"]
    assert not (out / "gbk.txt.json").exists() and not list(out.rglob("*.tmp"))
    for name in ("s01_gov_2021_split4.pdf", "office_2021.html"):
        assert rows[name]["status"] == "ok"
        assert json.loads((out / f"{name}.json").read_text(encoding="utf-8"))["requests"]
    assert len(run.failed) == 1


def test_a_full_disk_is_an_output_error() -> None:
    assert issubclass(OutputError, OSError) and OutputError("x").exit_code == ExitCode.OUTPUT_FAILED


def hungry(path: Path, settings: Settings) -> object:
    """A reader that needs far more memory for one file than the batch allows."""
    if path.name.startswith("hungry"):
        return bytearray(8 * 1024**3)
    return extract(path, settings)


def _vm_mb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) // 1024
    return 0


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc to size the limit")
def test_memory_ceiling_fails_one_file_not_the_batch(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.html").write_bytes((SAMPLES / "office_2021.html").read_bytes())
    (folder / "hungry.html").write_bytes((SAMPLES / "office_2021.html").read_bytes())
    out = tmp_path / "out"
    run = run_batch(folder, out, jobs=1, max_memory=_vm_mb() + 1024, read=hungry)  # type: ignore[arg-type]
    rows = _summary(out)
    assert rows["good.html"]["status"] == "ok"
    assert rows["hungry.html"]["status"] == "failed"
    assert "needed more memory than the limit" in rows["hungry.html"]["error"]
    assert "--max-memory" in rows["hungry.html"]["error"]
    assert len(run.failed) == 1


class _FullDisk:
    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def flush(self) -> None:
        pass

    def close(self) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_full_disk_for_the_batch_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from extractor.batch.manifest import Manifest

    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("office_2021.html", "office_2019.html", "office_2021.docx"):
        (folder / name).write_bytes((SAMPLES / name).read_bytes())
    real = Manifest.record
    calls: list[object] = []

    def record(self: Manifest, entry: object) -> None:
        calls.append(entry)
        if len(calls) == 2:
            self._log = _FullDisk()  # type: ignore[assignment]
        real(self, entry)  # type: ignore[arg-type]

    monkeypatch.setattr(Manifest, "record", record)
    out = tmp_path / "out"
    with pytest.raises(OutputError, match=r"cannot record the batch's progress \(No space left on device\)"):
        run_batch(folder, out, jobs=1)
    written = list(out.glob("*.json"))
    assert written and not list(out.rglob("*.tmp"))
    for path in written:  # what finished is whole
        assert json.loads(path.read_text(encoding="utf-8"))["requests"]


def test_out_of_memory_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import extractor.pipeline as pipeline

    def exhausted(*args: object, **kwargs: object) -> None:
        raise MemoryError

    monkeypatch.setattr(pipeline, "read_document", exhausted)
    code, err = _run(["extract", str(h.GOOD_PDF)], capsys)
    assert code == ExitCode.INPUT_TOO_LARGE and "ran out of memory" in err and "internal" not in err


def test_a_page_that_is_not_a_report_is_passed_over(tmp_path: Path) -> None:
    cover = h.not_a_report_pdf(tmp_path / "cover.pdf")
    path = h.merged_pdf(tmp_path / "with cover.pdf", [cover, h.GOOD_PDF])
    good = extract(h.GOOD_PDF)
    report = extract(path)
    assert report.status == "ok" and report.source.pages == (good.source.pages or 0) + 1
    values = [
        {r: {c: cell.value for c, cell in cols.items()} for r, cols in x.requests.items()}
        for x in (report, good)
    ]
    assert values[0] == values[1] and values[0]


def test_two_pdf_reports_in_one_file(tmp_path: Path) -> None:
    path = h.merged_pdf(tmp_path / "two.pdf", [h.GOOD_PDF, SAMPLES / "s05_gov_2019_wanyuan.pdf"])
    report = extract(path)
    assert report.status == "partial"
    assert any("seems to hold 2 reports" in w for w in report.warnings)
