"""Pictures of tables in Word files and web pages: read by the OCR path, placed where they stand.

A report pasted into Word often carries its tables as pictures (a screenshot of a spreadsheet, a
scanned form). The flow (`flow.py`) keeps a picture's place: it takes one value of the running
counter, and what the picture holds is placed between that value and the next, so its table
lies in the section whose heading came before it, as a table of cells would. A picture is read
like a scan (`extractor.ocr.page`): ruling lines from the pixels, each cell by our OCR; a picture
without a ruled table (a logo, a photo, a seal) adds nothing.

Word files: the pictures the body references (DrawingML `a:blip`, VML `v:imagedata`), in document
order, from the package's media; a picture's resolution comes from its size on the page (`wp:extent`)
when the file does not state one. Web pages: an `<img>` whose file is beside the page (a page saved
with its files); a picture that is not there, in a section that holds a table, is named in a warning.
"""

from __future__ import annotations

import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from lxml import etree

from ..document import Document, Line, Page, Table
from ..errors import DependencyMissingError
from ..ocr.options import OcrOptions
from ..vocabulary import heading_key

# The sections whose content is a table: a missing picture there may be the table.
TABLE_SECTIONS = ("proactive", "requests", "review_litigation")
# Formats the OCR path reads (EMF/WMF drawings are vector pictures: not read).
READABLE = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp")
EMU_PER_INCH = 914400

A_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
V_IMAGEDATA = "{urn:schemas-microsoft-com:vml}imagedata"
WP_EXTENT = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}extent"
W_DRAWING = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}drawing"
R_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass
class Picture:
    """A picture's place in the flow, what names it (a part of the package, a `src`), and its
    width on the page in inches when the source says."""

    y: float
    ref: str
    width_in: float | None = None


# --- Word files -------------------------------------------------------------------------------------


def paragraph_pictures(p: etree._Element) -> list[tuple[str, float | None]]:
    """The relationship ids of the pictures a paragraph shows, with their widths in inches."""
    out: list[tuple[str, float | None]] = []
    for el in p.iter(A_BLIP, V_IMAGEDATA):
        if any(a.tag == MC_FALLBACK for a in el.iterancestors()):
            continue  # the fallback copy of a drawing shown through its alternate content
        rid = el.get(f"{R_NS}embed") or el.get(f"{R_NS}id")
        if not rid:
            continue
        width: float | None = None
        drawing = next((a for a in el.iterancestors(W_DRAWING)), None)
        extent = drawing.find(f".//{WP_EXTENT}") if drawing is not None else None
        if extent is not None and (extent.get("cx") or "").isdigit():
            width = int(extent.get("cx") or 0) / EMU_PER_INCH
        out.append((rid, width))
    return out


def part_rels(z: zipfile.ZipFile, part: str) -> dict[str, str]:
    """A part's relationships: id → the target's name in the package."""
    p = PurePosixPath(part)
    rels = p.parent / "_rels" / f"{p.name}.rels"
    try:
        root = etree.fromstring(z.read(str(rels)))
    except (KeyError, etree.XMLSyntaxError):
        return {}
    out: dict[str, str] = {}
    for rel in root.iter(f"{_REL_NS}Relationship"):
        target = rel.get("Target") or ""
        if rel.get("TargetMode") == "External" or not target:
            continue
        name = target.lstrip("/") if target.startswith("/") else str(p.parent / target)
        out[rel.get("Id") or ""] = _normal(name)
    return out


def _normal(name: str) -> str:
    parts: list[str] = []
    for piece in name.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece and piece != ".":
            parts.append(piece)
    return "/".join(parts)


def read_docx_pictures(
    doc: Document, z: zipfile.ZipFile, part: str, pictures: list[Picture], options: OcrOptions | None
) -> None:
    """The Word file's pictures through the OCR path, placed in `doc`."""
    if not pictures:
        return
    rels = part_rels(z, part)
    with tempfile.TemporaryDirectory(prefix="extractor-pictures-") as tmp:
        files: list[tuple[Picture, Path]] = []
        for i, pic in enumerate(pictures):
            name = rels.get(pic.ref)
            if name is None or not name.lower().endswith(READABLE):
                continue
            try:
                data = z.read(name)
            except KeyError:
                doc.warnings.append(f"the picture {name} is missing from the Word file")
                continue
            target = Path(tmp) / f"{i:03d}{PurePosixPath(name).suffix.lower()}"
            target.write_bytes(data)
            files.append((Picture(pic.y, name, pic.width_in), target))
        _read_and_place(doc, files, options)


