"""Re-read a generated PDF with pdfplumber and compare it with its truth.

    python -m samples.check_pdf samples/reports [--verbose]

Checks: the text is clean (no "(cid:…)", no private-use or replacement characters);
the title, headings and narrative paragraphs are in the text; the section 三 grid, the
section 四 row and the section 二 rows rebuilt from `find_tables()` hold exactly the
printed strings of the truth, in order; merged header cells come out as merged (None in
the covered positions).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

import pdfplumber

from samples.labels import (
    PROACTIVE_ROW_LABELS,
    REQUEST_COLUMNS,
    REVIEW_BLOCKS,
    REVIEW_COLUMNS,
    request_rows,
)
from samples.truth import Truth, printed, proactive_keys

Row = list[str | None]
_WS = re.compile(r"\s+")
_PAGE_NO = re.compile(r"^-\s*\d+\s*-$")
_HEADER_WORDS = ("申请人情况", "自然人", "商业", "法人或其他组织")


def _clean(text: str | None) -> str | None:
    return None if text is None else _WS.sub("", text)


def read_pdf(path: str | Path) -> tuple[list[str], list[tuple[int, list[Row]]]]:
    """(page texts, [(page number, table rows)])."""
    texts: list[str] = []
    tables: list[tuple[int, list[Row]]] = []
    with pdfplumber.open(str(path)) as pdf:
        for page in pdf.pages:
            texts.append(page.extract_text() or "")
            for table in page.find_tables():
                tables.append((page.page_number, table.extract()))
    return texts, tables


def check_pdf(path: str | Path, truth: Truth) -> list[str]:
    """Every disagreement between the PDF and `truth` (empty when all is well)."""
    texts, tables = read_pdf(path)
    problems: list[str] = []
    problems += _check_text(texts, truth)
    problems += _check_requests(tables, truth)
    problems += _check_review(tables, truth)
    problems += _check_proactive(tables, truth)
    return problems


def _check_text(texts: list[str], truth: Truth) -> list[str]:
    problems: list[str] = []
    for n, text in enumerate(texts, 1):
        if "(cid:" in text:
            problems.append(f"page {n}: (cid:…) in the text")
        bad = [ch for ch in text if "\ue000" <= ch <= "\uf8ff" or ch == "\ufffd"]
        if bad:
            problems.append(f"page {n}: odd characters {bad[:5]!r}")
    body = "".join(line for text in texts for line in text.splitlines() if not _PAGE_NO.match(line.strip()))
    flat = _WS.sub("", body)
    report = truth["report"]
    if report["agency"] not in flat or f"{report['year']}年政府信息公开工作年度报告" not in flat:
        problems.append("title not found in the text")
    for key, heading in truth["headings"].items():
        if _WS.sub("", heading) not in flat:
            problems.append(f"heading of {key} not found: {heading}")
    for key, text in truth["sections"].items():
        for para in text.split("\n"):
            if para and _WS.sub("", para) not in flat:
                problems.append(f"paragraph of {key} not found: {para[:30]}…")
    return problems


def request_grid(tables: list[tuple[int, list[Row]]]) -> tuple[list[list[str]], list[Row]]:
    """Data rows of the section 三 table, over all its fragments (label cells dropped),
    and the first fragment's first header row."""
    data: list[list[str]] = []
    head: list[Row] = []
    for _, rows in tables:
        # 10 columns, or fewer where a fragment has no vertical line between the label
        # columns (e.g. a first fragment that ends before any group label)
        if not rows or not 8 <= len(rows[0]) <= 10:
            continue
        for row in rows:
            cells = [_clean(c) for c in row]
            if not head and "申请人情况" in "".join(c or "" for c in cells):
                head.append(row)
            if any(w in "".join(c or "" for c in cells) for w in _HEADER_WORDS):
                continue
            if any(c is None for c in cells[-7:]):
                continue
            data.append([c or "" for c in cells[-7:]])
    return data, head


