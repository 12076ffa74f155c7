"""Render a truth dict as a government web page, the way annual reports are published online.

``render_html(truth, out_path, style="clean", encoding="utf-8")``

Styles (the report is always wrapped in site chrome: top bar, site header and search box, menu,
breadcrumb, the 索引号/发布机构 metadata table, 全真版/文字版 switch, 附件下载, share and print links,
footer with 网站标识码 and ICP number):

``clean``
    A CMS article: ``<p>`` paragraphs with ``<strong>`` headings and three plain tables with
    ``rowspan``/``colspan`` (the same merged layout as the official Word template). Blank cells
    are empty ``<td></td>``.

``word``
    Word-pasted HTML, as produced by pasting a .docx into the CMS editor: ``class="MsoNormal"``
    paragraphs, ``<p><span>`` nesting inside every cell, ``lang="EN-US"`` runs around ASCII,
    ``<o:p>`` tags, inline ``mso-*`` styles and ``width`` attributes that do not match the
    colspans, ``&nbsp;`` in blank cells, some numbers split over two spans, and the trailing
    ``<![if !supportMisalignedColumns]>`` row of empty width cells Word adds to merged tables.

``encoding`` is ``utf-8`` or a Chinese legacy encoding (``gb18030``, ``gbk``, ``gb2312``); the page
declares it in a ``<meta>`` charset and is written in it (characters outside the encoding would
raise, which cannot happen with gb18030).
"""

from __future__ import annotations

import hashlib
import re
from html import escape
from pathlib import Path
from typing import Any

from samples import report_layout as rl

STYLES = ("clean", "word")

_TWIP_PT = 20.0  # twips per point
_PX_PER_PT = 96 / 72


def _e(text: str) -> str:
    return escape(text, quote=True)


# --------------------------------------------------------------------------------------------
# Site chrome
# --------------------------------------------------------------------------------------------


def _site(truth: rl.Truth) -> tuple[str, str]:
    """(site name, short place name) derived from the agency, e.g. 淮安市人民政府 -> 淮安市."""
    agency = str(truth["report"]["agency"])
    m = re.match(r"^(.+?(?:自治区|自治州|省|市|县|区|旗))", agency)
    place = m.group(1) if m else agency
    return f"{place}人民政府", place


def _index_number(truth: rl.Truth) -> str:
    h = hashlib.sha1(rl.title(truth).encode("utf-8")).hexdigest()
    digits = str(int(h[:12], 16))[:9].rjust(9, "0")
    return f"{digits[:9]}/{truth['report']['year'] + 1}-{int(h[12:16], 16) % 90000 + 10000:05d}"


def _links(names: list[str], sep: str = "", on: str | None = None) -> str:
    return sep.join(
        f'<a href="#" class="on">{_e(n)}</a>' if n == on else f'<a href="#">{_e(n)}</a>' for n in names
    )


def _chrome_top(truth: rl.Truth) -> str:
    site, place = _site(truth)
    agency = _e(str(truth["report"]["agency"]))
    title = _e(rl.title(truth))
    pub = rl.published_date(truth)
    pub_s = pub.isoformat() if pub is not None else ""
    today = rl.chinese_date(pub) if pub is not None else ""
    tools = _links(["无障碍浏览", "长者模式", "English", "微信", "微博"], " | ")
    menu = _links(["首页", "要闻动态", "政务公开", "政务服务", "互动交流", f"走进{place}"], on="政务公开")
    crumb = _links(["首页", "政务公开", "政府信息公开", "政府信息公开年报"], " &gt; ")
    views = int(_index_number(truth)[-5:]) % 3000 + 100
    sizes = _links(["大", "中", "小"], " ")
    return f"""<div class="topbar"><div class="w">
<span>您好，欢迎访问{_e(site)}门户网站！今天是{_e(today)}</span>
<span class="fr">{tools}</span>
</div></div>
<div class="header"><div class="w">
<div class="logo">{_e(site)}</div>
<form class="search" action="#"><input type="text" placeholder="请输入关键词">
<button type="button">搜索</button></form>
</div></div>
<div class="menu"><div class="w">{menu}</div></div>
<div class="w main">
<div class="crumb">当前位置：{crumb}</div>
<table class="meta">
<tr><th>索引号：</th><td>{_e(_index_number(truth))}</td><th>分类：</th><td>政府信息公开年报</td></tr>
<tr><th>发布机构：</th><td>{agency}</td><th>发文日期：</th><td>{_e(pub_s)}</td></tr>
<tr><th>名称：</th><td colspan="3">{title}</td></tr>
<tr><th>文号：</th><td></td><th>主题词：</th><td>年报</td></tr>
</table>
<div class="article">
<h1 class="title">{title}</h1>
<div class="info">发布时间：{_e(pub_s)}　　来源：{agency}　　浏览次数：<span>{views}</span>
　　字号：[{sizes}]</div>
<div class="version"><a href="#" class="on">全真版</a><a href="#">文字版</a></div>
"""


