"""Page geometry from pdfium, in pdfplumber's terms, for pdfplumber's table finder.

pdfplumber gets a page's characters and ruling lines by interpreting its content stream with
pdfminer, in Python: on a table page that costs ~50 ms, most of the time of a run. pdfium has
parsed the page already, in C; this module reads the same characters and paths from it and
shapes them as pdfplumber's `page.chars` and `page.edges`, so that pdfplumber's own table
finder (`TableFinder`, "lines" strategy) turns them into the same cell boxes.

Coordinates follow pdfplumber: points, origin top-left, relative to the MediaBox, with the page
/Rotate applied the way pdfminer applies it. Neither pdfplumber nor this module clips to the
CropBox or to clipping paths.
"""

from __future__ import annotations

import ctypes
import itertools
from collections.abc import Iterator
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ..grid import edge

Obj = dict[str, Any]
Box = tuple[float, float, float, float]
# An affine map (a, b, c, d, e, f): x' = a*x + c*y + e, y' = b*x + d*y + f (PDF's convention).
Matrix = tuple[float, float, float, float, float, float]
Point = tuple[float, float]

# Form XObjects nest rarely; pdfminer follows them to any depth, this is a guard against cycles.
MAX_FORM_DEPTH = 16


def _mul(m: Matrix, n: Matrix) -> Matrix:
    """m then n: the map that applies m first (PDF's `m × n`)."""
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s, e * p + f * r + t, e * q + f * s + u)


def page_frame(page: pdfium.PdfPage) -> tuple[Matrix, Box]:
    """The map from PDF user space to pdfplumber's (x, top) coordinates, and pdfplumber's page.bbox.

    pdfminer moves the MediaBox origin to (0, 0) and rotates by /Rotate; pdfplumber then flips y
    with the (rotated) MediaBox height and shifts by the MediaBox corner. Reproducing both keeps
    coordinates identical to pdfplumber's even on offset or rotated pages.
    """
    # pdfium does not inherit a MediaBox from the page tree (crbug.com/pdfium/1786); its bbox does.
    box = page.get_mediabox(fallback_ok=False) or page.get_bbox()
    x0, x1 = sorted((float(box[0]), float(box[2])))
    y0, y1 = sorted((float(box[1]), float(box[3])))
    rotation = page.get_rotation()
    ctm: Matrix = {
        90: (0, -1, 1, 0, -y0, x1),
        180: (-1, 0, 0, -1, x1, y1),
        270: (0, 1, -1, 0, y1, -x0),
    }.get(rotation, (1, 0, 0, 1, -x0, -y0))
    if rotation in (90, 270):
        x0, y0, x1, y1 = y0, x0, y1, x1
    height = y1 - y0
    bbox = (x0, height - y1, x1, height - y0)
    flip: Matrix = (1, 0, 0, -1, bbox[0], height + bbox[1])
    return _mul(ctm, flip), bbox


def _apply(m: Matrix, x: float, y: float) -> Point:
    return (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])


def _box(m: Matrix, left: float, bottom: float, right: float, top: float) -> Box:
    """A user-space box mapped to (x0, top, x1, bottom); the frame turns by multiples of 90°."""
    ax, ay = _apply(m, left, bottom)
    bx, by = _apply(m, right, top)
    return (min(ax, bx), min(ay, by), max(ax, bx), max(ay, by))


def page_chars(page: pdfium.PdfPage, textpage: pdfium.PdfTextPage | None = None) -> list[Obj]:
    """Every character as a pdfplumber-like char dict: text, x0, x1, top, bottom, width, height,
    size, upright, doctop (= top: this page only).

    Boxes are pdfplumber's: from the pen position to the advance in x, and one em (the font size)
    tall, resting on the font's descent. pdfium's loose box gives the same x extent and bottom, but
    spans the font's ascent to descent, often more than an em, so its top is replaced. (The tight
    box hugs each glyph's outline: it matches pdfplumber for no glyph.) Known differences, none
    enough to move a char's centre across a ruling line in our files: where a font descriptor says
    Descent 0 (LibreOffice) or names a standard-14 font, pdfium takes the descent from the font
    program, so boxes sit 0.3-2.5 pt lower; where text uses char spacing (Tc) over several
    strings, pdfminer drops the spacing after each string's last glyph and pdfium does not, so
    later glyphs of the line sit further right than pdfplumber says (pdfium follows the spec).

    Characters that pdfium generates (line breaks, spaces between words) are skipped, as
    pdfplumber has no such characters. pdfium also drops some real whitespace glyphs (a lone space,
    an empty paragraph's NBSP), which pdfplumber keeps, and may order chars differently.
    """
    frame, _ = page_frame(page)
    if textpage is not None:  # the caller's, e.g. already read for the page's text: reused, left open
        return list(_iter_chars(textpage, frame))
    own = page.get_textpage()
    try:
        return list(_iter_chars(own, frame))
    finally:
        own.close()


