"""Web pages: the report's text blocks and tables, in document order, from the HTML.

The page is decoded as a browser would (byte-order mark, then the declared charset, then strict
UTF-8, then GB18030, which covers GBK and GB2312) and parsed with lxml's HTML parser, which
tolerates what content systems and Word write. Text blocks (p, div, h1–h6, li, cells of layout
tables …) become lines; `<br>` breaks a line. Site chrome is skipped (patterns/html.toml).

Tables: the innermost tables hold the data, a table that only wraps other tables is layout and is
read through. A data table's cells are placed on the grid by the HTML table algorithm: each cell
takes the first free column of its row, after the columns held by rowspans from above, and holds
rowspan × colspan positions. Widths are ignored (Word writes widths that do not match the spans).
A cell's text keeps its line breaks (`<br>`, paragraphs); `&nbsp;` is a space, so a cell with
only `&nbsp;` is blank.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import regex
from lxml import etree

from .. import patterns
from ..document import Document, TableCell
from ..errors import UnsupportedInputError
from ..ocr.options import OcrOptions
from ..text import squash
from ..vocabulary import mentions_tables
from .flow import Flow, clean_text

# Tags whose content is never the report's text.
_SKIP_TAGS = frozenset(
    {
        "head", "title", "script", "style", "noscript", "template", "form", "button", "select",
        "input", "textarea", "option", "iframe", "frame", "frameset", "object", "embed", "applet",
        "svg", "math", "canvas", "map", "audio", "video", "img",
    }
)  # fmt: skip
# Tags that start and end a block of text.
_BLOCK_TAGS = frozenset(
    {
        "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
        "blockquote", "pre", "section", "article", "main", "center", "address", "figure",
        "figcaption", "caption", "tr", "td", "th", "thead", "tbody", "tfoot", "table", "hr", "body",
        "html", "header", "footer", "aside", "nav", "fieldset", "legend", "details", "summary",
    }
)  # fmt: skip
_CELL_TAGS = frozenset({"td", "th"})
_ROW_GROUPS = frozenset({"thead", "tbody", "tfoot"})
_MAX_SPAN = 1000  # browsers cap colspan at 1000 and rowspan at 65534; a table never needs more

_WS = regex.compile(r"[ \t\r\n\f]+")  # HTML's whitespace: collapsed to one space
_HIDDEN = regex.compile(r"display\s*:\s*none|mso-hide\s*:\s*all|visibility\s*:\s*hidden", regex.I)
_CHARSET = regex.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", regex.I)
_XML_DECL = regex.compile(r"""^\s*<\?xml[^>]*\?>""")
_XML_ENCODING = regex.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:\-]+)""", regex.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# Labels browsers decode with GB18030 (WHATWG: gbk, gb2312 and their aliases are the same codec).
_GB_LABELS = frozenset({"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "chinese", "csgb2312", "gb_2312-80"})
_SINGLE_BYTE = frozenset({"ascii", "latin-1", "iso8859-1", "cp1252"})


# ------------------------------------------------------------------------------------------
# Decoding
# ------------------------------------------------------------------------------------------


def _declared(data: bytes) -> str | None:
    """The codec named by the page (meta charset or XML declaration), if Python knows it."""
    head = data[:4096]
    m = _CHARSET.search(head) or _XML_ENCODING.search(head)
    if m is None:
        return None
    label = m.group(1).decode("ascii").lower()
    if label in _GB_LABELS:
        return "gb18030"
    try:
        info = codecs.lookup(label)
    except LookupError:
        return None
    # Python also names transforms (base64, rot13, zlib) and a codec that always fails (undefined):
    # no page is in those, and decoding with them raises.
    if not getattr(info, "_is_text_encoding", True) or info.name == "undefined":
        return None
    if info.name.startswith(("utf-16", "utf-32")):
        return "utf-8"  # as browsers do (WHATWG): bytes that parse as markup are not UTF-16
    return info.name


def decode_html(data: bytes) -> str:
    """The page's text: BOM, then the declared charset, then strict UTF-8, then GB18030."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, errors="replace")
    declared = _declared(data)
    tries: list[str] = []
    if declared is not None and not (declared in _SINGLE_BYTE and not data.isascii()):
        tries.append(declared)  # a single-byte label on non-ASCII bytes is usually wrong
    tries += ["utf-8", "gb18030"]
    for codec in tries:
        try:
            return data.decode(codec)
        except UnicodeDecodeError as e:
            if codec == "utf-8" and e.start >= len(data) - 3:
                return data.decode(codec, errors="replace")  # UTF-8 cut short inside its last character
        except UnicodeError:  # a declared codec that fails otherwise (unicode_escape on a stray "\")
            continue
    try:
        return data.decode(declared or "gb18030", errors="replace")
    except UnicodeError:
        return data.decode("gb18030", errors="replace")


# ------------------------------------------------------------------------------------------
# Chrome
# ------------------------------------------------------------------------------------------


@cache
def _chrome() -> tuple[frozenset[str], frozenset[str], regex.Pattern[str], list[regex.Pattern[str]]]:
    data = patterns.load("html")
    return (
        frozenset(w.lower() for w in data["chrome_classes"]),
        frozenset(data["chrome_tags"]),
        regex.compile(data["report_title"]),
        [regex.compile(rf"^(?:{p})$") for p in data["chrome_lines"]],
    )


def is_chrome_line(text: str) -> bool:
    s = squash(text)
    return any(p.match(s) for p in _chrome()[3])


_WORDS = regex.compile(r"[\s_\-]+")


def _tag(el: etree._Element) -> str | None:
    tag = el.tag
    if not isinstance(tag, str):
        return None  # a comment or processing instruction
    return tag.rsplit("}", 1)[-1].lower()


def _text_outside_links(el: etree._Element) -> str:
    out: list[str] = []

    def visit(e: etree._Element) -> None:
        if _tag(e) != "a":
            out.append(e.text or "")
            for child in e:
                visit(child)
        out.append(e.tail or "")

    visit(el)
    out.pop()  # el's own tail is not inside it
    return "".join(out)


def _all_text(el: etree._Element) -> str:
    return "".join(s for s in el.itertext() if isinstance(s, str))


def _is_chrome(el: etree._Element, tag: str) -> bool:
    classes, tags, title, _ = _chrome()
    if tag in tags:
        if tag == "header" and any(_tag(a) in ("article", "main") for a in el.iterancestors()):
            return False
        chrome = True
    else:
        words = _WORDS.split(f"{el.get('class') or ''} {el.get('id') or ''}".lower())
        chrome = any(w in classes for w in words if w)
    if not chrome:
        return False
    # Kept all the same when it holds the report: one of its tables, or its title outside links.
    if any(mentions_tables(_all_text(t)) for t in el.iter("table")):
        return False
    return not title.search(squash(_text_outside_links(el)))


def _hidden(el: etree._Element) -> bool:
    style = el.get("style")
    return el.get("hidden") is not None or (style is not None and bool(_HIDDEN.search(style)))


# ------------------------------------------------------------------------------------------
# Tables
# ------------------------------------------------------------------------------------------


def _span(el: etree._Element, name: str) -> int:
    """A rowspan/colspan attribute as browsers read it: leading digits, 1 when absent or bad."""
    m = regex.match(r"\s*(\d+)", el.get(name) or "")
    if m is None:
        return 1
    return min(int(m.group(1)), _MAX_SPAN)


def _row_groups(table: etree._Element) -> list[list[etree._Element]]:
    """The table's own rows (not those of nested tables), by row group, in document order."""
    groups: list[list[etree._Element]] = []
    loose: list[etree._Element] = []
    for child in table:
        tag = _tag(child)
        if tag == "tr":
            loose.append(child)
        elif tag in _ROW_GROUPS:
            if loose:
                groups.append(loose)
                loose = []
            groups.append([tr for tr in child if _tag(tr) == "tr"])
    if loose:
        groups.append(loose)
    return groups


def place_cells(groups: list[list[list[tuple[str, int, int]]]]) -> list[TableCell]:
    """Cells on the table grid (the HTML table algorithm): `groups` are row groups of rows of
    (text, rowspan, colspan). A cell takes the first column of its row not held by a rowspan from
    above; rowspan 0 or past the group's end stops at the group's end; a colspan that runs into a
    column held from above is cut there."""
    cells: list[TableCell] = []
    taken: set[tuple[int, int]] = set()
    r0 = 0
    for rows in groups:
        end = r0 + len(rows)
        for i, row in enumerate(rows):
            r = r0 + i
            c = 0
            for text, rowspan, colspan in row:
                while (r, c) in taken:
                    c += 1
                rs = end - r if rowspan == 0 else min(rowspan, end - r)
                cs = 1
                while cs < max(colspan, 1) and (r, c + cs) not in taken:
                    cs += 1
                for rr in range(r, r + rs):
                    for cc in range(c, c + cs):
                        taken.add((rr, cc))
                cells.append(TableCell(row=r, col=c, text=text, rowspan=rs, colspan=cs))
                c += cs
        r0 = end
    return cells


# ------------------------------------------------------------------------------------------
# The walk
# ------------------------------------------------------------------------------------------


class _Reader:
    def __init__(self, flow: Flow) -> None:
        self.flow = flow
        self.buf: list[str] = []

    def flush(self) -> None:
        if self.buf:
            self.flow.add_text("".join(self.buf))
            self.buf = []

    def _skip(self, el: etree._Element, tag: str) -> bool:
        return tag in _SKIP_TAGS or _hidden(el) or _is_chrome(el, tag)

    def walk(self, el: etree._Element) -> None:
        tag = _tag(el)
        if tag == "img" and not _hidden(el) and el.get("src"):
            self.flush()
            # pictures.py reads it when it is beside the page; its width is in CSS pixels (96 an inch)
            m = regex.match(r"\s*(\d+)\s*(?:px)?\s*$", el.get("width") or "")
            width = int(m[1]) / 96 if m and int(m[1]) else None
            self.flow.add_picture(el.get("src") or "", width)
            return
        if tag is None or self._skip(el, tag):
            return
        if tag == "br":
            self.buf.append("\n")
            return
        if tag == "table" and not _has_table_inside(el):
            self.flush()
            self.table(el)
            return
        block = tag in _BLOCK_TAGS
        if block:
            self.flush()
        if el.text:
            self.buf.append(_WS.sub(" ", el.text))
        for child in el:
            self.walk(child)
            if child.tail:
                self.buf.append(_WS.sub(" ", child.tail))
        if block:
            self.flush()

    def table(self, el: etree._Element) -> None:
        for child in el:
            if _tag(child) == "caption":
                self.walk(child)
        groups = [[_row(tr) for tr in group] for group in _row_groups(el)]
        self.flow.add_table(place_cells(groups))

    def read(self, root: etree._Element) -> None:
        self.walk(root)
        self.flush()


def _row(tr: etree._Element) -> list[tuple[str, int, int]]:
    """A row's cells as (text, rowspan, colspan)."""
    cells = [td for td in tr if _tag(td) in _CELL_TAGS and not _hidden(td)]
    return [(cell_text(td), _span(td, "rowspan"), _span(td, "colspan")) for td in cells]


def cell_text(td: etree._Element) -> str:
    """A cell's text: line breaks at `<br>` and around blocks, blank when only spaces."""
    return clean_text("".join(_text(td)))


def _text(el: etree._Element) -> Iterator[str]:
    if el.text:
        yield _WS.sub(" ", el.text)
    for child in el:
        tag = _tag(child)
        if tag == "br":
            yield "\n"
        elif tag is not None and tag not in _SKIP_TAGS and not _hidden(child):  # no chrome in a cell
            block = tag in _BLOCK_TAGS
            if block:
                yield "\n"
            yield from _text(child)
            if block:
                yield "\n"
        if child.tail:
            yield _WS.sub(" ", child.tail)


def _has_table_inside(el: etree._Element) -> bool:
    return any(True for _ in el.iterdescendants("table"))


def read_html(path: Path, ocr: OcrOptions | None = None) -> Document:
    data = path.read_bytes()
    text = _XML_DECL.sub("", decode_html(data), count=1)
    if not text.strip():
        raise UnsupportedInputError(f"{path}: the web page is empty; fetch it again")
    parser = etree.HTMLParser(remove_pis=True, no_network=True, recover=True)
    root = etree.fromstring(text, parser)
    if root is None:
        raise UnsupportedInputError(f"{path}: no HTML could be read from the file; fetch it again")
    flow = Flow(path=path, kind="html", is_chrome=is_chrome_line)
    reader = _Reader(flow)
    reader.read(root)
    doc = flow.document()
    if flow.pictures:
        from .pictures import Picture, read_html_pictures

        read_html_pictures(doc, [Picture(y, ref, width) for y, ref, width in flow.pictures], ocr)
    return doc
