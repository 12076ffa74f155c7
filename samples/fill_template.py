"""Fill the official 2021 Word template (政府信息公开工作年度报告格式模板) the way an agency does.

    python -m samples.fill_template TEMPLATE.docx TRUTH.json OUT.docx

``fill_template(template, truth, out)`` opens the official ``.docx`` with python-docx and types the
report into it: the title (agency + year) over 格式模板, a preface under the title, the narrative of
sections 一, 五 and 六 over the （文字描述） placeholders, the cells of the three tables and a
sign-off (agency, date) at the end.  The template itself is kept as it is: its fonts, borders,
merged cells, and the full-width spaces some of its empty cells hold.

Every cell is found by its labels, never by a fixed index: the row label in the first column(s)
and the header text above the column (for section 二 the nearest 信息内容 row, for 三 the three
header rows, for 四 the block 行政复议 / 未经复议直接起诉 / 复议后起诉 and the leaf 结果维持 …).
Positions are computed on the table grid (``w:gridSpan``, ``w:vMerge``) from the ``w:tc``
elements themselves, so a value goes into the one real cell, never into a repeat python-docx makes
of a merged cell.  The printed string is ``samples.truth.printed`` (``display`` first); a ``null``
cell printed blank is left as the template has it.  A truth cell with no place in the template
raises ``ValueError``.
"""

from __future__ import annotations

import copy
import datetime as _dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx import Document
from docx.oxml.ns import qn

from samples.labels import (
    COLUMN_LABELS,
    GROUP_LABELS,
    GROUP_ROWS,
    LEAF_LABELS,
    PROACTIVE_2021,
    PROACTIVE_COLUMN_LABELS,
    PROACTIVE_ROW_LABELS,
    REVIEW_COLUMN_LABELS,
    ROW_LABELS,
    SECTION_HEADINGS,
)
from samples.truth import printed

Truth = dict[str, Any]

PLACEHOLDER = "（文字描述"
TEMPLATE_TITLE = "格式模板"
REVIEW_BLOCK_LABELS: dict[str, str] = {
    "行政复议": "review",
    "未经复议直接起诉": "litigation_direct",
    "复议后起诉": "litigation_after_review",
}
# Section 二 column headers of the 2021 template -> truth column key.
PROACTIVE_COLUMNS: dict[str, str] = {
    re.sub(r"\s", "", label): key.removesuffix("_2021")
    for key, label in PROACTIVE_COLUMN_LABELS.items()
    if not key.endswith("_2019")
}


def norm(text: str) -> str:
    """Text without any whitespace (the template pads cells with U+3000)."""
    return re.sub(r"\s", "", text)


def _strip_number(text: str) -> str:
    return re.sub(r"^\d+[.．、]", "", text)


# --------------------------------------------------------------------------------------------
# Paragraph and cell text, on the XML
# --------------------------------------------------------------------------------------------


def _text(el: Any) -> str:
    return "".join(t.text or "" for t in el.iter(qn("w:t")))


def _run_props(p: Any) -> Any | None:
    """The run properties new text gets: the first run's, else the paragraph mark's (as Word does)."""
    run = p.find(qn("w:r"))
    if run is not None and run.find(qn("w:rPr")) is not None:
        return copy.deepcopy(run.find(qn("w:rPr")))
    ppr = p.find(qn("w:pPr"))
    mark = ppr.find(qn("w:rPr")) if ppr is not None else None
    if mark is None:
        return None
    rpr = copy.deepcopy(mark)
    rpr.tag = qn("w:rPr")
    return rpr


def set_paragraph_text(p: Any, text: str) -> None:
    """Replace the content of paragraph element ``p`` by one run of ``text``, keeping its formatting."""
    rpr = _run_props(p)
    for child in list(p):
        if child.tag != qn("w:pPr"):
            p.remove(child)
    run = p.makeelement(qn("w:r"), {})
    if rpr is not None:
        run.append(rpr)
    t = run.makeelement(qn("w:t"), {})
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    t.text = text
    run.append(t)
    p.append(run)


def set_cell_text(tc: Any, text: str) -> None:
    """Type ``text`` into table cell element ``tc`` (its first paragraph; any others are removed)."""
    paragraphs = tc.findall(qn("w:p"))
    if not paragraphs:
        raise ValueError("a table cell without a paragraph")
    set_paragraph_text(paragraphs[0], text)
    for extra in paragraphs[1:]:
        tc.remove(extra)


