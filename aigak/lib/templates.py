"""Django's template engine with each tag library imported by the first template that
`{% load %}`s it.

Django's engine imports every installed app's `templatetags` module when it is made, to
find their names: the first page a process renders paid 0.25 s of CPU for it, most of it
Django REST framework's library (its renderers, serializers, `requests`, `yaml`), which
no page of Aigak loads. Here the names are found by listing the `templatetags` folders,
as Django walks them, without importing the modules; `Libraries` imports one when a
template asks for it. Django's own check of libraries with the same name still imports
them all (`aigak manage check`, and `aigak serve` after it listens).
"""

from __future__ import annotations

import importlib.util
import pkgutil
from collections.abc import Iterator, Mapping
from typing import Any

from django.apps import apps
from django.template.backends.django import DjangoTemplates
from django.template.library import Library, import_library


def library_paths() -> dict[str, str]:
    """Name -> module path of every installed tag library, as Django's
    `get_installed_libraries` finds them (later apps win), without importing them: a
    module of a `templatetags` folder that is no library (no `register`) is listed too,
    and refused as Django refuses an unknown one if a template loads it."""
    found: dict[str, str] = {}
    candidates = ["django.templatetags"]
    candidates += [f"{config.name}.templatetags" for config in apps.get_app_configs()]
    for candidate in candidates:
        try:
            spec = importlib.util.find_spec(candidate)
        except ImportError:
            continue
        if spec is None or not spec.submodule_search_locations:
            continue
        prefix = candidate + "."
        for info in pkgutil.walk_packages(spec.submodule_search_locations, prefix):
            if not info.ispkg:
                found[info.name.removeprefix(prefix)] = info.name
    return found


class Libraries(Mapping[str, Library]):
    """The engine's tag libraries by name, each imported on its first lookup (two
    threads importing one at once is harmless: the module is imported once)."""

    def __init__(self, paths: Mapping[str, str]) -> None:
        self.paths = dict(paths)
        self._loaded: dict[str, Library] = {}

    def __getitem__(self, name: str) -> Library:
        library = self._loaded.get(name)
        if library is None:
            library = self._loaded[name] = import_library(self.paths[name])
        return library

    def __iter__(self) -> Iterator[str]:
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)

    def __contains__(self, name: object) -> bool:
        return name in self.paths


class Templates(DjangoTemplates):
    """`DjangoTemplates` whose engine imports a tag library when a template loads it."""

    def get_templatetag_libraries(self, custom_libraries: dict[str, str]) -> dict[str, str]:
        self._library_paths = {**library_paths(), **custom_libraries}
        return {}  # the engine imports none of them when it is made

    def __init__(self, params: dict[str, Any]) -> None:
        super().__init__(params)
        self.engine.libraries = self._library_paths
        # The engine and its parser only look libraries up by name and list the names.
        self.engine.template_libraries = Libraries(self._library_paths)  # type: ignore[assignment]
