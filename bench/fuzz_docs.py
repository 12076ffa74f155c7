"""Fuzz whole documents through the public API: damaged copies of every kind of input the extractor
reads, each through `extractor.extract` in a child process with a time limit, until the time is up.

    python bench/fuzz_docs.py [--minutes 10] [--seed 1] [--jobs 1] [--timeout 90] [--engine fake]

Seeds: the samples' text PDFs, scanned, photographed and mixed PDFs (samples/scans), a searchable
scan (page images with an invisible text layer, made here from a sample scan and its source), web
pages in UTF-8 and GB18030, Word files, text and Markdown (samples/render_text.py), and page images
as PNG, JPEG and multi-page TIFF (rendered here from a sample scan). Each input is one seed with
one to three mutations: of bytes (flipped, cut, repeated, overwritten, inserted, the file cut
short), of structure (PDF objects, streams, numbers and the xref; a Word file's zip entries, their
compressed bytes and the XML inside; a web page's tags, spans and charset; an image's chunks and
header fields), and of size. Each kind gets about the same time (`ROUND_S` a round): a web page
takes a tenth of a second, a scan several, so fast kinds get many more inputs.

Every outcome must be a Report or one of the extractor's own errors (`ExtractorError`). Anything
else is a finding: another exception, a child that dies, or an input that takes longer than
`--timeout` seconds. Findings are saved under bench/out/fuzz_docs/ (the input and its traceback in
`<kind>-<n>.traceback.txt`, a few of each kind); the inputs tried per kind and their outcomes go
to bench/results/fuzz_docs.json.

OCR: `--engine fake` (the default) answers every image at once with plausible words and digits, so
that scans exercise rendering, image decoding and OpenCV at the rate of the other kinds;
`--engine tesseract` runs the real one (slow: a few inputs a minute).
"""

from __future__ import annotations

import argparse
import io
import json
import random
import re
import shutil
import sys
import tempfile
import time
import traceback
import warnings
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractor import Settings, extract  # noqa: E402
from extractor.errors import ExtractorError  # noqa: E402
from extractor.ocr.engine import Image, Request  # noqa: E402
from extractor.ocr.options import OcrOptions, Tesseract  # noqa: E402
from extractor.workers import Pool  # noqa: E402

SAMPLES = ROOT / "samples" / "reports"
SCANS = ROOT / "samples" / "scans"
OUT = ROOT / "bench" / "out" / "fuzz_docs"
RESULTS = ROOT / "bench" / "results" / "fuzz_docs.json"
ROUND_S = 5.0  # seconds of each kind a round: fast kinds get many inputs, scans a few
KEEP_PER_FINDING = 3  # inputs saved for each distinct finding (exception and place)
MEMORY_MB = 3072  # a child's address space: more for one small damaged file is a finding


# --- a fast OCR engine ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Fake:
    """Builds `FakeEngine` in the child."""

    def __call__(self) -> FakeEngine:
        return FakeEngine()


class FakeEngine:
    """Reads every image at once as tesseract's TSV: digits for number requests, template words for
    the others, chosen by the image's size (the same image reads the same)."""

    name = "fake"
    WORDS = ("总计", "本年新增", "予以公开", "商业企业", "维持", "纠正", "其他", "二、主动公开政府信息情况")

    def read(self, image: Image, request: Request) -> str:
        h, w = image.shape[:2]
        rng = random.Random(h * 7919 + w)
        if request.lang == "eng":
            text = str(rng.randrange(0, 10 ** rng.randint(1, 5)))
        else:
            text = rng.choice(self.WORDS)
        return f"5\t1\t1\t1\t1\t1\t0\t0\t{max(w - 1, 1)}\t{max(h - 1, 1)}\t{rng.randint(30, 99)}\t{text}"


# --- seeds ---------------------------------------------------------------------------------------


def _pdf_pages(src: Path, pages: list[int], dst: Path) -> Path:
    import pypdfium2 as pdfium

    out = pdfium.PdfDocument.new()
    pdf = pdfium.PdfDocument(str(src))
    out.import_pages(pdf, [p - 1 for p in pages])
    out.save(str(dst))
    out.close()
    pdf.close()
    return dst


def _rendered(src: Path, page: int, dpi: int) -> Any:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(src))
    try:
        return pdf[page - 1].render(scale=dpi / 72).to_pil().convert("RGB")
    finally:
        pdf.close()


