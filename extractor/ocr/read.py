"""Reading table cells and page text with an engine (step one), normalised into text (step two).

A cell is read from its own crop: the rules are cleared, the ink is cut out with a margin, and a
crop with no ink is a blank cell (never 0). Labels are read with chi_sim; a cell whose chi_sim
reading has no Han character is a number, and numbers are read with eng and a digit whitelist,
twice: on the crop as it is and on an enlarged, binarised copy. The readings must agree: when
they do not, the cell says so and its confidence drops under the review threshold.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

import cv2
import numpy as np
import regex

from .. import patterns
from ..text import best_similarity
from .arrays import Image
from .engine import Engine, EngineError, Request, Word, parse_tsv
from .options import CERTAIN
from .rapid import RAPID

LABEL_LINE = Request("chi_sim", 7)
LABEL_BLOCK = Request("chi_sim", 6)
DIGITS = "0123456789.,-/+%"
NUMBER = Request("eng", 7, DIGITS)
DIGIT = Request("eng", 10, DIGITS)
# Page text with chi_sim alone: it reads the digits and Latin of a report's prose too, and adding
# eng costs a third more time and turns words of blurred Chinese into Latin garbage ("(=)", "MER").
PAGE_TEXT = Request("chi_sim", 3)

# How the readings of a cell agreed (CellReading.agreement): the confidence model's first evidence.
UNANIMOUS = "unanimous"  # eng on the crop, eng on the crop written twice, and chi_sim: one text
PAIR = "pair"  # eng on the crop and on the crop written twice agree; chi_sim read no number
CONTESTED = "contested"  # those two agree; chi_sim read another number
SIGN = "sign"  # those two agree, but a short flat mark before the digits may be a minus they dropped
VOTES = "votes"  # two or more readings agree and none differs, after the crop written three times
SPLIT = "split"  # the readings disagree: the most common is kept
UNSURE = "unsure"  # neither a label nor a number read consistently
UNSURE_SPLIT = "unsure_split"  # the same, and eng and chi_sim read it differently
SECOND_ONLY = "second_only"  # tesseract read no number; the second engine read one
SECOND_CHI = "second_chi"  # the same, and chi_sim read that number too
BLANK = "blank"  # no ink
DASH = "dash"  # one flat stroke: a dash mark
LABEL = "label"  # text, not a number
FAILED = "failed"  # the engine failed

MIN_SPECK = 25  # px area: JPEG noise and dust under this are not ink (a decimal point is ~60)
PAD = 30  # white margin around a crop (tesseract misreads ink close to the image's edge)
INSET = 5  # px inside the rules' centre lines
INK_LEVEL = 160
# A piece of ink this much wider than tall is two digits touching (a digit is 0.4–0.7 as wide as
# tall; a sans-serif % is the widest single glyph, about 1.1).
TOUCHING = 1.25
MARGIN = 2  # px of the cell kept around its glyphs' ink
FAINT_LEVEL = 215  # grey fringe of a glyph (blur, a thin stroke), not ink on its own

_HAN = regex.compile(r"\p{Han}")
_NUMBER = regex.compile(r"[-+]?\d[\d,]*(\.\d+)?%?")
_HAN_SPACE = regex.compile(
    r"(?<=[\p{Han}\p{P}])\s+(?=[\p{Han}\p{P}\d])|(?<=[\p{Han}\p{P}\d])\s+(?=[\p{Han}\p{P}])"
)


def join_han(text: str) -> str:
    """Tesseract's chi_sim puts spaces between Han characters: drop the spaces next to them."""
    return _HAN_SPACE.sub("", text.strip())


@dataclass
class CellReading:
    text: str
    confidence: float
    notes: list[str] = field(default_factory=list)
    kind: str = "blank"  # blank, label, number
    # What a number's reading rests on, for the confidence model (validate/confidence.py): how the
    # readings agreed (`Agreement`), tesseract's own confidence in the first one (0–100).
    agreement: str = ""
    engine_conf: float | None = None
    second: str | None = None  # the second engine's reading, when it was asked


