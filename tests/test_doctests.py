"""The examples in docstrings are tests too."""

import doctest
import importlib
import pkgutil

import pytest

import aigak.lib

MODULES = [
    "aigak.questionnaires.expressions",
    "aigak.records.links",
    "aigak.records.ids",
    "aigak.evidence.sniff",
    *[f"aigak.lib.{m.name}" for m in pkgutil.iter_modules(aigak.lib.__path__)],
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
