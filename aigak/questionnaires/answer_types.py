"""One answer and what is wrong with it: an answer coerced to its stored shape (by the
field's type), and the problems the checks report, in the reader's language.

Stored shapes: text/select_one/date/time/geopoint as strings, integer as int, decimal as
float, select_multiple as a list of choice names.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language, gettext, gettext_noop

from aigak.questionnaires.definition import Field, pick
from aigak.questionnaires.file_choices import choices_of

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TIME = re.compile(r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?$")
WHOLE = re.compile(r"[+-]?\d+(\.0+)?")
# Per field: its choice names in form order, and as a set. An import checks thousands of
# rows against the same fields; the names were built again for each answer.
_choice_cache: dict[int, tuple[Field, list[str], frozenset[str]]] = {}


def _choices(f: Field) -> tuple[list[str], frozenset[str]]:
    if f.itemset:  # the choices of a media file, which a new upload changes
        names = [c.name for c in choices_of(f)]
        return names, frozenset(names)
    known = _choice_cache.get(id(f))
    if known is None or known[0] is not f:
        if len(_choice_cache) > 4096:
            _choice_cache.clear()
        names = f.choice_names()
        known = _choice_cache[id(f)] = (f, names, frozenset(names))  # f keeps the id unique
    return known[1], known[2]


def words(template: str, params: dict[str, Any] | None = None, *, english: bool = False) -> str:
    """One of our messages in the active language (English when none is active, or with
    `english`): its English template translated, then filled with the named values. A
    value that is itself one of our messages, `said(template, **params)`, is said too.

    >>> words("%(a)s, then %(b)s", {"a": 1, "b": said("the end")})
    '1, then the end'
    """
    text = template if english else gettext(template)
    if not params:
        return text
    return text % {name: _value(value, english) for name, value in params.items()}


def _value(value: Any, english: bool) -> Any:
    """A value of a message: one of ours or a questionnaire's own text said in the
    language, anything else as it is."""
    if isinstance(value, dict) and "template" in value:
        return words(value["template"], value.get("params"), english=english)
    if isinstance(value, dict) and "texts" in value:
        return pick(value["texts"], "en", "en") if english else in_language(value["texts"])
    return value


def said(template: str, **params: Any) -> dict[str, Any]:
    """One of our messages as a value of another (`words`), kept as data."""
    return {"template": template, "params": params} if params else {"template": template}


def template_pattern(template: str, values: dict[str, str] | None = None) -> re.Pattern[str]:
    """A pattern that reads an English text made from `template` back into its values
    (named groups), for a message kept in English to be said again in another language;
    `values` gives a value's own pattern (any text by default).

    >>> template_pattern("%(name)s is not %(what)s").fullmatch("a.exe is not a video")["what"]
    'a video'
    """

    def value(found: re.Match[str]) -> str:
        name = found.group(1)
        return f"(?P<{name}>{(values or {}).get(name, '.+')})"

    return re.compile(re.sub(r"%\\\((\w+)\\\)s", value, re.escape(template)))


def in_language(texts: dict[str, str]) -> str:
    """A questionnaire's text in the active language, else its English, else any."""
    return pick(texts, (get_language() or "en")[:2], "en")


