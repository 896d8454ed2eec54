"""Calculations in dependency order: a calculation that uses another comes after it.

>>> dependency_order((("total", "${a} + ${b}"), ("a", "1"), ("b", "${a} * 2")))
['a', 'b', 'total']
"""

from __future__ import annotations

from functools import lru_cache

from aigak.questionnaires.xpath.parser import references
from aigak.questionnaires.xpath.values import ExpressionError


@lru_cache(maxsize=256)
def dependency_order(calculations: tuple[tuple[str, str], ...]) -> list[str]:
    """Names of (name, expression) pairs, each after the calculations it refers to,
    otherwise in the given order. Calculations in a cycle keep the given order (ODK
    refuses such a form; here the later ones read the earlier ones' old values)."""
    names = [name for name, _ in calculations]
    known = set(names)
    needs: dict[str, list[str]] = {}
    for name, expression in calculations:
        try:
            refs = references(expression)
        except ExpressionError:
            refs = set()
        needs[name] = [n for n in names if n in refs and n != name and n in known]
    ordered: list[str] = []
    state: dict[str, int] = {}  # 1: being visited, 2: placed

    def visit(name: str) -> None:
        if state.get(name):
            return  # placed, or a cycle: leave it where it stands
        state[name] = 1
        for needed in needs[name]:
            visit(needed)
        state[name] = 2
        ordered.append(name)

    for name in names:
        visit(name)
    return ordered
