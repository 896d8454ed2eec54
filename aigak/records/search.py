"""Full-text search and answer filters that run inside the database.

SQLite: FTS5 indexes kept by triggers. PostgreSQL: one GIN index on a stored, weighted
tsvector column `search_vector` (public text weight A, confidential text weight B; not a
field of the model: the database computes it from the two texts, and leaves it empty
for the unseen rows of an import still writing until its last step, migration 0008).
Both use the 'simple'
word rules with prefix matching, so Russian and Kazakh words match by their stem typed
so far ("Кудайберг" finds "Кудайбергенов").

Names across scripts: the text of a record's name fields is followed by keys of the names
(`aigak.lib.name_search`), and each query word also looks for the keys of its own folded
spellings: "Yermekov", "Ermekov" and "Ермеков" all find the three. When nothing matches,
names one typo away are looked for (`find` says so).

Filters on select fields: each record also keeps its choices as words (`search_choices`,
"gender__female essence__gunshot"), and a filter is an index lookup of one word: an FTS5
index of them on SQLite, a GIN index of them as an array on PostgreSQL
(`string_to_array(search_choices, ' ') @> ARRAY['gender__female']`; from migration 0004,
in place of the GIN index on all the answers, which cost an import far more to keep; from
0008 the words of the rows no import is still writing, NULL for the others).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from aigak.lib.name_search import (
    NAME_KEY,
    TYPO_KEY,
    is_name_field,
    name_tokens,
    query_keys,
    query_typo_keys,
)
from aigak.questionnaires.xlsform import FormDefinition

# A word, with the apostrophes some romanisations put inside one (Sh'ynar, Il'in).
WORD = re.compile(r"[\w-]+(?:['’ʼʹ`][\w-]+)*", re.UNICODE)

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
    """The search set-up as migration 0002 made it (0003 changes it)."""
    vendor = schema_editor.connection.vendor
    statements = (
        SQLITE_SETUP if vendor == "sqlite" else POSTGRES_SETUP if vendor == "postgresql" else []
    )
    for sql in statements:
        schema_editor.execute(sql)


# Migration 0003: the choices index on SQLite; one weighted tsvector on PostgreSQL.
SQLITE_CHOICES = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS records_choices USING fts5(
        search_choices, content='records_record', content_rowid='id', detail=none,
        tokenize="unicode61 remove_diacritics 0 tokenchars '_-.'")""",
    """CREATE TRIGGER IF NOT EXISTS records_choices_ai AFTER INSERT ON records_record BEGIN
        INSERT INTO records_choices(rowid, search_choices) VALUES (new.id, new.search_choices);
        END""",
    """CREATE TRIGGER IF NOT EXISTS records_choices_ad AFTER DELETE ON records_record BEGIN
        INSERT INTO records_choices(records_choices, rowid, search_choices)
        VALUES ('delete', old.id, old.search_choices); END""",
    """CREATE TRIGGER IF NOT EXISTS records_choices_au AFTER UPDATE OF search_choices
        ON records_record BEGIN
        INSERT INTO records_choices(records_choices, rowid, search_choices)
        VALUES ('delete', old.id, old.search_choices);
        INSERT INTO records_choices(rowid, search_choices) VALUES (new.id, new.search_choices);
        END""",
    "INSERT INTO records_choices(records_choices) VALUES ('rebuild')",
]
# The words of a record, public ones weighted A and confidential ones B, kept by
# PostgreSQL itself in a stored column: checking a row against a query then reads the
# words instead of taking the texts apart again (what made rare words slow to page).
POSTGRES_SEARCH = [
    "DROP INDEX IF EXISTS records_search_public_gin",
    "DROP INDEX IF EXISTS records_search_all_gin",
    """ALTER TABLE records_record ADD COLUMN IF NOT EXISTS search_vector tsvector
        GENERATED ALWAYS AS (setweight(to_tsvector('simple'::regconfig, search_text), 'A')
        || setweight(to_tsvector('simple'::regconfig, search_private), 'B')) STORED""",
    "CREATE INDEX IF NOT EXISTS records_search_gin ON records_record USING gin (search_vector)",
]


