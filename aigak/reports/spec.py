"""Report specs: what a report counts, as data (JSON files), checked before use.

A spec names the questionnaire it reads, the breakdown (columns such as deceased /
survivors / total), an optional age rule and a list of tables. Each table has a kind:

- ``single``: a select_one field, one row per choice;
- ``multiple``: a select_multiple field, one row per choice, a record counts in every
  row it ticked;
- ``cross``: ``by`` (a select_one, e.g. gender) x ``field`` (select_one,
  select_multiple or ``age_bracket``), rows keyed ``"<by>/<choice>"``;
- ``age_bracket``: the age brackets of the age rule;
- ``mean_sd``: mean, N and sample standard deviation of ``value`` (``age``) by ``field``;
- ``by_month`` / ``by_day``: a date field, rows ``YYYY-MM`` / ``YYYY-MM-DD``.

A spec that names a field or choice the questionnaire does not have is refused when it
is checked against the questionnaire, naming both.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aigak.questionnaires.xlsform import FormDefinition, pick

SPECS_DIR = Path(__file__).parent / "specs"
KINDS = ("single", "multiple", "cross", "age_bracket", "mean_sd", "by_month", "by_day")
CHART_TYPES = ("pie", "bar")
TOTAL = "total"
AGE = "age"
AGE_BRACKET = "age_bracket"
DERIVED = (AGE, AGE_BRACKET)


class ReportSpecError(ValueError):
    """A spec that cannot be used; the message names the spec, table, field and choice."""


class UnknownReport(LookupError):
    pass


@dataclass(frozen=True)
class Bracket:
    key: str
    low: int | None
    high: int | None
    label: dict[str, str]

    def holds(self, age: int) -> bool:
        return (self.low is None or age >= self.low) and (self.high is None or age <= self.high)


@dataclass(frozen=True)
class AgeRule:
    birth_date: str
    age_stated: str
    reference: dt.date
    brackets: tuple[Bracket, ...]


@dataclass(frozen=True)
class TableSpec:
    id: str
    kind: str
    title: dict[str, str]
    field: str = ""
    by: str = ""
    value: str = ""
    columns: tuple[str, ...] = ()
    where: tuple[tuple[str, str], ...] = ()
    comments: tuple[str, ...] = ()
    row_texts: str = ""
    total_block: bool = False
    chart: dict[str, str] | None = None

    def title_in(self, lang: str) -> str:
        return pick(self.title, lang, "en") or self.id

    @property
    def field_name(self) -> str:
        """The table's field as the JSON contract prints it."""
        if self.kind == "age_bracket":
            return AGE_BRACKET
        if self.kind == "cross":
            return f"{self.by} x {self.field}"
        return self.field


@dataclass(frozen=True)
class ReportSpec:
    name: str
    title: dict[str, str]
    questionnaire: str
    record_id_field: str
    breakdown_field: str
    breakdown: dict[str, str]  # column -> answer value, e.g. survivors -> alive
    column_labels: dict[str, dict[str, str]]
    age: AgeRule | None
    aliases: dict[str, str]
    tables: tuple[TableSpec, ...]
    diagrams: tuple[TableSpec, ...] = field(default=())

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.breakdown, TOTAL)

    def title_in(self, lang: str) -> str:
        return pick(self.title, lang, "en") or self.name

    def column_label(self, column: str, lang: str) -> str:
        return pick(self.column_labels.get(column, {}), lang, "en") or column

    def table(self, table_id: str) -> TableSpec:
        for table in (*self.tables, *self.diagrams):
            if table.id == table_id:
                return table
        raise KeyError(table_id)


def available() -> list[str]:
    return sorted(p.stem for p in SPECS_DIR.glob("*.json"))


def load_spec(name: str) -> ReportSpec:
    """The shipped spec of that name; UnknownReport when there is none."""
    path = SPECS_DIR / f"{name}.json"
    if "/" in name or "\\" in name or not path.is_file():
        raise UnknownReport(f"unknown report {name!r} (known: {', '.join(available())})")
    return parse_spec(json.loads(path.read_text(encoding="utf-8")), source=path.name)


def _texts(value: Any, where: str) -> dict[str, str]:
    if isinstance(value, str):
        return {"en": value}
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        return dict(value)
    raise ReportSpecError(f"{where}: a title or label is a string or {{language: text}}")


def _table(raw: Any, where: str, columns: tuple[str, ...]) -> TableSpec:
    if not isinstance(raw, dict):
        raise ReportSpecError(f"{where}: a table is an object")
    table_id = raw.get("id")
    if not isinstance(table_id, str) or not table_id:
        raise ReportSpecError(f"{where}: every table needs an id")
    where = f"{where}, table {table_id}"
    unknown = set(raw) - {
        "id", "kind", "title", "field", "by", "value", "columns", "where", "comments",
        "row_texts", "total_block", "chart",
    }  # fmt: skip
    if unknown:
        raise ReportSpecError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise ReportSpecError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
    needs: tuple[str, ...] = {"age_bracket": ()}.get(kind, ("field",))
    if kind == "cross":
        needs = ("field", "by")
    if kind == "mean_sd":
        needs = ("field", "value")
    for key in needs:
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise ReportSpecError(f"{where}: a {kind} table needs {key!r}")
    table_columns = tuple(raw.get("columns") or columns)
    if kind == "mean_sd":
        table_columns = ("mean", "n", "sd")
    elif not set(table_columns) <= set(columns):
        raise ReportSpecError(
            f"{where}: columns {list(table_columns)} are not among {list(columns)}"
        )
    chart = raw.get("chart")
    if chart is not None:
        if not isinstance(chart, dict) or chart.get("type") not in CHART_TYPES:
            raise ReportSpecError(f"{where}: chart type is one of {', '.join(CHART_TYPES)}")
        if chart.get("column", TOTAL) not in table_columns:
            raise ReportSpecError(f"{where}: chart column {chart.get('column')!r} is not shown")
    where_raw = raw.get("where") or {}
    if not isinstance(where_raw, dict) or not all(isinstance(v, str) for v in where_raw.values()):
        raise ReportSpecError(f"{where}: 'where' maps fields to one choice each")
    return TableSpec(
        id=table_id,
        kind=kind,
        title=_texts(raw.get("title", table_id), where),
        field=raw.get("field", AGE_BRACKET if kind == "age_bracket" else ""),
        by=raw.get("by", ""),
        value=raw.get("value", ""),
        columns=table_columns,
        where=tuple(sorted(where_raw.items())),
        comments=tuple(raw.get("comments") or ()),
        row_texts=raw.get("row_texts", ""),
        total_block=bool(raw.get("total_block", False)),
        chart=dict(chart) if chart else None,
    )


