"""The warnings of a victim list (`VictimList.warnings`, a staged file's `Table.warnings`),
kept in English as `aigak.linkage.lists` and `people.decode_text` write them from the
templates here, and said in the reader's language: `warning_said` reads a stored warning
back into its template and values, so a list stored before the pages spoke Russian or
Kazakh is said in them too. A warning not of these stays as it is."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext_noop

from aigak.questionnaires.answer_types import said, template_pattern, words

SHEETS = gettext_noop("%(file)s: read the first sheet, %(sheet)s; other sheets ignored: %(others)s")
BLANK = gettext_noop("%(file)s: %(rows)s: empty; skipped")
NO_ID = gettext_noop("%(file)s: no id column chosen; each entry's id is its row number in the file")
EMPTY_NAME = gettext_noop(
    "%(file)s: %(rows)s, column %(columns)s: empty name; kept, but cannot be matched"
)
NO_NAME = gettext_noop(
    "%(file)s: %(rows)s, column %(columns)s: no surname or given name can be read from the "
    "name; kept, but cannot be matched"
)
UNREADABLE = gettext_noop("%(file)s: %(rows)s, column %(column)s: %(why)s")
NOT_UTF8 = gettext_noop(
    "%(file)s: not UTF-8 (first bad byte in row %(row)s); read as %(encoding)s. "
    "Save it as UTF-8 to be sure."
)
WARNINGS = (SHEETS, BLANK, NO_ID, EMPTY_NAME, NO_NAME, UNREADABLE, NOT_UTF8)

# Why a value is ignored (`people.unreadable_values`), and the code pages `decode_text` tries.
NOT_AGE = gettext_noop("not a whole number of years; ignored when matching")
NOT_DATE = gettext_noop("not a date (YYYY-MM-DD, DD.MM.YYYY or YYYY); ignored when matching")
ENCODINGS = {
    "cp1251": gettext_noop("cp1251 (Windows Cyrillic)"),
    "kz1048": gettext_noop("kz1048 (Windows Kazakh)"),
    "koi8_r": "KOI8-R",
    "cp866": gettext_noop("cp866 (DOS Cyrillic)"),
}
_OURS = {"why": {NOT_AGE, NOT_DATE}, "encoding": set(ENCODINGS.values())}

# The rows of a warning, as `row_numbers` writes them: "row 3", "rows 3, 5 and 2 more".
ROW = gettext_noop("row %(row)s")
ROWS = gettext_noop("rows %(rows)s")
MORE = gettext_noop("%(rows)s and %(more)s more")
_ROWS = r"rows? \d+(?:, \d+)*(?: and \d+ more)?"
_SAID_ROWS = re.compile(r"(?P<word>rows?) (?P<rows>\d+(?:, \d+)*)(?: and (?P<more>\d+) more)?")


def row_numbers(numbers: list[int], show: int = 8) -> str:
    """Row numbers as a warning names them, at most `show` of them."""
    shown = ", ".join(str(n) for n in numbers[:show])
    more = f" and {len(numbers) - show} more" if len(numbers) > show else ""
    return f"{'row' if len(numbers) == 1 else 'rows'} {shown}{more}"


_PATTERNS = [(template, template_pattern(template, {"rows": _ROWS})) for template in WARNINGS]


def _rows_said(text: str) -> dict[str, Any]:
    found = _SAID_ROWS.fullmatch(text)
    if found is None:
        return {"template": text}
    numbers: Any = found["rows"]
    if found["more"]:
        numbers = said(MORE, rows=numbers, more=found["more"])
    return said(ROW, row=numbers) if found["word"] == "row" else said(ROWS, rows=numbers)


def warning_said(warning: str) -> dict[str, Any]:
    """A stored warning as data to say in any language (`words`).

    >>> words(**warning_said("a.csv: rows 2, 4: empty; skipped"), english=True)
    'a.csv: rows 2, 4: empty; skipped'
    """
    for template, pattern in _PATTERNS:
        found = pattern.fullmatch(warning)
        if found is None:
            continue
        params: dict[str, Any] = found.groupdict()
        if any(params[name] not in ours for name, ours in _OURS.items() if name in params):
            continue
        for name in ("why", "encoding"):
            if name in params:
                params[name] = said(params[name])
        if "rows" in params:
            params["rows"] = _rows_said(params["rows"])
        return said(template, **params)
    return {"template": warning}


def warning_in_words(warning: str) -> str:
    """A stored warning in the active language."""
    said_warning = warning_said(warning)
    if "params" not in said_warning:
        return warning  # not one of ours: never looked up as a message
    return words(**said_warning)
