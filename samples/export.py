"""Export rendered samples to PDF the way real reports reach us.

* ``docx_to_pdf``: a Word file "exported to PDF", via LibreOffice (``soffice --headless --convert-to pdf``).
* ``html_to_pdf``: a web page "printed to PDF", via headless Chromium (``--print-to-pdf``).

Both tools are needed only to (re)generate the sample files, never by the extractor or the tests.
When a tool is missing the functions raise :class:`ToolMissingError` with the install command.
Install on Debian/Ubuntu with::

    apt-get update
    apt-get install -y libreoffice-writer-nogui chromium fonts-arphic-uming fonts-arphic-ukai fonts-wqy-zenhei

Fonts.  Chinese reports declare 宋体 / 仿宋_GB2312 / 黑体 / 楷体, which Linux does not have.  Both
converters are run with a private fontconfig file (``cjk_fontconfig``) that maps those names to
*TrueType* CJK faces (AR PL UMing for 宋体/仿宋/小标宋, AR PL UKai for 楷体, WenQuanYi Zen Hei for
黑体/雅黑) and hides the CFF-flavoured Noto CJK fonts.  The reason: Chromium (Skia) cannot embed CFF
CJK fonts and falls back to Type 3 fonts whose ToUnicode maps many ideographs to Kangxi radicals
(行 -> U+2F8F ⾏, 人 -> U+2F08 ⼈, 民 -> U+2EA0 ⺠), and pdfminer then warns about a missing FontBBox
on every glyph.  Real reports printed on Windows use TrueType SimSun and embed CID TrueType fonts,
which is what the mapping reproduces.  Set ``SAMPLES_SYSTEM_FONTS=1`` to use the system fonts as is.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

SOFFICE_NAMES = ("soffice", "libreoffice")
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-pdf-header-footer",
)


# Font names used by the renderers (and by real reports) -> TrueType faces available on Debian.
CJK_ALIASES: dict[str, tuple[str, ...]] = {
    "AR PL UMing CN": (
        "宋体",
        "SimSun",
        "新宋体",
        "NSimSun",
        "仿宋",
        "仿宋_GB2312",
        "FangSong",
        "FangSong_GB2312",
        "方正小标宋简体",
        "方正小标宋_GBK",
        "serif",
    ),
    "AR PL UKai CN": ("楷体", "楷体_GB2312", "KaiTi", "KaiTi_GB2312"),
    "WenQuanYi Zen Hei": ("黑体", "SimHei", "微软雅黑", "Microsoft YaHei", "sans-serif"),
}
# CFF-flavoured CJK fonts, which Chromium would embed as Type 3.
REJECT_FONT_GLOBS: tuple[str, ...] = ("*NotoSansCJK*", "*NotoSerifCJK*", "*SourceHan*")


class ToolMissingError(RuntimeError):
    """An external converter (LibreOffice, Chromium) is not installed."""


class ExportError(RuntimeError):
    """The converter ran but did not produce the PDF."""


def _find(names: tuple[str, ...], what: str, install: str, env_var: str) -> str:
    override = os.environ.get(env_var)
    if override:
        if shutil.which(override) is None:
            raise ToolMissingError(f"{env_var}={override!r} is not an executable")
        return override
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    raise ToolMissingError(
        f"{what} not found (looked for {', '.join(names)} on PATH, or set {env_var}). "
        f"It is only needed to regenerate the sample PDFs. Install it with: {install}"
    )


def find_soffice() -> str:
    return _find(
        SOFFICE_NAMES,
        "LibreOffice",
        "apt-get update && apt-get install -y libreoffice-writer-nogui",
        "SOFFICE",
    )


def find_chromium() -> str:
    return _find(
        CHROMIUM_NAMES,
        "Chromium",
        "apt-get update && apt-get install -y chromium",
        "CHROMIUM",
    )


def cjk_fontconfig() -> str:
    """A fontconfig file: the system configuration plus the CJK aliases and rejections above."""
    # A relative name is looked up in fontconfig's default configuration directory.
    system = os.environ.get("FONTCONFIG_FILE") or "fonts.conf"
    parts = [
        '<?xml version="1.0"?>',
        '<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">',
        "<fontconfig>",
        f'  <include ignore_missing="yes">{escape(system)}</include>',
        "  <selectfont><rejectfont>",
        *(f"    <glob>{escape(g)}</glob>" for g in REJECT_FONT_GLOBS),
        "  </rejectfont></selectfont>",
    ]
    for target, names in CJK_ALIASES.items():
        for name in names:
            parts.append(
                f'  <alias binding="strong"><family>{escape(name)}</family>'
                f"<prefer><family>{escape(target)}</family></prefer></alias>"
            )
    parts.append("</fontconfig>")
    return "\n".join(parts) + "\n"


def _run(cmd: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="samples-fc-") as fc_dir:
        if not os.environ.get("SAMPLES_SYSTEM_FONTS"):
            conf = Path(fc_dir) / "samples-cjk.conf"
            conf.write_text(cjk_fontconfig(), encoding="utf-8")
            env["FONTCONFIG_FILE"] = str(conf)
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False, env=env)
        except subprocess.TimeoutExpired as exc:
            raise ExportError(f"{cmd[0]} timed out after {timeout:.0f}s") from exc


def docx_to_pdf(docx: Path, out_dir: Path, pdf_name: str | None = None, timeout: float = 180) -> Path:
    """Convert ``docx`` to PDF with LibreOffice; return the PDF path.

    LibreOffice names the result ``<stem>.pdf`` in ``out_dir``; give ``pdf_name`` to rename it.
    A throwaway LibreOffice profile is used so that concurrent runs do not lock each other.
    """
    soffice = find_soffice()
    docx = Path(docx).resolve()
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="lo-profile-") as profile,
        tempfile.TemporaryDirectory(prefix="lo-out-") as tmp_out,
    ):
        cmd = [
            soffice,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            tmp_out,
            str(docx),
        ]
        proc = _run(cmd, timeout)
        produced = Path(tmp_out) / (docx.stem + ".pdf")
        if not produced.exists():
            raise ExportError(
                f"LibreOffice did not write {produced.name} (exit {proc.returncode}): "
                f"{proc.stderr.strip() or proc.stdout.strip()}"
            )
        target = out_dir / (pdf_name or produced.name)
        shutil.move(str(produced), target)
    return target


def html_to_pdf(html: Path, pdf: Path, timeout: float = 120) -> Path:
    """Print ``html`` to ``pdf`` with headless Chromium (no header/footer line); return ``pdf``.

    Page size and margins come from the page's own ``@page`` rule, as when a user prints it.
    """
    chromium = find_chromium()
    html = Path(html).resolve()
    pdf = Path(pdf).resolve()
    pdf.parent.mkdir(parents=True, exist_ok=True)
    if pdf.exists():
        pdf.unlink()
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        cmd = [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--print-to-pdf={pdf}",
            html.as_uri(),
        ]
        proc = _run(cmd, timeout)
    if not pdf.exists() or pdf.stat().st_size == 0:
        raise ExportError(
            f"Chromium did not write {pdf.name} (exit {proc.returncode}): {proc.stderr.strip()[-2000:]}"
        )
    return pdf


if __name__ == "__main__":
    import sys

    if len(sys.argv) == 3 and sys.argv[1].endswith(".docx"):
        print(docx_to_pdf(Path(sys.argv[1]), Path(sys.argv[2])))
    elif len(sys.argv) == 3 and sys.argv[1].endswith((".html", ".htm")):
        print(html_to_pdf(Path(sys.argv[1]), Path(sys.argv[2])))
    else:
        sys.exit("usage: python -m samples.export FILE.docx OUT_DIR | FILE.html OUT.pdf")
