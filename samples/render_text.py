"""Plain-text and Markdown renderings of a report, as tools that flatten a web page or a PDF make them.

From the same logical layout as the DOCX and HTML renderers (``report_layout``):

- ``flat``: a crawler's dump of the page: the whole report on one line, each table's cells
  concatenated in row order with nothing between them (a merged cell once, at its first row), so
  "217 | 1 | 0 | 0 | 0 | 0 | 218" becomes "21710000218";
- ``crawler`` (not in ``STYLES``: it takes a seed): ``flat`` as an archive crawler saves it, under a
  header of page metadata, with the stray spaces such pages keep here and there between a label and
  its numbers or between two cells ("230 000023");
- ``spaced``: one line per table row, cells kept apart by a space (text copied from a browser);
- ``markdown``: one pipe table per grid (merged cells at their first position, the positions they
  cover left empty), as HTML-to-Markdown converters write them.

A blank cell leaves nothing in ``flat`` and ``spaced`` text: that is the medium's loss, which the
extractor must report (a row it cannot fill), never fill by guessing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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

LABEL_SPACE = 0.1  # a space after a row label, in ``crawler``
CELL_SPACE = 0.04  # a space between two value cells, in ``crawler``


def crawler(truth: rl.Truth, seed: int = 0) -> str:
    """``flat`` under an archive crawler's page header, with stray spaces drawn from `seed`: after a
    row label (``LABEL_SPACE``), between two value cells (``CELL_SPACE``). A space only ever falls
    between cells, never inside a number."""
    import random

    rng = random.Random(seed)
    grids = rl.grids(truth)
    parts = []
    for text, key in _paragraphs(truth):
        if key is None:
            parts.append(text)
            continue
        for row in _rows(grids[key]):
            prev: rl.Cell | None = None
            for c in (c for c in row if c is not None):
                if prev is not None and c.role == rl.ROLE_VALUE:
                    after_label = prev.role != rl.ROLE_VALUE
                    if rng.random() < (LABEL_SPACE if after_label else CELL_SPACE):
                        parts.append(" ")
                parts.append(c.text)
                prev = c
    pub = rl.published_date(truth)
    head = [
        f"标题: {rl.title(truth)}",
        f"发布时间: {pub.isoformat() if pub else ''}",
        f"发布机构: {truth['report']['agency']}",
        "栏目: 政府信息公开年报",
        "==================== 正文 ====================",
    ]
    return "\n".join(head) + "\n" + "".join(parts) + "\n"


# --- a PDF-to-Markdown converter's output ----------------------------------------------------------

# The ways a converter mangles the report's tables (``converter`` applies the ones it is given):
ARTEFACTS = (
    "header_fragments",  # header cells read line by line across the columns, as free text lines
    "repeated_headings",  # "## 表三：…" before every piece of the table
    "detached_labels",  # rows without their label, the labels written apart as free (wrapped) lines
    "split_rows",  # a row's cells over two Markdown rows
    "pulled_cells",  # a cell taken out of its row and written as a free line above it
    "short_rows",  # blank cells dropped: rows with fewer cells than columns
    "free_subtables",  # section 二's sub-tables as free lines ("行政许可 97")
)
TABLE_HEADINGS = {
    "proactive": "## 表二：主动公开政府信息情况",
    "requests": "## 表三：收到和处理政府信息公开申请情况",
    "review_litigation": "## 表四：政府信息公开行政复议、行政诉讼情况",
}


@dataclass
class Written:
    """A table row as the converter wrote it: what a reader has to put back in place."""

    paths: list[str]  # the row's value cells, in the template's order
    printed: list[str]  # their texts as the report prints them
    kept: list[str]  # the texts the converter wrote for the row, in order (blanks dropped or not)
    apart: str | None = None  # a cell the converter took out and wrote before the row


def _wrap(text: str, width: int) -> list[str]:
    """Lines of `width` characters, never breaking a numbering from its mark ("1" | ".属于")."""
    out: list[str] = []
    at = 0
    while at < len(text):
        end = min(at + width, len(text))
        while at + 1 < end < len(text) and text[end - 1].isdigit() and text[end] in ".．、":
            end -= 1
        out.append(text[at:end])
        at = end
    return out or [""]


def _header_lines(cells: list[rl.Cell], width: int) -> list[str]:
    """Header cells read as a PDF converter reads them: line by line across the columns, each cell
    wrapped at `width` characters ("商业企" … "业")."""
    pieces = [_wrap(c.text.replace("\n", ""), width) for c in cells]
    depth = max(len(p) for p in pieces)
    return ["".join(p[i] for p in pieces if i < len(p)) for i in range(depth)]


def _md(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def converter(
    truth: rl.Truth, seed: int = 0, artefacts: tuple[str, ...] = ARTEFACTS, log: list[Written] | None = None
) -> str:
    """The report as a PDF-to-Markdown converter writes it: narrative as lines, tables as Markdown
    pieces mangled by `artefacts` (see ARTEFACTS), drawn at random from `seed`. Every cell's text is
    still there, once, in reading order; only its place in a row is lost. `log`, when given,
    receives each data row as written (what a reader has left to place its cells by)."""
    import random

    rng = random.Random(seed)
    on = set(artefacts)
    grids = rl.grids(truth)
    out: list[str] = [f"# {rl.title(truth)}", ""]
    for text, key in _paragraphs(truth)[1:]:
        if key is None:
            out.extend([text, ""])
            continue
        grid = grids[key]
        rows = _rows(grid)
        written: list[Written] = [] if log is None else log
        if key == "proactive":
            out.extend(_converter_proactive(rows, rng, on, written))
        else:
            out.extend(_converter_grid(key, rows, rng, on, written))
        out.append("")
    return "\n".join(out)


def _is_header(row: list[rl.Cell | None]) -> bool:
    return not any(c is not None and c.role == rl.ROLE_VALUE for c in row)


def _values(row: list[rl.Cell | None]) -> list[str]:
    return [c.text for c in row if c is not None and c.role == rl.ROLE_VALUE]


def _paths(row: list[rl.Cell | None]) -> list[str]:
    return [c.path or "" for c in row if c is not None and c.role == rl.ROLE_VALUE]


def _labels(row: list[rl.Cell | None]) -> list[str]:
    return [c.text.replace("\n", "") for c in row if c is not None and c.role != rl.ROLE_VALUE and c.text]


def _short(values: list[str], rng: Any, on: set[str]) -> list[str]:
    """Blank cells dropped (a converter that skips empty cells)."""
    if "short_rows" in on and "" in values and rng.random() < 0.7:
        return [v for v in values if v]
    return values


def _converter_proactive(
    rows: list[list[rl.Cell | None]], rng: Any, on: set[str], log: list[Written]
) -> list[str]:
    out: list[str] = []
    blocks: list[list[list[rl.Cell | None]]] = []
    for row in rows:
        cells = [c for c in row if c is not None]
        if cells and cells[0].role == rl.ROLE_CAPTION:
            blocks.append([])
        blocks[-1].append(row)
    for block in blocks:
        caption, header, data = block[0], block[1], block[2:]
        free = "free_subtables" in on and rng.random() < 0.5
        out.append(_labels(caption)[0])
        if free:
            out.append("".join(_labels(header)))
            for row in data:
                kept = [v for v in _values(row) if v]
                log.append(Written(_paths(row), _values(row), kept))
                out.append(" ".join([*_labels(row), *kept]))
            continue
        if "repeated_headings" in on:
            out.append(TABLE_HEADINGS["proactive"])
        out.append(_md(_labels(header)))
        out.append("|" + "---|" * len(_labels(header)))
        for row in data:
            kept = _short(_values(row), rng, on)
            log.append(Written(_paths(row), _values(row), kept))
            out.append(_md([*_labels(row), *kept]))
    return out


def _converter_grid(
    key: str, rows: list[list[rl.Cell | None]], rng: Any, on: set[str], log: list[Written]
) -> list[str]:
    out: list[str] = []
    header = [r for r in rows if _is_header(r)]
    data = [r for r in rows if not _is_header(r)]
    heading = TABLE_HEADINGS[key]
    if "header_fragments" in on:
        width = rng.choice((2, 3, 4))
        lines = [line for r in header for line in _header_lines([c for c in r if c is not None], width)]
        # The last fragments often land in the first Markdown row, one per cell.
        tail = lines.pop() if len(lines) > 2 and rng.random() < 0.5 else None
        out.extend(lines)
        if "repeated_headings" in on:
            out.append(heading)
        if tail is not None:
            cells = _wrap(tail, width)
            out.extend([_md(cells), "|" + "---|" * len(cells)])
    else:
        if "repeated_headings" in on:
            out.append(heading)
        for n, r in enumerate(header):
            cells = [(c.text.replace("\n", "") if c is not None else "") for c in r]
            out.append(_md(cells))
            if n == 0:
                out.append("|" + "---|" * len(cells))
    chunk: list[str] = []  # Markdown rows waiting for the labels detached before them
    detached: list[str] = []

    def flush() -> None:
        if "repeated_headings" in on and (chunk or detached) and rng.random() < 0.5:
            out.append(heading)
        out.extend(detached)
        out.extend(chunk)
        chunk.clear()
        detached.clear()

    for row in data:
        labels, values = _labels(row), _short(_values(row), rng, on)
        leaf = labels[-1] if labels else ""
        if "detached_labels" in on and labels and rng.random() < 0.3:
            # The whole label, wrapped as the PDF showed it, goes out as free lines before the rows.
            detached.extend(_wrap("".join(labels), rng.choice((8, 10, 12))))
            labels = []
        elif len(labels) > 1 and rng.random() < 0.5:
            labels = [leaf] if leaf else labels
        written = Written(_paths(row), _values(row), values)
        log.append(written)
        if "pulled_cells" in on and values and rng.random() < 0.15:
            i = rng.choice((0, len(values) - 1))
            if values[i]:
                chunk.append(values[i])
                values = values[:i] + values[i + 1 :]
                written.kept, written.apart = values, chunk[-1]
        if "split_rows" in on and len(values) > 3 and rng.random() < 0.15:
            cut = rng.randrange(2, len(values) - 1)
            chunk.append(_md([*labels, *values[:cut]]))
            chunk.append(_md(values[cut:]))
        else:
            chunk.append(_md([*labels, *values]))
        if rng.random() < 0.25:
            flush()
    flush()
    return out
