"""The blocks of the coded form (``aigak.reports.blocks``): a report read through them
equals the reference engine over the whole answers, and every kind of change to a
block's span (edits, restores, status, deletes, undeletes, new records, writes past the
hooks, coded rows written again, a form upgrade) makes that block be read from the coded
rows and made again; a block made from a snapshot before a change is found stale."""

from __future__ import annotations

import pytest
from django.db.models import F
from django.utils import timezone

from aigak.questionnaires.registry import install_questionnaire
from aigak.records import actions
from aigak.records.models import Record
from aigak.reports import blocks, build, coded
from aigak.reports.coded_read import _Stored
from aigak.reports.models import CodedBlock
from aigak.reports.tests.test_coded import (
    WHERE,
    _assert_same,
    _upgraded_victim_form,
    demo,  # noqa: F401 - the fixture
)

SPAN = 50  # record ids per block in these tests: the demo's 579 records in a dozen blocks


@pytest.fixture
def made(monkeypatch):
    """Small blocks, and a list of the blocks made (from the coded rows) since."""
    monkeypatch.setattr(blocks, "BLOCK", SPAN)
    found: list[int] = []
    make = blocks._made

    def counted(records, layout, questionnaire, k):  # type: ignore[no-untyped-def]
        found.append(k)
        return make(records, layout, questionnaire, k)

    monkeypatch.setattr(blocks, "_made", counted)
    return found


def _first(questionnaire, n: int = 1) -> list[Record]:
    return list(Record.live.filter(questionnaire=questionnaire).order_by("pk")[:n])


@pytest.mark.django_db
def test_it_makes_the_blocks_once_and_reads_them_after(demo, made):  # noqa: F811
    spans = {
        pk // SPAN for pk in Record.live.filter(questionnaire=demo).values_list("pk", flat=True)
    }
    _assert_same()
    assert set(made) == spans
    assert CodedBlock.objects.filter(questionnaire=demo).count() == len(spans)
    made.clear()
    for where in WHERE:
        _assert_same(where)
    assert made == []  # every block read as kept (filters in SQL do not use blocks)


def _edit(demo, admin_user, record):  # noqa: F811
    actions.update_record(admin_user, record, {"gender": "female", "essence": ["beaten"]})


def _restore(demo, admin_user, record):  # noqa: F811
    actions.update_record(admin_user, record, {"age_stated": 71})
    actions.restore_version(admin_user, Record.objects.get(pk=record.pk), 1)


def _status(demo, admin_user, record):  # noqa: F811
    actions.set_status(admin_user, record, "verified")


def _delete(demo, admin_user, record):  # noqa: F811
    actions.delete_record(admin_user, record, "duplicate")


def _past_the_hooks(demo, admin_user, record):  # noqa: F811
    answers = {**record.answers, "gender": "male", "essence": ["shot"]}
    Record.objects.filter(pk=record.pk).update(answers=answers, version=F("version") + 1)


def _coded_again(demo, admin_user, record):  # noqa: F811
    """Answers changed in place (no new version), then coded again as a save codes."""
    answers = {**record.answers, "gender": "male", "region_residence": "almaty"}
    Record.objects.filter(pk=record.pk).update(answers=answers)
    coded.records_saved([record.pk])


CHANGES = [_edit, _restore, _status, _delete, _past_the_hooks, _coded_again]


@pytest.mark.django_db
@pytest.mark.parametrize("change", CHANGES, ids=lambda c: c.__name__.strip("_"))
def test_a_change_makes_its_block_again(demo, admin_user, made, change):  # noqa: F811
    _assert_same()
    record = _first(demo, 3)[2]
    made.clear()
    change(demo, admin_user, Record.objects.get(pk=record.pk))
    _assert_same()
    if change is not _status:  # the status is not in the coded form nor the version
        assert record.pk // SPAN in made
    assert len(set(made)) <= 1  # the other blocks are read as kept
    made.clear()
    _assert_same()
    assert made == []


