"""Backups under faults: keys, damaged and crafted archives, corrupted evidence, failures.

Runs the real command line in subprocesses on SQLite data folders (the PostgreSQL round
trip is test_backup's).
"""

from __future__ import annotations

import io
import os
import resource
import signal
import tarfile
from pathlib import Path

import pytest
from pyrage import x25519

from aigak.evidence.tests.test_backup import DUMP, SEED, aigak, environment, python

pytestmark = [pytest.mark.slow, pytest.mark.sqlite_run]  # SQLite data folders of its own
PASSPHRASE = "correct horse battery staple"


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    folder = tmp_path_factory.mktemp("source")
    env = environment(folder / "data", None)
    python(env, SEED)
    return env, folder


def _env(source_env, **changes):
    env = {k: v for k, v in source_env.items() if not k.startswith("AIGAK_BACKUP_")}
    env.update(changes)
    return env


def _empty(tmp_path, name="target", **changes):
    return _env(environment(tmp_path / name, None), **changes)


def _plain(source, tmp_path) -> Path:
    env, _ = source
    archive = tmp_path / "plain.tar"
    done = aigak(_env(env), "backup", "--unencrypted", str(archive))
    assert done.returncode == 0, done.stderr
    return archive


def _restored_evidence(env) -> list:
    return __import__("json").loads(python(env, DUMP))["evidence"]


def test_it_refuses_to_back_up_without_keys_unless_told(source, tmp_path):
    env, _ = source
    archive = tmp_path / "b.age"
    refused = aigak(_env(env), "backup", str(archive))
    assert refused.returncode == 2
    assert "AIGAK_BACKUP_PASSPHRASE" in refused.stderr
    assert not archive.exists()
    plain = _plain(source, tmp_path)
    assert tarfile.is_tarfile(plain) and plain.stat().st_mode & 0o777 == 0o600


def test_a_wrong_passphrase_exits_1_and_changes_nothing(source, tmp_path):
    env, _ = source
    archive = tmp_path / "b.age"
    assert (
        aigak(_env(env, AIGAK_BACKUP_PASSPHRASE=PASSPHRASE), "backup", str(archive)).returncode == 0
    )
    wrong = _empty(tmp_path, AIGAK_BACKUP_PASSPHRASE="not the passphrase")
    refused = aigak(wrong, "restore", str(archive))
    assert refused.returncode == 1
    assert "wrong passphrase" in refused.stderr and "Traceback" not in refused.stderr
    assert _restored_evidence(wrong) == []
    right = _empty(tmp_path, "right", AIGAK_BACKUP_PASSPHRASE=PASSPHRASE)
    assert aigak(right, "restore", str(archive)).returncode == 0
    assert len(_restored_evidence(right)) == 2


