"""The examples in docstrings are tests too.

Every module of the package that writes an example (a line starting with `>>>`) is run,
and each must run as many examples as it writes: an example doctest cannot find (in a
comment, in a function it does not reach) fails here instead of passing unseen.
"""

import doctest
import importlib
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "aigak"
EXAMPLE = re.compile(r"^\s*>>> ", re.M)
# Modules whose examples document shared helpers; at least these must be found.
EXPECTED = {
    "aigak.lib.names",
    "aigak.lib.env",
    "aigak.lib.spreadsheet",
    "aigak.records.links",
    "aigak.records.ids",
    "aigak.evidence.sniff",
}


def examples_written() -> dict[str, int]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if "tests" in parts or "migrations" in parts:
            continue
        count = len(EXAMPLE.findall(path.read_text(encoding="utf-8")))
        if count:
            found[".".join(parts)] = count
    return found


WRITTEN = examples_written()


def test_it_finds_the_modules_with_examples():
    assert EXPECTED <= set(WRITTEN)
    assert len(WRITTEN) >= 10


@pytest.mark.parametrize("name", sorted(WRITTEN))
def test_it_runs_every_example_of(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted >= WRITTEN[name], "examples written but not run"
