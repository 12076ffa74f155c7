"""Building contract Cells from table cells: parse the text, carry provenance, combine confidences."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..document import Table, TableCell
from ..model import Cell
from ..numbers import parse_cell

# The cap on a cell whose text is not a number (nor a null mark the templates know).
NOT_A_NUMBER = 0.2


@dataclass
class Doubt:
    """A cap on a cell's confidence and the reason for it (a loose label match, a guessed column)."""

    confidence: float
    reason: str


@dataclass
class CellSource:
    table: Table
    cell: TableCell | None
    doubts: list[Doubt] = field(default_factory=list)


def build_cell(src: CellSource, *, money: bool = False, signed: bool = False, unit: str = "万元") -> Cell:
    cell = src.cell
    if cell is None:
        return Cell(
            value=None,
            raw="",
            confidence=0.3,
            page=None,
            bbox=None,
            reasons=["no cell at this position of the table", *(d.reason for d in src.doubts)],
        )
    reading = parse_cell(cell.text, money=money, signed=signed, unit=unit)
    confidence = cell.confidence
    reasons: list[str] = []
    if confidence >= 1.0:
        reasons.append("read from the document text")
    reasons.extend(cell.notes)
    if not reading.ok:
        confidence = min(confidence, NOT_A_NUMBER)
        reasons.append(reading.note)
    elif reading.note:
        reasons.append(reading.note)
    for d in src.doubts:
        if d.confidence < confidence:
            confidence = d.confidence
        reasons.append(d.reason)
    has_geometry = cell.bbox is not None
    return Cell(
        value=reading.value,
        raw=reading.raw,
        confidence=round(confidence, 3),
        page=src.table.page if has_geometry else None,
        bbox=[round(v, 2) for v in shown] if (shown := cell.source_bbox or cell.bbox) is not None else None,
        reasons=reasons,
    )
