"""Hostile and broken inputs, made in a test's tmp_path: each maker writes one file and returns it."""

from __future__ import annotations

import io
import os
import random
import re
import shutil
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from reportlab.lib import pdfencrypt
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from samples.render_text import STYLES
from samples.truth import make_truth

from .conftest import SAMPLES

GOOD_PDF = SAMPLES / "s01_gov_2021_split4.pdf"
PASSWORD = "秘密 secret"
# A report's outline without its tables: read, partial, every table missing.
OUTLINE = [
    "某某市人民政府2021年政府信息公开工作年度报告",
    "一、总体情况",
    "本年度政府信息公开工作总体平稳有序开展。",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
]


def _font() -> str:
    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def text_pdf(
    path: Path,
    pages: list[list[str]],
    encrypt: pdfencrypt.StandardEncryption | None = None,
    size: tuple[float, float] = (595, 842),
) -> Path:
    """A PDF whose pages hold these lines (Chinese in a CID font pdfium reads back)."""
    c = canvas.Canvas(str(path), pagesize=size, encrypt=encrypt)
    for lines in pages:
        c.setFont(_font(), 10)
        for k, line in enumerate(lines):
            c.drawString(40, size[1] - 40 - 14 * k, line)
        c.showPage()
    c.save()
    return path


