"""A save while another writer holds SQLite's write lock says "busy" and keeps the answers."""

import sqlite3

import pytest
from django.db import connection
from django.test import Client

from aigak.records.models import Record
from aigak.records.tests.sample_forms import (  # noqa: F401 - fast_passwords is a fixture
    fast_passwords,
    install_sample_victim_form,
    make_record,
)

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL waits for row locks instead"
)


@pytest.fixture
def held_lock(transactional_db, settings):
    """Another connection to the same database, in the middle of a write."""
    name = connection.settings_dict["NAME"]
    other = sqlite3.connect(str(name), uri=str(name).startswith("file:"), timeout=0.1)
    other.isolation_level = None

    def hold() -> None:
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE records_recordcounter SET last = last")  # read by no page

    def release() -> None:
        if other.in_transaction:
            other.execute("ROLLBACK")

    hold.release = release  # type: ignore[attr-defined]
    yield hold
    release()
    other.close()


def _short_wait(settings):
    connection.close()  # the next connection waits a tenth of a second for the lock
    options = dict(connection.settings_dict.get("OPTIONS") or {})
    options["timeout"] = 0.1
    connection.settings_dict["OPTIONS"] = options


def test_it_says_busy_and_keeps_what_was_typed_on_create(held_lock, documenter, settings):
    install_sample_victim_form()
    client = Client()
    client.force_login(documenter)
    _short_wait(settings)
    held_lock()
    page = client.post("/records/victim/new/", {"full_name": "Жанар Б.", "vital_status": "alive"})
    assert page.status_code == 503
    assert "The database is busy" in page.content.decode()
    assert 'value="Жанар Б."' in page.content.decode()
    connection.close()
    held_lock.release()
    assert not Record.objects.exists()


def test_it_says_busy_and_keeps_what_was_typed_on_edit(held_lock, documenter, settings):
    victim = install_sample_victim_form()
    record = make_record(documenter, victim, full_name="Асель")
    client = Client()
    client.force_login(documenter)
    _short_wait(settings)
    held_lock()
    page = client.post(
        f"/records/victim/{record.record_id}/edit/",
        {"full_name": "Асель Н.", "vital_status": "alive", "_base_version": "1"},
    )
    assert page.status_code == 503
    assert 'value="Асель Н."' in page.content.decode()
    held_lock.release()
    assert Record.objects.get(pk=record.pk).answers["full_name"] == "Асель"


def test_a_full_database_says_so_keeps_the_answers_and_recovers(documenter, settings, db):
    """SQLite's max_page_count makes its disk full at the current size: the same
    SQLITE_FULL error a full disk gives."""
    victim = install_sample_victim_form()
    client = Client()
    client.force_login(documenter)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA page_count")
        pages = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count = {pages}")
    big = "Детали." * 20_000  # more than the free pages hold
    page = client.post("/records/victim/new/", {"full_name": "Жанар Б.", "vital_status": "alive", "narrative": big})  # fmt: skip
    assert page.status_code == 503
    assert "disk is full" in page.content.decode() and "Жанар Б." in page.content.decode()
    assert not Record.objects.filter(questionnaire=victim).exists()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA max_page_count = 1073741823")  # space is back
    saved = client.post("/records/victim/new/", {"full_name": "Жанар Б.", "vital_status": "alive", "narrative": big})  # fmt: skip
    assert saved.status_code == 302
    assert Record.objects.get(questionnaire=victim).answers["narrative"] == big
