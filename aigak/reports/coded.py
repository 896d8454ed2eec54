"""The coded form of records: what the reports read, written when a record is saved.

A report over a million records spent most of its time taking 49 fields out of every
record's answers JSON. So every questionnaire that a shipped report spec reads gets a
*layout*: the fields its specs read, each with a fixed-width code, compiled into a numpy
record type. When a record is saved its answers are coded into one packed row
(``CodedRecord.data``), and the report reads these rows as one numpy array per chunk.

Codes per field type (of the questionnaire's current definition):

- select_one: the choice's position (0..m-1), m for no answer (``u1``, ``u2`` over 254);
- select_multiple: a bitmask of the ticked choices, plus bit m set when the answer is a
  list at all (``[]`` and no answer differ in a comment's key), ``u8`` (bytes from 64
  choices on); a list out of the form's order is also kept as stored in ``texts`` when
  it is printed as the key of a comment;
- date: the proleptic ordinal of the day, 0 for no answer, -1 for an empty text;
- integer: the number, -2**31 for no answer;
- anything else (free text, decimals): in ``texts``, a small JSON object of the record's
  answers to those fields that are not null (empty when there are none), with the record
  id the report prints beside a comment.

An answer the codes cannot give back exactly (a choice the form does not know, a list
with repeats, a date with a time, a number as text) leaves the
record uncoded: the report reads its answers. So does a record whose coded row has
another layout's ``stamp`` (the form or a spec changed) or an older ``version`` (a write
that skipped the hooks): the report is the same with or without the coded form, only its
speed differs. ``rebuild`` codes what is missing or stale (``aigak report --rebuild-index``).

The write path calls ``record_saved`` for one record (records.actions) and
``records_saved`` for a batch (records.bulk).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

try:
    from orjson import dumps as _dumps
    from orjson import loads as _loads
except ImportError:  # pragma: no cover - orjson is optional
    _loads = json.loads  # type: ignore[assignment]

    def _dumps(value: Any) -> bytes:  # type: ignore[misc]
        return json.dumps(value, ensure_ascii=False).encode()


from aigak.reports.spec import DERIVED, ReportSpec, available, load_spec

if TYPE_CHECKING:
    from aigak.questionnaires.models import Questionnaire
    from aigak.questionnaires.xlsform import FormDefinition
    from aigak.records.models import Record

CODER = 1  # raise when the codes change meaning: every row becomes stale
NO_NUMBER = -(2**31)
EMPTY_DATE = -1
BATCH = 2_000
# select_multiple answers remembered with their codes, per field: the common few, not
# every rare list (each checking process of an import fills its own)
MASKS = 1024
KINDS = {"select_one": "one", "select_multiple": "many", "date": "date", "integer": "int"}


class Irregular(ValueError):
    """An answer the codes cannot give back exactly: the record stays uncoded."""


@dataclass(frozen=True)
class Slot:
    name: str
    kind: str  # one, many, date, int, text
    choices: tuple[str, ...] = ()

    @property
    def numpy(self) -> Any:
        if self.kind == "one":
            return "u1" if len(self.choices) < 255 else "<u2"
        if self.kind == "many":  # bit m: the answer is a list
            return "<u8" if len(self.choices) < 64 else ("u1", (len(self.choices) + 8) // 8)
        return "<i4"


class Layout:
    """The coded fields of one questionnaire (its current form, its specs)."""

    def __init__(self, definition: FormDefinition, specs: Sequence[ReportSpec]):
        ids = {s.record_id_field for s in specs}
        names = [n for s in specs for n in _fields(s)]
        slots = []
        for name in dict.fromkeys(names):
            f = definition.fields.get(name)
            kind = "text"  # a choice from a media file too: its choices are not the form's
            if f is not None and not f.repeat and not f.itemset:
                kind = KINDS.get(f.type, "text")
            choices = tuple(f.choice_names()) if f is not None and kind in ("one", "many") else ()
            slots.append(Slot(name, kind, choices))
        self.slots = {s.name: s for s in slots}
        self.coded = [s for s in slots if s.kind != "text"]
        self.texts = [s.name for s in slots if s.kind == "text"]
        # a record id that is only printed beside comments is kept only with a comment
        self.ids = [n for n in ids if n in self.texts and n not in _read_otherwise(specs)]
        self.dtype = np.dtype([(s.name, s.numpy) for s in self.coded]) if self.coded else None
        self.index = {s.name: {c: i for i, c in enumerate(s.choices)} for s in self.coded}
        # the comments printed with a select_multiple answer as their key
        self.keyed: dict[str, set[str]] = {}
        for t in (t for spec in specs for t in (*spec.tables, *spec.diagrams)):
            if t.comments and self.slots.get(t.field, Slot("", "")).kind == "many":
                self.keyed.setdefault(t.field, set()).update(t.comments)
        described = [(s.name, s.kind, s.choices) for s in slots]
        packing = str(self.dtype.descr) if self.dtype is not None else ""
        digest = json.dumps([CODER, described, sorted(self.ids), packing]).encode()
        self.stamp = hashlib.sha256(digest).hexdigest()[:16]
        self._coders = [(s.name, self._coder(s)) for s in self.coded]

    def encode(self, answers: dict[str, Any], record_id: str) -> tuple[bytes, str]:
        """The packed row and the texts of one record; Irregular when not codable."""
        found = self.encode_all([(answers, record_id)])[0]
        if found is None:
            raise Irregular(record_id)
        return found

    def encode_all(
        self, records: Sequence[tuple[dict[str, Any], str]]
    ) -> list[tuple[bytes, str] | None]:
        """encode of each record (answers, record id); None where it is not codable."""
        assert self.dtype is not None
        rows, texts, where = [], [], []
        coders = self._coders
        for i, (answers, record_id) in enumerate(records):
            kept: dict[str, Any] = {}
            try:
                rows.append(tuple([code(answers.get(name), kept) for name, code in coders]))
            except Irregular:
                continue
            texts.append(self._texts(answers, record_id, kept))
            where.append(i)
        out: list[tuple[bytes, str] | None] = [None] * len(records)
        packed = np.array(rows, dtype=self.dtype).tobytes()
        size = self.dtype.itemsize
        for j, (i, text) in enumerate(zip(where, texts, strict=True)):
            out[i] = (packed[j * size : (j + 1) * size], text)
        return out

    def _texts(self, answers: dict[str, Any], record_id: str, kept: dict[str, Any]) -> str:
        texts = {n: answers[n] for n in self.texts if answers.get(n) is not None}
        for name, value in kept.items():  # a list out of order, only where it is a key
            if any(answers.get(c) for c in self.keyed.get(name, ())):
                texts[name] = value
        for name in self.ids:
            texts.pop(name, None)
        if not texts:
            return ""
        for name in self.ids:
            value = answers.get(name)
            texts[name] = record_id if value is None else value
        return _dumps(texts).decode()

    def _coder(self, slot: Slot) -> Any:
        """The function that codes an answer to the slot (what `_code` does, with the
        slot's kind and choices looked up once)."""
        if slot.kind == "one":
            # the code of each choice, and of no answer (None); only texts are choices
            codes: dict[Any, int] = {**self.index[slot.name], None: len(slot.choices)}

            def one(value: Any, kept: dict[str, Any]) -> Any:
                code = codes.get(value) if value is None or isinstance(value, str) else None
                if code is None:
                    raise Irregular(slot.name)
                return code

            return one
        if slot.kind == "many":
            index, m, name = self.index[slot.name], len(slot.choices), slot.name
            masks: dict[tuple[Any, ...], tuple[int, bool]] = {}  # the lists coded so far

            def many(value: Any, kept: dict[str, Any]) -> Any:
                if type(value) is list:  # the same few lists come back record after record
                    try:
                        found = masks.get(key := tuple(value))
                    except TypeError:  # an item that is not a text: not a choice
                        raise Irregular(name) from None
                    if found is None:
                        found = _mask(index, m, value, name)
                        if len(masks) < MASKS:
                            masks[key] = found
                else:
                    found = _mask(index, m, value, name)
                mask, in_order = found
                if not in_order:  # the list as stored is what a comment's key shows
                    kept[name] = value
                return mask if m < 64 else list(mask.to_bytes((m + 8) // 8, "little"))

            return many
        if slot.kind == "date":

            def day(value: Any, kept: dict[str, Any]) -> Any:
                if value is None:
                    return 0
                found = _ordinal(value) if isinstance(value, str) and len(value) == 10 else None
                return _day(value, slot.name) if found is None else found

            return day
        if slot.kind == "int":

            def number(value: Any, kept: dict[str, Any]) -> Any:
                if value is None:
                    return NO_NUMBER
                if type(value) is not int or not NO_NUMBER < value < 2**31:
                    raise Irregular(slot.name)
                return value

            return number
        return lambda value, kept: self._code(slot, value, kept)

    def _code(self, slot: Slot, value: Any, kept: dict[str, Any]) -> Any:
        if slot.kind == "one":
            if value is None:
                return len(slot.choices)
            code = self.index[slot.name].get(value) if isinstance(value, str) else None
            if code is None:
                raise Irregular(slot.name)
            return code
        if slot.kind == "many":
            mask, in_order = _mask(self.index[slot.name], len(slot.choices), value, slot.name)
            if not in_order:  # the list as stored is what a comment's key shows
                kept[slot.name] = value
            if len(slot.choices) < 64:
                return mask
            return list(mask.to_bytes((len(slot.choices) + 8) // 8, "little"))
        if slot.kind == "date":
            return _day(value, slot.name)
        if value is None:
            return NO_NUMBER
        if type(value) is not int or not NO_NUMBER < value < 2**31:
            raise Irregular(slot.name)
        return value


def _mask(index: dict[str, int], m: int, value: Any, name: str) -> tuple[int, bool]:
    """The bitmask of a select_multiple answer and whether it is in the form's order."""
    if value is None:
        return 0, True
    if not isinstance(value, list):
        raise Irregular(name)
    mask, last, in_order = 0, -1, True
    for item in value:
        code = index.get(item) if isinstance(item, str) else None
        if code is None or mask >> code & 1:  # unknown or repeated: counted apart
            raise Irregular(name)
        mask |= 1 << code
        in_order = in_order and code > last
        last = code
    return mask | 1 << m, in_order


def _day(value: Any, name: str) -> int:
    if value is None:
        return 0
    if value == "":
        return EMPTY_DATE
    if isinstance(value, str) and len(value) == 10:
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise Irregular(name) from None
        if day.isoformat() == value:
            return day.toordinal()
    raise Irregular(name)


@lru_cache(maxsize=4096)  # the common dates; a parse costs a microsecond, the entry 170 bytes
def _ordinal(text: str) -> int | None:
    """`_day` of a ten-letter text, remembered (dates repeat); None where `_day` fails."""
    try:
        return _day(text, "")
    except Irregular:
        return None


def _fields(spec: ReportSpec) -> list[str]:
    names = [spec.record_id_field, spec.breakdown_field]
    if spec.age:
        names += [spec.age.birth_date, spec.age.age_stated]
    for t in (*spec.tables, *spec.diagrams):
        names += [t.field, t.by, t.value, t.row_texts, *t.comments]
        names += [name for name, _ in t.where]
    return [n for n in names if n and n not in DERIVED]


def _read_otherwise(specs: Sequence[ReportSpec]) -> set[str]:
    """Fields a spec reads for something else than the record id beside a comment."""
    out: set[str] = set()
    for spec in specs:
        rest = _fields(spec)
        rest.remove(spec.record_id_field)
        out.update(rest)
    return out


# --- layouts, per questionnaire and form version --------------------------------------

_SPECS: dict[str, list[ReportSpec]] | None = None
_LAYOUTS: dict[tuple[str, str], Layout | None] = {}


def _specs_by_questionnaire() -> dict[str, list[ReportSpec]]:
    global _SPECS
    if _SPECS is None:
        found: dict[str, list[ReportSpec]] = {}
        for name in available():
            spec = load_spec(name)
            found.setdefault(spec.questionnaire, []).append(spec)
        _SPECS = found
    return _SPECS


def layout_of(questionnaire: Questionnaire) -> Layout | None:
    """The layout of a questionnaire's current form; None when no report reads it."""
    if questionnaire.current is None:
        return None
    key = (questionnaire.name, questionnaire.current.sha256)  # the form's content
    if key not in _LAYOUTS:
        specs = _specs_by_questionnaire().get(questionnaire.name, [])
        layout = Layout(questionnaire.definition, specs) if specs else None
        _LAYOUTS[key] = layout if layout is not None and layout.dtype is not None else None
    return _LAYOUTS[key]


# --- writing --------------------------------------------------------------------------


def record_saved(record: Record) -> None:
    """Code one record as saved (its answers and version); part of the saving
    transaction. A record its layout cannot code loses its coded row."""
    records_saved([record.pk], questionnaire=record.questionnaire)


def records_saved(ids: Iterable[int], questionnaire: Questionnaire | None = None) -> int:
    """Code a batch of saved records (read back as stored); the number coded.
    `questionnaire`: theirs with its current version, when the caller has it at hand."""
    from aigak.questionnaires.models import Questionnaire, without_heavy
    from aigak.records.models import Record
    from aigak.reports.models import CodedRecord

    ids = list(ids)
    if not ids:
        return 0
    rows = Record.objects.filter(pk__in=ids).values_list(
        "pk", "questionnaire_id", "version", "record_id", "answers"
    )
    by_questionnaire: dict[int, list[tuple[int, int, str, dict[str, Any]]]] = {}
    for pk, questionnaire_id, version, record_id, answers in rows:
        by_questionnaire.setdefault(questionnaire_id, []).append((pk, version, record_id, answers))
    coded = []
    forms = Questionnaire.objects.select_related("current").defer(*without_heavy("current"))
    for questionnaire_id, found in by_questionnaire.items():
        q = questionnaire
        if q is None or q.pk != questionnaire_id:
            q = forms.get(pk=questionnaire_id)
        layout = layout_of(q)
        if layout is None:
            continue
        encoded = layout.encode_all([(answers, record_id) for _, _, record_id, answers in found])
        for (pk, version, _, _), row in zip(found, encoded, strict=True):
            if row is not None:
                coded.append(CodedRecord(record_id=pk, stamp=layout.stamp, version=version,
                                         data=row[0], texts=row[1],
                                         digest=digest(layout.stamp, row[0], row[1])))  # fmt: skip
    CodedRecord.objects.filter(record_id__in=ids).delete()
    CodedRecord.objects.bulk_create(coded, batch_size=500)
    return len(coded)


def digest(stamp: str, data: bytes, texts: str) -> int:
    """A coded row's digest (crc32 of its stamp, packed row and texts): the blocks of
    the coded form sum them to see that no row of their span was written since."""
    return zlib.crc32(texts.encode(), zlib.crc32(data, zlib.crc32(stamp.encode())))


# --- imports: coded in the checking processes, written without reading back ------------

Coded = tuple[str, bytes, str]  # the layout's stamp, the packed row, the texts


def import_coder(questionnaire: Questionnaire) -> Any:
    """The function that codes a chunk of imported rows (answers as stored, record id),
    for the import's checking processes (`records.hooks.ImportPart`); None when no
    report reads the questionnaire. Each row gives (stamp, packed row, texts), or None
    when its answers are not codable (left uncoded, as `records_saved` leaves it)."""
    layout = layout_of(questionnaire)
    if layout is None:
        return None

    def code(rows: list[tuple[dict[str, Any], str]]) -> list[Coded | None]:
        return [
            None if found is None else (layout.stamp, found[0], found[1])
            for found in layout.encode_all(rows)
        ]

    return code


def write_imported(rows: Sequence[tuple[int, int, Coded | None]]) -> int:
    """Write the coded rows of an imported batch, (pk, version, `import_coder`'s row):
    what `records_saved` writes for those records, without reading them back."""
    from django.db import connection

    from aigak.reports.models import CodedRecord

    if not rows:
        return 0
    table = connection.ops.quote_name(CodedRecord._meta.db_table)
    values = [
        (pk, c[0], version, c[1], c[2], digest(*c)) for pk, version, c in rows if c is not None
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 500):
            ids = [pk for pk, _, _ in rows[start : start + 500]]
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(f"DELETE FROM {table} WHERE record_id IN ({marks})", ids)
        if not values:
            return 0
        columns = "(record_id, stamp, version, data, texts, digest)"
        if connection.vendor == "postgresql":  # one COPY, not a statement per row
            with cursor.cursor.copy(f"COPY {table} {columns} FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        else:
            cursor.executemany(
                f"INSERT INTO {table} {columns} VALUES (%s, %s, %s, %s, %s, %s)", values
            )
    return len(values)


def stale(questionnaire: Questionnaire) -> Any:
    """The live records of the questionnaire without a valid coded row (a queryset)."""
    from django.db.models import Exists, OuterRef

    from aigak.records.models import Record
    from aigak.reports.models import CodedRecord

    records = Record.live.filter(questionnaire=questionnaire)
    layout = layout_of(questionnaire)
    if layout is None:
        return records.none()
    valid = CodedRecord.objects.filter(
        record=OuterRef("pk"), stamp=layout.stamp, version=OuterRef("version")
    )
    return records.filter(~Exists(valid))


def rebuild(questionnaires: Iterable[Questionnaire] | None = None) -> dict[str, int]:
    """Code every live record whose coded row is missing or stale; per questionnaire
    the number coded. Batches of BATCH records, each in its own transaction."""
    from django.db import transaction

    from aigak.questionnaires.models import Questionnaire, without_heavy

    if questionnaires is None:
        names = list(_specs_by_questionnaire())
        questionnaires = (
            Questionnaire.objects.filter(name__in=names)
            .select_related("current")
            .defer(*without_heavy("current"))
        )
    done: dict[str, int] = {}
    for questionnaire in questionnaires:
        done[questionnaire.name] = 0
        last = 0
        while True:
            ids = list(
                stale(questionnaire)
                .filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", flat=True)[:BATCH]
            )
            if not ids:
                break
            with transaction.atomic():
                done[questionnaire.name] += records_saved(ids)
            last = ids[-1]
    return done


def decode_texts(text: str | bytes) -> dict[str, Any]:
    return _loads(text)


def decode_many(texts: Sequence[str | bytes]) -> list[dict[str, Any]]:
    """The texts of several rows (none empty), decoded in one call."""
    if texts and isinstance(texts[0], bytes):
        return _loads(b"[" + b",".join(texts) + b"]")  # type: ignore[arg-type]
    return _loads("[" + ",".join(texts) + "]")  # type: ignore[arg-type]


def decode_array(text: str | bytes) -> list[dict[str, Any]]:
    """The texts of several rows as the database joined them: one JSON array."""
    return _loads(text)  # type: ignore[no-any-return]
