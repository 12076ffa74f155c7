"""The confidence of cells read by OCR: all the evidence for a reading, combined into a probability.

Each piece of evidence is a term of a logistic model, its weight in patterns/confidence.toml,
fitted on generated scans with known truth (bench/calibrate.py); the model's log-odds then go
through that file's calibration table, so that a stated 0.9 is right nine times in ten.

- The reading: how the engine's readings agreed (ocr/read.py), tesseract's own confidence, the
  second engine's reading where it was asked, the text layer's vote.
- The relations: a relation that holds confirms its cells, strongly when its other cells were read
  surely (for this one to be wrong, another would have to be wrong by the same amount the other
  way), less when they are doubtful or when the cell equals the relation's only other non-zero
  cell (one misreading repeated in both satisfies it). A 0 or a blank is confirmed as "0 or blank"
  only: a relation cannot tell them apart.
- The failing relations, explained as a whole (explain.py): a cell every close explanation needs is
  a suspect, one some need may be; a cell in a failing relation that no explanation needs is not.
- The narrative's own numbers where they name one cell ("共受理申请 N 件").

Text cells (confidence 1.0, no OCR reading) are not touched.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import regex

from .. import patterns
from ..document import TableCell
from ..model import Cell
from ..reconstruct.cells import NOT_A_NUMBER
from .checks import Relation, Tables, _get, relations
from .explain import explain_all

SURE_READINGS = ("unanimous", "pair", "blank", "dash")
# Readings that disagree among themselves (a majority, a split, one engine alone).
SPLIT_READINGS = ("split", "second_only", "unsure_split", "votes", "contested", "sign")
UNREAD = 0.3  # a cap this low (text that is not a number, a placement guessed) stays a cap
# Doubts that put a cell before a person whatever else is known (`_caps`), each with the confidence
# it states: the share of such cells right on generated scans, fitted with the model (these are
# the levels before any fit). A suspect (every close explanation of the failing relations changes
# it) is one, whatever its readings: on generated scans 47 of 57 were wrong, sure readings among them.
CAPS = {
    "built": UNREAD,  # a placement guessed, a row label matched by template order
    "not_a_number": NOT_A_NUMBER,
    "unread_ink": UNREAD,
    "shared_cell": UNREAD,
    "suspect": 0.5,
    "split_suspect": 0.5,
    "unsure_unconfirmed": 0.5,
    "sign": 0.5,
    "engines_differ": 0.5,
}
# Never above the default review threshold (0.8): a capped cell is flagged however often its kind
# turned out right.
CAP_CEILING = 0.75


@dataclass
class Evidence:
    """The terms of one cell's log-odds (feature → value) and what they say, for the reasons."""

    features: dict[str, float] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)


@cache
def _model() -> dict[str, Any]:
    return dict(patterns.load("confidence"))


def reading_logit(cell: TableCell) -> float:
    """The log-odds that the reading is right from the reading alone (the cost of calling it wrong)."""
    if cell.reading is None:
        return 12.0 if cell.confidence >= 1.0 else _logit(cell.confidence)
    return float(_model()["cost"].get(cell.reading.agreement, 0.0))


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def _sure(cell: TableCell | None) -> bool:
    if cell is None:
        return False
    if cell.reading is None:
        return cell.confidence >= 1.0
    return cell.reading.agreement in SURE_READINGS