def ink_crop(gray: Image, rule_mask: Image, box: tuple[int, int, int, int]) -> Image | None:
    """The cell's ink on white with a margin, rules and specks cleared; None for a blank cell."""
    x0, y0, x1, y1 = (box[0] + INSET, box[1] + INSET, box[2] - INSET, box[3] - INSET)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return None
    region = gray[y0:y1, x0:x1].copy()
    hh, ww = region.shape
    # Rules: the parts of the rule mask that reach the crop's edge (a stroke like 一 inside the
    # cell is in the mask too, but reaches no edge).
    rules = rule_mask[y0:y1, x0:x1]
    n, labels, stats, _ = cv2.connectedComponentsWithStats(rules, connectivity=8)
    edge = [
        i
        for i in range(1, n)
        if stats[i][0] <= 1
        or stats[i][1] <= 1
        or stats[i][0] + stats[i][2] >= ww - 1
        or stats[i][1] + stats[i][3] >= hh - 1
    ]
    if edge:
        cleared = cv2.dilate(np.isin(labels, edge).astype(np.uint8), np.ones((7, 7), np.uint8))
        region[cleared > 0] = 255
    region = _stretched(region)
    ink = (region < INK_LEVEL).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    big = [
        i
        for i in range(1, n)
        if stats[i][4] >= MIN_SPECK
        # what is left of a rule: a long thin run along the crop's edge
        and not (stats[i][2] >= 0.5 * ww and stats[i][3] <= 8)
        and not (stats[i][3] >= 0.5 * hh and stats[i][2] <= 8 and hh > 100)
        and not (stats[i][3] >= 0.5 * hh and stats[i][2] <= 3 and _at_side(stats[i], ww))
    ]
    if not big:
        return None
    xs0, ys0, xs1, ys1 = _glyph_bounds(region, labels, big)
    # A minus sign is often too small to count as a glyph, and set apart from the digits: it is kept
    # (a short flat stroke left of the first glyph, at its mid-height), so the readings see the sign.
    glyph_h = ys1 - ys0
    signs = []
    for i in range(1, n):
        x, y, w, h, area = (int(v) for v in stats[i])
        near_glyphs = area >= 4 and xs0 - (x + w) <= glyph_h
        if i not in big and near_glyphs and _minus_at((x, y, w, h), xs0, ys0, ys1, glyph_h):
            signs.append(i)
            xs0 = min(xs0, x)
    near = cv2.dilate(np.isin(labels, big).astype(np.uint8), np.ones((15, 15), np.uint8))
    # Specks away from every glyph are noise; small strokes near a glyph (、 the dots of 学) stay.
    stray = (ink > 0) & (near == 0) & ~np.isin(labels, signs)
    stray |= np.isin(labels, [i for i in range(1, n) if i not in big and stats[i][4] >= MIN_SPECK])
    region[stray] = 255
    cut = region[max(0, ys0 - MARGIN) : ys1 + MARGIN, max(0, xs0 - MARGIN) : xs1 + MARGIN]
    return cv2.copyMakeBorder(cut, PAD, PAD, PAD, PAD, cv2.BORDER_CONSTANT, value=255)


def _glyph_bounds(region: Image, labels: np.ndarray, big: list[int]) -> tuple[int, int, int, int]:
    """The box of the glyphs' ink, their grey fringe included: lighter ink (under FAINT_LEVEL)
    that touches a glyph is part of it. A blurred 4's thin arm is lighter than its stem; cut at the
    stem, the crop read 177 for 477 by every engine."""
    glyph = np.isin(labels, big)
    ys, xs = np.nonzero(glyph)
    strong = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
    _, parts = cv2.connectedComponents((region < FAINT_LEVEL).astype(np.uint8), connectivity=8)
    ys, xs = np.nonzero(np.isin(parts, np.unique(parts[glyph & (parts > 0)])) | glyph)
    wide = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
    # The crop's margin holds a fringe of up to MARGIN px: only a wider one moves the bounds.
    if max(abs(a - b) for a, b in zip(strong, wide, strict=True)) <= MARGIN:
        return strong
    return wide


