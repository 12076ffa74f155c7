"""Pictures of a source page around a cell, for the review page: the band of the page that holds the
cell (so its row label shows), the cell framed in red, as PNG bytes.

A cell's `bbox` is in PDF points for PDFs (rendered here with pdfium) and in pixels of the page for
images (read with Pillow). Cells of web pages, Word files and text have no geometry and no crop.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

PDF_KINDS = ("pdf-text", "pdf-scanned", "pdf-mixed")
IMAGE_KINDS = ("image",)
SCALE = 1.5
"""Pixels per PDF point of a rendered page (108 dpi)."""
MARGIN = 30.0
"""How much of the page above and below the cell a crop shows, in PDF points."""
MAX_WIDTH = 1000
"""Crops of large images are scaled down to this width in pixels."""


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
        band = _trim(band)
        if band.width > MAX_WIDTH:
            band = band.resize((MAX_WIDTH, max(1, round(band.height * MAX_WIDTH / band.width))))
        out = io.BytesIO()
        band.save(out, format="PNG")
        return out.getvalue()

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


def _trim(band: Any, pad: int = 12) -> Any:
    """The band without the blank page margins left and right."""
    from PIL import ImageChops, ImageOps

    ink = ImageChops.invert(ImageOps.grayscale(band)).point(lambda v: 255 if v > 40 else 0)
    box = ink.getbbox()
    if box is None:
        return band
    return band.crop((max(0, box[0] - pad), 0, min(band.width, box[2] + pad), band.height))
