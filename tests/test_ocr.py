"""The OCR path, stage by stage, without tesseract: TSV parsing, page triage, ruling lines and cell
grids from drawn images, deskew and keystone, seal removal, cell reading with fake engines (agreement,
disagreement, faults), and the relations that localise a suspect reading."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from extractor import Settings, extract
from extractor.ingest import sniff
from extractor.ingest.scanned import triage
from extractor.model import Cell
from extractor.ocr.arrays import Image
from extractor.ocr.engine import EngineError, Request, image_key, parse_tsv
from extractor.ocr.lines import find_structure, square_up
from extractor.ocr.options import OcrOptions
from extractor.ocr.preprocess import binarize, map_box, to_gray
from extractor.ocr.read import PAD, _halves, _stretched, glyphs, ink_crop, join_han, read_cell
from extractor.validate.checks import localise, run_checks

from .conftest import SAMPLES

# --- step two of the adapter: raw output → words ---------------------------------------------------

TSV = (
    "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
    "1\t1\t0\t0\t0\t0\t0\t0\t200\t60\t-1\t\n"
    "4\t1\t1\t1\t1\t0\t10\t10\t150\t40\t-1\t\n"
    "5\t1\t1\t1\t1\t1\t10\t10\t60\t40\t91.5\t行政\n"
    "5\t1\t1\t1\t1\t2\t80\t10\t80\t40\t88.0\t许可\n"
    "5\t1\t1\t1\t2\t1\t10\t60\t30\t40\t95.0\t \n"
)


def word(text: str, conf: float = 95.0, line: int = 1) -> str:
    return f"5\t1\t1\t1\t{line}\t1\t0\t0\t10\t10\t{conf}\t{text}"


def test_parse_tsv_keeps_words_only() -> None:
    words = parse_tsv(TSV)
    assert [w.text for w in words] == ["行政", "许可"]
    assert words[0].conf == 91.5 and words[1].box == (80, 10, 160, 50)
    assert parse_tsv(word("3985758")) and parse_tsv("garbage\n\n") == []


def test_spaces_between_han_characters_dropped() -> None:
    assert (
        join_han("三 、 收 到 和 处 理 政 府 信 息 公 开 申 请 情 况") == "三、收到和处理政府信息公开申请情况"
    )
    assert join_han("2024 年 收 取 3940 元") == "2024年收取3940元"
    assert join_han("邮编 :223100, 电话") == "邮编:223100,电话"


def test_image_key_depends_on_pixels_and_request() -> None:
    a = np.zeros((10, 10), np.uint8)
    b = a.copy()
    b[3, 3] = 1
    req = Request("eng", 7, "0123456789")
    assert image_key(a, req) == image_key(a.copy(), req)
    assert image_key(a, req) != image_key(b, req)
    assert image_key(a, req) != image_key(a, Request("chi_sim", 7))


# --- page triage and sniffing ----------------------------------------------------------------------


def test_triage_text_scanned_and_broken_pages() -> None:
    text = "一、总体情况 2024年，市政府深入贯彻落实《中华人民共和国政府信息公开条例》，不断提升政务公开质量。"
    garbage = "¿”¿¡fl‹…¿”¿¡fl‹…ÆØ¿”¿¡fl‹…ÆØ¿”¿¡fl‹…¿”¿¡fl‹…"
    needs = triage([text, "", "  \n ", garbage, text])
    assert needs == {2: "no text layer", 3: "no text layer", 4: needs[4]}
    assert "ToUnicode" in needs[4]


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".tif", ".bmp"])
def test_images_are_sniffed_by_content(tmp_path: Path, suffix: str) -> None:
    from PIL import Image as PILImage

    path = tmp_path / f"page.dat{suffix}"
    PILImage.new("L", (20, 20), 255).save(path, format={".jpg": "JPEG", ".tif": "TIFF"}.get(suffix))
    named_wrong = tmp_path / "report.html"
    named_wrong.write_bytes(path.read_bytes())
    assert sniff(path) == "image" and sniff(named_wrong) == "image"


# --- drawn pages: rules, grids, deskew, seal --------------------------------------------------------


def ruled_table(
    rows: list[float], cols: list[float], size: tuple[int, int] = (2480, 1600), open_bottom: bool = False
) -> Image:
    """A white page with a ruled grid; the first row's first two cells merged (no rule between)."""
    w, h = size
    page = np.full((h, w), 255, np.uint8)
    bottom = rows[-1]
    for i, y in enumerate(rows):
        if open_bottom and i == len(rows) - 1:
            continue
        cv2.line(page, (int(cols[0]), int(y)), (int(cols[-1]), int(y)), 0, 4)
    for j, x in enumerate(cols):
        top = rows[1] if j == 1 else rows[0]  # merged header cell over columns 0–1
        cv2.line(page, (int(x), int(top)), (int(x), int(bottom)), 0, 4)
    return page


