"""The code stays readable in one sitting: no module over 600 lines (form sources and
migrations are data), no function over 80 lines. A long numba kernel would be listed here
with its reason; there is none."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "aigak"
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
# module path -> reason; data, not code.
MODULES_LEFT_OUT = ("migrations", "forms/source")
LONG_FUNCTIONS: dict[str, str] = {}  # "module:function" -> why it stays long

MODULES = sorted(
    path
    for path in PACKAGE.rglob("*.py")
    if not any(part in path.relative_to(PACKAGE).as_posix() for part in MODULES_LEFT_OUT)
)


def _name(path: Path) -> str:
    return path.relative_to(PACKAGE.parent).as_posix()


def test_it_reads_the_package():
    assert len(MODULES) > 100


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_no_module_is_over_600_lines(path):
    lines = path.read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_MODULE_LINES, f"{_name(path)} has {lines} lines"


def test_no_function_is_over_80_lines():
    long = []
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                key = f"{_name(path)}:{node.name}"
                if length > MAX_FUNCTION_LINES and key not in LONG_FUNCTIONS:
                    long.append(f"{key} ({length} lines)")
    assert long == []
