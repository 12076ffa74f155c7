"""The confidence of OCR'd cells: failing relations explained as a whole, relations that confirm,
a source's own error, placement doubts weighed as evidence (validate/explain.py, confidence.py)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from extractor.document import Reading, TableCell
from extractor.model import APPLICANTS, Cell
from extractor.ocr.read import _dash, _leading_mark
from extractor.validate import confidence
from extractor.validate.checks import recause, relations, run_checks
from extractor.validate.confidence import CAP_CEILING, apply, cap_levels, gather, probability
from extractor.validate.explain import explain_all

from .test_validate import CONSISTENT

COLUMNS = (*APPLICANTS, "total")
THRESHOLD = 0.8


def _grid(
    values: dict[str, list[int]], readings: dict[str, str] | None = None, default: str = "unanimous"
) -> tuple[dict[str, dict[str, dict[str, Cell]]], dict[str, TableCell]]:
    """The grid as OCR read it: every cell with the agreement `default`, `readings` by path."""
    readings = readings or {}
    tables: dict[str, dict[str, dict[str, Cell]]] = {"requests": {}}
    sources: dict[str, TableCell] = {}
    for row, vals in values.items():
        tables["requests"][row] = {}
        for col, v in zip(COLUMNS, vals, strict=True):
            path = f"requests.{row}.{col}"
            agreement = readings.get(path, default)
            conf = {"unanimous": 0.98, "pair": 0.95, "split": 0.4}.get(agreement, 0.9)
            tables["requests"][row][col] = Cell(value=v, raw=str(v), confidence=conf, page=1, bbox=None)
            sources[path] = TableCell(0, 0, str(v), confidence=conf, reading=Reading(agreement, 95.0))
    return tables, sources


def _misread(values: dict[str, list[int]], changes: dict[str, int]) -> dict[str, list[int]]:
    out = {r: list(v) for r, v in values.items()}
    for path, v in changes.items():
        _, row, col = path.split(".")
        out[row][COLUMNS.index(col)] = v
    return out


def test_one_misread_cell_is_the_only_explanation_and_its_value_is_proposed() -> None:
    values = _misread(CONSISTENT, {"requests.granted.natural_person": 8})
    tables, _ = _grid(values, {"requests.granted.natural_person": "split"})
    (_, found), *_ = explain_all(tables, relations(tables), lambda p: 1.0 if "granted.natural" in p else 6.0)
    assert found is not None
    assert found[0].cells == ("requests.granted.natural_person",)
    assert found[0].values["requests.granted.natural_person"] == 6


def test_two_misread_cells_are_suspects_and_the_crossings_are_not() -> None:
    """Crossing failing rows with failing columns names four cells; two explain every failure."""
    wrong = {"requests.granted.natural_person": 8, "requests.unavailable_not_held.commercial": 4}
    tables, sources = _grid(_misread(CONSISTENT, wrong), dict.fromkeys(wrong, "split"))
    apply(tables, sources, [])
    req = tables["requests"]
    assert req["granted"]["natural_person"].confidence < THRESHOLD
    assert req["unavailable_not_held"]["commercial"].confidence < THRESHOLD
    # The crossings: in a failing row and a failing column, but read surely and needed by no explanation.
    assert req["granted"]["commercial"].confidence >= THRESHOLD
    assert req["unavailable_not_held"]["natural_person"].confidence >= THRESHOLD
    assert any("would satisfy every relation" in r for r in req["granted"]["natural_person"].reasons)


def test_a_printed_total_that_breaks_a_relation_is_the_documents_error() -> None:
    """Every cell read surely, one relation fails: the document's own inconsistency, no flags."""
    values = _misread(CONSISTENT, {"requests.carried_forward.total": 3})
    values["carried_forward"][6] = 3  # the row total and the column's balance now disagree
    tables, sources = _grid(values)
    pairs = run_checks(tables, THRESHOLD, doubt_below=0.98)
    apply(tables, sources, [])
    recause(tables, pairs, THRESHOLD)
    failing = [c for _, c in pairs if not c.passed]
    assert failing and all(c.cause == "source" for c in failing)
    assert all(c.confidence >= THRESHOLD for row in tables["requests"].values() for c in row.values())


def test_a_doubtful_reading_confirmed_by_sure_relations_is_not_flagged() -> None:
    tables, sources = _grid(CONSISTENT, {"requests.granted.natural_person": "split"})
    evidence = gather(tables, sources, [])
    features = evidence["requests.granted.natural_person"].features
    assert features.get("confirmed_sure") == 2
    alone = {k: v for k, v in features.items() if not k.startswith("confirmed")}
    assert probability(features) > probability(alone)
    apply(tables, sources, [])
    assert tables["requests"]["granted"]["natural_person"].confidence >= THRESHOLD