@dataclass
class Problem:
    field: str
    value: Any
    rule: str
    message: str  # in the language active when the answers were checked
    # The message's English template and values when it is one of ours (not a
    # questionnaire's own message): a page says it again in its reader's language, e.g.
    # the problems of an import, checked in the background and stored.
    template: str = ""
    params: dict[str, Any] = dataclasses.field(default_factory=dict)
    # A questionnaire's own message in each of its languages, when the message is one.
    texts: dict[str, str] = dataclasses.field(default_factory=dict)

    @classmethod
    def said(cls, where: str, value: Any, rule: str, template: str, **params: Any) -> Problem:
        """A problem with one of our messages, in the active language."""
        return cls(where, value, rule, words(template, params), template, params)

    @classmethod
    def unfit(cls, where: str, value: Any, rule: str, error: ValueError) -> Problem:
        """A problem with why `coerce` refused the value (an `Unfit` keeps its template)."""
        if isinstance(error, Unfit):
            return cls(where, value, rule, str(error), error.template, error.params)
        return cls(where, value, rule, str(error))

    def in_words(self) -> str:
        """The message in the active language (a questionnaire's own message in it if the
        questionnaire has it, else as it was picked)."""
        if self.template:
            return words(self.template, self.params)
        return in_language(self.texts) or self.message

    def __str__(self) -> str:
        return f"field {self.field!r}, value {self.shown!r}: {self.message} ({self.rule})"

    @property
    def shown(self) -> str:
        """The value as a message shows it: at most 60 characters."""
        from aigak.questionnaires.expressions import to_string

        shown = to_string(self.value)
        return shown[:57] + "..." if len(shown) > 60 else shown

    def framed(self) -> dict[str, Any]:
        """The problem as `str()` says it, field, value and rule around the message, as
        data (`said`) to say again in any language (`words`)."""
        message: Any = self.message
        if self.template:
            message = said(self.template, **self.params)
        elif self.texts:
            message = {"texts": self.texts}
        where = {"field": repr(self.field), "value": repr(self.shown)}
        return said(FRAME, **where, message=message, rule=rule_said(self.rule))


# A problem in words: where, the value, why, and the rule it breaks (`Problem.framed`).
FRAME = gettext_noop("field %(field)s, value %(value)s: %(message)s (%(rule)s)")
# The rules a problem can name with a word of their own (others are names: record_id).
RULE_WORDS = {"required": gettext_noop("required"), "unique": gettext_noop("unique"),
              "repeat": gettext_noop("repeat")}  # fmt: skip
# XLSForm type names in words a reader knows (the English keeps the XLSForm name).
TYPE_WORDS = {
    "text": gettext_noop("text"), "integer": gettext_noop("integer"),
    "decimal": gettext_noop("decimal"), "date": gettext_noop("date"),
    "time": gettext_noop("time"), "datetime": gettext_noop("datetime"),
    "select_one": gettext_noop("select_one"), "select_multiple": gettext_noop("select_multiple"),
    "calculate": gettext_noop("calculate"), "geopoint": gettext_noop("geopoint"),
    "image": gettext_noop("image"), "audio": gettext_noop("audio"),
    "video": gettext_noop("video"), "file": gettext_noop("file"),
}  # fmt: skip


def rule_said(rule: str) -> str | dict[str, Any]:
    """A problem's rule as a value of a message: its words said in the language.

    >>> words("(%(rule)s)", {"rule": rule_said("constraint . > 0")}, english=True)
    '(constraint . > 0)'
    >>> words("(%(rule)s)", {"rule": rule_said("type select_one")}, english=True)
    '(type select_one)'
    """
    kind, _, rest = rule.partition(" ")
    if kind == "constraint" and rest:
        return said(gettext_noop("constraint %(expression)s"), expression=rest)
    if kind == "type" and rest:
        name = said(TYPE_WORDS[rest]) if rest in TYPE_WORDS else rest
        return said(gettext_noop("type %(type)s"), type=name)
    return said(RULE_WORDS[rule]) if rule in RULE_WORDS else rule


class Unfit(ValueError):
    """Why an answer does not fit its field's type, in the active language; its English
    template and values are kept to say it again in another."""

    def __init__(self, template: str, **params: Any) -> None:
        super().__init__(words(template, params))
        self.template, self.params = template, params


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "") or value == []


# The types `coerce` converts or checks; any other answer is kept as text.
CHECKED_TYPES = frozenset(
    ("integer", "decimal", "date", "datetime", "time", "select_one", "select_multiple", "geopoint")
)


def coerce(f: Field, value: Any) -> Any:
    """One answer in its stored shape; raises ValueError with a reason."""
    t = f.type
    if type(value) is str:  # most answers (every cell of a CSV): one test for emptiness
        if not value.strip():
            return None
        if t not in CHECKED_TYPES:
            return value
    elif _empty(value):
        return None
    elif t not in CHECKED_TYPES:
        return value if isinstance(value, str) else str(value)
    if t == "select_one":  # the commonest checked type, first
        text = str(value).strip()
        if text not in _choices(f)[1]:
            raise Unfit(
                gettext_noop("%(value)s is not one of the choices of %(list)s"),
                value=repr(text),
                list=f.list_name,
            )
        return text
    return _COERCE[t](f, value)


