"""`extractor review`: the terminal table, and the HTML page with crops, also in a real headless browser."""

from __future__ import annotations

import base64
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import html as lxml_html
from PIL import Image

from extractor.batch.run import run_batch
from extractor.cli import main
from extractor.errors import ExitCode

from .batch_inputs import GOOD, doubtful, make_folder
from .conftest import ROOT

PDFS = [name for name in GOOD if name.endswith(".pdf")]
ARTIFACTS = ROOT / "tests" / "artifacts"  # git-ignored: the browser's screenshot is kept here


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A batch whose reports each doubt three cells (stand-in reader), with broken inputs beside."""
    root = tmp_path_factory.mktemp("review")
    out = root / "out"
    run_batch(make_folder(root), out, jobs=2, read=doubtful)
    return out


def test_terminal_lists_every_doubt_and_failed_relation_most_doubtful_first(
    batch: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["review", str(batch)]) == 0
    out = capsys.readouterr().out
    for name in GOOD:
        assert name in out
    assert out.count("requests.granted.total") >= len(GOOD)
    assert "would satisfy them" in out and "reading doubt" in out
    # s07 (two source inconsistencies) and s03 (one) come before the files that have none
    assert out.index("s07_gov_2021_wrongtotal") < out.index("s03_gov_hybrid_failure") < out.index("s01_gov")
    assert "in the source: 总计 = 维持 + 纠正 + 其他 + 尚未审结" in out
    assert f"{3 * len(GOOD)} fields to check" in out
    assert "3 inputs failed and have no output" in out


def test_one_json_and_nothing_to_review(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], batch: Path
) -> None:
    assert main(["review", str(batch / "s07_gov_2021_wrongtotal.pdf.json")]) == 0
    out = capsys.readouterr().out
    assert "s07_gov_2021_wrongtotal.pdf" in out and "s03" not in out
    clean = tmp_path / "clean"
    run_batch(make_folder(tmp_path, good=["s01_gov_2021_split4.pdf"], broken=False), clean)
    assert main(["review", str(clean)]) == 0
    assert "nothing to review in 1 reports" in capsys.readouterr().out
    assert main(["review", str(tmp_path / "nowhere")]) == ExitCode.INPUT_MISSING


def _page(path: Path) -> lxml_html.HtmlElement:
    return lxml_html.fromstring(path.read_text(encoding="utf-8"))


def test_html_page_shows_crops_values_reasons_and_keeps_source_errors_apart(
    tmp_path: Path, batch: Path
) -> None:
    page = tmp_path / "review.html"
    assert main(["review", str(batch), "--html", str(page)]) == 0
    doc = _page(page)
    articles = doc.xpath("//article[@class='doubt']")
    assert len(articles) == 3 * len(GOOD)
    crops = doc.xpath("//img[@class='crop']")
    assert len(crops) == 3 * len(PDFS)  # web pages and Word files have no geometry: no crop
    for img in crops:
        src = img.get("src")
        assert src.startswith("data:image/png;base64,")  # embedded: the page stands alone
        picture = Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1])))
        assert picture.format == "PNG" and picture.width > 300 and 60 < picture.height < 400
        colours = {c for _, c in picture.convert("RGB").getcolors(maxcolors=1 << 20) or []}
        assert (214, 39, 40) in colours  # the cell framed in red
    s01 = next(
        s
        for s in doc.xpath("//section[@class='file']")
        if s.xpath(".//h2")[0].text == "s01_gov_2021_split4.pdf"
    )
    granted = s01.xpath(".//article[@data-path='requests.granted.total']")[0]
    assert granted.xpath(".//dd[@class='value']")[0].text == "1819"
    assert granted.xpath(".//dd[@class='proposed']")[0].text == "1820"
    assert "row label matched loosely" in granted.text_content()
    assert "三 （一）予以公开 / 总计" in granted.text_content()
    html_section = next(
        s for s in doc.xpath("//section[@class='file']") if "office_2021.html" in s.xpath(".//h2")[0].text
    )
    assert "html sources have no page geometry" in html_section.text_content()
    assert len(html_section.xpath(".//div[@class='crop none']")) == 3
    # source inconsistencies apart from reading doubts
    s07 = next(s for s in doc.xpath("//section[@class='file']") if "s07" in s.xpath(".//h2")[0].text)
    source_ids = [c.text for c in s07.xpath(".//div[@class='source']//table[@class='source']//code")]
    assert source_ids == ["requests.outcomes.total", "requests.row_total.other_misc"]
    assert [c.text for c in s07.xpath(".//table[@class='reading']//code")] == ["requests.outcomes.total"]
    assert len(doc.xpath("//details[@class='failed']//li")) == 3
    assert "<script src" not in page.read_text(encoding="utf-8") and "<link" not in page.read_text(
        encoding="utf-8"
    )


def test_moved_sources_are_found_with_source_option(tmp_path: Path) -> None:
    folder, out = make_folder(tmp_path, good=PDFS[:1], broken=False), tmp_path / "out"
    run_batch(folder, out, read=doubtful)
    moved = folder.rename(tmp_path / "elsewhere")
    page = tmp_path / "review.html"
    assert main(["review", str(out), "--html", str(page)]) == 0
    assert not _page(page).xpath("//img[@class='crop']") and "not found" in page.read_text(encoding="utf-8")
    assert main(["review", str(out), "--html", str(page), "--source", str(moved)]) == 0
    assert len(_page(page).xpath("//img[@class='crop']")) == 3
    (moved / PDFS[0]).write_bytes((moved / PDFS[0]).read_bytes() + b"\n%changed")
    assert main(["review", str(out), "--html", str(page), "--source", str(moved)]) == 0
    assert "has changed since it was read" in page.read_text(encoding="utf-8")


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium): skipped")
def test_html_page_in_headless_chromium(tmp_path: Path, batch: Path) -> None:
    page = tmp_path / "review.html"
    assert main(["review", str(batch), "--html", str(page)]) == 0
    assert CHROMIUM is not None
    flags = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--virtual-time-budget=5000",
    ]
    dom = subprocess.run(
        [*flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    body = lxml_html.fromstring(dom).xpath("//body")[0]
    assert body.get("data-crops") == str(3 * len(PDFS))
    assert body.get("data-crops-shown") == str(3 * len(PDFS))  # the browser decoded every crop
    assert "s01_gov_2021_split4.pdf" in dom and "Source inconsistencies" in dom

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "review.png"
    shot.unlink(missing_ok=True)
    subprocess.run(
        [*flags, f"--screenshot={shot}", "--window-size=1200,1800", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    picture = Image.open(shot).convert("RGB")
    assert picture.size == (1200, 1800)
    colours = picture.getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 1000  # crops of real pages, not a blank or an error page
    assert any(abs(r - 214) < 30 and abs(g - 39) < 30 and abs(b - 40) < 30 for _, (r, g, b) in colours)


def test_crop_from_an_image_source(tmp_path: Path) -> None:
    """Images (the OCR adapter's input) are cropped in their own pixels, no rendering."""
    from PIL import ImageDraw

    from extractor.output.crops import Cropper

    scan = Image.new("RGB", (1600, 2200), "white")
    ImageDraw.Draw(scan).rectangle((200, 1000, 1400, 1060), outline="black", width=2)
    scan.save(tmp_path / "page.png")
    cropper = Cropper(tmp_path / "page.png", "image")
    picture = Image.open(io.BytesIO(cropper.crop(1, [700, 1005, 800, 1055])))
    assert picture.format == "PNG" and 60 < picture.height < 300
    colours = {c for _, c in picture.convert("RGB").getcolors(maxcolors=1 << 20) or []}
    assert (214, 39, 40) in colours
    with pytest.raises(ValueError):
        Cropper(tmp_path / "page.png", "html")
