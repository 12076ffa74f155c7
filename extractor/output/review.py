"""`extractor review`: what a person should look at, across a batch, most doubtful file first.

Two kinds of trouble are kept apart. A *reading doubt* is a field under the confidence threshold
(`needs_review`), and a relation that fails because of one (`cause: reading`): the extractor may have
read it wrong. A *source inconsistency* is a relation that fails although every cell in it was read
with confidence (`cause: source`): the document itself breaks it, and the numbers stand as printed.

The terminal table lists both; `write_html` makes a self-contained page where each doubtful field
shows the crop of its source page around the cell (`crops.py`), the value read, the reasons and the
value proposed, if any.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import regex

from ..pipeline import file_sha256
from .crops import IMAGE_KINDS, PDF_KINDS, Cropper
from .outputs import Output, Outputs

_PROPOSAL = regex.compile(r"(-?\d+(?:\.\d+)?) would satisfy them")

RELATIONS = {
    "requests.balance": "一 + 二 = （七）总计 + 四",
    "requests.outcomes": "（七）总计 = the sum of the outcome rows",
    "requests.row_total": "总计 = the sum of the six applicant columns",
    "review_litigation": "总计 = 维持 + 纠正 + 其他 + 尚未审结",
}


@dataclass
class Doubt:
    """A field under the threshold."""

    path: str
    value: Any
    raw: str
    confidence: float
    reasons: list[str]
    page: int | None
    bbox: list[float] | None

    @property
    def proposed(self) -> str | None:
        """A value the relations would accept, when the validator proposed one."""
        for reason in self.reasons:
            if m := _PROPOSAL.search(reason):
                return m.group(1)
        return None


@dataclass
class Broken:
    """A failed relation."""

    id: str
    expected: Any
    actual: Any
    cause: str
    cells: list[str]


@dataclass
class FileReview:
    output: Output
    doubts: list[Doubt] = field(default_factory=list)
    reading: list[Broken] = field(default_factory=list)
    """Relations that fail where a doubtful reading is involved."""
    source: list[Broken] = field(default_factory=list)
    """Relations the document itself breaks."""

    @property
    def rank(self) -> tuple[float, int, int, str]:
        """Most doubtful first: the least sure field, then the most relations broken."""
        least = min((d.confidence for d in self.doubts), default=1.0)
        return (least, -len(self.reading), -len(self.source), self.output.file)


def collect(outputs: Outputs) -> list[FileReview]:
    """A FileReview for every report with something to look at, most doubtful first."""
    reviews = []
    for output in outputs.reports:
        review = FileReview(output)
        for item in output.data.get("needs_review", []):
            cell = _cell(output.data, item["path"])
            review.doubts.append(
                Doubt(
                    item["path"],
                    item["value"],
                    cell.get("raw", ""),
                    item["confidence"],
                    list(item["reasons"]),
                    cell.get("page"),
                    cell.get("bbox"),
                )
            )
        review.doubts.sort(key=lambda d: (d.confidence, d.path))
        for check in output.data.get("checks", []):
            if not check["passed"]:
                broken = Broken(
                    check["id"], check["expected"], check["actual"], check.get("cause") or "", check["cells"]
                )
                (review.source if broken.cause == "source" else review.reading).append(broken)
        if review.doubts or review.reading or review.source:
            reviews.append(review)
    return sorted(reviews, key=lambda r: r.rank)


def _cell(data: dict[str, Any], path: str) -> dict[str, Any]:
    table, row, col = [*path.split("."), "", "", ""][:3]
    found = data.get(table) or {}
    if isinstance(found, list):  # legacy_statistics: its rows by index
        item = found[int(row)] if row.isdigit() and int(row) < len(found) else {}
        legacy: dict[str, Any] = item.get(col) or {}
        return legacy
    cell: dict[str, Any] = found.get(row, {}).get(col) or {}
    return cell


@cache
def _labels() -> dict[str, str]:
    """Path → the report's own words for it ("三 （三）不予公开 1.属于国家秘密 / 自然人")."""
    from .. import patterns

    out = {}
    columns = {c.key: c.aliases[0] for c in patterns.request_columns()}
    for r in patterns.request_rows():
        for key, name in columns.items():
            out[f"requests.{r.key}.{key}"] = f"三 {r.group} {r.label} / {name}".replace("  ", " ")
    proactive_columns = {c.key: c.aliases[0] for c in patterns.proactive_columns()}
    for p in patterns.proactive_rows():
        for key, name in proactive_columns.items():
            out[f"proactive.{p.key}.{key}"] = f"二 {p.aliases[0]} / {name}"
    leaves = {c.key: c.aliases[0] for c in patterns.review_leaves()}
    for b in patterns.review_blocks():
        for key, name in leaves.items():
            out[f"review_litigation.{b.key}.{key}"] = f"四 {b.aliases[0]} / {name}"
    return out


