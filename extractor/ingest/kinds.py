"""Telling Word files and web pages by their content (a web page saved as .txt, a PDF named .html).

`office_kind` reads the container: a zip holding word/document.xml is a Word file (docx); an OLE
compound file holding a WordDocument stream, or an RTF file, is a legacy Word file (doc). A web page
starts with markup. The file's name decides only when the content does not.
"""

from __future__ import annotations

import lzma
import zipfile
import zlib
from pathlib import Path

import regex

from ..errors import UnsupportedInputError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
RTF_MAGIC = b"{\\rtf"

# What reading a damaged zip raises: a bad directory or CRC (BadZipFile), a missing entry (KeyError),
# damaged deflate data (zlib.error) or other codecs' (OSError, LZMAError), data cut short (EOFError),
# an unknown compression method (NotImplementedError), an encrypted entry (RuntimeError), an offset
# out of the file (ValueError).
ZIP_ERRORS: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    KeyError,
    OSError,
    EOFError,
    zlib.error,
    lzma.LZMAError,
    NotImplementedError,
    RuntimeError,
    ValueError,
)

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
# A page starts with a doctype, an XML declaration, a comment or an HTML tag (fragments start
# with <p>, <div> or <table>); a page may also carry text before its <html>.
_HTML_START = regex.compile(
    rb"""^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title|base|link|
    style|script|p|div|span|table|h[1-6]|center|font|br|section|article|main|header|ul|ol|form|iframe)
    [\s>/]""",
    regex.I | regex.S | regex.X,
)
_HTML_ROOT = regex.compile(rb"<(?:html|body)[\s>]|<!doctype\s+html", regex.I)

HTML_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml", ".jsp", ".asp", ".aspx", ".php")
WORD_SUFFIXES = (".docx", ".doc", ".wps", ".rtf")
TEXT_SUFFIXES = (".txt", ".text", ".md", ".markdown")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp")
# The names a batch picks up in a folder (the kind itself is always read from the content).
SUFFIXES = (".pdf", *HTML_SUFFIXES, *WORD_SUFFIXES, *TEXT_SUFFIXES, *IMAGE_SUFFIXES)


def looks_like_html(head: bytes) -> bool:
    """Whether the first bytes of a file are a web page (any ASCII-compatible or UTF-16 encoding)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        codec = "utf-16-le" if head.startswith(b"\xff\xfe") else "utf-16-be"
        head = head[2:].decode(codec, errors="ignore").encode("utf-8")
    elif head.startswith(_BOMS[0]):
        head = head[3:]
    return bool(_HTML_START.match(head) or _HTML_ROOT.search(head))


def office_kind(path: Path, head: bytes) -> str | None:
    """ "docx" or "doc" when the content is a Word file, None when it is no office container."""
    if head.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist())
        except ZIP_ERRORS as e:
            raise UnsupportedInputError(f"{path}: a damaged zip file ({e}); fetch it again") from e
        if "word/document.xml" in names or any(n.startswith("word/") and n.endswith(".xml") for n in names):
            return "docx"
        what = "an Excel workbook" if "xl/workbook.xml" in names else "a zip archive"
        raise UnsupportedInputError(
            f"{path}: {what}, not a report; unpack it or give the report itself (PDF, web page or Word)"
        )
    if head.startswith(OLE_MAGIC):
        data = path.read_bytes()
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise UnsupportedInputError(
                f"{path}: a password-protected Word file; open it in Word or WPS and save it "
                "without a password"
            )
        if "WordDocument".encode("utf-16-le") in data:
            return "doc"
        raise UnsupportedInputError(
            f"{path}: an Office file that is not a Word document (Excel or PowerPoint?); "
            "give the report itself"
        )
    if head.lstrip().startswith(RTF_MAGIC):
        return "doc"
    return None


def kind_by_name(path: Path) -> str | None:
    """The kind the file's name claims, for content that does not tell."""
    suffix = path.suffix.lower()
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in WORD_SUFFIXES:
        raise UnsupportedInputError(
            f"{path}: named like a Word file but it is not one (damaged or cut short); fetch it again"
        )
    return None
