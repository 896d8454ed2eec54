"""Offline decryption of what phones sent: encrypted submissions received over OpenRosa are
written out still encrypted (`aigak decrypt --export-waiting`), decrypted elsewhere with
the key (`aigak decrypt KEYFILE FOLDER`) and imported (`aigak import`)."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aigak.accounts.models import AuditEvent
from aigak.cli import main
from aigak.collection.models import Submission, SubmissionState
from aigak.collection.tests.conftest import image_bytes
from aigak.lib.odk_crypto import encrypt_submission, generate_keypair
from aigak.records.models import Record

pytestmark = pytest.mark.django_db(transaction=False)

INSTANCE = b"""<?xml version='1.0'?><field_kit id="field_kit" version="2024010101">
<name>Dana</name><age>30</age><photo>p.jpg</photo>
<meta><instanceID>uuid:enc-7</instanceID></meta></field_kit>"""


def run(capsys, *args):
    code = main([*map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_what_a_phone_sent_encrypted_is_decrypted_offline_into_a_record(
    client, documenter, token_of, field_form, tmp_path, capsys
):
    private_pem, public_pem = generate_keypair()
    photo = image_bytes(3, (64, 48))
    manifest, files = encrypt_submission(
        public_pem,
        INSTANCE,
        {"p.jpg": photo},
        form_id="field_kit",
        version="2024010101",
        instance_id="uuid:enc-7",
    )
    data = {"xml_submission_file": SimpleUploadedFile("submission.xml", manifest, "text/xml")}
    for name, content in files.items():
        data[name] = SimpleUploadedFile(name, content, "application/octet-stream")
    url = f"/openrosa/key/{token_of(documenter)}/submission"
    assert client.post(url, data, HTTP_X_OPENROSA_VERSION="1.0").status_code == 201
    assert Submission.objects.get().state == SubmissionState.ENCRYPTED

    export = tmp_path / "export"
    code, said, err = run(capsys, "decrypt", "--export-waiting", export)
    assert code == 0, err
    assert "wrote 1 encrypted submission(s)" in said
    instance = export / "field_kit" / "instances" / "uuidenc-7"
    assert sorted(p.name for p in instance.iterdir()) == [
        "p.jpg.enc", "submission.xml", "submission.xml.enc",
    ]  # fmt: skip
    assert b"Dana" not in b"".join(p.read_bytes() for p in instance.iterdir())
    assert AuditEvent.objects.filter(action="export", object_type="submission").exists()

    key = tmp_path / "field_kit.pem"
    key.write_bytes(private_pem)
    out = tmp_path / "field_kit.json"
    code, said, err = run(capsys, "decrypt", key, export, "--out", out)
    assert code == 0, err
    row = json.loads(out.read_text())[0]
    assert row["name"] == "Dana" and row["age"] == 30 and row["photo"] == "p.jpg"
    media = tmp_path / "field_kit-media" / "uuidenc-7" / "p.jpg"
    assert hashlib.sha256(media.read_bytes()).hexdigest() == hashlib.sha256(photo).hexdigest()
    assert run(capsys, "import", "field_kit", out)[0] == 0
    assert Record.objects.get(record_id="uuid:enc-7").answers["name"] == "Dana"


def test_the_export_refuses_an_existing_folder_and_the_command_wants_its_arguments(
    tmp_path, capsys, db
):
    code, _, err = run(capsys, "decrypt", "--export-waiting", tmp_path)
    assert code == 1 and "already exists" in err
    code, _, err = run(capsys, "decrypt", tmp_path)
    assert code == 2 and "--export-waiting" in err


def test_the_xform_collect_downloads_carries_the_forms_public_key(
    client, documenter, token_of, questionnaires
):
    from aigak.lib.odk_crypto import base64_public_key
    from aigak.questionnaires.registry import install_questionnaire
    from aigak.questionnaires.tests.xlsform_factory import xlsform

    key = base64_public_key(generate_keypair()[1])
    install_questionnaire(
        "sealed", xlsform([["text", "n", "N", "N"]], settings={"public_key": key})
    )
    response = client.get(f"/openrosa/key/{token_of(documenter)}/forms/sealed/form.xml")
    assert response.status_code == 200
    assert f'base64RsaPublicKey="{key}"'.encode() in response.content