def _searchable_scan(scan: Path, text_pdf: Path, pages: list[int], dst: Path) -> Path:
    """Page images of a scan with the source's text drawn invisibly over them (render mode 3), as a
    scanner's OCR software writes a searchable PDF."""
    import pypdfium2 as pdfium
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    source = pdfium.PdfDocument(str(text_pdf))
    c = canvas.Canvas(str(dst), pagesize=(595, 842))
    for number in pages:
        c.drawImage(ImageReader(_rendered(scan, number, 100)), 0, 0, 595, 842)
        text = c.beginText(40, 800)
        text.setTextRenderMode(3)
        text.setFont("STSong-Light", 10)
        page = source[number - 1]
        textpage = page.get_textpage()
        for line in textpage.get_text_range().splitlines():
            text.textLine(line)
        textpage.close()
        page.close()
        c.drawText(text)
        c.showPage()
    c.save()
    source.close()
    return dst


def make_seeds(folder: Path) -> dict[str, list[Path]]:
    """Seed files by kind (the kinds counted in the results)."""
    from samples.render_text import STYLES
    from samples.truth import make_truth

    folder.mkdir(parents=True, exist_ok=True)
    scan = SCANS / "s01_gov_2021_split4_scan.pdf"
    text_pdfs = sorted(SAMPLES.glob("*.pdf"))
    seeds: dict[str, list[Path]] = {
        "text-pdf": text_pdfs,
        "scanned-pdf": [
            _pdf_pages(scan, [2, 3], folder / "scan_2pages.pdf"),
            _pdf_pages(SCANS / "s02_bureau_2019_blanks_photo.pdf", [3], folder / "photo_1page.pdf"),
            scan,
        ],
        "mixed-pdf": [
            _pdf_pages(SCANS / "s07_gov_2021_wrongtotal_mixed.pdf", [1, 2, 3], folder / "mixed_3pages.pdf")
        ],
        "searchable-scan": [
            _searchable_scan(scan, SAMPLES / "s01_gov_2021_split4.pdf", [2, 3], folder / "searchable.pdf")
        ],
        "html-utf8": sorted(p for p in SAMPLES.glob("*.html") if "gb18030" not in p.name),
        "html-gbk": sorted(SAMPLES.glob("*gb18030*.html")),
        "docx": sorted(SAMPLES.glob("*.docx")),
        "text": [],
        "markdown": [],
        "png": [],
        "jpeg": [],
        "tiff": [],
    }
    for n, template in enumerate(("2019", "2021", "hybrid")):
        truth = make_truth(n + 11, template)  # type: ignore[arg-type]
        for style in ("flat", "spaced"):
            path = folder / f"{template}_{style}.txt"
            encoding = "gb18030" if style == "spaced" and n == 1 else "utf-8"
            path.write_bytes(STYLES[style](truth).encode(encoding))
            seeds["text"].append(path)
        path = folder / f"{template}.md"
        path.write_text(STYLES["markdown"](truth), encoding="utf-8")
        seeds["markdown"].append(path)
    page = _rendered(scan, 3, 120)
    page.save(folder / "page.png")
    page.save(folder / "page.jpg", quality=60)
    page.convert("L").save(
        folder / "pages.tif", save_all=True, append_images=[_rendered(scan, 2, 100).convert("L")]
    )
    seeds["png"].append(folder / "page.png")
    seeds["jpeg"].append(folder / "page.jpg")
    seeds["tiff"].append(folder / "pages.tif")
    return seeds


# --- mutations -----------------------------------------------------------------------------------

Mutation = Callable[[random.Random, bytes], bytes]


def _span(rng: random.Random, data: bytes, most: int = 4096) -> tuple[int, int]:
    start = rng.randrange(len(data) or 1)
    return start, min(len(data), start + rng.randint(1, most))


def flip(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 16)):
        if out:
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def cut(rng: random.Random, data: bytes) -> bytes:
    a, b = _span(rng, data)
    return data[:a] + data[b:]


def repeat(rng: random.Random, data: bytes) -> bytes:
    a, b = _span(rng, data)
    return data[:b] + data[a:b] * rng.randint(1, 4) + data[b:]


def overwrite(rng: random.Random, data: bytes) -> bytes:
    a, b = _span(rng, data, 512)
    fill = rng.choice([b"\x00", b"\xff", b" ", bytes([rng.randrange(256)])])
    return data[:a] + fill * (b - a) + data[b:]


