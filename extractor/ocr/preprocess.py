"""From a page to a clean, upright grayscale image: render, drop the seal, flatten the light, deskew.

- `render_pdf_page`: pdfium renders the page at 300 dpi, in colour (a red seal is told by its hue).
- `to_gray`: the page divided by its background (a closing of a reduced copy), so uneven light,
  a shadow or a grey scan becomes black on white; a red seal is lifted out through the red
  channel, in which red ink is nearly as light as paper and black text under it stays black.
- `rectify`: the skew angle from the projection profile of a reduced copy (the angle whose rows
  are most unequal), then, where the page has ruling lines, a homography that makes the outermost
  horizontal and vertical rules straight and square (keystone, a photo taken at an angle).

Every step keeps the map from the original pixels to the working image, so boxes found in the
working image are reported in the page as rendered.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from .arrays import Image, Matrix
from .engine import Engine

DPI = 300
# Working images are brought near this width (an A4 page at 300 dpi): rule and glyph sizes below
# are in these pixels.
WORK_WIDTH = 2480
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp")


@dataclass
class PageImage:
    """A page ready for OCR: the working image and the map back to the page as rendered."""

    gray: Image  # upright, flattened: black ink on white
    to_source: Matrix  # working pixel → source pixel (the rendered page or the image file)
    source_size: tuple[int, int]  # width, height of the source in pixels
    notes: list[str]
    ink: Image | None = None  # `binarize(gray)` when it was computed already
    # The page's turn came from clear cues (not OSD's answer, nor the page left as it was).
    turn_sure: bool = True


def render_pdf_page(
    path: Path,
    number: int,
    dpi: int = DPI,
    password: str | None = None,
    box: tuple[float, float, float, float] | None = None,
) -> Image:
    """Page `number` (1-based) rendered at `dpi`: in colour (BGR) when a thumbnail shows red ink (a
    seal to lift out), else in grey (a third of the memory). With `box` (x0, top, x1, bottom in
    points from the top-left), only that region is rendered."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    pdf = pdfium.PdfDocument(str(path), password=password)
    try:
        page = pdf[number - 1]
        try:
            crop = (0.0, 0.0, 0.0, 0.0)
            if box is not None:  # pdfium's crop: what to cut from the left, bottom, right and top
                w, h = page.get_size()
                crop = (box[0], h - box[3], w - box[2], box[1])
            thumb = np.asarray(page.render(scale=36 / 72, crop=crop).to_numpy(), dtype=np.int16)
            red = thumb[:, :, 2] - np.maximum(thumb[:, :, 0], thumb[:, :, 1]) > 50
            colour = bool(red.sum() >= 3)
            # A grey page (a black-and-white or greyscale scan) goes straight into a one-byte
            # bitmap: the same pixels as pdfium's grayscale mode, at a third of its time (on colour
            # they differ by a level here and there, so a colour page keeps that mode).
            grey = bool((thumb[:, :, 0] == thumb[:, :, 1]).all() and (thumb[:, :, 1] == thumb[:, :, 2]).all())
            if colour:
                bitmap = page.render(scale=dpi / 72, crop=crop)
            elif grey:
                bitmap = page.render(scale=dpi / 72, crop=crop, force_bitmap_format=pdfium_c.FPDFBitmap_Gray)
            else:
                bitmap = page.render(scale=dpi / 72, grayscale=True, crop=crop)
            image = np.array(bitmap.to_numpy(), dtype=np.uint8, copy=True)
            bitmap.close()
        finally:
            page.close()
    finally:
        pdf.close()
    return image


def image_page_count(path: Path) -> int:
    """The frames of an image file, each decoded once: a damaged one raises here, in the caller,
    rather than as a page the OCR workers fail on."""
    from PIL import Image as PILImage

    with PILImage.open(path) as im:
        n = int(getattr(im, "n_frames", 1))
        for index in range(n):
            im.seek(index)
            im.load()
        return n


def load_image_page(path: Path, index: int) -> tuple[Image, float | None]:
    """Frame `index` (0-based; TIFFs have several) as BGR or gray, and its stated dpi if any."""
    from PIL import Image as PILImage
    from PIL import ImageOps

    with PILImage.open(path) as im:
        im.seek(index)
        dpi = im.info.get("dpi")
        frame = ImageOps.exif_transpose(im) if index == 0 else im
        if frame.mode in ("RGB", "RGBA", "P", "CMYK", "YCbCr", "LA", "PA"):
            rgb = np.asarray(frame.convert("RGB"), dtype=np.uint8)
            return np.ascontiguousarray(rgb[:, :, ::-1]), _dpi(dpi)
        return np.asarray(frame.convert("L"), dtype=np.uint8).copy(), _dpi(dpi)


