"""Evaluating a parsed expression against answers."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from aigak.questionnaires.xpath.library import Context, check_arity, function, lookup
from aigak.questionnaires.xpath.operators import arithmetic, compare
from aigak.questionnaires.xpath.parser import Node
from aigak.questionnaires.xpath.values import (
    IN_FUNCTION,
    ExpressionError,
    InstanceItem,
    NodeSet,
    from_answer,
    to_bool,
    to_number,
)

_COMPARISONS = {"=", "!=", "<", "<=", ">", ">="}


def find(answers: Mapping[str, Any], name: str) -> Any:
    """A field's answer as an XPath value: its own answer, or the answers it has in the
    entries of a repeat (a node-set), or the empty string when unanswered."""
    if name in answers:
        return from_answer(answers[name])
    if not any(type(v) is list for v in answers.values()):
        return ""  # no repeat to look into: unanswered
    found: list[Any] = []
    located = False
    for value in answers.values():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for entry in value:
                if not isinstance(entry, dict):
                    continue
                inner = find(entry, name)
                if name in entry or isinstance(inner, NodeSet):
                    located = True
                    if isinstance(inner, NodeSet):
                        found.extend(inner)
                    else:
                        found.append(entry.get(name))
    return NodeSet(found) if located else ""


def run(node: Node, ctx: Context) -> Any:
    kind = node.kind
    if kind == "num" or kind == "str":
        return node.value
    if kind == "ref":
        return find(ctx.answers, node.value)
    if kind == "binop":
        return _binop(node, ctx)
    if kind == "path":
        current = ctx.current
        if isinstance(current, dict) and node.value in current:
            return from_answer(current[node.value])
        return find(ctx.answers, node.value)
    if kind == "call":
        return _call(node, ctx)
    if kind == "dot":
        return from_answer(ctx.current)
    if kind == "neg":
        return -to_number(run(node.args[0], ctx))
    if kind == "filter":
        return _filter(node, ctx)
    if kind == "step":
        return _step(node, ctx)
    if kind == "union":
        items: list[Any] = []
        for part in node.args:
            value = run(part, ctx)
            items.extend(value if isinstance(value, NodeSet) else [value])
        return NodeSet(items)
    if kind == "var":
        raise ExpressionError(f"variables (${node.value}) are not part of XLSForm expressions")
    raise ExpressionError(f"cannot evaluate {kind}")


def _binop(node: Node, ctx: Context) -> Any:
    op = node.value
    left_node, right_node = node.args
    if op == "and":
        return to_bool(run(left_node, ctx)) and to_bool(run(right_node, ctx))
    if op == "or":
        return to_bool(run(left_node, ctx)) or to_bool(run(right_node, ctx))
    left, right = run(left_node, ctx), run(right_node, ctx)
    if op in _COMPARISONS:
        return compare(op, left, right)
    return arithmetic(op, left, right)


def _call(node: Node, ctx: Context) -> Any:
    name = node.value
    signature = lookup(name)
    check_arity(name, signature, len(node.args))
    short = name.split(":", 1)[-1]
    if short == "if":
        chosen = node.args[1] if to_bool(run(node.args[0], ctx)) else node.args[2]
        return run(chosen, ctx)
    if short == "indexed-repeat":
        return _indexed_repeat(node, ctx)
    if short == "once":
        current = from_answer(ctx.current)
        if current != "" and not (isinstance(current, float) and math.isnan(current)):
            return current
    args = [run(arg, ctx) for arg in node.args]
    try:
        return signature.call(ctx, *args)
    except ExpressionError as exc:
        raise ExpressionError.said(IN_FUNCTION, function=name, reason=exc.as_value()) from None
    except (ValueError, OverflowError, ArithmeticError) as exc:
        raise ExpressionError.said(IN_FUNCTION, function=name, reason=str(exc)) from None


def _step(node: Node, ctx: Context) -> NodeSet:
    """The answers a path names inside the entries its base chose."""
    items = run(node.args[0], ctx)
    items = list(items) if isinstance(items, NodeSet) else [items]
    for name in node.value:
        found: list[Any] = []
        for item in items:
            if not isinstance(item, dict):
                continue
            value = item.get(name)
            if isinstance(value, list) and value and isinstance(value[0], dict):
                found.extend(value)
            else:
                found.append(value)
        items = found
    return NodeSet(items)


def _filter(node: Node, ctx: Context) -> Any:
    base = run(node.args[0], ctx)
    items = list(base) if isinstance(base, NodeSet) else [base]
    # Inside an entry, a field of the repeat that this entry left unanswered is empty.
    siblings = dict.fromkeys(k for item in items if isinstance(item, dict) for k in item)
    for predicate in node.args[1:]:
        kept = []
        for position, item in enumerate(items, start=1):
            answers = ctx.answers
            if isinstance(item, dict) and not isinstance(item, InstanceItem):
                answers = {**ctx.answers, **siblings, **item}
            inner = replace(ctx, answers=answers, current=item, position=position, size=len(items))
            inner.in_predicate = True
            result = run(predicate, inner)
            if isinstance(result, float):
                if result == position:
                    kept.append(item)
            elif to_bool(result):
                kept.append(item)
        items = kept
    return NodeSet(items)


def _ref_name(node: Node, what: str) -> str:
    while node.kind == "filter":
        node = node.args[0]
    if node.kind != "ref":
        raise ExpressionError(f"indexed-repeat(): the {what} must be a field reference")
    return str(node.value)


@function("indexed-repeat", 3, None)
def _indexed_repeat_values(ctx: Context, *args: Any) -> Any:
    raise ExpressionError("is evaluated from its references")  # see _indexed_repeat


def _indexed_repeat(node: Node, ctx: Context) -> Any:
    """indexed-repeat(field, repeat, index[, repeat2, index2 ...]): the field's answer in
    the index-th entry (from 1) of the repeat, and of the repeats nested in it."""
    if len(node.args) % 2 == 0:
        raise ExpressionError("indexed-repeat() takes a field, then repeats with indexes")
    field = _ref_name(node.args[0], "first argument")
    answers: Mapping[str, Any] = ctx.answers
    for repeat_node, index_node in zip(node.args[1::2], node.args[2::2], strict=True):
        entries = find(answers, _ref_name(repeat_node, "repeat"))
        index = to_number(run(index_node, ctx))
        if not isinstance(entries, NodeSet) or math.isnan(index):
            return ""
        at = max(int(index), 1) - 1
        if at >= len(entries) or not isinstance(entries[at], dict):
            return ""
        answers = {**answers, **entries[at]}
    value = find(answers, field)
    return value