def _at_side(stat: np.ndarray, width: int) -> bool:
    """A piece of ink touches the crop's left or right edge (a rule's residue, not a digit)."""
    return bool(stat[0] <= 1 or stat[0] + stat[2] >= width - 1)


def _stretched(region: Image) -> Image:
    """Faint print (a photo's grey digits, darkest pixel well above black) stretched so that its
    darkest pixel is black and the paper white. Ink is then the darker half between the two, as it
    is in a clean scan: at the fixed level, faint digits broke into specks and the cell read as
    blank, or a 12 as 1. Cells with any ink under the fixed level only (a blank's grain stays)."""
    inner = region[3:-3, 3:-3] if min(region.shape) > 12 else region
    darkest = int(inner.min())  # not a rule's grey edge along the crop's border
    paper = int(np.median(region))
    if darkest >= INK_LEVEL or (darkest + paper) / 2 <= INK_LEVEL:
        return region
    scaled = (region.astype(np.float32) - darkest) * (255.0 / max(1, paper - darkest))
    stretched: Image = np.clip(scaled, 0, 255).astype(np.uint8)
    return stretched


def _read(engine: Engine, image: Image, request: Request) -> list[Word]:
    return parse_tsv(engine.read(image, request))


def _text(words: list[Word]) -> str:
    return join_han(" ".join(w.text for w in words))


def _mean_conf(words: list[Word]) -> float:
    return sum(w.conf for w in words) / len(words) if words else 0.0


def _trim(crop: Image) -> Image:
    ink = crop < INK_LEVEL
    ys, xs = np.nonzero(ink.any(axis=1))[0], np.nonzero(ink.any(axis=0))[0]
    return crop[ys[0] : ys[-1] + 1, xs[0] : xs[-1] + 1] if len(ys) and len(xs) else crop


def _pad(image: Image) -> Image:
    return cv2.copyMakeBorder(image, PAD, PAD, PAD, PAD, cv2.BORDER_CONSTANT, value=255)


def _line_height(crop: Image) -> int:
    """The height of the tallest run of inked rows: a line of text."""
    tallest, run = 0, 0
    for inked in np.asarray((crop < INK_LEVEL).any(axis=1)).tolist():
        run = run + 1 if inked else 0
        tallest = max(tallest, run)
    return tallest or crop.shape[0]


def _scaled(crop: Image, height: int) -> Image:
    """The crop scaled so that a line of its text is `height` px tall (upscaling only)."""
    f = height / _line_height(crop)
    if f <= 1.05:
        return crop
    return np.asarray(cv2.resize(crop, None, fx=f, fy=f, interpolation=cv2.INTER_CUBIC), dtype=np.uint8)


def _copies(crop: Image, copies: int) -> Image:
    """The number written `copies` times, a glyph's height apart: tesseract's line recogniser reads
    a lone digit (a '1' above all) poorly, and the copies must come out as the same text repeated."""
    t = _trim(crop)
    gap = np.full((t.shape[0], max(8, t.shape[0])), 255, np.uint8)
    parts = [t]
    for _ in range(copies - 1):
        parts += [gap, t]
    return _pad(np.hstack(parts))


def text_rows(crop: Image) -> int:
    """How many lines of text a crop holds (runs of inked rows)."""
    runs, inside = 0, False
    for inked in np.asarray((crop < INK_LEVEL).any(axis=1)).tolist():
        if inked and not inside:
            runs += 1
        inside = bool(inked)
    return runs


