"""Word files: paragraphs and tables in document order, from the WordprocessingML of the package.

The main part (word/document.xml, or wherever the package's relationships point) is parsed with
lxml. Paragraphs become lines (a `w:br` breaks a line); deleted text of tracked changes and the
fallback copies of drawing objects are skipped. A table's cells are placed on its grid from the
markup itself: a row starts after its `w:gridBefore` columns, a cell holds `w:gridSpan` columns,
and a cell marked `w:vMerge` (without "restart") continues the cell above it, whose rowspan grows.
(python-docx would repeat a merged cell at every position it covers, so spans are computed here.)
A table that holds other tables frames the page and is read through.

Legacy Word files (.doc, RTF) are converted to .docx with LibreOffice first.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from lxml import etree

from ..document import Document, TableCell
from ..errors import InputTooLargeError, UnsupportedInputError
from ..ocr.options import OcrOptions
from .flow import Flow, clean_text
from .kinds import RTF_MAGIC, ZIP_ERRORS
from .pictures import Picture, paragraph_pictures, read_docx_pictures

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_OFFICE_DOCUMENT = "/officeDocument"

# Containers whose content is part of the flow (content controls, custom XML, smart tags).
_WRAPPERS = frozenset({f"{W}sdt", f"{W}sdtContent", f"{W}customXml", f"{W}smartTag", f"{W}ins", f"{W}moveTo"})
# Never the document's visible text.
_SKIP = frozenset({f"{W}del", f"{W}moveFrom", MC_FALLBACK, f"{W}pPr", f"{W}rPr", f"{W}sdtPr", f"{W}tcPr"})

SOFFICE_TIMEOUT_S = 180
MAX_PART_BYTES = 256_000_000  # a part that unpacks to more is refused (reports' are a few MB)
MAX_GRID = 1000  # columns a cell may span or skip (Word's tables have at most 63; HTML's cap is 1000)


def _read_part(z: zipfile.ZipFile, name: str) -> bytes:
    """A part of the package, refused when it unpacks to more than MAX_PART_BYTES (a zip bomb: a
    small file whose part claims gigabytes)."""
    info = z.getinfo(name)
    if info.file_size > MAX_PART_BYTES:
        raise InputTooLargeError(
            f"{z.filename}: the Word file's part {name} unpacks to {info.file_size / 1e6:.0f} MB, over the "
            f"limit of {MAX_PART_BYTES / 1e6:.0f} MB; check the file (a report is a few MB) or save it again"
        )
    return z.read(info)


def _main_part(z: zipfile.ZipFile) -> str:
    """The name of the main document part, from the package relationships."""
    try:
        rels = etree.fromstring(_read_part(z, "_rels/.rels"))
    except (KeyError, etree.XMLSyntaxError):
        return "word/document.xml"
    for rel in rels.iter(f"{_REL_NS}Relationship"):
        if (rel.get("Type") or "").endswith(_OFFICE_DOCUMENT):
            target = (rel.get("Target") or "").lstrip("/")
            return str(PurePosixPath(target))
    return "word/document.xml"


def _children(el: etree._Element) -> Iterator[etree._Element]:
    """Child elements in order, looking through content controls and other wrappers."""
    for child in el:
        if child.tag in _WRAPPERS:
            yield from _children(child)
        elif child.tag not in _SKIP and isinstance(child.tag, str):
            yield child


def _run_text(el: etree._Element) -> Iterator[str]:
    for child in el:
        tag = child.tag
        if tag in _SKIP or not isinstance(tag, str):
            continue
        if tag == f"{W}t":
            yield child.text or ""
        elif tag == f"{W}tab" or tag == f"{W}ptab":
            yield " "
        elif (tag == f"{W}br" and child.get(f"{W}type") in (None, "textWrapping")) or tag == f"{W}cr":
            yield "\n"  # a line break; page and column breaks are not
        elif tag == f"{W}noBreakHyphen":
            yield "-"
        elif tag == f"{W}tbl" or tag == f"{W}p":
            continue  # paragraphs of text boxes are not part of this paragraph's line
        else:
            yield from _run_text(child)


def paragraph_text(p: etree._Element) -> str:
    return "".join(_run_text(p))


def _has_table_inside(tbl: etree._Element) -> bool:
    return any(True for _ in tbl.iterdescendants(f"{W}tbl"))


def _int_val(el: etree._Element | None, default: int) -> int:
    """A grid count (gridSpan, gridBefore), at most MAX_GRID: a damaged file's 99999999 would
    otherwise place a cell on a hundred million columns."""
    if el is None:
        return default
    try:
        return min(max(int(el.get(f"{W}val") or default), 0), MAX_GRID)
    except ValueError:
        return default


def table_cells(tbl: etree._Element) -> list[TableCell]:
    """The table's cells on its grid, with spans from gridSpan and vMerge (and legacy hMerge)."""
    cells: list[TableCell] = []
    above: dict[int, TableCell] = {}  # grid column -> the cell holding it in the previous row
    rows = [tr for tr in _children(tbl) if tr.tag == f"{W}tr"]
    for r, tr in enumerate(rows):
        trpr = tr.find(f"{W}trPr")
        c = _int_val(trpr.find(f"{W}gridBefore") if trpr is not None else None, 0)
        here: dict[int, TableCell] = {}
        last: TableCell | None = None  # the previous cell of this row
        for tc in _children(tr):
            if tc.tag != f"{W}tc":
                continue
            pr = tc.find(f"{W}tcPr")
            span = max(_int_val(pr.find(f"{W}gridSpan") if pr is not None else None, 1), 1)
            vmerge = pr.find(f"{W}vMerge") if pr is not None else None
            hmerge = pr.find(f"{W}hMerge") if pr is not None else None
            text = clean_text("\n".join(paragraph_text(p) for p in _children(tc) if p.tag == f"{W}p"))
            up = above.get(c)
            if (
                vmerge is not None
                and vmerge.get(f"{W}val") != "restart"
                and up is not None
                and up.col == c
                and up.colspan == span
            ):
                up.rowspan += 1
                if text:
                    up.text = f"{up.text}\n{text}" if up.text else text
                cell = up
            elif hmerge is not None and hmerge.get(f"{W}val") != "restart" and last is not None:
                last.colspan += span
                if text:
                    last.text = f"{last.text}\n{text}" if last.text else text
                cell = last
            else:
                cell = TableCell(row=r, col=c, text=text, rowspan=1, colspan=span)
                cells.append(cell)
            for cc in range(c, c + span):
                here[cc] = cell
            last = cell
            c += span
        above = here
    return cells