def install_choices_and_weighted_search(schema_editor: Any) -> None:
    # On SQLite, adding the column made Django copy the table into a new one; the
    # full-text triggers went with the old table and are made again.
    vendor = schema_editor.connection.vendor
    statements = (
        SQLITE_SETUP[1:] + SQLITE_CHOICES
        if vendor == "sqlite"
        else POSTGRES_SEARCH
        if vendor == "postgresql"
        else []
    )
    for sql in statements:
        schema_editor.execute(sql)


def uninstall_choices_and_weighted_search(schema_editor: Any) -> None:
    """Back to the set-up of migration 0002 (then `install_search` once the column is gone)."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for name in ("records_choices_ai", "records_choices_ad", "records_choices_au"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
        schema_editor.execute("DROP TABLE IF EXISTS records_choices")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS records_search_gin")
        schema_editor.execute("ALTER TABLE records_record DROP COLUMN IF EXISTS search_vector")
        for sql in POSTGRES_SETUP[:2]:
            schema_editor.execute(sql)


# Migration 0004 (PostgreSQL): filters look up the choice words in a GIN index of them as
# an array instead of asking the answers with `@>`. The answers index held every answer
# (texts, dates, numbers) and was the dearest of the indexes to keep during an import.
POSTGRES_CHOICE_WORDS = "string_to_array(search_choices, ' ')"
POSTGRES_CHOICES = [
    f"""CREATE INDEX IF NOT EXISTS records_choices_gin ON records_record
        USING gin (({POSTGRES_CHOICE_WORDS}))""",
    "DROP INDEX IF EXISTS records_answers_gin",
]


def _on_postgres(schema_editor: Any, statements: list[str]) -> None:
    """Run a PostgreSQL-only migration's statements; nothing on SQLite."""
    if schema_editor.connection.vendor == "postgresql":
        for sql in statements:
            schema_editor.execute(sql)


def install_choices_array(schema_editor: Any) -> None:
    _on_postgres(schema_editor, POSTGRES_CHOICES)


def uninstall_choices_array(schema_editor: Any) -> None:
    """Back to the answers index of migration 0002."""
    _on_postgres(schema_editor, [POSTGRES_SETUP[2], "DROP INDEX IF EXISTS records_choices_gin"])


# Migration 0008 (PostgreSQL): the rows of an import still writing (`import_run_id` set:
# soft-deleted, seen by no reader) get neither words nor choice words in the GIN indexes.
# The import's last step rewrites every one of its rows anyway (its UPDATE of
# `deleted_at` and `import_run_id` changes indexed columns, so every index takes the new
# row), and that is when their words are computed and indexed, once. Before, the words
# were computed and both GIN indexes filled when each row was written, and both indexes
# filled again in the last step.
POSTGRES_WORDS = """setweight(to_tsvector('simple'::regconfig, search_text), 'A')
        || setweight(to_tsvector('simple'::regconfig, search_private), 'B')"""
POSTGRES_LIVE_ONLY = "import_run_id IS NULL"
# Not a partial index: PostgreSQL keeps statistics of an index's expression only for a
# whole-table index, and without them it takes a filter on a common choice for a rare one.
POSTGRES_LIVE_CHOICE_WORDS = (
    f"string_to_array(CASE WHEN {POSTGRES_LIVE_ONLY} THEN search_choices END, ' ')"
)
POSTGRES_WORDS_WHEN_LIVE = [
    "DROP INDEX IF EXISTS records_search_gin",
    "DROP INDEX IF EXISTS records_choices_gin",
    "ALTER TABLE records_record DROP COLUMN IF EXISTS search_vector",
    f"""ALTER TABLE records_record ADD COLUMN search_vector tsvector GENERATED ALWAYS AS
        (CASE WHEN {POSTGRES_LIVE_ONLY} THEN {POSTGRES_WORDS} END) STORED""",
    """CREATE INDEX records_search_gin ON records_record USING gin (search_vector)
        WHERE search_vector IS NOT NULL""",
    f"""CREATE INDEX records_choices_gin ON records_record
        USING gin (({POSTGRES_LIVE_CHOICE_WORDS}))""",
]


def install_words_when_live(schema_editor: Any) -> None:
    _on_postgres(schema_editor, POSTGRES_WORDS_WHEN_LIVE)