def glyphs(crop: Image) -> int:
    """The digits the ink holds at least: pieces of ink at least half as tall as the tallest, one
    per digit ('.' ',' '-' not counted), two for a piece wider than tall (no digit is: two that
    touch, as a blurred 99 does, which every reading took for one 9)."""
    ink = (crop < INK_LEVEL).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if n <= 1:
        return 0
    tallest = max(int(stats[i][3]) for i in range(1, n))
    tall = [i for i in range(1, n) if stats[i][3] >= 0.5 * tallest]
    return sum(2 if stats[i][2] > TOUCHING * stats[i][3] else 1 for i in tall)


def _tall_chars(text: str) -> int:
    """Characters of a number reading that are glyphs `glyphs` counts."""
    return sum(ch.isdigit() or ch in "+/%" for ch in text)


_LABEL_FIXES = str.maketrans({"〈": "（", "《": "（", "〉": "）", "》": "）", "(": "（", ")": "）"})
_NUMBER_UNIT = regex.compile(r"^[\d.,]+(?P<unit>万元|亿元|元|万|件|个|项|条|次|人次|家)$")


def read_cell(engine: Engine, crop: Image | None) -> CellReading:
    """Read one cell crop: a label with chi_sim, a number with eng (see the module's docstring)."""
    if crop is None:
        return CellReading("", 0.97, ["blank in the scan"], "blank", BLANK)
    try:
        return _read_cell(engine, crop)
    except EngineError as e:
        return CellReading("", 0.0, [f"the OCR engine failed on this cell: {e}"], "blank", FAILED)


def _read_cell(engine: Engine, crop: Image) -> CellReading:
    if _dash(crop):
        # One flat stroke is a dash mark ("—", "-", read as 一 by chi_sim): a marked blank.
        return CellReading("—", 0.97, ["a dash mark in the scan (one flat stroke)"], "number", DASH)
    rows = text_rows(crop)
    request = LABEL_BLOCK if rows > 1 else LABEL_LINE
    label = _read(engine, crop, request)
    label_text, label_conf = _text(label), _mean_conf(label)
    squashed = label_text.replace(" ", "")
    unit_number = _NUMBER_UNIT.match(squashed)
    if len(_HAN.findall(label_text)) >= 2 and label_conf >= 60 and not unit_number:
        # (a number with its unit is no label, spaced or not: '1898 96万元', its decimal point read
        # as a space, came out as a label with no note)
        return _label(engine, crop, request, label_text, label_conf)
    if rows == 1:
        number = _read_number(engine, crop, label_text, unit_number["unit"] if unit_number else "")
        if number is not None:
            return number
    # Neither a sure label nor a number tesseract reads consistently: the second engine reads it.
    rapid = _second_engine(engine, crop) if rows == 1 else None
    if rapid and _NUMBER.fullmatch(rapid) and _tall_chars(rapid) >= glyphs(crop):
        agrees = rapid == squashed
        said = "chi_sim read it so too" if agrees else f"tesseract read {label_text!r} (chi_sim)"
        return CellReading(
            rapid,
            0.5,
            [f"tesseract could not read this number; RapidOCR read {rapid!r}, {said}"],
            "number",
            SECOND_CHI if agrees else SECOND_ONLY,
            second=rapid,
        )
    if rapid and _known_label(rapid):
        # Short labels in small or blurred print (规章 at 200 dpi) defeat tesseract's line model;
        # the second engine's reading is kept only when it is a label of the templates.
        said = f"tesseract read {label_text!r}" if label_text else "tesseract read nothing"
        return CellReading(
            rapid, 0.9, [f"{said}; RapidOCR read {rapid!r}, a label of the templates"], "label", LABEL
        )
    if _HAN.search(label_text) and not unit_number:
        return _label(engine, crop, request, label_text, label_conf)
    if unit_number:
        # A number with its unit that only chi_sim read so (eng's readings did not agree): a
        # doubtful number, not a label (a lost decimal point reads as a label with no note).
        note = f"only chi_sim read a number with its unit here ({label_text!r}); eng's readings differ"
        return CellReading(squashed, 0.3, [note], "number", UNSURE, second=rapid)
    first = _text(_read(engine, crop, NUMBER)).replace(" ", "")
    if first or label_text:
        said = f"eng read {first!r}, chi_sim {label_text!r}" if first != label_text else f"both {first!r}"
        note = f"OCR could not tell whether this is a number or a label ({said}, with low confidence)"
    else:
        note = "the cell has ink, but neither eng nor chi_sim read anything in it"
    # Two numbers that differ (a sign, a digit) are a disagreement; one reading, or two alike, are
    # only unsure.
    differ = bool(first and label_text and first != squashed)
    return CellReading(
        first or label_text, 0.3, [note], "number", UNSURE_SPLIT if differ else UNSURE, second=rapid
    )


