"""Synthetic sample reports (政府信息公开工作年度报告) with known ground truth.

`samples.truth` makes a random but internally consistent truth in the ground-truth
format; `samples.render_pdf` draws it as a text PDF that imitates a WPS/Word export;
`samples.generate` writes the fixed sample set (`python -m samples.generate`);
`samples.check_pdf` re-reads the PDFs with pdfplumber and compares them with the truth.
"""
