"""Which way up a page is: scans fed sideways (90°, 270°), upside down (180°), landscape pages.

Cheap cues first, from the page's own ink (a reduced copy, no OCR):

- `axis`: whether text lines run across the page or up and down. Ruling lines are taken out
  (a table has both), then the ink is smeared along each axis by a fraction of a character: along
  the lines, the characters of a line merge into long bands; across them, the gap between lines
  (a body's leading is half a character or more) keeps them apart. The axis along which the smear
  makes many more line-shaped bands (three characters long or more, about one thick) is the
  lines' direction.
- `flip`: whether the upright lines are upside down. Chinese punctuation (，。、 and the decimal
  point) sits at the bottom of a line, alone in its column of the line; upside down it sits at the
  top. Each small piece of ink alone in its column of a line band votes by where it sits.

When a cue is clear it decides; when it is not (a page of tables with little punctuation, a font
that centres its punctuation, too little text) tesseract's orientation detection (OSD, `--psm 0`,
through the engine so recordings replay it) is asked, and when the cues found the axis it only
chooses between that axis's two ends; when it is unsure too, or names the other axis, the page is
read as it is (a page turned by mistake loses as much as one left as it was).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .arrays import Image, Matrix
from .engine import Engine, EngineError, Request

OSD = Request("osd", 0)
OSD_PREFIX = "osd\t"
# The reduced copy the cues are measured on: long side in pixels.
SIDE = 1400
# A cue decides when it is this clear (ratio of the two readings) and rests on enough pieces.
AXIS_RATIO = 1.6
MIN_BANDS = 12
# ... or, on a page with little text (a table's continuation: a few labels), by a wider margin.
FEW_BANDS = 5
FEW_RATIO = 4.0
FLIP_RATIO = 3.0
MIN_VOTES = 8
# OSD's confidence under which its answer is not taken (tesseract's own scale; ~1 is a guess):
# among all four turns, and between the two ends of an axis the cues found.
MIN_OSD_CONF = 2.0
MIN_OSD_CHOICE = 1.0
OSD_SIDE = 1600  # OSD reads a reduced copy: long side in pixels


@dataclass
class Orientation:
    """How far the page is turned (degrees counter-clockwise: 0, 90, 180, 270) and why we think so.
    Turning the image clockwise by `degrees` makes it upright."""

    degrees: int
    how: str  # "cues", "osd", or "unsure"
    note: str


def _reduced(ink: Image) -> tuple[Image, float]:
    h, w = ink.shape
    f = min(1.0, SIDE / max(h, w))
    if f == 1.0:
        return ink, 1.0
    small = cv2.resize(ink, (max(1, round(w * f)), max(1, round(h * f))), interpolation=cv2.INTER_AREA)
    return np.asarray((small > 60).astype(np.uint8) * 255, dtype=np.uint8), f


def _without_rules(ink: Image, f: float) -> Image:
    """The ink with long straight runs (ruling lines, in either direction) taken out."""
    k = max(15, round(100 * f))
    h = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (k, 1)))
    v = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, k)))
    rules = cv2.dilate(cv2.bitwise_or(h, v), np.ones((3, 3), np.uint8))
    return np.asarray(cv2.bitwise_and(ink, cv2.bitwise_not(rules)), dtype=np.uint8)


def _glyph_size(text: Image, stats: Image | None = None) -> float:
    """The size of a character: the upper median of the pieces' larger side (a Han character
    often falls into several pieces; the largest of them span most of it). `stats`: the text's
    pieces, when they are labelled already."""
    if stats is None:
        _, _, stats, _ = cv2.connectedComponentsWithStats(text, connectivity=8)
    sides = np.maximum(stats[1:, 2], stats[1:, 3])
    sides = sides[(sides >= 4) & (sides <= 80)]
    if len(sides) < 20:
        return 0.0
    return float(np.percentile(sides, 75))


def _bands(text: Image, size: float, along: str, reach: float = 0.4) -> list[tuple[int, int, int, int]]:
    """Pieces left after smearing along `along` ("h" or "v") by `reach` characters: x, y, w, h."""
    k = max(2, round(size * reach))
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (k, 1) if along == "h" else (1, k))
    smeared = cv2.morphologyEx(text, cv2.MORPH_CLOSE, kernel)
    _, _, stats, _ = cv2.connectedComponentsWithStats(smeared, connectivity=8)
    big = np.flatnonzero(stats[1:, 4] >= size) + 1
    return [(x, y, w, h) for x, y, w, h in stats[big, :4].tolist()]


def _line_bands(bands: list[tuple[int, int, int, int]], size: float, along: str) -> int:
    """Bands shaped like a line of text along `along`: at least three characters long, at most
    one and a half thick."""
    count = 0
    for _, _, w, h in bands:
        length, thick = (w, h) if along == "h" else (h, w)
        if length >= 3 * size and 0.5 * size <= thick <= 1.6 * size:
            count += 1
    return count


def axis(text: Image) -> tuple[str | None, str]:
    """The lines' direction: "h" across the page, "v" up and down, None when unclear; and why."""
    size = _glyph_size(text)
    if size <= 0:
        return None, "too little text to tell the lines' direction"
    across = _line_bands(_bands(text, size, "h"), size, "h")
    upright = _line_bands(_bands(text, size, "v"), size, "v")
    why = f"{across} text lines across, {upright} up and down"

    def clear(more: int, fewer: int) -> bool:
        return (more >= MIN_BANDS and more >= AXIS_RATIO * max(1, fewer)) or (
            more >= FEW_BANDS and more >= FEW_RATIO * max(1, fewer)
        )

    if clear(across, upright):
        return "h", why
    if clear(upright, across):
        return "v", why
    return None, why