def _known_label(text: str) -> bool:
    """Two Han characters or more, nearly (≥ 0.9) a label, alias or header word of the templates."""
    return len(_HAN.findall(text)) >= 2 and label_likeness(text) >= 0.9


def label_likeness(text: str) -> float:
    """How near `text` is to a label, alias or header word of the templates (0 for no Han)."""
    return best_similarity(text, _lexicon()) if _HAN.search(text) else 0.0


def turned_label_likeness(engine: Engine, crop: Image) -> float:
    """`label_likeness` of the crop read upside down (one chi_sim reading, as a line or a block)."""
    turned = np.ascontiguousarray(np.rot90(crop, 2))
    request = LABEL_BLOCK if text_rows(turned) > 1 else LABEL_LINE
    try:
        return label_likeness(_text(_read(engine, turned, request)))
    except EngineError:
        return 0.0


@cache
def _lexicon() -> tuple[str, ...]:
    """Every label, alias and header word of the templates (patterns/templates.toml)."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, str):
            if _HAN.search(node):
                found.append(node)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(patterns.load("templates"))
    return tuple(dict.fromkeys(found))


def _label(engine: Engine, crop: Image, request: Request, text: str, conf: float) -> CellReading:
    """A label. Small print is read again enlarged, and of the readings the one nearest a label of
    the templates is kept (the nearest is chosen among what the engine read, never made up);
    labels the templates do not know keep the surer reading."""
    candidates = [(text.translate(_LABEL_FIXES), conf)]
    variants: list[Callable[[], Image]] = [
        lambda: _pad(_scaled(_trim(crop), 48)),
        lambda: _pad(_scaled(_trim(crop), 64)),
        lambda: _otsu(crop),
    ]
    for variant in variants if _line_height(crop) < 44 else variants[2:]:
        if max(best_similarity(t, _lexicon()) for t, _ in candidates) >= 0.9:
            break
        again = _read(engine, variant(), request)
        candidates.append((_text(again).translate(_LABEL_FIXES), _mean_conf(again)))
    scored = [(best_similarity(t, _lexicon()), c, t) for t, c in candidates if t]
    if not scored:
        return CellReading(text, 0.5, [], "label", LABEL)
    known = max(scored)
    _, conf, text = known if known[0] >= 0.6 else max(scored, key=lambda s: s[1])
    return CellReading(text, round(max(0.5, min(0.95, conf / 100)), 3), [], "label", LABEL)


def _otsu(crop: Image) -> Image:
    """The crop binarised (Otsu): black glyphs on white, no grey."""
    _, bw = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    return np.asarray(bw, dtype=np.uint8)


def _halves(text: str, copies: int) -> str | None:
    """The text of one copy when `copies` copies were read alike ('AA', 'A.A' with the gap read as
    a mark); None when the copies differ."""
    for sep in ("", ".", "-", "/", ","):
        size, rest = divmod(len(text) - len(sep) * (copies - 1), copies)
        if size <= 0 or rest:
            continue
        part = text[:size]
        if text == sep.join([part] * copies):
            return part
    return None


def _read_number(engine: Engine, crop: Image, label_text: str, unit: str) -> CellReading | None:
    """A number read with eng and the digit whitelist: the crop, and the crop written twice; when
    those disagree, the crop written three times and chi_sim's reading vote. None: not a number."""
    digits = crop if not unit else _without_unit(crop, len(unit))
    n = glyphs(digits)

    def fits(r: str | None) -> bool:
        # Never fewer glyphs than the ink shows (a missed digit); more is fine (touching digits).
        return bool(r) and _tall_chars(r or "") >= n

    first_words = _read(engine, digits, NUMBER)
    first = _text(first_words).replace(" ", "")
    conf = _mean_conf(first_words) if first_words else None
    doubled = _text(_read(engine, _copies(digits, 2), NUMBER)).replace(" ", "")
    second = _halves(doubled, 2)
    squashed = label_text.replace(" ", "")
    chi = squashed if regex.fullmatch(r"[-+]?[\d.,]+", squashed) else None
    if first == second and fits(first) and first and not first.startswith("-") and _leading_mark(digits):
        # A minus sign the readings dropped (the digit whitelist keeps '-', yet eng loses a short
        # dash before a digit): the sign is in doubt, so the reading is contested, never certain.
        return CellReading(
            first + unit,
            0.4,
            [f"read by OCR as {first!r}, but a short flat mark stands before the digits (a minus sign?)"],
            "number",
            SIGN,
            conf,
            _second_engine(engine, digits),
        )
    if first == second and fits(first):
        if chi == first:  # a second model (chi_sim) agrees too
            return CellReading(
                first + unit,
                CERTAIN,
                [f"read by OCR: eng, eng on the cell written twice and chi_sim all read {first!r}"],
                "number",
                UNANIMOUS,
                conf,
            )
        other = f"chi_sim read {label_text!r}" if label_text else "chi_sim read nothing"
        return CellReading(
            first + unit,
            0.95,
            [f"read by OCR: eng and eng on the cell written twice read {first!r}, {other}{_unit_note(unit)}"],
            "number",
            PAIR if chi is None else CONTESTED,  # chi_sim read another number: a real disagreement
            conf,
            _second_engine(engine, digits),
        )
    tripled = _text(_read(engine, _copies(digits, 3), NUMBER)).replace(" ", "")
    third = _halves(tripled, 3)
    # A lone glyph: tesseract's single-character mode is one more reading.
    alone = _text(_read(engine, digits, DIGIT)).replace(" ", "") if n == 1 else None
    votes = [r for r in (first, second, third, chi, alone, _bar(digits)) if r is not None and fits(r)]
    if not votes:
        return None
    # The second engine votes too: where tesseract's readings split, it is the independent one.
    rapid = _second_engine(engine, digits)
    if rapid is not None and _known_label(rapid):
        return None  # split readings of what the second engine reads as a label: not a number
    if rapid is not None and fits(rapid):
        votes.append(rapid)
    tally = Counter(votes)
    best, count = tally.most_common(1)[0]
    shown = (
        f"{first!r} (eng), {doubled!r} (written twice), {tripled!r} (three times), {label_text!r} (chi_sim)"
    )
    # Two readings of the crop as it is can share one misreading; a copies reading must be among them.
    if count >= 2 and len(tally) == 1 and best in (second, third, alone):
        return CellReading(
            best + unit,
            0.9,
            [f"read by OCR: {count} readings agree on {best!r} and none differs ({shown})"],
            "number",
            VOTES,
            conf,
            rapid,
        )
    return CellReading(
        best + unit,
        0.4,
        [f"OCR readings disagree: {shown}; {n} glyph{'s' if n != 1 else ''} in the cell; {best!r} kept"],
        "number",
        SPLIT,
        conf,
        rapid,
    )


