"""The reference engine for tests: the first, record-by-record implementation of the
report semantics (a Counter per table over answer dicts, no numpy), kept to check that
the columnar engine in aigak.reports.engine gives the same report on any data. The
counting is its own; the pure helpers around it (rounding of percentages, mean and sd,
chunking, the assembly of the final result) are the engine's.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from itertools import chain
from operator import itemgetter
from typing import Any

from aigak.questionnaires.xlsform import FormDefinition, pick
from aigak.reports.engine import chunked, mean_sd, percent, result
from aigak.reports.spec import AGE, AGE_BRACKET, DERIVED, TOTAL, ReportSpec, TableSpec

CHUNK = 5000

Answers = dict[str, Any]
Where = tuple[tuple[str, str], ...]
Getter = Callable[[str], list[Any]]


class Chunk:
    """One chunk of answer sets, split by breakdown column (and by a table's `where`);
    each field is extracted once per part as a list and shared by the tables."""

    def __init__(self, plan: Plan, answers: list[Answers]):
        self.plan = plan
        self.answers = answers
        self._parts: dict[Where, list[tuple[str, list[Answers]]]] = {}
        self._columns: dict[tuple[Where, str, str], list[Any]] = {}

    def parts(self, where: Where = ()) -> list[tuple[str, list[Answers]]]:
        """[(column, answer sets)], '' for records without a breakdown answer."""
        parts = self._parts.get(where)
        if parts is None:
            if not where:
                groups: dict[str, list[Answers]] = defaultdict(list)
                mapping, name = self.plan.column_of, self.plan.spec.breakdown_field
                for answers in self.answers:
                    groups[mapping.get(str(answers.get(name)), "")].append(answers)
                parts = list(groups.items())
            else:
                parts = []
                for column, group in self.parts():
                    for name, wanted in where:
                        group = [a for a in group if a.get(name) == wanted]
                    if group:
                        parts.append((column, group))
            self._parts[where] = parts
        return parts

    def column(self, where: Where, column: str, group: list[Answers], name: str) -> list[Any]:
        key = (where, column, name)
        values = self._columns.get(key)
        if values is None:
            plan = self.plan
            if name == AGE:
                births = self.column(where, column, group, plan.birth_field)
                stated = (
                    self.column(where, column, group, plan.stated_field)
                    if plan.stated_field
                    else [None] * len(group)
                )
                values = plan.ages(births, stated)
            elif name == AGE_BRACKET:
                brackets, last = plan.bracket_of, len(plan.bracket_of) - 1
                values = [
                    None if a is None else brackets[min(a, last)]
                    for a in self.column(where, column, group, AGE)
                ]
            elif not where and name in plan.raw_index:
                self._extract(column, group)
                return self._columns[key]
            else:
                values = [a.get(name) for a in group]
            self._columns[key] = values
        return values

    def _extract(self, column: str, group: list[Answers]) -> None:
        """Every field the tables read, in one pass: a template dict makes missing keys
        None so one itemgetter takes all fields per record (about twice as fast as a
        list per field), then zip transposes records into columns."""
        plan = self.plan
        template, getter = plan.raw_template, plan.raw_getter
        rows = [getter({**template, **a}) for a in group]
        columns = list(zip(*rows, strict=True)) if rows else [()] * (len(plan.raw_fields) + 1)
        for name, values in zip(plan.raw_fields, columns, strict=False):  # "" is dropped
            self._columns[((), column, name)] = list(values)


class Plan:
    """The compiled spec: accumulators per table, age lookups, labels."""

    def __init__(self, spec: ReportSpec, definition: FormDefinition, comments: bool = True):
        self.spec = spec
        self.definition = definition
        self.column_of = {value: column for column, value in spec.breakdown.items()}
        self.split = tuple(spec.breakdown)  # e.g. ("deceased", "survivors")
        self.birth_field = spec.age.birth_date if spec.age else ""
        self.stated_field = spec.age.age_stated if spec.age else ""
        self.bracket_of: list[str | None] = []
        if spec.age:
            top = max((b.low or 0) for b in spec.age.brackets) + 1
            self.bracket_of = [
                next((b.key for b in spec.age.brackets if b.holds(age)), None)
                for age in range(top + 1)
            ]
        self._birth_ages: dict[str, int | None] = {}
        self.raw_fields = self._raw_fields()
        self.raw_index = {name: i for i, name in enumerate(self.raw_fields)}
        self.raw_template = dict.fromkeys((*self.raw_fields, ""))
        self.raw_getter = itemgetter(*self.raw_fields, "")  # "": always a tuple
        self.tables = [_accumulator(self, t, comments) for t in (*spec.tables, *spec.diagrams)]
        self.n_records = 0

    def _raw_fields(self) -> tuple[str, ...]:
        """The answer fields the tables read (not the derived age and bracket)."""
        names = [self.spec.record_id_field, self.spec.breakdown_field]
        if self.birth_field:
            names += [self.birth_field, self.stated_field]
        for t in (*self.spec.tables, *self.spec.diagrams):
            names += [t.field, t.by, t.value, t.row_texts, *t.comments]
        return tuple(dict.fromkeys(n for n in names if n and n not in DERIVED))

    def ages(self, births: list[Any], stated: list[Any]) -> list[int | None]:
        memo = self._birth_ages
        out: list[int | None] = []
        for birth, approx in zip(births, stated, strict=True):
            if birth:
                age = memo.get(birth, -1)
                if age == -1:
                    age = memo[birth] = self._age_at_reference(birth)
                if age is not None:
                    out.append(age)
                    continue
            out.append(_whole(approx))
        return out

    def _age_at_reference(self, birth: Any) -> int | None:
        assert self.spec.age is not None
        try:
            born = dt.date.fromisoformat(str(birth)[:10])
        except ValueError:
            return None
        ref = self.spec.age.reference
        age = ref.year - born.year - ((ref.month, ref.day) < (born.month, born.day))
        return age if age >= 0 else None

    def add(self, answers: list[Answers]) -> None:
        chunk = Chunk(self, answers)
        self.n_records += len(answers)
        for table in self.tables:
            table.add(chunk)

    def merge(self, other: Plan) -> None:
        """Add another plan's counts (the same spec over other records) to this one."""
        self.n_records += other.n_records
        for mine, theirs in zip(self.tables, other.tables, strict=True):
            mine.merge(theirs)

    def choices(self, name: str, lang: str) -> list[tuple[str, str]]:
        if name == AGE_BRACKET:
            assert self.spec.age is not None
            return [(b.key, pick(b.label, lang, "en") or b.key) for b in self.spec.age.brackets]
        f = self.definition.fields[name]
        default = self.definition.default_language
        return [(c.name, pick(c.label, lang, default) or c.name) for c in f.choices]

    def field_label(self, name: str, lang: str) -> str:
        if name in self.definition.fields:
            return self.definition.label(name, lang)
        return name


def _whole(value: Any) -> int | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = int(float(value))
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


# --- accumulators ------------------------------------------------------------------


class Table:
    """Counts for one table; subclasses per kind."""

    def __init__(self, plan: Plan, spec: TableSpec, comments: bool):
        self.plan = plan
        self.spec = spec
        self.in_scope: Counter[str] = Counter()  # records per column
        self.comment_fields = spec.comments if comments else ()
        self.comments: list[dict[str, Any]] = []
        self.row_texts: dict[Any, dict[str, None]] = defaultdict(dict)

    def add(self, chunk: Chunk) -> None:
        where = self.spec.where
        for column, group in chunk.parts(where):
            self.in_scope[column] += len(group)

            def get(name: str, column: str = column, group: list[Answers] = group) -> list[Any]:
                return chunk.column(where, column, group, name)

            self.count(column, get)
            if self.comment_fields:
                self.collect_comments(column, get)
            if self.spec.row_texts:
                keys, texts = get(self.spec.field), get(self.spec.row_texts)
                for i in [i for i, t in enumerate(texts) if t]:
                    if keys[i] is not None:
                        self.row_texts[keys[i]][str(texts[i])] = None

    def count(self, column: str, get: Getter) -> None:
        raise NotImplementedError

    def merge(self, other: Table) -> None:
        for name, value in vars(other).items():
            if isinstance(value, Counter):
                getattr(self, name).update(value)
        self.comments.extend(other.comments)
        for key, texts in other.row_texts.items():
            self.row_texts[key].update(texts)

    def collect_comments(self, column: str, get: Getter) -> None:
        ids = get(self.plan.spec.record_id_field)
        keys = get(self.spec.field) if self.spec.field else None
        for name in self.comment_fields:
            texts = get(name)
            for i in [i for i, t in enumerate(texts) if t]:
                entry = {
                    "record_id": ids[i],
                    "column": column or None,
                    "field": name,
                    "text": str(texts[i]),
                }
                if keys is not None:
                    entry["key"] = keys[i]
                self.comments.append(entry)

    # -- output helpers
    def sorted_comments(self) -> list[dict[str, Any]]:
        """In record id order: the same however the records were chunked or split."""
        return sorted(self.comments, key=lambda c: (str(c["record_id"]), c["field"]))

    def column_totals(self, per_column: Counter[Any]) -> dict[str, int]:
        """Counts per shown column from counts per breakdown column ('' = no breakdown)."""
        out = {c: per_column.get(c, 0) for c in self.plan.split}
        out[TOTAL] = sum(per_column.get(c, 0) for c in (*self.plan.split, ""))
        return {c: out[c] for c in self.spec.columns}

    def base(self, lang: str) -> dict[str, Any]:
        return {
            "id": self.spec.id,
            "title": self.spec.title_in(lang),
            "field": self.spec.field_name,
            "kind": self.spec.kind,
            "columns": list(self.spec.columns),
        }

    def result(self, lang: str) -> dict[str, Any]:
        raise NotImplementedError


def _merge(target: Counter, counted: Counter, prefix: tuple = ()) -> None:
    """Add per-chunk counts (few distinct values) into keys prefixed with the column;
    a tuple value (a cross table's (group, choice)) is spread into the key."""
    for value, n in counted.items():
        target[(*prefix, *value) if isinstance(value, tuple) else (*prefix, value)] += n


class SingleTable(Table):
    """select_one (also age brackets, months and days): one answer per record."""

    def __init__(self, plan: Plan, spec: TableSpec, comments: bool):
        super().__init__(plan, spec, comments)
        self.counts: Counter[tuple[str, Any]] = Counter()

    def values(self, get: Getter) -> list[Any]:
        return get(self.spec.field)

    def count(self, column: str, get: Getter) -> None:
        _merge(self.counts, Counter(self.values(get)), (column,))

    def row_keys(self, lang: str) -> list[tuple[str, str]]:
        return self.plan.choices(self.spec.field, lang)

    def result(self, lang: str) -> dict[str, Any]:
        rows_def = self.row_keys(lang)
        known = {key for key, _ in rows_def}
        answered: Counter[str] = Counter()
        for (col, value), n in self.counts.items():
            if value in known:
                answered[col] += n
        denominator = self.column_totals(answered)
        in_scope = self.column_totals(self.in_scope)
        rows = []
        for key, label in rows_def:
            per_col: Counter[str] = Counter(
                {c: self.counts.get((c, key), 0) for c in (*self.plan.split, "")}
            )
            counts = self.column_totals(per_col)
            row = {
                "key": key,
                "label": label,
                "counts": counts,
                "percent": {c: percent(counts[c], denominator[c]) for c in counts},
            }
            if self.spec.row_texts:
                row["texts"] = sorted(self.row_texts.get(key, {}))
            rows.append(row)
        return {
            **self.base(lang),
            "denominator": denominator,
            "missing": {c: in_scope[c] - denominator[c] for c in denominator},
            "rows": rows,
            "comments": self.sorted_comments(),
        }


class DateTable(SingleTable):
    """by_month / by_day: rows are the dates that occur, ascending."""

    def values(self, get: Getter) -> list[Any]:
        dates = get(self.spec.field)
        if self.spec.kind == "by_month":
            return [d[:7] if isinstance(d, str) and len(d) >= 7 else None for d in dates]
        return [d[:10] if isinstance(d, str) and len(d) >= 10 else None for d in dates]

    def row_keys(self, lang: str) -> list[tuple[str, str]]:
        keys = sorted({v for (_, v), n in self.counts.items() if v is not None and n})
        return [(k, k) for k in keys]


class MultipleTable(Table):
    def __init__(self, plan: Plan, spec: TableSpec, comments: bool):
        super().__init__(plan, spec, comments)
        self.ticks: Counter[tuple[str, Any]] = Counter()
        self.answered: Counter[str] = Counter()
        self.known = set(plan.definition.fields[spec.field].choice_names())

    def count(self, column: str, get: Getter) -> None:
        known = self.known
        ticked = [t for t in get(self.spec.field) if t]
        if ticked:
            self.answered[column] += sum(1 for t in ticked if not known.isdisjoint(t))
            _merge(self.ticks, Counter(chain.from_iterable(ticked)), (column,))

    def result(self, lang: str) -> dict[str, Any]:
        denominator = self.column_totals(self.answered)
        in_scope = self.column_totals(self.in_scope)
        rows = []
        for key, label in self.plan.choices(self.spec.field, lang):
            per_col = Counter({c: self.ticks.get((c, key), 0) for c in (*self.plan.split, "")})
            counts = self.column_totals(per_col)
            rows.append(
                {
                    "key": key,
                    "label": label,
                    "counts": counts,
                    "percent": {c: percent(counts[c], denominator[c]) for c in counts},
                }
            )
        return {
            **self.base(lang),
            "denominator": denominator,
            "missing": {c: in_scope[c] - denominator[c] for c in denominator},
            "rows": rows,
            "comments": self.sorted_comments(),
        }


class CrossTable(Table):
    """`by` x `field`: rows "<by>/<choice>", percentages within each `by` block."""

    def __init__(self, plan: Plan, spec: TableSpec, comments: bool):
        super().__init__(plan, spec, comments)
        self.multiple = (
            spec.field != AGE_BRACKET
            and plan.definition.fields[spec.field].type == "select_multiple"
        )
        self.counts: Counter[tuple[str, Any, Any]] = Counter()
        self.answered: Counter[tuple[str, Any]] = Counter()  # (column, by) answered field

    def count(self, column: str, get: Getter) -> None:
        groups, values = get(self.spec.by), get(self.spec.field)
        if not self.multiple:
            _merge(self.counts, Counter(zip(groups, values, strict=True)), (column,))
            return
        pairs = [(g, t) for g, t in zip(groups, values, strict=True) if t]
        _merge(self.answered, Counter(g for g, _ in pairs), (column,))
        _merge(self.counts, Counter((g, x) for g, t in pairs for x in t), (column,))

    def result(self, lang: str) -> dict[str, Any]:
        choices = self.plan.choices(self.spec.field, lang)
        known = {k for k, _ in choices}
        groups = self.plan.choices(self.spec.by, lang)
        group_keys = {k for k, _ in groups}
        answered: Counter[tuple[str, Any]] = Counter()
        if self.multiple:
            answered = self.answered
        else:
            for (c, g, v), n in self.counts.items():
                if v in known:
                    answered[(c, g)] += n
        subtotals: dict[str, dict[str, int]] = {}
        for g, _ in groups:
            subtotals[g] = self.column_totals(
                Counter({c: answered.get((c, g), 0) for c in (*self.plan.split, "")})
            )
        field_answered: Counter[str] = Counter()
        for (c, _g), n in answered.items():
            field_answered[c] += n
        denominator = self.column_totals(
            Counter(
                {
                    c: sum(answered.get((c, g), 0) for g in group_keys)
                    for c in (*self.plan.split, "")
                }
            )
        )
        rows = []
        blocks: list[tuple[str, str, dict[str, int]]] = [
            (g, lbl, subtotals[g]) for g, lbl in groups
        ]
        if self.spec.total_block:
            subtotals[TOTAL] = self.column_totals(field_answered)
            blocks.append((TOTAL, self.plan.spec.column_label(TOTAL, lang), subtotals[TOTAL]))
        for g, group_label, base in blocks:
            for key, label in choices:
                if g == TOTAL:
                    per_col = Counter(
                        {
                            c: sum(n for (cc, _gg, v), n in self._by_value(key) if cc == c)
                            for c in (*self.plan.split, "")
                        }
                    )
                else:
                    per_col = Counter(
                        {c: self.counts.get((c, g, key), 0) for c in (*self.plan.split, "")}
                    )
                counts = self.column_totals(per_col)
                rows.append(
                    {
                        "key": f"{g}/{key}",
                        "label": f"{group_label} / {label}",
                        "counts": counts,
                        "percent": {c: percent(counts[c], base[c]) for c in counts},
                    }
                )
        in_scope = self.column_totals(self.in_scope)
        return {
            **self.base(lang),
            "by": self.spec.by,
            "denominator": denominator,
            "missing": {c: in_scope[c] - denominator[c] for c in denominator},
            "subtotals": subtotals,
            "rows": rows,
            "comments": self.sorted_comments(),
        }

    def _by_value(self, key: Any) -> list[tuple[tuple[str, Any, Any], int]]:
        index = getattr(self, "_index", None)
        if index is None:
            index = defaultdict(list)
            for triple, n in self.counts.items():
                index[triple[2]].append((triple, n))
            self._index = index
        return index.get(key, [])


class MeanTable(Table):
    """Mean, N and sample sd of a whole-number value (age) by a select_one field."""

    def __init__(self, plan: Plan, spec: TableSpec, comments: bool):
        super().__init__(plan, spec, comments)
        self.counts: Counter[tuple[Any, Any]] = Counter()  # (group, value) -> n

    def count(self, column: str, get: Getter) -> None:
        counted = Counter(zip(get(self.spec.field), get(self.spec.value), strict=True))
        for (g, v), n in counted.items():
            if g is not None and isinstance(v, int | float) and not isinstance(v, bool):
                self.counts[(g, v)] += n

    def result(self, lang: str) -> dict[str, Any]:
        sums: dict[Any, list[float]] = defaultdict(lambda: [0, 0, 0])
        for (g, v), n in self.counts.items():
            acc = sums[g]
            acc[0] += n
            acc[1] += n * v
            acc[2] += n * v * v
        rows = []
        total: list[float] = [0, 0, 0]
        choices = self.plan.choices(self.spec.field, lang)
        for key, label in choices:
            count, s, q = sums.get(key, [0, 0, 0])
            n = int(count)
            mean, sd = mean_sd(n, s, q)
            rows.append({"key": key, "label": label, "mean": mean, "n": n, "sd": sd})
            total = [total[0] + n, total[1] + s, total[2] + q]
        mean, sd = mean_sd(int(total[0]), total[1], total[2])
        in_scope = sum(self.in_scope.values())
        return {
            **self.base(lang),
            "value": self.spec.value,
            "denominator": {TOTAL: total[0]},
            "missing": {TOTAL: in_scope - total[0]},
            "rows": rows,
            "total": {"mean": mean, "n": total[0], "sd": sd},
            "comments": self.sorted_comments(),
        }


def _accumulator(plan: Plan, spec: TableSpec, comments: bool) -> Table:
    if spec.kind in ("single", "age_bracket"):
        return SingleTable(plan, spec, comments)
    if spec.kind in ("by_month", "by_day"):
        return DateTable(plan, spec, comments)
    if spec.kind == "multiple":
        return MultipleTable(plan, spec, comments)
    if spec.kind == "cross":
        return CrossTable(plan, spec, comments)
    return MeanTable(plan, spec, comments)


# --- the whole report ----------------------------------------------------------------


def compute(
    spec: ReportSpec,
    definition: FormDefinition,
    answers: Iterable[Answers],
    *,
    lang: str = "en",
    filters: dict[str, Any] | None = None,
    chunk_size: int = CHUNK,
    diagrams: bool = False,
) -> dict[str, Any]:
    """The report as the JSON contract shapes it (tables in spec order).

    ``filters`` only describes the scope; select the answers before calling.
    With ``diagrams`` the spec's extra diagram tables come under ``"diagrams"``.
    """
    plan = Plan(spec, definition)
    for chunk in chunked(answers, chunk_size):
        plan.add(chunk)
    return result(plan, lang=lang, filters=filters, diagrams=diagrams)