def _insert_after(anchor: Any, template_p: Any, texts: list[str]) -> Any:
    """Insert one copy of ``template_p`` per text after ``anchor``; return the last one inserted."""
    for text in texts:
        p = copy.deepcopy(template_p)
        set_paragraph_text(p, text)
        anchor.addnext(p)
        anchor = p
    return anchor


def _align_right(p: Any) -> None:
    ppr = p.find(qn("w:pPr"))
    if ppr is None:
        ppr = p.makeelement(qn("w:pPr"), {})
        p.insert(0, ppr)
    for tag in ("w:ind", "w:jc"):
        for old in ppr.findall(qn(tag)):
            ppr.remove(old)
    jc = ppr.makeelement(qn("w:jc"), {qn("w:val"): "right"})
    ind = ppr.makeelement(qn("w:ind"), {qn("w:left"): "0", qn("w:firstLine"): "0"})
    # Schema order of pPr: ... w:ind ... w:jc ... w:rPr: put both before the mark's rPr.
    mark = ppr.find(qn("w:rPr"))
    if mark is not None:
        mark.addprevious(ind)
        mark.addprevious(jc)
    else:
        ppr.append(ind)
        ppr.append(jc)


# --------------------------------------------------------------------------------------------
# Table grid (merge-aware)
# --------------------------------------------------------------------------------------------


@dataclass
class Slot:
    """One ``w:tc`` placed on the table grid."""

    tc: Any
    start: int
    span: int
    text: str  # own text, whitespace removed
    continued: bool  # a w:vMerge continuation (the text is the restart cell's, above)

    def covers(self, col: int) -> bool:
        return self.start <= col < self.start + self.span


def table_slots(tbl: Any) -> list[list[Slot]]:
    """The rows of table element ``tbl`` as slots with their grid columns."""
    rows: list[list[Slot]] = []
    for tr in tbl.findall(qn("w:tr")):
        col = 0
        trpr = tr.find(qn("w:trPr"))
        before = trpr.find(qn("w:gridBefore")) if trpr is not None else None
        if before is not None:
            col = int(before.get(qn("w:val")))
        row: list[Slot] = []
        for tc in tr.findall(qn("w:tc")):
            tcpr = tc.find(qn("w:tcPr"))
            span = 1
            continued = False
            if tcpr is not None:
                gs = tcpr.find(qn("w:gridSpan"))
                if gs is not None:
                    span = int(gs.get(qn("w:val")))
                vm = tcpr.find(qn("w:vMerge"))
                continued = vm is not None and vm.get(qn("w:val"), "continue") == "continue"
            row.append(Slot(tc, col, span, norm(_text(tc)), continued))
            col += span
        rows.append(row)
    return rows


def covering(row: list[Slot], col: int) -> Slot | None:
    return next((s for s in row if s.covers(col)), None)


def resolved_text(rows: list[list[Slot]], r: int, col: int) -> str:
    """The text shown at grid position (r, col): a vMerge continuation shows its restart cell's."""
    while r >= 0:
        slot = covering(rows[r], col)
        if slot is None:
            return ""
        if not slot.continued:
            return slot.text
        r -= 1
    return ""


# --------------------------------------------------------------------------------------------
# The three tables
# --------------------------------------------------------------------------------------------


class _Writer:
    def __init__(self, truth: Truth) -> None:
        self.truth = truth
        self.placed: set[str] = set()

    def write(self, tc: Any, path: str) -> None:
        if path in self.placed:
            raise ValueError(f"{path}: two cells of the template for one truth cell")
        self.placed.add(path)
        text = printed(self.truth, path)
        if text:  # a cell printed blank is left as the template has it
            set_cell_text(tc, text)

    def check_complete(self) -> None:
        wanted = {
            f"{table}.{row}.{col}"
            for table in ("proactive", "requests", "review_litigation")
            for row, cols in self.truth[table].items()
            for col in cols
        }
        missing = sorted(wanted - self.placed)
        if missing:
            raise ValueError(f"no cell of the template for: {', '.join(missing)}")