def gather(
    tables: Tables,
    sources: dict[str, TableCell],
    facts: list[tuple[tuple[str, ...], float]],
) -> dict[str, Evidence]:
    """The evidence for every cell read by OCR."""
    rels = relations(tables)
    evidence: dict[str, Evidence] = {}

    def cost(path: str) -> float:
        src = sources.get(path)
        return reading_logit(src) if src is not None else 12.0

    in_all: set[str] = set()
    in_some: set[str] = set()
    proposals: dict[str, set[float | None]] = {}
    unexplained: set[str] = set()  # cells of failing relations that nothing explains
    for group, explanations in explain_all(tables, rels, cost):
        if explanations is None:
            unexplained |= {p for r in group if _failing(tables, r) for p in r.parts + r.totals}
        if not explanations:
            continue
        in_all |= set(explanations[0].cells).intersection(*(e.cells for e in explanations))
        in_some |= {c for e in explanations for c in e.cells}
        for e in explanations:
            for c in e.cells:
                proposals.setdefault(c, set()).add(e.values.get(c))
    shared = Counter(id(src) for src in sources.values())
    for path, src in sources.items():
        if src.reading is None:
            continue
        cell = _get(tables, path)
        if cell is None:
            continue
        ev = Evidence()
        f = ev.features
        r = src.reading
        f[f"agreement_{r.agreement}"] = 1.0
        if r.engine_conf is not None and r.agreement not in ("blank", "dash"):
            # tesseract's word confidence, per 10 points from 90 (its scale is not a probability:
            # a lone '0' read right often gets 20)
            f["engine_conf"] = max(-3.0, (min(r.engine_conf, 100.0) - 90.0) / 10.0)
        if r.second is not None:
            agrees = _same(r.second, cell)
            f["second_agrees" if agrees else "second_differs"] = 1.0
            ev.reasons.append(f"RapidOCR read {r.second!r}{'' if agrees else ' (differs)'}")
        if r.layer is not None:
            agrees = _same(r.layer, cell)
            f["layer_agrees" if agrees else "layer_differs"] = 1.0
        if cell.value is None and cell.raw and r.agreement not in ("dash", "blank"):
            # A null mark read as text ('一', '/', '无') where the ink's shape said no dash.
            f["null_from_text"] = 1.0
        if shared[id(src)] > 1 and cell.value is not None:
            f["shared_cell"] = 1.0
            ev.reasons.append(f"the same table cell was read for {shared[id(src)]} keys (a lost rule?)")
        if src.colspan > 1 and cell.value is not None:
            # A number in a cell that spans columns: a rule between two cells was lost, and their
            # digits were read as one.
            f["spans_columns"] = 1.0
            ev.reasons.append(f"read from a cell that spans {src.colspan} columns (a lost rule?)")
        _relation_evidence(path, cell, tables, sources, rels, ev)
        if path in in_all:
            f["suspect"] = 1.0
        elif path in in_some:
            f["maybe_suspect"] = 1.0
        elif path in unexplained:
            f["unexplained"] = 1.0
            ev.reasons.append("a relation it is in fails and no change of a few cells explains the failures")
        elif any(path in rel.parts + rel.totals and _failing(tables, rel) for rel in rels):
            f["failing_not_needed"] = 1.0
        if path in in_some:
            values = proposals.get(path, set())
            proposal = next(iter(values)) if len(values) == 1 else None
            broken = [rel.id for rel in rels if path in rel.parts + rel.totals and _failing(tables, rel)]
            text = f"breaks {', '.join(broken)}" if broken else "a relation it is in fails"
            if proposal is not None:
                text += f"; {_num(proposal)} would satisfy every relation"
            if path not in in_all:
                text += " (or other cells are wrong: the relations do not single this one out)"
            ev.reasons.append(text)
        if not any(f.get(k) for k in ("confirmed_sure", "confirmed_weak", "zero_confirmed")):
            # No holding relation confirms it: a doubtful reading then stands on its own.
            f["unconfirmed"] = 1.0
            if r.agreement not in SURE_READINGS:
                f["doubtful_unconfirmed"] = 1.0
        for cells, value in facts:
            if cells == (path,):
                agrees = cell.value is not None and abs(cell.value - value) < 1e-6
                f["narrative_agrees" if agrees else "narrative_differs"] = 1.0
                ev.reasons.append(f"the report's text states {_num(value)}{'' if agrees else ' (differs)'}")
        evidence[path] = ev
    return evidence


