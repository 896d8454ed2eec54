"""Encrypted ODK submissions in a folder, decrypted offline into a file `aigak import` reads.

A folder of encrypted submissions as ODK Briefcase keeps them (`FORM/instances/uuidX/`)
or as they are copied off a phone or an ODK server: every folder below it that holds a
`submission.xml` whose root says `encrypted="yes"` is one submission, its `.enc` files
beside it. Each is opened with the form's private key (aigak.lib.odk_crypto), its
signature checked, its instance read into answers (aigak.records.xml_instance), and its
attachments written to `<OUT stem>-media/<instanceID>/`, decrypted chunk by chunk.

All or nothing: a wrong key, a missing or altered file, or an instance that does not read
stops the run, names the submission's folder, and leaves no output behind.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aigak.lib.odk_crypto import EncryptedSubmission, OdkCryptoError, is_encrypted
from aigak.questionnaires.definition import FormDefinition
from aigak.records.xml_instance import InstanceError, read_instance

MANIFEST = "submission.xml"
MAX_MANIFEST = 10 * 1024 * 1024


class DecryptFailed(Exception):
    """A submission that could not be decrypted or read; the message names its folder."""


@dataclass
class Decrypted:
    submissions: int
    media_files: int
    media_folder: Path | None
    plain_skipped: int


def find_manifests(folder: Path) -> tuple[list[Path], int]:
    """The encrypted submission manifests below `folder`, and how many plain ones were seen."""
    encrypted, plain = [], 0
    for path in sorted(folder.rglob(MANIFEST)):
        if not path.is_file() or path.stat().st_size > MAX_MANIFEST:
            continue
        if is_encrypted(path.read_bytes()):
            encrypted.append(path)
        else:
            plain += 1
    return encrypted, plain


def folder_name(instance_id: str) -> str:
    """A folder name for an instanceID (`uuid:5f0c` -> `uuid5f0c`, as ODK Briefcase does)."""
    return re.sub(r"[^A-Za-z0-9._-]", "", instance_id) or "instance"


def private_file(path: Path) -> Any:
    """A new file readable by its owner only (it holds decrypted or encrypted answers)."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


def _open_one(
    private_key_pem: bytes, manifest_path: Path, media_dir: Path
) -> tuple[EncryptedSubmission, bytes]:
    """Decrypt one submission: its media into `media_dir`, its instance XML returned."""
    folder = manifest_path.parent
    opened = EncryptedSubmission.open(private_key_pem, manifest_path.read_bytes())
    manifest = opened.manifest
    for name in manifest.files:
        if not (folder / name).is_file():
            raise OdkCryptoError(f"missing file: {name}")
    for name in manifest.media:
        media_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        with open(folder / name, "rb") as source, private_file(media_dir / name[:-4]) as out:
            opened.decrypt_stream(name, source, out)
    xml = _decrypt_small(opened, folder / manifest.encrypted_xml_file)
    opened.verify()
    return opened, xml


def _decrypt_small(opened: EncryptedSubmission, path: Path) -> bytes:
    out = io.BytesIO()
    with open(path, "rb") as source:
        opened.decrypt_stream(path.name, source, out)
    return out.getvalue()


def _row(xml: bytes, definition: FormDefinition, media: list[str]) -> dict[str, Any]:
    instance = read_instance(xml, definition)
    row: dict[str, Any] = dict(instance.answers)
    row["meta/instanceID"] = instance.meta.instance_id
    if instance.meta.deprecated_id:
        row["meta/deprecatedID"] = instance.meta.deprecated_id
    if media:
        row["_attachments"] = [{"filename": name} for name in media]
    return row


def decrypt_folder(
    private_key_pem: bytes,
    folder: Path,
    out: Path,
    definition_for: Callable[[str], FormDefinition],
) -> Decrypted:
    """Decrypt every encrypted submission below `folder` into the import file `out`.

    `definition_for(form_id)` gives the form the submissions were filled in (one form per
    run: an import file is for one questionnaire).
    """
    manifests, plain = find_manifests(folder)
    if not manifests:
        raise DecryptFailed(f"{folder}: no encrypted submission (submission.xml) found")
    media_folder = out.with_name(f"{out.stem}-media")
    if out.exists() or media_folder.exists():
        raise DecryptFailed(f"{out if out.exists() else media_folder}: already exists")
    work = Path(tempfile.mkdtemp(prefix=".decrypt-", dir=out.parent))
    try:
        rows: list[dict[str, Any]] = []
        media_count, form_ids = 0, set[str]()
        for path in manifests:
            rows.append(_decrypt_row(private_key_pem, path, work, definition_for, form_ids))
            media_count += len(rows[-1].get("_attachments", []))
        with private_file(work / "import.json") as handle:
            handle.write(json.dumps(rows, ensure_ascii=False, indent=1).encode("utf-8"))
        if media_count:
            (work / "media").rename(media_folder)
        (work / "import.json").rename(out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return Decrypted(
        submissions=len(rows),
        media_files=media_count,
        media_folder=media_folder if media_count else None,
        plain_skipped=plain,
    )


def _decrypt_row(
    private_key_pem: bytes,
    path: Path,
    work: Path,
    definition_for: Callable[[str], FormDefinition],
    form_ids: set[str],
) -> dict[str, Any]:
    where = path.parent
    try:
        opened, xml = _open_one(private_key_pem, path, work / "pending")
        form_ids.add(opened.manifest.form_id)
        if len(form_ids) > 1:
            raise DecryptFailed(
                f"{where}: submissions of several forms ({', '.join(sorted(form_ids))}); "
                "decrypt one form's submissions at a time"
            )
        definition = definition_for(opened.manifest.form_id)
        target = work / "media" / folder_name(opened.manifest.instance_id)
        media = []
        if (work / "pending").exists():
            target.parent.mkdir(mode=0o700, exist_ok=True)
            if target.exists():
                raise DecryptFailed(f"{where}: instance {opened.manifest.instance_id} twice")
            (work / "pending").rename(target)
            media = [f"{target.name}/{name[:-4]}" for name in opened.manifest.media]
        return _row(xml, definition, media)
    except (OdkCryptoError, InstanceError) as error:
        raise DecryptFailed(f"{where}: {error}") from None
