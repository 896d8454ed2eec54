"""Run by test_full_disk: web saves and evidence uploads in a process of their own.

Usage: python full_disk_steps.py setup | web MODE TOKEN TAG. The data folder is AIGAK_DATA_DIR
(on the small file system the test mounted). `web` logs a documenter in through Django's
test client, saves a record, uploads a file through the form and through tus (see web()
for the modes that fill the disk first and resume an upload).
Prints one JSON line: each step's status, message and what the database holds.
"""

from __future__ import annotations

import base64
import errno
import json
import os
import sys
from pathlib import Path
from typing import Any


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aigak.settings")
    import django

    django.setup()


def fill(path: Path) -> int:
    """Write `path` until the file system has no byte left; returns its size."""
    size = 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        for block in (1 << 20, 1 << 12, 1):
            data = b"\0" * block
            while True:
                try:
                    size += os.write(fd, data)
                except OSError as problem:
                    if problem.errno != errno.ENOSPC:
                        raise
                    break
    finally:
        os.close(fd)
    return size


def setup() -> dict[str, Any]:
    from aigak.accounts.models import Role, User
    from aigak.accounts.tokens import issue_token
    from aigak.cli import ensure_database

    ensure_database()
    user = User.objects.create_user(username="documenter", password="x" * 12, role=Role.DOCUMENTER)
    return {"token": issue_token(user)}


def _tus(client: Any, token: str, data: bytes) -> dict[str, Any]:
    headers = {"Tus-Resumable": "1.0.0", "Authorization": f"Token {token}"}
    meta = "filename " + base64.b64encode(b"interview.mp4").decode()
    created = client.generic(
        "POST",
        "/api/v1/uploads/",
        b"",
        content_type="",
        headers={**headers, "Upload-Length": str(len(data)), "Upload-Metadata": meta},
    )
    result: dict[str, Any] = {"create": created.status_code, "create_body": _text(created)}
    if created.status_code != 201:
        return result
    patched = client.generic(
        "PATCH",
        created["Location"],
        data,
        content_type="application/offset+octet-stream",
        headers={**headers, "Upload-Offset": "0"},
    )
    result.update(patch=patched.status_code, patch_body=_text(patched))
    return result


def _text(response: Any) -> str:
    return response.content.decode(errors="replace")[:4000]


def web(mode: str, token: str, tag: str) -> dict[str, Any]:
    """mode "plain": save and upload; "fill:PATH": start a tus upload, fill the disk
    (writing PATH), then save and upload and send the started upload's bytes;
    "resume": save and upload, and send the bytes of the upload started before."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from aigak.accounts.models import User
    from aigak.evidence.models import Evidence, Upload
    from aigak.evidence.storage import uploads_dir
    from aigak.evidence.tests.conftest import mp4_bytes
    from aigak.records.models import Record

    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username="documenter"))
    headers = {"Tus-Resumable": "1.0.0", "Authorization": f"Token {token}"}
    started = Path(os.environ["AIGAK_DATA_DIR"]) / "started-upload"
    video = mp4_bytes(150_000, seed=99)
    out: dict[str, Any] = {"filled": 0}
    if mode.startswith("fill:"):
        meta = "filename " + base64.b64encode(b"resumed.mp4").decode()
        created = client.generic(
            "POST",
            "/api/v1/uploads/",
            b"",
            content_type="",
            headers={**headers, "Upload-Length": str(len(video)), "Upload-Metadata": meta},
        )
        started.write_text(created["Location"])
        out["filled"] = fill(Path(mode[5:]))
    save = client.post(
        "/records/victim/new/",
        {"full_name": f"Жанар {tag}", "vital_status": "alive"},
    )
    form = client.post(
        "/evidence/upload/",
        {"file": SimpleUploadedFile(f"scan-{tag}.mp4", mp4_bytes(300_000, seed=len(tag)))},
    )
    out.update(
        save=save.status_code,
        save_says=[
            text
            for text in ("disk is full", f"Жанар {tag}")
            if text in save.content.decode(errors="replace")
        ],
        form=form.status_code,
        form_body=_text(form),
        tus=_tus(client, token, mp4_bytes(200_000, seed=len(tag) + 7)),
    )
    if mode != "plain":
        resume = client.generic(
            "PATCH",
            started.read_text(),
            video,
            content_type="application/offset+octet-stream",
            headers={**headers, "Upload-Offset": "0"},
        )
        out.update(resume=resume.status_code, resume_body=_text(resume))
    out.update(
        records=sorted(r.answers.get("full_name", "") for r in Record.objects.all()),
        evidence=sorted(e.original_name for e in Evidence.objects.all()),
        uploads=[(u.offset, u.length) for u in Upload.objects.all()],
        partial_sizes=[p.stat().st_size for p in uploads_dir().glob("*.part")],
    )
    return out


def main(argv: list[str]) -> None:
    _setup_django()
    if argv[0] == "setup":
        out = setup()
    else:
        out = web(argv[1], argv[2], argv[3])
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