def _fill_proactive(rows: list[list[Slot]], w: _Writer) -> None:
    row_keys = {norm(PROACTIVE_ROW_LABELS[k]): k for k in PROACTIVE_2021}
    header: list[Slot] | None = None
    for row in rows:
        if not row:
            continue
        label = row[0].text
        if label == "信息内容":
            header = row
            continue
        key = row_keys.get(label)
        if key is None:
            continue
        if header is None:
            raise ValueError(f"section 二: row {label} has no 信息内容 header above it")
        for slot in row[1:]:
            head = covering(header, slot.start)
            col = PROACTIVE_COLUMNS.get(head.text) if head is not None else None
            if col is None or col not in PROACTIVE_2021[key]:
                raise ValueError(f"section 二: no column for {label} under {head.text if head else None!r}")
            w.write(slot.tc, f"proactive.{key}.{col}")


def _request_row_key(labels: list[str], group: str | None) -> str | None:
    """The row key from a row's label texts (left to right) and the current outcome group."""
    for text in reversed(labels):
        leaf = _strip_number(text)
        if group is not None and leaf != text:  # a numbered leaf: look it up within its group
            for key in GROUP_ROWS[group]:
                if norm(LEAF_LABELS[key]) == leaf:
                    return key
        for key, label in ROW_LABELS.items():
            if key != "other" and text == norm(label):
                return key
    return None


def _fill_requests(rows: list[list[Slot]], w: _Writer) -> None:
    columns = {norm(label): key for key, label in COLUMN_LABELS.items()}
    groups = {norm(label): key for key, label in GROUP_LABELS.items()}
    n_cols = max(s.start + s.span for row in rows for s in row)
    # Header rows: everything above the first data row (一、本年新收…).
    first_data = next(
        (r for r, row in enumerate(rows) if any(s.text == norm(ROW_LABELS["new_received"]) for s in row)),
        None,
    )
    if first_data is None:
        raise ValueError("section 三: no row 一、本年新收政府信息公开申请数量")
    data_cols: dict[int, str] = {}
    for col in range(n_cols):
        for r in range(first_data):
            key = columns.get(resolved_text(rows, r, col))
            if key is not None:
                data_cols[col] = key  # the lowest header row that names it wins
    if sorted(data_cols.values()) != sorted(COLUMN_LABELS):
        raise ValueError(f"section 三: header columns found {data_cols}")
    first_col = min(data_cols)
    group: str | None = None
    for r in range(first_data, len(rows)):
        labels = [resolved_text(rows, r, s.start) for s in rows[r] if s.start < first_col]
        for text in labels:
            if text in groups:
                group = groups[text]
        key = _request_row_key([t for t in labels if t], group)
        if key is None:
            raise ValueError(f"section 三: unknown row {labels}")
        for slot in rows[r]:
            if slot.start in data_cols:
                w.write(slot.tc, f"requests.{key}.{data_cols[slot.start]}")


def _fill_review(rows: list[list[Slot]], w: _Writer) -> None:
    leaves = {norm(label): key for key, label in REVIEW_COLUMN_LABELS.items()}
    data = [r for r, row in enumerate(rows) if all(not s.text and not s.continued for s in row)]
    if not data:
        raise ValueError("section 四: no data row")
    r_data = data[0]
    for slot in rows[r_data]:
        texts = [resolved_text(rows, r, slot.start) for r in range(r_data)]
        block = next((REVIEW_BLOCK_LABELS[t] for t in reversed(texts) if t in REVIEW_BLOCK_LABELS), None)
        leaf = next((leaves[t] for t in reversed(texts) if t in leaves), None)
        if block is None or leaf is None:
            raise ValueError(f"section 四: no block/column for the header {texts}")
        w.write(slot.tc, f"review_litigation.{block}.{leaf}")


def _find_table(tables: list[Any], *needles: str) -> Any:
    for tbl in tables:
        text = norm(_text(tbl))
        if all(n in text for n in needles):
            return tbl
    raise ValueError(f"no table of the template holds {needles}")


def fill_tables(body: Any, truth: Truth) -> None:
    tables = list(body.iter(qn("w:tbl")))
    w = _Writer(truth)
    _fill_proactive(table_slots(_find_table(tables, "规章", "信息内容")), w)
    _fill_requests(table_slots(_find_table(tables, "申请人情况", "自然人")), w)
    _fill_review(table_slots(_find_table(tables, "行政复议", "结果维持", "复议后起诉")), w)
    w.check_complete()