def _iter_chars(textpage: pdfium.PdfTextPage, frame: Matrix) -> Iterator[Obj]:
    rect = pdfium_c.FS_RECTF()
    matrix = pdfium_c.FS_MATRIX()
    rect_p, matrix_p = ctypes.byref(rect), ctypes.byref(matrix)
    ox, oy = ctypes.c_double(), ctypes.c_double()
    get_unicode, is_generated = pdfium_c.FPDFText_GetUnicode, pdfium_c.FPDFText_IsGenerated
    get_box, get_matrix = pdfium_c.FPDFText_GetLooseCharBox, pdfium_c.FPDFText_GetMatrix
    get_font_size = pdfium_c.FPDFText_GetFontSize
    # pdfminer judges uprightness on the char matrix after its page-rotation CTM: frame's linear
    # part with the y flip undone.
    p, q, r, s = frame[0], -frame[1], frame[2], -frame[3]
    for i in range(pdfium_c.FPDFText_CountChars(textpage)):
        if is_generated(textpage, i) != 0:
            continue
        code = get_unicode(textpage, i)
        if code == 0 or not get_box(textpage, i, rect_p) or not get_matrix(textpage, i, matrix_p):
            continue
        a, b, c, d = matrix.a, matrix.b, matrix.c, matrix.d
        # The text space's vertical scale times Tf is the size pdfminer reports for upright text.
        font_size = get_font_size(textpage, i)
        size = font_size * (c * c + d * d) ** 0.5
        left, bottom, right, top = rect.left, rect.bottom, rect.right, rect.top
        if b == 0 and c == 0 and d > 0 and a > 0:
            if (
                size > 0
                and abs(right - left - font_size) < 1e-3 * font_size
                and abs(size - font_size) > 1e-3 * size
            ):
                # Vertical writing (CID font, Identity-V): pdfium sizes this box by Tf alone,
                # ignoring the text matrix; pdfminer's box is the em square on the char origin.
                pdfium_c.FPDFText_GetCharOrigin(textpage, i, ox, oy)
                left, bottom, right = ox.value, oy.value, ox.value + size
            top = bottom + size
        x0, y_top, x1, y_bottom = _box(frame, left, bottom, right, top)
        yield {
            "text": chr(code),
            "x0": x0,
            "x1": x1,
            "top": y_top,
            "bottom": y_bottom,
            "doctop": y_top,
            "width": x1 - x0,
            "height": y_bottom - y_top,
            "size": size,
            "upright": (a * p + b * r) * (c * q + d * s) > 0 and (a * q + b * s) * (c * p + d * r) <= 0,
        }


def page_edges(page: pdfium.PdfPage) -> list[Obj]:
    """The ruling lines as pdfplumber edge dicts (x0, x1, top, bottom, width, height, orientation,
    object_type), from the page's vector paths, following form XObjects.

    Paths are split into subpaths and classed as pdfminer does, since pdfplumber's edges follow
    from that: a one-segment subpath is a line, one edge ("h" when level, else "v", as pdfplumber
    says even of a slanted line); a closed four-segment axis-aligned one is a rect, four edges
    whether stroked or filled; any other is a curve, one edge per pair of consecutive end points
    (Bézier control points ignored) that lie exactly level or plumb. pdfplumber also lists the
    slanted curve pieces (orientation None); its table finder drops them, so they are left out.
    """
    frame, _ = page_frame(page)
    edges: list[Obj] = []
    count, get = pdfium_c.FPDFPage_CountObjects, pdfium_c.FPDFPage_GetObject
    for i in range(count(page)):
        _collect_edges(get(page, i), frame, edges, 0)
    return edges


