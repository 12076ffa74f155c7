"""Compilations (汇编): several generated reports in one file, as cities publish every department's.

    python -m samples.compilations [--out samples/compilations]

Built from the other generators' samples (run `samples.generate` and `samples.legacy` first):

- a PDF: a cover page (the compilation's title and a table of contents that lists every report's
  title), then the reports' PDFs one after another, each starting on a new page;
- a PDF of pre-2019 reports (the 2008 format, with their 统计表);
- Markdown: reports written one after another in one file, no page between them, a 2008-format
  report among them.

The truth, `<file>.json`, is `{"file", "reports": [truth, …]}`: each report's own truth (the
ground-truth shape of `samples/truth.py` or `samples/legacy.py`), in the file's order, with
`source` naming the sample it was made from.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped, unused-ignore]

from samples.legacy import SAMPLES as LEGACY
from samples.legacy import make_legacy_truth, render_markdown
from samples.render_pdf import PAGE_H, PAGE_W, font_name
from samples.render_text import STYLES
from samples.truth import make_truth

REPORTS = Path("samples/reports")
LEGACY_DIR = Path("samples/legacy")


@dataclass(frozen=True)
class Compilation:
    id: str
    what: str
    title: str
    sources: tuple[str, ...]  # sample files (PDF compilations), in order
    cover: bool = True


PDFS: tuple[Compilation, ...] = (
    Compilation(
        "c01_city_2021_four",
        "four generated reports (2021, 2019 and hybrid templates; tables across pages, a source "
        "failure) behind a cover page whose table of contents lists their titles.",
        "2021年度各部门政府信息公开工作年度报告汇编",
        (
            "s01_gov_2021_split4.pdf",
            "s02_bureau_2019_blanks.pdf",
            "s03_gov_hybrid_failure.pdf",
            "s06_bureau_2025_big.pdf",
        ),
    ),
    Compilation(
        "c02_city_2011_legacy",
        "three pre-2019 reports (2008 format; 统计表 of both forms, one with a sub-row over its "
        "parent) without a cover.",
        "",
        ("l01_gov_2011_cumulative.pdf", "l02_bureau_2016_national.pdf", "l03_gov_2009_wrongsub.pdf"),
        cover=False,
    ),
)


def _cover(title: str, titles: list[str]) -> bytes:
    """A cover page: the compilation's title, 目录, one line per report title with its page."""
    out = io.BytesIO()
    c = Canvas(out, pagesize=(PAGE_W, PAGE_H), invariant=1)
    c.setFont(font_name("wqy-zenhei"), 20)
    c.drawCentredString(PAGE_W / 2, PAGE_H - 140, title)
    c.setFont(font_name("wqy-zenhei"), 16)
    c.drawCentredString(PAGE_W / 2, PAGE_H - 200, "目  录")
    c.setFont(font_name("ar-uming"), 12)
    for n, line in enumerate(titles):
        c.drawString(80, PAGE_H - 250 - 28 * n, line)
    c.showPage()
    c.save()
    return out.getvalue()


def _title(truth: dict[str, Any]) -> str:
    report = truth["report"]
    return str(report.get("title") or f"{report['agency']}{report['year']}年政府信息公开工作年度报告")


def build_pdf(comp: Compilation, out_dir: Path) -> Path:
    out = out_dir / f"{comp.id}.pdf"
    truths = []
    for name in comp.sources:
        folder = LEGACY_DIR if name.startswith("l") else REPORTS
        truth = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        truth["source"] = name
        truths.append(truth)
    pdf = pdfium.PdfDocument.new()
    if comp.cover:
        pages, titles = 2, []
        for name, truth in zip(comp.sources, truths, strict=True):
            titles.append(f"{_title(truth)}……{pages}")
            folder = LEGACY_DIR if name.startswith("l") else REPORTS
            pages += len(pdfium.PdfDocument(str(folder / name)))
        pdf.import_pages(pdfium.PdfDocument(_cover(comp.title, titles)))
    for name in comp.sources:
        folder = LEGACY_DIR if name.startswith("l") else REPORTS
        pdf.import_pages(pdfium.PdfDocument(str(folder / name)))
    pdf.save(str(out))
    _write_truth(out, truths, comp.what)
    return out


def build_markdown(out_dir: Path) -> Path:
    """Three reports in one Markdown file: two on the national templates, one pre-2019."""
    out = out_dir / "c03_county_2021_three.md"
    truths = [make_truth(31, "2021", year=2021), make_truth(32, "2019", year=2020)]
    texts = [STYLES["markdown"](t) for t in truths]
    legacy = next(s for s in LEGACY if s.medium == "md")
    old = make_legacy_truth(legacy, out.name)
    texts.append(render_markdown(old, legacy.form))
    for item in old["legacy_statistics"]:
        del item["label"]
    for truth, source in zip([*truths, old], ["make_truth(31)", "make_truth(32)", legacy.id], strict=True):
        truth["file"] = out.name
        truth["source"] = source
    out.write_text("\n\n".join(texts), encoding="utf-8")
    _write_truth(
        out,
        [*truths, old],
        "three reports one after another in one Markdown file (2021, 2019, a 2008-format report).",
    )
    return out


def _write_truth(out: Path, truths: list[dict[str, Any]], what: str) -> None:
    data = {"file": out.name, "reports": truths, "notes": f"A compilation: {what}"}
    Path(f"{out}.json").write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--out", default="samples/compilations", help="output folder")
    args = parser.parse_args(argv)
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    for comp in PDFS:
        print(build_pdf(comp, out_dir))
    print(build_markdown(out_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
