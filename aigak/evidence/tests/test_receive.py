"""tus PATCH bodies go straight into the partial file under waitress (as `aigak serve` runs it),
and whatever is refused or cut short leaves the file as it was."""

from __future__ import annotations

import base64
import errno
import hashlib
import http.client
import os
import socket
import threading
import time
from pathlib import Path

import pytest
from tusclient.client import TusClient
from waitress import buffers

from aigak.evidence import receive
from aigak.evidence.models import Evidence, Upload
from aigak.evidence.tests.conftest import mp4_bytes
from aigak.site.management.commands.serve import server_settings

pytestmark = pytest.mark.django_db(transaction=True)
CHUNK = 1024 * 1024


@pytest.fixture
def server(evidence_root):
    from aigak.wsgi import application

    settings = server_settings("127.0.0.1", 0, 4)
    running = receive.make_server(application, **settings)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    yield f"127.0.0.1:{running.effective_port}"
    running.task_dispatcher.shutdown(timeout=5)
    running.close()


@pytest.fixture
def spy(monkeypatch):
    """Counts bodies written directly and bodies waitress spooled to a temporary file."""
    seen = {"direct": 0, "spooled": 0}
    original_open, original_newfile = receive.open_direct_body, buffers.TempfileBasedBuffer.newfile

    def counting_open(*args):
        body = original_open(*args)
        seen["direct"] += body is not None
        return body

    def counting_newfile(self):
        seen["spooled"] += 1
        return original_newfile(self)

    monkeypatch.setattr(receive, "open_direct_body", counting_open)
    monkeypatch.setattr(buffers.TempfileBasedBuffer, "newfile", counting_newfile)
    return seen


def tus_headers(token: str, **more: str) -> dict[str, str]:
    return {"Tus-Resumable": "1.0.0", "Authorization": f"Token {token}", **more}


def create(host: str, token: str, length: int) -> str:
    connection = http.client.HTTPConnection(host, timeout=30)
    name = base64.b64encode(b"clip.mp4").decode()
    connection.request(
        "POST",
        "/api/v1/uploads/",
        headers=tus_headers(
            token, **{"Upload-Length": str(length), "Upload-Metadata": f"filename {name}"}
        ),
    )
    response = connection.getresponse()
    assert response.status == 201, response.read()
    return response.getheader("Location").split(host, 1)[1]


def patch(host: str, token: str, path: str, offset: int, body: bytes) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection(host, timeout=30)
    headers = tus_headers(
        token,
        **{"Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"},
    )
    connection.request("PATCH", path, body, headers=headers)
    response = connection.getresponse()
    response.read()
    return response


def partial_file(evidence_root: Path, path: str) -> Path:
    return evidence_root / "uploads" / f"{path.rsplit('/', 1)[1]}.part"


def test_tuspy_chunks_go_straight_to_the_file(server, spy, documenter, token_of, tmp_path):
    data = mp4_bytes(64) + os.urandom(5 * CHUNK + 777)
    source = tmp_path / "interview.mp4"
    source.write_bytes(data)
    client = TusClient(
        f"http://{server}/api/v1/uploads/",
        headers={"Authorization": f"Token {token_of(documenter)}"},
    )
    client.uploader(str(source), chunk_size=CHUNK, metadata={"filename": "interview.mp4"}).upload()
    evidence = Evidence.objects.get()
    assert (evidence.sha256, evidence.size) == (hashlib.sha256(data).hexdigest(), len(data))
    assert spy == {"direct": 6, "spooled": 0}


def test_a_strangers_patch_leaves_the_file_as_it_was(
    server, spy, documenter, teammate, token_of, evidence_root
):
    token = token_of(documenter)
    path = create(server, token, 3 * CHUNK)
    first = mp4_bytes(CHUNK)
    assert patch(server, token, path, 0, first).status == 204
    refused = patch(server, token_of(teammate), path, CHUNK, os.urandom(CHUNK))
    assert refused.status == 404
    assert spy["direct"] == 2  # the stranger's bytes did reach the file, and were cut off
    assert partial_file(evidence_root, path).read_bytes() == first
    assert Upload.objects.get().offset == CHUNK


