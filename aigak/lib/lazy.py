"""Modules loaded on first use, so that starting the server or a light command does not
import pandas, splink, scipy or numba for pages and commands that may never run.

``module("aigak.linkage.review")`` returns the module at once, unexecuted; its code runs
the first time one of its names is read (``importlib.util.LazyLoader``). Only for the
project's own modules: a third-party package is imported inside the function using it.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def module(name: str) -> ModuleType:
    """The module called name, executed when one of its attributes is first read."""
    found = sys.modules.get(name)
    if found is not None:
        return found
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ImportError(f"no module named {name!r}", name=name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    lazy = importlib.util.module_from_spec(spec)
    sys.modules[name] = lazy
    loader.exec_module(lazy)
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, lazy)
    return lazy