def uninstall_words_when_live(schema_editor: Any) -> None:
    """Back to migrations 0003 and 0004: words and index entries for every row."""
    _on_postgres(
        schema_editor, POSTGRES_WORDS_WHEN_LIVE[:3] + POSTGRES_SEARCH[2:] + POSTGRES_CHOICES[:1]
    )


@lru_cache(maxsize=16384)
def choice_word(name: str, value: str) -> str:
    """One chosen option as one word of the choices index ("gender__female")."""
    return re.sub(r"[^\w.-]", lambda m: f"x{ord(m[0]):x}x", f"{name}__{value}")


SEARCHED_TYPES = ("text", "select_one", "select_multiple", "calculate")
# Per form: its select fields with the word of each of their choices, and its searched
# fields with whether they are confidential and whether they hold names (outside repeats,
# in form order). An import asks for them once per row.
_Plan = tuple[list[tuple[str, dict[str, str]]], list[tuple[str, bool, bool]]]
_plans: dict[int, tuple[FormDefinition, _Plan]] = {}


def _plan(definition: FormDefinition) -> _Plan:
    known = _plans.get(id(definition))
    if known is not None and known[0] is definition:
        return known[1]
    fields = [f for f in definition.fields.values() if not f.repeat]
    plan = (
        [
            (f.name, {c: choice_word(f.name, c) for c in f.choice_names()})
            for f in fields
            if f.is_select
        ],
        [
            (f.name, f.confidential, f.type == "text" and is_name_field(f.name))
            for f in fields
            if f.type in SEARCHED_TYPES
        ],
    )
    if len(_plans) > 64:
        _plans.clear()
    _plans[id(definition)] = (definition, plan)  # the reference keeps the id unique
    return plan


def choice_words(definition: FormDefinition, answers: dict[str, Any]) -> str:
    """The record's answers to its select fields (outside repeats) as words."""
    out: list[str] = []
    for name, known in _plan(definition)[0]:
        value = answers.get(name)
        if value is None or value == "" or value == []:
            continue
        if type(value) is str:  # most answers: one choice
            out.append(known.get(value) or choice_word(name, value))
            continue
        for item in value if isinstance(value, list) else (value,):
            word = known.get(item) if isinstance(item, str) else None
            out.append(word or choice_word(name, str(item)))
    return " ".join(out)


def search_texts(
    definition: FormDefinition, answers: dict[str, Any], record_id: str
) -> tuple[str, str]:
    """(public, confidential) text that full-text search looks in: the answers, then the
    keys of the names among them (`aigak.lib.name_search`)."""
    public: list[str] = [record_id]
    private: list[str] = []
    public_names: list[str] = []
    private_names: list[str] = []
    for name, confidential, holds_names in _plan(definition)[1]:
        value = answers.get(name)
        if value is None or value == "":
            continue
        text = " ".join(value) if isinstance(value, list) else str(value)
        (private if confidential else public).append(text)
        if holds_names:
            (private_names if confidential else public_names).append(text)
    public.extend(name_tokens(" ".join(public_names)))
    private.extend(name_tokens(" ".join(private_names)))
    return " ".join(public), " ".join(private)


def words(query: str) -> list[str]:
    return [w for w in WORD.findall(query) if w.strip("-")][:12]


# One query word and what it may match: itself (a prefix), the keys of a name it may be
# (a prefix), and with typos allowed, the typo keys of that name (whole words).
_Term = tuple[str, list[str], list[str]]


def _terms(query: str) -> list[_Term]:
    return [(w, query_keys(w), query_typo_keys(w)) for w in words(query)]


@dataclass(frozen=True)
class Found:
    """The records a search found; `similar` when no record matched the names as
    written and the ones shown have names spelled alike (one letter off or so)."""

    records: QuerySet[Any]
    similar: bool = False


def find(records: QuerySet[Any], query: str, *, include_private: bool) -> Found:
    """Records whose words begin with the query's words, a name in any script or
    romanisation matching its other spellings; if none match, names one typo away."""
    terms = _terms(query)
    if not terms:
        return Found(records)
    exact = _match(records, terms, include_private, typos=False)
    if not any(typos for _, _, typos in terms) or _any(exact):
        return Found(exact)
    return Found(_match(records, terms, include_private, typos=True), similar=True)