def test_a_relation_that_repeats_one_value_confirms_weakly() -> None:
    """granted.commercial is the row's only non-zero part and equals its total: one misreading
    repeated in both would satisfy the row, so that row confirms it weakly."""
    tables, sources = _grid(CONSISTENT, {"requests.granted.commercial": "split"})
    features = gather(tables, sources, [])["requests.granted.commercial"].features
    # the row total repeats no value here (6 + 1 = 7); the column holds with sure cells
    assert features.get("confirmed_sure") == 2
    values = _misread(CONSISTENT, {"requests.unavailable_not_held.natural_person": 0})
    values["unavailable_not_held"][6] = 1  # 0 + 1 = 1: commercial equals the row total
    values["total"][0], values["total"][6] = 6, 8
    values["new_received"][0], values["new_received"][6] = 7, 9
    tables, sources = _grid(values, {"requests.unavailable_not_held.commercial": "split"})
    features = gather(tables, sources, [])["requests.unavailable_not_held.commercial"].features
    assert features.get("confirmed_weak") == 1 and features.get("confirmed_sure") == 1


def test_zero_and_blank_are_never_confirmed_as_values() -> None:
    tables, sources = _grid(CONSISTENT, {"requests.granted.research": "split"})
    features = gather(tables, sources, [])["requests.granted.research"].features
    assert "confirmed_sure" not in features and features.get("zero_confirmed") == 1


def test_a_placement_doubt_is_weighed_and_unreadable_text_stays_capped() -> None:
    tables, sources = _grid(CONSISTENT)
    req = tables["requests"]
    req["granted"]["natural_person"].confidence = 0.7  # a loosely matched row label
    req["granted"]["commercial"] = Cell(value=None, raw="AT从", confidence=0.2, page=1, bbox=None)
    features: dict[str, dict[str, float]] = {}
    apply(tables, sources, [], features.__setitem__)
    assert features["requests.granted.natural_person"]["placement_doubt"] == 0.3
    assert features["requests.granted.commercial"].get("_cap_not_a_number") == 1
    assert req["granted"]["commercial"].confidence <= cap_levels()["not_a_number"] < THRESHOLD


def test_a_dash_read_as_text_in_a_cell_relations_confirm_as_blank_is_weighed_not_capped() -> None:
    """'一' (chi_sim's or RapidOCR's reading of a dash) where every relation holds with the cell
    blank: evidence for the model. A 0 misread as ')' keeps the cap of text that is not a number."""
    for raw, second, lifted in (
        ("一", None, True),
        ("ee", "一", True),
        (")", "）", False),
        ("一", None, False),
    ):
        tables, sources = _grid(CONSISTENT)
        # The last case: the cell holds a value in the truth (1), so no relation confirms a blank.
        col = "research" if lifted or raw != "一" else "commercial"
        tables["requests"]["granted"][col] = Cell(value=None, raw=raw, confidence=0.2, page=1, bbox=None)
        sources[f"requests.granted.{col}"] = TableCell(
            0, 0, raw, confidence=0.3, reading=Reading("unsure", None, second)
        )
        features: dict[str, dict[str, float]] = {}
        apply(tables, sources, [], features.__setitem__)
        got = features[f"requests.granted.{col}"]
        assert ("dash_as_text" in got) is lifted, (raw, second)
        if not lifted:
            assert tables["requests"]["granted"][col].confidence <= cap_levels()["not_a_number"]


def test_a_guessed_placement_stays_a_cap_on_a_reading_as_unsure_as_it() -> None:
    """A reading of 0.3 placed by a guess capped at 0.3: the confidence does not move, but the cap
    is there (the guess's reason was added) and the model never lifts it, however well the
    relations hold."""
    tables, sources = _grid(CONSISTENT, {"requests.granted.commercial": "unsure"})
    src = sources["requests.granted.commercial"]
    src.confidence, src.notes = 0.3, ["OCR could not tell whether this is a number or a label"]
    cell = tables["requests"]["granted"]["commercial"]
    cell.confidence, cell.reasons = (
        0.3,
        [*src.notes, "columns placed by position: may belong to another table"],
    )
    features: dict[str, dict[str, float]] = {}
    apply(tables, sources, [], features.__setitem__)
    assert features["requests.granted.commercial"].get("_cap_built") == 1
    assert cell.confidence <= cap_levels()["built"] < THRESHOLD
    # Without the guess, the same reading is weighed: the relations that hold confirm it.
    tables, sources = _grid(CONSISTENT, {"requests.granted.commercial": "unsure"})
    src = sources["requests.granted.commercial"]
    src.confidence, src.notes = 0.3, ["OCR could not tell whether this is a number or a label"]
    cell = tables["requests"]["granted"]["commercial"]
    cell.confidence, cell.reasons = 0.3, list(src.notes)
    features = {}
    apply(tables, sources, [], features.__setitem__)
    assert not any(k.startswith("_cap_") for k in features["requests.granted.commercial"])
    assert cell.confidence > 0.3


def test_a_suspect_is_flagged_however_surely_it_was_read() -> None:
    """Every close explanation of two failing relations changes this one cell: read alike by two
    readings or not, a person must see it (a lost digit reads alike every time)."""
    path = "requests.granted.natural_person"
    tables, sources = _grid(_misread(CONSISTENT, {path: 60}), {path: "pair"})
    features: dict[str, dict[str, float]] = {}
    apply(tables, sources, [], features.__setitem__)
    assert features[path].get("suspect") == 1
    assert tables["requests"]["granted"]["natural_person"].confidence <= cap_levels()["suspect"] < THRESHOLD


