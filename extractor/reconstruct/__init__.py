"""Reconstruct: physical table rows aligned to the template's rows and columns, per section: 二
(`proactive`), 三 (`requests`), 四 (`review`); shared row and cell helpers (`rows`, `cells`)."""
