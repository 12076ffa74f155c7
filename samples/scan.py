"""Scanned renditions of the sample PDFs, with the same truth: what a scanner or a phone makes.

    python -m samples.scan [--src samples/reports] [--out samples/scans] [--only ID ...]

Each page is rendered with pdfium and degraded the way scans are: a red seal stamped over the
text or the table, uneven light, a small rotation, a photo's keystone, blur, sensor noise, JPEG.
The result is a PDF of page images (one JPEG a page, as scanners write them), a mixed PDF whose
chosen pages are images and the rest text, or image files (PNG, JPEG, multi-page TIFF). The
truth is the source's, with `file` set to the scan. Seeds are fixed: every run writes the same
files (for the same pdfium, OpenCV and Pillow). Scans live in their own folder, `samples/scans/`:
the text-PDF tests and benchmarks read `samples/reports/`.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageDraw, ImageFont

from samples.render_pdf import FONTS, _font_file

Array = np.ndarray


@dataclass(frozen=True)
class Scan:
    """One rendition of a sample: `source` (a PDF in the sources' folder) → `id` + `suffix`."""

    id: str
    source: str
    seed: int
    what: str
    suffix: str = ".pdf"  # .pdf, .png, .jpg, .tif
    dpi: int = 200
    color: bool = False
    quality: int = 45  # JPEG quality
    rotate: float = 0.0  # degrees, counter-clockwise
    keystone: float = 0.0  # share of the width the top corners move in (a photo from below)
    blur: float = 0.0  # Gaussian sigma in pixels
    noise: float = 0.0  # Gaussian sigma in grey levels
    light: float = 0.0  # how much darker the darkest corner is (0–1)
    seal_pages: tuple[int, ...] = ()  # 1-based pages stamped with a red seal
    seal_at: tuple[float, float] = (0.7, 0.3)  # centre as a share of width, height
    scanned_pages: tuple[int, ...] = ()  # for a mixed PDF: the pages that become images
    pages: tuple[int, ...] = field(default=())  # for images: the pages written (default all)
    # Fed the wrong way: pages turned counter-clockwise by `turn` degrees (90, 180, 270), all of them
    # or those in `turn_pages`; a page turned a quarter is written landscape.
    turn: int = 0
    turn_pages: tuple[int, ...] = ()
    smudge_request_header: bool = False  # the header rows of section 三's table smudged past reading
    # The source drawn again (from its sample in `samples.generate`) with these style changes, e.g.
    # section 三's table on landscape pages; `portrait_feed`: landscape pages scanned turned a
    # quarter clockwise, as a portrait scanner takes them.
    restyle: tuple[tuple[str, object], ...] = ()
    portrait_feed: bool = False


SCANS: tuple[Scan, ...] = (
    Scan(
        "s01_gov_2021_split4_scan",
        "s01_gov_2021_split4.pdf",
        1101,
        "a 200 dpi greyscale office scan: 1.2° rotation, blur, grain, uneven light, JPEG q50; "
        "very large section 二 counts.",
        quality=50,
        rotate=1.2,
        blur=0.7,
        noise=3.0,
        light=0.25,
    ),
    Scan(
        "s02_bureau_2019_blanks_photo",
        "s02_bureau_2019_blanks.pdf",
        2202,
        "a phone photo of each page: colour, keystone, a shadow, rotation -0.8°, a red seal over "
        "section 二's table and over the signature; blanks for zeros; money in 元.",
        color=True,
        quality=45,
        rotate=-0.8,
        keystone=0.025,
        blur=0.8,
        noise=5.0,
        light=0.4,
        seal_pages=(2, 4),
        seal_at=(0.62, 0.42),
    ),
    Scan(
        "s07_gov_2021_wrongtotal_mixed",
        "s07_gov_2021_wrongtotal.pdf",
        7707,
        "a mixed PDF: pages 1 and 4 keep their text layer, pages 2 and 3 (the tables) are 200 dpi "
        "greyscale scans; a total printed wrong in the source.",
        quality=50,
        rotate=-0.6,
        blur=0.6,
        noise=3.0,
        light=0.2,
        scanned_pages=(2, 3),
    ),
    Scan(
        "s08_gov_2021_dashes_sideways",
        "s04_gov_2021_dashes.pdf",
        8808,
        "fed sideways: every page turned 90° counter-clockwise (written landscape), 200 dpi "
        "greyscale, 0.5° skew, grain, JPEG q50.",
        quality=50,
        rotate=0.5,
        blur=0.5,
        noise=3.0,
        light=0.15,
        turn=90,
    ),
    Scan(
        "s09_gov_2019_wanyuan_sideways",
        "s05_gov_2019_wanyuan.pdf",
        9909,
        "fed sideways the other way: every page turned 90° clockwise (written landscape), 200 dpi "
        "greyscale, -0.7° skew, blur, uneven light.",
        quality=55,
        rotate=-0.7,
        blur=0.7,
        noise=2.5,
        light=0.3,
        turn=270,
    ),
    Scan(
        "s10_bureau_2025_big_upside_down",
        "s06_bureau_2025_big.pdf",
        1010,
        "three pages upside down (2, 3 and 4: the tables and the narrative after them), 200 dpi "
        "greyscale, 0.8° skew, grain.",
        quality=50,
        rotate=0.8,
        blur=0.5,
        noise=3.0,
        light=0.2,
        turn=180,
        turn_pages=(2, 3, 4),
    ),
    Scan(
        "s11_gov_2021_split4_smudged_header",
        "s01_gov_2021_split4.pdf",
        1111,
        "the header rows of section 三's table smudged past reading (as a wet thumb or a toner "
        "streak leaves them): the columns must come from the template and the relations; "
        "200 dpi greyscale, -0.4° skew, grain.",
        quality=55,
        rotate=-0.4,
        blur=0.5,
        noise=2.5,
        light=0.15,
        smudge_request_header=True,
    ),
    Scan(
        "s12_gov_hybrid_landscape_table",
        "s03_gov_hybrid_failure.pdf",
        1212,
        "section 三's table drawn on two landscape pages of a portrait report, scanned in portrait: "
        "those pages come out turned a quarter clockwise; 200 dpi greyscale, 0.6° skew, grain.",
        quality=55,
        rotate=0.6,
        blur=0.5,
        noise=2.5,
        light=0.2,
        restyle=(("landscape_requests", True),),
        portrait_feed=True,
    ),
)


# --- degradations -------------------------------------------------------------------------------


def render(pdf: pdfium.PdfDocument, index: int, dpi: int) -> Array:
    page = pdf[index]
    try:
        return np.array(page.render(scale=dpi / 72).to_numpy(), dtype=np.uint8)  # BGR
    finally:
        page.close()


def seal(image: Array, centre: tuple[float, float], rng: np.random.Generator, dpi: int) -> Array:
    """A red round seal (ring, star, agency text) stamped multiplicatively, as ink over paper."""
    h, w = image.shape[:2]
    r = int(dpi * 0.8)  # a 42 mm seal
    size = 2 * r + 8
    stamp = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(stamp)
    c = size // 2
    ring = max(3, r // 14)
    draw.ellipse((c - r, c - r, c + r, c + r), outline=255, width=ring)
    star = []
    for k in range(10):
        rad = r * (0.28 if k % 2 == 0 else 0.11)
        a = -math.pi / 2 + k * math.pi / 5
        star.append((c + rad * math.cos(a), c + rad * math.sin(a)))
    draw.polygon(star, fill=255)
    font = ImageFont.truetype(_font_file("wqy-zenhei"), int(r * 0.22), index=FONTS["wqy-zenhei"][2])
    text = "政务公开办公室专用章"
    for i, ch in enumerate(text):
        a = math.radians(-160 + i * 140 / (len(text) - 1)) - math.pi / 2 + math.pi / 2
        x = c + r * 0.72 * math.cos(a)
        y = c + r * 0.72 * math.sin(a)
        draw.text((x, y), ch, fill=255, font=font, anchor="mm")
    mask = np.asarray(stamp, dtype=np.float32) / 255.0
    # Uneven ink: some of the stamp is faint.
    mask *= rng.uniform(0.65, 1.0, size=mask.shape).astype(np.float32)
    mask = cv2.GaussianBlur(mask, (0, 0), 1.0)
    x0 = int(centre[0] * w) - c
    y0 = int(centre[1] * h) - c
    out = image.astype(np.float32)
    ys, xs = slice(max(0, y0), min(h, y0 + size)), slice(max(0, x0), min(w, x0 + size))
    m = mask[ys.start - y0 : ys.stop - y0, xs.start - x0 : xs.stop - x0][:, :, None]
    ink = np.array([40.0, 30.0, 215.0], dtype=np.float32)  # BGR of seal red
    out[ys, xs] = out[ys, xs] * (1 - m) + (out[ys, xs] * ink / 255.0) * m
    return out.clip(0, 255).astype(np.uint8)


def light(image: Array, amount: float, rng: np.random.Generator) -> Array:
    """A linear shadow across the page, darkest in one corner."""
    h, w = image.shape[:2]
    angle = rng.uniform(0, 2 * math.pi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    ramp = (xx / w) * math.cos(angle) + (yy / h) * math.sin(angle)
    ramp = (ramp - ramp.min()) / max(1e-6, float(ramp.max() - ramp.min()))
    factor = 1.0 - amount * ramp
    if image.ndim == 3:
        factor = factor[:, :, None]
    return (image.astype(np.float32) * factor).clip(0, 255).astype(np.uint8)


def geometry(image: Array, rotate: float, keystone: float) -> Array:
    """Rotation about the centre, then a keystone: the top edge narrower than the bottom."""
    h, w = image.shape[:2]
    m = np.vstack([cv2.getRotationMatrix2D((w / 2, h / 2), rotate, 1.0), [0, 0, 1]])
    if keystone:
        d = keystone * w
        src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
        dst = np.float32([[d, d * 0.4], [w - d, 0], [w, h], [0, h - d * 0.3]])
        m = cv2.getPerspectiveTransform(src, dst) @ m
    white = (255, 255, 255) if image.ndim == 3 else 255
    return cv2.warpPerspective(image, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=white)


def header_boxes(source: Path, index: int) -> list[tuple[float, float, float, float]]:
    """The characters (boxes in PDF points, top-down) of the header rows of section 三's table on
    page `index` (0-based): the rows of the table above its first row of numbers."""
    import pdfplumber

    with pdfplumber.open(source) as pdf:
        page = pdf.pages[index]
        boxes: list[tuple[float, float, float, float]] = []
        for table in page.find_tables():
            rows = table.rows
            texts = ["".join(page.crop(row.bbox).extract_text().split()) for row in rows]
            if not any("自然人" in t or "申请人情况" in t for t in texts):
                continue
            first_data = next(i for i, t in enumerate(texts) if "本年新收" in t)
            x0, top, x1, _ = table.bbox
            bottom = rows[first_data].bbox[1]
            boxes += [
                (c["x0"], c["top"], c["x1"], c["bottom"])
                for c in page.chars
                if x0 <= c["x0"] and c["x1"] <= x1 and top <= c["top"] and c["bottom"] <= bottom
            ]
        return boxes


def smudge(image: Array, boxes: list[tuple[float, float, float, float]], dpi: int) -> Array:
    """Each character box smeared and faded: the strokes run into a grey blot no reader resolves."""
    out = image.copy()
    k = dpi / 72
    for x0, top, x1, bottom in boxes:
        size = (bottom - top) * k
        pad = int(size * 0.3)
        ys = slice(max(0, int(top * k) - pad), int(bottom * k) + pad)
        xs = slice(max(0, int(x0 * k) - pad), int(x1 * k) + pad)
        region = out[ys, xs].astype(np.float32)
        blurred = cv2.GaussianBlur(region, (0, 0), max(1.0, size * 0.18))
        out[ys, xs] = (0.45 * blurred + 0.55 * 235).clip(0, 255).astype(np.uint8)
    return out


def turned(image: Array, degrees: int) -> Array:
    """The image turned counter-clockwise by `degrees` (a multiple of 90): exact, no resampling."""
    return np.ascontiguousarray(np.rot90(image, (degrees // 90) % 4))


def degrade(image: Array, scan: Scan, page: int, rng: np.random.Generator) -> Array:
    if page in scan.seal_pages:
        image = seal(image, scan.seal_at, rng, scan.dpi)
    if scan.light:
        image = light(image, scan.light, rng)
    image = geometry(image, scan.rotate + rng.uniform(-0.15, 0.15), scan.keystone)
    if scan.blur:
        image = cv2.GaussianBlur(image, (0, 0), scan.blur)
    if not scan.color:
        image = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    if scan.noise:
        # Grain, not white noise: a little correlated, as paper and sensors give (and JPEG keeps small).
        grain = cv2.GaussianBlur(rng.normal(0, scan.noise * 2, image.shape).astype(np.float32), (0, 0), 0.9)
        image = (image.astype(np.float32) + grain).clip(0, 255).astype(np.uint8)
    if scan.turn and (not scan.turn_pages or page in scan.turn_pages):
        image = turned(image, scan.turn)
    return image


def jpeg(image: Array, quality: int) -> bytes:
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return bytes(data)


# --- writing ------------------------------------------------------------------------------------


def _image_page(pdf: pdfium.PdfDocument, data: bytes, size: tuple[float, float], index: int) -> None:
    page = pdf.new_page(size[0], size[1], index=index)
    image = pdfium.PdfImage.new(pdf)
    image.load_jpeg(io.BytesIO(data), inline=False, autoclose=True)
    image.set_matrix(pdfium.PdfMatrix().scale(size[0], size[1]))
    page.insert_obj(image)
    page.gen_content()
    page.close()


def redraw(scan: Scan, src_dir: Path, out_dir: Path) -> tuple[Path, dict[str, object]]:
    """The source drawn again with the scan's style changes (into `out_dir`, removed after the
    scan is made), and its truth."""
    from samples.generate import SAMPLES
    from samples.render_pdf import make_style, render_pdf
    from samples.truth import make_truth

    sample = next(x for x in SAMPLES if f"{x.id}.pdf" == scan.source)
    truth = make_truth(sample.seed, sample.template, file=scan.source, **sample.truth)
    truth["notes"] += f" Exercises: {sample.exercises}"
    path = out_dir / f".{scan.id}.source.pdf"
    render_pdf(truth, path, make_style(sample.seed, **sample.style, **dict(scan.restyle)))
    return path, truth


def build(scan: Scan, src_dir: Path, out_dir: Path) -> Path:
    source = src_dir / scan.source
    redrawn: dict[str, object] | None = None
    if scan.restyle:
        source, redrawn = redraw(scan, src_dir, out_dir)
    src = pdfium.PdfDocument(str(source))
    rng = np.random.default_rng(scan.seed)
    out = out_dir / f"{scan.id}{scan.suffix}"
    n = len(src)
    try:
        if scan.suffix == ".pdf":
            pdf = pdfium.PdfDocument.new()
            for i in range(n):
                number = i + 1
                size = src[i].get_size()
                if scan.scanned_pages and number not in scan.scanned_pages:
                    pdf.import_pages(src, [i], index=i)
                    continue
                page = render(src, i, scan.dpi)
                if scan.smudge_request_header:
                    page = smudge(page, header_boxes(source, i), scan.dpi)
                image = degrade(page, scan, number, rng)
                if scan.portrait_feed and size[0] > size[1]:
                    image, size = turned(image, 270), (size[1], size[0])
                elif image.shape[1] > image.shape[0] and size[1] > size[0]:
                    size = (size[1], size[0])  # turned a quarter: a landscape page
                _image_page(pdf, jpeg(image, scan.quality), size, i)
            pdf.save(str(out))
            pdf.close()
        else:
            frames = []
            for i in scan.pages or tuple(range(1, n + 1)):
                image = degrade(render(src, i - 1, scan.dpi), scan, i, rng)
                rgb = image[:, :, ::-1] if image.ndim == 3 else image
                frames.append(Image.fromarray(np.ascontiguousarray(rgb)))
            if scan.suffix == ".jpg":
                frames[0].save(out, quality=scan.quality, dpi=(scan.dpi, scan.dpi))
            elif scan.suffix == ".tif":
                frames[0].save(
                    out, save_all=True, append_images=frames[1:], compression="tiff_lzw", dpi=(scan.dpi,) * 2
                )
            else:
                frames[0].save(out, dpi=(scan.dpi, scan.dpi))
    finally:
        src.close()
        if redrawn is not None:
            source.unlink()
    truth = redrawn or json.loads((src_dir / f"{scan.source}.json").read_text(encoding="utf-8"))
    truth["file"] = out.name
    truth["notes"] = f"Scanned rendition of {scan.source}: {scan.what} " + truth.get("notes", "")
    (out_dir / f"{out.name}.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", "utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--src", default="samples/reports", help="folder of the source PDFs")
    parser.add_argument("--out", default="samples/scans", help="output folder")
    parser.add_argument("--only", nargs="*", help="scan ids to build (default: all)")
    args = parser.parse_args(argv)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    for scan in SCANS:
        if args.only and scan.id not in args.only:
            continue
        out = build(scan, Path(args.src), Path(args.out))
        print(f"{out} ({out.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
