"""OCR of scanned pages and images: preprocessing, ruling lines, the engine, cell reading.

Used by ingest for the pages that are pixels. Only `options` is light; the other modules need numpy
and OpenCV and are imported when a page needs OCR.
"""