def _check_requests(tables: list[tuple[int, list[Row]]], truth: Truth) -> list[str]:
    problems: list[str] = []
    rows = request_rows("other" in truth["requests"])
    data, head = request_grid(tables)
    if not head:
        return ["section 三 table not found"]
    row0 = head[0]
    if sum(c is not None for c in row0) != 2:
        problems.append(f"section 三 header row 0 not merged as expected: {row0}")
    if len(data) != len(rows):
        problems.append(f"section 三: {len(data)} data rows read, {len(rows)} expected")
    for key, got in zip(rows, data, strict=False):
        want = [_WS.sub("", printed(truth, f"requests.{key}.{c}")) for c in REQUEST_COLUMNS]
        if got != want:
            problems.append(f"section 三 row {key}: read {got}, printed {want}")
    return problems


def _check_review(tables: list[tuple[int, list[Row]]], truth: Truth) -> list[str]:
    want = [
        _WS.sub("", printed(truth, f"review_litigation.{b}.{c}"))
        for b in REVIEW_BLOCKS
        for c in REVIEW_COLUMNS
    ]
    for _, rows in tables:
        if rows and len(rows[0]) == 15 and _clean(rows[0][0]) == "行政复议":
            got = [_clean(c) or "" for c in rows[-1]]
            if rows[0][1] is not None or rows[0][6] is not None:
                return [f"section 四 header not merged: {rows[0]}"]
            return [] if got == want else [f"section 四: read {got}, printed {want}"]
    return ["section 四 table not found"]


def _check_proactive(tables: list[tuple[int, list[Row]]], truth: Truth) -> list[str]:
    problems: list[str] = []
    keys = proactive_keys(truth["report"]["template"])
    labels = {v: k for k, v in PROACTIVE_ROW_LABELS.items()}
    labels["规范性文件"] = "normative_documents"
    found: dict[str, list[str]] = {}
    for _, rows in tables:
        for row in rows:
            first = _clean(row[0]) if row else None
            if first in labels and labels[first] in keys:
                found[labels[first]] = [_clean(c) or "" for c in row[1:] if c is not None]
    for key, cols in keys.items():
        want = [_WS.sub("", printed(truth, f"proactive.{key}.{c}")) for c in cols]
        if key not in found:
            problems.append(f"section 二 row {key} not found")
        elif found[key] != want:
            problems.append(f"section 二 row {key}: read {found[key]}, printed {want}")
    return problems


def continuation_labels(path: str | Path) -> list[str]:
    """The label cells of the first row of every table fragment after the first one of
    its kind: where a merged label split by a page break shows up."""
    _, tables = read_pdf(path)
    out: list[str] = []
    for k, (_, rows) in enumerate(tables):
        if not k or not rows or len(rows[0]) < 2:
            continue
        for row in rows:  # skip repeated header rows
            text = "".join(c or "" for c in row)
            if not any(w in text for w in (*_HEADER_WORDS, "行政复议")):
                out.append("/".join(_clean(c) or "" for c in row[:3]))
                break
    return out


def describe(path: str | Path) -> list[str]:
    """How the tables come out: one line per fragment, with the label cells of the
    first row of every continuation of the section 三 table."""
    _, tables = read_pdf(path)
    out: list[str] = []
    seen_req = False
    for page, rows in tables:
        ncols = len(rows[0]) if rows else 0
        first: Any = rows[0][:3] if rows else None
        line = f"p{page}: {len(rows)}x{ncols}"
        if 8 <= ncols <= 10:
            if seen_req:
                line += f" continuation, first row labels {first}"
            seen_req = True
        out.append(line)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="check generated sample PDFs")
    parser.add_argument("folder", nargs="?", default="samples/reports")
    parser.add_argument("--glob", default="*.pdf", help="which PDFs (default: all with a truth)")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    bad = 0
    for pdf in sorted(Path(args.folder).glob(args.glob)):
        if not Path(f"{pdf}.json").exists():
            continue
        truth = json.loads(Path(f"{pdf}.json").read_text(encoding="utf-8"))
        problems = check_pdf(pdf, truth)
        bad += bool(problems)
        print(f"{pdf.name}: {'ok' if not problems else 'PROBLEMS'}")
        for p in problems:
            print(f"  {p}")
        if args.verbose:
            for d in describe(pdf):
                print(f"  {d}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
