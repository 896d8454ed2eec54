"""The public intake form: anyone sends, the guards stop robots and floods, a
coordinator accepts (a record, perhaps about a known person) or rejects with a reason,
and the sender only ever sees a receipt code."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from aigak.accounts.models import AuditEvent
from aigak.evidence.models import Evidence
from aigak.publishing import intake
from aigak.publishing.intake_models import Submission, SubmissionStatus
from aigak.records.models import Record, RecordLink

URL = "/public/intake/tell_us/"
CONTACT = "+7 701 555 0199 SecretContact"


def _started(seconds_ago: int = 60) -> str:
    moment = timezone.now() - dt.timedelta(seconds=seconds_ago)
    return signing.dumps(moment.isoformat(), salt="intake")


def _post(client, **extra):
    data = {
        "_started": _started(),
        "about": "person_killed",
        "person_name": "Aidos Serikbayev",
        "region": "almaty",
        "locality": "almaty",
        "happened_on": "2022-01-05",
        "what_happened": "He was shot near the akimat on 5 January.",
        "sender_name": "Relative",
        "contact_way": "phone",
        "sender_contact": CONTACT,
        **extra,
    }
    return client.post(URL, data, REMOTE_ADDR=extra.pop("REMOTE_ADDR", "10.0.0.1"))


@pytest.mark.django_db
def test_anyone_opens_the_form_in_each_language(client, questionnaires):
    for lang, words in [("en", "What happened?"), ("ru", "Что произошло?"), ("kk", "Не болды?")]:
        response = client.get(URL, HTTP_ACCEPT_LANGUAGE=lang)
        assert response.status_code == 200
        assert words in response.content.decode()
    assert "Не болды?" in client.get(URL + "?lang=kk").content.decode()  # the public links' way
    page = client.get(URL).content.decode()
    assert 'name="website"' in page  # the honeypot
    assert 'data-field="tell_us_note">' in page  # the introduction is shown, not hidden
    assert 'name="victim_record_id"' not in page  # the centre fills that in


@pytest.mark.django_db
def test_a_submission_waits_for_moderation_and_the_sender_gets_only_a_code(client, questionnaires):
    response = _post(client)
    assert response.status_code == 200, response.content.decode()[:2000]
    code = response.context["code"]
    body = response.content.decode()
    assert code in body and CONTACT not in body and "Aidos" not in body
    submission = Submission.objects.get()
    assert submission.status == SubmissionStatus.PENDING
    assert submission.answers["sender_contact"] == CONTACT
    assert code not in str(submission.__dict__)  # only its hash is kept
    assert AuditEvent.objects.filter(object_type="submission", action="create").exists()
    assert not Record.objects.filter(questionnaire__name="tell_us").exists()
    # the same code adds to the message: joined, and the sender sees the same code again
    again = _post(client, receipt=code.lower(), what_happened="More: the date was the 6th.")
    assert again.context["code"] == code
    assert Submission.objects.filter(receipt=intake.receipt_hash(code)).count() == 2


@pytest.mark.django_db
def test_the_dashboard_counts_submissions_waiting_for_moderation(
    client, questionnaires, coordinator, documenter
):
    _post(client)
    client.force_login(coordinator)
    waiting = {w.url: w.count for w in client.get("/").context["board"].waiting}
    assert waiting["/intake/"] == 1
    client.force_login(documenter)  # documenters do not moderate: no count offered
    assert "/intake/" not in {w.url for w in client.get("/").context["board"].waiting}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "extra, status",
    [
        ({"website": "http://spam.example"}, 200),  # honeypot: looks taken, is not
        ({"_started": "now"}, 400),  # too quick
        ({"_started": "forged"}, 400),
        ({"_started": _started(seconds_ago=2 * 86400)}, 400),
        ({"what_happened": ""}, 400),  # a required answer
    ],
)
def test_the_guards_store_nothing(client, questionnaires, extra, status):
    if extra.get("_started") == "now":
        extra = {"_started": _started(seconds_ago=0)}
    response = _post(client, **extra)
    assert response.status_code == status
    assert not Submission.objects.exists()


@pytest.mark.django_db
def test_too_many_from_one_address_are_refused(client, questionnaires):
    for _ in range(intake.PER_HOUR):
        assert _post(client).status_code == 200
    assert _post(client).status_code == 429
    assert _post(client, REMOTE_ADDR="10.0.0.2").status_code == 200
    assert Submission.objects.count() == intake.PER_HOUR + 1


@pytest.mark.django_db
def test_files_are_limited_in_number_and_size(client, questionnaires, monkeypatch):
    monkeypatch.setattr(intake, "MAX_FILE_SIZE", 1000)
    big = SimpleUploadedFile("big.jpg", b"x" * 1001)
    assert _post(client, attachment=[big]).status_code == 413
    many = [SimpleUploadedFile(f"n{i}.txt", b"note") for i in range(intake.MAX_FILES + 1)]
    assert _post(client, attachment=many).status_code == 413
    assert not Submission.objects.exists()
    small = SimpleUploadedFile("note.txt", b"what I saw\n")
    assert _post(client, attachment=[small]).status_code == 200
    assert Submission.objects.get().files.get().size == len(b"what I saw\n")


@pytest.mark.django_db
def test_only_public_questionnaires_take_submissions(client, coordinator, questionnaires):
    assert client.get("/public/intake/victim/").status_code == 404
    assert client.get("/public/intake/nothing/").status_code == 404
    client.force_login(coordinator)
    client.post("/intake/forms/tell_us/public/", {"public": "no"})
    client.logout()
    assert client.get(URL).status_code == 404
    client.force_login(coordinator)
    client.post("/intake/forms/event/public/", {"public": "yes"})
    client.logout()
    assert client.get("/public/intake/event/").status_code == 200


@pytest.mark.django_db
def test_a_coordinator_accepts_into_a_record_about_a_known_victim(
    client, coordinator, questionnaires, settings, tmp_path
):
    from aigak.questionnaires.registry import get_questionnaire
    from aigak.records.actions import import_rows

    settings.EVIDENCE_ROOT = str(tmp_path / "evidence")
    row = {"record_id": "V-000042", "full_name": "Aidos S.", "vital_status": "deceased",
           "entry_date": "2022-04-04"}  # fmt: skip
    import_rows(None, get_questionnaire("victim"), [(1, row)])
    victim = Record.objects.get(record_id="V-000042")
    _post(client, attachment=[SimpleUploadedFile("note.txt", b"what I saw\n")])
    submission = Submission.objects.get()
    client.force_login(coordinator)
    page = client.get(f"/intake/{submission.pk}/")
    assert page.status_code == 200 and CONTACT in page.content.decode()
    response = client.post(
        f"/intake/{submission.pk}/",
        {"decision": "accept", "victim_record_id": victim.record_id},
    )
    assert response.status_code == 302
    submission.refresh_from_db()
    record = submission.record
    assert submission.status == SubmissionStatus.ACCEPTED and record is not None
    assert record.answers["what_happened"].startswith("He was shot")
    assert record.person_id == victim.person_id
    assert RecordLink.objects.filter(source=record, target=victim).exists()
    assert Evidence.objects.filter(records=record).count() == 1
    assert AuditEvent.objects.filter(object_type="submission", action="decide").exists()
    again = client.post(f"/intake/{submission.pk}/", {"decision": "accept"})
    assert again.status_code == 400  # decided once


@pytest.mark.django_db
def test_a_rejection_needs_a_reason(client, coordinator, questionnaires):
    _post(client)
    submission = Submission.objects.get()
    client.force_login(coordinator)
    assert client.post(f"/intake/{submission.pk}/", {"decision": "reject"}).status_code == 400
    response = client.post(f"/intake/{submission.pk}/", {"decision": "reject", "reason": "spam"})
    assert response.status_code == 302
    submission.refresh_from_db()
    assert (submission.status, submission.reason) == (SubmissionStatus.REJECTED, "spam")
    assert not Record.objects.filter(questionnaire__name="tell_us").exists()
