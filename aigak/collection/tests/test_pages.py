"""The coordinators' pages: forms per user, the QR code Collect scans (a valid settings
object whose server works), revocation from the same page, form media, review, and the
encrypted round trip (encrypted as ODK Collect does, decrypted with the private key)."""

from __future__ import annotations

import hashlib
import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aigak.accounts.models import ApiToken, AuditEvent
from aigak.collection import phone_settings
from aigak.collection.models import Submission, SubmissionState
from aigak.collection.tests.conftest import image_bytes
from aigak.evidence.models import Evidence
from aigak.lib.odk_crypto import encrypt_submission, generate_keypair
from aigak.records.models import Record


@pytest.fixture
def signed_in(client, coordinator):
    client.force_login(coordinator)
    return client


def _form_ids(client, token: str) -> set[str]:
    body = client.get(f"/openrosa/key/{token}/formList").content.decode()
    return set(re.findall(r"<formID>([^<]+)</formID>", body))


def test_a_coordinator_chooses_a_users_forms(signed_in, documenter, token_of, field_form):
    token = token_of(documenter)
    assert "victim" in _form_ids(signed_in, token)
    url = f"/collection/users/{documenter.pk}/"
    signed_in.post(url, {"action": "forms", "forms": ["field_kit"]})
    assert _form_ids(signed_in, token) == {"field_kit"}
    signed_in.post(url, {"action": "forms", "all_forms": "on"})
    assert "victim" in _form_ids(signed_in, token)


def test_the_qr_code_holds_collect_settings_that_reach_the_server(
    signed_in, documenter, field_form
):
    response = signed_in.post(f"/collection/users/{documenter.pk}/", {"action": "token"})
    page = response.content.decode()
    server_url = re.search(r"<code data-server-url>([^<]+)</code>", page).group(1)
    payload = phone_settings.qr_payload(
        phone_settings.collect_settings(server_url, documenter.username)
    )
    assert phone_settings.qr_svg(payload) in page  # the code shown is this payload
    settings = phone_settings.read_payload(payload)
    assert set(settings) >= {"general", "admin", "project"}  # Collect needs general, admin
    general = settings["general"]
    assert re.fullmatch(r"http://testserver/openrosa/key/[\w-]+/", general["server_url"])
    assert general["form_update_mode"] == "match_exactly"
    assert general["metadata_username"] == "documenter"
    token = general["server_url"].rstrip("/").rsplit("/", 1)[1]
    assert "field_kit" in _form_ids(signed_in, token)
    # Revoked from the same page: the phone is shut out at once.
    pk = ApiToken.objects.get(user=documenter).pk
    signed_in.post(f"/collection/users/{documenter.pk}/", {"action": "revoke", "token": pk})
    assert signed_in.get(f"/openrosa/key/{token}/formList").status_code == 401


def test_form_media_are_listed_in_the_manifest(signed_in, documenter, token_of, field_form):
    csv = b"name,label\nkz,Kazakhstan\n"
    signed_in.post(
        "/collection/forms/field_kit/media/",
        {"files": [SimpleUploadedFile("places.csv", csv)]},
    )
    token = token_of(documenter)
    manifest = signed_in.get(f"/openrosa/key/{token}/forms/field_kit/manifest").content.decode()
    assert "<filename>places.csv</filename>" in manifest
    assert f"md5:{hashlib.md5(csv).hexdigest()}" in manifest
    url = re.search(r"<downloadUrl>([^<]+)</downloadUrl>", manifest).group(1)
    assert signed_in.get(url).content == csv
    bad = signed_in.post(
        "/collection/forms/field_kit/media/", {"files": [SimpleUploadedFile("..x", b"1")]}
    )
    assert bad.status_code == 302 and manifest.count("<mediaFile>") == 1


def _post_submission(client, url, xml: bytes, files: dict[str, bytes]):
    data = {"xml_submission_file": SimpleUploadedFile("s.xml", xml, "text/xml")}
    data |= {name: SimpleUploadedFile(name, content) for name, content in files.items()}
    return client.post(url, data)


def test_an_encrypted_submission_is_decrypted_into_a_record(
    client, coordinator, documenter, token_of, field_form
):
    private_pem, public_pem = generate_keypair()
    photo = image_bytes(7)
    plain = (
        b"<field_kit id='field_kit' version='2024010101'><name>Secret</name>"
        b"<photo>p.jpg</photo><meta><instanceID>uuid:enc-1</instanceID></meta></field_kit>"
    )
    envelope, files = encrypt_submission(
        public_pem, plain, {"p.jpg": photo},
        form_id="field_kit", version="2024010101", instance_id="uuid:enc-1",
    )  # fmt: skip
    url = f"/openrosa/key/{token_of(documenter)}/submission"
    assert _post_submission(client, url, envelope, files).status_code == 201
    assert Submission.objects.get().state == SubmissionState.ENCRYPTED
    assert not Record.objects.exists() and not Evidence.objects.exists()

    client.force_login(coordinator)
    wrong_pem, _ = generate_keypair()
    page = client.post("/collection/decrypt/", {"private_key": SimpleUploadedFile("k", wrong_pem)})
    assert "wrong private key" in page.content.decode()
    assert Submission.objects.get().state == SubmissionState.ENCRYPTED

    client.post("/collection/decrypt/", {"private_key": SimpleUploadedFile("k", private_pem)})
    submission = Submission.objects.get()
    assert submission.state == SubmissionState.ACCEPTED
    record = submission.record
    assert record.author == documenter and record.answers["name"] == "Secret"
    evidence = Evidence.objects.get(records=record)
    assert evidence.sha256 == hashlib.sha256(photo).hexdigest()
    assert not AuditEvent.objects.filter(metadata__icontains="PRIVATE KEY").exists()


def test_a_submission_kept_for_review_is_shown_and_tried_again(
    client, coordinator, documenter, token_of, field_form
):
    xml = b"<field_kit id='field_kit'><age>many</age><meta><instanceID>uuid:r1</instanceID></meta></field_kit>"
    _post_submission(client, f"/openrosa/key/{token_of(documenter)}/submission", xml, {})
    submission = Submission.objects.get()
    client.force_login(coordinator)
    assert "uuid:r1" in client.get("/collection/").content.decode()
    page = client.get(f"/collection/submissions/{submission.pk}/").content.decode()
    assert "age" in page and "many" in page
    client.post(f"/collection/submissions/{submission.pk}/")
    assert Submission.objects.get().state == SubmissionState.REVIEW


@pytest.mark.parametrize(
    ("language", "said"),
    [("ru", "'..x': имя медиафайла состоит из букв, цифр и _ . - (без папок)"),
     ("kk", "'..x': медиафайлдың атауы әріптерден, сандардан және _ . - таңбаларынан тұрады")],
)  # fmt: skip
def test_a_refused_media_file_says_why_in_the_readers_language(
    signed_in, field_form, language, said
):
    signed_in.cookies["django_language"] = language
    files = {"files": [SimpleUploadedFile("..x", b"1")]}
    page = signed_in.post("/collection/forms/field_kit/media/", files, follow=True)
    assert said in html.unescape(page.content.decode())
