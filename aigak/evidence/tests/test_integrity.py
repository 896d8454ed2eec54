"""Evidence integrity: uploads that the server died finishing, repairs, damaged files."""

from __future__ import annotations

import hashlib
import os
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from aigak.evidence import actions, uploads
from aigak.evidence.models import CustodyAction, Evidence, Upload
from aigak.evidence.tests.conftest import mp4_bytes
from aigak.evidence.tests.test_tus import Tus
from aigak.evidence.verification import verify


class Crash(BaseException):
    """The server process dying at this point (kill -9): nothing after it runs."""


@pytest.fixture
def tus(client, documenter, token_of):
    return Tus(client, token_of(documenter))


def _die(*args, **kwargs):
    raise Crash


@pytest.mark.parametrize("where", ["before the move into the store", "after the move"])
def test_an_upload_acknowledged_before_a_crash_is_finished_on_the_next_head(
    tus, monkeypatch, evidence_root, where
):
    data = mp4_bytes(200_000)
    location = tus.create(len(data), filename="interview.mp4")["Location"]
    monkeypatch.setattr(uploads, "finish" if where.startswith("before") else "_take_in", _die)
    with pytest.raises(Crash):
        tus.patch(location, 0, data)
    monkeypatch.undo()  # the server starts again
    assert not Evidence.objects.exists()
    head = tus.send("HEAD", location)
    assert (head.status_code, head["Upload-Offset"]) == (200, str(len(data)))
    sha = hashlib.sha256(data).hexdigest()
    assert head["Aigak-Evidence-Sha256"] == sha
    evidence = Evidence.objects.get()
    assert (evidence.sha256, evidence.original_name) == (sha, "interview.mp4")
    assert (evidence_root / sha[:2] / sha).read_bytes() == data


def test_the_start_up_check_finishes_stranded_uploads_once(tus, monkeypatch):
    data = mp4_bytes(50_000, seed=3)
    location = tus.create(len(data), filename="a.mp4")["Location"]
    monkeypatch.setattr(uploads, "_take_in", _die)
    with pytest.raises(Crash):
        tus.patch(location, 0, data)
    monkeypatch.undo()
    assert uploads.finish_all_stranded() == 1
    assert uploads.finish_all_stranded() == 0
    assert Evidence.objects.count() == 1 and Upload.objects.get().is_complete
    again = tus.send("HEAD", location)
    assert again["Upload-Offset"] == str(len(data)) and Evidence.objects.count() == 1


def _attach(user, data: bytes) -> Evidence:
    return actions.attach_small_file(user, SimpleUploadedFile("clip.mp4", data), name="clip.mp4")


def _damage(evidence_root, sha: str) -> None:
    path = evidence_root / sha[:2] / sha
    path.chmod(0o600)
    with open(path, "r+b") as handle:
        handle.seek(1000)
        handle.write(b"\x00\x01\x02")


def test_re_uploading_intact_bytes_repairs_a_damaged_copy(documenter, evidence_root):
    data = mp4_bytes(100_000, seed=5)
    evidence = _attach(documenter, data)
    _damage(evidence_root, evidence.sha256)
    assert [f.status for f in verify()] == ["changed"]
    again = _attach(documenter, data)
    assert again.pk == evidence.pk
    assert (evidence_root / evidence.sha256[:2] / evidence.sha256).read_bytes() == data
    assert [f.status for f in verify()] == ["ok"]
    repairs = evidence.custody.filter(action=CustodyAction.REPAIR)
    assert repairs.count() == 1 and repairs.get().user == documenter


def test_a_file_that_failed_its_check_goes_only_to_investigators_with_a_warning(
    client, documenter, coordinator, evidence_root
):
    evidence = _attach(documenter, mp4_bytes(60_000, seed=7))
    url = f"/evidence/{evidence.pk}/file"
    client.force_login(documenter)
    assert client.get(url).status_code == 200
    _damage(evidence_root, evidence.sha256)
    verify()
    refused = client.get(url)
    assert refused.status_code == 409
    assert b"failed its last integrity check" in refused.content
    client.force_login(coordinator)
    shown = client.get(url)
    assert shown.status_code == 200
    assert shown["Aigak-Integrity"] == "failed" and "integrity" in shown["Warning"]
    played = evidence.custody.filter(action=CustodyAction.PLAY, user=coordinator).get()
    assert played.metadata["failed_check"] is True


@pytest.mark.django_db(transaction=True)
def test_two_identical_uploads_at_the_same_moment_make_one_row(documenter, evidence_root):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite write transactions run one at a time; this race is PostgreSQL's")
    data = mp4_bytes(80_000, seed=9)
    barrier, errors = threading.Barrier(4), []

    def upload() -> None:
        try:
            barrier.wait()
            _attach(documenter, data)
        except Exception as problem:  # noqa: BLE001 - the test counts every failure
            errors.append(problem)
        finally:
            connection.close()

    threads = [threading.Thread(target=upload) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Evidence.objects.filter(sha256=hashlib.sha256(data).hexdigest()).count() == 1
    assert os.path.exists(evidence_root / hashlib.sha256(data).hexdigest()[:2])
