"""Page reads' audit rows through the process's journal (aigak.accounts.auditjournal):
on disk before the page is sent, in the chain after a flush, and never lost or doubled
when the process dies."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from aigak.accounts import auditjournal, auditlog
from aigak.accounts.models import AuditEvent

pytestmark = pytest.mark.skipif(auditjournal.fcntl is None, reason="needs flock")


@pytest.fixture
def journal(tmp_path, monkeypatch):
    """This process's journal in tmp_path, its thread not started: flushed by the test."""
    made = auditjournal.Journal(tmp_path)
    monkeypatch.setattr(auditjournal, "_journal", made)
    yield made
    monkeypatch.setattr(auditjournal, "_journal", None)
    made.close()


def _reads(user):
    return AuditEvent.objects.filter(actor=user, action="read")


def _chain_intact() -> bool:
    verdict = auditlog.verify(AuditEvent.objects.order_by("id").iterator())
    return verdict.broken_id is None


def test_a_read_is_on_disk_when_the_page_is_sent_and_in_the_chain_after_a_flush(
    client, viewer, journal
):
    client.force_login(viewer)
    response = client.get("/?q=secret+name", REMOTE_ADDR="10.5.5.5")
    assert response.status_code == 200
    assert not _reads(viewer).exists()  # not written in the request
    lines = journal.path.read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["actor_id"] == viewer.pk
    assert "secret" not in lines[0]

    assert journal.flush() == 1
    event = _reads(viewer).get()
    assert (event.ip, event.object_type, event.object_id) == ("10.5.5.5", "page", "home")
    assert event.metadata == {"path": "/", "method": "GET", "params": ["q"]}
    assert _chain_intact()
    assert not list(journal.folder.glob("*.flushing"))
    assert journal.flush() == 0  # nothing written twice


def test_without_a_journal_the_read_is_written_in_the_request(client, viewer):
    client.force_login(viewer)
    assert client.get("/").status_code == 200
    assert _reads(viewer).count() == 1


def _row(user, n: int) -> dict:
    return {
        "at": f"2026-12-05T07:00:{n:02d}.000001+00:00",
        "actor_id": user.pk,
        "action": "read",
        "object_type": "page",
        "object_id": f"page-{n}",
        "ip": "",
        "metadata": {"path": f"/p/{n}/", "method": "GET", "params": []},
    }


def _lines(rows) -> str:
    return "".join(json.dumps(r) + "\n" for r in rows)


def test_the_rows_of_a_dead_process_are_written_in_order_once(tmp_path, viewer):
    """Files left by a process that died: one being flushed, the current one with a last
    line cut short (never acknowledged)."""
    (tmp_path / "999-dead.lock").write_text("")
    (tmp_path / "999-dead.000000002.flushing").write_text(_lines([_row(viewer, 3)]))
    (tmp_path / "999-dead.000000001.flushing").write_text(
        _lines([_row(viewer, 1), _row(viewer, 2)])
    )
    (tmp_path / "999-dead.jsonl").write_text(_lines([_row(viewer, 4)]) + '{"at": "2026-12')

    assert auditjournal.recover(tmp_path) == 4
    assert list(_reads(viewer).order_by("id").values_list("object_id", flat=True)) == [
        "page-1", "page-2", "page-3", "page-4"
    ]  # fmt: skip
    assert _chain_intact()
    assert list(tmp_path.iterdir()) == []
    assert auditjournal.recover(tmp_path) == 0


def test_a_file_committed_before_its_process_died_is_not_written_again(tmp_path, viewer):
    rows = [_row(viewer, 1), _row(viewer, 2)]
    (tmp_path / "998-dead.000000001.flushing").write_text(_lines(rows))
    auditjournal.write_file(tmp_path / "998-dead.000000001.flushing")
    # The process died after the commit, before the file was removed:
    (tmp_path / "998-dead.lock").write_text("")
    (tmp_path / "998-dead.000000001.flushing").write_text(_lines(rows))
    assert auditjournal.recover(tmp_path) == 0
    assert _reads(viewer).count() == 2
    assert list(tmp_path.iterdir()) == []


def test_a_live_process_journal_is_left_alone(tmp_path, viewer, journal):
    journal.append(_row(viewer, 1))
    assert auditjournal.recover(journal.folder, own_token="another") == 0
    assert journal.path.exists() and not _reads(viewer).exists()
    assert journal.flush() == 1


def test_a_killed_process_rows_are_written_by_the_next_start(tmp_path, viewer):
    """A real process appends two rows to its journal (fsynced) and dies without writing
    them; the kernel releases its lock and the next journal started writes them."""
    row = json.dumps(_row(viewer, 7))
    script = textwrap.dedent(f"""
        import json, os
        from pathlib import Path
        from aigak.accounts.auditjournal import Journal
        journal = Journal(Path({str(tmp_path)!r}))
        journal.append(json.loads({row!r}))
        journal.append(json.loads({row!r}) | {{"object_id": "page-8"}})
        os._exit(9)  # no flush, no clean-up
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert done.returncode == 9, done.stderr
    started = auditjournal.Journal(tmp_path)
    try:
        assert auditjournal.recover(tmp_path, own_token=started.token) == 2
    finally:
        started.close()
    assert list(_reads(viewer).order_by("id").values_list("object_id", flat=True)) == [
        "page-7", "page-8"
    ]  # fmt: skip
    assert _chain_intact()
    assert list(tmp_path.iterdir()) == []
