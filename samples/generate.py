"""Write the fixed set of synthetic sample reports.

    python -m samples.generate [--out samples/reports] [--check]

Each sample is `<id>.pdf` plus `<id>.pdf.json`, the truth in the ground-truth format
(with the extra keys `display`, `sections`, `report.title`, `report.published`).
Seeds are fixed, so every run writes the same files.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from samples.render_pdf import RenderInfo, Style, make_style, render_pdf
from samples.truth import Template, Truth, make_truth


@dataclass(frozen=True)
class Sample:
    id: str
    seed: int
    template: Template
    exercises: str
    truth: dict[str, Any] = field(default_factory=dict)
    style: dict[str, Any] = field(default_factory=dict)
    # Make a page break fall naturally before this table row (see `fit_break`)
    break_at: str | None = None
    # Label text expected in the first row of a table continuation (a split label)
    expect_split: tuple[str, ...] = ()


SAMPLES: tuple[Sample, ...] = (
    Sample(
        "s01_gov_2021_split4",
        101,
        "2021",
        "2021 template, a government, very large section 二 counts; section 二 one "
        "4-column table with shaded caption rows; table 三 breaks inside the group label "
        "（四）无|法提供 (merged cell drawn in two parts); （六） leaves numbered 1、2、3、.",
        truth={"agency_kind": "government", "year": 2024, "scale": "large"},
        style={
            "body_font": "ar-ukai",
            "table_font": "ar-uming",
            "table_size": 9.0,
            "table_leading": 1.3,
            "cell_pad": 3.0,
            "min_row_h": 18.0,
            "req_label_widths": (22.0, 50.0, 172.0),
            "proactive_layout": "single",
            "proactive_fill": (0.776, 0.851, 0.945),
            "other_leaf_sep": "、",
            "leaf_sep": ".",
            "repeat_header": False,
            "header_distributed": False,
        },
        break_at="req:unavailable_needs_creation",
        expect_split=("法提供",),
    ),
    Sample(
        "s02_bureau_2019_blanks",
        202,
        "2019",
        "2019 template (report year 2020), a 局; procurement amount printed in 元; "
        "本年增/减 with '+'; Shanghai-style blank cells for most zeros (null, not 0); "
        "section 二 as separate sub-tables.",
        truth={
            "agency_kind": "department",
            "year": 2020,
            "scale": "medium",
            "blank_zero_rate": 0.8,
            "money_in_yuan": True,
            "plus_sign_changes": True,
        },
        style={
            "body_font": "wqy-microhei",
            "table_font": "wqy-microhei",
            "proactive_layout": "separate",
            "latin_font": None,
        },
    ),
    Sample(
        "s03_gov_hybrid_failure",
        303,
        "hybrid",
        "HYBRID: 2021 section 二 with a single （六）其他处理 row (key `other`); source "
        "failure: 行政复议 总计 printed 0; typo '2.其他法律行政止公开'; narrow data "
        "columns wrap headers ('社会\\n公益\\n组织'); 分散对齐 headers.",
        truth={"agency_kind": "government", "year": 2023, "scale": "small", "source_failure": "review_total"},
        style={
            "body_font": "ar-ukai",
            "table_font": "ar-ukai",
            "typo_law_prohibited": True,
            "req_label_widths": (20.0, 62.0, 190.0),
            "header_distributed": True,
            "table_size": 9.0,
        },
    ),
    Sample(
        "s04_gov_2021_dashes",
        404,
        "2021",
        "2021 template with '/' and '—' cells (null) and some blanks; ASCII quotes in "
        "三安全一稳定; '第二十条 第（一）项' with a space; '规范性文件'; header rows of table "
        "三 repeated after the page break; heading variants of 四 and 五.",
        truth={
            "agency_kind": "government",
            "year": 2022,
            "scale": "medium",
            "dash_zero_rate": 0.5,
            "blank_zero_rate": 0.1,
            "heading_variants": True,
        },
        style={
            "body_font": "ar-uming",
            "table_font": "wqy-zenhei",
            "ascii_quotes": True,
            "article_space": True,
            "normative_label": "规范性文件",
            "repeat_header": True,
        },
    ),
    Sample(
        "s05_gov_2019_wanyuan",
        505,
        "2019",
        "2019 template (report year 2019), procurement in 万元 ('…万元'); section 二 "
        "breaks between the header of 第二十条第（六）项 and its rows; vertical label "
        "split one character per line including '三' and '、'; table 三 breaks inside "
        "（四）无法提|供; no signature date and no published date.",
        truth={"agency_kind": "government", "year": 2019, "scale": "small", "published": False},
        style={
            "body_font": "ar-uming",
            "table_font": "ar-uming",
            "vertical_ordinal_joined": False,
            "proactive_layout": "single",
            "signature": False,
        },
        break_at="pro:row:punishment",
    ),
    Sample(
        "s06_bureau_2025_big",
        606,
        "2021",
        "2021 template, report year 2025, tens of thousands of requests; the vertical "
        "label 三、本年度办理结果 is split across the page break after （一）予以公开; "
        "half-width brackets '第二十条第(一)项'; short （二）部分公开 label.",
        truth={"agency_kind": "department", "year": 2025, "scale": "large", "heading_variants": True},
        style={
            "body_font": "wqy-zenhei",
            "table_font": "ar-uming",
            "half_brackets": True,
            "long_partial_label": False,
            "min_row_h": 17.0,
            "cell_pad": 2.5,
        },
        break_at="req:partially_granted",
        expect_split=("本",),
    ),
    Sample(
        "s07_gov_2021_wrongtotal",
        707,
        "2021",
        "2021 template, source failure: one row's 总计 printed with transposed digits "
        "(breaks A3 and the A2 of the 总计 column); a few blanks; group label "
        "（三）不|予公开 split across the page break.",
        truth={
            "agency_kind": "government",
            "year": 2021,
            "scale": "medium",
            "source_failure": "request_total",
            "blank_zero_rate": 0.15,
        },
        style={
            "body_font": "ar-ukai",
            "body_size": 15.0,
            "heading_size": 15.0,
            "line_height": 24.0,
            "table_font": "wqy-microhei",
            "table_size": 9.0,
            "table_leading": 1.3,
            "cell_pad": 3.0,
            "min_row_h": 18.0,
            "req_label_widths": (22.0, 50.0, 180.0),
        },
        break_at="req:denied_law_prohibited",
        expect_split=("予公开",),
    ),
)


def fit_break(truth: Truth, style: Style, row_key: str) -> Style:
    """Nudge the body line height (within 1.45-2.0 times the font size) and the table row
    height, in small steps, until a page break falls just before the table row `row_key`
    without being forced."""
    row_attr = "proactive_row_h" if row_key.startswith("pro:") else "min_row_h"
    base_rows: float = getattr(style, row_attr)
    lo, hi = style.body_size * 1.45, style.body_size * 2.0
    heights = [lo + 0.25 * k for k in range(int((hi - lo) / 0.25) + 1)]
    heights.sort(key=lambda h: abs(h - style.line_height))
    row_steps = (0.0, 0.5, 1.0, 1.5, 2.0, -0.5, -1.0, 3.0, 4.0, 5.0, 6.0)
    for lh in heights:
        for dr in row_steps:
            rows: dict[str, Any] = {row_attr: base_rows + dr}
            cand = replace(style, line_height=round(lh, 2), **rows)
            if row_key in render_pdf(truth, io.BytesIO(), cand).breaks:
                return cand
    raise RuntimeError(f"no natural page break before {row_key}")


def build(sample: Sample, out_dir: Path) -> tuple[Path, Truth, RenderInfo]:
    """Write one sample; returns (pdf path, truth, render info)."""
    pdf = out_dir / f"{sample.id}.pdf"
    truth = make_truth(sample.seed, sample.template, file=pdf.name, **sample.truth)
    truth["notes"] += f" Exercises: {sample.exercises}"
    style = make_style(sample.seed, **sample.style)
    if sample.break_at:
        style = fit_break(truth, style, sample.break_at)
    info = render_pdf(truth, pdf, style)
    truth["notes"] += f" Page breaks inside tables before: {', '.join(info.breaks) or 'none'}."
    json_path = out_dir / f"{pdf.name}.json"
    json_path.write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return pdf, truth, info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--out", default="samples/reports", help="output folder")
    parser.add_argument("--only", nargs="*", help="sample ids to build (default: all)")
    parser.add_argument("--check", action="store_true", help="re-read each PDF with pdfplumber")
    args = parser.parse_args(argv)
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    failed = 0
    for sample in SAMPLES:
        if args.only and sample.id not in args.only:
            continue
        pdf, truth, info = build(sample, out_dir)
        line = f"{pdf} ({info.pages} pages; table breaks before {', '.join(info.breaks)})"
        if args.check:
            from samples.check_pdf import check_pdf, continuation_labels

            problems = check_pdf(pdf, truth)
            found = " | ".join(continuation_labels(pdf))
            problems += [f"split label {x!r} not found" for x in sample.expect_split if x not in found]
            failed += bool(problems)
            line += " ok" if not problems else " PROBLEMS:\n  " + "\n  ".join(problems)
        print(line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
