"""Pictures of a source page around a cell, for the review page: the band of the page that holds the
cell (so its row label shows), the cell framed in red, as PNG bytes.

A cell's `bbox` is in PDF points for PDFs (rendered here with pdfium) and in pixels of the page for
images (read with Pillow). Cells of web pages, Word files and text have no geometry and no crop.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ..errors import InputMissingError
from ..model import cell_at

PDF_KINDS = ("pdf-text", "pdf-scanned", "pdf-mixed")
IMAGE_KINDS = ("image",)
SCALE = 1.5
"""Pixels per PDF point of a rendered page (108 dpi)."""
MARGIN = 30.0
"""How much of the page above and below the cell a crop shows, in PDF points."""
MAX_WIDTH = 1000
"""Crops of large images are scaled down to this width in pixels."""
RED = (214, 39, 40)
"""The frame of a doubtful cell."""
BLUE = (59, 111, 182)
"""The frames of the cells of a relation the source breaks."""


class Cropper:
    """Crops cells out of one source file; each page is rendered once."""

    def __init__(self, source: Path, kind: str) -> None:
        if kind not in PDF_KINDS + IMAGE_KINDS:
            raise ValueError(f"{kind} sources have no page geometry")
        self.source, self.kind = source, kind
        self._pages: dict[int, tuple[Any, float]] = {}  # page → (PIL image, pixels per bbox unit)
        self._pdf: Any = None

    def crop(self, page: int, bbox: list[float]) -> bytes:
        """The PNG of the page band around `bbox`, the cell framed; raises on an unreadable source."""
        from PIL import ImageDraw

        image, scale = self._page(page)
        x0, top, x1, bottom = (v * scale for v in bbox)
        margin = MARGIN * scale if self.kind in PDF_KINDS else max(bottom - top, 10.0) * 1.5
        band = image.crop(
            (0, max(0, int(top - margin)), image.width, min(image.height, int(bottom + margin)))
        )
        band = band.convert("RGB")
        offset = max(0, int(top - margin))
        ImageDraw.Draw(band).rectangle(
            (x0 - 3, top - offset - 3, x1 + 3, bottom - offset + 3), outline=(214, 39, 40), width=3
        )
        return _png(band)

    def crop_marked(
        self,
        marks: list[tuple[int, list[float]]],
        colour: tuple[int, int, int] = BLUE,
        header: tuple[int, float, float] | None = None,
    ) -> bytes:
        """One PNG of the page bands that hold the cells `marks` ((page, bbox)), each framed in
        `colour`; above them, when given, the band (page, top, bottom) of the table's header, so that
        a cell shows with its row label and its column header. Bands of several pages are stacked."""
        from PIL import Image, ImageDraw

        bands = []
        pages = sorted({page for page, _ in marks})
        if header is not None:
            page, top, bottom = header
            first = min((b for p, b in marks if p == page), key=lambda b: b[1], default=None)
            if first is not None and first[1] - bottom < 4 * MARGIN:  # near the cells: one band
                marks = [*marks, (page, [first[0], top, first[0], top])]
            else:
                bands.append(self._band(page, top, bottom, [], colour))
        for page in pages:
            boxes = [b for p, b in marks if p == page]
            top, bottom = min(b[1] for b in boxes), max(b[3] for b in boxes)
            bands.append(self._band(page, top, bottom, [b for b in boxes if b[0] != b[2]], colour))
        width = max(b.width for b in bands)
        picture = Image.new("RGB", (width, sum(b.height for b in bands) + 6 * (len(bands) - 1)), "white")
        y = 0
        for i, band in enumerate(bands):
            if i:
                ImageDraw.Draw(picture).rectangle((0, y, width, y + 5), fill=(200, 200, 200))
                y += 6
            picture.paste(band, (0, y))
            y += band.height
        return _png(picture)

    def _band(
        self, page: int, top: float, bottom: float, boxes: list[list[float]], colour: tuple[int, int, int]
    ) -> Any:
        """The page from `top` to `bottom` (bbox units) with a margin, `boxes` framed."""
        from PIL import ImageDraw

        image, scale = self._page(page)
        top, bottom = top * scale, bottom * scale
        margin = MARGIN * scale if self.kind in PDF_KINDS else max(bottom - top, 10.0) * 0.5
        offset = max(0, int(top - margin))
        band = image.crop((0, offset, image.width, min(image.height, int(bottom + margin)))).convert("RGB")
        draw = ImageDraw.Draw(band)
        for x0, y0, x1, y1 in ((v * scale for v in b) for b in boxes):
            draw.rectangle((x0 - 3, y0 - offset - 3, x1 + 3, y1 - offset + 3), outline=colour, width=3)
        return band

    def _page(self, page: int) -> tuple[Any, float]:
        if page not in self._pages:
            self._pages[page] = self._render_pdf(page) if self.kind in PDF_KINDS else self._read_image(page)
        return self._pages[page]

    def _render_pdf(self, page: int) -> tuple[Any, float]:
        import pypdfium2 as pdfium

        if self._pdf is None:
            self._pdf = pdfium.PdfDocument(str(self.source))
        if not 1 <= page <= len(self._pdf):
            raise ValueError(f"page {page} is not in the file ({len(self._pdf)} pages)")
        image = self._pdf[page - 1].render(scale=SCALE).to_pil()
        return image, SCALE

    def _read_image(self, page: int) -> tuple[Any, float]:
        from PIL import Image

        with Image.open(self.source) as image:
            image.seek(page - 1)  # multi-page TIFF; page 1 for any other image
            return image.copy(), 1.0

    def close(self) -> None:
        if self._pdf is not None:
            self._pdf.close()
            self._pdf = None
        self._pages.clear()


def _png(picture: Any) -> bytes:
    """The picture trimmed, at most MAX_WIDTH wide, as PNG bytes."""
    picture = _trim(picture)
    if picture.width > MAX_WIDTH:
        picture = picture.resize((MAX_WIDTH, max(1, round(picture.height * MAX_WIDTH / picture.width))))
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


def _trim(band: Any, pad: int = 12) -> Any:
    """The band without the blank page margins left and right."""
    from PIL import ImageChops, ImageOps

    ink = ImageChops.invert(ImageOps.grayscale(band)).point(lambda v: 255 if v > 40 else 0)
    box = ink.getbbox()
    if box is None:
        return band
    return band.crop((max(0, box[0] - pad), 0, min(band.width, box[2] + pad), band.height))


# The header's height above a table's topmost cell, in rows of that cell (the headers of 三 and 四
# have several levels).
HEADER_ROWS = {"requests": 4.0, "review_litigation": 3.0, "proactive": 1.5}


cell_of = cell_at  # the cell a path names in a report's JSON


def header_band(data: dict[str, Any], path: str) -> tuple[int, float, float] | None:
    """(page, top, bottom) of the header above the column of `path`: above the topmost cell of that
    column, as high as HEADER_ROWS rows of the cell."""
    table, _, column = path.split(".")
    cell = cell_of(data, path)
    if cell is None or cell.get("bbox") is None:
        return None
    found = data.get(table) or {}
    rows = found if isinstance(found, list) else found.values()  # legacy_statistics is a list
    placed = [
        (c["page"], c["bbox"][1])
        for row in rows
        if (c := row.get(column)) is not None and c.get("page") is not None and c.get("bbox") is not None
    ]
    page, top = min(placed)
    height = (cell["bbox"][3] - cell["bbox"][1]) * HEADER_ROWS.get(table, 2.0)
    return page, max(0.0, top - height), top


def relation_picture(cropper: Any, data: dict[str, Any], paths: list[str]) -> bytes:
    """The table region of a relation's cells (those with a place), framed in blue, under the header
    of the first cell's column."""
    placed = [
        (p, c)
        for p in paths
        if (c := cell_of(data, p)) is not None and c.get("page") is not None and c.get("bbox") is not None
    ]
    if not placed:
        raise InputMissingError("the relation's cells have no place on a page")
    marks = [(c["page"], c["bbox"]) for _, c in placed]
    picture: bytes = cropper.crop_marked(marks, BLUE, header_band(data, placed[0][0]))
    return picture
