"""Pixels where a text layer is expected: searchable scans, table pictures in Word files and web pages.

    python -m samples.pixels [--out samples/pixels] [--only ID ...]

Writes into ``samples/pixels/`` (each output with its truth, ``<output>.json``, the source's truth
with ``file`` set):

=======================================  ==========================================================
``<id>_searchable200.pdf``               a 200 dpi scan of ``samples/scans/`` made searchable by
                                         OCRmyPDF (tesseract's text, render mode 3, over the image)
``<id>_searchable300.pdf``               a 300 dpi scan made here, made searchable by OCRmyPDF
``<id>_covered.pdf``                     a text PDF with a 200 dpi scan of each page painted over its
                                         text (the text layer is still there, covered: what some
                                         scanner software writes)
``<id>_picture_continued.pdf``           a text PDF whose tables run on to the next page as pictures
                                         (each continuation drawn, rendered at 200 dpi, pasted)
``office_2021_pictures.docx``            the Word sample with every table pasted as a picture
``office_2021_pictures_word.pdf``        that file exported to PDF by LibreOffice
``office_2021_pictures.html``            the web page sample with every table an ``<img>``, the
                                         pictures beside it in ``office_2021_pictures_files/``
=======================================  ==========================================================

A table's picture is what a screenshot of it holds: the table alone, exported by LibreOffice from
the Word sample on a page tall enough to hold it, rendered at 200 dpi. OCRmyPDF and LibreOffice are
needed only here; the outputs are committed, so the tests need neither.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pypdfium2 as pdfium
from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from samples import render_pdf
from samples import scan as scans
from samples.export import docx_to_pdf

ROOT = Path(__file__).resolve().parent
REPORTS = ROOT / "reports"
SCANS = ROOT / "scans"
DEFAULT_OUT = ROOT / "pixels"
PICTURE_DPI = 200
OFFICE = "office_2021"


@dataclass(frozen=True)
class Searchable:
    """`scan`: a scan of samples/scans, or one made here from a sample of samples/reports."""

    id: str
    what: str
    scan: str | scans.Scan


SEARCHABLE = (
    Searchable(
        "s01_gov_2021_split4_searchable200",
        "samples/scans/s01_gov_2021_split4_scan.pdf made searchable by OCRmyPDF (tesseract, chi_sim+eng).",
        "s01_gov_2021_split4_scan.pdf",
    ),
    Searchable(
        "s04_gov_2021_dashes_searchable300",
        "a 300 dpi greyscale scan (0.5° rotation, light blur, uneven light) made searchable by OCRmyPDF.",
        scans.Scan(
            "s04_gov_2021_dashes_scan300",
            "s04_gov_2021_dashes.pdf",
            4404,
            "a 300 dpi greyscale office scan",
            dpi=300,
            quality=45,
            rotate=0.5,
            blur=0.5,
            light=0.15,
        ),
    ),
)
COVERED = scans.Scan(
    "s05_gov_2019_wanyuan_covered",
    "s05_gov_2019_wanyuan.pdf",
    5505,
    "a text PDF with a 200 dpi greyscale scan of each page painted over its own (covered) text",
    quality=50,
    rotate=0.3,
    blur=0.6,
    noise=2.0,
    light=0.1,
)


def _write_truth(source: str, out: Path, what: str) -> None:
    truth = json.loads((REPORTS / f"{source}.json").read_text(encoding="utf-8"))
    truth["file"] = out.name
    truth["notes"] = f"{what} " + truth.get("notes", "")
    (out.parent / f"{out.name}.json").write_text(
        json.dumps(truth, ensure_ascii=False, indent=1) + "\n", "utf-8"
    )


def _source_of(scan_pdf: str) -> str:
    truth = json.loads((SCANS / f"{scan_pdf}.json").read_text(encoding="utf-8"))
    for s in scans.SCANS:
        if s.id + s.suffix == scan_pdf:
            return s.source
    raise ValueError(f"{scan_pdf}: not a scan of samples/scan.py ({truth['file']})")


def ocrmypdf(source: Path, out: Path) -> None:
    """OCRmyPDF's searchable PDF of a scan: the images kept as they are, tesseract's text under
    (`--skip-text`: a page that has text already keeps it, as on a mixed PDF)."""
    binary = shutil.which("ocrmypdf")
    if binary is None:
        raise SystemExit("ocrmypdf is not installed (apt-get install ocrmypdf)")
    cmd = [binary, "-q", "-l", "chi_sim+eng", "--output-type", "pdf", "--optimize", "0", "--jobs", "1"]
    cmd.append("--skip-text")
    subprocess.run([*cmd, str(source), str(out)], check=True, timeout=1800)


def build_searchable(item: Searchable, out_dir: Path) -> Path:
    out = out_dir / f"{item.id}.pdf"
    with tempfile.TemporaryDirectory(prefix="pixels-") as tmp:
        if isinstance(item.scan, str):
            source, name = SCANS / item.scan, _source_of(item.scan)
        else:
            source, name = scans.build(item.scan, REPORTS, Path(tmp)), item.scan.source
        ocrmypdf(source, out)
    _write_truth(name, out, f"Searchable scan of {name}: {item.what}")
    return out


def build_covered(scan: scans.Scan, out_dir: Path) -> Path:
    """Each page of the text PDF with its scan painted over it, as the last object of the page."""
    out = out_dir / f"{scan.id}.pdf"
    pdf = pdfium.PdfDocument(str(REPORTS / scan.source))
    rng = np.random.default_rng(scan.seed)
    try:
        for i in range(len(pdf)):
            image = scans.degrade(scans.render(pdf, i, scan.dpi), scan, i + 1, rng)
            page = pdf[i]
            w, h = page.get_size()
            obj = pdfium.PdfImage.new(pdf)
            obj.load_jpeg(io.BytesIO(scans.jpeg(image, scan.quality)), inline=False, autoclose=True)
            obj.set_matrix(pdfium.PdfMatrix().scale(w, h))
            page.insert_obj(obj)
            page.gen_content()
            page.close()
        pdf.save(str(out))
    finally:
        pdf.close()
    _write_truth(scan.source, out, f"Covered text of {scan.source}: {scan.what}.")
    return out


CONTINUED = "s01_gov_2021_split4"  # a sample of samples/generate.py whose section 三 table runs on


class _PictureFlow(render_pdf.Flow):
    """Draws every continuation of a table (its part on a later page) as a picture of itself: the
    part is drawn on a scratch page, rendered at `PICTURE_DPI` and pasted where it would stand."""

    def _draw_fragment(
        self,
        t: render_pdf.Table,
        layouts: list[Any],
        heights: list[float],
        xs: list[float],
        r0: int,
        r1: int,
        y_top: float,
        lead: float,
        size: float,
    ) -> None:
        if r0 == 0:
            super()._draw_fragment(t, layouts, heights, xs, r0, r1, y_top, lead, size)
            return
        main, scratch_pdf = self.c, io.BytesIO()
        self.c = Canvas(scratch_pdf, pagesize=(render_pdf.PAGE_W, render_pdf.PAGE_H))
        try:
            super()._draw_fragment(t, layouts, heights, xs, r0, r1, y_top, lead, size)
            self.c.showPage()
            self.c.save()
        finally:
            self.c = main
        bottom = y_top - sum(heights[r0:r1])
        x0, x1, top = xs[0] - 2, xs[-1] + 2, render_pdf.PAGE_H - y_top - 2
        box = (x0, top, x1, render_pdf.PAGE_H - bottom + 2)
        image = _render_box(scratch_pdf, box, PICTURE_DPI)
        main.drawImage(ImageReader(image), x0, bottom - 2, x1 - x0, box[3] - box[1])


def build_continued(sample_id: str, out_dir: Path) -> Path:
    """The sample with each table's part on a later page pasted as a picture."""
    from samples import generate

    sample = next(s for s in generate.SAMPLES if s.id == sample_id)
    out = out_dir / f"{sample_id}_picture_continued.pdf"
    plain = render_pdf.Flow
    render_pdf.Flow = _PictureFlow  # type: ignore[misc]
    try:
        with tempfile.TemporaryDirectory(prefix="pixels-") as tmp:
            pdf, truth, _ = generate.build(sample, Path(tmp))
            shutil.copyfile(pdf, out)
    finally:
        render_pdf.Flow = plain  # type: ignore[misc]
    truth["file"] = out.name
    truth["notes"] = "Each table's part on a later page pasted as a picture (200 dpi). " + truth["notes"]
    (out_dir / f"{out.name}.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", "utf-8")
    return out


