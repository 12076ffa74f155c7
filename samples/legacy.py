"""Reports on 2018 and earlier, in the 2008 条例's format, with their 统计表: truth and renditions.

    python -m samples.legacy [--out samples/legacy] [--no-scans]

A report of that format has seven sections (一、概述 … 七、其他需要报告的事项), no request-outcome grid,
and ends with a 统计表 of indicators. Two forms of the table, as provinces printed them:

- ``cumulative``: 指标名称 · 计量单位 · 本年度 · 累计, unnumbered indicators with "其中：1. …" sub-rows
  (the 2008–2012 tables);
- ``national``: 统计指标 · 单位 · 统计数, numbered 一、/（一）/1． with group headings that carry no
  figure, a "其中：" row under a numbered one, and a note in brackets in a label (the 2013–2018
  tables).

Each sample is written as a text PDF with a ruled 统计表 (`render_pdf`'s flow and tables), as plain
text (one line per row, cells apart by spaces) or as Markdown (a pipe table); `samples/scan.py`
makes scans of the PDFs. The truth (`<file>.json`) has the ground-truth shape with `template`
"2008", empty template tables and `legacy_statistics`: one item per indicator row (`indicator`,
`key`, `unit`, `year`, `cumulative`, `parent`), values as printed (null for "—" or a blank), and
`source_failures` naming the relations the document itself breaks. Seeds are fixed.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped, unused-ignore]

from samples.render_pdf import PAGE_H, PAGE_W, Cell, Flow, Table, make_style
from samples.scan import Scan
from samples.scan import build as build_scan

Truth = dict[str, Any]
Form = Literal["cumulative", "national"]

# (label as printed, indicator name, key, unit, parent indicator); a unit of None is a group heading.
Row = tuple[str, str, str | None, str | None, str | None]

_RECEIVED = "受理依申请公开信息总数"
_REPLIES = "依申请公开答复总数"
CUMULATIVE_ROWS: tuple[Row, ...] = (
    ("主动公开政府信息数", "主动公开政府信息数", "proactive_total", "条", None),
    ("其中：1.政府网站公开数", "政府网站公开数", "proactive_website", "条", "主动公开政府信息数"),
    ("2.政府公报公开数", "政府公报公开数", "proactive_gazette", "条", "主动公开政府信息数"),
    ("3.其他方式公开数", "其他方式公开数", None, "条", "主动公开政府信息数"),
    (_RECEIVED, _RECEIVED, "requests_received", "件", None),
    ("其中：1.当面申请数", "当面申请数", "requests_in_person", "件", _RECEIVED),
    ("2.网上申请数", "网上申请数", "requests_online", "件", _RECEIVED),
    ("3.信函、传真申请数", "信函、传真申请数", "requests_letter_fax", "件", _RECEIVED),
    (_REPLIES, _REPLIES, "replies_total", "件", None),
    ("其中：1.同意公开数", "同意公开数", "replies_granted", "件", _REPLIES),
    ("2.同意部分公开数", "同意部分公开数", "replies_partially_granted", "件", _REPLIES),
    ("3.不予公开数", "不予公开数", "replies_denied", "件", _REPLIES),
    ("4.其他情形", "其他情形", "replies_other", "件", _REPLIES),
    ("行政复议案件数", "行政复议案件数", "review_cases", "件", None),
    ("行政诉讼案件数", "行政诉讼案件数", "litigation_cases", "件", None),
    ("举报投诉案件数", "举报投诉案件数", "complaints", "件", None),
    ("依申请公开收取费用", "依申请公开收取费用", "fees_collected", "元", None),
    ("政府信息公开咨询人次", "政府信息公开咨询人次", None, "人次", None),
)

_PRO = "主动公开政府信息数"
_GOT = "收到申请数"
_DONE = "申请办结数"
_ANS = "申请答复数"
_DENY = "不同意公开答复数"
_REV = "行政复议数量"
_LIT = "行政诉讼数量"
_STAFF = "从事政府信息公开工作人员数"
NATIONAL_ROWS: tuple[Row, ...] = (
    ("一、主动公开情况", "主动公开情况", None, None, None),
    ("（一）主动公开政府信息数", _PRO, "proactive_total", "条", None),
    ("其中：主动公开规范性文件数", "主动公开规范性文件数", None, "条", _PRO),
    ("（二）通过不同渠道和方式公开政府信息的情况", "通过不同渠道和方式公开政府信息的情况", None, None, None),
    ("1．政府公报公开政府信息数", "政府公报公开政府信息数", "proactive_gazette", "条", None),
    ("2．政府网站公开政府信息数", "政府网站公开政府信息数", "proactive_website", "条", None),
    ("3．政务微博公开政府信息数", "政务微博公开政府信息数", None, "条", None),
    ("4．政务微信公开政府信息数", "政务微信公开政府信息数", None, "条", None),
    ("5．其他方式公开政府信息数", "其他方式公开政府信息数", None, "条", None),
    ("二、回应解读情况", "回应解读情况", None, None, None),
    ("（一）回应公众关注热点或重大舆情数", "回应公众关注热点或重大舆情数", None, "次", None),
    ("（二）通过不同方式回应解读的情况", "通过不同方式回应解读的情况", None, None, None),
    ("1．参加或举办新闻发布会总次数", "参加或举办新闻发布会总次数", None, "次", None),
    ("2．政府网站在线访谈次数", "政府网站在线访谈次数", None, "次", None),
    ("三、依申请公开情况", "依申请公开情况", None, None, None),
    ("（一）收到申请数", _GOT, "requests_received", "件", None),
    ("1．当面申请数", "当面申请数", "requests_in_person", "件", _GOT),
    ("2．传真申请数", "传真申请数", None, "件", _GOT),
    ("3．网络申请数", "网络申请数", "requests_online", "件", _GOT),
    ("4．信函申请数", "信函申请数", None, "件", _GOT),
    ("（二）申请办结数", _DONE, None, "件", None),
    ("1．按时办结数", "按时办结数", None, "件", _DONE),
    ("2．延期办结数", "延期办结数", None, "件", _DONE),
    ("（三）申请答复数", _ANS, "replies_total", "件", None),
    ("1．属于已主动公开范围数", "属于已主动公开范围数", None, "件", _ANS),
    ("2．同意公开答复数", "同意公开答复数", "replies_granted", "件", _ANS),
    ("3．同意部分公开答复数", "同意部分公开答复数", "replies_partially_granted", "件", _ANS),
    ("4．不同意公开答复数", _DENY, "replies_denied", "件", _ANS),
    ("其中：涉及国家秘密", "涉及国家秘密", None, "件", _DENY),
    ("5．不属于本行政机关公开数", "不属于本行政机关公开数", None, "件", _ANS),
    ("6．申请信息不存在数", "申请信息不存在数", None, "件", _ANS),
    ("四、行政复议数量", _REV, "review_cases", "件", None),
    ("（一）维持具体行政行为数", "维持具体行政行为数", None, "件", _REV),
    ("（二）被依法纠错数", "被依法纠错数", None, "件", _REV),
    ("（三）其他情形数", "其他情形数", None, "件", _REV),
    ("五、行政诉讼数量", _LIT, "litigation_cases", "件", None),
    ("（一）维持具体行政行为或者驳回原告诉讼请求数", "维持具体行政行为或者驳回原告诉讼请求数", None, "件",
     _LIT),
    ("（二）被依法纠错数", "被依法纠错数", None, "件", _LIT),
    ("六、举报投诉数量", "举报投诉数量", "complaints", "件", None),
    ("七、依申请公开信息收取的费用", "依申请公开信息收取的费用", "fees_collected", "万元", None),
    ("八、机构建设和保障经费情况", "机构建设和保障经费情况", None, None, None),
    ("（一）政府信息公开工作专门机构数", "政府信息公开工作专门机构数", None, "个", None),
    ("（二）从事政府信息公开工作人员数", _STAFF, None, "人", None),
    ("1．专职人员数（不包括政府公报及政府网站工作人员数）",
     "专职人员数（不包括政府公报及政府网站工作人员数）", None, "人", _STAFF),
    ("2．兼职人员数", "兼职人员数", None, "人", _STAFF),
)  # fmt: skip

HEADINGS = (
    ("overview", "一、概述"),
    ("proactive", "二、主动公开政府信息的情况"),
    ("requests", "三、依申请公开政府信息的情况"),
    ("fees", "四、政府信息公开的收费及减免情况"),
    ("review_litigation", "五、因政府信息公开申请行政复议、提起行政诉讼的情况"),
    ("problems", "六、政府信息公开工作存在的主要问题及改进情况"),
    ("other", "七、其他需要报告的事项"),
)

_PLACES = ("清河", "安平", "临川", "云溪", "长宁", "东阳", "青山", "凤城", "永宁", "桃源")
_DEPARTMENTS = ("环境保护局", "商务局", "国土资源局", "交通运输局", "教育局", "卫生局", "民政局")


@dataclass(frozen=True)
class LegacySample:
    id: str
    seed: int
    form: Form
    year: int
    medium: Literal["pdf", "txt", "md"]
    what: str
    # The row (by indicator name) printed larger than its parent: a source failure.
    exceed: str | None = None
    blanks: bool = False  # some figures printed blank (a PDF keeps the cell; text would lose it)
    style: dict[str, Any] = field(default_factory=dict)


SAMPLES: tuple[LegacySample, ...] = (
    LegacySample(
        "l01_gov_2011_cumulative",
        1101,
        "cumulative",
        2011,
        "pdf",
        "a 2011 report of a government: 统计表 with 本年度 and 累计, 其中 sub-rows numbered 1. 2. 3., "
        "fees in 元 with decimals, some 累计 printed —.",
    ),
    LegacySample(
        "l02_bureau_2016_national",
        1602,
        "national",
        2016,
        "pdf",
        "a 2016 report of a 局: the 2013–2018 统计表 (统计指标 · 单位 · 统计数), group headings without "
        "figures, a 其中 row under 4．, a note in brackets in a label, blank cells, a table across pages.",
        blanks=True,
    ),
    LegacySample(
        "l03_gov_2009_wrongsub",
        903,
        "cumulative",
        2009,
        "pdf",
        "a 2009 report whose 统计表 prints a sub-row (网上申请数) larger than its parent: a source "
        "inconsistency, reported as a failed check.",
        exceed="网上申请数",
    ),
    LegacySample(
        "l04_gov_2014_national",
        1404,
        "national",
        2014,
        "txt",
        "a 2014 report as plain text (a crawler's copy): one line per 统计表 row, cells apart by spaces.",
    ),
    LegacySample(
        "l05_bureau_2012_cumulative",
        1206,
        "cumulative",
        2012,
        "md",
        "a 2012 report of a 局 as Markdown: the 统计表 as a pipe table.",
    ),
)


# Scans of the PDFs (samples/scan.py), beside them, with the same truth.
SCANS: tuple[Scan, ...] = (
    Scan(
        "l01_gov_2011_cumulative_scan",
        "l01_gov_2011_cumulative.pdf",
        11011,
        "a 200 dpi greyscale office scan: 0.8° rotation, blur, grain, JPEG q55.",
        quality=55,
        rotate=0.8,
        blur=0.6,
        noise=3.0,
        light=0.2,
    ),
    Scan(
        "l02_bureau_2016_national_scan",
        "l02_bureau_2016_national.pdf",
        16022,
        "a 200 dpi greyscale scan, -0.5° rotation, a red seal on the first page, the 统计表 over two pages.",
        quality=50,
        rotate=-0.5,
        blur=0.5,
        noise=2.5,
        light=0.15,
        seal_pages=(1,),
        seal_at=(0.72, 0.62),
    ),
)


# --- truth ----------------------------------------------------------------------------------------


def make_legacy_truth(sample: LegacySample, file: str) -> Truth:
    rng = random.Random(sample.seed)
    place = rng.choice(_PLACES)
    government = sample.seed % 2 == 1
    agency = f"{place}市人民政府" if government else f"{place}县{rng.choice(_DEPARTMENTS)}"
    year = sample.year
    published = f"{year + 1}-03-{rng.randint(10, 28):02d}"
    rows = CUMULATIVE_ROWS if sample.form == "cumulative" else NATIONAL_ROWS
    values = _values(rows, rng, sample)
    statistics = []
    display: dict[str, str] = {}
    n = 0
    for label, name, key, unit, parent in rows:
        if unit is None:
            continue
        year_value, cumulative = values[name]
        item = {
            "indicator": name,
            "key": key,
            "unit": unit,
            "year": year_value,
            "cumulative": cumulative if sample.form == "cumulative" else None,
            "parent": parent,
            "label": label,
        }
        for column in ("year", "cumulative"):
            if item[column] is None and (column == "year" or sample.form == "cumulative"):
                blank = sample.blanks and rng.random() < 0.5
                display[f"legacy_statistics.{n}.{column}"] = "" if blank else "—"
        statistics.append(item)
        n += 1
    failures = []
    if sample.exceed is not None:
        i = next(k for k, item in enumerate(statistics) if item["indicator"] == sample.exceed)
        failures.append(
            {
                "check": f"legacy_statistics.{i}.within_parent.year",
                "note": f"{sample.exceed} is printed larger than its parent",
            }
        )
    title = f"{agency}{year}年政府信息公开工作年度报告"
    return {
        "file": file,
        "report": {
            "agency": agency,
            "year": year,
            "template": "2008",
            "title": title,
            "published": published,
        },
        "proactive": {},
        "requests": {},
        "review_litigation": {},
        "legacy_statistics": statistics,
        "display": display,
        "source_failures": failures,
        "sections": _narrative(agency, year, statistics),
        "notes": f"A report in the 2008 条例's format. Exercises: {sample.what}",
    }


def _values(
    rows: tuple[Row, ...], rng: random.Random, sample: LegacySample
) -> dict[str, tuple[int | float | None, int | float | None]]:
    """Figures for every indicator: a sub-row never exceeds its parent (unless the sample says so)."""
    out: dict[str, tuple[int | float | None, int | float | None]] = {}
    left: dict[str, int] = {}  # what a parent's figure leaves for its next sub-rows
    for _, name, _, unit, parent in rows:
        if unit is None:
            continue
        if parent is None:
            top = {"条": 3000, "件": 260, "次": 40, "人次": 900, "个": 3, "人": 20}.get(unit, 50)
            year: int | float | None = rng.randint(0, top)
            left[name] = int(year or 0)
        else:
            year = rng.randint(0, max(0, int(left.get(parent, 0) * 0.8)))
            left[parent] = left.get(parent, 0) - year
            left[name] = year
        if unit in ("元", "万元"):
            money = (0, 0, round(rng.uniform(10, 900), 1)) if unit == "元" else (0, 0.0)
            year = rng.choice(money)
        if name == sample.exceed:
            year = (out[parent][0] or 0) + rng.randint(3, 30) if parent else year
        if rng.random() < 0.06 and parent is not None:
            year = None
        cumulative: int | float | None = None
        counted = unit not in ("元", "万元") and name != sample.exceed
        if sample.form == "cumulative" and year is not None and counted:
            cumulative = year + rng.randint(0, 4000 if unit == "条" else 300)
            if parent is not None:
                cumulative = min(cumulative, (out[parent][1] or cumulative))
                cumulative = max(cumulative, year)
        out[name] = (year, cumulative)
    return out


def _narrative(agency: str, year: int, statistics: list[dict[str, Any]]) -> dict[str, str]:
    figures = {item["key"]: item["year"] for item in statistics if item["key"]}
    return {
        "preface": (
            f"本报告根据《中华人民共和国政府信息公开条例》要求，由{agency}编制。全文包括概述，主动公开政府信息的情况，"
            "依申请公开政府信息的情况，政府信息公开的收费及减免情况，因政府信息公开申请行政复议、提起行政诉讼的情况，"
            f"政府信息公开工作存在的主要问题及改进情况，其他需要报告的事项。本报告中所列数据的统计期限自{year}年1月1日起至"
            f"{year}年12月31日止。"
        ),
        "overview": f"{year}年，我们认真贯彻落实《中华人民共和国政府信息公开条例》，"
        "健全工作机制，规范公开程序。",
        "proactive": f"全年主动公开政府信息{figures.get('proactive_total') or 0}条，"
        "主要通过政府网站、政府公报等渠道公开。",
        "requests": f"全年共受理政府信息公开申请{figures.get('requests_received') or 0}件，均已按期答复。",
        "fees": "本年度依申请提供政府信息，按规定收取检索、复制、邮寄等成本费用，对困难群众予以减免。",
        "review_litigation": (
            f"全年发生因政府信息公开申请行政复议案件{figures.get('review_cases') or 0}件，"
            f"行政诉讼案件{figures.get('litigation_cases') or 0}件。"
        ),
        "problems": "一是公开内容还不够全面；二是工作人员业务水平有待提高。下一步将加强培训，完善制度。",
        "other": "无其他需要报告的事项。",
    }


def printed(truth: Truth, index: int, column: str) -> str:
    """The text a figure is printed as."""
    shown = truth["display"].get(f"legacy_statistics.{index}.{column}")
    if shown is not None:
        return str(shown)
    value = truth["legacy_statistics"][index][column]
    return "" if value is None else f"{value}"


def table_rows(truth: Truth, form: Form) -> list[tuple[str, str | None, list[str]]]:
    """(label, unit or None for a group heading, printed figures) per row of the 统计表, in order."""
    rows = CUMULATIVE_ROWS if form == "cumulative" else NATIONAL_ROWS
    columns = ("year", "cumulative") if form == "cumulative" else ("year",)
    out: list[tuple[str, str | None, list[str]]] = []
    n = 0
    for label, _, _, unit, _ in rows:
        if unit is None:
            out.append((label, None, []))
            continue
        out.append((label, unit, [printed(truth, n, c) for c in columns]))
        n += 1
    return out


def header(form: Form) -> list[str]:
    return (
        ["指标名称", "计量单位", "本年度", "累计"] if form == "cumulative" else ["统计指标", "单位", "统计数"]
    )


def table_caption(truth: Truth) -> str:
    report = truth["report"]
    return f"附件：{report['agency']}{report['year']}年政府信息公开情况统计表"


# --- renditions -----------------------------------------------------------------------------------


def _paragraphs(truth: Truth) -> list[str]:
    report = truth["report"]
    out = [report["title"], truth["sections"]["preface"]]
    for key, heading in HEADINGS:
        out += [heading, truth["sections"][key]]
    y, m, d = (int(x) for x in report["published"].split("-"))
    out += [report["agency"], f"{y}年{m}月{d}日"]
    return out


def render_text(truth: Truth, form: Form) -> str:
    """Plain text as a crawler copies the page: paragraphs, then the table, one line a row."""
    lines = []
    for p in _paragraphs(truth):
        lines += [p, ""]
    lines += [table_caption(truth), "", " ".join(header(form))]
    for label, unit, figures in table_rows(truth, form):
        lines.append(" ".join([label, *([unit] if unit else []), *figures]).rstrip())
    return "\n".join(lines) + "\n"


def render_markdown(truth: Truth, form: Form) -> str:
    paragraphs = _paragraphs(truth)
    lines = [f"# {paragraphs[0]}", ""]
    for p in paragraphs[1:]:
        lines += [f"## {p}" if p in dict(HEADINGS).values() else p, ""]
    cols = header(form)
    lines += [f"**{table_caption(truth)}**", "", "| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for label, unit, figures in table_rows(truth, form):
        cells = [label, unit or "", *(figures or [""] * (len(cols) - 2))]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def render_legacy_pdf(truth: Truth, form: Form, out: Path, seed: int, **style: Any) -> int:
    """A text PDF: the narrative, then the 统计表 ruled cell by cell. Returns the page count."""
    s = make_style(seed, **style)
    c = Canvas(str(out), pagesize=(PAGE_W, PAGE_H), invariant=1, pageCompression=1)
    c.setTitle(truth["report"]["title"])
    c.setCreator("samples.legacy")
    flow = Flow(c, s)
    paragraphs = _paragraphs(truth)
    flow.y -= s.title_size * 1.2
    flow.paragraph([(paragraphs[0], "title")], size=s.title_size, indent_chars=0, align="center")
    headings = set(dict(HEADINGS).values())
    for p in paragraphs[1:-2]:
        flow.paragraph([(p, "heading" if p in headings else "body")], indent_chars=2.0, align="left")
    for p in paragraphs[-2:]:
        flow.paragraph([(p, "body")], indent_chars=0, align="right")
    flow.space(s.line_height)
    flow.paragraph([(table_caption(truth), "heading")], indent_chars=0, align="left")
    flow.table(flow.prepare(_table(truth, form, flow.width)))
    pages = flow.page
    flow.finish()
    return pages


def _table(truth: Truth, form: Form, width: float) -> Table:
    cols = header(form)
    label_w = width * (0.5 if form == "cumulative" else 0.62)
    rest = (width - label_w) / (len(cols) - 1)
    cells = [Cell(0, k, text, header=True) for k, text in enumerate(cols)]
    keys = ["head"]
    for r, (label, unit, figures) in enumerate(table_rows(truth, form), 1):
        keys.append(f"row:{r}")
        if unit is None:
            if label.startswith(("一", "二", "三", "四", "五", "六", "七", "八", "九")):
                cells.append(Cell(r, 0, label, colspan=len(cols), align="left"))  # a heading over the row
            else:
                cells.append(Cell(r, 0, label, align="left"))
                cells.extend(Cell(r, k, "") for k in range(1, len(cols)))
            continue
        cells.append(Cell(r, 0, label, align="left"))
        cells.append(Cell(r, 1, unit))
        cells.extend(Cell(r, 2 + k, f) for k, f in enumerate(figures))
    return Table([label_w] + [rest] * (len(cols) - 1), keys, cells, header_rows=1, min_row_h=18.0)


def build(sample: LegacySample, out_dir: Path) -> Path:
    out = out_dir / f"{sample.id}.{sample.medium}"
    truth = make_legacy_truth(sample, out.name)
    if sample.medium == "pdf":
        render_legacy_pdf(truth, sample.form, out, sample.seed, **sample.style)
    elif sample.medium == "txt":
        out.write_text(render_text(truth, sample.form), encoding="utf-8")
    else:
        out.write_text(render_markdown(truth, sample.form), encoding="utf-8")
    for item in truth["legacy_statistics"]:
        del item["label"]
    (out_dir / f"{out.name}.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", "utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--out", default="samples/legacy", help="output folder")
    parser.add_argument("--no-scans", action="store_true", help="do not write the scans")
    args = parser.parse_args(argv)
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    for sample in SAMPLES:
        print(build(sample, out_dir))
    if not args.no_scans:
        for scan in SCANS:
            print(build_scan(scan, out_dir, out_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
