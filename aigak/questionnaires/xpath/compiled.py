"""An expression's tree turned into nested Python closures, once per expression.

`run` walks the tree for every evaluation: a test of the node's kind at each node, the
function looked up and its arguments counted at each call. An import evaluates the same
few rules for every row, so each tree is turned once into a closure that does only the
work left: `compiled(node)(ctx)` gives what `run(node, ctx)` gives, errors included
(an unknown function or a wrong number of arguments is still an error only when
reached, as in ODK). The rarer kinds (filters, paths after a value, unions) and
`indexed-repeat` call `run` on their part of the tree.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

from aigak.questionnaires.xpath.evaluator import _indexed_repeat, find, run
from aigak.questionnaires.xpath.library import Context, check_arity, lookup
from aigak.questionnaires.xpath.operators import arithmetic, compare
from aigak.questionnaires.xpath.parser import Node
from aigak.questionnaires.xpath.values import (
    IN_FUNCTION,
    ExpressionError,
    NodeSet,
    from_answer,
    to_bool,
    to_number,
)

Compiled = Callable[[Context], Any]
_ORDER = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def compiled(node: Node) -> Compiled:
    """A function of the context that evaluates node as `evaluator.run` does."""
    kind = node.kind
    if kind == "num" or kind == "str":
        value = node.value
        return lambda ctx: value
    if kind == "ref":
        return _reference(node.value)
    if kind == "path":
        return _path(node.value)
    if kind == "dot":
        return lambda ctx: from_answer(ctx.current)
    if kind == "binop":
        return _binop(node)
    if kind == "call":
        return _call(node)
    if kind == "neg":
        inner = compiled(node.args[0])
        return lambda ctx: -to_number(inner(ctx))
    return lambda ctx: run(node, ctx)  # filter, step, union, var: as the tree says


def _reference(name: str) -> Compiled:
    def reference(ctx: Context) -> Any:
        answers = ctx.answers
        if name in answers:
            return from_answer(answers[name])
        return find(answers, name)

    return reference


def _path(name: str) -> Compiled:
    def path(ctx: Context) -> Any:
        current = ctx.current
        if isinstance(current, dict) and name in current:
            return from_answer(current[name])
        return find(ctx.answers, name)

    return path


def _binop(node: Node) -> Compiled:
    op = node.value
    left, right = (compiled(arg) for arg in node.args)
    if op == "and":
        return lambda ctx: to_bool(left(ctx)) and to_bool(right(ctx))
    if op == "or":
        return lambda ctx: to_bool(left(ctx)) or to_bool(right(ctx))
    order = _ORDER.get(op)
    if order is not None:

        def ordered(ctx: Context) -> bool:
            a, b = left(ctx), right(ctx)
            if isinstance(a, NodeSet) or isinstance(b, NodeSet):
                return compare(op, a, b)
            return order(to_number(a), to_number(b))

        return ordered
    if op == "=" or op == "!=":
        return lambda ctx: compare(op, left(ctx), right(ctx))
    return lambda ctx: arithmetic(op, left(ctx), right(ctx))


def _call(node: Node) -> Compiled:
    name = node.value
    try:
        signature = lookup(name)
        check_arity(name, signature, len(node.args))
    except ExpressionError as exc:
        why, template, params = str(exc), exc.template, exc.params

        def refused(ctx: Context) -> Any:
            error = ExpressionError(why)  # a new one each time, with the same words
            error.template, error.params = template, params
            raise error

        return refused
    short = name.split(":", 1)[-1]
    if short == "indexed-repeat":
        return lambda ctx: _indexed_repeat(node, ctx)
    args = [compiled(arg) for arg in node.args]
    if short == "if":
        condition, then, otherwise = args
        return lambda ctx: (then if to_bool(condition(ctx)) else otherwise)(ctx)
    call = signature.call
    once = short == "once"

    def called(ctx: Context) -> Any:
        if once:
            current = from_answer(ctx.current)
            if current != "" and not (isinstance(current, float) and math.isnan(current)):
                return current
        values = [arg(ctx) for arg in args]
        try:
            return call(ctx, *values)
        except ExpressionError as exc:
            raise ExpressionError.said(IN_FUNCTION, function=name, reason=exc.as_value()) from None
        except (ValueError, OverflowError, ArithmeticError) as exc:
            raise ExpressionError.said(IN_FUNCTION, function=name, reason=str(exc)) from None

    return called