def label(path: str) -> str:
    return _labels().get(path, "")


def relation(check_id: str) -> str:
    """What a relation says, in the template's words."""
    for prefix, words in RELATIONS.items():
        if check_id.startswith(prefix):
            return words
    return ""


def _number(value: Any) -> str:
    return "blank" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


# --- the terminal ---------------------------------------------------------------------------------


def print_table(reviews: list[FileReview], outputs: Outputs, console: Any) -> None:
    """Print the review as one table (rich), grouped by file, most doubtful first."""
    from rich.markup import escape
    from rich.table import Table

    if not reviews:
        console.print(
            f"nothing to review in {len(outputs.reports)} reports: no flagged field, no failed relation"
        )
    else:
        table = Table(title="to review, most doubtful first", show_lines=False)
        for name, style in (
            ("file", "bold"),
            ("field or relation", ""),
            ("read", ""),
            ("conf.", ""),
            ("why", ""),
        ):
            table.add_column(name, style=style, overflow="fold")
        for review in reviews:
            lines = _lines(review)
            for i, (what, read, conf, why) in enumerate(lines):
                table.add_row(
                    escape(review.output.file) if i == 0 else "",
                    escape(what),
                    escape(read),
                    conf,
                    escape(why),
                    end_section=i == len(lines) - 1,
                )
        console.print(table)
        doubts = sum(len(r.doubts) for r in reviews)
        source = sum(len(r.source) for r in reviews)
        console.print(
            f"{doubts} fields to check, {sum(len(r.reading) for r in reviews)} relations failing on a "
            f"doubtful reading, {source} source inconsistencies, in {len(reviews)} of "
            f"{len(outputs.reports)} reports"
        )
    if outputs.failed:
        console.print(f"{len(outputs.failed)} inputs failed and have no output (reasons in summary.csv)")


def _lines(review: FileReview) -> list[tuple[str, str, str, str]]:
    lines = [
        (d.path, f"{_number(d.value)} ({d.raw!r})", f"{d.confidence:.2f}", "; ".join(d.reasons))
        for d in review.doubts
    ]
    for items, cause in ((review.reading, "reading doubt"), (review.source, "in the source")):
        for b in items:
            read = f"parts {_number(b.expected)}, stated {_number(b.actual)}"
            lines.append((b.id, read, "", f"{cause}: {relation(b.id)}"))
    return lines


# --- the page --------------------------------------------------------------------------------------


def find_source(output: Output, given: Path | None = None) -> tuple[Path | None, str]:
    """The source file of an output, checked by its hash, or None and why not."""
    name = output.data["source"]["file"]
    candidates: list[Path] = []
    if given is not None:
        candidates += [given] if given.is_file() else [given / output.file, given / name]
    if output.source is not None:
        candidates.append(output.source)
    candidates.append(output.path.parent / name)
    changed = None
    for path in candidates:
        if path.is_file():
            if file_sha256(path) == output.data["source"]["sha256"]:
                return path, ""
            changed = path
    if changed is not None:
        return None, f"{changed} has changed since it was read: no crops"
    return None, f"source file {name} not found: no crops (give its folder with --source)"