ROWS = [200.0, 320.0, 420.0, 520.0, 620.0]
COLS = [200.0, 700.0, 1100.0, 1500.0]


def test_ruling_lines_become_a_grid_with_spans() -> None:
    from extractor.grid import table_from_boxes

    page = ruled_table(ROWS, COLS)
    structure = find_structure(binarize(page))
    assert len(structure.tables) == 1
    table = table_from_boxes(structure.tables[0], [], lambda _: (0.0, 0.0), lambda _: "", 1, 6.0)
    assert table is not None and (table.n_rows, table.n_cols) == (4, 3)
    head = table.at(0, 0)
    assert head is not None and head.colspan == 2 and table.at(0, 1) is head


def test_a_table_cut_by_the_page_is_closed() -> None:
    """A scan loses the bottom rule of a table the page cut: the rows above it still count."""
    page = ruled_table(ROWS, COLS, open_bottom=True)
    structure = find_structure(binarize(page))
    assert len(structure.tables) == 1
    tops = sorted({round(b[1]) for b in structure.tables[0]})
    assert len(tops) == 4  # the last row is there, closed where its rules end


def test_two_lone_rules_make_no_table() -> None:
    page = np.full((1600, 2480), 255, np.uint8)
    cv2.line(page, (200, 300), (2200, 300), 0, 4)
    cv2.line(page, (200, 1300), (2200, 1300), 0, 4)
    assert find_structure(binarize(page)).tables == []


def test_square_up_undoes_rotation_and_keystone() -> None:
    page = ruled_table(
        [300.0, 500.0, 900.0, 1400.0, 2000.0, 2600.0], [300.0, 900.0, 1500.0, 2100.0], (2480, 3200)
    )
    src = np.float32([[0, 0], [2480, 0], [2480, 3200], [0, 3200]])
    dst = np.float32([[50, 30], [2430, 0], [2480, 3200], [0, 3180]])
    warp = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(page, warp, (2480, 3200), borderValue=255)
    fix = square_up(binarize(warped))
    assert fix is not None
    # After the fix, each rule's ends line up: the table's corners form a rectangle again.
    corners = [
        map_box(fix @ warp, (x, y, x, y))[:2] for x, y in ((300, 300), (2100, 300), (300, 2600), (2100, 2600))
    ]
    (ax, ay), (bx, by), (cx, cy), (dx, dy) = corners
    assert abs(ay - by) < 2 and abs(cy - dy) < 2 and abs(ax - cx) < 2 and abs(bx - dx) < 2
    assert square_up(binarize(page)) is None  # square already


def test_red_seal_lifted_black_text_kept() -> None:
    page = np.full((600, 600, 3), 235, np.uint8)
    cv2.putText(page, "3985758", (60, 320), cv2.FONT_HERSHEY_SIMPLEX, 2.0, (20, 20, 20), 6)
    cv2.circle(page, (300, 300), 200, (40, 30, 215), 14)  # BGR: seal red, over the number
    cv2.circle(page, (300, 300), 60, (40, 30, 215), -1)
    gray, sealed = to_gray(page)
    assert sealed
    ring = gray[300, 300 + 200]
    assert ring > 200  # the seal is gone
    text = gray[300:330, 60:460]
    assert text.min() < 60  # the number is still black, also where the seal crossed it


