"""Bad input gets the OpenRosa error response with the right status and leaves nothing
behind; a submission that breaks the form's rules is kept for review, never refused."""

from __future__ import annotations

import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aigak.collection.models import Submission, SubmissionFile, SubmissionState
from aigak.collection.tests.conftest import image_bytes
from aigak.evidence.models import Evidence
from aigak.records.models import Record

INSTANCE = """<?xml version='1.0'?><field_kit id="field_kit" version="2024010101">
<name>{name}</name><age>{age}</age><photo>p.jpg</photo>
<meta><instanceID>uuid:{uid}</instanceID></meta></field_kit>"""


def _xml(name="Dana", age="30", uid="e1") -> bytes:
    return INSTANCE.format(name=name, age=age, uid=uid).encode()


def _post(client, url, xml: bytes | None, **files: bytes):
    data: dict = {}
    if xml is not None:
        data["xml_submission_file"] = SimpleUploadedFile("s.xml", xml, "text/xml")
    for name, content in files.items():
        data[name] = SimpleUploadedFile(name, content, "application/octet-stream")
    return client.post(url, data, HTTP_X_OPENROSA_VERSION="1.0")


def _nothing_stored() -> bool:
    return not (
        Submission.objects.exists()
        or SubmissionFile.objects.exists()
        or Record.objects.exists()
        or Evidence.objects.exists()
    )


@pytest.fixture
def url(documenter, token_of, field_form):
    return f"/openrosa/key/{token_of(documenter)}/submission"


@pytest.mark.parametrize(
    ("xml", "status"),
    [
        (b"<field_kit id='field_kit'><name>x</field_kit>", 400),
        (b"", 400),
        (None, 400),
        (b"<nope id='no_such_form'><a>1</a></nope>", 404),
    ],
)
def test_bad_submissions_get_an_openrosa_error_and_nothing_is_kept(client, url, xml, status):
    response = _post(client, url, xml, **{"p.jpg": image_bytes(1)})
    assert response.status_code == status
    assert response["X-OpenRosa-Version"] == "1.0"
    assert b"<OpenRosaResponse" in response.content
    assert _nothing_stored()


def test_a_wrong_token_gets_401(client, field_form):
    response = _post(client, "/openrosa/key/not-a-token/submission", _xml())
    assert response.status_code == 401
    assert response["X-OpenRosa-Version"] == "1.0"
    assert _nothing_stored()


def test_a_post_over_the_limit_gets_413(client, url, settings):
    settings.COLLECTION_MAX_SIZE = 1000
    response = _post(client, url, _xml(), **{"p.jpg": image_bytes(1, (200, 200))})
    assert response.status_code == 413
    assert b"<OpenRosaResponse" in response.content
    assert _nothing_stored()


def test_a_form_closed_to_the_user_is_404(client, url, documenter, field_form):
    from aigak.collection.models import CollectionAccess

    access = CollectionAccess.objects.create(user=documenter, all_forms=False)
    access.forms.set([])
    assert _post(client, url, _xml()).status_code == 404
    assert _nothing_stored()


def test_a_viewer_may_not_send(client, viewer, token_of, field_form):
    response = _post(client, f"/openrosa/key/{token_of(viewer)}/submission", _xml())
    assert response.status_code == 403
    assert _nothing_stored()


def test_a_submission_breaking_the_rules_is_kept_for_review(client, url):
    response = _post(client, url, _xml(name="", age="many"), **{"p.jpg": image_bytes(1)})
    assert response.status_code == 201  # received: the device must not send it again
    submission = Submission.objects.get()
    assert submission.state == SubmissionState.REVIEW
    assert any("age" in p["message"] for p in submission.problems)
    assert not Record.objects.exists() and not Evidence.objects.exists()
    assert submission.files.get().name == "p.jpg"  # kept whole


def test_a_failure_while_writing_leaves_nothing_half_stored(client, url, monkeypatch):
    from aigak.collection import receiving

    def broken(*args, **kwargs):
        raise OSError("disk gone")

    monkeypatch.setattr(receiving, "take_in", broken)
    client.raise_request_exception = False
    response = _post(client, url, _xml(), **{"p.jpg": image_bytes(1)})
    assert response.status_code == 500
    assert _nothing_stored()