def render_html(
    reviews: list[FileReview], outputs: Outputs, given: Path | None = None, across: str = ""
) -> str:
    """The review as one self-contained HTML page (crops embedded as PNG); `across`: the section of
    the checks across reports (`crosscheck.render_checks`)."""
    doubts = sum(len(r.doubts) for r in reviews)
    source = sum(len(r.source) for r in reviews)
    parts = [
        "<!doctype html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>extractor review: {doubts} fields, {source} source inconsistencies</title>",
        f"<style>{_CSS}</style></head><body>",
        "<header><h1>To review</h1>",
        f"<p class=summary>{doubts} fields to check and "
        f"{sum(len(r.reading) for r in reviews)} relations failing on a doubtful reading; "
        f"{source} relations the documents themselves break; in {len(reviews)} of "
        f"{len(outputs.reports)} reports. Most doubtful first. "
        f"<span class=when>{datetime.now().isoformat(timespec='minutes')}</span></p>",
    ]
    if outputs.failed:
        parts.append("<details class=failed><summary>")
        parts.append(f"{len(outputs.failed)} inputs failed and have no output</summary><ul>")
        for entry in outputs.failed:
            parts.append(f"<li><b>{_e(entry.file)}</b>: {_e(str(entry.row.get('error', '')))}</li>")
        parts.append("</ul></details>")
    parts.append("</header><main>")
    for n, review in enumerate(reviews, 1):
        parts.append(_file_section(n, review, given))
    if not reviews:
        parts.append("<p class=empty>Nothing to review: no flagged field, no failed relation.</p>")
    parts.append(across)
    parts.append(f"</main><script>{_SCRIPT}</script></body></html>")
    return "\n".join(parts)


def _file_section(n: int, review: FileReview, given: Path | None) -> str:
    data = review.output.data
    meta = review.output.meta
    kind = data["source"]["kind"]
    about = " · ".join(
        _e(str(v))
        for v in (
            meta.get("agency"),
            meta.get("year"),
            meta.get("template") and f"{meta['template']} template",
            kind,
        )
        if v
    )
    out = [f'<section class=file id="file-{n}"><h2>{_e(review.output.file)}</h2><p class=about>{about}</p>']
    cropper, note = None, ""
    if (review.doubts and any(d.bbox for d in review.doubts)) or (
        review.source and kind in PDF_KINDS + IMAGE_KINDS
    ):
        if kind in PDF_KINDS + IMAGE_KINDS:
            path, note = find_source(review.output, given)
            cropper = Cropper(path, kind) if path is not None else None
        else:
            note = f"{kind} sources have no page geometry: no crops"
    elif review.doubts and kind not in PDF_KINDS + IMAGE_KINDS:
        note = f"{kind} sources have no page geometry: no crops"
    if review.doubts:
        out.append(f"<h3>Reading doubts <small>({len(review.doubts)} fields)</small></h3>")
        if note:
            out.append(f"<p class=note>{_e(note)}</p>")
        out.extend(_doubt(d, cropper) for d in review.doubts)
    if review.reading:
        out.append("<h3>Relations failing on a doubtful reading</h3>")
        out.append(_relations(review.reading, "reading"))
    if review.source:
        out.append(
            "<div class=source><h3>Source inconsistencies</h3><p>The document itself breaks these "
            "relations: every cell in them was read with confidence, and the numbers stand as printed.</p>"
        )
        out.append(_relations(review.source, "source"))
        out.extend(_relation_crop(b, data, cropper) for b in review.source)
        out.append("</div>")
    if cropper is not None:
        cropper.close()
    out.append("</section>")
    return "\n".join(out)


def _doubt(d: Doubt, cropper: Cropper | None) -> str:
    picture = '<div class="crop none">no crop</div>'
    if cropper is not None and d.page is not None and d.bbox is not None:
        try:
            png = base64.b64encode(cropper.crop(d.page, d.bbox)).decode("ascii")
            picture = (
                f'<img class=crop alt="page {d.page} around {_e(d.path)}" src="data:image/png;base64,{png}">'
            )
        except Exception as e:  # a damaged or password-protected source: the page still shows the rest
            picture = f'<div class="crop none">no crop: {_e(type(e).__name__)}: {_e(str(e))}</div>'
    proposed = f"<dt>proposed</dt><dd class=proposed>{_e(d.proposed)}</dd>" if d.proposed is not None else ""
    where = f"page {d.page}" if d.page is not None else "no page"
    reasons = "".join(f"<li>{_e(r)}</li>" for r in d.reasons)
    return (
        f'<article class=doubt data-path="{_e(d.path)}"><figure>{picture}</figure><div class=facts>'
        f"<h4>{_e(d.path)}</h4><p class=label>{_e(label(d.path))}</p><dl>"
        f"<dt>read</dt><dd class=value>{_e(_number(d.value))}</dd>"
        f"<dt>raw</dt><dd><code>{_e(d.raw)}</code></dd>"
        f"<dt>confidence</dt><dd>{d.confidence:.2f}</dd>{proposed}<dt>where</dt><dd>{where}</dd></dl>"
        f"<ul class=reasons>{reasons}</ul></div></article>"
    )