def flip_votes(text: Image) -> tuple[int, int]:
    """(pieces at the bottom of their line, pieces at the top), each alone in its column of the
    line: punctuation votes for upright, the same marks at the top for upside down."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats(text, connectivity=8)
    size = _glyph_size(text, stats)
    if size <= 0:
        return 0, 0
    bottom = top = 0
    # The lines' direction is known: a long smear along it joins a justified line's spaced
    # characters and its punctuation into one band without joining lines.
    for x, y, w, h in _bands(text, size, "h", 2.0):
        if not (w >= 3 * size and 0.6 * size <= h <= 1.5 * size):
            continue
        band = labels[y : y + h, x : x + w]
        # The pieces present in the band, in order (a count is cheaper than np.unique's sort).
        present = np.flatnonzero(np.bincount(band.ravel()))
        pieces = present[present != 0]
        low = high = 0
        for i in pieces:
            px, py, pw, ph, area = (int(v) for v in stats[i])
            if pw > 0.4 * h or ph > 0.4 * h or area < max(3.0, 0.01 * h * h):
                continue
            column = band[:, px - x : px - x + pw]
            others = (column != 0) & (column != i)
            if others.any():
                continue  # part of a character (the dot of 主, the feet of 只)
            centre = (py - y + ph / 2) / h
            if centre > 0.62:
                low += 1
            elif centre < 0.38:
                high += 1
        # Punctuation is a few pieces of a line. A band where small pieces are many is not one
        # line with its marks but two lines of small print run together (a table's header cells
        # wrapped in a small font): its upper line's glyphs all sit "at the head".
        if low + high <= max(2, len(pieces) // 4):
            bottom += low
            top += high
    return bottom, top


def _level(text: Image, limit: float = 6.0) -> Image:
    """The reduced page turned so that its lines lie level (a scan's skew tilts a long line more
    than its own height): the angle whose row profile is the most uneven, searched on a copy
    half as large."""
    h, w = text.shape
    half = cv2.resize(text, (max(1, w // 2), max(1, h // 2)), interpolation=cv2.INTER_AREA)

    def turned(image: Image, angle: float) -> Image:
        ih, iw = image.shape
        m = cv2.getRotationMatrix2D((iw / 2, ih / 2), angle, 1.0)
        return np.asarray(cv2.warpAffine(image, m, (iw, ih), flags=cv2.INTER_NEAREST), dtype=np.uint8)

    def sharpness(angle: float) -> float:
        return float(np.var(turned(half, angle).sum(axis=1, dtype=np.float64)))

    best = max(np.arange(-limit, limit + 0.01, 0.5), key=sharpness)
    best = max(np.arange(best - 0.5, best + 0.51, 0.1), key=sharpness)
    return turned(text, float(best)) if abs(best) > 0.05 else text


def _rot(image: Image, degrees: int) -> Image:
    """The image turned clockwise by `degrees` (a multiple of 90)."""
    k = (degrees // 90) % 4
    return np.ascontiguousarray(np.rot90(image, -k)) if k else image


def rotation_matrix(degrees: int, w: int, h: int) -> Matrix:
    """Pixel map of `_rot(image of w × h, degrees)`: source pixel → turned pixel."""
    k = (degrees // 90) % 4
    if k == 0:
        return np.eye(3)
    if k == 1:  # clockwise: (x, y) → (h - 1 - y, x)
        return np.array([[0.0, -1.0, h - 1.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    if k == 2:
        return np.array([[-1.0, 0.0, w - 1.0], [0.0, -1.0, h - 1.0], [0.0, 0.0, 1.0]])
    return np.array([[0.0, 1.0, 0.0], [-1.0, 0.0, w - 1.0], [0.0, 0.0, 1.0]])


def turn(image: Image, degrees: int) -> Image:
    return _rot(image, degrees)


def detect(ink: Image, engine: Engine | None = None, gray: Image | None = None) -> Orientation:
    """How the page is turned, from the binary page `ink` (ink 255); `engine` and the gray page
    for OSD when the cues are unclear."""
    small, f = _reduced(ink)
    text = _without_rules(small, f)
    direction, why = axis(text)
    if direction is None:
        return _osd(engine, gray, why, (0, 90, 180, 270), MIN_OSD_CONF)
    base = 0 if direction == "h" else 90
    bottom, top = flip_votes(_level(_rot(text, base)))
    why = f"{why}; {bottom} marks at the foot of their line, {top} at the head"
    if bottom >= MIN_VOTES and bottom >= FLIP_RATIO * max(1, top):
        return Orientation(base, "cues", why)
    if top >= MIN_VOTES and top >= FLIP_RATIO * max(1, bottom):
        return Orientation(base + 180, "cues", why)
    # The axis is clear: OSD only chooses between the two ends of it, which it does reliably even
    # where it is unsure of the rest (a page that is mostly table). When it names the other axis
    # (a table whose narrow header cells run one character a line looks like lines up and down),
    # or nothing, the page is read as it is: a page turned by mistake loses as much as one left.
    return _osd(engine, gray, why, (base, base + 180), MIN_OSD_CHOICE)


def _osd(
    engine: Engine | None, gray: Image | None, why: str, allowed: tuple[int, ...], min_conf: float
) -> Orientation:
    """OSD's answer when it is one of `allowed` and sure enough; else the page as it is, unsure."""
    unsure = f"orientation unclear ({why})"
    fallback = 0
    if engine is None or gray is None:
        return Orientation(fallback, "unsure", f"{unsure}; read as it is")
    h, w = gray.shape
    f = min(1.0, OSD_SIDE / max(h, w))
    small = cv2.resize(gray, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA) if f < 1 else gray
    try:
        raw = engine.read(np.ascontiguousarray(small, dtype=np.uint8), OSD)
    except EngineError as e:
        return Orientation(fallback, "unsure", f"{unsure}; OSD failed ({e})")
    parsed = parse_osd(raw)
    if parsed is None:
        return Orientation(fallback, "unsure", f"{unsure}; OSD gave no answer")
    degrees, conf = parsed
    if degrees not in allowed or conf < min_conf:
        return Orientation(fallback, "unsure", f"{unsure}; OSD unsure ({degrees}°, {conf:.1f})")
    return Orientation(degrees, "osd", f"{why}; OSD {degrees}° ({conf:.1f})")


def parse_osd(raw: str) -> tuple[int, float] | None:
    """(degrees the page is turned counter-clockwise, confidence) from an OSD reading; None when
    there is none."""
    for line in raw.splitlines():
        if line.startswith(OSD_PREFIX):
            parts = line.split("\t")
            try:
                degrees, conf = int(parts[1]), float(parts[2])
            except (IndexError, ValueError):
                return None
            if degrees % 90:
                return None
            return (-degrees) % 360, conf  # tesseract gives the clockwise turn
    return None
