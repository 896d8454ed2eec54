"""The audit log is append-only in the database and hash-chained; `aigak audit verify`
proves the chain intact or names the first broken row."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from aigak.accounts import auditlog
from aigak.accounts.models import AuditAction, AuditEvent, audit
from aigak.cli import main


def _rows(n, actor=None):
    return [
        audit(actor, AuditAction.VIEW, object_type="record", object_id=i, n=i) for i in range(n)
    ]


def test_each_row_carries_the_hash_of_the_one_before(db, viewer):
    rows = _rows(4, viewer)
    assert rows[0].prev_hash == (
        AuditEvent.objects.filter(id__lt=rows[0].id)
        .order_by("-id")
        .values_list("hash", flat=True)
        .first()
        or ""
    )
    for before, after in zip(rows, rows[1:], strict=False):
        assert after.prev_hash == before.hash
        assert len(after.hash) == 64
    stored = AuditEvent.objects.get(pk=rows[2].pk)
    assert auditlog.hash_of(stored) == stored.hash


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE accounts_auditevent SET action = 'view' WHERE id = %s",
        "UPDATE accounts_auditevent SET actor_id = NULL WHERE id = %s",
        "DELETE FROM accounts_auditevent WHERE id = %s",
    ],
)
def test_the_database_refuses_to_change_or_delete_a_row(db, viewer, statement):
    row = _rows(1, viewer)[0]
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [row.pk])
    assert AuditEvent.objects.get(pk=row.pk).hash == row.hash


def test_the_orm_cannot_delete_or_update_either(db, viewer):
    row = _rows(1, viewer)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=row.pk).update(object_id="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=row.pk).delete()


def test_verify_passes_an_intact_chain(db, viewer, capsys):
    _rows(5, viewer)
    assert main(["audit", "verify"]) == 0
    out = capsys.readouterr().out
    assert "intact" in out and str(AuditEvent.objects.count()) in out


def _tamper(sql, params):
    """What an attacker with the database file could do: set the trigger aside first."""
    with connection.cursor() as cursor:
        for statement in auditlog.DROP_SQL[connection.vendor]:
            cursor.execute(statement)
        cursor.execute(sql, params)
        for statement in auditlog.APPEND_ONLY_SQL[connection.vendor]:
            cursor.execute(statement)


@pytest.mark.parametrize(
    "how, broken",
    [
        ("edit", 2),  # the changed row itself no longer matches its hash
        ("delete", 3),  # the row after the gap no longer links to its predecessor
        ("rehash", 3),  # a forger who recomputes the row's hash breaks the next link
    ],
)
def test_verify_names_the_first_broken_row(db, viewer, capsys, how, broken):
    rows = _rows(5, viewer)
    target = rows[2]
    if how == "edit":
        _tamper("UPDATE accounts_auditevent SET object_id = 'other' WHERE id = %s", [target.pk])
    elif how == "delete":
        _tamper("DELETE FROM accounts_auditevent WHERE id = %s", [target.pk])
    else:
        target.object_id = "other"
        _tamper(
            "UPDATE accounts_auditevent SET object_id = 'other', hash = %s WHERE id = %s",
            [auditlog.hash_of(target), target.pk],
        )
    assert main(["audit", "verify"]) == 1
    err = capsys.readouterr().err
    assert f"audit row {rows[broken].pk} is broken" in err


def test_rows_written_before_the_chain_get_hashes_in_the_migration(db):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("aigak.accounts.migrations.0002_security")
    _rows(3)
    _tamper("UPDATE accounts_auditevent SET prev_hash = '', hash = ''", [])
    _tamper_chain = migration.chain_existing_rows
    with connection.cursor() as cursor:
        for statement in auditlog.DROP_SQL[connection.vendor]:
            cursor.execute(statement)
    _tamper_chain(apps, None)
    with connection.cursor() as cursor:
        for statement in auditlog.APPEND_ONLY_SQL[connection.vendor]:
            cursor.execute(statement)
    verdict = auditlog.verify(AuditEvent.objects.order_by("id").iterator())
    assert verdict.broken_id is None and verdict.rows == 3


def test_a_record_list_read_is_audited_without_the_search_text(client, viewer, questionnaires):
    client.force_login(viewer)
    response = client.get("/records/victim/?q=Kudaibergenov", REMOTE_ADDR="10.4.4.4")
    assert response.status_code == 200
    event = AuditEvent.objects.filter(actor=viewer).exclude(action="login").latest("id")
    assert event.action in ("read", "view")
    assert event.ip == "10.4.4.4"
    assert "Kudaibergenov" not in str(event.metadata)
    assert event.metadata.get("params") == ["q"]


def test_a_refusal_is_audited(client, viewer):
    client.force_login(viewer)
    assert client.get("/accounts/admin/audit/").status_code == 403
    event = AuditEvent.objects.get(action="refused")
    assert event.actor == viewer
    assert event.object_id == "accounts:admin-audit"


def test_the_django_admin_cannot_add_audit_rows(client, db):
    from aigak.accounts.models import User

    root = User.objects.create_superuser("root", password="correct horse battery", role="admin")
    client.force_login(root)
    assert client.get("/admin/accounts/auditevent/").status_code == 200
    assert client.get("/admin/accounts/auditevent/add/").status_code == 403


CONCURRENT_WRITERS = """
import threading, django
django.setup()
from django.core.management import call_command
from django.db import connections
from aigak.accounts.models import audit
call_command("migrate", verbosity=0)
def writer(n):
    for i in range(15):
        audit(None, "view", object_type="record", object_id=f"{n}-{i}")
    connections.close_all()
threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
[t.start() for t in threads]
[t.join() for t in threads]
"""


@pytest.mark.sqlite_run
def test_concurrent_appends_on_a_sqlite_file_keep_one_chain(tmp_path):
    """The tests' own SQLite database lives in memory, where writers do not wait for each
    other; a real data folder's file is what `aigak serve` uses."""
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "AIGAK_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "aigak.settings",
    }
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "-c", CONCURRENT_WRITERS], env=env, check=True, timeout=300)
    done = subprocess.run(
        [sys.executable, "-m", "aigak", "audit", "verify"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "intact: 60 rows" in done.stdout


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_unbroken_chain(viewer):
    """Writers in several threads (each its own connection) never fork the chain."""
    import threading

    if connection.vendor == "sqlite":
        pytest.skip("the in-memory test database; see the SQLite file test above")

    from django.db import connections

    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(15):
                with transaction.atomic():
                    audit(viewer, AuditAction.VIEW, object_type="record", object_id=f"{n}-{i}")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    verdict = auditlog.verify(AuditEvent.objects.order_by("id").iterator())
    assert verdict.broken_id is None
    assert AuditEvent.objects.filter(object_type="record").count() == 60
    hashes = list(AuditEvent.objects.values_list("prev_hash", flat=True))
    assert len(hashes) == len(set(hashes))  # no two rows claim the same predecessor
