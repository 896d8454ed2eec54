"""The one evaluator of XLSForm expressions (relevant, constraint, calculation, default).

It serves the web form (through the evaluate endpoint), the server-side validation and
the importer, so a rule means the same everywhere. It reads the XPath subset that
XLSForms use in practice:

>>> evaluate("${age} >= 18 and selected(${roles}, 'student')", {"age": 20, "roles": ["student"]})
True
>>> evaluate(". <= 120", {}, current=130)
False
>>> evaluate("if(${a} = 'x', 1, 2) + 3", {"a": "x"})
4.0
>>> evaluate("if(${d} = '', 'none', date(${d}))", {})
'none'
>>> parse("${a} >")
Traceback (most recent call last):
...
aigak.questionnaires.expressions.ExpressionError: unexpected end of expression in '${a} >'
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any


class ExpressionError(ValueError):
    pass


_TOKEN = re.compile(
    r"""\s*(?:
    (?P<ref>\$\{[A-Za-z_][\w.-]*\})
  | (?P<num>\d+(?:\.\d*)?|\.\d+)
  | (?P<str>'[^']*'|"[^"]*")
  | (?P<op>!=|<=|>=|=|<|>|\+|-|\*|\(|\)|,|\|)
  | (?P<name>[A-Za-z_][\w-]*(?::[A-Za-z_][\w-]*)?(?=\s*\())
  | (?P<word>and\b|or\b|div\b|mod\b)
  | (?P<dot>\.)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Node:
    kind: str  # num, str, ref, dot, call, binop, neg
    value: Any = None
    args: tuple[Node, ...] = ()


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise ExpressionError(f"cannot read {text[pos:]!r} in {text!r}")
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind).strip()))
        pos = match.end()
    return out


_PRECEDENCE = {
    "or": 1,
    "and": 2,
    "=": 3,
    "!=": 3,
    "<": 4,
    "<=": 4,
    ">": 4,
    ">=": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "div": 6,
    "mod": 6,
}


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokens(text)
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise ExpressionError(f"unexpected end of expression in {self.text!r}")
        self.pos += 1
        return token

    def expect(self, value: str) -> None:
        kind, got = self.take()
        if got != value:
            raise ExpressionError(f"expected {value!r} but found {got!r} in {self.text!r}")

    def expression(self, min_prec: int = 1) -> Node:
        left = self.unary()
        while True:
            token = self.peek()
            if token is None or token[1] not in _PRECEDENCE:
                return left
            prec = _PRECEDENCE[token[1]]
            if prec < min_prec:
                return left
            self.take()
            right = self.expression(prec + 1)
            left = Node("binop", token[1], (left, right))

    def unary(self) -> Node:
        token = self.peek()
        if token and token[1] == "-":
            self.take()
            return Node("neg", None, (self.unary(),))
        return self.primary()

    def primary(self) -> Node:
        kind, value = self.take()
        if kind == "num":
            return Node("num", float(value))
        if kind == "str":
            return Node("str", value[1:-1])
        if kind == "ref":
            return Node("ref", value[2:-1])
        if kind == "dot":
            return Node("dot")
        if kind == "name":
            self.expect("(")
            args: list[Node] = []
            if self.peek() and self.peek()[1] == ")":  # type: ignore[index]
                self.take()
            else:
                while True:
                    args.append(self.expression())
                    sep = self.take()[1]
                    if sep == ")":
                        break
                    if sep != ",":
                        raise ExpressionError(f"expected ',' or ')' in {self.text!r}")
            if value not in FUNCTIONS:
                raise ExpressionError(f"unsupported function {value}() in {self.text!r}")
            return Node("call", value, tuple(args))
        if value == "(":
            inner = self.expression()
            self.expect(")")
            return inner
        raise ExpressionError(f"unexpected {value!r} in {self.text!r}")


@lru_cache(maxsize=4096)
def parse(text: str) -> Node:
    parser = _Parser(text)
    node = parser.expression()
    if parser.peek() is not None:
        raise ExpressionError(f"unexpected {parser.peek()[1]!r} in {text!r}")  # type: ignore[index]
    return node


def references(text: str) -> set[str]:
    """Field names an expression refers to with ${...}."""
    found: set[str] = set()

    def walk(node: Node) -> None:
        if node.kind == "ref":
            found.add(node.value)
        for arg in node.args:
            walk(arg)

    walk(parse(text))
    return found