# --- reading cells with fake engines ---------------------------------------------------------------


@dataclass
class FakeEngine:
    """Answers by request: a dict from (lang, psm, copies) to the text it reads; copies = how many
    times the number appears side by side in the image (1, 2 or 3)."""

    answers: dict[tuple[str, int], list[str]]
    name: str = "fake"
    fail: bool = False

    def read(self, image: Image, request: Request) -> str:
        if self.fail:
            raise EngineError("crashed")
        texts = self.answers.get((request.lang, request.psm), [""])
        copies = _copies_in(image)
        text = texts[min(copies, len(texts)) - 1]
        return word(text) if text else ""


def _copies_in(image: Image) -> int:
    """How many copies of the glyph group an image holds (runs of inked columns far apart)."""
    cols = (image < 128).any(axis=0)
    runs, inside, gap = 0, False, 0
    for c in cols:
        if c and not inside:
            runs += 1 if gap > 15 or runs == 0 else 0
        gap = 0 if c else gap + 1
        inside = bool(c)
    return max(1, runs)


def digit_crop(digits: int = 2) -> Image:
    crop = np.full((80, 60 + 30 * digits), 255, np.uint8)
    for k in range(digits):
        cv2.rectangle(crop, (30 + 30 * k, 20), (52 + 30 * k, 58), 0, -1)
    return crop


def test_number_read_twice_alike_is_sure() -> None:
    engine = FakeEngine({("chi_sim", 7): ["47"], ("eng", 7): ["47", "4747", "474747"]})
    reading = read_cell(engine, digit_crop(2))
    assert (reading.text, reading.kind) == ("47", "number")
    assert reading.confidence == 0.98  # eng twice and chi_sim agree


def test_number_readings_that_disagree_are_flagged() -> None:
    engine = FakeEngine({("chi_sim", 7): ["49"], ("eng", 7): ["47", "4949", "474747"]})
    reading = read_cell(engine, digit_crop(2))
    assert reading.confidence < 0.8
    assert "disagree" in reading.notes[0] and "'47'" in reading.notes[0]


def test_a_missed_digit_is_settled_by_the_copies() -> None:
    """'12' read '2' alone (a lone glyph lost), '1212' twice and '121212' three times."""
    engine = FakeEngine({("chi_sim", 7): ["12"], ("eng", 7): ["2", "1212", "121212"]})
    reading = read_cell(engine, digit_crop(2))
    assert reading.text == "12" and reading.confidence == 0.9


def test_two_readings_of_the_crop_alone_are_not_enough() -> None:
    """eng and chi_sim on the same crop can share a misreading: a copies reading must agree too."""
    engine = FakeEngine({("chi_sim", 7): ["9"], ("eng", 7): ["9", "", ""]})
    reading = read_cell(engine, digit_crop(1))
    assert reading.text == "9" and reading.confidence < 0.8


def test_a_number_with_its_unit_spaced_out_is_no_label() -> None:
    """chi_sim's '1898 96万元' (the decimal point read as a space) read as a label, and
    its number went out with no note; it is a number, read with eng."""
    engine = FakeEngine({("chi_sim", 7): ["1898 96万元"], ("eng", 7): ["1898.96", "1898.961898.96"]})
    reading = read_cell(engine, digit_crop(8))
    assert reading.kind == "number" and reading.text == "1898.96万元" and reading.agreement != "label"


def test_label_is_read_with_chi_sim() -> None:
    engine = FakeEngine({("chi_sim", 7): ["行 政 许 可"], ("chi_sim", 6): ["行 政 许 可"]})
    crop = np.full((80, 400), 255, np.uint8)
    cv2.rectangle(crop, (30, 20), (370, 58), 0, 3)
    reading = read_cell(engine, crop)
    assert (reading.text, reading.kind) == ("行政许可", "label")


