"""The bare baseline: open a PDF with pdfplumber and call extract_tables() on every page."""

import sys

import pdfplumber

with pdfplumber.open(sys.argv[1]) as pdf:
    for page in pdf.pages:
        page.extract_tables()