def test_an_encrypted_submission_is_kept_unreadable(client, url):
    envelope = b"""<data id="field_kit" version="2024010101" encrypted="yes"
      xmlns="http://www.opendatakit.org/xforms/encrypted">
      <base64EncryptedKey>AAAA</base64EncryptedKey>
      <meta xmlns="http://openrosa.org/xforms"><instanceID>uuid:enc1</instanceID></meta>
      <media><file>p.jpg.enc</file></media>
      <encryptedXmlFile>submission.xml.enc</encryptedXmlFile>
      <base64EncryptedElementSignature>BBBB</base64EncryptedElementSignature></data>"""
    files = {"p.jpg.enc": b"\x93" * 500, "submission.xml.enc": b"\x17" * 300}
    response = _post(client, url, envelope, **files)
    assert response.status_code == 201
    submission = Submission.objects.get()
    assert submission.state == SubmissionState.ENCRYPTED
    assert {f.name for f in submission.files.all()} == set(files)
    assert not Record.objects.exists() and not Evidence.objects.exists()


def test_the_token_in_the_address_reaches_no_log(client, viewer, token_of, field_form):
    import logging

    from aigak.accounts.models import AuditEvent
    from aigak.lib.log_privacy import HideSecrets

    token = token_of(viewer)
    assert _post(client, f"/openrosa/key/{token}/submission", _xml()).status_code == 403
    assert AuditEvent.objects.filter(action="refused").exists()
    assert not any(token in str(e.metadata) for e in AuditEvent.objects.all())
    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        "",
        0,
        "Forbidden: %s",
        (f"/openrosa/key/{token}/x",),
        None,
    )
    HideSecrets().filter(record)
    assert token not in record.getMessage()


def test_another_users_instance_id_is_refused(client, url, teammate, token_of):
    assert _post(client, url, _xml()).status_code == 201
    other = f"/openrosa/key/{token_of(teammate)}/submission"
    response = _post(client, other, _xml(name="Changed"), **{"q.jpg": image_bytes(2)})
    assert response.status_code == 409
    assert Record.objects.get().answers["name"] == "Dana"
    assert SubmissionFile.objects.count() == 0  # the first had no file part


@pytest.mark.parametrize(
    ("language", "said"),
    [("ru", ["поле 'age', значение 'many': ожидается целое число (тип: целое число)",
             "элемент 'extra' — не вопрос формы"]),
     ("kk", ["'age' өрісі, мәні 'many': бүтін сан күтіледі (түрі: бүтін сан)",
             "'extra' элементі форманың сұрағы емес"])],
)  # fmt: skip
def test_the_reasons_for_review_are_said_in_the_reviewers_language(
    client, url, coordinator, language, said
):
    from aigak.site.tests.test_translations import ALLOWED, english_words

    extra = _xml(uid="e2").replace(b"</name>", b"</name><extra>1</extra>")
    for xml in (_xml(name="", age="many"), extra):
        assert _post(client, url, xml).status_code == 201
    broken = Submission.objects.get(instance_id="uuid:e1")
    assert "field 'age', value 'many': " in broken.problems[0]["message"]  # kept in English
    client.force_login(coordinator)
    client.cookies["django_language"] = language
    shown = []
    for submission in Submission.objects.all():
        page = client.get(f"/collection/submissions/{submission.pk}/").content.decode()
        items = re.findall(r"<li>(.*?)</li>", page.split("data-problems")[1].split("</ul>")[0])
        shown += [html.unescape(item) for item in items]
    for text in said:
        assert text in shown
    # field names and the answer (the XLSForm type has words of its own)
    assert not english_words(" ".join(shown), ALLOWED | {"age", "name", "many", "extra"})


def test_a_file_refused_as_evidence_is_said_in_the_reviewers_language(client, url, coordinator):
    program = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(64)
    assert _post(client, url, _xml(), **{"run.exe": program}).status_code == 201
    submission = Submission.objects.get()
    english = "file 'run.exe': executables are not accepted: this is a Windows (PE/MZ) executable"
    assert submission.problems[0]["message"] == english  # kept in English
    client.force_login(coordinator)
    client.cookies["django_language"] = "ru"
    page = html.unescape(client.get(f"/collection/submissions/{submission.pk}/").content.decode())
    reason = "исполняемые файлы не принимаются: это исполняемый файл Windows (PE/MZ)"
    assert f"файл 'run.exe': {reason}" in page  # the reasons for review
    assert f"<td>{reason}</td>" in page  # the submission's files