def test_blank_cell_is_blank_not_zero() -> None:
    gray = np.full((300, 300), 255, np.uint8)
    rng = np.random.default_rng(1)
    noisy = (gray.astype(np.int16) - rng.integers(0, 40, gray.shape)).clip(0, 255).astype(np.uint8)
    assert ink_crop(noisy, np.zeros_like(noisy), (0, 0, 300, 300)) is None
    reading = read_cell(FakeEngine({}), None)
    assert reading.text == "" and reading.kind == "blank"


def _faint(text: str, grey: int, seed: int = 0) -> Image:
    """Digits printed in grey with grain on their strokes, as a phone photo of a page shows them."""
    image = np.full((100, 200), 255, np.uint8)
    cv2.putText(image, text, (60, 75), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 0, 4)
    grain = np.random.default_rng(seed).normal(0, 12, image.shape) * (image < 128)
    faint = 255 - (255 - image.astype(float)) * (255 - grey) / 255 + grain
    return np.clip(faint, 0, 255).astype(np.uint8)


def test_faint_grey_print_is_ink_not_specks() -> None:
    """At the fixed ink level, grey digits broke into specks: the cell read as blank, or 12 as 1."""
    for seed in range(3):
        crop = ink_crop(_faint("12", 170, seed), np.zeros((100, 200), np.uint8), (0, 0, 200, 100))
        assert crop is not None and glyphs(crop) == 2
    # Black print is left as it is, and grain alone stays blank.
    black = _faint("12", 0)
    assert np.array_equal(_stretched(black), black)
    grain = np.clip(255 - np.random.default_rng(2).integers(0, 70, (100, 200)), 0, 255).astype(np.uint8)
    assert ink_crop(grain, np.zeros_like(grain), (0, 0, 200, 100)) is None
    # A rule's grey edge along the crop's side, and a speck: no stretch makes them a '1'.
    edge = np.full((110, 130), 255, np.uint8)
    edge[5:105, 124] = 200
    edge[50:52, 60:62] = 150
    assert ink_crop(edge, np.zeros_like(edge), (0, 0, 130, 110)) is None


def test_a_glyphs_grey_fringe_stays_in_the_crop() -> None:
    """A blurred 4's arm is lighter than its stem: a crop cut at the stem read 177 for 477."""
    image = np.full((100, 200), 255, np.uint8)
    cv2.putText(image, "47", (60, 75), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 0, 4)
    cols = np.nonzero((image < 128).any(axis=0))[0]
    left, right = int(cols.min()), int(cols.max()) + 1
    arm = image[:, left : left + 12]
    arm[arm < 128] = 190  # the arm in grey, lighter than the ink level
    crop = ink_crop(image, np.zeros_like(image), (0, 0, 200, 100))
    assert crop is not None and crop.shape[1] - 2 * PAD >= right - left


def test_engine_crash_leaves_an_unsure_cell() -> None:
    reading = read_cell(FakeEngine({}, fail=True), digit_crop(2))
    assert reading.confidence == 0.0 and "failed" in reading.notes[0]


def test_two_digits_that_touch_are_two_glyphs() -> None:
    """A blurred 99 is one piece of ink, wider than tall: every reading of '9' left a digit out."""
    touching = np.full((80, 200), 255, np.uint8)
    cv2.rectangle(touching, (40, 25), (66, 58), 0, 5)
    cv2.rectangle(touching, (66, 25), (92, 58), 0, 5)
    assert glyphs(touching) == 2
    engine = FakeEngine({("chi_sim", 7): ["9"], ("eng", 7): ["9", "99", "999"], ("eng", 10): ["9"]})
    assert read_cell(engine, touching).confidence < 0.8
    assert glyphs(digit_crop(1)) == 1


def test_copies_and_glyphs() -> None:
    assert _halves("1212", 2) == "12" and _halves("3.3", 2) == "3" and _halves("555", 3) == "5"
    assert _halves("5355", 3) is None and _halves("", 2) is None
    assert glyphs(digit_crop(3)) == 3


# --- validation: the suspect is where a failing row and column cross -------------------------------


def _cell(value: int, confidence: float = 0.95) -> Cell:
    return Cell(value=value, raw=str(value), confidence=confidence, page=1, bbox=None, reasons=[])