def _integer(f: Field, value: Any) -> int:
    if isinstance(value, bool):
        raise Unfit(gettext_noop("expected a whole number"))
    if isinstance(value, float):
        if not value.is_integer():
            raise Unfit(gettext_noop("expected a whole number"))
        return int(value)
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if WHOLE.fullmatch(text):
        return int(float(text)) if "." in text else int(text)
    raise Unfit(gettext_noop("expected a whole number"))


def _decimal(f: Field, value: Any) -> float:
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        raise Unfit(gettext_noop("expected a number")) from None
    if math.isnan(number) or math.isinf(number):
        raise Unfit(gettext_noop("expected a number"))
    return number


def _date(f: Field, value: Any) -> str:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()[:10] if "T" in str(value) else str(value).strip()
    if not DATE.match(text):
        raise Unfit(gettext_noop("expected a date as YYYY-MM-DD"))
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        raise Unfit(gettext_noop("not a real calendar date")) from None
    return text


def _datetime(f: Field, value: Any) -> str:
    text = value.isoformat() if isinstance(value, dt.datetime) else str(value).strip()
    try:
        dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise Unfit(gettext_noop("expected a date and time as YYYY-MM-DDTHH:MM")) from None
    return text


def _time(f: Field, value: Any) -> str:
    text = value.isoformat() if isinstance(value, dt.time) else str(value).strip()
    if not TIME.match(text):
        raise Unfit(gettext_noop("expected a time as HH:MM"))
    return text


def _select_multiple(f: Field, value: Any) -> list[str]:
    items = value if isinstance(value, list) else str(value).split()
    items = [str(i).strip() for i in items if str(i).strip()]
    allowed, known = _choices(f)
    unknown = [i for i in items if i not in known]
    if unknown:
        raise Unfit(
            gettext_noop("%(values)s not among the choices of %(list)s"),
            values=", ".join(unknown),
            list=f.list_name,
        )
    # Keep the questionnaire's order and drop repeats: one canonical form.
    chosen = set(items)
    return [c for c in allowed if c in chosen]


def _geopoint(f: Field, value: Any) -> str:
    parts = str(value).split()
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        raise Unfit(gettext_noop("expected 'latitude longitude [altitude accuracy]'")) from None
    if len(numbers) < 2 or not (-90 <= numbers[0] <= 90 and -180 <= numbers[1] <= 180):
        raise Unfit(gettext_noop("expected 'latitude longitude [altitude accuracy]'"))
    return " ".join(parts)


_COERCE: dict[str, Callable[[Field, Any], Any]] = {
    "integer": _integer,
    "decimal": _decimal,
    "date": _date,
    "datetime": _datetime,
    "time": _time,
    "select_multiple": _select_multiple,
    "geopoint": _geopoint,
}


NOT_SEEN = object()  # a text not remembered (`coercer`)
REMEMBERED = 4096  # distinct texts remembered per field


def coercer(f: Field, seen: dict[str, Any] | None = None) -> Callable[[Any], Any]:
    """`coerce(f, value)` for one field, made once per form for a file's many rows: a
    text answer to a field that is not checked is only tested for emptiness, and the
    texts given to a checked field are remembered with their answer (a form's choices
    give a few hundred distinct ones, its dates some thousands), in `seen` if given:
    a caller may look there first (`remembered_answer`)."""
    if f.type not in CHECKED_TYPES:

        def text(value: Any) -> Any:
            if type(value) is str:
                return value if value and not value.isspace() else None  # as .strip()
            return coerce(f, value)

        return text
    texts: dict[str, Any] = {} if seen is None else seen

    def remembered(value: Any) -> Any:
        if type(value) is not str:
            return coerce(f, value)
        known = texts.get(value, NOT_SEEN)
        if known is NOT_SEEN:
            known = coerce(f, value)  # a refused text raises, and is not remembered
            if len(texts) < REMEMBERED:
                texts[value] = known
        return list(known) if type(known) is list else known  # each answer its own list

    return remembered
