"""The HTML adapter: decoding, the table grid, Word-pasted markup, layout tables, chrome, positions;
and end to end on the corpus's web page (the samples' pages are in test_samples.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractor import extract
from extractor.document import Document, Table
from extractor.errors import UnsupportedInputError
from extractor.ingest import read_document, sniff
from extractor.ingest.html import decode_html, place_cells, read_html
from extractor.locate.sections import locate_sections, rows_by_section
from extractor.model import json_schema

from .truth import differences, source_failures, truth_source_failures

TITLE = "江州市人民政府2023年政府信息公开工作年度报告"


def page(tmp_path: Path, body: str, head: str = "", encoding: str = "utf-8", name: str = "p.html") -> Path:
    path = tmp_path / name
    path.write_bytes(f"<html><head>{head}</head><body>{body}</body></html>".encode(encoding))
    return path


def grid(table: Table) -> list[list[str | None]]:
    return table.grid()


def texts(doc: Document) -> list[str]:
    return [line.text for line in doc.lines()]


# ---------------------------------------------------------------------------------------------
# Decoding
# ---------------------------------------------------------------------------------------------

CHINESE = "<p>二、主动公开政府信息情况：行政许可“三安全一稳定”</p>"


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (CHINESE.encode("gb18030"), "GB18030 without a declaration"),
        (f'<meta charset="gb2312">{CHINESE}'.encode("gb18030"), "gb2312 declared (decoded as GB18030)"),
        (
            f'<meta http-equiv="Content-Type" content="text/html; charset=GBK">{CHINESE}'.encode("gbk"),
            "GBK in http-equiv",
        ),
        (f'<meta charset="utf-8">{CHINESE}'.encode("gb18030"), "declared utf-8 but GB18030 bytes"),
        (CHINESE.encode("utf-8"), "UTF-8 without a declaration"),
        (b"\xef\xbb\xbf" + CHINESE.encode("utf-8"), "UTF-8 with a BOM"),
        ("\ufeff".encode("utf-16-le") + CHINESE.encode("utf-16-le"), "UTF-16 with a BOM"),
        (f'<?xml version="1.0" encoding="gbk"?>{CHINESE}'.encode("gbk"), "XML declaration"),
        (f"{CHINESE}<p>截断".encode()[:-1], "UTF-8 cut short inside its last character"),
    ],
)
def test_decoding(data: bytes, why: str) -> None:
    assert "二、主动公开政府信息情况：行政许可“三安全一稳定”" in decode_html(data), why


def test_gb18030_page_without_declaration_is_read(tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    path.write_bytes(f"<html><body><h1>{TITLE}</h1><p>一、总体情况</p></body></html>".encode("gb18030"))
    assert texts(read_html(path)) == [TITLE, "一、总体情况"]


# ---------------------------------------------------------------------------------------------
# The table grid
# ---------------------------------------------------------------------------------------------


def test_rowspans_push_later_cells_right() -> None:
    cells = place_cells(
        [
            [
                [("a", 2, 1), ("b", 1, 2), ("c", 3, 1)],
                [("d", 1, 1), ("e", 1, 1)],  # starts at column 1: column 0 is a's
                [("f", 1, 2), ("g", 1, 1)],  # f at 0–1, g at 2; column 3 is c's
            ]
        ]
    )
    table = Table(page=1, n_rows=3, n_cols=4, cells=cells, row_y=[1, 2, 3])
    assert grid(table) == [["a", "b", None, "c"], [None, "d", "e", None], ["f", None, "g", None]]


def test_rowspan_zero_and_too_long_stop_at_the_row_group() -> None:
    cells = place_cells([[[("a", 0, 1), ("b", 1, 1)], [("c", 1, 1)]], [[("d", 5, 1), ("e", 1, 1)]]])
    by_text = {c.text: c for c in cells}
    assert (by_text["a"].rowspan, by_text["c"].col) == (2, 1)
    assert (by_text["d"].row, by_text["d"].rowspan) == (2, 1)


def test_a_colspan_running_into_a_rowspan_is_cut() -> None:
    cells = place_cells([[[("a", 1, 1), ("b", 2, 1)], [("c", 1, 3)]]])
    c = next(c for c in cells if c.text == "c")
    assert (c.col, c.colspan) == (0, 1)


def test_html_table_with_spans(tmp_path: Path) -> None:
    body = """<table>
      <tr><td rowspan="2" colspan="2">（本列数据的勾稽关系为）</td><td colspan="3">申请人情况</td></tr>
      <tr><td>自然人</td><td>商业企业</td><td>总计</td></tr>
      <tr><td colspan="2">一、本年新收政府信息公开申请数量</td><td>5</td><td>&nbsp;</td><td>5</td></tr>
      <tr><td rowspan="2">三、本年度办理结果</td><td>（一）予以公开</td><td>2</td><td></td><td>2</td></tr>
      <tr><td>（二）部分公开</td><td>1</td><td>0</td><td>1</td></tr>
    </table>"""
    doc = read_html(page(tmp_path, body))
    (table,) = doc.tables()
    assert (table.n_rows, table.n_cols) == (5, 5)
    assert grid(table)[4] == [None, "（二）部分公开", "1", "0", "1"]
    assert table.at(2, 3) is not None and table.at(2, 3).text == ""  # &nbsp;: blank, not 0
    assert all(c.bbox is None for c in table.cells) and table.col_x is None


# ---------------------------------------------------------------------------------------------
# Word-pasted HTML
# ---------------------------------------------------------------------------------------------

WORD_TABLE = """
<table class=MsoNormalTable border=0 cellspacing=0 cellpadding=0 width=601 style='width:450.8pt'>
 <tr style='mso-yfti-irow:0'>
  <td width=57 colspan=3 rowspan=2 style='width:42.5pt'><p class=MsoNormal align=center><span
  style='font-family:宋体'>（本列数据的勾稽关系为）<span lang=EN-US><o:p></o:p></span></span></p></td>
  <td width=57 colspan=2 style='width:42.5pt'><p class=MsoNormal><span
  style='font-family:宋体'>申请人情况</span></p></td>
 </tr>
 <tr>
  <td width=57><p class=MsoNormal><span style='font-family:宋体'>自然</span><span
  style='font-family:宋体'>人</span></p></td>
  <td width=57><p class=MsoNormal><span style='font-family:宋体'>总计</span></p></td>
 </tr>
 <tr>
  <td width=57 colspan=3><p class=MsoNormal><span
  style='font-family:宋体'>一、本年新收<br>政府信息公开申请数量</span></p></td>
  <td width=57><p class=MsoNormal align=center><span lang=EN-US>12</span><span lang=EN-US>34</span><span
  lang=EN-US><o:p></o:p></span></p></td>
  <td width=57><p class=MsoNormal align=center><span lang=EN-US><o:p>&nbsp;</o:p></span></p></td>
 </tr>
 <![if !supportMisalignedColumns]>
 <tr height=0><td width=20 style='border:none'></td><td width=20 style='border:none'></td>
 <td width=20 style='border:none'></td><td width=20 style='border:none'></td>
 <td width=20 style='border:none'></td></tr>
 <![endif]>
