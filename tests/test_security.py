"""Headers, HTTPS settings, file modes and record ids: what protects every page and file."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from aigak.accounts.models import Role, User
from aigak.lib.security import POLICY
from aigak.questionnaires.registry import get_questionnaire
from aigak.records.actions import ImportFailed, RecordInvalid, create_record, import_rows
from aigak.records.ids import record_id_problem
from aigak.records.models import Record

TEMPLATES = Path(__file__).resolve().parent.parent / "aigak"


@pytest.fixture
def questionnaires(db):
    from aigak.questionnaires.registry import ensure_shipped

    ensure_shipped()


@pytest.fixture
def owner(db):
    return User.objects.create_user(username="owner", role=Role.ADMIN)


@pytest.mark.parametrize("path", ["/records/victim/", "/reports/", "/evidence/", "/nowhere/"])
def test_every_page_has_the_policy_and_is_never_cached(client, questionnaires, owner, path):
    client.force_login(owner)
    response = client.get(path)
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Security-Policy"] == POLICY
    assert "'unsafe-inline'" not in POLICY and "'unsafe-eval'" not in POLICY


def test_a_login_page_and_a_refusal_are_not_cached_either(client, db):
    assert client.get("/accounts/login/")["Cache-Control"] == "no-store"
    assert client.get("/records/victim/")["Cache-Control"] == "no-store"  # the redirect


def test_static_files_stay_cacheable(client, db):
    response = client.get("/static/aigak.js")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_no_template_or_script_runs_inline_code():
    """The policy forbids inline scripts and handlers; none may be written."""
    inline = re.compile(r"<script(?![^>]*\bsrc=)|\son[a-z]+\s*=|javascript:|<style|style=", re.I)
    found = []
    for path in TEMPLATES.rglob("*.html"):
        if "reports/standalone.html" in str(path):  # a downloaded document, not a page
            continue
        text = path.read_text()
        if path.name == "web_form.html":  # its import map is allowed by its hash
            text = text.replace('<script type="importmap">', "", 1)
        found += [f"{path}: {m[0]}" for m in inline.finditer(text)]
    for path in (TEMPLATES / "static").rglob("*.js"):
        if "vendor" in path.parts:  # published as is; the policy refuses eval at run time
            continue
        found += [
            f"{path}: eval" for m in re.finditer(r"\beval\(|new Function\(", path.read_text())
        ]
    assert found == []


@pytest.mark.parametrize("path", ["/reports/", "/reports/qantar2022/", "/healthz"])
def test_a_head_request_gets_headers_and_no_body(client, questionnaires, owner, path):
    client.force_login(owner)
    get, head = client.get(path), client.head(path)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head["Content-Length"] == str(len(get.content))


def test_a_head_request_a_page_refuses_has_no_body_either(client, questionnaires, owner):
    client.force_login(owner)
    response = client.head("/records/victim/new/?x=1")
    assert response.content == b""


def test_a_head_request_for_a_file_streams_nothing(client, owner, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from aigak.evidence.actions import attach_small_file

    settings.EVIDENCE_ROOT = str(tmp_path / "evidence")
    evidence = attach_small_file(
        owner, SimpleUploadedFile("notes.txt", b"Interview notes\n" * 100), name="notes.txt"
    )
    client.force_login(owner)
    response = client.head(f"/evidence/{evidence.pk}/file?download=1")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b""
    assert response["Content-Length"] == "1600"


def _run(env: dict[str, str], *args: str, umask: int | None = None) -> subprocess.CompletedProcess:
    def set_umask() -> None:
        if umask is not None:
            os.umask(umask)

    return subprocess.run(
        [sys.executable, "-m", "aigak", *args],
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=set_umask,
        check=False,
    )


@pytest.mark.sqlite_run
def test_check_deploy_is_clean_with_the_production_settings(tmp_path):
    env = {"AIGAK_DATA_DIR": str(tmp_path), "AIGAK_SECURE_COOKIES": "1",
           "AIGAK_ALLOWED_HOSTS": "aigak.example.org"}  # fmt: skip
    done = _run(env, "manage", "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout
    shown = _run(env, "manage", "diffsettings", "--all")
    for line in ("SECURE_SSL_REDIRECT = True", "SECURE_HSTS_SECONDS = 31536000",
                 "SESSION_COOKIE_SECURE = True"):  # fmt: skip
        assert line in shown.stdout


@pytest.mark.sqlite_run
def test_everything_aigak_writes_is_private_under_umask_022(tmp_path):
    data = tmp_path / "data"
    env = {"AIGAK_DATA_DIR": str(data)}
    script = (
        "import io, json, os, stat;"
        "from PIL import Image;"
        "from django.conf import settings;"
        "from django.core.files.uploadedfile import SimpleUploadedFile as F;"
        "from aigak.accounts.models import User;"
        "from aigak.evidence.actions import attach_small_file;"
        "from aigak.evidence.thumbnails import thumbnail_path;"
        "from aigak.evidence.storage import uploads_dir;"
        "u = User.objects.create_user(username='owner', role='admin');"
        "b = io.BytesIO(); Image.new('RGB', (40, 30)).save(b, 'PNG');"
        "e = attach_small_file(u, F('a.png', b.getvalue()), name='a.png');"
        "assert thumbnail_path(e) is not None;"
        "(uploads_dir() / 'x.part').write_bytes(b'partial');"
        "root = settings.DATA_DIR;"
        "print(json.dumps({str(p.relative_to(root)): stat.S_IMODE(p.stat().st_mode)"
        " for p in [root, *root.rglob('*')] if not str(p.relative_to(root)).startswith('static')}))"
    )  # the database is still open when the modes are read: its WAL and SHM exist
    done = _run(env, "manage", "shell", "-c", script, umask=0o022)
    assert done.returncode == 0, done.stderr
    modes = json.loads(done.stdout.strip().splitlines()[-1])
    names = " ".join(modes)
    for expected in ("secret_key", "aigak.sqlite3", "aigak.sqlite3-wal", "aigak.sqlite3-shm",
                     "thumbnails", ".jpg", "x.part"):  # fmt: skip
        assert expected in names
    assert {name: mode for name, mode in modes.items() if mode & 0o077} == {}


# fmt: off
BAD_IDS = ["..", "V-1..2", "<b>V-1</b>", "V 1", "V-1%3Cscript%3E", "-V-1", "V" * 65, ".hidden"]
# fmt: on


@pytest.mark.parametrize("record_id", BAD_IDS)
def test_a_bad_record_id_in_an_address_is_no_page(client, questionnaires, owner, record_id):
    client.force_login(owner)
    assert client.get(f"/records/victim/{record_id}/").status_code == 404
    assert record_id_problem(record_id.replace("%3C", "<").replace("%3E", ">")) is not None


@pytest.mark.parametrize("record_id", ["../x", "<script>", "V" * 65, "a b"])
def test_a_bad_record_id_is_refused_by_imports_and_new_records(questionnaires, owner, record_id):
    victim = get_questionnaire("victim")
    row = {"record_id": record_id, "vital_status": "alive"}
    with pytest.raises(ImportFailed) as refused:
        import_rows(owner, victim, [(1, row)])
    assert [p.problem.field for p in refused.value.problems] == ["record_id"]
    with pytest.raises(RecordInvalid):
        create_record(owner, victim, row)
    assert not Record.objects.exists()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _raw(port: int, request: bytes) -> bytes:
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    return received


@pytest.mark.sqlite_run
@pytest.mark.slow
def test_the_server_sends_no_body_for_head(tmp_path):
    """Through `aigak serve` (waitress): the bytes on the wire end with the headers."""
    import time

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "aigak", "serve", "--port", str(port), "--threads", "2"],
        env={"PATH": "/usr/bin:/bin", "AIGAK_DATA_DIR": str(tmp_path)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    request = b"%s /accounts/login/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None and time.monotonic() < deadline
            try:
                got = _raw(port, request % b"GET")
                break
            except OSError:
                time.sleep(0.3)
        head, _, body = _raw(port, request % b"HEAD").partition(b"\r\n\r\n")
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert got.startswith(b"HTTP/1.1 200") and b"csrfmiddlewaretoken" in got
    assert head.startswith(b"HTTP/1.1 200")
    assert b"Content-Security-Policy" in head and b"no-store" in head
    assert int(re.search(rb"Content-Length: (\d+)", head)[1]) > 0
    assert body == b""
