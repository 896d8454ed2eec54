"""A real third-party tus client (tuspy) against a live server."""

from __future__ import annotations

import hashlib
import os

import pytest
from tusclient.client import TusClient
from tusclient.exceptions import TusCommunicationError, TusUploadFailed

from aigak.evidence.models import Evidence, EvidenceRecord, Upload
from aigak.evidence.tests.conftest import mp4_bytes

CHUNK = 256 * 1024


@pytest.fixture
def interview(tmp_path):
    data = mp4_bytes(64) + os.urandom(3 * 1024 * 1024 + 12_345)
    path = tmp_path / "interview.mp4"
    path.write_bytes(data)
    return path, data


def client_for(live_server, token: str) -> TusClient:
    return TusClient(
        f"{live_server.url}/api/v1/uploads/", headers={"Authorization": f"Token {token}"}
    )


def test_an_interrupted_upload_resumes_with_a_new_client(
    live_server, documenter, token_of, record_of, interview
):
    path, data = interview
    record = record_of(documenter)
    token = token_of(documenter)
    first = client_for(live_server, token).uploader(
        str(path),
        chunk_size=CHUNK,
        metadata={"filename": "interview.mp4", "record": str(record.pk)},
        upload_checksum=True,
    )
    half = len(data) // 2
    first.upload(stop_at=half)  # the connection "drops" half-way
    stored_url = first.url
    assert Upload.objects.get().offset == half
    assert not Evidence.objects.exists()
    assert not EvidenceRecord.objects.exists()

    second = client_for(live_server, token).uploader(
        str(path), url=stored_url, chunk_size=CHUNK, upload_checksum=True
    )
    assert second.offset == half  # asked the server with HEAD
    second.upload()

    evidence = Evidence.objects.get()
    assert evidence.sha256 == hashlib.sha256(data).hexdigest()
    assert evidence.size == len(data)
    assert evidence.content_type == "video/mp4"
    assert list(evidence.records.all()) == [record]


def test_a_stranger_cannot_resume_someone_elses_upload(
    live_server, documenter, teammate, token_of, interview
):
    path, data = interview
    first = client_for(live_server, token_of(documenter)).uploader(str(path), chunk_size=CHUNK)
    first.upload(stop_at=CHUNK)
    with pytest.raises(TusCommunicationError) as refused:
        client_for(live_server, token_of(teammate)).uploader(str(path), url=first.url)
    assert refused.value.status_code == 404
    assert Upload.objects.get().offset == CHUNK


def test_an_executable_is_refused_through_the_client(live_server, documenter, token_of, tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"\x7fELF\x02\x01\x01\x00" + os.urandom(100_000))
    uploader = client_for(live_server, token_of(documenter)).uploader(str(path), chunk_size=CHUNK)
    with pytest.raises(TusUploadFailed) as refused:
        uploader.upload()
    assert refused.value.status_code == 415
    assert not Upload.objects.exists()
    assert not Evidence.objects.exists()