def _relation_crop(b: Broken, data: dict[str, Any], cropper: Cropper | None) -> str:
    """The table region of a relation the source breaks, its cells framed in blue."""
    if cropper is None:
        return ""
    from .crops import relation_picture

    try:
        png = base64.b64encode(relation_picture(cropper, data, b.cells)).decode("ascii")
    except Exception:  # no cell placed, or an unreadable source: the table above says it all
        return ""
    return (
        f"<figure class=relation><figcaption><code>{_e(b.id)}</code> {_e(relation(b.id))}</figcaption>"
        f'<img class=relation-crop alt="the cells of {_e(b.id)}" src="data:image/png;base64,{png}"></figure>'
    )


def _relations(items: list[Broken], cause: str) -> str:
    rows = "".join(
        f"<tr><td><code>{_e(b.id)}</code></td><td>{_e(relation(b.id))}</td><td>{_e(_number(b.expected))}</td>"
        f"<td>{_e(_number(b.actual))}</td><td class=cells>{_e(', '.join(b.cells))}</td></tr>"
        for b in items
    )
    return (
        f"<table class={cause}><thead><tr><th>relation</th><th>says</th><th>parts sum to</th>"
        f"<th>report states</th><th>cells</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _e(text: str) -> str:
    return html.escape(text, quote=True)


# Once the page has loaded, <body> tells how many crops the browser could decode (data-crops-shown
# of data-crops): a person sees the pictures, a headless browser test reads the numbers.
_SCRIPT = (
    'addEventListener("load",()=>{const i=[...document.querySelectorAll("img.crop")];'
    "document.body.dataset.crops=i.length;"
    "document.body.dataset.cropsShown=i.filter(x=>x.complete&&x.naturalWidth>0).length})"
)

_CSS = """
body {
  font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;
  margin:0;
  color:#1d1d1f;
  background:#f6f6f4
}
header,main{max-width:1100px;margin:0 auto;padding:0 1.2rem}
h1{margin:1.2rem 0 .3rem}
.summary{color:#444}
.when{color:#888;font-size:.85em}
section.file {
  background:#fff;
  border:1px solid #ddd;
  border-radius:8px;
  margin:1.2rem 0;
  padding:.4rem 1.2rem 1rem
}
h2{font-size:1.15rem;margin:.6rem 0 0}
.about{color:#666;margin:.2rem 0 .6rem}
h3{font-size:1rem;margin:1rem 0 .4rem}
h3 small{color:#777;font-weight:normal}
article.doubt {
  display:grid;
  grid-template-columns:minmax(0,3fr) minmax(0,2fr);
  gap:1rem;
  border-top:1px solid #eee;
  padding:.8rem 0
}
figure{margin:0}
img.crop{max-width:100%;border:1px solid #ccc;display:block}
.crop.none{color:#888;font-style:italic;padding:1rem;border:1px dashed #ccc;text-align:center}
h4{margin:0;font-family:ui-monospace,monospace;font-size:.9rem}
.label{margin:.2rem 0;color:#555}
dl{display:grid;grid-template-columns:auto 1fr;gap:.1rem .8rem;margin:.4rem 0}
dt{color:#777}
dd{margin:0}
dd.value{font-weight:bold}
dd.proposed{color:#0a6b2d;font-weight:bold}
ul.reasons{margin:.3rem 0;padding-left:1.1rem;color:#8a3b00}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border:1px solid #ddd;padding:.25rem .4rem;text-align:left}
td.cells{font-size:.75rem;color:#666;width:45%}
table.reading th{background:#fff1e6}
div.source{border-left:4px solid #3b6fb6;padding-left:.8rem;margin-top:1rem}
div.source p{color:#555;margin:.2rem 0 .5rem}
table.source th{background:#e8f0fb}
figure.relation{margin:.6rem 0}
figure.relation figcaption{font-size:.85rem;color:#555}
img.relation-crop{max-width:100%;border:1px solid #ccc;display:block}
.note{color:#777;font-style:italic}
details.failed {
  background:#fdecec;
  border:1px solid #f3c0c0;
  border-radius:6px;
  padding:.4rem .8rem;
  margin:.6rem 0
}
"""
