"""Modules loaded on first use, so that starting the server or a light command does not
import pandas, splink, scipy or numba for pages and commands that may never run.

``module("aigak.linkage.review")`` returns the module at once, unexecuted; its code runs
the first time one of its names is read (``importlib.util.LazyLoader``). Only for the
project's own modules: a third-party package is imported inside the function using it.

``View(module, name)`` is a URL pattern's view loaded by its first request;
``Views(module)`` stands for a module of view functions in a URL table: its attributes are
such views (``Views("aigak.records.views").record_list``).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any


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


class View:
    """A URL pattern's view whose module is imported by its first request.

    ``View("aigak.api.views_records", "RecordList")`` stands for
    ``RecordList.as_view()`` (``class_based=False``: the function itself). The URL table
    then loads without the module - for the REST API, without Django REST framework and
    drf-spectacular, half of its cost. Reading any attribute of the view (Django's CSRF
    middleware asks for ``csrf_exempt``, the API schema for ``cls``) loads it; the dotted
    path Django reports for it (``lookup_str``, ``ResolverMatch``) is the same as the
    loaded view's, without loading it. Loading twice at once is harmless.
    """

    def __init__(
        self, module_name: str, name: str, *, class_based: bool = True, **initkwargs: Any
    ) -> None:
        self.__module__ = module_name
        self.__name__ = self.__qualname__ = name
        self._class_based = class_based
        self._initkwargs = initkwargs
        self._view: Callable[..., Any] | None = None

    def load(self) -> Callable[..., Any]:
        if self._view is None:
            found = getattr(importlib.import_module(self.__module__), self.__name__)
            self._view = found.as_view(**self._initkwargs) if self._class_based else found
        return self._view

    def __call__(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return self.load()(request, *args, **kwargs)

    def __getattr__(self, attribute: str) -> Any:
        # Only reached for what the instance lacks. `view_class` is refused so that Django
        # names the view by __module__ and __name__ instead of loading it to ask.
        if attribute.startswith("_") or attribute == "view_class":
            raise AttributeError(attribute)
        return getattr(self.load(), attribute)

    def __repr__(self) -> str:
        return f"<lazy view {self.__module__}.{self.__name__}>"


class Views:
    """The view functions of a module, for a URL table: ``views.name`` is
    ``View(module_name, "name", class_based=False)``, loaded by its first request (or any
    read of its attributes). A name the module lacks fails at that first request; the
    test of the URL table loads every view (tests/test_startup_imports.py)."""

    def __init__(self, module_name: str) -> None:
        self._module_name = module_name

    def __getattr__(self, name: str) -> View:
        if name.startswith("_"):
            raise AttributeError(name)
        return View(self._module_name, name, class_based=False)

    def __repr__(self) -> str:
        return f"<lazy views of {self._module_name}>"