def test_a_body_past_the_length_is_cut_off(server, documenter, token_of, evidence_root):
    token = token_of(documenter)
    path = create(server, token, CHUNK)
    assert patch(server, token, path, 0, mp4_bytes(CHUNK + 10)).status == 413
    assert partial_file(evidence_root, path).stat().st_size == 0


def test_a_dropped_connection_leaves_nothing_and_the_upload_resumes(
    server, spy, documenter, token_of, evidence_root
):
    token = token_of(documenter)
    data = mp4_bytes(3 * CHUNK, seed=5)
    path = create(server, token, len(data))
    assert patch(server, token, path, 0, data[:CHUNK]).status == 204
    host, port = server.split(":")
    with socket.create_connection((host, int(port))) as raw:
        raw.sendall(
            f"PATCH {path} HTTP/1.1\r\nHost: {server}\r\nTus-Resumable: 1.0.0\r\n"
            f"Authorization: Token {token}\r\nUpload-Offset: {CHUNK}\r\n"
            f"Content-Type: application/offset+octet-stream\r\n"
            f"Content-Length: {2 * CHUNK}\r\n\r\n".encode()
            + data[CHUNK : CHUNK + CHUNK // 2]
        )
        partial = partial_file(evidence_root, path)
        deadline = time.monotonic() + 10
        while partial.stat().st_size < CHUNK + CHUNK // 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert partial.stat().st_size == CHUNK + CHUNK // 2  # written as it arrived
    deadline = time.monotonic() + 10
    while partial.stat().st_size != CHUNK and time.monotonic() < deadline:
        time.sleep(0.05)
    assert partial.read_bytes() == data[:CHUNK]
    assert patch(server, token, path, CHUNK, data[CHUNK:]).status == 204
    assert Evidence.objects.get().sha256 == hashlib.sha256(data).hexdigest()
    assert spy["direct"] == 3


def test_a_second_patch_while_one_is_writing_is_refused(
    server, spy, documenter, token_of, evidence_root
):
    token = token_of(documenter)
    data = mp4_bytes(2 * CHUNK, seed=6)
    path = create(server, token, len(data))
    host, port = server.split(":")
    head = (
        f"PATCH {path} HTTP/1.1\r\nHost: {server}\r\nTus-Resumable: 1.0.0\r\n"
        f"Authorization: Token {token}\r\nUpload-Offset: 0\r\n"
        f"Content-Type: application/offset+octet-stream\r\n"
        f"Content-Length: {len(data)}\r\n\r\n"
    ).encode()
    with socket.create_connection((host, int(port))) as slow:
        slow.sendall(head + data[:CHUNK])
        deadline = time.monotonic() + 10
        while spy["direct"] < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert patch(server, token, path, 0, data).status == 423
        slow.sendall(data[CHUNK:])
        reply = slow.recv(4096)
    assert reply.startswith(b"HTTP/1.1 204")
    assert spy == {"direct": 1, "spooled": 1}
    assert Evidence.objects.get().sha256 == hashlib.sha256(data).hexdigest()


def test_a_full_disk_is_reported_and_leaves_the_file_as_it_was(
    server, spy, documenter, token_of, evidence_root, monkeypatch
):
    token = token_of(documenter)
    data = mp4_bytes(2 * CHUNK, seed=8)
    path = create(server, token, len(data))
    assert patch(server, token, path, 0, data[:CHUNK]).status == 204

    def full(fd, data, offset):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(receive.os, "pwrite", full)
    refused = patch(server, token, path, CHUNK, data[CHUNK:])
    monkeypatch.undo()
    assert refused.status == 507
    assert partial_file(evidence_root, path).read_bytes() == data[:CHUNK]
    assert patch(server, token, path, CHUNK, data[CHUNK:]).status == 204
    assert Evidence.objects.get().sha256 == hashlib.sha256(data).hexdigest()
