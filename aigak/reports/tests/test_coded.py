"""The coded form gives the same report as the answers: the report read from the coded
rows equals the reference engine over the whole answers, on the database the tests run
on (SQLite or PostgreSQL), after imports, edits, restores, deletes, a form upgrade,
writes that skipped the coding and answers the codes cannot hold."""

from __future__ import annotations

import io
import random

import openpyxl
import pytest
from django.db import connection
from django.db.models import F

from aigak.questionnaires.registry import FORMS_DIR, install_questionnaire
from aigak.records import actions
from aigak.records.demo import load_demo
from aigak.records.models import Record
from aigak.reports import blocks, build, coded
from aigak.reports.filters import apply_sql, matches
from aigak.reports.models import CodedRecord
from aigak.reports.tests import reference_engine
from aigak.reports.tests.test_read_columns import ODD

# Lists out of the form's order, with and without the comment that prints them as its key.
UNORDERED = [
    lambda a: a.update(essence=["other", "gunshot", "beaten"], essence_other="by a crowd"),
    lambda a: a.update(essence=["detained", "beaten"], essence_other=None),
    lambda a: a.update(social_status=["unemployed", "student"], social_status_other=""),
]
WHERE = [(), ("region=almaty",), ("essence=beaten", "gender=male"), ("entry_date>=2022-06-01",)]


