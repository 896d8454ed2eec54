"""The bulk path under `import_rows`: what it writes, and that its shortcuts change nothing."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from aigak.questionnaires.validation import clean_answers
from aigak.questionnaires.xlsform import load_xlsform
from aigak.records import actions, bulk, bulk_check
from aigak.records.models import Person, Record, RecordVersion
from aigak.records.search import search
from aigak.records.tests import victim_fixture as vf

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def victim(db):
    return vf.install("victim")


def _rows(count: int, seed: int = 3):
    rng = random.Random(seed)
    return [(n + 1, vf.random_row(rng, n)) for n in range(1, count + 1)]


def test_checking_without_needless_relevance_gives_the_same_verdicts():
    definition = load_xlsform(vf.build_xlsform())
    checking = bulk_check.checking_definition(definition)
    rows = [row for _, row in _rows(300)]
    rows[5]["age_stated"] = "130"  # a constraint on a field
    rows[6]["vital_status"] = ""  # required
    rows[7]["death_date"] = "someday"

    for row in rows:
        assert clean_answers(checking, row, keep_irrelevant=True) == clean_answers(
            definition, row, keep_irrelevant=True
        )
    kept = [name for name, f in checking.fields.items() if f.relevant]
    assert kept == []  # no field with a relevance condition has a rule in this form
    assert definition.fields["death_date"].relevant  # the form itself is untouched


def test_checking_keeps_order_across_worker_processes(tmp_path):
    definition = load_xlsform(vf.build_xlsform())
    rows = _rows(2500)

    checked = bulk_check.CheckedFile()
    with bulk_check.checked_ahead(definition, [(n, r, None) for n, r in rows], checked.folder.name) as ahead:  # fmt: skip
        chunks = list(ahead.results)
    checked.places = [place for _, place in chunks]
    written = [row for batch in checked.batches() for row in batch]
    checked.close()

    verdicts = [verdict for chunk, _ in chunks for verdict in chunk]
    assert [n for n, _, _ in verdicts] == [n for n, _ in rows]
    assert all(not problems for _, problems, _ in verdicts)
    assert [r.record_id for r in written] == [r["record_id"] for _, r in rows]
    row = rows[1234][1]
    text, public, _, choices, name = written[1234].prepared
    assert row["record_id"] in public
    assert text.startswith('{"record_id":')
    assert f"gender__{row['gender']}" in choices.split()
    assert name == row["full_name"]
    assert not Path(checked.folder.name).exists()


def test_an_import_writes_records_versions_persons_and_search_text(victim):
    rows = _rows(1200)

    result = actions.import_rows(None, victim, rows, source="bulk.csv")

    assert (result.created, result.updated) == (1200, 0)
    assert RecordVersion.objects.filter(number=1, note="imported from bulk.csv").count() == 1200
    named = sum(1 for _, row in rows if row["full_name"])
    assert Person.objects.count() == named
    record = Record.objects.get(record_id=rows[99][1]["record_id"])
    assert record.version == 1 and record.status == "submitted"
    assert record.versions.get().answers == record.answers
    if record.answers.get("full_name"):
        assert record.person.display_name == record.answers["full_name"]
    surname = "Кудайбергенов"
    expected = {r["record_id"] for _, r in rows if surname in r["full_name"]}
    found = search(Record.live.all(), "Кудайберг", include_private=True)
    assert expected <= set(found.values_list("record_id", flat=True))


def test_reimport_brings_back_a_deleted_record_as_a_new_version(victim, admin_user):
    rows = [(2, {"record_id": "V-1", "vital_status": "alive", "full_name": "Ким Сергей"})]
    actions.import_rows(None, victim, rows)
    actions.delete_record(admin_user, Record.objects.get(), "entered by mistake")

    again = [(2, {"record_id": "V-1", "vital_status": "alive", "full_name": "Ким Сергей Ли"})]
    result = actions.import_rows(None, victim, again)

    record = Record.objects.get()
    assert (result.created, result.updated) == (0, 1)
    assert record.deleted_at is None and record.version == 2
    assert record.person.display_name == "Ким Сергей Ли"
    assert search(Record.live.all(), "Ли", include_private=False).get() == record


def test_a_bad_row_late_in_a_long_file_rolls_back_the_batches_already_written(victim):
    rows = _rows(2600)
    rows[-1][1]["gender"] = "other_gender"

    with pytest.raises(actions.ImportFailed) as caught:
        actions.import_rows(None, victim, rows, source="late.csv")

    assert "late.csv: row 2601: field 'gender'" in str(caught.value)
    assert (Record.objects.count(), RecordVersion.objects.count(), Person.objects.count()) == (
        0,
        0,
        0,
    )


def test_a_large_import_refreshes_the_planners_statistics_on_postgresql(victim):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    actions.import_rows(None, victim, _rows(bulk.ANALYZE_AFTER))

    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [Record._meta.db_table])
        (estimated,) = cursor.fetchone()
    assert estimated >= bulk.ANALYZE_AFTER