def _second_engine(engine: Engine, crop: Image) -> str | None:
    """The second engine's reading of a number crop ('' when it reads nothing), None when there is
    no second engine to ask (a recording made without one): the first engine's evidence stands."""
    try:
        words = _read(engine, crop, RAPID)
    except EngineError:
        return None
    return "".join(w.text for w in words).replace(" ", "").replace("，", ",")


def _leading_mark(crop: Image) -> bool:
    """A short flat stroke left of every tall glyph, at their mid-height: a minus sign."""
    ink = (crop < INK_LEVEL).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    parts = [tuple(int(v) for v in stats[i]) for i in range(1, n) if stats[i][4] >= 4]
    if not parts:
        return False
    tallest = max(h for _, _, _, h, _ in parts)
    tall = [p for p in parts if p[3] >= 0.5 * tallest]
    left = min(x for x, _, _, _, _ in tall)
    top = min(y for _, y, _, _, _ in tall)
    bottom = max(y + h for _, y, _, h, _ in tall)
    return any(_minus_at((x, y, w, h), left, top, bottom, tallest) for x, y, w, h, _ in parts)


def _minus_at(box: tuple[int, int, int, int], left: int, top: int, bottom: int, glyph: int) -> bool:
    """A piece of ink (x, y, w, h) is a minus sign before glyphs `glyph` px tall that start at
    `left` and span `top`–`bottom`: a short flat stroke left of them, at their mid-height."""
    x, y, w, h = box
    band = bottom - top
    return (
        x + w <= left
        and w >= 1.5 * h
        and h <= 0.3 * glyph
        and top + 0.25 * band <= y + h / 2 <= top + 0.75 * band
    )


