"""Full-text search and answer filters that run inside the database.

SQLite: an FTS5 index kept by triggers. PostgreSQL: GIN indexes on tsvectors. Both use
the 'simple' word rules with prefix matching, so Russian and Kazakh words match by their
stem typed so far ("Кудайберг" finds "Кудайбергенов").
"""

from __future__ import annotations

import re
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from aigak.questionnaires.xlsform import FormDefinition

WORD = re.compile(r"[\w-]+", re.UNICODE)

SQLITE_SETUP = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS records_fts USING fts5(
        search_text, search_private, content='records_record', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0')""",
    """CREATE TRIGGER IF NOT EXISTS records_fts_ai AFTER INSERT ON records_record BEGIN
        INSERT INTO records_fts(rowid, search_text, search_private)
        VALUES (new.id, new.search_text, new.search_private); END""",
    """CREATE TRIGGER IF NOT EXISTS records_fts_ad AFTER DELETE ON records_record BEGIN
        INSERT INTO records_fts(records_fts, rowid, search_text, search_private)
        VALUES ('delete', old.id, old.search_text, old.search_private); END""",
    """CREATE TRIGGER IF NOT EXISTS records_fts_au AFTER UPDATE OF search_text, search_private
        ON records_record BEGIN
        INSERT INTO records_fts(records_fts, rowid, search_text, search_private)
        VALUES ('delete', old.id, old.search_text, old.search_private);
        INSERT INTO records_fts(rowid, search_text, search_private)
        VALUES (new.id, new.search_text, new.search_private); END""",
]
POSTGRES_SETUP = [
    """CREATE INDEX IF NOT EXISTS records_search_public_gin ON records_record
        USING gin (to_tsvector('simple', search_text))""",
    """CREATE INDEX IF NOT EXISTS records_search_all_gin ON records_record
        USING gin (to_tsvector('simple', search_text || ' ' || search_private))""",
    """CREATE INDEX IF NOT EXISTS records_answers_gin ON records_record
        USING gin ((answers::jsonb) jsonb_path_ops)""",
]


def install_search(schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    statements = (
        SQLITE_SETUP if vendor == "sqlite" else POSTGRES_SETUP if vendor == "postgresql" else []
    )
    for sql in statements:
        schema_editor.execute(sql)


def search_texts(
    definition: FormDefinition, answers: dict[str, Any], record_id: str
) -> tuple[str, str]:
    """(public, confidential) text that full-text search looks in."""
    public: list[str] = [record_id]
    private: list[str] = []
    for f in definition.fields.values():
        value = answers.get(f.name)
        if value in (None, "") or f.repeat:
            continue
        if f.type in ("text", "select_one", "select_multiple", "calculate"):
            text = " ".join(value) if isinstance(value, list) else str(value)
            (private if f.confidential else public).append(text)
    return " ".join(public), " ".join(private)


def words(query: str) -> list[str]:
    return [w for w in WORD.findall(query) if w.strip("-")][:12]


def search(records: QuerySet[Any], query: str, *, include_private: bool) -> QuerySet[Any]:
    terms = words(query)
    if not terms:
        return records
    if connection.vendor == "sqlite":
        match = " AND ".join('"' + t.replace('"', "") + '"*' for t in terms)
        if not include_private:
            match = "search_text : (" + match + ")"
        return records.filter(
            id__in=RawSQL("SELECT rowid FROM records_fts WHERE records_fts MATCH %s", [match])
        )
    if connection.vendor == "postgresql":
        tsquery = " & ".join(re.sub(r"[^\w-]", "", t) + ":*" for t in terms)
        column = "search_text || ' ' || search_private" if include_private else "search_text"
        return records.extra(  # noqa: S610 - parameterised; the column text is ours
            where=[f"to_tsvector('simple', {column}) @@ to_tsquery('simple', %s)"],
            params=[tsquery],
        )
    for term in terms:
        records = records.filter(search_text__icontains=term)
    return records


def filter_select(records: QuerySet[Any], name: str, value: str, multiple: bool) -> QuerySet[Any]:
    """Records whose answer to a select field is (or, for select_multiple, includes) value."""
    if not multiple:
        return records.filter(**{f"answers__{name}": value})
    if connection.vendor == "sqlite":
        return records.filter(
            id__in=RawSQL(
                "SELECT r.id FROM records_record r, json_each(r.answers, %s) j WHERE j.value = %s",
                ["$." + name, value],
            )
        )
    return records.filter(**{f"answers__{name}__contains": [value]})


def filter_empty(records: QuerySet[Any], name: str) -> QuerySet[Any]:
    return records.filter(**{f"answers__{name}__isnull": True})
