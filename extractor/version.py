"""The extractor's version: in outputs (batch summaries) and `extractor --version`."""

__version__ = "0.1.0"