def _chrome_bottom(truth: rl.Truth) -> str:
    site, place = _site(truth)
    title = rl.title(truth)
    year = truth["report"]["year"]
    code = _index_number(truth)[:4]
    return f"""<div class="attach">附件下载：<a href="#">{_e(title)}.pdf</a></div>
<div class="tools"><span>分享到：<a href="#">微信</a> <a href="#">微博</a> <a href="#">QQ空间</a></span>
<span class="fr">【<a href="#">打印本页</a>】【<a href="#">关闭窗口</a>】</span></div>
</div>
<div class="related"><h3>相关链接</h3><ul>
<li><a href="#">{_e(place)}{year - 1}年政府信息公开工作年度报告</a></li>
<li><a href="#">政府信息公开指南</a></li><li><a href="#">依申请公开</a></li></ul></div>
</div>
<div class="footer"><div class="w">
<p><a href="#">网站地图</a> | <a href="#">联系我们</a> | <a href="#">隐私声明</a></p>
<p>主办单位：{_e(site)}办公室　　承办：{_e(place)}大数据管理中心</p>
<p>网站标识码：{code}000001　　ICP备{code}0011号-1　　公网安备 {code}0202000123号</p>
</div></div>
"""


_CSS = """
@page { size: A4; margin: 12mm 10mm; }
body {
  margin: 0;
  font-family: "Microsoft YaHei", "微软雅黑", "SimSun", sans-serif;
  font-size: 14px;
  color: #333;
  background: #f4f4f4;
}
a { color: #333; text-decoration: none; }
.w { width: 1000px; margin: 0 auto; }
.fr { float: right; }
.topbar { background: #eee; font-size: 12px; line-height: 30px; }
.header { background: #b5161d; height: 90px; }
.logo {
  float: left;
  color: #fff;
  font-size: 32px;
  font-weight: normal;
  line-height: 90px;
  letter-spacing: 2px;
}
.search { float: right; margin-top: 30px; }
.search input { width: 200px; height: 24px; border: 0; }
.search button { height: 26px; background: #fcd000; border: 0; }
.menu { background: #8f0f14; line-height: 40px; }
.menu a { color: #fff; font-size: 16px; padding: 0 24px; }
.main { background: #fff; padding: 10px 30px 30px; box-sizing: border-box; }
.crumb { font-size: 12px; padding: 6px 0; border-bottom: 1px solid #ddd; }
table.meta {
  width: 100%;
  margin: 12px 0;
  border: 1px solid #c9d8e8;
  background: #f6fafe;
  font-size: 13px;
}
table.meta th { text-align: right; width: 90px; font-weight: normal; color: #666; }
.article .title {
  font-size: 24px; font-weight: normal; text-align: center; color: #000; margin: 20px 0 10px;
}
.info {
  text-align: center;
  font-size: 12px;
  color: #888;
  border-bottom: 1px dashed #ccc;
  padding-bottom: 8px;
}
.version { text-align: right; font-size: 12px; margin: 6px 0; }
.version a { border: 1px solid #b5161d; padding: 1px 8px; margin-left: 4px; }
.version a.on { background: #b5161d; color: #fff; }
.attach { margin-top: 20px; font-size: 13px; }
.attach a { color: #1a4f9c; }
.tools { font-size: 12px; margin-top: 10px; border-top: 1px solid #eee; padding-top: 6px; }
.related { margin-top: 20px; font-size: 13px; }
.related h3 { font-size: 15px; font-weight: normal; border-bottom: 2px solid #b5161d; }
.footer {
  background: #8f0f14;
  color: #fff;
  font-size: 12px;
  text-align: center;
  padding: 12px 0;
  line-height: 22px;
}
.footer a { color: #fff; }
"""

