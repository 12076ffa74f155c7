"""`extractor debug`: every intermediate stage can be dumped, as pdfplumber lets you do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..document import Table
from ..ingest import read_document
from ..locate.sections import locate_sections, rows_by_section, table_pages


def _table(table: Table, with_cells: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "page": table.page,
        "rows": table.n_rows,
        "cols": table.n_cols,
        "bbox": table.bbox,
    }
    if with_cells:
        out["cells"] = [
            {
                "row": c.row,
                "col": c.col,
                "rowspan": c.rowspan,
                "colspan": c.colspan,
                "text": c.text,
                "bbox": c.bbox,
            }
            for c in table.cells
        ]
    else:
        out["grid"] = table.grid()
    return out


def dump_stage(path: Path, stage: str, password: str | None = None) -> dict[str, Any]:
    doc = read_document(path, password=password, table_pages=table_pages)
    if stage == "tables":
        return {"kind": doc.kind, "tables": [_table(t, with_cells=True) for t in doc.tables()]}
    if stage == "grid":
        return {"kind": doc.kind, "tables": [_table(t, with_cells=False) for t in doc.tables()]}
    located = locate_sections(doc)
    rows = rows_by_section(doc, located)
    return {
        "kind": doc.kind,
        "sections": {
            key: {
                "heading": s.heading,
                "start": s.start,
                "end": s.end,
                "pages": s.pages,
                "table_rows": len(rows[key]),
            }
            for key, s in located.items()
        },
    }