def _failing(tables: Tables, rel: Relation) -> bool:
    def total(paths: list[str]) -> float:
        return float(sum((c.value or 0) for p in paths if (c := _get(tables, p)) is not None))

    return abs(total(rel.parts) - total(rel.totals)) > 1e-6


def _relation_evidence(
    path: str, cell: Cell, tables: Tables, sources: dict[str, TableCell], rels: list[Relation], ev: Evidence
) -> None:
    sure: list[str] = []
    weak: list[str] = []
    zero: list[str] = []
    for rel in rels:
        members = rel.parts + rel.totals
        if path not in members or _failing(tables, rel):
            continue
        if not cell.value:
            zero.append(rel.id)
            continue
        others = [p for p in members if p != path]
        nonzero = [p for p in others if (c := _get(tables, p)) is not None and c.value]
        echo = len(nonzero) == 1 and (c := _get(tables, nonzero[0])) is not None and c.value == cell.value
        if not echo and all(_sure(sources.get(p)) for p in others):
            sure.append(rel.id)
        else:
            weak.append(rel.id)
    f = ev.features
    if sure:
        f["confirmed_sure"] = float(min(2, len(sure)))
        verb = "holds" if len(sure) == 1 else "hold"
        ev.reasons.append(f"confirmed by {', '.join(sure)}, which {verb} with surely read cells")
    if weak:
        f["confirmed_weak"] = float(min(2, len(weak)))
        verb = "holds" if len(weak) == 1 else "hold"
        ev.reasons.append(f"{', '.join(weak)} {verb}, with doubtful or repeated readings in it")
    if zero:
        f["zero_confirmed"] = 1.0


def _same(text: str, cell: Cell) -> bool:
    """Another reading says the same number: the same digits, point and sign, and nothing else
    but separators and a unit ('i6' is not 6: the 'i' is ink read as something, a digit maybe)."""
    digits = "".join(ch for ch in text if ch.isdigit() or ch in ".-")
    raw = "".join(ch for ch in cell.raw if ch.isdigit() or ch in ".-")
    rest = _ALLOWED.sub("", text)
    return bool(digits) and digits == raw and not rest


# What a reading of a number may hold besides its digits, point and sign.
_ALLOWED = regex.compile(r"[\d.\-−—,，\s%]|万元|亿元|元|万|件|个|项|条|次|家")


def _capped_alike(cell: Cell, src: TableCell) -> bool:
    """A cap as low as the reading's own confidence (at most UNREAD): a placement guessed at 0.3 on
    a reading of 0.3 leaves the confidence where the reading put it, but a doubt or a note was
    added to the reading's notes, and the cap must stay (it was lost, and the cell went through
    unflagged at the model's word)."""
    own = list(src.notes)
    added = cell.reasons[len(own) :] if cell.reasons[: len(own)] == own else cell.reasons
    return cell.confidence <= min(src.confidence, UNREAD) and bool(added)


_DASHES = regex.compile(r"[一\-—–－_]+")


def _dash_read(raw: str, second: str | None) -> bool:
    """The cell's text, or the second engine's reading, is dashes alone."""
    return any(t and _DASHES.fullmatch(t.replace(" ", "")) for t in (raw, second or ""))


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def probability(features: dict[str, float]) -> float:
    """The calibrated probability the value is right, from its evidence."""
    model = _model()
    weights: dict[str, float] = model["weights"]
    z = weights["bias"] + sum(weights.get(k, 0.0) * v for k, v in features.items())
    return calibrated(z, model.get("calibration", {}))


def calibrated(z: float, table: dict[str, list[float]]) -> float:
    """The log-odds `z` through the calibration table (a step function: the share right of the
    fitted block whose lowest log-odds `z` has reached), or the logistic without a table."""
    zs, ps = table.get("z", []), table.get("p", [])
    if len(zs) < 2:
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
    p = float(ps[0])
    for z0, p0 in zip(zs, ps, strict=True):
        if z < z0:
            break
        p = float(p0)
    return p