def _bar(crop: Image) -> str | None:
    """'1' when the crop's only glyph is a plain upright bar (a sans-serif 1, which tesseract's eng
    model often returns nothing for); a vote like any reading, never a reading on its own."""
    stroke = _only_stroke(crop)
    if stroke is None:
        return None
    w, h, area = stroke
    return "1" if h >= 12 and w <= 0.3 * h and area >= 0.6 * w * h else None


def _dash(crop: Image) -> bool:
    """The crop's only ink is one solid flat stroke, at least three times as wide as it is tall (a
    blurred number at 150 dpi can run into one blob, but not one that flat and solid)."""
    stroke = _only_stroke(crop)
    if stroke is None:
        return False
    w, h, area = stroke
    return w >= 3 * h and area >= 0.7 * w * h


def _only_stroke(crop: Image) -> tuple[int, int, int] | None:
    """Width, height and area of the crop's only piece of ink past a speck; None for none or more."""
    ink = (crop < INK_LEVEL).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    big = [i for i in range(1, n) if stats[i][4] >= MIN_SPECK]
    if len(big) != 1:
        return None
    _, _, w, h, area = (int(v) for v in stats[big[0]])
    return w, h, area


def _unit_note(unit: str) -> str:
    return f" (unit {unit} read with chi_sim)" if unit else ""


def _without_unit(crop: Image, chars: int) -> Image:
    """The crop without its last `chars` Han characters (a unit such as 元): each is about as wide
    as the line is tall."""
    t = _trim(crop)
    cut = t.shape[1] - int(chars * t.shape[0] * 1.05)
    return _pad(t[:, : max(1, cut)])


PageLine = tuple[str, float, tuple[int, int, int, int]]  # text, mean word confidence, box

_LATIN = regex.compile(r"[A-Za-z]")
_HEADING_START = regex.compile(r"^[、，,.．]|^[一二三四五六七八九十][、，,.．]")
_MISREAD_ORDINAL = regex.compile(r"^[^\P{Han}一二三四五六七八九十]、")


