"""Pages the wrong way up: the orientation cues, OSD when they are unclear, and boxes that still
point into the page as rendered; end to end on the sideways, upside-down and landscape samples."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from extractor import extract
from extractor.ocr import orient
from extractor.ocr.arrays import Image
from extractor.ocr.engine import Request
from extractor.ocr.preprocess import binarize, map_box, prepare

from .conftest import SAMPLES
from .test_scans import SCANS, replay, score

PROSE = "本机关坚持以人民为中心，依法做好政府信息公开工作。全年共收到申请一百件，办结九十件，结转十件。"


def _page(text: bool = True, table: bool = False) -> Image:
    """An A4 page at 300 dpi: lines of prose with punctuation, and/or a ruled table of numbers."""
    from PIL import Image as PILImage
    from PIL import ImageDraw, ImageFont

    from samples.render_pdf import FONTS, _font_file

    font = ImageFont.truetype(_font_file("wqy-zenhei"), 42, index=FONTS["wqy-zenhei"][2])
    img = PILImage.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(img)
    y = 300
    for i in range(24 if text else 0):
        draw.text((250, y), (PROSE * 2)[i % 7 : i % 7 + 44], font=font, fill=0)
        y += 75
    if table:
        top = y + 100
        for r in range(16):
            draw.line((250, top + 90 * r, 2230, top + 90 * r), fill=0, width=4)
        for x in range(250, 2231, 220):
            draw.line((x, top, x, top + 90 * 15), fill=0, width=4)
        for r in range(15):
            draw.text((300, top + 90 * r + 20), "行政许可事项", font=font, fill=0)
            for c in range(2, 9):
                draw.text((250 + 220 * c + 60, top + 90 * r + 20), str(17 * r + c), font=font, fill=0)
    return np.asarray(img)


def _turned(image: Image, degrees: int) -> Image:
    """The page as a scanner fed it turned `degrees` counter-clockwise."""
    return np.ascontiguousarray(np.rot90(image, degrees // 90))


@dataclass
class OsdEngine:
    """Answers the orientation question as tesseract would (its clockwise degrees), and counts."""

    clockwise: int
    conf: float = 8.0
    asked: list[Request] = field(default_factory=list)
    name: str = "fake"

    def read(self, image: Image, request: Request) -> str:
        self.asked.append(request)
        return f"osd\t{self.clockwise}\t{self.conf:.2f}\tHan\t1.00" if request.psm == 0 else ""


@pytest.fixture(scope="module")
def prose() -> Image:
    return _page()


@pytest.mark.parametrize("degrees", [0, 90, 180, 270])
def test_cues_tell_how_a_page_of_prose_is_turned(prose: Image, degrees: int) -> None:
    engine = OsdEngine(clockwise=0)
    found = orient.detect(binarize(_turned(prose, degrees)), engine, _turned(prose, degrees))
    assert (found.degrees, found.how) == (degrees, "cues")
    assert engine.asked == []  # clear cues: OSD is not asked


def test_osd_chooses_between_the_ends_of_the_axis_the_cues_found() -> None:
    table = _page(text=False, table=True)  # numbers and short labels: no punctuation to vote
    turned = _turned(table, 180)
    engine = OsdEngine(clockwise=180)
    found = orient.detect(binarize(turned), engine, turned)
    assert (found.degrees, found.how) == (180, "osd") and len(engine.asked) == 1
    # OSD naming the other axis than the lines' is not taken: the page stays as it is.
    contrary = orient.detect(binarize(table), OsdEngine(clockwise=90), table)
    assert (contrary.degrees, contrary.how) == (0, "unsure")
    # Nor an answer it is unsure of.
    weak = orient.detect(binarize(turned), OsdEngine(clockwise=180, conf=0.3), turned)
    assert (weak.degrees, weak.how) == (0, "unsure")


def test_an_upright_table_of_vertical_headers_is_not_turned() -> None:
    """Section 四's narrow header cells, one character a line, look like lines up and down; OSD
    saying the page is upright (the other axis) leaves it as it is, and so does no answer."""
    from PIL import Image as PILImage
    from PIL import ImageDraw, ImageFont

    from samples.render_pdf import FONTS, _font_file

    font = ImageFont.truetype(_font_file("wqy-zenhei"), 42, index=FONTS["wqy-zenhei"][2])
    img = PILImage.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(img)
    for c in range(16):
        x = 200 + 130 * c
        draw.line((x, 400, x, 1200), fill=0, width=4)
        for k, ch in enumerate("结果维持纠正"):
            draw.text((x + 40, 430 + 46 * k), ch, font=font, fill=0)
        draw.text((x + 35, 1100), str(c % 10), font=font, fill=0)
    draw.line((200, 400, 2150, 400), fill=0, width=4)
    draw.line((200, 1200, 2150, 1200), fill=0, width=4)
    page = np.asarray(img)
    assert orient.axis(orient._without_rules(*orient._reduced(binarize(page))))[0] == "v"
    for engine in (OsdEngine(clockwise=0), OsdEngine(clockwise=90, conf=0.2), None):
        assert orient.detect(binarize(page), engine, page).degrees == 0


def test_two_lines_of_small_print_run_together_are_not_marks_at_the_head() -> None:
    """A table header's words wrapped in small print (结果维 over 持) make one band of two lines:
    the upper line's glyphs are small pieces at the band's head, many of them, where a line's
    punctuation is a few. An upright page was turned 180° by them; they vote for nothing."""
    ink = np.zeros((700, 1000), np.uint8)  # the reduced page, ink 255
    for line in range(6):  # lines of prose: glyphs a line tall, no punctuation
        y = 40 + 50 * line
        for c in range(30):
            ink[y : y + 24, 20 + 30 * c : 44 + 30 * c] = 255
    for row in range(2):  # two header rows, each an upper line of small glyphs and a lower one
        y = 400 + 80 * row
        for c in range(30):
            x = 20 + 30 * c
            ink[y : y + 7, x : x + 7] = 255
            if c % 3 == 0:
                ink[y + 7 : y + 20, x + 12 : x + 24] = 255
    assert orient.flip_votes(ink) == (0, 0)
    # The same glyphs as punctuation, a few in a line, still vote.
    marks = ink.copy()
    marks[400:] = 0
    for line in range(6):
        y = 40 + 50 * line
        marks[y + 18 : y + 24, 20 + 30 * 30 : 26 + 30 * 30] = 255
    assert orient.flip_votes(marks)[0] >= 6


def test_a_blank_page_stays_as_it_is() -> None:
    blank = np.full((3508, 2480), 255, np.uint8)
    found = orient.detect(binarize(blank), OsdEngine(clockwise=90), blank)
    assert found.degrees == 0 or found.how == "osd"
    assert orient.detect(binarize(blank)).degrees == 0


def test_parse_osd_gives_the_counter_clockwise_turn() -> None:
    assert orient.parse_osd("osd\t90\t12.50\tHan\t3.00") == (270, 12.5)
    assert orient.parse_osd("osd\t0\t1.00\tLatin\t0.5") == (0, 1.0)
    assert orient.parse_osd("") is None and orient.parse_osd("osd\t45\t3\tHan\t1") is None


@pytest.mark.parametrize("degrees", [0, 90, 180, 270])
def test_rotation_matrix_maps_pixels_as_the_turn_does(degrees: int) -> None:
    h, w = 5, 8
    image = np.arange(h * w).reshape(h, w)
    turned = orient.turn(image, degrees)
    m = orient.rotation_matrix(degrees, w, h)
    for y in range(h):
        for x in range(w):
            tx, ty, _ = m @ np.array([x, y, 1.0])
            assert turned[round(ty), round(tx)] == image[y, x]


def test_prepare_turns_the_page_and_maps_boxes_back(prose: Image) -> None:
    sideways = _turned(prose, 90)
    work = prepare(sideways, 300)
    assert work.gray.shape == prose.shape and any("turned 90°" in n for n in work.notes)
    # A box in the upright working image maps into the sideways source where that ink is.
    x0, y0, x1, y1 = map_box(work.to_source, (250, 300, 1000, 360))
    h = prose.shape[0]
    assert abs(x0 - 300) < 8 and abs(x1 - 360) < 8
    assert abs(y0 - (prose.shape[1] - 1000)) < 8 and abs(y1 - (prose.shape[1] - 250)) < 8
    assert 0 <= x0 < x1 <= h


# --- end to end on the samples ---------------------------------------------------------------------

TURNED = {
    # sample → (source text PDF, pages turned, degrees counter-clockwise)
    "s08_gov_2021_dashes_sideways.pdf": ("s04_gov_2021_dashes.pdf", None, 90),
    "s09_gov_2019_wanyuan_sideways.pdf": ("s05_gov_2019_wanyuan.pdf", None, 270),
    "s10_bureau_2025_big_upside_down.pdf": ("s06_bureau_2025_big.pdf", (2, 3, 4), 180),
}


def _to_turned(box: list[float], degrees: int, size: tuple[float, float]) -> tuple[float, float]:
    """The centre of a box of the upright page (w × h points) on the page turned `degrees`."""
    w, h = size
    x, y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return {0: (x, y), 90: (y, w - x), 180: (w - x, h - y), 270: (h - y, x)}[degrees]


def _cells(report: Any) -> dict[str, Any]:
    return {
        f"{t}.{r}.{c}": cell
        for t in ("proactive", "requests", "review_litigation")
        for r, cols in getattr(report, t).items()
        for c, cell in cols.items()
    }


@pytest.mark.parametrize("name", sorted(TURNED))
def test_turned_samples_are_read_and_boxes_point_into_the_scan(name: str) -> None:
    source, pages, degrees = TURNED[name]
    sample = SCANS / name
    truth = json.loads(Path(f"{sample}.json").read_text(encoding="utf-8"))
    report = extract(sample, replay(name))
    n, wrong_flagged, wrong_unflagged = score(report, truth)
    assert wrong_unflagged == [] and n - len(wrong_flagged) >= 0.995 * n
    assert report.status == "ok", report.warnings
    turned = {int(w.split(":")[0].split()[1]) for w in report.warnings if "turned" in w}
    assert turned == set(pages or range(1, (report.source.pages or 0) + 1))
    assert all(f"turned {degrees}° clockwise" in w for w in report.warnings if "turned" in w)
    # Every cell's box, on the page as rendered, is where the same cell of the upright text PDF
    # lands once turned the way the scanner fed it.
    upright = _cells(extract(SAMPLES / source))
    for path, cell in _cells(report).items():
        ref = upright[path]
        assert cell.page == ref.page and cell.bbox is not None and ref.bbox is not None
        turn = degrees if pages is None or cell.page in pages else 0
        x, y = _to_turned(ref.bbox, turn, (595.28, 841.89))
        assert abs((cell.bbox[0] + cell.bbox[2]) / 2 - x) < 10, path
        assert abs((cell.bbox[1] + cell.bbox[3]) / 2 - y) < 10, path


# --- the corpus's scans, fed the wrong way -----------------------------------------------------------

CORPUS_TURNED = {
    # scan → (ground truth, degrees counter-clockwise, pages turned: None for all)
    "001_hongzequ_2023_scan300.pdf": ("001_hongzequ_2023.pdf.json", 90, None),
    "003_huaianshi_2024_scan300.pdf": ("003_huaianshi_2024.pdf.json", 180, (2, 4, 5)),
}


def _feed_turned(source: Path, out: Path, degrees: int, pages: tuple[int, ...] | None) -> None:
    """`source` scanned again at 200 dpi with the chosen pages turned, as image-only PDF pages."""
    import pypdfium2 as pdfium

    from samples.scan import _image_page, jpeg, turned

    src, pdf = pdfium.PdfDocument(str(source)), pdfium.PdfDocument.new()
    try:
        for i in range(len(src)):
            page = src[i]
            image = np.array(page.render(scale=200 / 72, grayscale=True).to_numpy(), dtype=np.uint8)
            w, h = page.get_size()
            if pages is None or i + 1 in pages:
                image = turned(image[:, :, 0] if image.ndim == 3 else image, degrees)
                w, h = (h, w) if degrees % 180 else (w, h)
            _image_page(pdf, jpeg(image, 60), (w, h), i)
        pdf.save(str(out))
    finally:
        src.close()
        pdf.close()


@pytest.mark.corpus
@pytest.mark.parametrize("name", sorted(CORPUS_TURNED))
def test_corpus_scans_fed_the_wrong_way(corpus: Path, tmp_path: Path, name: str) -> None:
    """Real reports (WPS fonts, never seen as samples) scanned sideways or with pages upside down."""
    gt, degrees, pages = CORPUS_TURNED[name]
    path = tmp_path / name.replace(".pdf", f"_turned{degrees}.pdf")
    _feed_turned(corpus / "docs" / name, path, degrees, pages)
    report = extract(path, replay(path.name))
    n, wrong_flagged, wrong_unflagged = score(report, json.loads((corpus / "gt" / gt).read_text("utf-8")))
    assert wrong_unflagged == [] and n - len(wrong_flagged) >= 0.995 * n
    turned = {int(w.split(":")[0].split()[1]) for w in report.warnings if f"turned {degrees}°" in w}
    assert turned == set(pages or range(1, (report.source.pages or 0) + 1))


def test_landscape_table_pages_in_a_portrait_scan() -> None:
    name = "s12_gov_hybrid_landscape_table.pdf"
    sample = SCANS / name
    truth = json.loads(Path(f"{sample}.json").read_text(encoding="utf-8"))
    report = extract(sample, replay(name))
    n, wrong_flagged, wrong_unflagged = score(report, truth)
    assert wrong_unflagged == [] and n - len(wrong_flagged) >= 0.995 * n
    turned = {int(w.split(":")[0].split()[1]) for w in report.warnings if "turned 270°" in w}
    # The table's pages, and only they, were turned; the portrait pages are read as they are.
    assert turned == {c.page for row in report.requests.values() for c in row.values()}
    assert not any("turned" in w for w in report.warnings if "turned 270°" not in w)
    cells = _cells(report).values()
    assert all(c.bbox is not None and c.bbox[2] <= 595.5 and c.bbox[3] <= 842 for c in cells)


def test_unreadable_request_header_sample_is_exact() -> None:
    name = "s11_gov_2021_split4_smudged_header.pdf"
    sample = SCANS / name
    truth = json.loads(Path(f"{sample}.json").read_text(encoding="utf-8"))
    report = extract(sample, replay(name))
    n, wrong_flagged, wrong_unflagged = score(report, truth)
    assert wrong_unflagged == [] and n - len(wrong_flagged) >= 0.995 * n
    assert all(len(row) == 7 for row in report.requests.values())
    assert any("placed at the template's positions" in w for w in report.warnings)


def test_landscape_table_pages_in_a_text_pdf(tmp_path: Path) -> None:
    """The landscape sample's source, as the text PDF it was drawn as: section 三 on landscape pages."""
    from samples.scan import SCANS as SCAN_SPECS
    from samples.scan import redraw

    spec = next(s for s in SCAN_SPECS if s.id == "s12_gov_hybrid_landscape_table")
    path, truth = redraw(spec, SAMPLES, tmp_path)
    report = extract(path)
    n, wrong_flagged, wrong_unflagged = score(report, truth)
    assert (n, wrong_flagged, wrong_unflagged) == (186, [], [])
    cells = [c for row in report.requests.values() for c in row.values()]
    assert max(c.bbox[2] for c in cells if c.bbox) > 700  # the table is wider than a portrait page