@pytest.fixture
def demo(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    load_demo()
    return build.prepare("qantar2022")[1]


def _reference(where: tuple[str, ...] = ()) -> dict:
    """The reference engine over every live record's whole answers."""
    spec, questionnaire, definition, conditions = build.prepare("qantar2022", where)
    records, in_python = apply_sql(
        Record.live.filter(questionnaire=questionnaire), conditions, definition
    )
    whole = []
    for record_id, answers in records.values_list("record_id", "answers").order_by("pk"):
        answers.setdefault("record_id", record_id)
        if matches(answers, in_python):
            whole.append(answers)
    filters = build.build_report("qantar2022", where, workers=1).data["filters"]
    return reference_engine.compute(spec, definition, whole, diagrams=True, filters=filters)


def _assert_same(where: tuple[str, ...] = (), workers: int = 1) -> dict:
    built = build.build_report("qantar2022", where, workers=workers, diagrams=True)
    assert built.data == _reference(where)
    return built.data


def _coded_count(questionnaire) -> int:
    layout = coded.layout_of(questionnaire)
    assert layout is not None
    live = Record.live.filter(questionnaire=questionnaire)
    return live.filter(coded__stamp=layout.stamp, coded__version=F("version")).count()


@pytest.mark.django_db
@pytest.mark.parametrize("where", WHERE)
def test_it_reports_the_same_from_the_coded_form(demo, where):
    live = Record.live.filter(questionnaire=demo).count()
    assert _coded_count(demo) == live > 500  # the import coded every record
    data = _assert_same(where)
    assert data["n_records"] > 0
    uncoded = build.build_report("qantar2022", where, workers=1, diagrams=True, use_coded=False)
    assert uncoded.data == data


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_it_reports_the_same_in_worker_processes(demo, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("worker processes open their own connection: the SQLite test database "
                    "lives in memory")  # fmt: skip
    monkeypatch.setattr(build, "PARALLEL_FROM", 10)
    monkeypatch.setattr(blocks, "BLOCK", 100)  # ranges fall on blocks: the demo in several
    _assert_same(workers=2)
    _assert_same(("essence=beaten",), workers=2)


@pytest.mark.django_db
def test_it_reads_in_spans_over_gaps_of_ids(demo, admin_user, monkeypatch):
    """Spans of a few ids (the packed read: one query per span), over deleted records
    (a gap of ids wider than several spans): the same report, every record counted."""
    monkeypatch.setattr(build, "CODED_CHUNK", 7)
    records = list(Record.live.filter(questionnaire=demo).order_by("pk"))
    for record in records[100:160]:  # a run of deleted ids: 8 spans without a record
        actions.delete_record(admin_user, record, "duplicate")
    for record in records[300:303]:
        actions.delete_record(admin_user, record, "duplicate")
    for where in WHERE:
        data = _assert_same(where)
    assert data is not None
    assert build.build_report("qantar2022", workers=1).data["n_records"] == len(records) - 63


@pytest.mark.django_db
def test_it_stays_in_step_with_edits_restores_and_deletes(demo, admin_user):
    rng = random.Random(7)
    records = list(Record.live.filter(questionnaire=demo).order_by("pk")[:60])
    for record in records[:20]:
        actions.update_record(admin_user, record, {"gender": rng.choice(["male", "female"]),
                                                   "essence": ["beaten"], "age_stated": 33})  # fmt: skip
    for record in records[:10]:
        actions.restore_version(admin_user, Record.objects.get(pk=record.pk), 1)
    for record in records[20:30]:
        actions.set_status(admin_user, record, "verified")
    for record in records[30:45]:
        actions.delete_record(admin_user, record, "duplicate")
    for record in records[30:35]:
        actions.undelete_record(admin_user, Record.objects.get(pk=record.pk))
    copied = {k: v for k, v in records[50].answers.items() if k != "record_id"}
    created = actions.create_record(admin_user, demo, copied)
    assert CodedRecord.objects.filter(record=created, version=1).exists()
    assert _coded_count(demo) == Record.live.filter(questionnaire=demo).count()
    for where in WHERE:
        _assert_same(where)


@pytest.mark.django_db
def test_it_reads_the_answers_of_records_written_past_the_coding(demo):
    """Writes that skipped the hooks (a newer version) and answers the codes cannot hold
    are read from the answers; a rebuild codes what it can and leaves the rest."""
    records = list(Record.live.filter(questionnaire=demo).order_by("pk")[:200])
    changes = [*ODD, *UNORDERED]
    for i, change in enumerate(changes):
        for record in records[i :: len(changes)]:
            answers = dict(record.answers)
            change(answers)
            Record.objects.filter(pk=record.pk).update(answers=answers, version=F("version") + 1)
    live = Record.live.filter(questionnaire=demo).count()
    assert _coded_count(demo) == live - 200
    _assert_same()
    _assert_same(("essence=beaten", "gender=male"))
    assert coded.rebuild([demo])["victim"] > 0
    left = coded.stale(demo).count()
    assert 0 < left < 200  # the irregular answers stay uncoded
    assert _coded_count(demo) == live - left
    _assert_same()
    assert coded.rebuild([demo])["victim"] == 0  # nothing more it can code


def _upgraded_victim_form() -> bytes:
    """The shipped victim form with one more gender choice (a new form version)."""
    book = openpyxl.load_workbook(FORMS_DIR / "victim.xlsx")
    sheet = book["choices"]
    header = [c.value for c in sheet[1]]
    row = [None] * len(header)
    gender_list = next(
        r[header.index("list_name")] for r in sheet.iter_rows(min_row=2, values_only=True)
        if r[header.index("name")] == "female"
    )  # fmt: skip
    row[header.index("list_name")] = gender_list
    row[header.index("name")] = "intersex"
    for i, h in enumerate(header):
        if h and str(h).startswith("label"):
            row[i] = "Intersex"
    sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_follows_a_form_upgrade(demo, admin_user):
    old_stamp = coded.layout_of(demo).stamp
    install_questionnaire("victim", _upgraded_victim_form())
    _, questionnaire, _, _ = build.prepare("qantar2022")
    layout = coded.layout_of(questionnaire)
    assert layout.stamp != old_stamp
    assert _coded_count(questionnaire) == 0  # every row is of the old layout
    _assert_same()
    record = Record.live.filter(questionnaire=questionnaire).order_by("pk").first()
    actions.update_record(admin_user, record, {"gender": "intersex"})
    assert _coded_count(questionnaire) == 1
    data = _assert_same()
    gender = next(t for t in data["tables"] if t["id"] == "T02")
    assert any(r["key"] == "intersex" and r["counts"]["total"] >= 1 for r in gender["rows"])
    coded.rebuild([questionnaire])
    assert _coded_count(questionnaire) == Record.live.filter(questionnaire=questionnaire).count()
    _assert_same()
    _assert_same(("gender=intersex",))


@pytest.mark.django_db
def test_it_reports_the_same_without_the_live_index(demo):
    """SQLite drops an index it does not know of when a migration remakes the table."""
    from aigak.reports.coded_read import LIVE_INDEX

    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX {LIVE_INDEX}")
    _assert_same()
    _assert_same(("essence=beaten",))


def _coded_rows() -> dict:
    return {
        pk: (stamp, version, bytes(data), texts)
        for pk, stamp, version, data, texts in CodedRecord.objects.values_list(
            "record_id", "stamp", "version", "data", "texts"
        )
    }


@pytest.mark.django_db
def test_an_import_codes_its_rows_as_the_records_read_back_would(demo, admin_user):
    """The import codes each row in its checking processes and writes the coded rows
    without reading the records back: the same rows as coding the stored records."""
    imported = _coded_rows()
    live = list(Record.live.filter(questionnaire=demo).values_list("pk", flat=True))
    assert set(imported) == set(live)
    coded.records_saved(live)
    assert _coded_rows() == imported
    # A second import of changed rows: new versions, coded again with their version.
    rows = []
    for number, (record_id, answers) in enumerate(
        Record.live.filter(questionnaire=demo)
        .order_by("pk")
        .values_list("record_id", "answers")[:40],
        start=1,
    ):
        rows.append((number, {**answers, "record_id": record_id, "age_stated": 40 + number % 9}))
    result = actions.import_rows(admin_user, demo, rows, source="again.csv")
    assert result.updated == 40
    again = _coded_rows()
    assert sum(1 for pk in again if again[pk][1] == 2) == 40
    coded.records_saved(live)
    assert _coded_rows() == again
    assert _coded_count(demo) == len(live)
