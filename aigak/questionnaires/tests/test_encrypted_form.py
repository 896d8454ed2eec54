"""An encrypted form: the XLSForm's `public_key` reaches the XForm ODK Collect downloads."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aigak.cli import main
from aigak.lib.odk_crypto import (
    base64_public_key,
    decrypt_submission,
    encrypt_submission,
    generate_keypair,
)
from aigak.questionnaires.models import Questionnaire
from aigak.questionnaires.tests.xlsform_factory import xlsform
from aigak.questionnaires.xlsform import XLSFormError, read_xlsform

pytestmark = pytest.mark.django_db(transaction=False)

SURVEY = [["text", "record_id", "Record id", "Номер"], ["image", "photo", "Photo", "Фото"]]
XFORMS = "{http://www.w3.org/2002/xforms}"
SUBMIT_URL = "https://aigak.example/openrosa/submission"


@pytest.fixture(scope="module")
def keypair():
    return generate_keypair()


def encrypted_form(public_pem: bytes, **settings: str) -> bytes:
    return xlsform(
        SURVEY,
        settings={"form_id": "sealed", "public_key": base64_public_key(public_pem), **settings},
    )


def submission_element(xform: str) -> ElementTree.Element:
    found = ElementTree.fromstring(xform).find(f".//{XFORMS}model/{XFORMS}submission")
    assert found is not None
    return found


def test_the_xform_carries_the_public_key_and_submission_url(keypair):
    definition, xform = read_xlsform(encrypted_form(keypair[1], submission_url=SUBMIT_URL))
    submission = submission_element(xform)
    assert submission.get("base64RsaPublicKey") == base64_public_key(keypair[1])
    assert submission.get("action") == SUBMIT_URL
    assert submission.get("method") == "post"
    assert definition.public_key == base64_public_key(keypair[1])


def test_a_form_without_a_key_has_no_submission_element():
    definition, xform = read_xlsform(xlsform(SURVEY, settings={"form_id": "plain"}))
    assert ElementTree.fromstring(xform).find(f".//{XFORMS}submission") is None
    assert definition.public_key == ""


@pytest.mark.parametrize(
    "key",
    ["notakey", "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----", "QUJD"],
)
def test_a_key_collect_could_not_use_is_refused_on_the_settings_sheet(key):
    with pytest.raises(XLSFormError) as refused:
        read_xlsform(xlsform(SURVEY, settings={"form_id": "sealed", "public_key": key}))
    assert "settings sheet, column 'public_key'" in str(refused.value)


def test_install_and_export_keep_the_key_and_the_key_encrypts(tmp_path, capsys, keypair):
    private_pem, public_pem = keypair
    path = tmp_path / "sealed.xlsx"
    path.write_bytes(encrypted_form(public_pem, submission_url=SUBMIT_URL))
    assert main(["form", "install", str(path)]) == 0, capsys.readouterr().err
    stored = Questionnaire.objects.get(name="sealed").definition
    assert stored.public_key == base64_public_key(public_pem)
    out = tmp_path / "sealed.xml"
    assert main(["form", "export", "sealed", "--format", "xform", "--out", str(out)]) == 0
    submission = submission_element(out.read_text())
    assert submission.get("action") == SUBMIT_URL
    # What ODK Collect would do with the downloaded form: encrypt with its key.
    manifest, files = encrypt_submission(
        submission.get("base64RsaPublicKey") or "",
        b"<sealed id='sealed'><record_id>R-1</record_id></sealed>",
        {},
        form_id="sealed",
        version="1",
        instance_id="uuid:5",
    )
    assert b"R-1" in decrypt_submission(private_pem, manifest, files).xml


def test_the_web_download_of_the_xform_carries_the_key(client, coordinator, keypair):
    _, public_pem = keypair
    client.force_login(coordinator)
    upload = client.post(
        "/forms/", {"xlsform": SimpleUploadedFile("s.xlsx", encrypted_form(public_pem))}
    )
    assert upload.status_code == 302
    assert client.post(upload["Location"]).status_code == 302
    installed = Questionnaire.objects.get(name="sealed")
    xform = client.get(f"/forms/sealed/versions/{installed.current_id}/xform")
    submission = submission_element(xform.content.decode())
    assert submission.get("base64RsaPublicKey") == base64_public_key(public_pem)