def _dpi(value: object) -> float | None:
    if isinstance(value, tuple) and value and isinstance(value[0], int | float) and value[0] > 30:
        return float(value[0])
    return None


def _background(channel: Image) -> Image:
    """The paper behind the ink: a closing of a reduced copy (ink is thin, paper is everywhere)."""
    h, w = channel.shape
    f = 8
    small = cv2.resize(channel, (max(1, w // f), max(1, h // f)), interpolation=cv2.INTER_AREA)
    background = cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    background = cv2.medianBlur(background, 5)
    return np.asarray(cv2.resize(background, (w, h), interpolation=cv2.INTER_LINEAR), dtype=np.uint8)


def _flat(channel: Image) -> Image:
    return np.asarray(cv2.divide(channel, np.maximum(_background(channel), 1), scale=255), dtype=np.uint8)


def to_gray(image: Image) -> tuple[Image, bool]:
    """The page as black ink on white paper, whatever the light, with red ink (a seal, a red stamp)
    lifted out; True when there was red ink.

    Each channel is divided by its own background (uneven light, a shadow, a grey scan). Paper,
    text and seal multiply: where the seal is, the red channel is the page seen through red ink,
    which lets most red light through (a share measured on the seal's strong pixels); the red
    channel divided by that share is the page without the seal, paper white and black text under
    the seal still black. Faint seal pixels are blended in by how red they are. Full-page arrays
    stay 8-bit; the blend works on the seal's bounding box only."""
    if image.ndim == 2:
        return _stretch(_flat(image)), False
    gray = _flat(cv2.cvtColor(image[:, :, :3], cv2.COLOR_BGR2GRAY))
    b, g, r = cv2.split(image[:, :, :3])
    # Redness: how far red stands above the larger of green and blue (saturating, 8-bit).
    redness = cv2.subtract(r, cv2.max(g, b))
    del b, g
    strong = redness > 60
    if cv2.countNonZero(strong.view(np.uint8)) < 0.0005 * strong.size:
        return _stretch(gray), False
    ys, xs = np.nonzero(redness > 10)
    y0, y1, x0, x1 = int(ys.min()), int(ys.max()) + 1, int(xs.min()), int(xs.max()) + 1
    del ys, xs
    red = _flat(r)[y0:y1, x0:x1].astype(np.float32)
    share = float(np.clip(np.median(red[strong[y0:y1, x0:x1]]) / 255.0, 0.5, 1.0))
    lifted = np.clip(red / share, 0, 255)
    alpha = np.clip((redness[y0:y1, x0:x1].astype(np.float32) - 10) / 40, 0, 1)
    box = gray[y0:y1, x0:x1].astype(np.float32)
    gray[y0:y1, x0:x1] = ((1 - alpha) * box + alpha * lifted).astype(np.uint8)
    return _stretch(gray), True


def _stretch(flat: Image) -> Image:
    """The darkest ink to black (a faded or grey scan), through a lookup table (8-bit throughout)."""
    lo = float(np.percentile(flat[::4, ::4], 0.5))
    if lo <= 10:
        return flat
    table = np.clip((np.arange(256, dtype=np.float32) - lo) * 255.0 / max(1.0, 255.0 - lo), 0, 255)
    return np.asarray(cv2.LUT(flat, table.astype(np.uint8)), dtype=np.uint8)


def binarize(gray: Image) -> Image:
    """Ink as 255 on 0 (Otsu on the flattened page, never looser than a fixed level)."""
    level, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    _, ink = cv2.threshold(gray, min(level, 200), 255, cv2.THRESH_BINARY_INV)
    return ink


def skew_angle(ink: Image, limit: float = 6.0) -> float:
    """The page's rotation in degrees (counter-clockwise positive), from the projection profile."""
    h, w = ink.shape
    scale = 800 / max(h, w)
    small = cv2.resize(ink, (int(w * scale), int(h * scale)), interpolation=cv2.INTER_AREA)
    if cv2.countNonZero(small) < 50:
        return 0.0
    centre = (small.shape[1] / 2, small.shape[0] / 2)

    def sharpness(angle: float) -> float:
        m = cv2.getRotationMatrix2D(centre, angle, 1.0)
        rotated = cv2.warpAffine(small, m, (small.shape[1], small.shape[0]), flags=cv2.INTER_NEAREST)
        rows = rotated.sum(axis=1, dtype=np.float64)
        return float(np.var(rows))

    best = max(np.arange(-limit, limit + 0.01, 0.25), key=sharpness)
    best = max(np.arange(best - 0.25, best + 0.26, 0.05), key=sharpness)
    return float(best)


def _rotation(angle: float, w: int, h: int) -> Matrix:
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return np.vstack([m, [0.0, 0.0, 1.0]])


def _scale(s: float) -> Matrix:
    return np.array([[s, 0.0, 0.0], [0.0, s, 0.0], [0.0, 0.0, 1.0]])


def warp(gray: Image, m: Matrix, size: tuple[int, int]) -> Image:
    return cv2.warpPerspective(
        gray, m, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=255
    )


def prepare(image: Image, dpi: float | None, engine: Engine | None = None) -> PageImage:
    """The working image of a page: gray, seal lifted, flattened, turned the right way up, scaled
    near 300 dpi, upright. `engine` answers the orientation question when the page's own cues do
    not (see `orient`)."""
    from .lines import square_up
    from .orient import detect, rotation_matrix, turn

    notes: list[str] = []
    h0, w0 = image.shape[:2]
    gray, sealed = to_gray(image)
    del image
    if sealed:
        notes.append("red ink (a seal) lifted out before OCR")
    # Sideways or upside down: a quarter turn is exact (no resampling); `turned` maps the source
    # pixels onto it, so boxes still go back to the page as rendered.
    ink = binarize(gray)
    orientation = detect(ink, engine, gray)
    turned = rotation_matrix(orientation.degrees, w0, h0)
    if orientation.degrees:
        gray, ink = turn(gray, orientation.degrees), turn(ink, orientation.degrees)
        notes.append(f"turned {orientation.degrees}° clockwise to read it ({orientation.note})")
    h1, w1 = gray.shape[:2]
    # Work near 300 dpi: an A4 page (595 pt wide) is ~2480 px; a 200 dpi scan or a photo is scaled.
    factor = WORK_WIDTH / w1 if dpi is None else DPI / dpi
    if 0.9 < factor < 1.12:
        factor = 1.0
    angle = skew_angle(ink)
    size = (round(w1 * factor), round(h1 * factor))
    m = _rotation(angle, size[0], size[1]) @ _scale(factor)
    # The working image's ink, kept for the ruling lines while it stays that of the working image.
    work = gray
    work_ink: Image | None = ink
    del ink
    if angle or factor != 1.0:
        work, work_ink = warp(gray, m, size), None
    if abs(angle) >= 2:  # a scan's usual skew is not worth a warning
        notes.append(f"rotated by {angle:.2f}°")
    # Keystone and what rotation is left: square up the ruling lines.
    if work_ink is None:
        work_ink = binarize(work)
    k = square_up(work_ink)
    if k is not None:
        m = k @ m
        work, work_ink = warp(gray, m, size), None
        notes.append("perspective corrected from the ruling lines")
    return PageImage(
        gray=work,
        to_source=np.asarray(np.linalg.inv(m @ turned), dtype=np.float64),
        source_size=(w0, h0),
        notes=notes,
        ink=work_ink,
        turn_sure=orientation.how == "cues",
    )


def half_turn(page: PageImage, note: str) -> PageImage:
    """The working page turned 180° (a page whose turn was wrong): the same pixels, and the map
    back to the source through the turn."""
    h, w = page.gray.shape[:2]
    back = np.array([[-1.0, 0.0, w - 1.0], [0.0, -1.0, h - 1.0], [0.0, 0.0, 1.0]])  # its own inverse
    return PageImage(
        gray=np.ascontiguousarray(np.rot90(page.gray, 2)),
        to_source=np.asarray(page.to_source @ back, dtype=np.float64),
        source_size=page.source_size,
        notes=[*page.notes, note],
        ink=None if page.ink is None else np.ascontiguousarray(np.rot90(page.ink, 2)),
        turn_sure=True,
    )


def map_box(m: Matrix, box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """The box that holds `box`'s four corners mapped through `m`."""
    x0, y0, x1, y1 = box
    pts = np.array([[x0, y0, 1.0], [x1, y0, 1.0], [x1, y1, 1.0], [x0, y1, 1.0]]).T
    mapped = m @ pts
    xs, ys = mapped[0] / mapped[2], mapped[1] / mapped[2]
    return float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max())
