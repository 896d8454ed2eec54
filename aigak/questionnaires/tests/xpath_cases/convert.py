"""Convert the public JavaRosa and Enketo expression tests into JSON-lines case tables.

    python convert.py JAVAROSA_XPathEvalTest.java ENKETO_RAW.jsonl

writes javarosa.jsonl and enketo.jsonl beside this file (see README.md for the sources,
their commits, and how the Enketo lines are recorded). Each line is a case that
``aigak form eval --cases`` reads, plus what the original test expects:

    {"expression": ..., "type": "boolean"|"number"|"string"|null, "check": "equal"|
     "error"|"match"|"length"|"rounded"|"ok"|"instant", "expected": ..., "tz": ...,
     "source": "file: test", "excluded": "why" (only on cases that do not apply)}

A case does not apply when it needs an XML document: a location path, a context node,
an XML fixture, node-set results, or the Java harness's own function handlers.
"""

from __future__ import annotations

import ast
import json
import math
import re
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parents[3]))

from aigak.questionnaires.xpath.parser import tokens  # noqa: E402

ENKETO_RECORDED_AT = "2026-12-04T12:00:00Z"  # the clock record_enketo.js fixes
CONTEXT_FUNCTIONS = {"string", "string-length", "normalize-space", "number", "position", "last"}
DOM_FUNCTIONS = {"id", "lang", "name", "local-name", "namespace-uri", "randomize"}
PATH_OPS = {"/", "//", "@", "::", ".", "..", "|", "["}


def xml_reason(expression: str, context: bool = True) -> str | None:
    """Why an expression needs an XML document, or None if it does not. context: it is
    evaluated at a node, so functions without an argument read that node."""
    try:
        found = tokens(expression)
    except ValueError:
        return None
    for i, (kind, value) in enumerate(found):
        after = found[i + 1] if i + 1 < len(found) else None
        call = after == ("op", "(")
        if kind == "var":
            return "variable reference ($name) bound by the test harness"
        if kind == "op" and value in PATH_OPS:
            return "XML location path or node-set operator"
        if kind == "name" and not call:
            return "XML location path (element name)"
        if kind == "name" and call:
            name = value.split(":")[-1]
            if name in DOM_FUNCTIONS or name in _NODE_TESTS:
                return f"{name}() reads XML nodes"
            closes = found[i + 2] if i + 2 < len(found) else None
            if context and name == "once":
                return "once() reads the value of the XML context node"
            if context and name in CONTEXT_FUNCTIONS and closes == ("op", ")"):
                return f"{name}() without an argument reads the XML context node"
    return None


_NODE_TESTS = {"node", "text", "comment", "processing-instruction"}

# --- JavaRosa -----------------------------------------------------------------------

_TEST_EVAL = re.compile(r"^\s*testEval\((?P<args>.*)\);\s*(//.*)?$")
_METHOD = re.compile(r"public void (\w+)\(")


def _split_args(text: str) -> list[str]:
    parts, depth, quote, start = [], 0, "", 0
    i = 0
    while i < len(text):
        char = text[i]
        if quote:
            if char == "\\":
                i += 2
                continue
            if char == quote:
                quote = ""
        elif char == '"':
            quote = char
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
        i += 1
    parts.append(text[start:].strip())
    return parts


def _java_value(text: str) -> Any:
    text = re.sub(
        r'"\s*\+\s*(.+?)\s*\+\s*"',
        lambda m: repr(_java_number(m.group(1))),
        text,
    )
    if text.startswith('"'):
        return ast.literal_eval(text)
    return _java_expected(text)


def _java_expected(text: str) -> Any:
    constants = {"TRUE": True, "true": True, "FALSE": False, "false": False}
    constants |= {"NaN": "NaN", "-NaN": "NaN", "POSITIVE_INFINITY": "Infinity"}
    constants |= {"NEGATIVE_INFINITY": "-Infinity"}
    if text in constants:
        return constants[text]
    if text.startswith("new "):
        return ("error", text)
    date = re.fullmatch(r"DateUtils\.getDate\((\d+), (\d+), (\d+)\)", text)
    if date:
        year, month, day = (int(g) for g in date.groups())
        return ("date", f"{year:04d}-{month:02d}-{day:02d}")
    moment = re.fullmatch(r'DateUtils\.getDateTimeFromString\("(.+)"\)', text)
    if moment:
        return ("instant", moment.group(1))
    if text.startswith('"'):
        return ast.literal_eval(text)
    return _java_number(text)


