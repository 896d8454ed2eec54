"""`randomize()`: a node-set shuffled, reproducibly when given a seed.

The ODK XForms specification fixes the algorithm so that every client gives the same
order for the same seed: the "inside-out" Fisher-Yates shuffle, drawing from a Park-Miller
(MINSTD, multiplier 16807) generator seeded with the seed; without a seed any random
source will do. JavaRosa reads the seed as a number cut to a whole one; a seed that is
not a number is an error. The same shuffle orders the choices of a select whose
`parameters` say `randomize=true` (`shuffle`).

>>> "".join(shuffle(list("ABCDEF"), 42))
'AFCBDE'
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from aigak.questionnaires.xpath.library import Context, function
from aigak.questionnaires.xpath.values import ExpressionError, NodeSet, to_number

T = TypeVar("T")
MODULUS = 2_147_483_647  # 2**31 - 1
MULTIPLIER = 16_807


def park_miller(seed: int) -> Callable[[], float]:
    """Draws in [0, 1) from the Park-Miller generator started at seed."""
    state = int(math.copysign(abs(seed) % MODULUS, seed))  # the remainder keeps the sign
    if state <= 0:
        state += MODULUS - 1

    def draw() -> float:
        nonlocal state
        state = state * MULTIPLIER % MODULUS
        return (state - 1) / (MODULUS - 1)

    return draw


def shuffle(values: Sequence[T], seed: int | None = None) -> list[T]:
    """The values in the order of the inside-out Fisher-Yates shuffle: each value in
    turn goes to a drawn place among those filled so far, the value there moving up."""
    draw = random.random if seed is None else park_miller(seed)
    out: list[T] = []
    for index, value in enumerate(values):
        place = math.floor(draw() * (index + 1))
        if place == index:
            out.append(value)
        else:
            out.append(out[place])
            out[place] = value
    return out


def seed_of(value: Any) -> int:
    """A seed as JavaRosa reads it: a number, cut to a whole one."""
    number = to_number(value)
    if math.isnan(number) or math.isinf(number):
        raise ExpressionError("the seed must be a number")
    return int(number)


@function("randomize", 1, 2)
def _randomize(ctx: Context, values: Any, *seed: Any) -> NodeSet:
    if not isinstance(values, NodeSet):
        raise ExpressionError("takes a node-set (a repeat, or instance('name')/root/item)")
    return NodeSet(shuffle(list(values), seed_of(seed[0]) if seed else None))
