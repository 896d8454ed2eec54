"""A questionnaire's media files as the secondary instances of its expressions.

The files are those the collection app serves to devices with the form
(`aigak.collection.models.FormMedia`, uploaded on the form's collection page), so
`pulldata()` and `instance('name')` read on the server what they read on a phone. Each
version's definition gets a `FormMediaFiles` of its questionnaire (`models.py`); the
entry points of validation and semantics evaluate with it (`with_form_media`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from aigak.questionnaires.xpath.functions_media import Items

F = TypeVar("F", bound=Callable[..., Any])


class FormMediaFiles:
    """name -> items of the questionnaire's media file `name`, `name.csv` or `name.xml`.

    One small query per lookup finds the file's checksum; its items are parsed once per
    content."""

    def __init__(self, questionnaire_id: int):
        self.questionnaire_id = questionnaire_id
        self._parsed: dict[tuple[str, str], Items] = {}

    def __call__(self, name: str) -> Items | None:
        from django.apps import apps

        # The expression language loads with the first file read (not with every
        # definition: `aigak form list` reads four without evaluating anything).
        from aigak.questionnaires.xpath.functions_media import read_items

        media = apps.get_model("collection", "FormMedia")
        wanted = [name] if "." in name else [f"{name}.csv", f"{name}.xml"]
        found = list(
            media.objects.filter(questionnaire_id=self.questionnaire_id, filename__in=wanted)
            .order_by("filename")
            .values_list("filename", "md5")[:1]
        )
        if not found:
            return None
        key = found[0]
        if key not in self._parsed:
            data = media.objects.get(questionnaire_id=self.questionnaire_id, filename=key[0]).data
            if len(self._parsed) > 64:
                self._parsed.clear()
            self._parsed[key] = read_items(key[0], bytes(data))
        return self._parsed[key]


def with_form_media(fn: F) -> F:
    """Evaluate fn(definition, ...) with the definition's media files, if it has them."""
    from aigak.questionnaires.xpath.functions_media import form_media

    @functools.wraps(fn)
    def wrapper(definition: Any, *args: Any, **kwargs: Any) -> Any:
        media = getattr(definition, "media", None)
        if media is None:  # what form_media(None) does, without a context per call
            return fn(definition, *args, **kwargs)
        with form_media(media):
            return fn(definition, *args, **kwargs)

    return wrapper  # type: ignore[return-value]
