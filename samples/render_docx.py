"""Render a truth dict as a Word report built like the official 2019 / 2021 template.

``render_docx(truth, out_path)`` writes a complete 政府信息公开工作年度报告: title, intro, the six
headings with their narrative, and the three tables of sections 二, 三 and 四.  The document is built
from scratch with python-docx; the tables are raw WordprocessingML so that their merged cells are
exactly those of the official template: one ``w:tc`` per origin cell with ``w:gridSpan`` for
horizontal spans and ``w:vMerge restart/continue`` for vertical ones, full-width 第二十条 caption
rows (gridSpan 4) in section 二, the 3-level header and three label columns in section 三, and the
15-column section 四.  Fonts are declared the way Chinese Word/WPS documents do (``w:eastAsia``
仿宋_GB2312 / 宋体 / 黑体 / 楷体), so whatever renders the file substitutes its own CJK faces.

Blank cells stay empty (no run at all); ``display`` strings ("/", "251000元") are printed verbatim.
"""

from __future__ import annotations

import datetime as _dt
import io
import re
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.shared import Pt, Twips
from docx.text.paragraph import Paragraph

from samples import report_layout as rl

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

# Fonts, as declared by Chinese government Word documents.
FONT_BODY = "仿宋_GB2312"
FONT_HEADING = "黑体"
FONT_TITLE = "方正小标宋简体"
FONT_TABLE = "宋体"
FONT_NOTE = "楷体"

# A4, margins of 公文 (top 3.7 cm, bottom 3.5 cm, left 2.8 cm, right 2.6 cm).
PAGE_W, PAGE_H = 11906, 16838
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = 2098, 1984, 1588, 1474
TEXT_W = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT

CAPTION_FILL = "C6D9F1"  # the light blue of the 第二十条 caption rows in the 2021 template

# The fixed timestamp written into the docx zip and core properties when no date is known,
# so that re-rendering the same truth gives the same bytes.
_EPOCH = (2000, 1, 1, 0, 0, 0)


def _rfonts_xml(font: str) -> str:
    return (
        f'<w:rFonts w:ascii="{font}" w:hAnsi="{font}" w:eastAsia="{font}" w:cs="{font}" w:hint="eastAsia"/>'
    )


def _run_xml(text: str, font: str, half_points: int, bold: bool = False) -> str:
    b = "<w:b/><w:bCs/>" if bold else ""
    return (
        f'<w:r><w:rPr>{_rfonts_xml(font)}{b}<w:kern w:val="0"/>'
        f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/></w:rPr>'
        f'<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'
    )


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------


def _scaled_widths(widths: list[int], total: int) -> list[int]:
    s = sum(widths)
    out = [w * total // s for w in widths]
    out[-1] += total - sum(out)
    return out


def _cell_xml(
    cell: rl.Cell | None,
    width: int,
    colspan: int,
    vmerge: str | None,
) -> str:
    """One ``w:tc``. ``cell`` is None for the continuation of a vertical merge."""
    pr = [f'<w:tcW w:w="{width}" w:type="dxa"/>']
    if colspan > 1:
        pr.append(f'<w:gridSpan w:val="{colspan}"/>')
    if vmerge == "restart":
        pr.append('<w:vMerge w:val="restart"/>')
    elif vmerge == "continue":
        pr.append('<w:vMerge w:val="continue"/>')  # as the official (WPS-made) template writes it
    role = cell.role if cell is not None else rl.ROLE_VALUE
    if role == rl.ROLE_CAPTION:
        pr.append(f'<w:shd w:val="clear" w:color="auto" w:fill="{CAPTION_FILL}"/>')
    pr.append('<w:vAlign w:val="center"/>')
    jc = "left" if role in (rl.ROLE_LABEL, rl.ROLE_CAPTION, rl.ROLE_NOTE) else "center"
    ppr = (
        '<w:pPr><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'
        '<w:ind w:left="0" w:right="0" w:firstLine="0"/>'
        f'<w:jc w:val="{jc}"/></w:pPr>'
    )
    runs = ""
    if cell is not None and cell.text:
        font = FONT_NOTE if role == rl.ROLE_NOTE else FONT_TABLE
        bold = role == rl.ROLE_CAPTION
        runs = _run_xml(cell.text, font, 20, bold)
    return f"<w:tc><w:tcPr>{''.join(pr)}</w:tcPr><w:p>{ppr}{runs}</w:p></w:tc>"


def table_xml(grid: rl.Grid, total_width: int = TEXT_W) -> str:
    """The ``w:tbl`` of a grid, with gridSpan / vMerge cells like the official template."""
    occ = rl.occupancy(grid)
    widths = _scaled_widths(grid.widths, total_width)
    border = 'w:val="single" w:sz="4" w:space="0" w:color="000000"'
    parts = [
        f'<w:tbl xmlns:w="{W_NS}"><w:tblPr>',
        f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:jc w:val="center"/>',
        "<w:tblBorders>",
        *(f"<w:{side} {border}/>" for side in ("top", "left", "bottom", "right", "insideH", "insideV")),
        "</w:tblBorders>",
        '<w:tblLayout w:type="fixed"/>',
        '<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="57" w:type="dxa"/>'
        '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar>',
        '<w:tblLook w:val="0000"/></w:tblPr><w:tblGrid>',
        *(f'<w:gridCol w:w="{w}"/>' for w in widths),
        "</w:tblGrid>",
    ]
    for r, orow in enumerate(occ):
        parts.append(
            '<w:tr><w:trPr><w:trHeight w:val="397" w:hRule="atLeast"/><w:jc w:val="center"/></w:trPr>'
        )
        c = 0
        while c < grid.ncols:
            origin = orow[c]
            assert origin is not None
            orow_i, idx = origin
            cell = grid.rows[orow_i][idx]
            width = sum(widths[c : c + cell.colspan])
            if orow_i == r:
                vm = "restart" if cell.rowspan > 1 else None
                parts.append(_cell_xml(cell, width, cell.colspan, vm))
            else:
                parts.append(_cell_xml(None, width, cell.colspan, "continue"))
            c += cell.colspan
        parts.append("</w:tr>")
    parts.append("</w:tbl>")
    return "".join(parts)


# --------------------------------------------------------------------------------------------
# Paragraphs
# --------------------------------------------------------------------------------------------


def _set_run_fonts(run: Any, font: str, size_pt: float, bold: bool = False) -> None:
    run.font.size = Pt(size_pt)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), font)
    rfonts.set(qn("w:hint"), "eastAsia")


