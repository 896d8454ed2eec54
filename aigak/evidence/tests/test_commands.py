"""`aigak evidence list` and `aigak verify`."""

from __future__ import annotations

import hashlib
import json
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from aigak.evidence import actions
from aigak.evidence.models import Evidence
from aigak.evidence.tests.conftest import mp4_bytes


@pytest.fixture
def two_files(documenter, record_of):
    record = record_of(documenter)
    first = actions.attach_small_file(
        documenter, SimpleUploadedFile("a.mp4", mp4_bytes(30_000, 1)), name="a.mp4", record=record
    )
    second = actions.attach_small_file(
        documenter, SimpleUploadedFile("b.mp4", mp4_bytes(30_000, 2)), name="b.mp4"
    )
    return first, second


def test_list_prints_the_contract_fields_as_json(capsys, two_files):
    first, second = two_files
    call_command("evidence", "list", "--format", "json")
    rows = json.loads(capsys.readouterr().out)
    assert rows == [
        {
            "id": first.pk,
            "sha256": first.sha256,
            "size": 30_000,
            "name": "a.mp4",
            "type": "video/mp4",
            "records": ["V-000001"],
        },
        {
            "id": second.pk,
            "sha256": second.sha256,
            "size": 30_000,
            "name": "b.mp4",
            "type": "video/mp4",
            "records": [],
        },
    ]


def test_list_as_text_has_one_line_per_file(capsys, two_files):
    call_command("evidence", "list")
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[4] for line in lines] == ["a.mp4", "b.mp4"]


def test_verify_passes_when_nothing_changed(capsys, two_files):
    call_command("verify")
    assert "verified 2 files: 2 unchanged, 0 changed, 0 missing" in capsys.readouterr().out
    assert all(e.last_verified_ok and e.last_verified_at for e in Evidence.objects.all())
    assert Evidence.objects.first().custody.filter(action="verify").exists()


def test_verify_finds_a_changed_and_a_missing_file(capsys, two_files, evidence_root):
    first, second = two_files
    changed = evidence_root / first.sha256[:2] / first.sha256
    changed.chmod(0o644)
    with open(changed, "r+b") as handle:
        handle.seek(20_000)
        handle.write(b"X")
    (evidence_root / second.sha256[:2] / second.sha256).unlink()
    with pytest.raises(CommandError) as failed:
        call_command("verify")
    assert failed.value.returncode == 1
    out = capsys.readouterr().out
    assert f"changed  {first.pk}  {first.sha256}" in out
    assert f"missing  {second.pk}  {second.sha256}" in out
    first.refresh_from_db()
    assert first.last_verified_ok is False
    event = first.custody.get(action="verify")
    assert event.metadata["result"] == "changed"
    assert event.sha256 == first.sha256


def test_the_evidence_page_shows_the_last_verification(client, documenter, two_files):
    call_command("verify")
    client.force_login(documenter)
    page = client.get(f"/evidence/{two_files[0].pk}/").content.decode()
    assert "unchanged" in page.split('id="last-verified"')[1][:200]


@pytest.mark.parametrize("size", [0, 1, 4096, 3 * 65536, 3 * 65536 + 17])
def test_direct_reads_hash_like_hashlib(tmp_path, size):
    from aigak.evidence.verification import hash_direct

    data = os.urandom(size)
    path = tmp_path / "file"
    path.write_bytes(data)
    assert hash_direct(str(path), block=65536, depth=3) == (hashlib.sha256(data).hexdigest(), size)
