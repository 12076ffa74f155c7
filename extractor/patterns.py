"""The TOML data in `patterns/`: loaded once, read through typed accessors."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

# Installed, the TOML ships as `extractor/_patterns`; in a source tree it is the top-level `patterns/`.
_PLACES = (Path(__file__).resolve().parent / "_patterns", Path(__file__).resolve().parent.parent / "patterns")


@cache
def load(name: str) -> dict[str, Any]:
    """The parsed `patterns/<name>.toml`."""
    for folder in _PLACES:
        path = folder / f"{name}.toml"
        if path.is_file():
            return tomllib.loads(path.read_text(encoding="utf-8"))
    raise FileNotFoundError(f"patterns/{name}.toml is missing: reinstall extractor")


@dataclass(frozen=True)
class RowSpec:
    key: str
    label: str
    group: str = ""
    aliases: tuple[str, ...] = ()
    variant: str = ""  # "single" or "split" for the rows of （六）, "" for the rest


@dataclass(frozen=True)
class ColumnSpec:
    key: str
    aliases: tuple[str, ...]
    template: str = ""  # the only template that has this column, "" when both do
    money: bool = False
    signed: bool = False


@dataclass(frozen=True)
class ProactiveRowSpec:
    key: str
    aliases: tuple[str, ...]
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)  # template -> column keys


def _columns(items: list[dict[str, Any]]) -> tuple[ColumnSpec, ...]:
    return tuple(
        ColumnSpec(
            key=c["key"],
            aliases=tuple(c["aliases"]),
            template=c.get("template", ""),
            money=c.get("money", False),
            signed=c.get("signed", False),
        )
        for c in items
    )


@cache
def request_rows() -> tuple[RowSpec, ...]:
    return tuple(
        RowSpec(
            key=r["key"],
            label=r["label"],
            group=r.get("group", ""),
            aliases=tuple(r.get("aliases", ())),
            variant=r.get("variant", ""),
        )
        for r in load("templates")["requests"]["rows"]
    )


@cache
def request_columns() -> tuple[ColumnSpec, ...]:
    return _columns(load("templates")["requests"]["columns"])


@cache
def proactive_columns() -> tuple[ColumnSpec, ...]:
    return _columns(load("templates")["proactive"]["columns"])


@cache
def proactive_rows() -> tuple[ProactiveRowSpec, ...]:
    return tuple(
        ProactiveRowSpec(
            key=r["key"],
            aliases=tuple(r["aliases"]),
            columns={t: tuple(cols) for t, cols in r["columns"].items()},
        )
        for r in load("templates")["proactive"]["rows"]
    )


@cache
def review_blocks() -> tuple[ColumnSpec, ...]:
    return _columns(load("templates")["review_litigation"]["blocks"])


@cache
def review_leaves() -> tuple[ColumnSpec, ...]:
    return _columns(load("templates")["review_litigation"]["leaves"])
