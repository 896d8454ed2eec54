"""Reading an XLSForm expression: XPath 1.0's grammar with ``${field}`` references.

A location path is read as a reference to the field its last step names
(``/data/group/age`` and ``../age`` mean ``${age}``), ``.`` is the value being checked
and ``current()`` the same. Axes, attributes and node tests belong to XML documents,
which XLSForm expressions never see, and are refused with a reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from aigak.questionnaires.xpath.values import ExpressionError

_TOKEN = re.compile(
    r"""\s*(?:
    (?P<ref>\$\{\s*[A-Za-z_][\w.-]*\s*\})
  | (?P<num>\d+(?:\.\d*)?|\.\d+)
  | (?P<str>'[^']*'|"[^"]*"|‘[^’]*’|“[^”]*”)
  | (?P<op>!=|<=|>=|//|::|\.\.|[=<>+\-*()\[\],|/@.])
  | (?P<var>\$[A-Za-z_][\w.-]*)
  | (?P<name>[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)
    )""",
    re.VERBOSE,
)
# After these (or at the start) `*` is a name test and and/or/div/mod are names.
_NOT_AFTER: set[str | None] = {
    "@",
    "::",
    "(",
    "[",
    ",",
    "and",
    "or",
    "div",
    "mod",
    "|",
    "/",
    "//",
    "+",
    "-",
}
_NOT_AFTER |= {"*", "=", "!=", "<", "<=", ">", ">=", None}
_WORDS = {"and", "or", "div", "mod"}
_NODE_TYPES = {"node", "text", "comment", "processing-instruction"}
_PRECEDENCE = {"or": 1, "and": 2, "=": 3, "!=": 3, "<": 4, "<=": 4, ">": 4, ">=": 4}
_PRECEDENCE |= {"+": 5, "-": 5, "*": 6, "div": 6, "mod": 6}


@dataclass(frozen=True, slots=True)
class Node:
    kind: str  # num, str, ref, path, dot, var, call, binop, neg, union, filter, step
    value: Any = None
    args: tuple[Node, ...] = ()


Token = tuple[str, str]


def tokens(text: str) -> list[Token]:
    out: list[Token] = []
    pos = 0
    text = text.rstrip()
    previous: str | None = None
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise ExpressionError(f"cannot read {text[pos:]!r} in {text!r}")
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "op" and value == "*" and previous in _NOT_AFTER:
            kind = "name"
        elif kind == "name" and value in _WORDS and previous not in _NOT_AFTER:
            kind = "op"
        out.append((kind, value))
        previous = value if kind == "op" else kind
        pos = match.end()
    return out


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = tokens(text)
        self.pos = 0

    def peek(self, ahead: int = 0) -> Token | None:
        at = self.pos + ahead
        return self.tokens[at] if at < len(self.tokens) else None

    def at(self, *values: str) -> bool:
        token = self.peek()
        return token is not None and token[0] == "op" and token[1] in values

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise ExpressionError(f"unexpected end of expression in {self.text!r}")
        self.pos += 1
        return token

    def expect(self, value: str) -> None:
        _, got = self.take()
        if got != value:
            raise ExpressionError(f"expected {value!r} but found {got!r} in {self.text!r}")

    def expression(self, min_prec: int = 1) -> Node:
        left = self.unary()
        while True:
            token = self.peek()
            if token is None or token[0] != "op" or token[1] not in _PRECEDENCE:
                return left
            prec = _PRECEDENCE[token[1]]
            if prec < min_prec:
                return left
            self.take()
            right = self.expression(prec + 1)
            left = Node("binop", token[1], (left, right))

    def unary(self) -> Node:
        if self.at("-"):
            self.take()
            return Node("neg", None, (self.unary(),))
        return self.union()

    def union(self) -> Node:
        left = self.path()
        while self.at("|"):
            self.take()
            left = Node("union", None, (left, self.path()))
        return left

    def path(self) -> Node:
        token = self.peek()
        if token is None:
            raise ExpressionError(f"unexpected end of expression in {self.text!r}")
        kind, value = token
        starts_filter = kind in ("ref", "num", "str", "var") or (kind == "op" and value == "(")
        if kind == "name" and self._is_call():
            starts_filter = True
        if not starts_filter:
            return self.location_path(None)
        node = self.filtered(self.primary())
        if self.at("/", "//"):
            return self.location_path(node)
        return node

    def _is_call(self) -> bool:
        token, after = self.peek(), self.peek(1)
        return (
            token is not None
            and token[1] not in _NODE_TYPES
            and after is not None
            and after == ("op", "(")
        )

    def filtered(self, node: Node) -> Node:
        predicates = []
        while self.at("["):
            self.take()
            predicates.append(self.expression())
            self.expect("]")
        return Node("filter", None, (node, *predicates)) if predicates else node

    def location_path(self, base: Node | None) -> Node:
        """Steps of a path; the result names the field of the last named step."""
        names: list[str] = []
        predicates: list[Node] = []
        steps: list[tuple[str, list[Node]]] = []  # after a base: each step's predicates
        relative = base is None and not self.at("/", "//")
        if self.at("/", "//"):
            self.take()
            if base is None and not self._starts_step():
                raise ExpressionError(f"the document root '/' is not a value in {self.text!r}")
        while True:
            kind, value = self.take()
            if kind == "name" and value not in ("*",) and not self.at("(", "::"):
                names.append(value)
                predicates = []
                while self.at("["):
                    self.take()
                    predicates.append(self.expression())
                    self.expect("]")
                steps.append((value, predicates))
            elif kind == "op" and value in (".", ".."):
                relative = relative and value == "."
                if value == ".." and names:
                    names.pop()
                    steps.pop()
                elif value == "..":
                    steps.append(("..", []))
            elif kind == "op" and value not in ("@", "*"):
                raise ExpressionError(f"unexpected {value!r} in {self.text!r}")
            else:
                raise ExpressionError(
                    f"{value!r} belongs to XML paths, which XLSForm expressions do not "
                    f"use (write ${{field}}) in {self.text!r}"
                )
            if not self.at("/", "//"):
                break
            self.take()
        if not names:
            if base is not None:
                return base
            return Node("dot")
        if (
            base is not None
            and base.kind == "call"
            and base.value == "current"
            and any(name == ".." for name, _ in steps)
        ):
            # current()/../name: a field beside the current question (${name})
            ref = Node("ref", names[-1])
            return Node("filter", None, (ref, *predicates)) if predicates else ref
        if base is not None:  # ${repeat}[2]/name: the name inside the chosen entries
            node = base  # instance('x')/root/item[name = 'a']/label: predicates per step
            for name, step_predicates in steps:
                node = Node("step", (name,), (node,))
                if step_predicates:
                    node = Node("filter", None, (node, *step_predicates))
            return node
        # A bare name is read at the context item first (a choice's column in a
        # choice_filter, an entry's field in a predicate), then as a field.
        kind = "path" if relative and len(names) == 1 else "ref"
        ref = Node(kind, names[-1])
        return Node("filter", None, (ref, *predicates)) if predicates else ref

    def _starts_step(self) -> bool:
        token = self.peek()
        return token is not None and (token[0] == "name" or token[1] in (".", "..", "@", "*"))

    def primary(self) -> Node:
        kind, value = self.take()
        if kind == "num":
            return Node("num", float(value))
        if kind == "str":
            return Node("str", value[1:-1])
        if kind == "ref":
            return Node("ref", value[2:-1].strip())
        if kind == "var":
            return Node("var", value[1:])
        if kind == "name":
            return Node("call", value, self.arguments())
        if value == "(":
            inner = self.expression()
            self.expect(")")
            return inner
        raise ExpressionError(f"unexpected {value!r} in {self.text!r}")

    def arguments(self) -> tuple[Node, ...]:
        self.expect("(")
        args: list[Node] = []
        if self.at(")"):
            self.take()
            return ()
        while True:
            args.append(self.expression())
            _, sep = self.take()
            if sep == ")":
                return tuple(args)
            if sep != ",":
                raise ExpressionError(f"expected ',' or ')' but found {sep!r} in {self.text!r}")


@lru_cache(maxsize=8192)
def parse(text: str) -> Node:
    """The tree of an expression; raises ExpressionError naming what is wrong."""
    if not text or not text.strip():
        raise ExpressionError("the expression is empty")
    parser = _Parser(text)
    node = parser.expression()
    left = parser.peek()
    if left is not None:
        raise ExpressionError(f"unexpected {left[1]!r} in {text!r}")
    return node


def references(text: str) -> set[str]:
    """Field names an expression refers to (``${name}`` or a path)."""
    found: set[str] = set()

    def walk(node: Node) -> None:
        if node.kind == "ref":
            found.add(node.value)
        for arg in node.args:
            walk(arg)

    walk(parse(text))
    return found
