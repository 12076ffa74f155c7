"""Office-made samples: Word files, Word-exported PDFs, web pages and browser-printed PDFs.

    python -m samples.generate_office [--out DIR] [--only ID ...] [--no-pdf] [--no-check]

For every truth (three hand-built ones for now: a 2021-template report, a 2019-template report
and a hybrid with the 2021 section 二 but a single （六）其他处理 row) it writes into
``samples/reports/``:

=============================  ==============================================================
``<id>.docx``                  Word file built like the official template (``render_docx``)
``<id>_word.pdf``              that file exported to PDF by LibreOffice
``<id>.html``                  a clean CMS page, UTF-8 (``render_html`` style ``clean``)
``<id>_msword_gb18030.html``   Word-pasted HTML in GB18030 with a meta charset (style ``word``)
``<id>_web.pdf``               ``<id>.html`` printed to PDF by Chromium
``<id>_msword_web.pdf``        ``<id>_msword_gb18030.html`` printed to PDF by Chromium
``<output>.json``              the truth of each output, with ``file`` set to the output name
=============================  ==============================================================

LibreOffice and Chromium are needed only here (see ``samples.export``); ``--no-pdf`` skips them.
After writing, every PDF is re-read with pdfplumber and compared with its truth (clean text, the
three tables found, every printed cell in place); ``--no-check`` skips that.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from samples import report_layout as rl
from samples.export import (
    ExportError,
    ToolMissingError,
    docx_to_pdf,
    find_chromium,
    find_soffice,
    html_to_pdf,
)
from samples.render_docx import render_docx
from samples.render_html import render_html

Truth = dict[str, Any]

DEFAULT_OUT = Path(__file__).resolve().parent / "reports"

APPLICANTS = rl.REQUEST_COLUMNS[:6]
OUTCOME_2021 = (
    "granted",
    "partially_granted",
    "denied_state_secret",
    "denied_law_prohibited",
    "denied_safety_stability",
    "denied_third_party",
    "denied_internal_affairs",
    "denied_process_info",
    "denied_enforcement_file",
    "denied_admin_query",
    "unavailable_not_held",
    "unavailable_needs_creation",
    "unavailable_unclear",
    "rejected_complaint",
    "rejected_repeat",
    "rejected_publication",
    "rejected_excessive",
    "rejected_confirmation",
    "other_overdue_correction",
    "other_overdue_fee",
    "other_misc",
)
OUTCOME_SINGLE_OTHER = (*OUTCOME_2021[:18], "other")


# --------------------------------------------------------------------------------------------
# Truth building
# --------------------------------------------------------------------------------------------


def _n(x: Any) -> float:
    return 0 if x is None else float(x)


def request_grid(
    new_received: list[int],
    carried_over: list[int],
    outcomes: Mapping[str, list[int]],
    outcome_keys: tuple[str, ...],
) -> dict[str, dict[str, int | None]]:
    """The section 三 grid with the 总计 column, the （七）总计 row and 结转下年度 computed."""
    if set(outcomes) != set(outcome_keys):
        raise ValueError(f"outcome rows {sorted(set(outcomes) ^ set(outcome_keys))} missing or extra")

    def row(values: list[int]) -> dict[str, int | None]:
        if len(values) != 6:
            raise ValueError(f"expected 6 applicant values, got {values}")
        out: dict[str, int | None] = dict(zip(APPLICANTS, values, strict=True))
        out["total"] = sum(values)
        return out

    grid: dict[str, dict[str, int | None]] = {
        "new_received": row(new_received),
        "carried_over": row(carried_over),
    }
    for key in outcome_keys:
        grid[key] = row(outcomes[key])
    total = [sum(outcomes[k][i] for k in outcome_keys) for i in range(6)]
    grid["total"] = row(total)
    forward = [new_received[i] + carried_over[i] - total[i] for i in range(6)]
    if min(forward) < 0:
        raise ValueError(f"more requests handled than received: carried_forward {forward}")
    grid["carried_forward"] = row(forward)
    return grid


def review_block(upheld: int, corrected: int, other: int, pending: int) -> dict[str, int | None]:
    return {
        "upheld": upheld,
        "corrected": corrected,
        "other": other,
        "pending": pending,
        "total": upheld + corrected + other + pending,
    }


def blank(truth: Truth, paths: Iterable[str], display: str | None = None) -> None:
    """Make cells null: printed empty, or as ``display`` ("/", "-") when given.

    Only cells whose value is 0 may be blanked, so that the relations still hold when a reader
    counts a blank as 0.
    """
    for path in paths:
        section, row, col = path.split(".")
        cell = truth[section][row]
        if cell[col] not in (0, None):
            raise ValueError(f"{path} is {cell[col]}, only a 0 may be printed blank")
        cell[col] = None
        if display is not None:
            truth.setdefault("display", {})[path] = display


def relation_failures(truth: Truth) -> list[str]:
    """The contract relations (blank counted as 0); an empty list when all hold."""
    fails: list[str] = []
    req: dict[str, dict[str, Any]] = truth["requests"]
    outcome = [k for k in req if k not in ("new_received", "carried_over", "total", "carried_forward")]
    for col in rl.REQUEST_COLUMNS:
        lhs = _n(req["new_received"][col]) + _n(req["carried_over"][col])
        rhs = _n(req["total"][col]) + _n(req["carried_forward"][col])
        if abs(lhs - rhs) > 1e-9:
            fails.append(f"A1 {col}: {lhs} != {rhs}")
        s = sum(_n(req[k][col]) for k in outcome)
        if abs(s - _n(req["total"][col])) > 1e-9:
            fails.append(f"A2 {col}: outcome rows sum to {s}, total is {req['total'][col]}")
    for key, row in req.items():
        s = sum(_n(row[c]) for c in APPLICANTS)
        if abs(s - _n(row["total"])) > 1e-9:
            fails.append(f"A3 {key}: applicants sum to {s}, total is {row['total']}")
    for block, cells in truth["review_litigation"].items():
        s = sum(_n(cells[c]) for c in ("upheld", "corrected", "other", "pending"))
        if abs(s - _n(cells["total"])) > 1e-9:
            fails.append(f"A4 {block}: parts sum to {s}, total is {cells['total']}")
    return fails


def _truth_2021() -> Truth:
    outcomes = {
        "granted": [412, 15, 1, 0, 6, 2],
        "partially_granted": [198, 6, 0, 0, 3, 1],
        "denied_state_secret": [3, 0, 0, 0, 0, 0],
        "denied_law_prohibited": [5, 0, 0, 0, 0, 0],
        "denied_safety_stability": [2, 0, 0, 0, 0, 0],
        "denied_third_party": [11, 1, 0, 0, 0, 0],
        "denied_internal_affairs": [9, 0, 0, 0, 0, 0],
        "denied_process_info": [14, 1, 0, 0, 1, 0],
        "denied_enforcement_file": [4, 0, 0, 0, 0, 0],
        "denied_admin_query": [37, 2, 0, 0, 0, 0],
        "unavailable_not_held": [301, 11, 1, 1, 7, 1],
        "unavailable_needs_creation": [46, 2, 0, 0, 1, 0],
        "unavailable_unclear": [22, 1, 0, 0, 0, 0],
        "rejected_complaint": [61, 2, 0, 0, 1, 0],
        "rejected_repeat": [29, 1, 0, 0, 0, 0],
        "rejected_publication": [3, 0, 0, 0, 0, 0],
        "rejected_excessive": [12, 0, 0, 0, 0, 0],
        "rejected_confirmation": [6, 0, 0, 0, 0, 0],
        "other_overdue_correction": [58, 3, 0, 0, 2, 0],
        "other_overdue_fee": [2, 0, 0, 0, 0, 0],
        "other_misc": [19, 1, 0, 0, 1, 0],
    }
    truth: Truth = {
        "file": "",
        "report": {
            "agency": "江州市人民政府",
            "year": 2023,
            "template": "2021",
            "published": "2024-01-19",
        },
        "proactive": {
            "regulations": {"issued": 2, "repealed": 1, "in_force": 38},
            "normative_documents": {"issued": 17, "repealed": 9, "in_force": 146},
            "licensing": {"decisions": 58213},
            "punishment": {"decisions": 10342},
            "coercion": {"decisions": 517},
            "fees": {"amount": 3521.47},
        },
        "requests": request_grid([1285, 46, 2, 1, 23, 5], [41, 3, 0, 0, 1, 0], outcomes, OUTCOME_2021),
        "review_litigation": {
            "review": review_block(14, 3, 5, 2),
            "litigation_direct": review_block(6, 1, 2, 1),
            "litigation_after_review": review_block(3, 0, 1, 0),
        },
        "source_failures": [],
        "notes": "",
    }
    blank(truth, ["requests.other_overdue_fee.research", "requests.other_overdue_fee.public_interest"])
    req = truth["requests"]
    truth["sections"] = {
        "overview": "\n".join(
            [
                "2023年，江州市人民政府坚持以习近平新时代中国特色社会主义思想为指导，"
                "认真贯彻落实《条例》和国家、省关于政务公开工作的部署要求，"
                "围绕市委、市政府中心工作，持续深化政务公开，不断提升政府工作透明度。",
                "（一）主动公开",
                "全年通过市政府门户网站主动公开政府信息2.3万余条，其中市政府规章2件、"
                "行政规范性文件17件；召开新闻发布会46场，发布政策解读材料213篇。",
                "（二）依申请公开",
                f"全年新收政府信息公开申请{req['new_received']['total']}件，"
                f"上年结转{req['carried_over']['total']}件；办结{req['total']['total']}件，"
                f"结转下年度继续办理{req['carried_forward']['total']}件。",
                "（三）政府信息管理",
                "严格落实公文公开属性源头认定制度，全年清理行政规范性文件9件。",
                "（四）平台建设",
                "优化政府门户网站政府信息公开专栏，推进政务新媒体规范化建设。",
                "（五）监督保障",
                "将政务公开纳入年度综合考核，组织全市政务公开业务培训2期。",
            ]
        ),
        "problems": "一是基层政务公开标准化规范化水平还不够均衡；二是政策解读的针对性有待加强。"
        "2024年，将加强业务指导和培训，提升政策解读质量。",
        "other": "依据《政府信息公开信息处理费管理办法》，本年度未收取信息处理费。"
        "本年度办理人大代表建议126件、政协提案203件，办理结果已按规定公开。",
    }
    truth["notes"] = (
        "Hand-built 2021-template sample (samples/generate_office.py). Two cells of row "
        "（六）2 are printed blank (null); counted as 0 every contract relation holds."
    )
    return truth


def _truth_2019() -> Truth:
    outcomes = {
        "granted": [38, 6, 0, 0, 1, 1],
        "partially_granted": [9, 2, 0, 0, 0, 0],
        "denied_state_secret": [0, 0, 0, 0, 0, 0],
        "denied_law_prohibited": [1, 0, 0, 0, 0, 0],
        "denied_safety_stability": [0, 0, 0, 0, 0, 0],
        "denied_third_party": [2, 0, 0, 0, 0, 0],
        "denied_internal_affairs": [1, 0, 0, 0, 0, 0],
        "denied_process_info": [3, 0, 0, 0, 0, 0],
        "denied_enforcement_file": [0, 0, 0, 0, 0, 0],
        "denied_admin_query": [2, 0, 0, 0, 0, 0],
        "unavailable_not_held": [14, 2, 0, 0, 1, 0],
        "unavailable_needs_creation": [5, 0, 0, 0, 0, 0],
        "unavailable_unclear": [3, 0, 0, 0, 0, 0],
        "rejected_complaint": [4, 1, 0, 0, 0, 0],
        "rejected_repeat": [2, 0, 0, 0, 0, 0],
        "rejected_publication": [0, 0, 0, 0, 0, 0],
        "rejected_excessive": [0, 0, 0, 0, 0, 0],
        "rejected_confirmation": [1, 0, 0, 0, 0, 0],
        "other": [3, 1, 0, 0, 0, 0],
    }
    truth: Truth = {
        "file": "",
        "report": {
            "agency": "江州市生态环境局",
            "year": 2020,
            "template": "2019",
            "published": "2021-01-22",
        },
        "proactive": {
            "regulations": {"new_made": 0, "new_published": 0, "total_published": 0},
            "normative_documents": {"new_made": 3, "new_published": 3, "total_published": 27},
            "licensing": {"previous": 46, "change": -2, "decisions": 1287},
            "other_services": {"previous": 12, "change": 0, "decisions": 356},
            "punishment": {"previous": 89, "change": 3, "decisions": 214},
            "coercion": {"previous": 6, "change": 0, "decisions": 17},
            "fees": {"previous": 1, "change": 0},
            "procurement": {"projects": 9, "amount": 126.8},
        },
        "requests": request_grid([87, 12, 0, 0, 3, 1], [4, 1, 0, 0, 0, 0], outcomes, OUTCOME_SINGLE_OTHER),
        "review_litigation": {
            "review": review_block(2, 0, 0, 1),
            "litigation_direct": review_block(1, 0, 0, 0),
            "litigation_after_review": review_block(0, 0, 0, 0),
        },
        "source_failures": [],
        "notes": "",
        "display": {"proactive.procurement.amount": "1268000元"},
    }
    blank(truth, [f"requests.rejected_publication.{c}" for c in rl.REQUEST_COLUMNS])
    blank(truth, [f"requests.rejected_excessive.{c}" for c in rl.REQUEST_COLUMNS])
    blank(truth, [f"review_litigation.litigation_after_review.{c}" for c, _ in rl.REVIEW_COLUMNS])
    blank(truth, ["proactive.fees.change"], display="/")
    truth["notes"] = (
        "Hand-built 2019-template sample (samples/generate_office.py). 政府集中采购 amount is "
        "printed '1268000元' -> 126.8 (万元). 本年增/减 of 行政事业性收费 is printed '/' (null). "
        "Rows （五）3 and （五）4 and the 复议后起诉 block are printed blank (null); counted as 0 "
        "every contract relation holds."
    )
    return truth


def _truth_hybrid() -> Truth:
    outcomes = {
        "granted": [61, 4, 0, 1, 2, 1],
        "partially_granted": [18, 1, 0, 0, 0, 0],
        "denied_state_secret": [0, 0, 0, 0, 0, 0],
        "denied_law_prohibited": [1, 0, 0, 0, 0, 0],
        "denied_safety_stability": [0, 0, 0, 0, 0, 0],
        "denied_third_party": [3, 0, 0, 0, 0, 0],
        "denied_internal_affairs": [2, 0, 0, 0, 0, 0],
        "denied_process_info": [4, 0, 0, 0, 0, 0],
        "denied_enforcement_file": [1, 0, 0, 0, 0, 0],
        "denied_admin_query": [6, 0, 0, 0, 0, 0],
        "unavailable_not_held": [32, 2, 0, 0, 1, 1],
        "unavailable_needs_creation": [6, 0, 0, 0, 0, 0],
        "unavailable_unclear": [4, 0, 0, 0, 0, 0],
        "rejected_complaint": [9, 1, 0, 0, 0, 0],
        "rejected_repeat": [5, 0, 0, 0, 0, 0],
        "rejected_publication": [1, 0, 0, 0, 0, 0],
        "rejected_excessive": [0, 0, 0, 0, 0, 0],
        "rejected_confirmation": [2, 0, 0, 0, 0, 0],
        "other": [5, 1, 0, 0, 1, 0],
    }
    truth: Truth = {
        "file": "",
        "report": {
            "agency": "江州市临江区人民政府",
            "year": 2022,
            "template": "2021",
            "title": "2022年江州市临江区政府信息公开工作年度报告",
            "published": "2023-01-16",
        },
        "proactive": {
            "regulations": {"issued": 0, "repealed": 0, "in_force": 0},
            "normative_documents": {"issued": 4, "repealed": 2, "in_force": 31},
            "licensing": {"decisions": 12877},
            "punishment": {"decisions": 2316},
            "coercion": {"decisions": 85},
            "fees": {"amount": 412.6},
        },
        "requests": request_grid([156, 9, 0, 1, 4, 2], [7, 0, 0, 0, 0, 0], outcomes, OUTCOME_SINGLE_OTHER),
        "review_litigation": {
            "review": review_block(3, 1, 0, 0),
            "litigation_direct": review_block(2, 0, 1, 1),
            "litigation_after_review": review_block(0, 0, 0, 0),
        },
        "source_failures": [],
        "notes": "",
    }
    blank(truth, [f"proactive.regulations.{c}" for c in ("issued", "repealed", "in_force")], "/")
    blank(truth, ["requests.rejected_excessive.total"], display="/")
    truth["notes"] = (
        "Hand-built HYBRID sample (samples/generate_office.py): the 2021 section 二 "
        "(本年制发件数 …, 本年收费金额) with a single （六）其他处理 row, so `other` is used and "
        "template is '2021'. A district has no 规章: the three cells are printed '/' (null). "
        "The 总计 cell of （五）4 is printed '/' (null); counted as 0 every contract relation holds."
    )
    return truth


def office_truths() -> dict[str, Truth]:
    """The sample truths by output id. Swap in the shared truth generator here."""
    truths = {
        "office_2021": _truth_2021(),
        "office_2019": _truth_2019(),
        "office_hybrid": _truth_hybrid(),
    }
    for key, truth in truths.items():
        fails = relation_failures(truth)
        if fails and not truth.get("source_failures"):
            raise ValueError(f"{key}: relations fail: {fails}")
    return truths


# --------------------------------------------------------------------------------------------
# Checking the PDFs
# --------------------------------------------------------------------------------------------

_RADICALS = re.compile("[\u2e80-\u2fdf]")  # CJK Radicals Supplement + Kangxi Radicals
_WS = re.compile(r"\s+")


def _norm(text: str | None) -> str:
    return _WS.sub("", text or "")


def check_pdf(pdf_path: Path, truth: Truth) -> list[str]:
    """Re-read ``pdf_path`` with pdfplumber; list every way it disagrees with ``truth``."""
    import pdfplumber  # type: ignore[import-untyped, unused-ignore]

    problems: list[str] = []
    rows: list[list[str]] = []
    text_parts: list[str] = []
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            text_parts.append(page.extract_text() or "")
            for table in page.find_tables():
                for row in table.extract():
                    rows.append([_norm(c) if c is not None else "\0" for c in row])
    text = "\n".join(text_parts)
    if "(cid:" in text:
        problems.append("text has (cid:...) glyphs")
    radicals = sorted(set(_RADICALS.findall(text)))
    if radicals:
        problems.append(f"text has radical code points instead of ideographs: {''.join(radicals)}")
    if _norm(rl.title(truth)) not in _norm(text):
        problems.append("title not found in the text")

    def find_row(label: str, width: int) -> list[str] | None:
        target = _norm(label)
        for row in rows:
            if len(row) < width:
                continue
            labels = [c for c in row[: len(row) - width] if c not in ("\0", "")]
            if labels and labels[-1] == target:
                return row[len(row) - width :]
        return None

    # section 三: every data row, 7 values
    for key, label in rl.request_row_labels(truth):
        got = find_row(label, 7)
        want = [_norm(rl.cell_text(truth, f"requests.{key}.{c}")) for c in rl.REQUEST_COLUMNS]
        if got is None:
            problems.append(f"requests row {key} ({label}) not found in any table")
        elif [g.replace("\0", "") for g in got] != want:
            problems.append(f"requests row {key}: read {got}, printed {want}")

    # section 二: label in the first column, the values in the spanned columns that follow
    for block in rl.proactive_blocks(truth):
        for key, label in block.rows:
            if key not in truth["proactive"]:
                continue
            want = [_norm(rl.cell_text(truth, f"proactive.{key}.{c}")) for c in block.cols]
            # a fragment continued on a new page may have fewer columns than 4
            found = [r for r in rows if r and r[0] == _norm(label)]
            if not found:
                problems.append(f"proactive row {key} ({label}) not found")
                continue
            got = [c for c in found[0][1:] if c != "\0"]
            if got != want:
                problems.append(f"proactive row {key}: read {got}, printed {want}")

    # section 四: the one 15-cell data row
    want4 = [
        _norm(rl.cell_text(truth, f"review_litigation.{b}.{c}"))
        for b in rl.REVIEW_BLOCKS
        for c, _ in rl.REVIEW_COLUMNS
    ]
    data_rows = [
        [c.replace("\0", "") for c in r]
        for r in rows
        if len(r) == 15 and not any(re.search("[\u4e00-\u9fff]", c) for c in r)
    ]
    if want4 not in data_rows:
        problems.append(f"review/litigation row {want4} not found (15-cell rows: {data_rows})")
    return problems


# --------------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------------


def _write_truth(truth: Truth, out_dir: Path, file_name: str) -> None:
    t = copy.deepcopy(truth)
    t["file"] = file_name
    (out_dir / f"{file_name}.json").write_text(
        json.dumps(t, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


def generate(
    truths: Mapping[str, Truth],
    out_dir: Path = DEFAULT_OUT,
    pdf: bool = True,
    check: bool = True,
    log: Callable[[str], None] = print,
) -> list[str]:
    """Write every output of every truth; return the problems found by the PDF check."""
    if pdf:  # fail before writing anything when a converter is missing
        find_soffice()
        find_chromium()
    out_dir.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    for sid, truth in truths.items():
        outputs: list[str] = []

        docx = out_dir / f"{sid}.docx"
        render_docx(truth, docx)
        outputs.append(docx.name)

        html = out_dir / f"{sid}.html"
        render_html(truth, html, style="clean", encoding="utf-8")
        outputs.append(html.name)

        msword = out_dir / f"{sid}_msword_gb18030.html"
        render_html(truth, msword, style="word", encoding="gb18030")
        outputs.append(msword.name)

        pdfs: list[Path] = []
        if pdf:
            pdfs.append(docx_to_pdf(docx, out_dir, pdf_name=f"{sid}_word.pdf"))
            pdfs.append(html_to_pdf(html, out_dir / f"{sid}_web.pdf"))
            pdfs.append(html_to_pdf(msword, out_dir / f"{sid}_msword_web.pdf"))
            outputs.extend(p.name for p in pdfs)

        for name in outputs:
            _write_truth(truth, out_dir, name)
        log(f"{sid}: {', '.join(outputs)}")

        if check:
            for p in pdfs:
                found = check_pdf(p, truth)
                problems.extend(f"{p.name}: {msg}" for msg in found)
                log(f"  check {p.name}: {'ok' if not found else f'{len(found)} problem(s)'}")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m samples.generate_office", description=__doc__.split("\n")[0])
    ap.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="output directory (default: samples/reports)"
    )
    ap.add_argument("--only", nargs="*", default=None, help="ids to generate (default: all)")
    ap.add_argument("--no-pdf", action="store_true", help="skip the LibreOffice / Chromium exports")
    ap.add_argument("--no-check", action="store_true", help="skip re-reading the PDFs with pdfplumber")
    args = ap.parse_args(argv)

    truths = office_truths()
    if args.only:
        unknown = set(args.only) - set(truths)
        if unknown:
            ap.error(f"unknown id(s): {', '.join(sorted(unknown))}; known: {', '.join(truths)}")
        truths = {k: v for k, v in truths.items() if k in args.only}
    try:
        problems = generate(truths, args.out, pdf=not args.no_pdf, check=not args.no_check)
    except (ToolMissingError, ExportError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for p in problems:
        print(f"CHECK: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
