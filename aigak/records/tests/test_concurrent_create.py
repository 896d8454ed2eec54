"""Records created at the same moment by many writers get distinct ids, and none fails.

The writers are real processes on a real database: the SQLite file of a fresh data folder
and, when DATABASE_URL is set, a fresh PostgreSQL database.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest

from aigak.records.models import Record

SCRIPT = Path(__file__).with_name("concurrent_creates.py")
WORKERS, EACH = 10, 3


def _run(env: dict[str, str]) -> dict[str, list[str]]:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(WORKERS), str(EACH)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        cwd=Path(__file__).parents[3],
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _assert_all_made(result: dict[str, list[str]]) -> None:
    assert result["errors"] == []
    assert len(result["made"]) == WORKERS * EACH
    assert sorted(result["made"]) == [f"M-{n:06d}" for n in range(1, WORKERS * EACH + 1)]


@pytest.mark.sqlite_run
def test_it_gives_concurrent_creates_distinct_ids_on_sqlite(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["AIGAK_DATA_DIR"] = str(tmp_path)
    _assert_all_made(_run(env))


@pytest.mark.skipif(
    not (os.environ.get("DATABASE_URL") or "").startswith("postgres"),
    reason="needs DATABASE_URL of a PostgreSQL server",
)
def test_it_gives_concurrent_creates_distinct_ids_on_postgresql(tmp_path):
    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    name = f"{os.environ['DATABASE_URL'].rsplit('/', 1)[1]}_creates_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(base + "/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        env = dict(os.environ, AIGAK_DATA_DIR=str(tmp_path), DATABASE_URL=f"{base}/{name}")
        _assert_all_made(_run(env))
    finally:
        with psycopg.connect(base + "/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db
def test_it_goes_on_after_ids_an_import_took(documenter, coordinator):
    from aigak.questionnaires.registry import install_questionnaire
    from aigak.questionnaires.tests.xlsform_factory import mini_form
    from aigak.records import actions

    mini = install_questionnaire("mini", mini_form()).questionnaire
    first = actions.create_record(documenter, mini, {"vital_status": "alive"})
    rows = [(n, {"record_id": f"M-{n:06d}", "vital_status": "alive"}) for n in range(2, 40)]
    actions.import_rows(coordinator, mini, rows)
    after = actions.create_record(documenter, mini, {"vital_status": "alive"})
    assert (first.record_id, after.record_id) == ("M-000001", "M-000040")
    assert Record.objects.filter(questionnaire=mini).count() == 40