def _read_blocks(container: etree._Element, flow: Flow) -> None:
    for el in _children(container):
        if el.tag == f"{W}p":
            flow.add_text(paragraph_text(el))
            for ref, width in paragraph_pictures(el):
                flow.add_picture(ref, width)
        elif el.tag == f"{W}tbl":
            if _has_table_inside(el):
                # A frame around other tables: read its cells' content in order.
                for tr in _children(el):
                    for tc in _children(tr):
                        if tc.tag == f"{W}tc":
                            _read_blocks(tc, flow)
            else:
                flow.add_table(table_cells(el))


def read_docx(path: Path, shown_as: Path | None = None, ocr: OcrOptions | None = None) -> Document:
    """A Document from a .docx file (`shown_as`: the name to report, for a converted .doc); the
    pictures of tables it holds are read by OCR (`pictures.py`)."""
    try:
        with zipfile.ZipFile(path) as z:
            part = _main_part(z)
            xml = _read_part(z, part)
    except InputTooLargeError:
        raise
    except ZIP_ERRORS as e:
        raise UnsupportedInputError(
            f"{path}: the Word file is damaged, it cannot be unpacked ({type(e).__name__}: {e}); "
            "fetch it again"
        ) from e
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as e:
        raise UnsupportedInputError(f"{path}: the Word file is damaged ({e}); fetch it again") from e
    body = root.find(f"{W}body")
    if body is None:
        raise UnsupportedInputError(f"{path}: the Word file has no body; fetch it again")
    flow = Flow(path=shown_as or path, kind="docx")
    _read_blocks(body, flow)
    doc = flow.document()
    if flow.pictures:
        with zipfile.ZipFile(path) as z:
            pictures = [Picture(y, ref, width) for y, ref, width in flow.pictures]
            read_docx_pictures(doc, z, part, pictures, ocr)
    return doc


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def read_doc(path: Path, ocr: OcrOptions | None = None) -> Document:
    """A legacy Word file (.doc, .wps, RTF), converted to .docx by LibreOffice, then read."""
    binary = soffice()
    if binary is None:
        raise UnsupportedInputError(
            f"{path}: a legacy Word file (.doc); reading it needs LibreOffice: install it "
            "(apt-get install libreoffice-writer) or save the file as .docx"
        )
    with tempfile.TemporaryDirectory(prefix="extractor-doc-") as tmp:
        out = Path(tmp) / "out"
        with path.open("rb") as f:
            rtf = f.read(16).lstrip().startswith(RTF_MAGIC)
        # A plain name, with the suffix of what the file is: LibreOffice picks its filter by it and
        # names its output after it.
        source = Path(tmp) / ("in.rtf" if rtf else "in.doc")
        shutil.copyfile(path, source)
        cmd = [
            binary,
            f"-env:UserInstallation=file://{Path(tmp) / 'profile'}",  # its own profile: no clash
            "--headless",
            "--convert-to",
            "docx",
            "--outdir",
            str(out),
            str(source),
        ]
        try:
            subprocess.run(
                cmd,
                check=True,
                capture_output=True,
                timeout=SOFFICE_TIMEOUT_S,
                env={**os.environ, "HOME": tmp},
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as e:
            raise UnsupportedInputError(
                f"{path}: LibreOffice could not convert the Word file ({e}); open it in Word or WPS "
                "and save it as .docx"
            ) from e
        converted = out / f"{source.stem}.docx"
        if not converted.is_file():
            raise UnsupportedInputError(
                f"{path}: LibreOffice could not convert the Word file; open it in Word or WPS and "
                "save it as .docx"
            )
        doc = read_docx(converted, shown_as=path, ocr=ocr)
    doc.warnings.append("a legacy Word file (.doc or RTF): read after conversion to .docx by LibreOffice")
    return doc