def test_misread_cell_is_localised_and_a_value_proposed() -> None:
    req = {
        "new_received": {"natural_person": _cell(5), "commercial": _cell(1), "total": _cell(6)},
        "carried_over": {"natural_person": _cell(0), "commercial": _cell(0), "total": _cell(0)},
        "granted": {"natural_person": _cell(8), "commercial": _cell(1), "total": _cell(6)},  # 8: a misread 5
        "total": {"natural_person": _cell(5), "commercial": _cell(1), "total": _cell(6)},
        "carried_forward": {"natural_person": _cell(0), "commercial": _cell(0), "total": _cell(0)},
    }
    tables = {"requests": req}
    checks = run_checks(tables, 0.8, doubt_below=0.98)  # type: ignore[arg-type]
    failed = {c.id for _, c in checks if not c.passed}
    assert failed == {"requests.outcomes.natural_person", "requests.row_total.granted"}
    assert all(c.cause == "reading" for _, c in checks if not c.passed)
    localise(tables, checks, 0.8, flag_unlocalised=True, doubt_below=0.98)  # type: ignore[arg-type]
    suspect = req["granted"]["natural_person"]
    assert suspect.confidence < 0.8 and "5 would satisfy them" in suspect.reasons[-1]
    assert suspect.value == 8  # never overwritten
    assert req["granted"]["commercial"].confidence == 0.95


def test_a_lone_failing_relation_flags_its_unsure_cells() -> None:
    block = {
        "upheld": _cell(10),
        "corrected": _cell(1, 0.9),
        "other": _cell(0),
        "pending": _cell(0),
        "total": _cell(0),
    }
    tables = {"review_litigation": {"review": block}}
    checks = run_checks(tables, 0.8, doubt_below=0.98)  # type: ignore[arg-type]
    localise(tables, checks, 0.8, flag_unlocalised=True, doubt_below=0.98)  # type: ignore[arg-type]
    assert all(c.confidence < 0.8 for c in block.values())
    # Read three times alike by two models: the document's own inconsistency, nothing flagged.
    sure = {
        k: _cell(v, 0.98)
        for k, v in (("upheld", 10), ("corrected", 1), ("other", 0), ("pending", 0), ("total", 0))
    }
    tables = {"review_litigation": {"review": sure}}
    checks = run_checks(tables, 0.8, doubt_below=0.98)  # type: ignore[arg-type]
    localise(tables, checks, 0.8, flag_unlocalised=True, doubt_below=0.98)  # type: ignore[arg-type]
    assert checks[0][1].cause == "source" and all(c.confidence == 0.98 for c in sure.values())


# --- fault injection through the whole run (worker processes) ---------------------------------------


@dataclass(frozen=True)
class Crashing:
    """An engine factory whose engine fails on every image."""

    def __call__(self) -> FakeEngine:
        return FakeEngine({}, fail=True)


@dataclass(frozen=True)
class Garbage:
    """An engine that reads everything as the same nonsense."""

    def __call__(self) -> FakeEngine:
        return FakeEngine(
            {("eng", 7): ["7"], ("chi_sim", 7): ["鬼"], ("chi_sim", 6): ["鬼"], ("chi_sim", 3): ["鬼"]}
        )


@dataclass(frozen=True)
class Dying:
    """A factory whose worker cannot even build its engine."""

    def __call__(self) -> FakeEngine:
        raise OSError("libtesseract.so.5: cannot open shared object file")


