"""The tus endpoint, request by request: every refusal has its status and stores nothing."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from aigak.evidence.models import Evidence, EvidenceRecord, Upload
from aigak.evidence.tests.conftest import PNG, mp4_bytes

URL = "/api/v1/uploads/"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


class Tus:
    """Speaks tus to the test client with a token."""

    def __init__(self, client: Client, token: str | None):
        self.client = client
        self.headers = {"Tus-Resumable": "1.0.0"}
        if token:
            self.headers["Authorization"] = f"Token {token}"

    def send(self, method: str, path: str, body: bytes = b"", **headers):
        all_headers = {**self.headers, **headers}
        content_type = all_headers.pop("Content-Type", "application/offset+octet-stream")
        return self.client.generic(
            method, path, body, content_type=content_type, headers=all_headers
        )

    def create(self, length: int, **metadata: str):
        meta = ",".join(f"{k} {b64(v)}" for k, v in metadata.items())
        return self.send(
            "POST", URL, Content_Type="", **{"Upload-Length": str(length), "Upload-Metadata": meta}
        )

    def patch(self, location: str, offset: int, body: bytes, **headers):
        return self.send("PATCH", location, body, **{"Upload-Offset": str(offset), **headers})

    def upload(self, data: bytes, **metadata: str):
        created = self.create(len(data), **metadata)
        assert created.status_code == 201, created.content
        return created["Location"], self.patch(created["Location"], 0, data)


@pytest.fixture
def tus(client, documenter, token_of):
    return Tus(client, token_of(documenter))


def nothing_stored(root) -> bool:
    store = [p for p in root.rglob("*") if p.is_file() and "thumbnails" not in p.parts]
    return not Evidence.objects.exists() and not Upload.objects.exists() and not store


def test_it_describes_itself_on_options(client):
    response = client.options(URL)
    assert response.status_code == 204
    assert response["Tus-Version"] == "1.0.0"
    assert set(response["Tus-Extension"].split(",")) == {
        "creation",
        "checksum",
        "termination",
        "expiration",
    }
    assert response["Tus-Checksum-Algorithm"] == "sha1,sha256,md5"
    assert int(response["Tus-Max-Size"]) == 20 * 1024**3


def test_it_uploads_in_chunks_and_takes_the_file_in(tus, documenter, evidence_root):
    data = mp4_bytes(300_000)
    created = tus.create(len(data), filename="interview.mp4", captured_by="M. A.")
    assert created.status_code == 201
    assert created["Tus-Resumable"] == "1.0.0"
    assert "Upload-Expires" in created
    location = created["Location"]
    first = tus.patch(location, 0, data[:100_000])
    assert first.status_code == 204
    assert first["Upload-Offset"] == "100000"
    head = tus.send("HEAD", location)
    assert (head.status_code, head["Upload-Offset"], head["Upload-Length"]) == (
        200,
        "100000",
        "300000",
    )
    assert head["Cache-Control"] == "no-store"
    last = tus.patch(location, 100_000, data[100_000:])
    assert last.status_code == 204
    evidence = Evidence.objects.get()
    sha = hashlib.sha256(data).hexdigest()
    assert (evidence.sha256, evidence.size, evidence.content_type) == (sha, len(data), "video/mp4")
    assert evidence.original_name == "interview.mp4"
    assert evidence.captured_by == "M. A."
    assert evidence.uploaded_by == documenter
    assert last["Aigak-Evidence-Sha256"] == sha
    stored = evidence_root / sha[:2] / sha
    assert stored.read_bytes() == data
    assert not list((evidence_root / "uploads").iterdir())
    assert list(evidence.custody.values_list("action", flat=True)) == ["upload"]


def test_the_same_bytes_are_stored_once(tus, documenter):
    data = mp4_bytes(20_000)
    tus.upload(data, filename="a.mp4")
    tus.upload(data, filename="copy.mp4")
    evidence = Evidence.objects.get()
    assert evidence.original_name == "a.mp4"
    uploads = evidence.custody.filter(action="upload")
    assert [e.metadata["duplicate"] for e in uploads] == [False, True]


def test_it_links_the_record_named_in_the_metadata(tus, documenter, record_of):
    record = record_of(documenter)
    tus.upload(PNG, filename="photo.png", record=str(record.pk))
    link = EvidenceRecord.objects.get()
    assert (link.record, link.evidence.content_type) == (record, "image/png")


def test_it_refuses_a_record_the_user_may_not_change(tus, outsider, record_of, evidence_root):
    record = record_of(outsider)
    response = tus.create(len(PNG), record=str(record.pk))
    assert response.status_code == 403
    assert nothing_stored(evidence_root)


@pytest.mark.parametrize(
    "headers, status",
    [
        ({"Tus-Resumable": "0.2.2"}, 412),
        ({"Tus-Resumable": ""}, 412),
    ],
)
def test_it_refuses_another_protocol_version(tus, headers, status, evidence_root):
    response = tus.send("POST", URL, Content_Type="", **{"Upload-Length": "10", **headers})
    assert response.status_code == status
    assert response["Tus-Version"] == "1.0.0"
    assert nothing_stored(evidence_root)


def test_it_refuses_anonymous_requests(client, db, evidence_root):
    response = Tus(client, None).create(10)
    assert response.status_code == 401
    assert "Token" in response["WWW-Authenticate"]
    assert Tus(client, "not-a-token").create(10).status_code == 401
    assert nothing_stored(evidence_root)


def test_a_viewer_may_not_upload(client, viewer, token_of, evidence_root):
    assert Tus(client, token_of(viewer)).create(10).status_code == 403
    assert nothing_stored(evidence_root)


def test_it_refuses_an_oversize_file(tus, settings, evidence_root):
    settings.EVIDENCE_MAX_SIZE = 1000
    response = tus.create(1001)
    assert response.status_code == 413
    assert b"maximum" in response.content
    assert nothing_stored(evidence_root)


def test_it_refuses_a_body_past_the_length(tus, evidence_root):
    location = tus.create(10)["Location"]
    assert tus.patch(location, 0, PNG).status_code == 413
    assert Upload.objects.get().offset == 0


@pytest.mark.parametrize(
    "content, what",
    [
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 9000, "ELF"),
        (b"MZ\x90\x00\x03" + b"\x00" * 9000, "PE/MZ"),
        (b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\x00" * 9000, "Mach-O"),
        (b"#!/bin/sh\nrm -rf /\n", "script"),
        (b"\x00asm\x01\x00\x00\x00" + b"\x01" * 9000, "application/wasm"),
        (bytes(range(256)) * 40, "application/octet-stream"),
    ],
)
def test_it_refuses_executables_and_unknown_types(tus, content, what, evidence_root):
    location, response = tus.upload(content, filename="holiday.jpg")
    assert response.status_code == 415
    assert what in response.content.decode()
    assert nothing_stored(evidence_root)
    assert tus.send("HEAD", location).status_code == 404


def test_it_refuses_an_executable_from_its_first_bytes(tus, evidence_root):
    """The refusal comes with the first chunk, before the rest of a large file is sent."""
    created = tus.create(10_000_000, filename="video.mp4")
    response = tus.patch(created["Location"], 0, b"MZ\x90\x00")
    assert response.status_code == 415
    assert nothing_stored(evidence_root)


def test_it_refuses_a_wrong_offset(tus, evidence_root):
    data = mp4_bytes(20_000)
    location = tus.create(len(data))["Location"]
    assert tus.patch(location, 0, data[:10_000]).status_code == 204
    response = tus.patch(location, 5_000, data[5_000:])
    assert response.status_code == 409
    assert Upload.objects.get().offset == 10_000
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("algorithm", ["sha1", "sha256", "md5"])
def test_it_checks_chunk_checksums(tus, algorithm, evidence_root):
    data = mp4_bytes(20_000)
    location = tus.create(len(data))["Location"]

    def checksum(chunk: bytes) -> str:
        return f"{algorithm} " + base64.b64encode(hashlib.new(algorithm, chunk).digest()).decode()

    bad = tus.patch(location, 0, data[:10_000], **{"Upload-Checksum": checksum(b"other")})
    assert bad.status_code == 460
    assert Upload.objects.get().offset == 0
    assert (evidence_root / "uploads" / f"{Upload.objects.get().pk}.part").stat().st_size == 0
    good = tus.patch(location, 0, data[:10_000], **{"Upload-Checksum": checksum(data[:10_000])})
    assert good.status_code == 204
    rest = tus.patch(
        location, 10_000, data[10_000:], **{"Upload-Checksum": checksum(data[10_000:])}
    )
    assert rest.status_code == 204
    assert Evidence.objects.get().sha256 == hashlib.sha256(data).hexdigest()


def test_it_refuses_an_unknown_checksum_algorithm(tus):
    location = tus.create(len(PNG))["Location"]
    response = tus.patch(location, 0, PNG, **{"Upload-Checksum": "crc32 AAAA"})
    assert response.status_code == 400
    assert not Evidence.objects.exists()


def test_it_refuses_a_file_whose_whole_hash_differs(tus, evidence_root):
    _, response = tus.upload(PNG, sha256="0" * 64)
    assert response.status_code == 460
    assert nothing_stored(evidence_root)


def test_a_strangers_upload_is_not_found(client, tus, teammate, token_of, evidence_root):
    location = tus.create(len(PNG))["Location"]
    stranger = Tus(client, token_of(teammate))
    assert stranger.send("HEAD", location).status_code == 404
    assert stranger.patch(location, 0, PNG).status_code == 404
    assert stranger.send("DELETE", location).status_code == 404
    assert Upload.objects.get().offset == 0
    assert not Evidence.objects.exists()


def test_an_expired_upload_is_gone(tus, evidence_root):
    location = tus.create(len(PNG))["Location"]
    Upload.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert tus.patch(location, 0, PNG).status_code == 410
    assert nothing_stored(evidence_root)


def test_expired_uploads_are_purged_when_others_start(tus, evidence_root):
    tus.create(len(PNG))
    Upload.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    tus.create(len(PNG))
    assert Upload.objects.count() == 1
    assert len(list((evidence_root / "uploads").iterdir())) == 1


def test_termination_removes_the_partial_file(tus, evidence_root):
    data = mp4_bytes(20_000)
    location = tus.create(len(data))["Location"]
    tus.patch(location, 0, data[:9000])
    response = tus.send("DELETE", location)
    assert response.status_code == 204
    assert nothing_stored(evidence_root)
    assert tus.send("HEAD", location).status_code == 404


def test_a_crashed_upload_leaves_nothing_attached(tus, documenter, record_of, evidence_root):
    """Half the bytes, then the client vanishes: no evidence and no link, only the partial."""
    record = record_of(documenter)
    data = mp4_bytes(50_000)
    location = tus.create(len(data), record=str(record.pk))["Location"]
    assert tus.patch(location, 0, data[:25_000]).status_code == 204
    assert not Evidence.objects.exists()
    assert not EvidenceRecord.objects.exists()
    assert not [p for p in evidence_root.rglob("*") if p.is_file() and "uploads" not in p.parts]
    # It resumes and completes later, and only then is linked.
    assert tus.patch(location, 25_000, data[25_000:]).status_code == 204
    assert EvidenceRecord.objects.get().record == record


def test_bytes_a_crash_left_past_the_offset_are_dropped(tus):
    data = mp4_bytes(20_000)
    location = tus.create(len(data))["Location"]
    tus.patch(location, 0, data[:10_000])
    upload = Upload.objects.get()
    with open(upload.temp_path, "ab") as partial:  # written but never acknowledged
        partial.write(b"garbage")
    assert tus.patch(location, 10_000, data[10_000:]).status_code == 204
    assert Evidence.objects.get().sha256 == hashlib.sha256(data).hexdigest()


def test_the_hash_survives_a_server_restart(tus):
    from aigak.evidence import uploads

    data = mp4_bytes(20_000)
    location = tus.create(len(data))["Location"]
    tus.patch(location, 0, data[:10_000])
    uploads._running.clear()  # as after a restart: the running hash is rebuilt from disk
    tus.patch(location, 10_000, data[10_000:])
    assert Evidence.objects.get().sha256 == hashlib.sha256(data).hexdigest()


def test_a_session_upload_needs_the_csrf_token(documenter, evidence_root):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(documenter)
    without = Tus(browser, None).create(len(PNG))
    assert without.status_code == 403
    assert nothing_stored(evidence_root)
    browser.get("/evidence/upload/")
    token = browser.cookies["csrftoken"].value
    with_token = Tus(browser, None)
    with_token.headers["X-CSRFToken"] = token
    location, response = with_token.upload(PNG, filename="p.png")
    assert response.status_code == 204
    assert Evidence.objects.get().uploaded_by == documenter


def test_a_partial_file_that_lost_bytes_lowers_the_offset(tus):
    data = mp4_bytes(20_000)
    location = tus.create(len(data))["Location"]
    tus.patch(location, 0, data[:10_000])
    with open(Upload.objects.get().temp_path, "r+b") as partial:
        partial.truncate(6_000)  # e.g. a disk problem: the file holds less than acknowledged
    assert tus.patch(location, 10_000, data[10_000:]).status_code == 409
    assert tus.send("HEAD", location)["Upload-Offset"] == "6000"
    assert tus.patch(location, 6_000, data[6_000:]).status_code == 204
    assert Evidence.objects.get().sha256 == hashlib.sha256(data).hexdigest()


def test_a_finished_upload_points_at_its_evidence_and_outlives_termination(tus):
    location, response = tus.upload(PNG, filename="p.png")
    evidence = Evidence.objects.get()
    head = tus.send("HEAD", location)
    assert head["Upload-Offset"] == head["Upload-Length"] == str(len(PNG))
    assert head["Aigak-Evidence-Url"] == f"/evidence/{evidence.pk}/"
    assert tus.send("DELETE", location).status_code == 204
    assert Evidence.objects.get() == evidence  # deleting evidence is an admin's act
    assert tus.send("HEAD", location).status_code == 404
