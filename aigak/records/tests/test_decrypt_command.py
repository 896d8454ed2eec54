"""`aigak decrypt`: ODK Collect's encrypted submissions -> an import file -> records."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from aigak.cli import main
from aigak.lib.odk_crypto import base64_public_key, encrypt_submission, generate_keypair
from aigak.questionnaires.tests.xlsform_factory import xlsform
from aigak.records.models import Record

pytestmark = pytest.mark.django_db(transaction=False)

BRIEFCASE = Path(__file__).resolve().parents[3] / "tests" / "data" / "odk_briefcase"
MEDIA_INSTANCE = "uuid:482e83f3-fae6-43ba-a6e9-e438ffe348e3"
PHOTO_SHA256 = "9c3041290f1d997fc2e3fd1462919bcb406d3fa2719f8f10089a0da614cc44ac"
SURVEY = [
    ["text", "name", "Name", "Имя"],
    ["image", "image1", "Photo 1", "Фото 1"],
    ["image", "image2", "Photo 2", "Фото 2"],
]


def run(capsys, *args):
    code = main([*map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def install(tmp_path, capsys, form_id="encrypted-form-media"):
    path = tmp_path / "form.xlsx"
    path.write_bytes(xlsform(SURVEY, settings={"form_id": form_id}))
    assert run(capsys, "form", "install", path)[0] == 0


def briefcase_storage(tmp_path) -> Path:
    """The media submission laid out as ODK Briefcase stores it."""
    instance = tmp_path / "storage" / "forms" / "encrypted-form-media" / "instances"
    instance = instance / "uuid482e83f3-fae6-43ba-a6e9-e438ffe348e3"
    instance.mkdir(parents=True)
    prefix = "encrypted-form-media-"
    shutil.copy(BRIEFCASE / f"{prefix}submission.xml", instance / "submission.xml")
    shutil.copy(BRIEFCASE / f"{prefix}submission.xml.enc", instance / "submission.xml.enc")
    for photo in ("1538040007350.jpg.enc", "1538040019351.jpg.enc"):
        shutil.copy(BRIEFCASE / f"{prefix}{photo}", instance / photo)
    return tmp_path / "storage"


def test_it_decrypts_odk_collect_submissions_into_records(tmp_path, capsys):
    install(tmp_path, capsys)
    storage = briefcase_storage(tmp_path)
    out = tmp_path / "out" / "decrypted.json"
    out.parent.mkdir()
    key = BRIEFCASE / "encrypted-form-key.pem"
    code, said, err = run(capsys, "decrypt", key, storage, "--out", out)
    assert code == 0, err
    assert "decrypted 1 submission(s)" in said and "2 attachment(s)" in said
    assert "aigak import encrypted-form-media" in said
    rows = json.loads(out.read_text())
    assert rows[0]["name"] == "My name" and rows[0]["image1"] == "1538040019351.jpg"
    assert rows[0]["meta/instanceID"] == MEDIA_INSTANCE
    photo = out.parent / "decrypted-media" / "uuid482e83f3-fae6-43ba-a6e9-e438ffe348e3"
    assert hashlib.sha256((photo / "1538040007350.jpg").read_bytes()).hexdigest() == PHOTO_SHA256
    assert (photo / "1538040007350.jpg").stat().st_mode & 0o077 == 0
    code, said, err = run(capsys, "import", "encrypted-form-media", out)
    assert code == 0, err
    record = Record.objects.get(record_id=MEDIA_INSTANCE)
    assert record.answers["name"] == "My name"
    assert record.answers["image2"] == "1538040007350.jpg"


def test_a_wrong_key_fails_naming_the_submission_and_writes_nothing(tmp_path, capsys):
    install(tmp_path, capsys)
    storage = briefcase_storage(tmp_path)
    other = tmp_path / "other.pem"
    other.write_bytes(generate_keypair()[0])
    out = tmp_path / "decrypted.json"
    code, _, err = run(capsys, "decrypt", other, storage, "--out", out)
    assert code == 1
    assert "uuid482e83f3" in err and "wrong private key" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["form.xlsx", "other.pem", "storage"]


@pytest.mark.parametrize(
    ("damage", "reason"),
    [("swap", "signature does not match"), ("delete", "missing file: 1538040019351.jpg.enc")],
)
def test_an_altered_or_missing_file_fails_and_writes_nothing(tmp_path, capsys, damage, reason):
    install(tmp_path, capsys)
    storage = briefcase_storage(tmp_path)
    instance = next(storage.rglob("submission.xml")).parent
    if damage == "swap":
        shutil.copy(instance / "1538040019351.jpg.enc", instance / "1538040007350.jpg.enc")
    else:
        (instance / "1538040019351.jpg.enc").unlink()
    out = tmp_path / "decrypted.json"
    code, _, err = run(
        capsys, "decrypt", BRIEFCASE / "encrypted-form-key.pem", storage, "--out", out
    )
    assert code == 1 and reason in err
    assert not out.exists() and not (tmp_path / "decrypted-media").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".decrypt-")]


def test_submissions_made_as_collect_does_round_trip(tmp_path, capsys):
    install(tmp_path, capsys, form_id="sealed")
    private_pem, public_pem = generate_keypair()
    folder = tmp_path / "phone"
    for number in range(3):
        instance_id = f"uuid:00000000-0000-0000-0000-00000000000{number}"
        xml = (
            f"<data id='sealed'><name>Person {number}</name><image1>p{number}.jpg</image1>"
            f"<meta><instanceID>{instance_id}</instanceID></meta></data>"
        ).encode()
        manifest, files = encrypt_submission(
            base64_public_key(public_pem),
            xml,
            {f"p{number}.jpg": bytes([number]) * 5000},
            form_id="sealed",
            version="1",
            instance_id=instance_id,
        )
        where = folder / f"instance{number}"
        where.mkdir(parents=True)
        (where / "submission.xml").write_bytes(manifest)
        for name, data in files.items():
            (where / name).write_bytes(data)
    key = tmp_path / "sealed.pem"
    key.write_bytes(private_pem)
    out = tmp_path / "sealed.json"
    assert run(capsys, "decrypt", key, folder, "--out", out, "--form", "sealed")[0] == 0
    assert run(capsys, "import", "sealed", out)[0] == 0
    assert sorted(
        r.answers["name"] for r in Record.objects.filter(questionnaire__name="sealed")
    ) == [
        "Person 0",
        "Person 1",
        "Person 2",
    ]


@pytest.mark.parametrize(
    ("args", "code", "said"),
    [
        (["nokey.pem", ".", "--out", "x.json"], 1, "nokey.pem: no such file"),
        ([], 2, ""),
    ],
)
def test_it_exits_with_the_contract_codes(tmp_path, capsys, monkeypatch, args, code, said):
    monkeypatch.chdir(tmp_path)
    got, _, err = run(capsys, "decrypt", *args)
    assert got == code and said in err


def test_a_key_that_is_not_a_key_and_an_empty_folder_are_named(tmp_path, capsys):
    bad = tmp_path / "bad.pem"
    bad.write_text("not a key")
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = run(capsys, "decrypt", bad, empty, "--out", tmp_path / "x.json")
    assert code == 1 and "private key could not be read" in err
    key = tmp_path / "good.pem"
    key.write_bytes(generate_keypair()[0])
    code, _, err = run(capsys, "decrypt", key, empty, "--out", tmp_path / "x.json")
    assert code == 1 and "no encrypted submission" in err