def page_lines(engine: Engine, image: Image) -> list[PageLine]:
    """The text lines of a page image (spaces between Han characters dropped), each re-read on its
    own when the page reading is doubtful (see `_doubtful`)."""
    from ..vocabulary import reads_as_heading

    words = _read(engine, image, PAGE_TEXT)
    lines: dict[tuple[int, int, int], list[Word]] = {}
    for w in words:
        lines.setdefault(w.line, []).append(w)
    out: list[PageLine] = []
    for ws in lines.values():
        text = _text(ws)
        if not text:
            continue
        box = (
            min(w.box[0] for w in ws),
            min(w.box[1] for w in ws),
            max(w.box[2] for w in ws),
            max(w.box[3] for w in ws),
        )
        line: PageLine = (text, _mean_conf(ws), box)
        if _doubtful(line, reads_as_heading(text)):
            line = _reread(engine, image, line, reads_as_heading)
        out.append(line)
    out.sort(key=lambda t: (t[2][1], t[2][0]))
    return out


def _doubtful(line: PageLine, heading: bool) -> bool:
    """A line worth reading again alone: a short line shaped like a heading that does not read as
    one (a lost ordinal, a misread keyword), Latin letters where Chinese is expected (a large title
    read with the eng model), or a low confidence."""
    text, conf, _ = line
    if heading:
        return False
    shaped = bool(_HEADING_START.match(text)) or _misread_ordinal(text) is not None
    looks_heading = len(text) <= 40 and shaped and not regex.search(r"\d", text)
    latin = len(_LATIN.findall(text)) >= 3 and conf < 85
    return looks_heading or latin or conf < 50


def _reread(
    engine: Engine, image: Image, line: PageLine, reads_as_heading: Callable[[str], bool]
) -> PageLine:
    """The line read again with chi_sim alone, from its own crop (widened to the left, where an
    ordinal may have been lost), at its size and at a standard size; the reading kept is the first
    that reads as a heading, else the surest."""
    text, conf, (x0, y0, x1, y1) = line
    h = y1 - y0
    crop = image[max(0, y0 - h // 3) : y1 + h // 3, max(0, x0 - 2 * h) : x1 + h // 2]
    candidates: list[tuple[str, float]] = [(text, conf)]
    for img in (_pad(crop), _pad(_resized(_trim(crop), 48))):
        words = _read(engine, img, LABEL_LINE)
        candidates.append((_text(words), _mean_conf(words)))
    for t, c in candidates[1:]:
        if t and reads_as_heading(t):
            return (t, c, line[2])
    restored = _lost_ordinal(text) or _misread_ordinal(text)
    if restored is not None:
        return (restored, conf, line[2])
    t, c = max(candidates, key=lambda tc: tc[1] if tc[0] else -1.0)
    return (t, c, line[2])


def _lost_ordinal(text: str) -> str | None:
    """A heading whose ordinal the engine dropped ("、政府信息公开行政复议…": tesseract takes a bold
    四 for a frame): the ordinal of the section its words name, when exactly one fits."""
    from ..vocabulary import heading_key

    if not regex.match(r"^[、，,.．]", text):
        return None
    fits = [o + text for o in "一二三四五六" if heading_key(o + text) is not None]
    return fits[0] if len(fits) == 1 else None


def _misread_ordinal(text: str) -> str | None:
    """A heading whose ordinal the engine read as another character ("入、其他需要报告的事项": 六 in a
    blurred scan): the ordinal of the section its words name, when exactly one fits."""
    from ..vocabulary import heading_key

    if not _MISREAD_ORDINAL.match(text):
        return None
    fits = [o + text[1:] for o in "一二三四五六" if heading_key(o + text[1:]) is not None]
    return fits[0] if len(fits) == 1 else None


def _resized(crop: Image, height: int) -> Image:
    """The crop scaled so that its line of text is `height` px tall (up or down)."""
    f = height / max(1, _line_height(crop))
    if 0.9 < f < 1.1:
        return crop
    method = cv2.INTER_CUBIC if f > 1 else cv2.INTER_AREA
    return np.asarray(cv2.resize(crop, None, fx=f, fy=f, interpolation=method), dtype=np.uint8)
