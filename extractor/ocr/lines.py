"""Table structure from the image: ruling lines → cell boxes → a grid with spans.

Ruling lines are the long thin runs of ink a morphological opening keeps (a horizontal kernel
keeps horizontal rules, a vertical one vertical rules; glyph strokes are shorter than the kernels).
Each run becomes an edge, and pdfplumber's own table finder (`find_table_boxes`, the "lines"
strategy the text-PDF path uses) turns the edges into cell boxes; `grid.table_from_boxes` makes
the grid with its spans, as for text PDFs.

A table broken by the page often loses its outer rule in a scan (the rule was clipped): vertical
rules that end at one height with no rule there get one drawn between them, and likewise for
horizontal rules that end at one x. Only rules that already cross two others are closed, so two
lone rules on a page of prose never make a table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from ..grid import edge, find_table_boxes
from .arrays import Image, Matrix

BBox = tuple[float, float, float, float]

# At 300 dpi (pixels of the working image).
MIN_RULE_H = 100  # the shortest horizontal rule kept (一 in 12 pt text is ~50 px)
MIN_RULE_V = 60  # the shortest vertical rule kept (a row is rarely under 70 px; 丨 strokes ~45 px)
TOLERANCE = 12  # ~1 pt: pdfplumber's snap/join/intersection tolerances (3 pt) are in points


@dataclass
class Rule:
    """A ruling line: fitted as `across = slope * along + offset`, from `start` to `end` along it."""

    orientation: str  # "h" (along = x) or "v" (along = y)
    start: float
    end: float
    slope: float
    offset: float
    thickness: float

    def at(self, along: float) -> float:
        return self.slope * along + self.offset

    @property
    def length(self) -> float:
        return self.end - self.start

    @property
    def middle(self) -> float:
        return self.at((self.start + self.end) / 2)


def rule_masks(ink: Image) -> tuple[Image, Image]:
    """The horizontal and the vertical rules of a binary page (ink 255)."""
    h = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (MIN_RULE_H, 1)))
    v = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, MIN_RULE_V)))
    # Close the small gaps noise and JPEG leave in a rule.
    h = cv2.morphologyEx(h, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 1)))
    v = cv2.morphologyEx(v, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 9)))
    return h, v


def rules(mask: Image, orientation: str, min_length: float) -> list[Rule]:
    """Each connected run of a rule mask as a fitted line."""
    # Labelling a whole page costs ~20 ms even when it holds no rule: only the box around the
    # mask's ink is labelled, from even coordinates (the labeller scans 2 × 2 blocks, so the pieces
    # come out in the same order as on the whole page).
    bx, by, bw, bh = cv2.boundingRect(mask)
    if bw == 0 or bh == 0:
        return []
    bx, by = bx - bx % 2, by - by % 2
    mask = mask[by : by + bh + 2, bx : bx + bw + 2]
    # 16-bit labels: a page has a few hundred rule pieces, and 32-bit labels cost 35 MB a page.
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8, ltype=cv2.CV_16U)
    out: list[Rule] = []
    for i in range(1, n):
        x, y, w, h, _area = (int(v) for v in stats[i])
        length, across = (w, h) if orientation == "h" else (h, w)
        if length < min_length or across > max(40, length / 4):
            continue
        ys, xs = np.nonzero(labels[y : y + h, x : x + w] == i)
        x, y = x + bx, y + by  # back to page coordinates
        along, other = (xs + x, ys + y) if orientation == "h" else (ys + y, xs + x)
        if length > 3 * across and len(along) > 2:
            slope, offset = np.polyfit(along.astype(np.float64), other.astype(np.float64), 1)
        else:
            slope, offset = 0.0, float(other.mean())
        thickness = len(along) / max(1.0, float(length))
        start, end = (x, x + w - 1) if orientation == "h" else (y, y + h - 1)
        out.append(Rule(orientation, float(start), float(end), float(slope), float(offset), thickness))
    return out


def rule_segments(ink: Image, min_length: float = 150) -> tuple[list[Rule], list[Rule]]:
    """Long horizontal and vertical rules, found even when they lean by a degree or two: the ink is
    thickened across a rule's direction before the opening, so that a leaning thin rule still has
    long runs of ink along it."""
    hk = cv2.getStructuringElement(cv2.MORPH_RECT, (MIN_RULE_H, 1))
    vk = cv2.getStructuringElement(cv2.MORPH_RECT, (1, MIN_RULE_H))
    h = cv2.morphologyEx(cv2.dilate(ink, np.ones((7, 1), np.uint8)), cv2.MORPH_OPEN, hk)
    v = cv2.morphologyEx(cv2.dilate(ink, np.ones((1, 7), np.uint8)), cv2.MORPH_OPEN, vk)
    hs = [r for r in rules(h, "h", min_length) if abs(r.slope) < 0.1]
    vs = [r for r in rules(v, "v", min_length) if abs(r.slope) < 0.1]
    return hs, vs


def square_up(ink: Image) -> Matrix | None:
    """A homography that makes the page's rules horizontal and vertical (what rotation is left, and
    a photo's keystone), or None when the rules are square already (within 1.5 px) or too few.

    Least squares over every long rule: after the map, both ends of a horizontal rule have the same
    y, both ends of a vertical rule the same x. The unknowns are the two shears (rotation) and the
    two perspective terms (keystone); scale and shift are left alone. Rules that disagree with the
    fit (a seal's straight edge, a shadow) are dropped and the fit repeated."""
    hh, ww = ink.shape
    hs, vs = rule_segments(ink)
    if len(hs) + len(vs) < 3 or not vs or not hs:
        return None
    s = float(max(hh, ww))
    cx, cy = ww / 2, hh / 2

    def ends(r: Rule) -> tuple[float, float, float, float]:
        if r.orientation == "h":
            return ((r.start - cx) / s, (r.at(r.start) - cy) / s, (r.end - cx) / s, (r.at(r.end) - cy) / s)
        return ((r.at(r.start) - cx) / s, (r.start - cy) / s, (r.at(r.end) - cx) / s, (r.end - cy) / s)

    segs = np.array([ends(r) for r in hs + vs])
    is_h = np.array([r.orientation == "h" for r in hs + vs])
    keep = np.ones(len(segs), dtype=bool)

    def residuals(p: npt.NDArray[np.float64], rows: npt.NDArray[np.bool_]) -> npt.NDArray[np.float64]:
        x1, y1, x2, y2 = segs[rows].T
        ish = is_h[rows]

        def mapped(
            x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]
        ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
            w = 1 + p[2] * x + p[3] * y
            return (x + p[0] * y) / w, (p[1] * x + y) / w

        mx1, my1 = mapped(x1, y1)
        mx2, my2 = mapped(x2, y2)
        return np.asarray(np.where(ish, my1 - my2, mx1 - mx2), dtype=np.float64)

    p = np.zeros(4)
    for _ in range(2):
        for _ in range(6):  # Gauss-Newton
            r0 = residuals(p, keep)
            jac = np.empty((len(r0), 4))
            for k in range(4):
                dp = np.zeros(4)
                dp[k] = 1e-6
                jac[:, k] = (residuals(p + dp, keep) - r0) / 1e-6
            step, *_ = np.linalg.lstsq(jac, -r0, rcond=None)
            p += step
            if np.abs(step).max() < 1e-9:
                break
        r = np.abs(residuals(p, np.ones(len(segs), dtype=bool)))
        keep = r <= max(3 * float(np.median(r)), 1.0 / s)
    before = np.abs(residuals(np.zeros(4), keep)).max() * s
    if before < 1.5 or np.abs(p).max() > 0.2:
        return None
    # The map in pixels: normalise, apply, denormalise.
    norm = np.array([[1 / s, 0, -cx / s], [0, 1 / s, -cy / s], [0, 0, 1]])
    h_map = np.array([[1, p[0], 0], [p[1], 1, 0], [p[2], p[3], 1]])
    return np.asarray(np.linalg.inv(norm) @ h_map @ norm, dtype=np.float64)


def rule_edges(hs: list[Rule], vs: list[Rule], tol: float = TOLERANCE) -> list[dict[str, Any]]:
    """pdfplumber edges for the rules, with the outer rules a clipped table lost drawn back."""
    edges = [edge(r.start, r.middle, r.end, r.middle, "h") for r in hs]
    edges += [edge(r.middle, r.start, r.middle, r.end, "v") for r in vs]

    def crosses(h: Rule, v: Rule) -> bool:
        return h.start - tol <= v.middle <= h.end + tol and v.start - tol <= h.middle <= v.end + tol

    h_cross = [sum(crosses(h, v) for v in vs) for h in hs]
    v_cross = [sum(crosses(h, v) for h in hs) for v in vs]
    framed_h = [h for h, n in zip(hs, h_cross, strict=True) if n >= 2]
    framed_v = [v for v, n in zip(vs, v_cross, strict=True) if n >= 2]
    edges += _closures(framed_v, framed_h, "h", tol)
    edges += _closures(framed_h, framed_v, "v", tol)
    return edges


def _closures(lines: list[Rule], across: list[Rule], orientation: str, tol: float) -> list[dict[str, Any]]:
    """Rules of `orientation` drawn where two or more `lines` end together with no rule there."""

    def capped(end: float, at: float) -> bool:
        return any(abs(r.middle - end) <= tol and r.start - tol <= at <= r.end + tol for r in across)

    out = []
    for which in ("start", "end"):
        loose = sorted(
            (getattr(r, which), r.middle) for r in lines if not capped(getattr(r, which), r.middle)
        )
        groups: list[list[tuple[float, float]]] = []
        for end, at in loose:
            if groups and end - groups[-1][-1][0] <= 2 * tol:
                groups[-1].append((end, at))
            else:
                groups.append([(end, at)])
        for group in groups:
            end = sum(e for e, _ in group) / len(group)
            # Every line that ends there, capped or not, bounds the drawn rule.
            ats = [r.middle for r in lines if abs(getattr(r, which) - end) <= 2 * tol]
            if len(group) < 1 or len(ats) < 2:
                continue
            a0, a1 = min(ats), max(ats)
            if orientation == "h":
                out.append(edge(a0, end, a1, end, "h"))
            else:
                out.append(edge(end, a0, end, a1, "v"))
    return out


@dataclass
class Structure:
    """What the ruling lines of a page tell: the cell boxes of each table and the rule masks."""

    tables: list[list[BBox]]
    rule_mask: Image  # every rule pixel (255), to clear from cell crops


def find_structure(ink: Image) -> Structure:
    hh, ww = ink.shape
    h_mask, v_mask = rule_masks(ink)
    hs = rules(h_mask, "h", MIN_RULE_H)
    vs = rules(v_mask, "v", MIN_RULE_V)
    edges = rule_edges(hs, vs)
    settings = {
        "snap_tolerance": TOLERANCE,
        "join_tolerance": TOLERANCE,
        "intersection_tolerance": TOLERANCE,
        "edge_min_length": MIN_RULE_V / 2,
    }
    boxes = find_table_boxes([], edges, (0.0, 0.0, float(ww), float(hh)), settings) if edges else []
    # A "table" of one cell is a frame around prose or a box, not a table.
    tables = [cells for cells in boxes if len(cells) >= 2]
    return Structure(tables=tables, rule_mask=cv2.bitwise_or(h_mask, v_mask))
