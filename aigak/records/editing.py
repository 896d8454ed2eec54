"""What the edit page needs when a save cannot be made as sent: the fields two editors
changed (actions.EditConflict) to choose between, or a database busy with other work."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import OperationalError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from aigak.accounts import permissions as perms
from aigak.questionnaires.webform import display_value
from aigak.questionnaires.xlsform import FormDefinition
from aigak.records import actions


@dataclass
class EditState:
    """A save that could not be made as sent: a conflict to choose in, or a database that
    is busy or out of space."""

    base_version: int | str = ""
    seen_version: int | str = ""
    conflict: actions.EditConflict | None = None
    busy: str = ""  # "busy" (locked past its timeout) or "full" (no space left)
    status: int = 0

    def conflict_rows(self, user: Any, definition: FormDefinition, lang: str) -> list[Any]:
        """(field name, label, their value, my value) of each field both changed."""
        if self.conflict is None:
            return []
        secret = not perms.can_see_confidential(user)
        rows = []
        for c in self.conflict.conflicts:
            f = definition.fields[c.field]
            theirs = (
                display_value(f, c.theirs, lang, definition.default_language)
                if not (secret and f.confidential)
                else _("(confidential)")
            )
            mine = display_value(f, c.mine, lang, definition.default_language)
            rows.append((c.field, definition.label(c.field, lang), theirs, mine))
        return rows


def unavailable(exc: OperationalError) -> str:
    """Why the database could not take a write that is worth trying again: "busy" (SQLite's
    lock not free within its busy_timeout), "full" (no space left on the disk), or ""."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return "busy"
    if "full" in text or "no space" in text:
        return "full"
    return ""


def version_posted(request: HttpRequest, name: str) -> int | None:
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() else None