# --- table pictures ---------------------------------------------------------------------------------


def _render_box(source: Path | io.BytesIO, box: tuple[float, float, float, float], dpi: int) -> Image.Image:
    pdf = pdfium.PdfDocument(source if isinstance(source, io.BytesIO) else str(source))
    try:
        page = pdf[0]
        w, h = page.get_size()
        crop = (box[0], h - box[3], w - box[2], box[1])
        bitmap = page.render(scale=dpi / 72, crop=crop, grayscale=True)
        image = bitmap.to_pil().convert("L")
        page.close()
    finally:
        pdf.close()
    return image


def table_pictures(docx_path: Path, tmp: Path) -> list[tuple[Path, float]]:
    """Each table of the Word file as a PNG (the table alone, on a tall page, exported by LibreOffice
    and rendered at `PICTURE_DPI`), with its width in points."""
    import docx
    import pdfplumber
    from docx.shared import Pt

    n = len(docx.Document(str(docx_path)).tables)
    out: list[tuple[Path, float]] = []
    for i in range(n):
        d = docx.Document(str(docx_path))
        body = d.element.body
        keep = d.tables[i]._tbl
        for el in list(body):
            if el is not keep and not el.tag.endswith("}sectPr"):
                body.remove(el)
        section = d.sections[0]
        section.page_height = Pt(1600)
        section.top_margin = section.bottom_margin = Pt(36)
        one = tmp / f"table{i + 1}.docx"
        d.save(str(one))
        pdf_path = docx_to_pdf(one, tmp)
        with pdfplumber.open(pdf_path) as p:
            found = p.pages[0].find_tables()
            x0 = min(t.bbox[0] for t in found) - 3
            top = min(t.bbox[1] for t in found) - 3
            x1 = max(t.bbox[2] for t in found) + 3
            bottom = max(t.bbox[3] for t in found) + 3
        image = _render_box(pdf_path, (x0, top, x1, bottom), PICTURE_DPI)
        png = tmp / f"table{i + 1}.png"
        image.save(png, dpi=(PICTURE_DPI, PICTURE_DPI), optimize=True)
        out.append((png, x1 - x0))
    return out


