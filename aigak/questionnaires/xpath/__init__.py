"""The one evaluator of XLSForm expressions, with ODK's semantics.

It serves the web form (through the evaluate endpoint), server-side validation, the
importer and ``aigak form eval``. XPath 1.0 conversions and comparisons, an unanswered
field as the empty string, and the ODK XForms function library; see docs/expressions.md.

Modules: ``values`` (types and conversions), ``operators`` (comparison and arithmetic),
``parser``, ``evaluator``, ``library`` (the function register) and ``functions_*`` (the
functions), ``order`` (calculations in dependency order), ``results`` (JSON encoding).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from aigak.questionnaires.xpath import (  # noqa: F401  (they register their functions)
    functions_date,
    functions_geo,
    functions_media,
    functions_number,
    functions_random,
    functions_text,
)
from aigak.questionnaires.xpath.compiled import Compiled, compiled
from aigak.questionnaires.xpath.library import Context, check_arity, lookup
from aigak.questionnaires.xpath.parser import Node
from aigak.questionnaires.xpath.parser import parse as parse_tree
from aigak.questionnaires.xpath.parser import references as _references
from aigak.questionnaires.xpath.remembered import remembered
from aigak.questionnaires.xpath.values import (
    ExpressionError,
    NodeSet,
    to_bool,
    to_number,
    to_string,
)

__all__ = [
    "Context",
    "ExpressionError",
    "Node",
    "NodeSet",
    "evaluate",
    "holds",
    "parse",
    "references",
    "to_bool",
    "to_number",
    "to_string",
]


@lru_cache(maxsize=8192)
def parse(text: str) -> Node:
    """The tree of an expression, its functions known and called with the right number
    of arguments; raises ExpressionError saying what is wrong. Trees are cached."""
    node = _tree(text)
    _check_calls(node, text)
    return node


def _tree(text: str) -> Node:
    try:
        return parse_tree(text)
    except RecursionError:
        raise ExpressionError(f"the expression is nested too deeply: {text[:60]!r}") from None


def _check_calls(node: Node, text: str) -> None:
    if node.kind == "call":
        try:
            check_arity(node.value, lookup(node.value), len(node.args))
        except ExpressionError as exc:
            raise ExpressionError(f"{exc} in {text!r}") from None
    for arg in node.args:
        _check_calls(arg, text)


def references(text: str) -> set[str]:
    """Field names an expression refers to with ${...} (or a path)."""
    return _references(text)


def evaluate(
    text: str,
    answers: Mapping[str, Any],
    current: Any = None,
    *,
    position: int = 0,
    choice_label: Callable[[str, str], str] | None = None,
    now: dt.datetime | None = None,
) -> Any:
    """Evaluate an expression over answers keyed by field name (stored shapes)."""
    ctx = Context(answers, current, position, 0, choice_label, now)
    # Unknown functions and wrong arities are errors when evaluated (a branch that is
    # never taken may hold them, as in ODK); parse() refuses them when a form is read.
    try:
        return _compiled(text)(ctx)
    except RecursionError:
        raise ExpressionError(f"the expression is nested too deeply: {text[:60]!r}") from None


@lru_cache(maxsize=8192)
def _compiled(text: str) -> Compiled:
    """The expression as a closure, made once per text (see `compiled`)."""
    return compiled(_tree(text))


def holds(text: str, answers: Mapping[str, Any], current: Any = None, **options: Any) -> bool:
    """An expression as a condition (relevant, constraint, required). The verdicts of a
    condition that reads only answers and today's date are remembered (`remembered`)."""
    memo = None if options else remembered(text)
    if memo is None:
        return to_bool(evaluate(text, answers, current, **options))
    key, moment = memo.key(answers, current)
    verdict = memo.verdicts.get(key) if key is not None else None
    if verdict is None:
        verdict = to_bool(evaluate(text, answers, current, now=moment))
        if key is not None:
            memo.keep(key, verdict)
    return verdict
