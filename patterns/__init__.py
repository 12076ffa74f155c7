"""Data: section headings, templates and number formats, as TOML."""