def _object_matrix(obj: Any) -> Matrix:
    m = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, ctypes.byref(m)):
        return (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _collect_edges(obj: Any, outer: Matrix, edges: list[Obj], depth: int) -> None:
    kind = pdfium_c.FPDFPageObj_GetType(obj)
    if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
        to_page = _mul(_object_matrix(obj), outer)
        for shape, pts in _subpaths(obj, to_page):
            edges.extend(_subpath_edges(shape, pts))
    elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < MAX_FORM_DEPTH:
        # A form's children are in the form's space; the form object's matrix maps it to its parent.
        inner = _mul(_object_matrix(obj), outer)
        for j in range(pdfium_c.FPDFFormObj_CountObjects(obj)):
            _collect_edges(pdfium_c.FPDFFormObj_GetObject(obj, j), inner, edges, depth + 1)


def _subpaths(path: Any, m: Matrix) -> Iterator[tuple[str, list[Point]]]:
    """The subpaths as pdfminer sees them: operator letters (m, l, c, h) and one end point each,
    in page coordinates. pdfium stores a Bézier as three segments and a closepath as a flag on the
    last segment; pdfminer has one "c" and an "h" back to the start."""
    x, y = ctypes.c_float(), ctypes.c_float()
    xp, yp = ctypes.byref(x), ctypes.byref(y)
    get_segment, get_point = pdfium_c.FPDFPath_GetPathSegment, pdfium_c.FPDFPathSegment_GetPoint
    get_type, get_close = pdfium_c.FPDFPathSegment_GetType, pdfium_c.FPDFPathSegment_GetClose
    moveto, lineto, bezierto = (
        pdfium_c.FPDF_SEGMENT_MOVETO,
        pdfium_c.FPDF_SEGMENT_LINETO,
        pdfium_c.FPDF_SEGMENT_BEZIERTO,
    )
    ops: list[str] = []
    pts: list[Point] = []
    bezier_points = 0
    for k in range(pdfium_c.FPDFPath_CountSegments(path)):
        seg = get_segment(path, k)
        kind = get_type(seg)
        if not get_point(seg, xp, yp):
            continue
        pt = _apply(m, x.value, y.value)
        closes = bool(get_close(seg)) and bool(pts)
        if kind == moveto:
            if ops:
                yield "".join(ops), pts
            ops, pts, bezier_points = ["m"], [pt], 0
            continue
        if kind == lineto and closes and pt == pts[0]:
            # pdfium turns "h" (and the end of "re") into a closing line back to the start;
            # pdfminer has the "h" alone, which matters for its degenerate-rect rules.
            ops.append("h")
            pts.append(pt)
            continue
        if kind == lineto:
            ops.append("l")
            pts.append(pt)
        elif kind == bezierto:
            bezier_points += 1
            if bezier_points % 3 == 0:
                ops.append("c")
                pts.append(pt)
        if closes:
            ops.append("h")
            pts.append(pts[0])
    if ops:
        yield "".join(ops), pts


def _subpath_edges(shape: str, pts: list[Point]) -> list[Obj]:
    """pdfminer's `paint_path` classification, then pdfplumber's line/rect/curve → edge rules."""
    if shape[:1] != "m" or len(pts) < 2:
        return []
    # pdfminer drops a final "l" back to the start when an "h" follows it.
    if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
        shape = shape[:-2] + "h"
        pts = pts[:-1]
    if shape in ("ml", "mlh"):
        (ax, ay), (bx, by) = pts[0], pts[1]
        return [edge(min(ax, bx), min(ay, by), max(ax, bx), max(ay, by), "h" if ay == by else "v", "line")]
    if shape in ("mlllh", "mllll"):
        (ax, ay), (bx, by), (cx, cy), (dx, dy), end = pts
        square = (ax == bx and by == cy and cx == dx and dy == ay) or (
            ay == by and bx == cx and cy == dy and dx == ax
        )
        if end == pts[0] and square:
            x0, x1, top, bottom = min(ax, cx), max(ax, cx), min(ay, cy), max(ay, cy)
            return [
                edge(x0, top, x1, top, "h", "rect_edge"),
                edge(x0, bottom, x1, bottom, "h", "rect_edge"),
                edge(x0, top, x0, bottom, "v", "rect_edge"),
                edge(x1, top, x1, bottom, "v", "rect_edge"),
            ]
    edges = []
    for (ax, ay), (bx, by) in itertools.pairwise(pts):
        if ax == bx or ay == by:
            orientation = "v" if ax == bx else "h"
            edges.append(edge(min(ax, bx), min(ay, by), max(ax, bx), max(ay, by), orientation, "curve_edge"))
    return edges