@pytest.mark.django_db
def test_an_undelete_and_a_new_record_make_their_blocks_again(demo, admin_user, made):  # noqa: F811
    record = _first(demo)[0]
    actions.delete_record(admin_user, record, "duplicate")
    _assert_same()
    made.clear()
    actions.undelete_record(admin_user, Record.objects.get(pk=record.pk))
    _assert_same()
    assert made == [record.pk // SPAN]
    made.clear()
    copied = {k: v for k, v in record.answers.items() if k != "record_id"}
    created = actions.create_record(admin_user, demo, copied)
    _assert_same()
    assert created.pk // SPAN in made


@pytest.mark.django_db
def test_a_form_upgrade_leaves_the_blocks_of_the_old_layout(demo, admin_user, made):  # noqa: F811
    _assert_same()
    install_questionnaire("victim", _upgraded_victim_form())
    questionnaire = build.prepare("qantar2022")[1]
    made.clear()
    _assert_same()  # no row is of the new layout: read from the answers, no block made
    coded.rebuild([questionnaire])
    _assert_same()
    assert made  # made again with the new layout
    made.clear()
    actions.update_record(admin_user, _first(questionnaire)[0], {"gender": "intersex"})
    data = _assert_same()
    gender = next(t for t in data["tables"] if t["id"] == "T02")
    assert any(r["key"] == "intersex" and r["counts"]["total"] == 1 for r in gender["rows"])


@pytest.mark.django_db
def test_a_block_made_before_a_change_is_found_stale(demo, admin_user, monkeypatch):  # noqa: F811
    """A report that read a span, then a save committed, then the report wrote its block
    (a writer between the read and the write): the block carries the checks of what it
    read, so the next report reads the span again."""
    monkeypatch.setattr(blocks, "BLOCK", SPAN)
    late: list[tuple] = []
    keep = blocks._keep
    monkeypatch.setattr(blocks, "_keep", lambda *args: late.append(args))
    _assert_same()
    assert late and not CodedBlock.objects.exists()
    for record in _first(demo, 60)[::7]:
        actions.update_record(admin_user, record, {"gender": "female", "age_stated": 19})
    for args in late:  # the blocks as read before the edits, written after them
        keep(*args)
    assert CodedBlock.objects.count() == len({args[2] for args in late})
    monkeypatch.setattr(blocks, "_keep", keep)
    _assert_same()
    _assert_same()


@pytest.mark.django_db
def test_blocks_cut_by_a_range_are_read_from_the_coded_rows(demo, made):  # noqa: F811
    """A worker's range that cuts a block reads that part from the coded rows."""
    layout = coded.layout_of(demo)
    records = Record.live.filter(questionnaire=demo)
    ids = sorted(records.values_list("pk", flat=True))
    cut = (ids[0] + 10, ids[-1] - 10)
    part = records.filter(pk__gte=cut[0], pk__lt=cut[1])
    read = list(blocks.read(part, layout, demo.pk, cut))
    assert sum(len(p) for p, _ in read) == part.count()
    assert ids[0] // SPAN not in made and cut[1] // SPAN not in made


def test_a_blob_gives_back_its_rows_and_texts():
    import numpy as np

    class Layout:
        dtype = np.dtype([("a", "<i2"), ("b", "<u8")])

    packed = np.array([(1, 2), (3, 4), (5, 6)], dtype=Layout.dtype)
    fields = {
        "note": (np.array([0, 2]), np.array(["x", "ÿé"], dtype=object)),
        "essence": (np.array([1]), np.fromiter([["b", "a"]], dtype=object, count=1)),
    }
    back, stored = blocks.unpack(Layout, blocks.pack(packed, _Stored.of_fields(fields, 3)))  # type: ignore[arg-type]
    assert back.tolist() == packed.tolist()
    assert stored.column("note").tolist() == ["x", None, "ÿé"]
    assert stored.column("essence").tolist() == [None, ["b", "a"], None]
    empty, none = blocks.unpack(Layout, blocks.pack(packed[:0], _Stored.of_fields({}, 0)))  # type: ignore[arg-type]
    assert len(empty) == 0 and none.fields == {}


def test_a_blob_decodes_a_fields_texts_when_first_asked_for(monkeypatch):
    import numpy as np

    class Layout:
        dtype = np.dtype([("a", "<i2")])

    fields = {
        "note": (np.array([0, 2]), np.array(["x", "ÿé"], dtype=object)),
        "other": (np.array([1]), np.array(["y"], dtype=object)),
    }
    blob = blocks.pack(np.zeros(3, dtype=Layout.dtype), _Stored.of_fields(fields, 3))
    decoded: list[int] = []
    loads = blocks._loads
    monkeypatch.setattr(blocks, "_loads", lambda text: decoded.append(len(text)) or loads(text))
    _, stored = blocks.unpack(Layout, blob)  # type: ignore[arg-type]
    assert len(decoded) == 1  # the header alone
    assert stored.of("other")[1].tolist() == ["y"]
    assert len(decoded) == 2
    assert stored.column("note").tolist() == ["x", None, "ÿé"]
    assert stored.fields.keys() == {"note", "other"} and len(decoded) == 3


@pytest.mark.django_db
def test_after_a_failed_write_it_writes_no_block_for_a_while(demo, monkeypatch):  # noqa: F811
    """A write that fails (here a value the database cannot take, as a busy database
    refuses one) leaves the report going and no block written for QUIET_S seconds."""
    from django.db import connection

    monkeypatch.setattr(blocks, "_quiet_until", 0.0)
    blocks._keep(connection, demo.pk, 0, "stamp", object(), "0", b"")  # type: ignore[arg-type]
    assert blocks._quiet_until > 0
    _assert_same()
    assert not CodedBlock.objects.exists()
    monkeypatch.setattr(blocks, "_quiet_until", 0.0)
    _assert_same()
    assert CodedBlock.objects.exists()


@pytest.mark.django_db
def test_deletes_and_undeletes_whose_linear_sums_cancel_make_the_block_again(demo, made):  # noqa: F811
    """Records a and a+3 deleted, a+1 and a+2 undeleted, all of one version: the number
    and the sums of ids and versions are as they were, and so was a sum of a linear mix
    of both. The block must still be found stale (it was kept, and the report counted
    the wrong records)."""
    versions = dict(Record.live.filter(questionnaire=demo).values_list("pk", "version"))
    a = next(
        pk
        for pk in sorted(versions)
        if all(versions.get(pk + i) == versions[pk] for i in (1, 2, 3))
        and pk // SPAN == (pk + 3) // SPAN
    )
    Record.objects.filter(pk__in=[a + 1, a + 2]).update(deleted_at=timezone.now())
    _assert_same()
    made.clear()
    Record.objects.filter(pk__in=[a, a + 3]).update(deleted_at=timezone.now())
    Record.objects.filter(pk__in=[a + 1, a + 2]).update(deleted_at=None)
    _assert_same()
    assert made == [a // SPAN]


@pytest.mark.django_db
def test_sqlite_sums_the_live_records_from_the_index_alone():
    """The live records' check of a block, and the count of the live records, read the
    index of live records as covering: no visit to each record's row (its answers)."""
    from django.db import connection

    from aigak.reports.coded_read import LIVE_INDEX

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL reads the partial index alone (an index-only scan)")
    checks = [
        (blocks._live_check(connection), [1, 0, SPAN]),
        (blocks._coded_check(connection), [0, SPAN]),
    ]
    with connection.cursor() as cursor:
        for sql, params in checks:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "USING COVERING INDEX" in plan, plan
        assert f"USING COVERING INDEX {LIVE_INDEX} " in _plan_of_count(cursor)


def _plan_of_count(cursor) -> str:  # type: ignore[no-untyped-def]
    from aigak.reports import coded_read

    records = Record.live.filter(questionnaire_id=1, pk__gte=0, pk__lt=SPAN)
    query = records.values_list("pk").order_by()
    sql, params = query.query.get_compiler(using=query.db).as_sql()
    cursor.execute(f"EXPLAIN QUERY PLAN {coded_read.through_live_index(sql, cursor.db)}", params)
    return " ".join(str(row[-1]) for row in cursor.fetchall())