# PostgreSQL guesses how many rows a full-text match hits from nothing (1%, 2%): asked
# whether any row matches, it reads the table hoping to meet one soon, which takes every
# row when there is none (1.8 s at 100,000 records), or thousands of them to find a
# thousand. Only bitmap scans are allowed for the question: the index says where to look.
_PLAN_FOR_ANY = ("enable_seqscan", "enable_indexscan")


def _any(records: QuerySet[Any]) -> bool:
    if connection.vendor != "postgresql":
        return records.exists()
    with transaction.atomic(), connection.cursor() as cursor:
        for setting in _PLAN_FOR_ANY:
            cursor.execute(f"SET LOCAL {setting} = off")
        try:
            return records.exists()
        finally:
            for setting in _PLAN_FOR_ANY:
                cursor.execute(f"SET LOCAL {setting} TO DEFAULT")


def search(records: QuerySet[Any], query: str, *, include_private: bool) -> QuerySet[Any]:
    """The one search of records: the list, the API and the public pages call it.
    `include_private`: whether confidential answers may match (the user may see them)."""
    return find(records, query, include_private=include_private).records


def _match(
    records: QuerySet[Any], terms: list[_Term], include_private: bool, *, typos: bool
) -> QuerySet[Any]:
    if connection.vendor == "sqlite":
        match = " AND ".join(_fts5_term(term, typos) for term in terms)
        if not include_private:
            match = "search_text : (" + match + ")"
        return records.filter(
            id__in=RawSQL("SELECT rowid FROM records_fts WHERE records_fts MATCH %s", [match])
        )
    if connection.vendor == "postgresql":
        # Public text has weight A: without the right to see confidential text, only
        # words of weight A may match. One expression, so one index serves both.
        weight = "" if include_private else "A"
        tsquery = " & ".join(_tsquery_term(term, typos, weight) for term in terms)
        return records.extra(  # noqa: S610 - parameterised; the expression is ours
            where=["search_vector @@ to_tsquery('simple', %s)"],
            params=[tsquery],
        )
    for word, _, _ in terms:
        records = records.filter(search_text__icontains=word)
    return records


def _fts5_term(term: _Term, typos: bool) -> str:
    word, keys, typo_keys = term
    options = ['"' + word.replace('"', "") + '"*']
    options += ['"' + NAME_KEY + key + '"*' for key in keys]
    if typos:
        options += ['"' + TYPO_KEY + key + '"' for key in typo_keys]
    return "(" + " OR ".join(options) + ")"


def _tsquery_term(term: _Term, typos: bool, weight: str) -> str:
    word, keys, typo_keys = term
    plain = re.sub(r"[^\w-]", "", word)
    options = [plain + ":*" + weight] if plain.strip("-") else []
    options += [NAME_KEY + key + ":*" + weight for key in keys]
    if typos:
        options += [TYPO_KEY + key + (":" + weight if weight else "") for key in typo_keys]
    return "(" + " | ".join(options) + ")"


def filter_select(records: QuerySet[Any], name: str, value: str, multiple: bool) -> QuerySet[Any]:
    """Records whose answer to a select field is (or, for select_multiple, includes) value."""
    if connection.vendor == "sqlite":
        return records.filter(
            id__in=RawSQL(
                "SELECT rowid FROM records_choices WHERE records_choices MATCH %s",
                ['"' + choice_word(name, value) + '"'],
            )
        )
    if connection.vendor == "postgresql":  # the expression and rows of records_choices_gin
        return records.extra(  # noqa: S610 - parameterised; the expression is ours
            where=[f"{POSTGRES_LIVE_CHOICE_WORDS} @> ARRAY[%s::text]"],
            params=[choice_word(name, value)],
        )
    if not multiple:
        return records.filter(**{f"answers__{name}": value})
    return records.filter(**{f"answers__{name}__contains": [value]})


def filter_empty(records: QuerySet[Any], name: str) -> QuerySet[Any]:
    return records.filter(**{f"answers__{name}__isnull": True})