def build_pictures_docx(pictures: list[tuple[Path, float]], out_dir: Path) -> Path:
    """The Word sample with each table replaced by its picture, in a paragraph of its own."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    d = docx.Document(str(REPORTS / f"{OFFICE}.docx"))
    tables = [t._tbl for t in d.tables]
    for tbl, (png, width) in zip(tables, pictures, strict=True):
        p = d.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.add_run().add_picture(str(png), width=Pt(width))
        tbl.addprevious(p._p)
        tbl.getparent().remove(tbl)
    out = out_dir / f"{OFFICE}_pictures.docx"
    d.save(str(out))
    _write_truth(f"{OFFICE}.docx", out, "The Word sample with every table pasted as a picture.")
    return out


def build_pictures_html(pictures: list[tuple[Path, float]], out_dir: Path) -> Path:
    """The web page sample with each data table an <img>, the pictures in a folder beside it."""
    html = (REPORTS / f"{OFFICE}.html").read_text(encoding="utf-8")
    folder = f"{OFFICE}_pictures_files"
    (out_dir / folder).mkdir(exist_ok=True)
    names = iter(pictures)

    def picture(_: re.Match[str]) -> str:
        png, width = next(names)
        shutil.copyfile(png, out_dir / folder / png.name)
        return (
            f'<p align="center"><img src="{folder}/{png.name}" width="{round(width * 96 / 72)}" alt=""></p>'
        )

    html, n = re.subn(r'<table border="1".*?</table>', picture, html, flags=re.S)
    if n != len(pictures):
        raise ValueError(f"{OFFICE}.html has {n} data tables, the Word file {len(pictures)}")
    out = out_dir / f"{OFFICE}_pictures.html"
    out.write_text(html, encoding="utf-8")
    _write_truth(f"{OFFICE}.html", out, "The web page sample with every table an <img> beside the page.")
    return out


def build_pictures(out_dir: Path) -> list[Path]:
    with tempfile.TemporaryDirectory(prefix="pixels-") as tmp:
        pictures = table_pictures(REPORTS / f"{OFFICE}.docx", Path(tmp))
        word = build_pictures_docx(pictures, out_dir)
        pdf = docx_to_pdf(word, out_dir, f"{OFFICE}_pictures_word.pdf")
        _write_truth(
            f"{OFFICE}_word.pdf", pdf, "The Word sample with every table a picture, exported by LibreOffice."
        )
        html = build_pictures_html(pictures, out_dir)
    return [word, pdf, html]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="output folder")
    parser.add_argument(
        "--only", nargs="*", help="ids to build (default: all; 'pictures': the office ones, 'continued')"
    )
    args = parser.parse_args(argv)
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    wanted = set(args.only or [])
    written: list[Path] = []
    for item in SEARCHABLE:
        if not wanted or item.id in wanted:
            written.append(build_searchable(item, out_dir))
    if not wanted or COVERED.id in wanted:
        written.append(build_covered(COVERED, out_dir))
    if not wanted or "continued" in wanted:
        written.append(build_continued(CONTINUED, out_dir))
    if not wanted or "pictures" in wanted:
        written += build_pictures(out_dir)
    for path in written:
        print(f"{path} ({path.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