def parse_spec(raw: Any, source: str = "spec") -> ReportSpec:
    """Check a spec's shape (not yet its fields: see check_against)."""
    if not isinstance(raw, dict):
        raise ReportSpecError(f"{source}: a report spec is a JSON object")
    for key in ("name", "questionnaire", "breakdown", "tables"):
        if key not in raw:
            raise ReportSpecError(f"{source}: missing {key!r}")
    where = f"report {raw['name']}"
    breakdown = raw["breakdown"]
    if not isinstance(breakdown, dict) or not isinstance(breakdown.get("columns"), dict):
        raise ReportSpecError(f"{where}: breakdown needs a field and columns")
    columns = (*breakdown["columns"], TOTAL)
    age = None
    if raw.get("age"):
        rule = raw["age"]
        brackets = tuple(
            Bracket(b["key"], b.get("min"), b.get("max"), _texts(b.get("label", b["key"]), where))
            for b in rule.get("brackets", [])
        )
        try:
            reference = dt.date.fromisoformat(rule["reference_date"])
        except (KeyError, ValueError):
            raise ReportSpecError(f"{where}: age needs a reference_date YYYY-MM-DD") from None
        age = AgeRule(rule["birth_date"], rule.get("age_stated", ""), reference, brackets)
    tables = tuple(_table(t, where, columns) for t in raw["tables"])
    diagrams = tuple(_table(t, where, columns) for t in raw.get("diagrams", []))
    ids = [t.id for t in (*tables, *diagrams)]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ReportSpecError(f"{where}: table id(s) used twice: {', '.join(duplicates)}")
    if age is None and any(
        AGE_BRACKET in (t.field, t.kind) or t.value == AGE for t in (*tables, *diagrams)
    ):
        raise ReportSpecError(f"{where}: tables use ages but the spec has no age rule")
    return ReportSpec(
        name=raw["name"],
        title=_texts(raw.get("title", raw["name"]), where),
        questionnaire=raw["questionnaire"],
        record_id_field=raw.get("record_id_field", "record_id"),
        breakdown_field=breakdown["field"],
        breakdown=dict(breakdown["columns"]),
        column_labels={k: _texts(v, where) for k, v in breakdown.get("labels", {}).items()},
        age=age,
        aliases=dict(raw.get("aliases", {})),
        tables=tables,
        diagrams=diagrams,
    )


# --- checking a spec against its questionnaire ------------------------------------

_TYPES = {
    "single": ("select_one",),
    "multiple": ("select_multiple",),
    "by_month": ("date",),
    "by_day": ("date",),
    "mean_sd": ("select_one",),
}


def check_against(spec: ReportSpec, definition: FormDefinition) -> None:
    """Refuse a spec that names a field or choice the questionnaire does not have."""
    form = f"questionnaire {spec.questionnaire!r}"
    fields = definition.fields

    def need(name: str, where: str, types: tuple[str, ...] = ()) -> None:
        if name not in fields:
            raise ReportSpecError(f"{where}: field {name!r} is not in {form}")
        if types and fields[name].type not in types:
            raise ReportSpecError(
                f"{where}: field {name!r} of {form} is a {fields[name].type}, "
                f"expected {' or '.join(types)}"
            )

    def need_choice(name: str, choice: str, where: str) -> None:
        if choice not in fields[name].choice_names():
            raise ReportSpecError(
                f"{where}: choice {choice!r} is not a choice of field {name!r} in {form}"
            )

    where = f"report {spec.name}"
    need(spec.breakdown_field, f"{where}, breakdown", ("select_one",))
    for value in spec.breakdown.values():
        need_choice(spec.breakdown_field, value, f"{where}, breakdown")
    if spec.age is not None:
        need(spec.age.birth_date, f"{where}, age rule", ("date",))
        if spec.age.age_stated:
            need(spec.age.age_stated, f"{where}, age rule", ("integer", "decimal"))
    for alias, target in spec.aliases.items():
        need(target, f"{where}, alias {alias!r}")
    for table in (*spec.tables, *spec.diagrams):
        here = f"{where}, table {table.id}"
        if table.kind in _TYPES:
            need(table.field, here, _TYPES[table.kind])
        if table.kind == "cross":
            need(table.by, here, ("select_one",))
            if table.field != AGE_BRACKET:
                need(table.field, here, ("select_one", "select_multiple"))
        if table.kind == "mean_sd" and table.value != AGE:
            need(table.value, here, ("integer", "decimal"))
        for name, choice in table.where:
            need(name, here, ("select_one",))
            need_choice(name, choice, here)
        for name in (*table.comments, *([table.row_texts] if table.row_texts else [])):
            need(name, here)
