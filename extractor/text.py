"""Text normalisation and fuzzy label matching, shared by the locators and the reconstructors."""

from __future__ import annotations

import unicodedata
from difflib import SequenceMatcher
from functools import lru_cache

import regex

_SPACE = regex.compile(r"\s+")
# Numbering tokens: （三） (三) 三、 3. 3、 ３．, anywhere in a label (wrapped labels carry them inside).
_NUMBERING = regex.compile(
    r"[（(][一二三四五六七八九十]{1,3}[)）]|[一二三四五六七八九十]{1,3}、|(?<!\d)\d{1,2}[.、．](?!\d)"
)
_PAREN = regex.compile(r"[（(][^（）()]{2,}[)）]")
_PUNCT = regex.compile(r"[\p{P}\p{S}]+")
_ORDINAL = regex.compile(
    r"^\s*(?:[（(]\s*([一二三四五六七八九十]{1,3})\s*[)）]|([一二三四五六七八九十]{1,3})\s*、|(\d{1,2})\s*[.、．])"
)


def squash(text: str) -> str:
    """NFKC with every whitespace removed: how labels and headings are compared."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def full_width_brackets(text: str) -> str:
    return text.replace("(", "（").replace(")", "）")


@lru_cache(maxsize=4096)
def label_key(text: str) -> str:
    """A label reduced to its words: no whitespace, numbering, parenthesised hints or punctuation."""
    s = squash(text)
    s = _NUMBERING.sub("", s)
    s = _PAREN.sub("", s)
    return _PUNCT.sub("", s)


def ordinal(text: str) -> str | None:
    """The leading numbering of a label ("（三）" → "三", "2." → "2"), if any."""
    m = _ORDINAL.match(unicodedata.normalize("NFKC", text))
    if not m:
        return None
    return next(g for g in m.groups() if g)


@lru_cache(maxsize=16384)
def similarity(a: str, b: str) -> float:
    """0..1 similarity of two labels, after `label_key`."""
    ka, kb = label_key(a), label_key(b)
    if not ka or not kb:
        return 0.0
    if ka == kb:
        return 1.0
    return SequenceMatcher(None, ka, kb, autojunk=False).ratio()


def best_similarity(text: str, candidates: tuple[str, ...] | list[str]) -> float:
    return max((similarity(text, c) for c in candidates), default=0.0)
