"""Evidence encrypted at rest: round trips, range playback, damage, the key's place."""

from __future__ import annotations

import base64
import hashlib

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile

from aigak.evidence import actions
from aigak.evidence.at_rest import CHUNK, MAGIC, DamagedChunk
from aigak.evidence.models import Evidence
from aigak.evidence.storage import LocalStore, evidence_key, store
from aigak.evidence.tests.conftest import mp4_bytes
from aigak.evidence.verification import verify

KEY = bytes(range(32))


@pytest.fixture
def key_file(settings, tmp_path):
    path = tmp_path / "keys" / "evidence.key"
    path.parent.mkdir()
    path.write_text(base64.b64encode(KEY).decode() + "\n")
    settings.EVIDENCE_KEY_FILE = str(path)
    return path


def _attach(user, data: bytes) -> Evidence:
    return actions.attach_small_file(user, SimpleUploadedFile("clip.mp4", data), name="clip.mp4")


def _stored(evidence_root, sha: str) -> bytes:
    return (evidence_root / sha[:2] / sha).read_bytes()


@pytest.mark.parametrize("size", [0, 1, 1000, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17])
def test_it_round_trips_small_and_multi_chunk_files(key_file, evidence_root, tmp_path, size):
    data = mp4_bytes(size, seed=size) if size else b""
    source = evidence_root / "uploads" / "in"
    source.parent.mkdir(parents=True)
    source.write_bytes(data)
    sha = hashlib.sha256(data).hexdigest()
    files = store()
    assert files.put(source, sha) is False and not source.exists()
    on_disk = _stored(evidence_root, sha)
    assert on_disk.startswith(MAGIC)
    assert size < 32 or data[:32] not in on_disk  # no plaintext on disk
    assert files.size(sha) == size
    with files.open(sha) as handle:
        assert handle.read() == data
        handle.seek(size // 2)
        assert handle.read(CHUNK) == data[size // 2 : size // 2 + CHUNK]


@pytest.mark.parametrize(
    "first, last",
    [(0, 99), (CHUNK - 10, CHUNK + 9), (CHUNK, 2 * CHUNK - 1), (2 * CHUNK - 1, 2 * CHUNK)],
)
def test_it_plays_ranges_across_chunk_boundaries(
    client, documenter, key_file, evidence_root, first, last
):
    data = mp4_bytes(3 * CHUNK + 500, seed=3)
    evidence = _attach(documenter, data)
    assert _stored(evidence_root, evidence.sha256).startswith(MAGIC)
    client.force_login(documenter)
    response = client.get(f"/evidence/{evidence.pk}/file", HTTP_RANGE=f"bytes={first}-{last}")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {first}-{last}/{len(data)}"
    assert b"".join(response.streaming_content) == data[first : last + 1]
    whole = client.get(f"/evidence/{evidence.pk}/file")
    assert b"".join(whole.streaming_content) == data


def test_it_detects_a_flipped_byte_on_read(documenter, key_file, evidence_root):
    data = mp4_bytes(2 * CHUNK + 10, seed=4)
    evidence = _attach(documenter, data)
    path = evidence_root / evidence.sha256[:2] / evidence.sha256
    path.chmod(0o600)
    damaged = bytearray(path.read_bytes())
    damaged[CHUNK + 100] ^= 0x01
    path.write_bytes(bytes(damaged))
    with store().open(evidence.sha256) as handle:
        assert handle.read(100) == data[:100]  # the first chunk is intact
        with pytest.raises(DamagedChunk, match="chunk 1"):
            handle.read()
    assert [f.status for f in verify()] == ["changed"]


def test_it_refuses_a_cut_off_file(documenter, key_file, evidence_root):
    evidence = _attach(documenter, mp4_bytes(2 * CHUNK + 10, seed=6))
    path = evidence_root / evidence.sha256[:2] / evidence.sha256
    path.chmod(0o600)
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) - 26])  # the last chunk gone: the second looks last
    with store().open(evidence.sha256) as handle, pytest.raises(DamagedChunk):
        handle.read()


def test_it_verifies_encrypted_files_by_their_plaintext_hash(documenter, key_file):
    evidence = _attach(documenter, mp4_bytes(CHUNK * 2 + 3, seed=8))
    assert [(f.status, f.sha256, f.size) for f in verify()] == [
        ("ok", evidence.sha256, evidence.size)
    ]


def test_it_reads_files_stored_before_the_key_was_set(
    settings, documenter, evidence_root, tmp_path
):
    data = mp4_bytes(CHUNK + 5, seed=9)
    plain = _attach(documenter, data)
    assert _stored(evidence_root, plain.sha256) == data
    key = tmp_path / "outside.key"
    key.write_text(KEY.hex())
    settings.EVIDENCE_KEY_FILE = str(key)
    encrypted = _attach(documenter, mp4_bytes(CHUNK + 5, seed=10))
    assert _stored(evidence_root, encrypted.sha256).startswith(MAGIC)
    with store().open(plain.sha256) as handle:
        assert handle.read() == data
    assert [f.status for f in verify()] == ["ok", "ok"]


def test_it_works_without_a_key(documenter, evidence_root):
    data = mp4_bytes(5000, seed=11)
    evidence = _attach(documenter, data)
    assert _stored(evidence_root, evidence.sha256) == data
    assert isinstance(store(), LocalStore) and store().key is None  # type: ignore[union-attr]
    assert [f.status for f in verify()] == ["ok"]


@pytest.mark.parametrize("where", ["data", "evidence"])
def test_it_refuses_a_key_inside_the_data_or_evidence_folder(settings, tmp_path, where):
    settings.DATA_DIR = tmp_path / "data"
    settings.EVIDENCE_ROOT = str(tmp_path / "data" / "evidence" if where == "data" else tmp_path)
    folder = tmp_path / "data" if where == "data" else tmp_path / "sub"
    folder.mkdir(parents=True)
    key = folder / "evidence.key"
    key.write_text(KEY.hex())
    settings.EVIDENCE_KEY_FILE = str(key)
    with pytest.raises(ImproperlyConfigured, match="is inside"):
        evidence_key()


@pytest.mark.parametrize(
    "content, problem", [(None, "cannot be read"), ("not a key", "32-byte key")]
)
def test_it_refuses_an_unreadable_or_malformed_key(settings, tmp_path, content, problem):
    key = tmp_path / "elsewhere" / "evidence.key"
    if content is not None:
        key.parent.mkdir()
        key.write_text(content)
    settings.EVIDENCE_KEY_FILE = str(key)
    with pytest.raises(ImproperlyConfigured, match=problem):
        evidence_key()


def test_it_makes_thumbnails_from_encrypted_images(
    client, documenter, key_file, evidence_root, png_image
):
    image = actions.attach_small_file(
        documenter, SimpleUploadedFile("p.png", png_image), name="p.png"
    )
    assert _stored(evidence_root, image.sha256).startswith(MAGIC)
    client.force_login(documenter)
    response = client.get(f"/evidence/{image.pk}/thumbnail")
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