_CSS_CLEAN = """
.content { font-size: 16px; line-height: 2; color: #000; font-family: "SimSun", "宋体", serif; }
.content p { margin: 0; text-indent: 2em; }
/* headings in 黑体 rather than bold: CJK faces have no bold, and a synthetic bold is printed by
   Chromium as Type 3 fonts (large PDFs, FontBBox warnings in pdfminer) */
.content strong { font-family: "黑体", "SimHei", sans-serif; font-weight: normal; }
.content table { border-collapse: collapse; margin: 8px auto; font-size: 13px; line-height: 1.4; }
.content td { border: 1px solid #000; padding: 3px 4px; text-align: center; }
.content td.l { text-align: left; }
.content td.cap { text-align: left; background: #c6d9f1; }
"""

_CSS_WORD = """
p.MsoNormal, li.MsoNormal, div.MsoNormal {
  margin: 0cm;
  text-align: justify;
  font-size: 10.5pt;
  font-family: "Times New Roman", serif;
}
"""


# --------------------------------------------------------------------------------------------
# Clean style
# --------------------------------------------------------------------------------------------


def _clean_table(grid: rl.Grid) -> str:
    rl.occupancy(grid)  # validates the spans
    out = ['<table border="1" cellspacing="0" cellpadding="0" align="center">', "<tbody>"]
    for row in grid.rows:
        out.append("<tr>")
        for cell in row:
            attrs = ""
            if cell.colspan > 1:
                attrs += f' colspan="{cell.colspan}"'
            if cell.rowspan > 1:
                attrs += f' rowspan="{cell.rowspan}"'
            if cell.role == rl.ROLE_CAPTION:
                attrs += ' class="cap"'
            elif cell.role in (rl.ROLE_LABEL, rl.ROLE_NOTE):
                attrs += ' class="l"'
            out.append(f"<td{attrs}>{_e(cell.text)}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def _clean_content(truth: rl.Truth) -> str:
    grids = rl.grids(truth)
    out = ['<div class="content">', f"<p>{_e(rl.intro(truth))}</p>"]
    for key, heading in rl.HEADINGS:
        out.append(f"<p><strong>{_e(heading)}</strong></p>")
        if key in grids:
            out.append(_clean_table(grids[key]))
        else:
            out.extend(f"<p>{_e(t)}</p>" for t in rl.narrative(truth, key))
    out.append(f'<p style="text-align:right">{_e(str(truth["report"]["agency"]))}</p>')
    pub = rl.published_date(truth)
    if pub is not None:
        out.append(f'<p style="text-align:right">{_e(rl.chinese_date(pub))}</p>')
    out.append("</div>")
    return "\n".join(out)


# --------------------------------------------------------------------------------------------
# Word-pasted style
# --------------------------------------------------------------------------------------------

_ASCII_RUN = re.compile(r"[\x21-\x7e]+(?: [\x21-\x7e]+)*")


def _word_runs(text: str, style: str) -> str:
    """Text as Word exports it: CJK in one span, ASCII (digits) in ``lang=EN-US`` spans."""
    out: list[str] = []
    pos = 0
    for m in _ASCII_RUN.finditer(text):
        if m.start() > pos:
            out.append(f'<span style="{style}">{_e(text[pos : m.start()])}</span>')
        out.append(
            f'<span lang="EN-US" style="{style};mso-fareast-font-family:仿宋_GB2312">{_e(m.group(0))}</span>'
        )
        pos = m.end()
    if pos < len(text):
        out.append(f'<span style="{style}">{_e(text[pos:])}</span>')
    return "".join(out)


def _word_para(text: str, font: str, size_pt: float, align: str = "justify", bold: bool = False) -> str:
    indent = "" if align != "justify" else f"text-indent:{2 * size_pt:.1f}pt;mso-char-indent-count:2.0;"
    style = f"font-size:{size_pt:.1f}pt;font-family:{font}"
    runs = _word_runs(text, style) if text else f'<span lang="EN-US" style="{style}"><o:p>&nbsp;</o:p></span>'
    if bold:
        runs = f"<b>{runs}</b>"
    return (
        f'<p class="MsoNormal" align="{align}" style="text-align:{align};{indent}'
        f'line-height:28.0pt;mso-line-height-rule:exactly">{runs}'
        f'<span lang="EN-US" style="font-size:{size_pt:.1f}pt"><o:p></o:p></span></p>'
    )


def _split_number(path: str, text: str) -> list[str]:
    """Word sometimes stores one number in two runs (after an edit); do it for some cells."""
    if len(text) >= 3 and text.isdigit():
        h = int(hashlib.md5(path.encode("utf-8")).hexdigest()[:4], 16)
        if h % 3 == 0:
            cut = 1 + h % (len(text) - 1)
            return [text[:cut], text[cut:]]
    return [text]


def _word_cell_inner(cell: rl.Cell | None) -> str:
    size = "font-size:10.0pt;font-family:宋体;mso-bidi-font-family:宋体;color:black;mso-font-kern:0pt"
    align = "center"
    if cell is not None and cell.role in (rl.ROLE_LABEL, rl.ROLE_CAPTION, rl.ROLE_NOTE):
        align = "left"
    if cell is None or not cell.text:
        body = f'<span lang="EN-US" style="{size}"><o:p>&nbsp;</o:p></span>'
    elif cell.role == rl.ROLE_VALUE:
        parts = _split_number(cell.path or "", cell.text)
        body = "".join(f'<span lang="EN-US" style="{size}">{_e(p)}</span>' for p in parts)
        body += f'<span lang="EN-US" style="{size}"><o:p></o:p></span>'
    else:
        font = "楷体" if cell.role == rl.ROLE_NOTE else "宋体"
        body = _word_runs(cell.text, size.replace("font-family:宋体", f"font-family:{font}"))
        body += f'<span lang="EN-US" style="{size}"><o:p></o:p></span>'
    return (
        f'<p class="MsoNormal" align="{align}" style="text-align:{align};'
        f'mso-pagination:widow-orphan;layout-grid-mode:char">{body}</p>'
    )


def _word_table(grid: rl.Grid, text_width_twips: int = 8844) -> str:
    occ = rl.occupancy(grid)
    total = sum(grid.widths)
    widths_pt = [w * text_width_twips / total / _TWIP_PT for w in grid.widths]
    table_pt = sum(widths_pt)
    out = [
        f'<table class="MsoNormalTable" border="0" cellspacing="0" cellpadding="0" '
        f'width="{round(table_pt * _PX_PER_PT)}" style="width:{table_pt:.1f}pt;margin-left:-5.4pt;'
        "border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt;"
        'mso-yfti-tbllook:1184;mso-padding-alt:0cm 5.4pt 0cm 5.4pt">',
        "<tbody>",
    ]
    nrows = len(grid.rows)
    for r, row in enumerate(grid.rows):
        attrs = f"mso-yfti-irow:{r};"
        if r == 0:
            attrs += "mso-yfti-firstrow:yes;"
        if r == nrows - 1:
            attrs += "mso-yfti-lastrow:yes;"
        out.append(f'<tr style="{attrs}height:19.85pt">')
        starts: dict[int, int] = {}  # index of an origin cell in this row -> its first grid column
        for c, o in enumerate(occ[r]):
            if o is not None and o[0] == r and o[1] not in starts:
                starts[o[1]] = c
        for i, cell in enumerate(row):
            c = starts[i]
            # Word writes the width of the cell's *first* grid column, not of the span: the
            # widths do not add up to the colspans, as in real pasted tables.
            w_pt = widths_pt[c]
            if r == 0 and c == 0:
                style = "border:solid windowtext 1.0pt"
            elif r == 0:
                style = "border:solid windowtext 1.0pt;border-left:none"
            elif c == 0:
                style = "border:solid windowtext 1.0pt;border-top:none"
            else:
                style = (
                    "border-top:none;border-left:none;border-bottom:solid windowtext 1.0pt;"
                    "border-right:solid windowtext 1.0pt"
                )
            style += ";mso-border-alt:solid windowtext .5pt"
            if cell.role == rl.ROLE_CAPTION:
                style += ";background:#C6D9F1;mso-shading:white;mso-pattern:solid #C6D9F1"
            if cell.role == rl.ROLE_GROUP and cell.rowspan > 4:
                style += ";layout-flow:vertical-ideographic"
            attrs = f' width="{round(w_pt * _PX_PER_PT)}"'
            if cell.colspan > 1:
                attrs += f' colspan="{cell.colspan}"'
            if cell.rowspan > 1:
                attrs += f' rowspan="{cell.rowspan}"'
            out.append(
                f'<td{attrs} valign="center" style="width:{w_pt:.1f}pt;{style};'
                f'padding:0cm 5.4pt 0cm 5.4pt;height:19.85pt">{_word_cell_inner(cell)}</td>'
            )
        out.append("</tr>")
    # Word's phantom row carrying the real column widths.
    out.append("<![if !supportMisalignedColumns]>")
    out.append('<tr height="0">')
    out.extend(f'<td width="{round(w * _PX_PER_PT)}" style="border:none"></td>' for w in widths_pt)
    out.append("</tr>")
    out.append("<![endif]>")
    out.append("</tbody></table>")
    return "\n".join(out)


def _word_content(truth: rl.Truth) -> str:
    grids = rl.grids(truth)
    out = [
        '<div class="content TRS_Editor"><div class="WordSection1" style="layout-grid:15.6pt">',
        _word_para(rl.title(truth), "方正小标宋简体", 22, align="center"),
        _word_para("", "仿宋_GB2312", 16, align="center"),
        _word_para(rl.intro(truth), "仿宋_GB2312", 16),
    ]
    for key, heading in rl.HEADINGS:
        out.append(_word_para(heading, "黑体", 16))
        if key in grids:
            out.append(_word_table(grids[key]))
            out.append(_word_para("", "仿宋_GB2312", 16, align="left"))
        else:
            out.extend(_word_para(t, "仿宋_GB2312", 16) for t in rl.narrative(truth, key))
    out.append(_word_para("", "仿宋_GB2312", 16, align="left"))
    out.append(_word_para(str(truth["report"]["agency"]), "仿宋_GB2312", 16, align="right"))
    pub = rl.published_date(truth)
    if pub is not None:
        out.append(_word_para(rl.chinese_date(pub), "仿宋_GB2312", 16, align="right"))
    out.append("</div></div>")
    return "\n".join(out)


# --------------------------------------------------------------------------------------------
# Page
# --------------------------------------------------------------------------------------------


def _meta_charset(style: str, encoding: str) -> str:
    if style == "word":
        return f'<meta http-equiv="Content-Type" content="text/html; charset={encoding}">'
    return f'<meta charset="{encoding}">'


def html_page(truth: dict[str, Any], style: str = "clean", encoding: str = "utf-8") -> str:
    """The full page as a string (not yet encoded)."""
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}; expected one of {STYLES}")
    site, _ = _site(truth)
    title = rl.title(truth)
    if style == "clean":
        html_open = '<html lang="zh-CN">'
        extra_head = ""
        css = _CSS + _CSS_CLEAN
        content = _clean_content(truth)
    else:
        html_open = (
            '<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:w="urn:schemas-microsoft-com:office:word" xmlns="http://www.w3.org/TR/REC-html40">'
        )
        extra_head = (
            '<meta name="ProgId" content="Word.Document">\n'
            '<meta name="Generator" content="Microsoft Word 15">\n'
            "<!--[if gte mso 9]><xml><w:WordDocument><w:View>Normal</w:View>"
            "<w:Zoom>0</w:Zoom><w:DocumentKind>DocumentNotSpecified</w:DocumentKind>"
            "</w:WordDocument></xml><![endif]-->\n"
        )
        css = _CSS + _CSS_WORD
        content = _word_content(truth)
    doctype = (
        "<!DOCTYPE html>"
        if style == "clean"
        else (
            '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
            '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">'
        )
    )
    return (
        f"{doctype}\n{html_open}\n<head>\n{_meta_charset(style, encoding)}\n"
        f"<title>{_e(title)}_{_e(site)}</title>\n{extra_head}<style>{css}</style>\n</head>\n<body>\n"
        f"{_chrome_top(truth)}{content}\n{_chrome_bottom(truth)}</body>\n</html>\n"
    )


def render_html(truth: dict[str, Any], out_path: Path, style: str = "clean", encoding: str = "utf-8") -> None:
    """Write the web-page rendering of ``truth`` to ``out_path`` in ``encoding``."""
    enc = encoding.lower()
    if enc not in ("utf-8", "gb18030", "gbk", "gb2312"):
        raise ValueError(f"unsupported encoding {encoding!r}")
    page = html_page(truth, style, enc)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    # gbk/gb2312 labels are written with the gb18030 codec, as browsers decode them (WHATWG).
    codec = "utf-8" if enc == "utf-8" else "gb18030"
    out_path.write_bytes(page.encode(codec))


if __name__ == "__main__":
    import json
    import sys

    if len(sys.argv) not in (3, 4, 5):
        sys.exit("usage: python -m samples.render_html TRUTH.json OUT.html [clean|word] [utf-8|gb18030]")
    render_html(
        json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")),
        Path(sys.argv[2]),
        sys.argv[3] if len(sys.argv) > 3 else "clean",
        sys.argv[4] if len(sys.argv) > 4 else "utf-8",
    )