# --- web pages --------------------------------------------------------------------------------------


def beside(page: Path, src: str) -> Path | None:
    """The file an `<img src>` names beside the page, when it is a relative path that exists."""
    parts = urlsplit(src.strip())
    if parts.scheme or parts.netloc or not parts.path:
        return None
    candidate = (page.parent / unquote(parts.path)).resolve()
    return candidate if candidate.is_file() else None


def read_html_pictures(doc: Document, pictures: list[Picture], options: OcrOptions | None) -> None:
    """The web page's pictures that are beside it through the OCR path; a warning for each one
    that is not there but stands in a section that holds a table."""
    files: list[tuple[Picture, Path]] = []
    for pic in pictures:
        found = beside(doc.path, pic.ref)
        if found is not None and found.suffix.lower() in READABLE:
            files.append((pic, found))
        elif found is None and section_at(doc, pic.y) in TABLE_SECTIONS:
            doc.warnings.append(
                f"the picture {pic.ref!r} in section {section_at(doc, pic.y)} is not beside the page: "
                "if it holds the section's table, save the page with its files and read it again"
            )
    _read_and_place(doc, files, options)


def section_at(doc: Document, y: float) -> str | None:
    """The key of the last section heading before position `y` of a one-page flow."""
    key = None
    for line in doc.pages[0].lines:
        if line.y > y:
            break
        key = heading_key(line.text) or key
    return key


# --- reading and placing ----------------------------------------------------------------------------


def _read_and_place(doc: Document, files: list[tuple[Picture, Path]], options: OcrOptions | None) -> None:
    if not files:
        return
    from ..ocr.page import PageJob
    from .scanned import LANGS, run_pages

    read: list[str] = []
    for pic, path in files:  # one job at a time: the runner keys results by page number
        dpi = _dpi(path, pic.width_in)
        job = PageJob(str(path), 1, "image", dpi=dpi, tables_only=True)
        try:
            results, warnings, name = run_pages([job], options or OcrOptions())
        except DependencyMissingError as e:
            doc.warnings.append(f"pictures that may hold tables were not read: {e}")
            return
        doc.warnings.extend(warnings)
        result = results.get(1)
        if result is None or not result.page.tables:
            continue
        place_picture(doc.pages[0], result.page, pic.y)
        doc.warnings.extend(n.replace("page 1: ", f"picture {pic.ref}: ") for n in result.notes)
        doc.ocr = doc.ocr or f"{name} ({LANGS})"
        read.append(pic.ref)
    if read:
        doc.warnings.append(f"tables read by OCR from pictures: {', '.join(read)}")


def _dpi(path: Path, width_in: float | None) -> float | None:
    """The picture's resolution from its width on the page (the file's own, if stated, wins)."""
    if not width_in:
        return None
    from PIL import Image

    with Image.open(path) as im:
        return im.width / width_in


def place_picture(page: Page, picture: Page, y: float) -> None:
    """What a picture read by OCR holds, between flow position `y` and the next: its tables with
    their rows in order and its text lines, by their height in the picture. Positions in the
    picture are no positions in the document: boxes are dropped."""
    height = max(
        [t.bbox[3] for t in picture.tables if t.bbox is not None]
        + [ln.bbox[3] for ln in picture.lines if ln.bbox is not None]
        + [1.0]
    )

    def at(v: float) -> float:
        return y + 0.9 * min(max(v, 0.0), height) / (height * 1.001)

    for table in picture.tables:
        t = Table(
            page=page.number,
            n_rows=table.n_rows,
            n_cols=table.n_cols,
            cells=table.cells,
            row_y=[at(v) for v in table.row_y],
        )
        for cell in t.cells:
            cell.bbox = cell.source_bbox = None
        page.tables.append(t)
    for line in picture.lines:
        page.lines.append(Line(text=line.text, page=page.number, y=at(line.y), confidence=line.confidence))
    page.lines.sort(key=lambda ln: ln.y)
    page.tables.sort(key=lambda t: t.row_y[0] if t.row_y else 0.0)