def apply(
    tables: Tables,
    sources: dict[str, TableCell],
    facts: list[tuple[tuple[str, ...], float]],
    trace: Callable[[str, dict[str, float]], None] | None = None,
) -> None:
    """Set the confidence and reasons of every cell read by OCR from its evidence. A cap set while
    building the cell (a loosely matched label, a guessed column, text that is not a number) stays."""
    evidence = gather(tables, sources, facts)
    levels = cap_levels()
    for path, ev in evidence.items():
        cell = _get(tables, path)
        src = sources[path]
        if cell is None:
            continue
        caps = _caps(cell, src, ev.features)
        level = min((levels[k] for k in caps), default=1.0)
        if trace is not None:
            trace(path, {**ev.features, **{f"_cap_{k}": 1.0 for k in caps}, "_cap": level})
        p = probability(ev.features)
        cell.confidence = round(min(p, level), 3)
        cell.reasons = [*cell.reasons, *ev.reasons]


def cap_levels() -> dict[str, float]:
    """The confidence of each kind of cap: the share of such cells found right on generated scans
    (bench/calibrate.py --fit), never above CAP_CEILING."""
    fitted = _model().get("caps", {})
    return {k: min(float(fitted.get(k, v)), CAP_CEILING) for k, v in CAPS.items()}


def _caps(cell: Cell, src: TableCell, f: dict[str, float]) -> list[str]:
    """The kinds of doubt that put this cell before a person whatever the model says (CAPS). A cap
    set while building the cell (a guessed placement, text that is not a number) is one of them;
    a milder doubt from building (a loosely matched label or header) becomes evidence."""
    caps = []
    built = cell.confidence if cell.confidence < src.confidence or _capped_alike(cell, src) else 1.0
    second = src.reading.second if src.reading is not None else None
    if built == NOT_A_NUMBER and f.get("zero_confirmed") and _dash_read(cell.raw, second):
        # A dash read as text (chi_sim's or RapidOCR's '一'), and a relation that holds with this
        # cell as 0 or blank: evidence for the model to weigh, no longer a cap. A 0 misread as text
        # (')', '《') is never read as dashes, and keeps its cap.
        f["dash_as_text"] = 1.0
    elif built > UNREAD:
        if built < 1.0:
            # A doubt about where the value belongs (a loosely matched label or header, a column
            # placed from the template) is evidence like the rest: relations that hold outweigh it.
            f["placement_doubt"] = round(1.0 - built, 3)
    else:
        caps.append("not_a_number" if built == NOT_A_NUMBER else "built")
    agreement = src.reading.agreement if src.reading is not None else ""
    if agreement == "unsure" and not src.text.strip():
        caps.append("unread_ink")  # ink that no engine read: not a blank, and no value either
    if f.get("shared_cell"):
        caps.append("shared_cell")  # one table cell read for two keys: wrong for one of them at least
    if f.get("suspect"):
        caps.append("suspect")
    if f.get("maybe_suspect") and agreement in SPLIT_READINGS:
        # The failing relations point at it (one close explanation changes it) and its own
        # readings split: on generated scans 13 of 19 such cells were wrong.
        caps.append("split_suspect")
    if agreement == "unsure_split" and f.get("unconfirmed"):
        caps.append("unsure_unconfirmed")  # eng and chi_sim read different numbers, neither surely
    if agreement == "sign":
        # A mark before the digits that may be a minus no reading kept: RapidOCR drops it alike, so
        # only a person can tell (on generated scans 11 of 15 such cells had lost their sign).
        caps.append("sign")
    if f.get("second_differs") and f.get("unconfirmed"):
        # The two engines read different numbers and no relation confirms either reading.
        caps.append("engines_differ")
    return caps