def insert(rng: random.Random, data: bytes) -> bytes:
    a = rng.randrange(len(data) + 1)
    return data[:a] + rng.randbytes(rng.randint(1, 256)) + data[a:]


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(len(data) or 1)]


def swap(rng: random.Random, data: bytes) -> bytes:
    a, b = sorted(_span(rng, data, 2048))
    c, d = sorted(_span(rng, data, 2048))
    if b <= c:
        return data[:a] + data[c:d] + data[b:c] + data[a:b] + data[d:]
    return data


def grow(rng: random.Random, data: bytes) -> bytes:
    """The whole file several times over (a size mutation: a compilation, a PDF updated in place)."""
    return data * rng.randint(2, 12)


BYTES: list[Mutation] = [flip, cut, repeat, overwrite, insert, truncate, swap, grow]

_NUMBER = re.compile(rb"-?\d+(?:\.\d+)?")
_PDF_OBJ = re.compile(rb"\d+ \d+ obj\b.*?endobj", re.S)
_PDF_NAME = re.compile(rb"/[A-Za-z]+")
_PDF_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.S)
_PDF_KEYS = [
    b"/" + name
    for name in b"Type Page Pages Kids Count MediaBox Contents Length Filter FlateDecode DCTDecode Font "
    b"Resources XObject Root Size Prev Width Height BitsPerComponent ToUnicode Rotate".split()
]
_ODD_NUMBERS = [b"0", b"-1", b"4294967296", b"99999999", b"1e308", b"3.4e38", b"-0", b"2147483647", b"nan"]


def _sub_one(
    rng: random.Random, pattern: re.Pattern[bytes], data: bytes, new: Callable[[bytes], bytes]
) -> bytes:
    found = list(pattern.finditer(data))
    if not found:
        return data
    m = rng.choice(found)
    return data[: m.start()] + new(m.group(0)) + data[m.end() :]


def pdf_number(rng: random.Random, data: bytes) -> bytes:
    """A number in the file (an offset of the xref, a /Length, a /Count, a box) made odd."""
    return _sub_one(
        rng, _NUMBER, data, lambda _: rng.choice([*_ODD_NUMBERS, str(rng.randint(0, 10**6)).encode()])
    )


def pdf_object(rng: random.Random, data: bytes) -> bytes:
    """An object deleted, repeated, or its number changed."""
    found = list(_PDF_OBJ.finditer(data))
    if not found:
        return data
    m = rng.choice(found)
    what = rng.randrange(3)
    if what == 0:
        return data[: m.start()] + data[m.end() :]
    if what == 1:
        return data[: m.end()] + b"\n" + m.group(0) + data[m.end() :]
    renumbered = re.sub(rb"^\d+", str(rng.randint(1, 60)).encode(), m.group(0), count=1)
    return data[: m.start()] + renumbered + data[m.end() :]


def pdf_name(rng: random.Random, data: bytes) -> bytes:
    return _sub_one(rng, _PDF_NAME, data, lambda _: rng.choice(_PDF_KEYS))


def pdf_stream(rng: random.Random, data: bytes) -> bytes:
    """A stream's content damaged (compressed content, an image) or cut short."""
    found = list(_PDF_STREAM.finditer(data))
    if not found:
        return data
    m = rng.choice(found)
    a, b = m.span(1)
    body = rng.choice(BYTES)(rng, data[a:b])
    return data[:a] + body + data[b:]


def pdf_xref(rng: random.Random, data: bytes) -> bytes:
    """The xref table or its start pointer damaged."""
    at = data.rfind(b"startxref")
    if at < 0:
        return flip(rng, data)
    if rng.random() < 0.5:
        return data[:at] + b"startxref\n" + str(rng.randint(0, len(data) + 100)).encode() + b"\n%%EOF\n"
    xref = data.rfind(b"xref", 0, at)
    start = xref if xref >= 0 else max(0, at - 400)
    return data[:start] + rng.choice(BYTES)(rng, data[start:at]) + data[at:]


