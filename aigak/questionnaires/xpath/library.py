"""The register of functions: each module of the ODK function library adds its own."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aigak.questionnaires.xpath.values import ExpressionError


@dataclass(slots=True)
class Context:
    """What an expression is evaluated against.

    answers: stored answers by field name (inside a repeat entry, the entry's own first);
    current: the answer ``.`` and ``current()`` stand for; position: the entry's place in
    its repeat, from 1 (``position(..)``); choice_label(field, choice) gives a choice's
    label (``jr:choice-name``); now: the moment ``now()`` and ``today()`` read.
    """

    answers: Mapping[str, Any]
    current: Any = None
    position: int = 0
    size: int = 0
    choice_label: Callable[[str, str], str] | None = None
    now: dt.datetime | None = None
    in_predicate: bool = False


Function = Callable[..., Any]


@dataclass(frozen=True)
class Signature:
    call: Function
    least: int
    most: int | None  # None: any number


FUNCTIONS: dict[str, Signature] = {}


def function(name: str, least: int = 0, most: int | None = -1) -> Callable[[Function], Function]:
    """Register fn(ctx, *args) as NAME; most=-1 means exactly `least` arguments."""

    def register(fn: Function) -> Function:
        FUNCTIONS[name] = Signature(fn, least, least if most == -1 else most)
        return fn

    return register


def lookup(name: str) -> Signature:
    signature = FUNCTIONS.get(name) or FUNCTIONS.get(name.split(":", 1)[-1])
    if signature is None or (":" in name and not name.startswith(("jr:", "orx:", "odk:"))):
        raise ExpressionError(f"unsupported function {name}()")
    return signature


def check_arity(name: str, signature: Signature, count: int) -> None:
    if count < signature.least or (signature.most is not None and count > signature.most):
        if signature.most is None:
            wanted = f"at least {signature.least}"
        elif signature.least == signature.most:
            wanted = str(signature.least)
        else:
            wanted = f"{signature.least} to {signature.most}"
        raise ExpressionError(f"{name}() takes {wanted} arguments, not {count}")
