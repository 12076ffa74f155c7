"""The DOCX adapter: spans from gridSpan/vMerge/gridBefore, text in order, layout tables, sniffing,
legacy .doc through LibreOffice; end to end on the official 2021 template filled in (read as DOCX,
no export) and on a .doc made from a sample (the samples' .docx are in test_samples.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from extractor import extract
from extractor.document import Document, Table
from extractor.errors import UnsupportedInputError
from extractor.ingest import docx as docx_reader
from extractor.ingest import read_document, sniff
from extractor.ingest.docx import read_docx

from .conftest import CORPUS, SAMPLES
from .truth import differences, source_failures, truth_source_failures

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="word/document.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
    "</Relationships>"
)


def p(text: str, extra: str = "") -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r>{extra}</w:p>'


def tc(text: str = "", span: int = 1, vmerge: str | None = None) -> str:
    pr = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
    if vmerge == "restart":
        pr += '<w:vMerge w:val="restart"/>'
    elif vmerge == "continue":
        pr += "<w:vMerge/>"  # no w:val: "continue", as Word writes it
    return f"<w:tc><w:tcPr>{pr}</w:tcPr>{p(text) if text else '<w:p/>'}</w:tc>"


def tr(*cells: str, before: int = 0) -> str:
    pr = f'<w:trPr><w:gridBefore w:val="{before}"/></w:trPr>' if before else ""
    return f"<w:tr>{pr}{''.join(cells)}</w:tr>"


def tbl(*rows: str) -> str:
    return f"<w:tbl><w:tblPr/><w:tblGrid/>{''.join(rows)}</w:tbl>"


def make_docx(path: Path, body: str) -> Path:
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{W_NS}"><w:body>{body}</w:body></w:document>'
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("_rels/.rels", RELS)
        z.writestr("word/document.xml", xml)
    return path


def grid(table: Table) -> list[list[str | None]]:
    return table.grid()


def texts(doc: Document) -> list[str]:
    return [line.text for line in doc.lines()]


# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------


def test_merged_cells_are_spans(tmp_path: Path) -> None:
    body = tbl(
        tr(tc("（本列数据的勾稽关系）", 2, "restart"), tc("申请人情况", 2)),
        tr(tc("", 2, "continue"), tc("自然人"), tc("总计")),
        tr(tc("三、本年度办理结果", vmerge="restart"), tc("（一）予以公开"), tc("3"), tc("3")),
        tr(tc(vmerge="continue"), tc("（二）部分公开"), tc(""), tc("0")),
    )
    doc = read_docx(make_docx(tmp_path / "t.docx", body))
    (table,) = doc.tables()
    assert grid(table) == [
        ["（本列数据的勾稽关系）", None, "申请人情况", None],
        [None, None, "自然人", "总计"],
        ["三、本年度办理结果", "（一）予以公开", "3", "3"],
        [None, "（二）部分公开", "", "0"],
    ]
    corner = table.at(1, 1)
    assert corner is not None and (corner.rowspan, corner.colspan) == (2, 2)
    # One cell per merged area, not one per grid position (python-docx would repeat it).
    assert len(table.cells) == 11
    assert all(c.bbox is None for c in table.cells) and table.col_x is None


def test_grid_before_shifts_a_row(tmp_path: Path) -> None:
    body = tbl(tr(tc("信息内容"), tc("本年制发件数"), tc("本年废止件数")), tr(tc("2"), tc("1"), before=1))
    (table,) = read_docx(make_docx(tmp_path / "t.docx", body)).tables()
    assert grid(table) == [["信息内容", "本年制发件数", "本年废止件数"], [None, "2", "1"]]


def test_legacy_horizontal_merge(tmp_path: Path) -> None:
    hm = '<w:tc><w:tcPr><w:hMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>行政许可</w:t></w:r></w:p></w:tc>'
    cont = "<w:tc><w:tcPr><w:hMerge/></w:tcPr><w:p/></w:tc>"
    body = tbl(tr(tc("信息内容"), tc("a"), tc("b")), tr(hm, cont, tc("5")))
    (table,) = read_docx(make_docx(tmp_path / "t.docx", body)).tables()
    first = table.at(1, 0)
    assert first is not None and (first.text, first.colspan) == ("行政许可", 2)
    assert grid(table)[1] == ["行政许可", None, "5"]


def test_a_table_that_frames_tables_is_read_through(tmp_path: Path) -> None:
    inner = tbl(tr(tc("信息内容"), tc("本年制发件数")), tr(tc("规章"), tc("2")))
    frame = f"<w:tbl><w:tr><w:tc>{p('二、主动公开政府信息情况')}{inner}{p('（续）')}</w:tc></w:tr></w:tbl>"
    doc = read_docx(make_docx(tmp_path / "t.docx", p("一、总体情况") + frame))
    assert texts(doc) == ["一、总体情况", "二、主动公开政府信息情况", "（续）"]
    (table,) = doc.tables()
    assert grid(table) == [["信息内容", "本年制发件数"], ["规章", "2"]]


# ---------------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------------


def test_text_in_order_with_controls_breaks_and_tracked_changes(tmp_path: Path) -> None:
    deleted = "<w:del><w:r><w:delText>删去</w:delText></w:r></w:del><w:del><w:r><w:t>旧</w:t></w:r></w:del>"
    inserted = "<w:ins><w:r><w:t>新增</w:t></w:r></w:ins>"
    body = (
        p("江州市人民政府2023年政府信息公开工作年度报告")
        + f"<w:sdt><w:sdtPr/><w:sdtContent>{p('一、总体情况')}</w:sdtContent></w:sdt>"
        + "<w:p><w:r><w:t>第一行</w:t><w:br/><w:t>第二行</w:t><w:tab/><w:t>末</w:t></w:r>"
        + f"{deleted}{inserted}</w:p>"
        + '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'
        + "<w:p/>"
        + p("二、主动公开政府信息情况")
        + tbl(tr(tc("信息内容"), tc("本年制发件数")), tr(tc("规章"), tc("2")))
        + p("三、收到和处理政府信息公开申请情况")
    )
    doc = read_docx(make_docx(tmp_path / "t.docx", body))
    assert texts(doc) == [
        "江州市人民政府2023年政府信息公开工作年度报告",
        "一、总体情况",
        "第一行",
        "第二行 末新增",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
    ]
    (table,) = doc.tables()
    lines = doc.lines()
    assert lines[4].y < table.row_y[0] < table.row_y[1] < lines[5].y  # one counter, document order
    assert doc.kind == "docx" and doc.n_pages is None


# ---------------------------------------------------------------------------------------------
# Sniffing and legacy files
# ---------------------------------------------------------------------------------------------


def test_sniffing_word_files_by_content(tmp_path: Path) -> None:
    named_badly = make_docx(tmp_path / "report.pdf.download", p("x"))
    assert sniff(named_badly) == "docx"
    ole = tmp_path / "report.bin"
    ole.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500 + "WordDocument".encode("utf-16-le"))
    assert sniff(ole) == "doc"
    rtf = tmp_path / "report.txt"
    rtf.write_bytes(rb"{\rtf1\ansi\ansicpg936 \par}")
    assert sniff(rtf) == "doc"
    workbook = tmp_path / "report.docx"
    with zipfile.ZipFile(workbook, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(UnsupportedInputError, match="Excel"):
        sniff(workbook)
    broken = tmp_path / "cut.docx"
    broken.write_bytes(b"not really a word file")
    with pytest.raises(UnsupportedInputError, match="Word"):
        sniff(broken)


def test_doc_without_libreoffice_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ole = tmp_path / "report.doc"
    ole.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500 + "WordDocument".encode("utf-16-le"))
    monkeypatch.setattr(docx_reader, "soffice", lambda: None)
    with pytest.raises(UnsupportedInputError, match=r"apt-get install libreoffice-writer"):
        read_document(ole)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_legacy_doc_through_libreoffice(tmp_path: Path) -> None:
    sample = SAMPLES / "office_2021.docx"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "doc",
            "--outdir",
            str(tmp_path),
            str(sample),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    doc_file = tmp_path / "office_2021.doc"
    assert sniff(doc_file) == "doc"
    truth = json.loads(Path(f"{sample}.json").read_text(encoding="utf-8"))
    report = extract(doc_file)
    assert report.source.kind == "docx" and report.source.file == "office_2021.doc"
    assert differences(report, truth) == []
    assert any("LibreOffice" in w for w in report.warnings)


# ---------------------------------------------------------------------------------------------
# End to end: the official 2021 Word template, filled in
# ---------------------------------------------------------------------------------------------

TEMPLATE = CORPUS / "templates" / "2021-official-template.docx"

# case id -> (seed, make_truth options)
CASES: dict[str, tuple[int, dict[str, Any]]] = {
    "seed1": (1, {}),
    "seed2-blank-and-dash-zeros": (2, {"blank_zero_rate": 0.3, "dash_zero_rate": 0.2}),
    "seed3-large-variant-headings-wrong-total": (
        3,
        {"scale": "large", "heading_variants": True, "source_failure": "request_total"},
    ),
}


@pytest.mark.corpus
@pytest.mark.parametrize("case", list(CASES))
def test_official_template_as_docx(corpus: Path, tmp_path: Path, case: str) -> None:
    """The template agencies type into (WPS-made merges, full-width spaces in empty cells), filled
    with a truth and read as a Word file: every cell, the metadata, the source failures."""
    from samples.fill_template import fill_template
    from samples.truth import make_truth

    if not TEMPLATE.is_file():
        pytest.skip(f"the official template is not in the corpus ({TEMPLATE.name})")
    seed, options = CASES[case]
    truth = make_truth(seed, "2021", file=f"{case}.docx", **options)
    filled = tmp_path / f"{case}.docx"
    fill_template(TEMPLATE, truth, filled)
    report = extract(filled)
    assert report.source.kind == "docx"
    assert differences(report, truth) == []
    assert (report.report.agency, report.report.year, report.report.template) == (
        truth["report"]["agency"],
        truth["report"]["year"],
        "2021",
    )
    assert source_failures(report) == truth_source_failures(truth)
    assert [c.id for c in report.checks if not c.passed and c.cause == "reading"] == []
    assert report.needs_review == []