def _para(
    doc: Any,
    text: str,
    font: str = FONT_BODY,
    size_pt: float = 16,
    bold: bool = False,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY,
    indent: bool = True,
    space_after: float = 0,
) -> Paragraph:
    p: Paragraph = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.alignment = align
    fmt.line_spacing = Pt(28)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(space_after)
    fmt.first_line_indent = Pt(2 * size_pt) if indent else Pt(0)
    if text:
        _set_run_fonts(p.add_run(text), font, size_pt, bold)
    return p


def _setup_document(doc: Any, truth: rl.Truth) -> None:
    section = doc.sections[0]
    section.page_width = Twips(PAGE_W)
    section.page_height = Twips(PAGE_H)
    section.top_margin = Twips(MARGIN_TOP)
    section.bottom_margin = Twips(MARGIN_BOTTOM)
    section.left_margin = Twips(MARGIN_LEFT)
    section.right_margin = Twips(MARGIN_RIGHT)

    normal = doc.styles["Normal"]
    normal.font.size = Pt(16)
    rpr = normal.element.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), FONT_BODY)
    # Chinese language tag, so LibreOffice picks CJK fallbacks for the declared faces.
    lang = parse_xml(f'<w:lang xmlns:w="{W_NS}" w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/>')
    rpr.append(lang)

    report = truth["report"]
    props = doc.core_properties
    props.title = rl.title(truth)
    props.author = str(report["agency"])
    props.last_modified_by = str(report["agency"])
    props.comments = ""
    props.keywords = "政府信息公开工作年度报告"
    props.revision = 1
    pub = rl.published_date(truth)
    stamp = _dt.datetime(pub.year, pub.month, pub.day, 9, 0, 0) if pub is not None else _dt.datetime(*_EPOCH)
    props.created = stamp
    props.modified = stamp
    props.last_printed = stamp


def _add_table(doc: Any, grid: rl.Grid) -> None:
    tbl = parse_xml(table_xml(grid))
    body = doc.element.body
    sect_pr = body.sectPr
    if sect_pr is not None:
        sect_pr.addprevious(tbl)
    else:
        body.append(tbl)


def build_document(truth: rl.Truth) -> Any:
    """The python-docx Document for a truth dict (not saved)."""
    doc = Document()
    _setup_document(doc, truth)

    _para(
        doc,
        rl.title(truth),
        font=FONT_TITLE,
        size_pt=22,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        indent=False,
        space_after=16,
    )
    _para(doc, rl.intro(truth))

    grids = rl.grids(truth)
    for key, heading in rl.HEADINGS:
        _para(doc, heading, font=FONT_HEADING, size_pt=16)
        if key in grids:
            _add_table(doc, grids[key])
            # Word needs a paragraph between two tables; a real report has one anyway.
            _para(doc, "", indent=False)
        else:
            for text in rl.narrative(truth, key):
                _para(doc, text)

    _para(doc, "", indent=False)
    _para(doc, str(truth["report"]["agency"]), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    pub = rl.published_date(truth)
    if pub is not None:
        _para(doc, rl.chinese_date(pub), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    return doc


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite the docx zip with fixed member timestamps, so the output is reproducible."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename == "docProps/thumbnail.jpeg":
                continue  # the picture of python-docx's default template, not of this report
            data = src.read(info.filename)
            if info.filename == "_rels/.rels":
                data = re.sub(rb"<Relationship [^>]*thumbnail\.jpeg\"/>", b"", data)
            zi = zipfile.ZipInfo(info.filename, date_time=_EPOCH)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, data)
    return out.getvalue()


def render_docx(truth: dict[str, Any], out_path: Path) -> None:
    """Write the Word (.docx) rendering of ``truth`` to ``out_path``."""
    doc = build_document(truth)
    buf = io.BytesIO()
    doc.save(buf)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_bytes(_normalise_zip(buf.getvalue()))


if __name__ == "__main__":
    import json
    import sys

    if len(sys.argv) != 3:
        sys.exit("usage: python -m samples.render_docx TRUTH.json OUT.docx")
    render_docx(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")), Path(sys.argv[2]))