def _ruled_table_page() -> Image:
    """A page with a ruled table of template labels and numbers, and no prose."""
    from PIL import Image as PILImage
    from PIL import ImageDraw, ImageFont

    from samples.render_pdf import FONTS, _font_file

    font = ImageFont.truetype(_font_file("wqy-zenhei"), 40, index=FONTS["wqy-zenhei"][2])
    labels = [
        "一、本年新收政府信息公开申请数量",
        "二、上年结转政府信息公开申请数量",
        "（一）予以公开",
        "（二）部分公开",
    ]
    img = PILImage.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(img)
    top, left, cols = 600, 150, [150, 1050, 1400, 1750, 2100]
    for r in range(len(labels) + 1):
        draw.line((left, top + 120 * r, cols[-1], top + 120 * r), fill=0, width=4)
    for x in cols:
        draw.line((x, top, x, top + 120 * len(labels)), fill=0, width=4)
    for r, label in enumerate(labels):
        draw.text((cols[0] + 20, top + 120 * r + 38), label, font=font, fill=0)
        for c in range(3):
            draw.text((cols[c + 1] + 120, top + 120 * r + 38), str(7 * r + c + 3), font=font, fill=0)
    return np.asarray(img)


@pytest.mark.tesseract
def test_a_page_turned_wrong_by_osd_is_turned_back_by_its_table_labels() -> None:
    """OSD errs on pages that are mostly table. When the turn was OSD's (or nobody's) and the
    tables' wide cells read as nothing the templates know, but as their labels upside down, the
    page is read again turned 180°; a sure turn, or labels that read, are left alone."""
    from extractor.ocr.page import read_page
    from extractor.ocr.preprocess import PageImage
    from extractor.ocr.rapid import DefaultEngine

    page = _ruled_table_page()
    turned = np.ascontiguousarray(np.rot90(page, 2))
    h, w = page.shape
    engine = DefaultEngine()

    def work(gray: Image, sure: bool) -> PageImage:
        return PageImage(gray=gray, to_source=np.eye(3), source_size=(w, h), notes=[], turn_sure=sure)

    result = read_page(work(turned, sure=False), 1.0, 1, engine, text=False)
    assert any("turned 180° after reading its tables" in n for n in result.notes)
    (table,) = result.page.tables
    assert [c.text for c in table.cells if c.col == 0][:2] == [
        "一、本年新收政府信息公开申请数量",
        "二、上年结转政府信息公开申请数量",
    ]
    # Boxes still point into the page as given (turned): the first label sits at its foot.
    first = next(c for c in table.cells if c.col == 0)
    assert first.source_bbox is not None and first.source_bbox[1] > h / 2
    # A sure turn is never second-guessed; an upright page is not turned.
    assert not any(
        "after reading" in n for n in read_page(work(turned, sure=True), 1.0, 1, engine, text=False).notes
    )
    assert not any(
        "after reading" in n for n in read_page(work(page, sure=False), 1.0, 1, engine, text=False).notes
    )
