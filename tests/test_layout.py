"""The tree is the pipeline: each stage package imports only earlier stages and the shared modules
beside them (the IR, the contract types, errors, patterns), never a later stage or the command line,
and no modules import each other in a circle (imports inside functions count too)."""

from __future__ import annotations

import ast
from pathlib import Path

from .conftest import ROOT

PACKAGE = ROOT / "extractor"

# In the order data flows. The shared modules (rank 0) are the IR, the contract and what every stage
# reads: they import no stage.
RANKS: dict[str, int] = {
    **dict.fromkeys(
        ("document", "model", "errors", "patterns", "version"),
        0,
    ),
    **dict.fromkeys(
        ("text", "numbers", "limits", "grid", "vocabulary", "workers", "forksafe"),
        0,
    ),
    "ocr": 1,
    "ingest": 2,
    "locate": 3,
    "reconstruct": 4,
    "validate": 5,
    "pipeline": 6,
    "batch": 7,
    "output": 8,
    "cli": 9,
    "__main__": 9,
    "": 9,  # the package itself: the public API, `extract` and `extract_many`
}
STAGES = ("ocr", "ingest", "locate", "reconstruct", "validate", "batch", "output")


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, name: str) -> set[str]:
    """Every extractor module `path` imports, at any depth of its code."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "extractor")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "extractor":
                continue
            for alias in node.names:  # `from . import patterns` imports a module
                sub = f"{target}.{alias.name}"
                found.add(sub if _exists(sub) else target)
    return found


def _exists(module: str) -> bool:
    rel = Path(*module.split(".")[1:])
    return (PACKAGE / rel).with_suffix(".py").is_file() or (PACKAGE / rel / "__init__.py").is_file()


def _graph() -> dict[str, set[str]]:
    graph = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = _module(path)
        graph[name] = {m for m in _imports(path, name) if m != name}
    return graph


def _rank(module: str) -> int:
    top = module.split(".")[1] if "." in module else ""
    assert top in RANKS, f"{module}: not placed in the pipeline's order (add it to RANKS)"
    return RANKS[top]


def test_every_stage_is_a_package() -> None:
    for stage in STAGES:
        assert (PACKAGE / stage / "__init__.py").is_file(), stage


def test_no_module_imports_a_later_stage() -> None:
    wrong = [
        f"{module} imports {target}"
        for module, targets in _graph().items()
        for target in targets
        if target != "extractor._patterns" and _rank(target) > _rank(module)
    ]
    assert not wrong, wrong


def test_no_import_circles() -> None:
    graph = _graph()
    # A package's __init__ may import its own modules; only the modules themselves must not loop.
    edges = {m: {t for t in ts if not m.startswith(t + ".")} for m, ts in graph.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    circles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    assert not circles, circles


def test_the_checks_see_imports() -> None:
    """The graph is not empty by accident: the pipeline reads, locates, rebuilds and validates."""
    pipeline = _graph()["extractor.pipeline"]
    assert {"extractor.ingest", "extractor.locate.sections", "extractor.validate.checks"} <= pipeline