# --------------------------------------------------------------------------------------------
# Title and narrative
# --------------------------------------------------------------------------------------------


def _body_paragraphs(body: Any) -> Iterator[Any]:
    return (el for el in body if el.tag == qn("w:p"))


def _paragraphs(truth: Truth, key: str) -> list[str]:
    text = str((truth.get("sections") or {}).get(key) or "")
    return [p.strip() for p in text.split("\n") if p.strip()]


def fill_text(body: Any, truth: Truth) -> None:
    paragraphs = list(_body_paragraphs(body))
    title = next((p for p in paragraphs if TEMPLATE_TITLE in _text(p)), None)
    if title is None:
        raise ValueError("no title paragraph (…格式模板) in the template")
    set_paragraph_text(title, str(truth["report"]["title"]))

    headings: dict[str, Any] = {}
    for p in paragraphs:
        for key, heading in SECTION_HEADINGS.items():
            if norm(_text(p)) == norm(heading):
                headings[key] = p
    if set(headings) != set(SECTION_HEADINGS):
        raise ValueError(f"headings missing from the template: {set(SECTION_HEADINGS) - set(headings)}")
    body_style: Any = None
    last: Any = None
    for key, p in headings.items():
        printed_heading = (truth.get("headings") or {}).get(key)
        if printed_heading:
            set_paragraph_text(p, str(printed_heading))
        placeholder = p.getnext()
        if placeholder is None or not norm(_text(placeholder)).startswith(PLACEHOLDER):
            continue  # a table section
        texts = _paragraphs(truth, key)
        if not texts:
            continue
        body_style = copy.deepcopy(placeholder)
        set_paragraph_text(placeholder, texts[0])
        last = _insert_after(placeholder, body_style, texts[1:])
    if body_style is None or last is None:
        raise ValueError("no （文字描述） placeholder in the template")

    # The preface: a body paragraph between the title and 一、总体情况.
    preface = _paragraphs(truth, "preface")
    if preface:
        _insert_after(headings["overview"].getprevious(), body_style, preface)

    # The sign-off after the last section: agency, then the date.
    sign = [str(truth["report"]["agency"])]
    published = truth["report"].get("published")
    if published:
        d = _dt.date.fromisoformat(str(published))
        sign.append(f"{d.year}年{d.month}月{d.day}日")
    blank = copy.deepcopy(body_style)
    set_paragraph_text(blank, "")
    last.addnext(blank)
    right = copy.deepcopy(body_style)
    _align_right(right)
    _insert_after(blank, right, sign)


def remove_borders(body: Any) -> None:
    """Every table border and cell border set to none, as agencies that "clean up" the template do:
    the columns are then aligned by whitespace only."""
    for tag in ("w:tblBorders", "w:tcBorders"):
        for el in list(body.iter(qn(tag))):
            for side in list(el):
                side.set(qn("w:val"), "nil")
                for attr in ("w:sz", "w:space", "w:color"):
                    side.attrib.pop(qn(attr), None)
    for tbl in body.iter(qn("w:tbl")):
        pr = tbl.find(qn("w:tblPr"))
        if pr is not None and pr.find(qn("w:tblBorders")) is None:
            borders = pr.makeelement(qn("w:tblBorders"), {})
            for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
                borders.append(borders.makeelement(qn(f"w:{side}"), {qn("w:val"): "nil"}))
            pr.append(borders)


def fill_template(template: Path, truth: Truth, out: Path, borders: bool = True) -> None:
    """Write ``out``: the official ``template`` filled in with ``truth`` (a ``samples.truth`` dict);
    with ``borders=False``, its tables without any ruling line."""
    if str(truth["report"].get("template")) != "2021":
        raise ValueError("the official template is the 2021 one; the truth is not")
    doc = Document(str(template))
    body = doc.element.body
    fill_tables(body, truth)
    fill_text(body, truth)
    if not borders:
        remove_borders(body)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))


if __name__ == "__main__":
    import json
    import sys

    if len(sys.argv) != 4:
        sys.exit("usage: python -m samples.fill_template TEMPLATE.docx TRUTH.json OUT.docx")
    fill_template(
        Path(sys.argv[1]), json.loads(Path(sys.argv[2]).read_text(encoding="utf-8")), Path(sys.argv[3])
    )