def _scan_pdf(tmp_path: Path, pages: int = 2) -> Path:
    """A small image-only PDF: a heading and a ruled table per page."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    for _ in range(pages):
        page = ruled_table(ROWS, COLS, (1240, 1754))
        ok, data = cv2.imencode(".jpg", page)
        assert ok
        p = pdf.new_page(595, 842)
        image = pdfium.PdfImage.new(pdf)
        image.load_jpeg(io.BytesIO(bytes(data)), inline=False, autoclose=True)
        image.set_matrix(pdfium.PdfMatrix().scale(595, 842))
        p.insert_obj(image)
        p.gen_content()
    path = tmp_path / "scan.pdf"
    pdf.save(str(path))
    return path


@pytest.mark.parametrize("factory", [Crashing(), Garbage(), Dying()], ids=["crash", "garbage", "no-engine"])
def test_faulty_engines_never_end_the_run(tmp_path: Path, factory: object) -> None:
    """Each page fails or reads nonsense: the run ends with the documented error for a file with
    no report in it, never with a crash or a hang; any number read is flagged."""
    from extractor.errors import NotAReportError

    path = _scan_pdf(tmp_path)
    settings = Settings(ocr=OcrOptions(engine=factory, workers=2, page_timeout=60))  # type: ignore[arg-type]
    try:
        report = extract(path, settings)
    except NotAReportError:
        return
    tables = (report.proactive, report.requests, report.review_litigation)
    assert all(c.confidence < 0.8 for t in tables for row in t.values() for c in row.values())


def test_pages_read_in_two_tasks_come_out_as_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In worker processes a page is read in two tasks (its tables and cells, then its prose):
    the pages equal those read whole in this process, lines, tables and notes."""
    from extractor.ingest import ocr_pool
    from extractor.ingest.scanned import ocr_document_pages

    queued: list[int] = []
    queue_prose = ocr_pool._queue_prose

    def counted(queue: Any, prose: Any, workers: int) -> None:
        queued.append(prose.number)
        queue_prose(queue, prose, workers)

    monkeypatch.setattr(ocr_pool, "_queue_prose", counted)
    path = _scan_pdf(tmp_path, pages=3)
    whole, _, _ = ocr_document_pages(path, "pdf", [1, 2, 3], OcrOptions(engine=Garbage(), workers=1))
    assert not queued
    split, _, _ = ocr_document_pages(path, "pdf", [1, 2, 3], OcrOptions(engine=Garbage(), workers=2))
    assert sorted(queued) == [1, 2, 3] and split == whole
    assert all(p.tables and p.lines for p in split.values())


def test_prose_tasks_wait_after_the_pages_the_largest_first() -> None:
    from collections import deque

    from extractor.ingest.ocr_pool import _Prose, _queue_prose

    def prose(number: int, ink: int) -> _Prose:
        return _Prose(number, None, 1.0, ink, OcrOptions())

    queue: deque[Any] = deque(["page 5", "page 6"])
    for number, ink in ((1, 10), (2, 30), (3, 20)):
        _queue_prose(queue, prose(number, ink), workers=2)
    assert [t if isinstance(t, str) else t.number for t in queue] == ["page 5", "page 6", 2, 3, 1]
    # No more than two a worker wait: the largest of any more go before the pages.
    for number, ink in ((4, 40), (7, 5)):
        _queue_prose(queue, prose(number, ink), workers=1)
    assert [t if isinstance(t, str) else t.number for t in queue] == [4, 2, 3, "page 5", "page 6", 1, 7]


def test_a_page_that_overruns_its_time_is_given_up(tmp_path: Path) -> None:
    from extractor.ingest.scanned import ocr_document_pages

    path = _scan_pdf(tmp_path, pages=2)
    options = OcrOptions(engine=Slow(), workers=2, page_timeout=2)
    pages, warnings, _ = ocr_document_pages(path, "pdf", [1, 2], options)
    assert set(pages) == {1, 2} and all(not p.tables and not p.lines for p in pages.values())
    assert any("took too long" in w for w in warnings)


@dataclass(frozen=True)
class Slow:
    def __call__(self) -> SlowEngine:
        return SlowEngine()


class SlowEngine:
    name = "slow"

    def read(self, image: Image, request: Request) -> str:
        import time

        time.sleep(5)
        return ""


def test_sample_scans_exist_with_their_truth() -> None:
    from samples.scan import SCANS

    scans = sorted((SAMPLES.parent / "scans").glob("*.pdf"))
    assert len(scans) >= 3
    sources = {f"{s.id}{s.suffix}": s.source for s in SCANS}
    for scan in scans:
        assert Path(f"{scan}.json").exists()
        assert (SAMPLES / sources[scan.name]).exists()