def _zip_entries(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return [(info, z.read(info)) for info in z.infolist()]
    except Exception:
        return None


def _zip(entries: list[tuple[zipfile.ZipInfo, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info, content in entries:
            z.writestr(info.filename, content)
    return out.getvalue()


_XML_TAG = re.compile(rb"<[^<>]{1,200}>")
_XML_ATTR = re.compile(rb'(w:val|w:gridSpan|w:vMerge|Target|w:type)="[^"]*"')


def xml_mutation(rng: random.Random, xml: bytes) -> bytes:
    """Tags deleted, repeated or nested deep; attribute values made odd; or bytes damaged."""
    what = rng.randrange(5)
    if what == 0:
        return _sub_one(rng, _XML_TAG, xml, lambda _: b"")
    if what == 1:
        return _sub_one(rng, _XML_TAG, xml, lambda t: t * rng.randint(2, 50))
    if what == 2:
        return _sub_one(
            rng,
            _XML_ATTR,
            xml,
            lambda a: a.split(b"=")[0] + b'="' + rng.choice([*_ODD_NUMBERS, b"restart", b""]) + b'"',
        )
    if what == 3:
        return _sub_one(rng, _XML_TAG, xml, lambda t: t * 3000 if not t.startswith(b"</") else t)
    return rng.choice(BYTES)(rng, xml)


def docx_entry(rng: random.Random, data: bytes) -> bytes:
    """A Word file's entries: one dropped, renamed, emptied or its XML damaged; the package rewritten."""
    entries = _zip_entries(data)
    if not entries:
        return flip(rng, data)
    i = next((k for k, (info, _) in enumerate(entries) if info.filename == "word/document.xml"), 0)
    if rng.random() < 0.4:
        i = rng.randrange(len(entries))
    info, content = entries[i]
    what = rng.randrange(4)
    if what == 0:
        del entries[i]
    elif what == 1:
        entries[i] = (
            zipfile.ZipInfo(rng.choice(["word/Document.xml", "word/x.xml", "_rels/.rels"])),
            content,
        )
    elif what == 2:
        entries[i] = (info, b"")
    else:
        entries[i] = (info, xml_mutation(rng, content))
    return _zip(entries)


_DOCX_GRID = re.compile(rb"<w:(?:gridSpan|gridBefore|gridAfter|vMerge|hMerge|gridCol)\b[^>]*>")


def docx_grid(rng: random.Random, data: bytes) -> bytes:
    """A table's grid damaged: a span, a skip, a merge or a column width made odd."""
    entries = _zip_entries(data)
    if not entries:
        return flip(rng, data)
    value = rng.choice([*_ODD_NUMBERS, b"restart", b"continue", b"", b"x"])

    def odd(tag: bytes) -> bytes:
        return re.sub(rb'(w:val|w:w)="[^"]*"', lambda m: m.group(1) + b'="' + value + b'"', tag)

    for k, (info, content) in enumerate(entries):
        if info.filename == "word/document.xml":
            entries[k] = (info, _sub_one(rng, _DOCX_GRID, content, odd))
    return _zip(entries)


def docx_raw(rng: random.Random, data: bytes) -> bytes:
    """The compressed bytes of an entry damaged in place (its sizes and CRC kept): what a bad
    download does inside a zip. Or the entry's method or flags changed."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
    except Exception:
        return flip(rng, data)
    if not infos:
        return data
    info = rng.choice(infos)
    header = info.header_offset
    name_len, extra_len = (
        int.from_bytes(data[header + 26 : header + 28], "little"),
        int.from_bytes(data[header + 28 : header + 30], "little"),
    )
    start = header + 30 + name_len + extra_len
    end = start + info.compress_size
    out = bytearray(data)
    what = rng.randrange(4)
    if what == 0 and end > start:
        body = rng.choice([flip, overwrite, swap])(rng, bytes(out[start:end]))
        out[start:end] = body[: end - start].ljust(end - start, b"\x00")
    elif what == 1:  # compression method in the local header and the central directory
        method = rng.choice([1, 6, 9, 12, 14, 99]).to_bytes(2, "little")
        out[header + 8 : header + 10] = method
        central = data.find(b"PK\x01\x02" + data[header + 4 : header + 6])
        if central >= 0:
            out[central + 10 : central + 12] = method
    elif what == 2:  # general-purpose flags: encrypted, data descriptor
        out[header + 6 : header + 8] = rng.choice([1, 8, 9, 0x41]).to_bytes(2, "little")
    else:  # the sizes the central directory states (a bomb claims gigabytes)
        central = data.find(b"PK\x01\x02" + data[header + 4 : header + 6])
        if central >= 0:
            field = rng.choice([20, 24])  # compressed, uncompressed size
            out[central + field : central + field + 4] = rng.choice([0, 1, 2**31, 2**32 - 1]).to_bytes(
                4, "little"
            )
    return bytes(out)


_HTML_TAG = re.compile(rb"<[^<>]{1,300}>")
_HTML_SPAN = re.compile(rb'(rowspan|colspan)\s*=\s*"?\d+"?', re.I)
_HTML_CHARSET = re.compile(rb"charset\s*=\s*[\"']?[A-Za-z0-9_\-]+", re.I)


def html_tags(rng: random.Random, data: bytes) -> bytes:
    what = rng.randrange(6)
    if what == 0:
        return _sub_one(rng, _HTML_TAG, data, lambda _: b"")
    if what == 1:
        return _sub_one(rng, _HTML_TAG, data, lambda t: t * rng.randint(2, 40))
    if what == 2:
        return _sub_one(
            rng, _HTML_SPAN, data, lambda s: s.split(b"=")[0] + b'="' + rng.choice(_ODD_NUMBERS) + b'"'
        )
    if what == 3:
        opener = rng.choice([b"<div>", b"<table><tr><td>", b"<p>", b"<span>", b"<font>"])
        return _sub_one(rng, _HTML_TAG, data, lambda t: t + opener * rng.randint(100, 5000))
    if what == 4:
        label = rng.choice(
            [b"utf-16", b"gbk", b"utf-8", b"big5", b"x-unknown", b"utf-32", b"latin-1", b"", b"rot13",
             b"base64", b"undefined", b"unicode_escape", b"utf-7", b"idna"]
        )  # fmt: skip
        return _sub_one(rng, _HTML_CHARSET, data, lambda _: b"charset=" + label)
    return _sub_one(rng, _HTML_TAG, data, lambda t: t.replace(b"td", b"th") if rng.random() < 0.5 else t[:-1])


def text_lines(rng: random.Random, data: bytes) -> bytes:
    """Lines repeated, dropped or shuffled; digits glued; the encoding changed."""
    lines = data.split(b"\n")
    what = rng.randrange(5)
    if what == 0 and lines:
        i = rng.randrange(len(lines))
        lines[i:i] = [lines[i]] * rng.randint(2, 300)
    elif what == 1 and lines:
        del lines[rng.randrange(len(lines))]
    elif what == 2:
        a = rng.randrange(len(lines) or 1)
        part = lines[a : a + 20]
        rng.shuffle(part)
        lines[a : a + 20] = part
    elif what == 3:
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(10, 200))).encode()
        return insert_at(rng, data, digits)
    else:
        try:
            text = data.decode("utf-8")
            return text.encode(rng.choice(["utf-16", "gb18030", "utf-8-sig", "utf-32"]))
        except (UnicodeDecodeError, UnicodeEncodeError):
            return data
    return b"\n".join(lines)


def insert_at(rng: random.Random, data: bytes, piece: bytes) -> bytes:
    a = rng.randrange(len(data) + 1)
    return data[:a] + piece + data[a:]


def png_chunks(rng: random.Random, data: bytes) -> bytes:
    """A PNG chunk damaged: its size, type, data, or the header's dimensions."""
    chunks = [m.start() - 4 for m in re.finditer(rb"IHDR|IDAT|IEND|PLTE|pHYs|tEXt", data)]
    if not chunks:
        return flip(rng, data)
    at = rng.choice(chunks)
    out = bytearray(data)
    what = rng.randrange(3)
    if what == 0:
        out[at : at + 4] = rng.randint(0, 2**32 - 1).to_bytes(4, "big")
    elif what == 1 and data[at + 4 : at + 8] == b"IHDR":
        out[at + 8 : at + 16] = rng.randint(0, 70000).to_bytes(4, "big") + rng.randint(0, 70000).to_bytes(
            4, "big"
        )
        out[at + 16 : at + 18] = bytes([rng.choice([1, 2, 4, 8, 16, 3]), rng.choice([0, 2, 3, 4, 6, 7])])
        crc = zlib.crc32(bytes(out[at + 4 : at + 21]))
        out[at + 21 : at + 25] = crc.to_bytes(4, "big")
    else:
        return cut(rng, data)
    return bytes(out)


def jpeg_segments(rng: random.Random, data: bytes) -> bytes:
    """A JPEG marker segment damaged: its length, the frame's dimensions, or the segment removed."""
    markers = [m.start() for m in re.finditer(rb"\xff[\xc0-\xfe]", data)]
    if not markers:
        return flip(rng, data)
    at = rng.choice(markers)
    out = bytearray(data)
    what = rng.randrange(3)
    if what == 0:
        out[at + 2 : at + 4] = rng.randint(0, 65535).to_bytes(2, "big")
    elif what == 1:
        out[at + 5 : at + 9] = rng.randint(0, 65535).to_bytes(2, "big") + rng.randint(0, 65535).to_bytes(
            2, "big"
        )
    else:
        size = int.from_bytes(data[at + 2 : at + 4], "big")
        return data[:at] + data[at + 2 + size :]
    return bytes(out)


def tiff_fields(rng: random.Random, data: bytes) -> bytes:
    """An IFD entry's value made odd (width, height, strip offsets and counts, the next IFD)."""
    if len(data) < 8:
        return flip(rng, data)
    order = "little" if data[:2] == b"II" else "big"
    ifd = int.from_bytes(data[4:8], order)  # type: ignore[arg-type]
    if ifd + 2 > len(data):
        return flip(rng, data)
    count = int.from_bytes(data[ifd : ifd + 2], order)  # type: ignore[arg-type]
    if count == 0:
        return flip(rng, data)
    entry = ifd + 2 + 12 * rng.randrange(min(count, 40))
    out = bytearray(data)
    value = rng.choice([0, 1, 2**16 - 1, 2**31 - 1, 2**32 - 1, rng.randint(0, len(data) * 2)])
    out[entry + 8 : entry + 12] = value.to_bytes(4, order)  # type: ignore[arg-type]
    if rng.random() < 0.3:
        out[entry + 4 : entry + 8] = rng.randint(0, 2**32 - 1).to_bytes(4, order)  # type: ignore[arg-type]
    return bytes(out)


PDF = [pdf_number, pdf_object, pdf_name, pdf_stream, pdf_xref]
STRUCTURE: dict[str, list[Mutation]] = {
    "text-pdf": PDF,
    "scanned-pdf": PDF,
    "mixed-pdf": PDF,
    "searchable-scan": PDF,
    "html-utf8": [html_tags, text_lines],
    "html-gbk": [html_tags, text_lines],
    "docx": [docx_entry, docx_raw, docx_grid],
    "text": [text_lines],
    "markdown": [text_lines],
    "png": [png_chunks],
    "jpeg": [jpeg_segments],
    "tiff": [tiff_fields],
}


def mutate(rng: random.Random, kind: str, data: bytes) -> tuple[bytes, list[str]]:
    """One to three mutations, structural twice as often as of bytes."""
    names = []
    for _ in range(rng.choice([1, 1, 2, 3])):
        m = rng.choice(STRUCTURE[kind] * 2 + BYTES)
        data = m(rng, data)
        names.append(m.__name__)
    return data, names


# --- running ----------------------------------------------------------------------------------------

_limited = False


def run_one(task: tuple[str, str, str]) -> dict[str, Any]:
    """In a child: extract one input; the outcome, and the traceback of anything not ours."""
    global _limited
    _, path, engine = task
    if not _limited:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_MB << 20, resource.getrlimit(resource.RLIMIT_AS)[1]))
        _limited = True
    factory = Fake() if engine == "fake" else Tesseract()
    settings = Settings(ocr=OcrOptions(engine=factory, workers=1, page_timeout=60))
    try:
        report = extract(path, settings)
    except ExtractorError as e:
        return {"outcome": type(e).__name__, "finding": False, "message": str(e)}
    except BaseException as e:  # the finding: anything else
        tb = traceback.extract_tb(e.__traceback__)
        ours = [f for f in tb if "/extractor/" in f.filename] or list(tb)
        place = f"{Path(ours[-1].filename).name}:{ours[-1].lineno}" if ours else "?"
        return {
            "outcome": type(e).__name__,
            "finding": True,
            "message": f"{type(e).__name__}: {e}",
            "place": place,
            "traceback": traceback.format_exc(),
        }
    return {"outcome": f"report ({report.status})", "finding": False, "message": ""}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=90.0, help="seconds an input may take")
    parser.add_argument("--engine", choices=["fake", "tesseract"], default="fake")
    parser.add_argument("--kinds", nargs="*", help="only these kinds (default: all)")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")  # Pillow and zipfile warn of the damage; the outcome tells
    work = Path(tempfile.mkdtemp(prefix="fuzz-docs-"))
    try:
        return _fuzz(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _fuzz(args: argparse.Namespace, work: Path) -> int:
    seeds = make_seeds(work / "seeds")
    kinds = [k for k in seeds if not args.kinds or k in args.kinds]
    rng = random.Random(args.seed)
    data = {k: [(p, p.read_bytes()) for p in seeds[k]] for k in kinds}
    tried: Counter[str] = Counter()
    seconds: Counter[str] = Counter()  # time spent on each kind, to give each about as much
    outcomes: dict[str, Counter[str]] = {k: Counter() for k in kinds}
    findings: Counter[str] = Counter()
    examples: dict[str, dict[str, str]] = {k: {} for k in kinds}  # a message of each outcome
    mutations_of: dict[str, list[str]] = {}
    OUT.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    end = start + args.minutes * 60
    n = 0
    while time.monotonic() < end:
        batch: list[tuple[str, str, str]] = []
        for kind in kinds:  # a round: about ROUND_S seconds of each kind per job, one input at least
            mean = seconds[kind] / tried[kind] if tried[kind] else ROUND_S
            for _ in range(args.jobs * max(1, min(50, round(ROUND_S / max(mean, 0.01))))):
                seed_path, seed = rng.choice(data[kind])
                damaged, names = mutate(rng, kind, seed)
                path = work / f"{n:06d}{seed_path.suffix}"
                path.write_bytes(damaged)
                mutations_of[str(path)] = [seed_path.name, *names]
                batch.append((kind, str(path), args.engine))
                n += 1
        with Pool(run_one, jobs=args.jobs, timeout=args.timeout) as pool:
            for outcome in pool.run(batch):
                kind, path, _ = outcome.task
                tried[kind] += 1
                seconds[kind] += outcome.seconds
                if outcome.kind == "done" and outcome.value is not None:
                    result = outcome.value
                else:
                    what = {"timeout": "Timeout", "crash": "Crash"}.get(outcome.kind, "Error")
                    result = {"outcome": what, "finding": True, "message": outcome.message, "place": what,
                              "traceback": outcome.message}  # fmt: skip
                outcomes[kind][result["outcome"]] += 1
                examples[kind].setdefault(result["outcome"], result["message"].replace(path, "INPUT")[:300])
                if result["finding"]:
                    signature = f"{result['outcome']} at {result['place']}"
                    findings[signature] += 1
                    print(
                        f"finding ({kind}, {' + '.join(mutations_of[path])}): {result['message']}",
                        file=sys.stderr,
                    )
                    if findings[signature] <= KEEP_PER_FINDING:
                        name = f"{kind}-{Path(path).stem}"
                        shutil.copy(path, OUT / f"{name}{Path(path).suffix}")
                        (OUT / f"{name}.traceback.txt").write_text(
                            f"{kind}: {' + '.join(mutations_of[path])}\n{result['traceback']}",
                            encoding="utf-8",
                        )
                Path(path).unlink(missing_ok=True)
                mutations_of.pop(path, None)
        total = sum(tried.values())
        if total // 200 != (total - len(batch)) // 200:
            minutes = (time.monotonic() - start) / 60
            print(f"{total} inputs, {sum(findings.values())} findings, {minutes:.1f} min", file=sys.stderr)
    minutes = (time.monotonic() - start) / 60
    total = sum(tried.values())
    summary = {
        "seed": args.seed,
        "minutes": round(minutes, 1),
        "engine": args.engine,
        "timeout_s": args.timeout,
        "inputs": total,
        "inputs_by_kind": dict(tried),
        "seconds_by_kind": {k: round(v, 1) for k, v in seconds.items()},
        "outcomes_by_kind": {k: dict(v.most_common()) for k, v in outcomes.items()},
        "findings": dict(findings.most_common()),
        "example_messages": examples,
    }
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"{total} inputs in {minutes:.1f} minutes, {sum(findings.values())} findings")
    for kind in kinds:
        print(f"  {kind}: {tried[kind]}  {dict(outcomes[kind].most_common())}")
    for signature, count in findings.most_common():
        print(f"  finding {signature}: {count}")
    return 1 if findings else 0


if __name__ == "__main__":
    raise SystemExit(main())
