"""`aigak backup` then `aigak restore` into an empty data folder gives the same system.

Runs the real command line in subprocesses, each with its own AIGAK_DATA_DIR, on SQLite
and (when DATABASE_URL is set) on PostgreSQL with a separate database for the restore.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SEED = r"""
import os, django
django.setup()
from aigak.cli import ensure_database
ensure_database()
from django.core.files.uploadedfile import SimpleUploadedFile
from aigak.accounts.models import Role, Team, User
from aigak.evidence import actions
from aigak.questionnaires.models import Questionnaire
from aigak.questionnaires.registry import ensure_shipped
from aigak.records.models import Record, RecordVersion

ensure_shipped()
team = Team.objects.create(name="Almaty")
user = User.objects.create_user("documenter", password="correct horse battery",
                                role=Role.DOCUMENTER, team=team)
q = Questionnaire.objects.get(name="victim")
for n in (1, 2):
    record = Record.objects.create(questionnaire=q, form_version=q.current,
        record_id=f"V-00000{n}", author=user, team=team, version=2,
        answers={"full_name": f"Person {n}", "region": "almaty"})
    for number in (1, 2):
        RecordVersion.objects.create(record=record, number=number, status=record.status,
            form_version=q.current, author=user, answers={"full_name": f"Person {n} v{number}"})
record = Record.objects.get(record_id="V-000001")
video = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + os.urandom(200_000)
actions.attach_small_file(user, SimpleUploadedFile("interview.mp4", video), name="interview.mp4",
    record=record, provenance={"captured_by": "M. A.", "source": "relative"})
actions.attach_small_file(user, SimpleUploadedFile("notes.txt", "Протокол допроса\n".encode()),
    name="notes.txt")
"""

DUMP = r"""
import json, django
django.setup()
from aigak.evidence.models import CustodyEvent, Evidence
from aigak.records.models import Record, RecordVersion
from aigak.accounts.models import User
print(json.dumps({
    "users": sorted(User.objects.values_list("username", "role", "password")),
    "records": sorted(Record.objects.values_list("record_id", "version", "answers", "status")),
    "versions": sorted(
        RecordVersion.objects.values_list("record__record_id", "number", "answers")),
    "evidence": sorted(Evidence.objects.values_list(
        "id", "sha256", "size", "content_type", "original_name", "captured_by", "source")),
    "links": sorted(Evidence.objects.values_list("sha256", "records__record_id")),
    "custody": sorted(CustodyEvent.objects.filter(action__in=["upload", "link"]).values_list(
        "evidence__sha256", "action", "user__username", "sha256")),
}, default=str))
"""


def aigak(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "aigak", *args], env=env, capture_output=True, text=True, timeout=300
    )


def python(env: dict, code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def environment(data_dir: Path, database_url: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIGAK_", "DATABASE_URL"))}
    env.update(
        AIGAK_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="aigak.settings",
        AIGAK_BACKUP_PASSPHRASE="correct horse battery staple",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


@pytest.fixture(params=["sqlite", "postgresql"])
def databases(request):
    """(source URL, restore URL, another empty URL): None for SQLite in the data folder."""
    base = os.environ.get("DATABASE_URL", "")
    on_postgres = base.startswith("postgres")
    if request.param == "sqlite":
        if on_postgres:
            pytest.skip("this run is on PostgreSQL; the SQLite run covers SQLite")
        yield None, None, None
        return
    if not on_postgres:
        pytest.skip("DATABASE_URL does not name a PostgreSQL server")
    import psycopg

    root, _, _ = base.rpartition("/")
    maintenance = f"{root}/postgres"  # the database DATABASE_URL names may not exist yet
    names = [f"aigak_evidence_{kind}_{uuid.uuid4().hex[:8]}" for kind in ("src", "dst", "bad")]
    with psycopg.connect(maintenance, autocommit=True) as admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
    yield tuple(f"{root}/{name}" for name in names)
    with psycopg.connect(maintenance, autocommit=True) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_and_restore_give_back_an_identical_system(tmp_path, databases):
    source_url, target_url, spare_url = databases
    source = environment(tmp_path / "source", source_url)
    target = environment(tmp_path / "target", target_url)
    python(source, SEED)
    archive = tmp_path / "backup.tar"

    made = aigak(source, "backup", str(archive))
    assert made.returncode == 0, made.stderr
    assert "2 evidence files" in made.stdout
    assert archive.read_bytes().startswith(b"age-encryption.org/v1\n")
    assert archive.stat().st_mode & 0o777 == 0o600

    restored = aigak(target, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    before, after = json.loads(python(source, DUMP)), json.loads(python(target, DUMP))
    assert after == before
    assert len(after["versions"]) == 4 and len(after["evidence"]) == 2

    listing = [
        aigak(env, "evidence", "list", "--format", "json").stdout for env in (source, target)
    ]
    assert json.loads(listing[0]) == json.loads(listing[1])
    verified = aigak(target, "verify")
    assert verified.returncode == 0, verified.stdout
    assert "2 unchanged, 0 changed, 0 missing" in verified.stdout
    assert (tmp_path / "target" / "secret_key").read_text() == (
        tmp_path / "source" / "secret_key"
    ).read_text()

    again = aigak(target, "restore", str(archive))
    assert again.returncode == 1
    assert "empty" in again.stderr

    # A backup whose evidence bytes were altered is refused, and nothing is restored.
    spare = environment(tmp_path / "spare", spare_url)
    archive = tmp_path / "plain.tar"
    assert aigak(source, "backup", "--unencrypted", str(archive)).returncode == 0
    sha = after["evidence"][0][1]
    data = bytearray(archive.read_bytes())
    stored = (tmp_path / "source" / "evidence" / sha[:2] / sha).read_bytes()
    at = data.find(stored[1000:1064]) + 10
    data[at] ^= 0xFF
    tampered = tmp_path / "tampered.tar"
    tampered.write_bytes(bytes(data))
    refused = aigak(spare, "restore", str(tampered))
    assert refused.returncode == 1
    assert "does not match" in refused.stderr
    assert json.loads(python(spare, DUMP))["evidence"] == []
