"""What a record id may be: checked in URLs, imports and new records.

A record id names a record in addresses, files, logs and reports, so it is plain: a
letter or digit first, then letters, digits and `_ . : -` (`V-000123`, an ODK
`uuid:…`), at most 64 characters (the column's width), never `..` and never markup.

>>> [record_id_problem(v) for v in ("V-000123", "uuid:0f1e-22", "2024.17")]
[None, None, None]
>>> record_id_problem("../etc/passwd")
'a record id is letters, digits and _ . : - (starting with a letter or digit), without ..'
>>> record_id_problem("<script>") is not None, record_id_problem("V" * 65) is not None
(True, True)
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext_noop

from aigak.questionnaires.answer_types import Problem, words

MAX_LENGTH = 64
PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}"
_RECORD_ID = re.compile(PATTERN)


def record_id_problem(value: Any) -> str | None:
    """Why `value` cannot be a record id (in the active language), or None when it can."""
    why = _why_not(value)
    return None if why is None else words(*why)


def _why_not(value: Any) -> tuple[str, dict[str, Any]] | None:
    """Why `value` cannot be a record id: the English template and its values."""
    text = str(value)
    if len(text) > MAX_LENGTH:
        return gettext_noop("a record id has at most %(most)s characters"), {"most": MAX_LENGTH}
    if not _RECORD_ID.fullmatch(text) or ".." in text:
        return (
            gettext_noop(
                "a record id is letters, digits and _ . : - (starting with a letter or digit), "
                "without .."
            ),
            {},
        )
    return None


def record_id_problems(answers: dict[str, Any]) -> list[Problem]:
    """The problem with the answers' `record_id`, if they name one (for imports)."""
    value = answers.get("record_id")
    if value in (None, ""):
        return []
    why = _why_not(value)
    return [] if why is None else [Problem.said("record_id", value, "record_id", why[0], **why[1])]
