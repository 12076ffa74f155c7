"""Plain-text and Markdown renderings of a report, as tools that flatten a web page or a PDF make them.

From the same logical layout as the DOCX and HTML renderers (``report_layout``):

- ``flat``: a crawler's dump of the page: the whole report on one line, each table's cells
  concatenated in row order with nothing between them (a merged cell once, at its first row), so
  "217 | 1 | 0 | 0 | 0 | 0 | 218" becomes "21710000218";
- ``spaced``: one line per table row, cells kept apart by a space (text copied from a browser);
- ``markdown``: one pipe table per grid (merged cells at their first position, the positions they
  cover left empty), as HTML-to-Markdown converters write them.

A blank cell leaves nothing in ``flat`` and ``spaced`` text: that is the medium's loss, which the
extractor must report (a row it cannot fill), never fill by guessing.
"""

from __future__ import annotations

from samples import report_layout as rl


def _rows(grid: rl.Grid) -> list[list[rl.Cell | None]]:
    """Each row's cells on the grid: a merged cell at its origin, None where a span covers."""
    occ = rl.occupancy(grid)
    out: list[list[rl.Cell | None]] = []
    for r, orow in enumerate(occ):
        row: list[rl.Cell | None] = []
        for c, o in enumerate(orow):
            assert o is not None
            origin_r, i = o
            cell = grid.rows[origin_r][i]
            first_col = c == 0 or orow[c - 1] != o
            row.append(cell if origin_r == r and first_col else None)
        out.append(row)
    return out


def _paragraphs(truth: rl.Truth) -> list[tuple[str, str | None]]:
    """(text, grid key or None) in reading order: title, intro, headings, narrative or tables."""
    out: list[tuple[str, str | None]] = [(rl.title(truth), None), (rl.intro(truth), None)]
    grids = rl.grids(truth)
    for key, heading in rl.HEADINGS:
        out.append((heading, None))
        if key in grids:
            out.append(("", key))
        else:
            out.extend((t, None) for t in rl.narrative(truth, key))
    out.append((str(truth["report"]["agency"]), None))
    pub = rl.published_date(truth)
    if pub is not None:
        out.append((rl.chinese_date(pub), None))
    return out


def flat(truth: rl.Truth) -> str:
    grids = rl.grids(truth)
    parts = []
    for text, key in _paragraphs(truth):
        if key is None:
            parts.append(text)
        else:
            parts.append("".join(c.text for row in _rows(grids[key]) for c in row if c is not None))
    return "".join(parts) + "\n"


def spaced(truth: rl.Truth) -> str:
    grids = rl.grids(truth)
    lines = []
    for text, key in _paragraphs(truth):
        if key is None:
            lines.extend([text, ""])
            continue
        for row in _rows(grids[key]):
            texts = [c.text.replace("\n", "") for c in row if c is not None]
            lines.append(" ".join(t for t in texts if t))
        lines.append("")
    return "\n".join(lines)


def markdown(truth: rl.Truth) -> str:
    grids = rl.grids(truth)
    lines = [f"# {rl.title(truth)}", ""]
    for text, key in _paragraphs(truth)[1:]:
        if key is None:
            lines.extend([text, ""])
            continue
        rows = _rows(grids[key])
        for n, row in enumerate(rows):
            cells = [(c.text.replace("\n", "") if c is not None else "") for c in row]
            lines.append("| " + " | ".join(cells) + " |")
            if n == 0:
                lines.append("|" + "---|" * len(cells))
        lines.append("")
    return "\n".join(lines)


STYLES = {"flat": flat, "spaced": spaced, "markdown": markdown}