def test_one_table_cell_read_for_two_keys_stays_capped() -> None:
    tables, sources = _grid(CONSISTENT)
    sources["requests.granted.commercial"] = sources["requests.granted.natural_person"]
    apply(tables, sources, [])
    cell = tables["requests"]["granted"]["natural_person"]
    assert cell.confidence <= cap_levels()["shared_cell"] < THRESHOLD


def test_a_cap_states_its_kinds_share_right_but_never_passes_review(monkeypatch: pytest.MonkeyPatch) -> None:
    """A cap's level is fitted (the share of such cells right); one fitted above the review
    threshold still flags the cell."""
    fitted = {**confidence._model(), "caps": {"suspect": 0.97, "shared_cell": 0.1}}
    monkeypatch.setattr(confidence, "_model", lambda: fitted)
    assert cap_levels()["suspect"] == CAP_CEILING < THRESHOLD
    assert cap_levels()["shared_cell"] == 0.1
    assert cap_levels()["built"] == confidence.CAPS["built"]  # a kind the fit never saw
    path = "requests.granted.natural_person"
    tables, sources = _grid(_misread(CONSISTENT, {path: 60}), {path: "pair"})
    features: dict[str, dict[str, float]] = {}
    apply(tables, sources, [], features.__setitem__)
    assert features[path]["_cap_suspect"] == 1 and features[path]["_cap"] == CAP_CEILING
    assert tables["requests"]["granted"]["natural_person"].confidence <= CAP_CEILING


def test_a_sign_in_doubt_and_engines_that_differ_unconfirmed_are_flagged() -> None:
    """A mark before the digits that may be a lost minus: however the relations hold, a person
    looks. Two engines reading different numbers: flagged when no relation confirms either."""
    path = "requests.granted.natural_person"
    tables, sources = _grid(CONSISTENT, {path: "sign"})
    features: dict[str, dict[str, float]] = {}
    apply(tables, sources, [], features.__setitem__)
    assert features[path].get("_cap_sign") == 1
    assert tables["requests"]["granted"]["natural_person"].confidence < THRESHOLD
    for confirmed in (True, False):
        tables, sources = _grid(CONSISTENT, {path: "pair"})
        sources[path].reading = Reading("pair", 95.0, "99")  # RapidOCR read another number
        if not confirmed:  # the row and the column it is in no longer hold: nothing confirms it
            for rel in relations(tables):
                if path in rel.parts + rel.totals:
                    for other in rel.parts + rel.totals:
                        if other != path:
                            tables["requests"][other.split(".")[1]][other.split(".")[2]].value = None
        features = {}
        apply(tables, sources, [], features.__setitem__)
        assert ("_cap_engines_differ" in features[path]) is not confirmed, confirmed


def test_text_cells_are_left_alone() -> None:
    tables, sources = _grid(CONSISTENT)
    for src in sources.values():
        src.reading = None
    before = {p: (c.confidence, list(c.reasons)) for p, c in _cells(tables)}
    apply(tables, sources, [])
    assert {p: (c.confidence, list(c.reasons)) for p, c in _cells(tables)} == before


def test_the_narrative_names_a_cell() -> None:
    tables, sources = _grid(CONSISTENT, {"requests.new_received.total": "split"})
    agree = gather(tables, sources, [(("requests.new_received.total",), 12.0)])
    differ = gather(tables, sources, [(("requests.new_received.total",), 13.0)])
    assert agree["requests.new_received.total"].features.get("narrative_agrees") == 1
    assert differ["requests.new_received.total"].features.get("narrative_differs") == 1
    assert any("states 13 (differs)" in r for r in differ["requests.new_received.total"].reasons)


def _cells(tables: dict[str, dict[str, dict[str, Cell]]]) -> list[tuple[str, Cell]]:
    return [
        (f"{t}.{r}.{c}", cell)
        for t, rows in tables.items()
        for r, row in rows.items()
        for c, cell in row.items()
    ]


def _drawn(text: str, thickness: int = 3) -> np.ndarray:
    image = np.full((80, 220), 255, np.uint8)
    cv2.putText(image, text, (20, 60), cv2.FONT_HERSHEY_SIMPLEX, 1.5, 0, thickness)
    return image


def test_a_minus_sign_the_readings_drop_is_seen_by_its_shape() -> None:
    assert _leading_mark(_drawn("-4")) and _leading_mark(_drawn("-12"))
    assert not any(_leading_mark(_drawn(t)) for t in ("4", "12", "1-2", "+3", "7.5"))


def test_a_dash_mark_is_one_flat_solid_stroke() -> None:
    dash = np.full((60, 200), 255, np.uint8)
    dash[28:33, 40:160] = 0
    assert _dash(dash)
    assert not any(_dash(_drawn(t, 6)) for t in ("866", "1", "-4", "11"))