</table>"""


def test_word_pasted_table(tmp_path: Path) -> None:
    heading = "<p class=MsoNormal><span>三、收到和处理政府信息公开申请情况</span></p>"
    body = f'<div class="WordSection1">{heading}{WORD_TABLE}</div>'
    meta = '<meta http-equiv=Content-Type content="text/html; charset=gb2312">'
    doc = read_html(page(tmp_path, body, head=meta, encoding="gb18030"))
    (table,) = doc.tables()
    g = grid(table)
    assert g[1] == [None, None, None, "自然人", "总计"]
    # Runs of one number joined; an <o:p>&nbsp;</o:p> cell is blank.
    assert g[2] == ["一、本年新收\n政府信息公开申请数量", None, None, "1234", ""]
    assert g[3] == [""] * 5  # Word's row of column widths: empty, harmless
    assert texts(doc) == ["三、收到和处理政府信息公开申请情况"]


# ---------------------------------------------------------------------------------------------
# Layout tables, metadata tables, chrome
# ---------------------------------------------------------------------------------------------


def test_layout_tables_are_read_through(tmp_path: Path) -> None:
    body = f"""<table width="100%"><tr><td>
      <table><tr><td><h1>{TITLE}</h1></td></tr></table>
      <table><tr><td><p>一、总体情况</p><p>全年主动公开信息。</p>
        <table border=1><tr><td>信息内容</td><td>本年制发件数</td></tr>
        <tr><td>规章</td><td>2</td></tr></table>
        <p>二、主动公开政府信息情况</p></td></tr></table>
    </td></tr></table>"""
    doc = read_html(page(tmp_path, body))
    assert texts(doc) == [TITLE, "一、总体情况", "全年主动公开信息。", "二、主动公开政府信息情况"]
    (table,) = doc.tables()
    assert grid(table) == [["信息内容", "本年制发件数"], ["规章", "2"]]


def test_a_metadata_table_is_text(tmp_path: Path) -> None:
    body = f"""<table class="meta">
      <tr><th>索引号：</th><td>256649762/2024-62265</td><th>分类：</th><td>年报</td></tr>
      <tr><th>名称：</th><td colspan="3">{TITLE}</td></tr></table><h1>{TITLE}</h1>"""
    doc = read_html(page(tmp_path, body))
    assert doc.tables() == []
    assert texts(doc) == ["索引号： 256649762/2024-62265 分类： 年报", f"名称： {TITLE}", TITLE]


def test_site_chrome_is_skipped(tmp_path: Path) -> None:
    body = f"""<div class="topbar">您好，欢迎访问江州市人民政府门户网站！今天是2024年1月19日</div>
      <div class="header"><div class="logo">江州市人民政府</div></div>
      <ul class="nav-menu"><li>首页</li><li>政务公开</li></ul>
      <div class="bread-crumb">当前位置：首页 &gt; 政务公开</div>
      <div class="article"><div class="article-header"><h2>{TITLE}</h2></div>
      <div class="version"><a href="#">全真版</a> <a href="#">文字版</a></div>
      <p>一、总体情况</p><p>正文。</p>
      <p>附件下载：<a href="#">年报.pdf</a></p><p>【打印本页】【关闭窗口】</p></div>
      <div class="related"><h3>相关链接</h3>
      <ul><li><a href="#">江州市2022年政府信息公开工作年度报告</a></li></ul></div>
      <div id="footer"><p>网站标识码：3200000001 ICP备0011号</p></div>
      <script>var x = "一、总体情况";</script><style>p {{}}</style>"""
    assert texts(read_html(page(tmp_path, body))) == [TITLE, "一、总体情况", "正文。"]


def test_hidden_elements_are_skipped(tmp_path: Path) -> None:
    body = '<p>可见<span style="display: none">隐藏</span></p><p style="mso-hide:all">隐藏</p>'
    assert texts(read_html(page(tmp_path, body))) == ["可见"]


def test_br_breaks_lines_and_nbsp_is_space(tmp_path: Path) -> None:
    body = "<p><br />四、政府信息公开行政复议、行政诉讼情况</p><p>第一行<br>第二行&nbsp;&nbsp;　结束</p>"
    assert texts(read_html(page(tmp_path, body))) == [
        "四、政府信息公开行政复议、行政诉讼情况",
        "第一行",
        "第二行 结束",
    ]


# ---------------------------------------------------------------------------------------------
# Positions: one counter for lines and table rows, so rows land in their sections
# ---------------------------------------------------------------------------------------------


def test_rows_interleave_with_headings(tmp_path: Path) -> None:
    body = """<p>二、主动公开政府信息情况</p>
      <table><tr><td>信息内容</td><td>本年制发件数</td></tr><tr><td>规章</td><td>2</td></tr></table>
      <p>三、收到和处理政府信息公开申请情况</p>
      <table><tr><td>申请人情况</td><td>总计</td></tr><tr><td>一、本年新收政府信息公开申请数量</td><td>5</td></tr></table>
      <p>四、政府信息公开行政复议、行政诉讼情况</p>"""
    doc = read_html(page(tmp_path, body))
    ys = [line.y for line in doc.lines()] + [y for t in doc.tables() for y in t.row_y]
    assert len(set(ys)) == len(ys)  # one counter: no two blocks share a position
    assert all(line.page == 1 for line in doc.lines())
    located = locate_sections(doc)
    rows = rows_by_section(doc, located)
    first, second = doc.tables()
    assert {id(t) for t, _ in rows["proactive"]} == {id(first)}
    assert {id(t) for t, _ in rows["requests"]} == {id(second)}
    assert rows["review_litigation"] == []


# ---------------------------------------------------------------------------------------------
# Sniffing
# ---------------------------------------------------------------------------------------------


def test_sniffing_by_content(tmp_path: Path) -> None:
    as_txt = tmp_path / "report.txt"
    as_txt.write_text("<!DOCTYPE html><html><body><p>一、总体情况</p></body></html>", encoding="utf-8")
    assert sniff(as_txt) == "html"
    fragment = tmp_path / "fragment.dat"
    fragment.write_text("<p style='text-align: center'>标题</p>", encoding="utf-8")
    assert sniff(fragment) == "html"
    pdf = tmp_path / "report.html"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    assert sniff(pdf) == "pdf"
    gb = tmp_path / "report"
    gb.write_bytes("<HTML><HEAD><META content='text/html; charset=gb2312'></HEAD>".encode("gb18030"))
    assert sniff(gb) == "html"


def test_unknown_content_says_what_is_read(tmp_path: Path) -> None:
    junk = tmp_path / "report.bin"
    junk.write_bytes(b"\x00\x01\x02 not a report")
    with pytest.raises(UnsupportedInputError, match=r"PDF.*web page.*Word"):
        read_document(junk)


# ---------------------------------------------------------------------------------------------
# End to end: the corpus's web page
# ---------------------------------------------------------------------------------------------


@pytest.mark.corpus
def test_shanghai_2019_web_page(corpus: Path) -> None:
    """Blank (&nbsp;) cells everywhere, even in the 总计 column; "251000元" in a cell; section 二's
    header colspans that do not match its data rows (values go in reading order)."""
    jsonschema = pytest.importorskip("jsonschema")
    name = "004_shanghai-bgt_2019.html"
    truth = json.loads((corpus / "gt" / f"{name}.json").read_text(encoding="utf-8"))
    report = extract(corpus / "docs" / name)
    assert report.source.kind == "html" and report.source.pages is None
    assert differences(report, truth) == []
    assert (report.report.agency, report.report.year, report.report.template) == (
        "上海市人民政府办公厅",
        2019,
        "2019",
    )
    assert report.report.published == "2020-01-31"
    # The blank 总计 cells break relations in the source itself: reported as such, all of them.
    assert source_failures(report) == truth_source_failures(truth)
    assert all(c.cause == "source" for c in report.checks if not c.passed)
    assert report.needs_review == []
    blank = report.requests["granted"]["total"]
    assert (blank.value, blank.raw, blank.confidence) == (None, "", 1.0)
    amount = report.proactive["procurement"]["amount"]
    assert (amount.value, amount.raw, amount.page, amount.bbox) == (25.1, "251000元", None, None)
    assert report.sections.other is not None and report.sections.other.text == "无。"
    jsonschema.validate(json.loads(report.to_json()), json_schema())