def test_it_encrypts_to_recipients_and_restores_with_the_identity(source, tmp_path):
    env, _ = source
    identity = x25519.Identity.generate()
    key_file = tmp_path / "key.txt"
    key_file.write_text(f"# test key\n{identity}\n")
    archive = tmp_path / "b.age"
    made = aigak(
        _env(env, AIGAK_BACKUP_RECIPIENTS=str(identity.to_public())), "backup", str(archive)
    )
    assert made.returncode == 0, made.stderr
    assert archive.read_bytes().startswith(b"age-encryption.org/v1\n")
    other = tmp_path / "other.txt"
    other.write_text(f"{x25519.Identity.generate()}\n")
    assert (
        aigak(
            _empty(tmp_path, "o", AIGAK_BACKUP_IDENTITY=str(other)), "restore", str(archive)
        ).returncode
        == 1
    )
    target = _empty(tmp_path, AIGAK_BACKUP_IDENTITY=str(key_file))
    restored = aigak(target, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert len(_restored_evidence(target)) == 2


def test_a_flipped_byte_in_the_database_is_refused_before_anything_is_replaced(source, tmp_path):
    plain = _plain(source, tmp_path)
    data = bytearray(plain.read_bytes())
    with tarfile.open(plain) as tar:
        member = tar.getmember("database.sqlite3")
    data[member.offset_data + member.size // 2] ^= 0x01
    damaged = tmp_path / "damaged.tar"
    damaged.write_bytes(bytes(data))
    target = _empty(tmp_path)
    refused = aigak(target, "restore", str(damaged))
    assert refused.returncode == 1
    assert "database.sqlite3 in the backup does not match its checksum" in refused.stderr
    assert _restored_evidence(target) == []


@pytest.mark.parametrize("keep", [0.3, 0.7, "in the checksums", "before the checksums"])
def test_a_truncated_backup_gets_a_clear_message(source, tmp_path, keep):
    plain = _plain(source, tmp_path)
    with tarfile.open(plain) as tar:
        last = tar.getmember("checksums.json")
    at = {"in the checksums": last.offset_data + 5, "before the checksums": last.offset}
    cut = tmp_path / "cut.tar"
    size = at[keep] if isinstance(keep, str) else int(plain.stat().st_size * keep)
    cut.write_bytes(plain.read_bytes()[:size])
    target = _empty(tmp_path)
    refused = aigak(target, "restore", str(cut))
    assert refused.returncode == 1
    assert "truncated" in refused.stderr or "damaged" in refused.stderr
    assert "Traceback" not in refused.stderr and "ReadError" not in refused.stderr
    assert _restored_evidence(target) == []


def _crafted(plain: Path, tmp_path: Path, extra: tarfile.TarInfo) -> Path:
    out = tmp_path / "crafted.tar"
    with tarfile.open(plain) as tar, tarfile.open(out, "w") as crafted:
        first = tar.getmember("manifest.json")
        crafted.addfile(first, tar.extractfile(first))
        crafted.addfile(extra, io.BytesIO(b"x" * extra.size) if extra.isfile() else None)
        for member in tar.getmembers()[1:]:
            crafted.addfile(member, tar.extractfile(member))
    return out


@pytest.mark.parametrize(
    ("name", "kind"),
    [("../escaped", tarfile.REGTYPE), ("/tmp/aigak-escaped", tarfile.REGTYPE),
     ("evidence/../../escaped", tarfile.REGTYPE), ("database.sqlite3", tarfile.SYMTYPE),
     ("secret_key", tarfile.LNKTYPE)],
)  # fmt: skip
def test_it_refuses_entries_outside_its_staging_folder_and_links(source, tmp_path, name, kind):
    extra = tarfile.TarInfo(name)
    extra.type = kind
    extra.size = 4 if kind == tarfile.REGTYPE else 0
    extra.linkname = "/etc/passwd" if kind != tarfile.REGTYPE else ""
    crafted = _crafted(_plain(source, tmp_path), tmp_path, extra)
    target = _empty(tmp_path)
    refused = aigak(target, "restore", str(crafted))
    assert refused.returncode == 1
    assert "unexpected entry" in refused.stderr
    assert not (tmp_path / "escaped").exists() and not Path("/tmp/aigak-escaped").exists()
    assert _restored_evidence(target) == []


def test_a_corrupted_evidence_file_is_reported_and_the_rest_backed_up(source, tmp_path):
    env, folder = source
    data = folder / "data"
    copy = tmp_path / "copy"
    os.system(f"cp -a {data} {copy}")  # noqa: S605 - a private copy of the seeded folder
    env = environment(copy, None)
    stored = sorted((copy / "evidence").glob("??/*"), key=lambda p: p.stat().st_size)
    video = stored[-1]
    video.chmod(0o600)
    with open(video, "r+b") as handle:
        handle.seek(5000)
        handle.write(b"\xff\xfe")
    archive = tmp_path / "b.tar"
    made = aigak(_env(env), "backup", "--unencrypted", str(archive))
    assert made.returncode == 1
    assert "INCOMPLETE" in made.stderr and video.name in made.stderr
    assert archive.is_file() and not Path(f"{archive}.partial").exists()
    target = _empty(tmp_path)
    restored = aigak(target, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert "incomplete" in restored.stderr
    assert not (tmp_path / "target" / "evidence" / video.parent.name / video.name).exists()
    assert (tmp_path / "target" / "evidence" / stored[0].parent.name / stored[0].name).is_file()


def _limit_file_size(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_a_failed_backup_leaves_no_partial_file(source, tmp_path):
    import subprocess
    import sys

    env, folder = source
    limit = (folder / "data" / "aigak.sqlite3").stat().st_size + 100_000
    archive = tmp_path / "b.tar"
    done = subprocess.run(
        [sys.executable, "-m", "aigak", "backup", "--unencrypted", str(archive)],
        env=_env(env),
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=_limit_file_size(limit),
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []
