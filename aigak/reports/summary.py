"""A summary report for any installed questionnaire, built with the report engine.

The spec is derived from the form (`summary_spec`): every select question counted, the
first date question by month, and a cross-tab of any question by any select question when
one is chosen. It is an ordinary report spec (JSON), so it can be saved and run again with
the engine. Numbers (integer and decimal questions) are summarised beside the engine's
tables: n, mean, median, minimum and maximum.

Fields a user may not see (confidential ones, for roles without that right) are left out
of the spec, and the filters are those of the other reports (`aigak.reports.filters`).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from aigak.accounts import permissions as perms
from aigak.questionnaires.definition import Field, FormDefinition, pick
from aigak.questionnaires.registry import get_questionnaire
from aigak.records.models import Record
from aigak.reports.build import BuiltReport
from aigak.reports.engine import compute
from aigak.reports.filters import (
    apply_sql,
    as_json,
    matches,
    named_fields,
    parse_where,
    resolve,
)
from aigak.reports.spec import AGE, ReportSpec, ReportSpecError, parse_spec

MONTHS_FIELD_TYPES = ("date",)
NUMBER_TYPES = ("integer", "decimal")
BY_MONTH = gettext_noop("%(question)s: by month")
CROSS = gettext_noop("%(question)s by %(by)s")


@dataclass
class Summary:
    built: BuiltReport
    numbers: list[dict[str, Any]] = field(default_factory=list)
    selects: list[tuple[str, str]] = field(default_factory=list)  # name, label: "by" choices
    questions: list[tuple[str, str]] = field(default_factory=list)  # name, label: "field"


def _shown(definition: FormDefinition, user: Any) -> list[Field]:
    return [
        f for f in definition.answer_fields() if perms.can_see_field(user, f) and not f.metadata
    ]


def summary_spec(
    name: str, definition: FormDefinition, fields: list[Field], cross: tuple[str, str] | None
) -> dict[str, Any]:
    """The report spec (JSON) derived from a form; `cross` = (question, by select)."""
    tables: list[dict[str, Any]] = []
    for f in fields:
        if f.itemset:
            continue  # choices in a media file of the form: not counted by choice
        if f.type == "select_one":
            tables.append({"id": f"count_{f.name}", "kind": "single", "field": f.name,
                           "title": f.label or {"en": f.name}})  # fmt: skip
        elif f.type == "select_multiple":
            tables.append({"id": f"count_{f.name}", "kind": "multiple", "field": f.name,
                           "title": f.label or {"en": f.name}})  # fmt: skip
    date = next((f for f in fields if f.type in MONTHS_FIELD_TYPES), None)
    if date is not None:
        tables.append({"id": "by_month", "kind": "by_month", "field": date.name,
                       "title": _in_languages(BY_MONTH, date, date)})  # fmt: skip
    if cross is not None:
        question, by = cross
        title = _in_languages(CROSS, definition.fields[question], definition.fields[by])
        if definition.fields[question].type == "integer":
            tables.append({"id": "cross", "kind": "mean_sd", "field": by, "value": question,
                           "title": title})  # fmt: skip
        else:
            tables.append({"id": "cross", "kind": "cross", "field": question, "by": by,
                           "title": title})  # fmt: skip
    record_id = "record_id" if "record_id" in definition.fields else next(iter(definition.fields))
    return {
        "name": f"summary-{name}",
        "title": _titles_in_languages(definition.title),
        "questionnaire": name,
        "record_id_field": record_id,
        "breakdown": {"field": record_id, "columns": {}},
        "tables": tables,
    }


def _crossable(
    definition: FormDefinition, names: set[str], selects: list[Field], cross: tuple[str, str]
) -> bool:
    question, by = cross
    if question not in names or question == by or by not in {f.name for f in selects}:
        return False
    kind = definition.fields[question].type
    if kind == "decimal":
        return False  # the engine's mean table is for whole numbers
    if kind == "integer":
        # A field named like the engine's derived age would be read as that age.
        return definition.fields[by].type == "select_one" and question != AGE
    return True


def _numbers(definition: FormDefinition, fields: list[Field], answers: list[dict], lang: str):
    out = []
    for f in fields:
        if f.type not in NUMBER_TYPES:
            continue
        values = [float(a[f.name]) for a in answers if isinstance(a.get(f.name), (int, float))]
        row: dict[str, Any] = {"field": f.name, "label": pick(f.label, lang) or f.name,
                               "n": len(values)}  # fmt: skip
        if values:
            row |= {"mean": statistics.fmean(values), "median": statistics.median(values),
                    "min": min(values), "max": max(values)}  # fmt: skip
        out.append(row)
    return out


def build_summary(
    user: Any,
    name: str,
    where: list[str] | tuple[str, ...] = (),
    *,
    lang: str = "en",
    cross: tuple[str, str] | None = None,
) -> Summary:
    """The summary of a questionnaire's live records that this user may read."""
    questionnaire = get_questionnaire(name)
    definition = questionnaire.definition
    fields = _shown(definition, user)
    names = {f.name for f in fields}
    selects = [f for f in fields if f.is_select and not f.itemset]
    if cross is not None and not _crossable(definition, names, selects, cross):
        raise ReportSpecError(
            f"cross-tab: {cross[0]!r} by {cross[1]!r} is not a question by a select question"
        )
    spec: ReportSpec = parse_spec(summary_spec(name, definition, fields, cross))
    parsed = parse_where(where)
    # The field rule before anything is applied: a hidden field is refused like an unknown one.
    perms.require_fields(user, definition, named_fields(parsed))
    conditions = resolve(parsed, definition, {})
    records, left = apply_sql(
        Record.live.filter(questionnaire=questionnaire), conditions, definition
    )
    answers = [a for a in records.values_list("answers", flat=True) if matches(a, left)]
    data = compute(spec, definition, answers, lang=lang, filters=as_json(conditions))
    numbers = _numbers(definition, fields, answers, lang)
    data["numbers"] = numbers
    built = BuiltReport(spec=spec, definition=definition, conditions=conditions, data=data,
                        lang=lang)  # fmt: skip
    label = {f.name: pick(f.label, lang) or f.name for f in fields}
    return Summary(
        built=built,
        numbers=numbers,
        selects=[(f.name, label[f.name]) for f in selects],
        questions=[
            (f.name, label[f.name]) for f in fields if f.is_select or f.type in NUMBER_TYPES
        ],
    )


def _titles_in_languages(title: str) -> dict[str, str]:
    """ "Summary: <the form's title>" in each language of the interface."""
    out = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            out[code] = gettext("Summary: %(title)s") % {"title": gettext(title)}
    return out


def _in_languages(text: str, question: Field, by: Field) -> dict[str, str]:
    """A table title in each language of the interface, with the questions' labels."""
    out = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            out[code] = gettext(text) % {
                "question": pick(question.label, code) or question.name,
                "by": pick(by.label, code) or by.name,
            }
    return out