def _java_number(text: str) -> float:
    """A Java numeric literal or Math expression (Math.PI / 2, Math.exp(2), 1.23e21)."""
    python = text.replace("Math.PI", "math.pi").replace("Math.E", "math.e")
    return float(_arithmetic(ast.parse(python.replace("Math.", "math."), mode="eval").body))


_OPERATORS = {ast.Add: float.__add__, ast.Sub: float.__sub__, ast.Mult: float.__mul__}
_OPERATORS |= {ast.Div: float.__truediv__}


def _arithmetic(node: ast.expr) -> float:
    """Numbers, math.pi/math.e, math.f(x) and + - * / of them; nothing else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_arithmetic(node.operand)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        return _OPERATORS[type(node.op)](_arithmetic(node.left), _arithmetic(node.right))
    if isinstance(node, ast.Attribute) and node.attr in ("pi", "e"):
        return float(getattr(math, node.attr))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return float(getattr(math, node.func.attr)(*(_arithmetic(a) for a in node.args)))
    raise ValueError(f"not a number: {ast.dump(node)}")


def javarosa_cases(source: str) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    method = ""
    for line in source.splitlines():
        if found := _METHOD.search(line):
            method = found.group(1)
        match = _TEST_EVAL.match(line)
        if not match or line.strip().startswith("//"):
            continue
        args = _split_args(match.group("args"))
        if not args[0].startswith('"'):
            continue  # the helper's own definition
        case: dict[str, Any] = {"expression": _java_value(args[0]), "type": None, "tz": "GMT"}
        case["source"] = f"XPathEvalTest.java: {method}"
        expected = _java_expected(args[-1])
        if isinstance(expected, tuple):
            case["check"], case["expected"] = expected[0], expected[1]
            if expected[0] == "date":
                case["check"] = "equal"
        else:
            case["check"], case["expected"] = "equal", expected
        if len(args) == 4:
            case["excluded"] = "uses an XML instance or the Java harness's function handlers"
        elif reason := xml_reason(case["expression"], context=False):
            case["excluded"] = reason
        cases.append(case)
    return cases


# --- Enketo -------------------------------------------------------------------------


def enketo_cases(lines: list[str]) -> list[dict[str, Any]]:
    cases = []
    for line in lines:
        raw = json.loads(line)
        case = {
            "expression": raw.get("expression"),
            "type": raw.get("type") if raw.get("type") in ("boolean", "number", "string") else None,
            "check": raw["check"],
            "expected": raw.get("expected"),
            "tz": "America/Phoenix",
            "now": ENKETO_RECORDED_AT,
            "source": f"{raw['file']}: {raw.get('title', '')}",
        }
        case["excluded"] = _enketo_reason(raw, case)
        if case["excluded"] is None:
            del case["excluded"]
        cases.append(case)
    return cases


def _enketo_reason(raw: dict[str, Any], case: dict[str, Any]) -> str | None:
    if raw["check"] == "skipped-file":
        return f"XPath axes over a DOM ({raw['expected']} assertions not recorded)"
    if raw["check"] == "harness-error":
        return "the test walks DOM nodes itself"
    if raw["check"] in ("nodes", "typeof"):
        return "asserts on DOM nodes or JavaScript types"
    if not isinstance(case["expression"], str):
        return "the expression is built from DOM nodes"
    # At a context node or over a fixture document, an expression that names no node
    # and reads no context means the same without them, so it still applies.
    return xml_reason(case["expression"])


def main() -> None:
    java, enketo = Path(sys.argv[1]), Path(sys.argv[2])
    for name, cases in (
        ("javarosa.jsonl", javarosa_cases(java.read_text(encoding="utf-8"))),
        ("enketo.jsonl", enketo_cases(enketo.read_text(encoding="utf-8").splitlines())),
    ):
        with (HERE / name).open("w", encoding="utf-8") as out:
            for case in cases:
                out.write(json.dumps(case, ensure_ascii=False) + "\n")
        applicable = sum(1 for c in cases if "excluded" not in c)
        print(f"{name}: {len(cases)} cases, {applicable} applicable")


if __name__ == "__main__":
    main()
