"""The apps import one another one way only: no import cycle between apps.

Each app sits on a layer and may import the apps of lower layers, never one of its own
layer or above. What spans every app (the URL map, the home page, `serve`, the `aigak`
command) is the project layer on top: `aigak.site` and the package's own modules
(`aigak.cli`, `aigak.settings`, `aigak.wsgi`). A lower app that must show something of a
higher one offers a hook instead (`aigak.records.hooks`: evidence adds its panel to a
record's page). Imports under `if TYPE_CHECKING:` are for the type checker and do not
count; tests and migrations are not checked. docs/architecture.md draws the layers.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "aigak"
PROJECT = "site"  # the package's own modules count as the project layer

# Lowest first.
LAYERS: list[set[str]] = [
    {"lib"},
    {"accounts"},
    {"questionnaires"},
    {"records"},
    {"runs"},
    {"evidence", "reports"},
    {"collection"},
    {"linkage"},
    {"estimation"},
    {"publishing"},
    {"api"},
    {"site"},
]
LAYER = {app: level for level, apps in enumerate(LAYERS) for app in apps}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported(tree: ast.AST) -> set[str]:
    """Modules named by the imports of `tree`, outside `if TYPE_CHECKING:` blocks."""
    found: set[str] = set()
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        stack.extend(ast.iter_child_nodes(node))
    return found


def app_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "aigak" or len(parts) < 2:
        return None
    if (PACKAGE / parts[1]).is_dir():
        return parts[1]
    if (PACKAGE / f"{parts[1]}.py").exists():
        return PROJECT
    return None  # a name of the package itself (aigak.__version__)


def app_imports() -> dict[tuple[str, str], set[str]]:
    """{(importing app, imported app): {modules that import it}}, across apps only."""
    edges: dict[tuple[str, str], set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent)
        if {"tests", "migrations"} & set(rel.parts) or rel.name == "conftest.py":
            continue
        source = app_of(".".join(rel.with_suffix("").parts)) or PROJECT
        for module in _imported(ast.parse(path.read_text(encoding="utf-8"))):
            target = app_of(module)
            if target is not None and target != source:
                edges.setdefault((source, target), set()).add(str(rel))
    return edges


EDGES = app_imports()


def test_it_knows_the_layer_of_every_app():
    apps = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    apps -= {"locale", "static", "templates"}
    assert apps <= set(LAYER), f"place {sorted(apps - set(LAYER))} in LAYERS"


@pytest.mark.parametrize(("source", "target"), sorted(EDGES))
def test_it_imports_only_lower_layers(source, target):
    where = ", ".join(sorted(EDGES[(source, target)]))
    assert LAYER[source] > LAYER[target], f"{source} imports {target} in {where}"


def _cycle(edges: set[tuple[str, str]]) -> list[str] | None:
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)

    def visit(node: str, path: list[str]) -> list[str] | None:
        if node in path:
            return path[path.index(node) :] + [node]
        for nxt in sorted(graph.get(node, ())):
            found = visit(nxt, [*path, node])
            if found:
                return found
        return None

    for start in sorted(graph):
        found = visit(start, [])
        if found:
            return found
    return None


def test_there_is_no_import_cycle_between_apps():
    assert _cycle(set(EDGES)) is None


def test_the_cycle_finder_finds_one():
    """The check above can fail: two apps importing each other are a cycle."""
    assert _cycle({("records", "evidence"), ("evidence", "records")}) == [
        "evidence",
        "records",
        "evidence",
    ]
    found = _imported(ast.parse("from aigak.evidence import access\nimport aigak.lib.env"))
    assert {app_of(m) for m in found} == {"evidence", "lib"}