# --- values -------------------------------------------------------------------------
# Empty answers are None or "". XPath turns them into "" (string), NaN (number) and
# false (boolean); comparisons with an empty side are false except "= ''".


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def to_string(value: Any) -> str:
    if _is_empty(value):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def to_number(value: Any) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, dt.date):
        return float((value - dt.date(1970, 1, 1)).days)
    text = to_string(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return float((dt.date.fromisoformat(text) - dt.date(1970, 1, 1)).days)
    try:
        return float(text)
    except ValueError:
        return math.nan


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0 and not math.isnan(value)
    return not _is_empty(value)


def _compare(op: str, left: Any, right: Any) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        p, q = to_bool(left), to_bool(right)
        return p == q if op == "=" else p != q if op == "!=" else _order(op, float(p), float(q))
    numeric = isinstance(left, (int, float)) or isinstance(right, (int, float))
    if op in ("=", "!="):
        if numeric and not _is_empty(left) and not _is_empty(right):
            equal = to_number(left) == to_number(right)
        else:
            equal = to_string(left) == to_string(right)
        return equal if op == "=" else not equal
    if _is_empty(left) or _is_empty(right):
        # An unanswered side makes no ordering claim; constraints on it hold.
        return True
    a, b = to_number(left), to_number(right)
    if math.isnan(a) or math.isnan(b):
        return _order(op, to_string(left), to_string(right))
    return _order(op, a, b)


def _order(op: str, a: Any, b: Any) -> bool:
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def _selected(value: Any, choice: Any) -> bool:
    items = value if isinstance(value, list) else to_string(value).split()
    return to_string(choice) in [to_string(i) for i in items]


def _count_selected(value: Any) -> float:
    items = value if isinstance(value, list) else to_string(value).split()
    return float(len(items))


def _round(value: Any, places: Any = 0) -> float:
    number, digits = to_number(value), int(to_number(places))
    factor = 10**digits
    return math.floor(number * factor + 0.5) / factor


def _if(cond: Any, a: Any, b: Any) -> Any:
    return a if to_bool(cond) else b


def _coalesce(a: Any, b: Any) -> Any:
    return b if _is_empty(a) else a


def _regex(value: Any, pattern: Any) -> bool:
    return re.search(to_string(pattern), to_string(value)) is not None


def _date(value: Any) -> Any:
    if isinstance(value, (int, float)):
        return dt.date(1970, 1, 1) + dt.timedelta(days=int(value))
    return dt.date.fromisoformat(to_string(value)[:10])


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "selected": _selected,
    "count-selected": _count_selected,
    "string-length": lambda v: float(len(to_string(v))),
    "not": lambda v: not to_bool(v),
    "true": lambda: True,
    "false": lambda: False,
    "boolean": to_bool,
    "number": to_number,
    "int": lambda v: float(math.trunc(to_number(v))) if not math.isnan(to_number(v)) else math.nan,
    "round": _round,
    "string": to_string,
    "concat": lambda *vs: "".join(to_string(v) for v in vs),
    "contains": lambda a, b: to_string(b) in to_string(a),
    "starts-with": lambda a, b: to_string(a).startswith(to_string(b)),
    "substr": lambda s, start, length=None: to_string(s)[
        int(to_number(start)) : None
        if length is None
        else int(to_number(start) + to_number(length))
    ],
    "regex": _regex,
    "if": _if,
    "coalesce": _coalesce,
    "today": lambda: dt.date.today(),
    "now": lambda: dt.datetime.now(dt.UTC),
    "date": _date,
}


def _run(node: Node, answers: Mapping[str, Any], current: Any) -> Any:
    kind = node.kind
    if kind in ("num", "str"):
        return node.value
    if kind == "ref":
        return answers.get(node.value)
    if kind == "dot":
        return current
    if kind == "neg":
        return -to_number(_run(node.args[0], answers, current))
    if kind == "call":
        # if() evaluates lazily so an unanswered branch never raises.
        if node.value == "if" and len(node.args) == 3:
            chosen = node.args[1] if to_bool(_run(node.args[0], answers, current)) else node.args[2]
            return _run(chosen, answers, current)
        args = [_run(a, answers, current) for a in node.args]
        try:
            return FUNCTIONS[node.value](*args)
        except TypeError:
            raise ExpressionError(f"wrong number of arguments to {node.value}()") from None
        except ValueError as exc:
            raise ExpressionError(f"{node.value}(): {exc}") from None
    op = node.value
    if op == "and":
        return to_bool(_run(node.args[0], answers, current)) and to_bool(
            _run(node.args[1], answers, current)
        )
    if op == "or":
        return to_bool(_run(node.args[0], answers, current)) or to_bool(
            _run(node.args[1], answers, current)
        )
    left = _run(node.args[0], answers, current)
    right = _run(node.args[1], answers, current)
    if op in ("=", "!=", "<", "<=", ">", ">="):
        return _compare(op, left, right)
    a, b = to_number(left), to_number(right)
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "div":
        return math.nan if b == 0 else a / b
    if op == "mod":
        return math.nan if b == 0 else math.fmod(a, b)
    raise ExpressionError(f"unknown operator {op}")


def evaluate(text: str, answers: Mapping[str, Any], current: Any = None) -> Any:
    """Evaluate an expression over answers keyed by field name."""
    return _run(parse(text), answers, current)


def holds(text: str, answers: Mapping[str, Any], current: Any = None) -> bool:
    """An expression as a condition (relevant, constraint, required)."""
    return to_bool(evaluate(text, answers, current))