def empty(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def truncated_pdf(path: Path) -> Path:
    data = GOOD_PDF.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    return path


def random_bytes(path: Path) -> Path:
    path.write_bytes(random.Random(7).randbytes(20_000))
    return path


def jpeg_named_pdf(path: Path) -> Path:
    from PIL import Image

    Image.new("RGB", (64, 64), "white").save(path, format="JPEG")
    return path


def html_named_pdf(path: Path) -> Path:
    shutil.copy(SAMPLES / "office_2021.html", path)
    return path


def user_password_pdf(path: Path) -> Path:
    return text_pdf(path, [OUTLINE], pdfencrypt.StandardEncryption(PASSWORD, ownerPassword="owner"))


def owner_password_pdf(path: Path) -> Path:
    """Encrypted with an owner password only (no copying, no printing): anyone may open it."""
    enc = pdfencrypt.StandardEncryption("", ownerPassword="owner", canPrint=0, canCopy=0, canModify=0)
    return text_pdf(path, [OUTLINE], enc)


def broken_text_layer_pdf(path: Path) -> Path:
    """Text whose characters are not text (a font without a usable ToUnicode map reads like this)."""
    c = canvas.Canvas(str(path), pagesize=(595, 842))
    c.setFont("Helvetica", 10)
    for k in range(30):
        c.drawString(40, 800 - 14 * k, "¿”¿¡fl‹… ÷ÆØ¤¦§¨©ª«¬®¯°±²³´µ¶·¸¹º»¼½¾" * 2)
    c.showPage()
    c.save()
    return path


def thousand_pages_pdf(path: Path) -> Path:
    """1,000 small pages, each with the six section headings (the worst case for finding sections)."""
    heads = [line for line in OUTLINE if line[1:2] == "、"]
    return text_pdf(path, [[*heads, f"第{n}页"] for n in range(1000)], size=(300, 200))


def not_a_report_pdf(path: Path) -> Path:
    return text_pdf(
        path, [["会议通知", "兹定于下周一上午九时在三楼会议室召开全体职工大会，请准时参加。"] * 3]
    )


def _png(path: Path, width: int, height: int, rows: int | None) -> Path:
    """A grey PNG of width × height whose data holds `rows` rows (None: all): small on disk either way."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    z = zlib.compressobj(9)
    row = b"\x00" * (width + 1)
    data = b"".join(z.compress(row) for _ in range(height if rows is None else rows)) + z.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )
    return path


def huge_image(path: Path) -> Path:
    """30,000 × 30,000 pixels (a tenth of its rows written: the header is what tells its size)."""
    return _png(path, 30_000, 30_000, rows=3_000)


def decompression_bomb(path: Path) -> Path:
    """A few hundred bytes that claim 100,000 × 100,000 pixels."""
    return _png(path, 100_000, 100_000, rows=8)


def missing_tables_pdf(path: Path) -> Path:
    return text_pdf(path, [OUTLINE])


def compilation_md(path: Path) -> Path:
    parts = [STYLES["markdown"](make_truth(seed, "2021")) for seed in (1, 2)]
    path.write_text("\n\n".join(parts), encoding="utf-8")
    return path


def html_without_tables(path: Path) -> Path:
    body = "".join(f"<p>{line}</p>" for line in OUTLINE)
    path.write_text(f"<html><body>{body}</body></html>", encoding="utf-8")
    return path


def gbk_text(path: Path) -> Path:
    """A whole report as plain text in GBK, with no declaration of it."""
    path.write_bytes(STYLES["spaced"](make_truth(3, "2019")).encode("gbk"))
    return path


def chinese_path(root: Path) -> Path:
    folder = root / "政府 信息 公开"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "2021年 年度报告 (终稿).pdf"
    shutil.copy(GOOD_PDF, path)
    return path


# --- damaged files the whole-document fuzzer (bench/fuzz_docs.py) found escaping as internal errors ---


def damaged_page_pdf(path: Path) -> Path:
    """A PDF whose last page object is `null` (the xref still points at it, offsets kept): pdfium
    opens the file and counts the page, then cannot load it ("Failed to load page.")."""
    data = text_pdf(path, [OUTLINE, OUTLINE]).read_bytes()
    page = rb"\d+ 0 obj\s*<<(?:(?!endobj).)*?/Type /Page\s(?:(?!endobj).)*endobj"
    pages = list(re.finditer(page, data, re.S))
    last = pages[-1]
    number = last.group(0).split(b" ", 1)[0]
    blank = (number + b" 0 obj\nnull\nendobj").ljust(len(last.group(0)))
    path.write_bytes(data[: last.start()] + blank + data[last.end() :])
    return path


def damaged_deflate_docx(path: Path) -> Path:
    """A Word file whose document part's deflate data starts with a reserved block type: the zip's
    directory is intact, unpacking the part fails in zlib ("Error -3 while decompressing data")."""
    data = bytearray((SAMPLES / "office_2021.docx").read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo("word/document.xml")
    name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26 : info.header_offset + 30])
    data[info.header_offset + 30 + name_len + extra_len] = 0xFF  # BTYPE 11: reserved
    path.write_bytes(bytes(data))
    return path


def tiff_frame_without_size(path: Path) -> Path:
    """A two-frame TIFF whose second directory has no width or height (Pillow: "Missing dimensions")."""

    def directory(entries: list[tuple[int, int, int]], following: int) -> bytes:
        out = struct.pack("<H", len(entries))
        for tag, kind, value in entries:
            out += struct.pack("<HHII", tag, kind, 1, value)
        return out + struct.pack("<I", following)

    # tags: 256 width, 257 height, 258 bits, 259 compression, 262 photometric, 273 strip offset,
    # 277 samples per pixel, 278 rows per strip, 279 strip bytes; 3 SHORT, 4 LONG
    first = [(256, 4, 8), (257, 4, 8), (258, 3, 8), (259, 3, 1), (262, 3, 1), (273, 4, 200), (277, 3, 1),
             (278, 4, 8), (279, 4, 64)]  # fmt: skip
    second = [(259, 3, 1), (262, 3, 1), (273, 4, 200), (279, 4, 64)]
    head = b"II*\x00" + struct.pack("<I", 8) + directory(first, 8 + 2 + 12 * len(first) + 4)
    path.write_bytes((head + directory(second, 0)).ljust(200, b"\x00") + b"\x80" * 64)
    return path


def huge_span_docx(path: Path) -> Path:
    """A Word file whose first table cell claims to span 99,999,999 grid columns (read: the span is
    capped, where it once filled memory placing the cell on every column)."""
    with zipfile.ZipFile(SAMPLES / "office_2021.docx") as src, zipfile.ZipFile(path, "w") as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                data = re.sub(rb'(<w:gridSpan w:val=")\d+', rb"\g<1>99999999", data, count=1)
            out.writestr(info, data)
    return path


def docx_bomb(path: Path) -> Path:
    """A Word file whose document part claims to unpack to 4 GB (its central directory says so)."""
    data = bytearray((SAMPLES / "office_2021.docx").read_bytes())
    name = b"word/document.xml"
    at = data.find(b"PK\x01\x02")  # the central directory's first entry
    while at >= 0 and data[at + 46 : at + 46 + len(name)] != name:
        at = data.find(b"PK\x01\x02", at + 4)
    data[at + 24 : at + 28] = struct.pack("<I", 0xFFFF_FFF0)  # uncompressed size
    path.write_bytes(bytes(data))
    return path


def long_digit_run_text(path: Path) -> Path:
    """A report as spaced text with a run of 200 digits pasted into it: split into a row's cells
    summing to a total, it once enumerated without end (a total of up to 200 digits)."""
    text = STYLES["spaced"](make_truth(12, "2021")).encode("utf-8")
    rng = random.Random(1)
    digits = "".join(rng.choice("0123456789") for _ in range(200)).encode()
    at = rng.randrange(len(text) + 1)
    path.write_bytes(text[:at] + digits + text[at:])
    return path


def html_declaring(path: Path, label: str) -> Path:
    """A sample web page whose meta charset names `label` (Python also calls base64, rot13 and
    "undefined" codecs, and decoding with them raised)."""
    page = (SAMPLES / "office_2021.html").read_bytes()
    path.write_bytes(page.replace(b'charset="utf-8"', f'charset="{label}"'.encode(), 1))
    return path


def html_declaring_rot13(path: Path) -> Path:
    return html_declaring(path, "rot13")


def truncated_png(path: Path) -> Path:
    """A page image cut short: its header is whole, its pixel data is not."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.effect_noise((400, 400), 60).save(buffer, format="PNG")
    data = buffer.getvalue()
    path.write_bytes(data[: len(data) // 2])
    return path


# Every hostile input, its file name in a batch folder, and what its summary row must say.
BATCH = {
    "empty.pdf": (empty, "failed", "empty"),
    "truncated.pdf": (truncated_pdf, "failed", "cannot be opened"),
    "random.pdf": (random_bytes, "failed", "not a report file"),
    "html named.pdf": (html_named_pdf, "ok", ""),
    "user password.pdf": (user_password_pdf, "failed", "--password"),
    "owner password.pdf": (owner_password_pdf, "partial", "table not found"),
    "thousand.pdf": (thousand_pages_pdf, "partial", "compilation"),
    "not a report.pdf": (not_a_report_pdf, "failed", "no section or table"),
    "huge.png": (huge_image, "failed", "over the limit"),
    "bomb.png": (decompression_bomb, "failed", "over the limit"),
    "missing tables.pdf": (missing_tables_pdf, "partial", "table not found"),
    "compilation.md#1": (compilation_md, "ok", ""),  # two reports in one file: a row and a JSON each
    "compilation.md#2": (compilation_md, "ok", ""),
    "no tables.html": (html_without_tables, "partial", "table not found"),
    "gbk.txt": (gbk_text, "ok", ""),
    "damaged page.pdf": (damaged_page_pdf, "failed", "page 2 of the PDF is damaged"),
    "damaged deflate.docx": (damaged_deflate_docx, "failed", "the Word file is damaged"),
    "frame without size.tif": (tiff_frame_without_size, "failed", "a damaged image"),
    "truncated.png": (truncated_png, "failed", "a damaged image"),
    "huge span.docx": (huge_span_docx, "ok", ""),
    "rot13.html": (html_declaring_rot13, "ok", ""),
    "bomb.docx": (docx_bomb, "failed", "over the limit"),
    "digit run.txt": (long_digit_run_text, "ok", ""),
}


def make_all(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return {name: make(folder / name) for name, make in _inputs().items()}


def _inputs() -> dict[str, Callable[[Path], Path]]:
    """The files of BATCH: a compilation's rows (`<file>#<n>`) come from one file."""
    return {name.partition("#")[0]: make for name, (make, _, _) in BATCH.items()}


def full_disk_victim(path: Path) -> bool:
    """The output the full-disk test fails to write."""
    return os.path.basename(path).startswith("gbk.txt")


def merged_pdf(path: Path, parts: list[Path]) -> Path:
    """The pages of `parts`, one after the other, in one PDF."""
    import pypdfium2 as pdfium

    out = pdfium.PdfDocument.new()
    for part in parts:
        src = pdfium.PdfDocument(str(part))
        out.import_pages(src)
        src.close()
    out.save(str(path))
    out.close()
    return path
