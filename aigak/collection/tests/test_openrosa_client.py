"""A spec-written OpenRosa client (openrosa_client.py, plain HTTP) against a running
server: it lists forms, downloads them with their manifest, submits with attachments in
one POST and split over several, resubmits without a duplicate, edits, and is refused
with a revoked token."""

from __future__ import annotations

import hashlib
from xml.etree import ElementTree

import pytest

from aigak.accounts.tokens import revoke_token
from aigak.collection.models import FormMedia, Submission, SubmissionState
from aigak.collection.tests.conftest import image_bytes, wav_bytes
from aigak.collection.tests.openrosa_client import Client, fill_instance
from aigak.evidence.models import CustodyEvent, Evidence
from aigak.records.models import Record

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def client_for(live_server, token_of):
    def make(user, device="collect:test-1"):
        return Client(f"{live_server.url}/openrosa/key/{token_of(user)}/", device=device)

    return make


def _field_kit(client):
    entry = next(f for f in client.list_forms() if f.form_id == "field_kit")
    return client.download(entry)


def test_it_lists_the_forms_a_documenter_may_collect_with(client_for, documenter, field_form):
    forms = {f.form_id: f for f in client_for(documenter).list_forms()}
    assert {"victim", "torture", "event", "field_kit"} <= set(forms)
    assert forms["field_kit"].name == "Field kit"
    assert forms["field_kit"].version == "2024010101"
    assert forms["victim"].version == "2026.1"


def test_forms_open_to_the_public_are_left_out_unless_a_coordinator_chose_them(
    client_for, documenter, field_form
):
    from aigak.collection.models import CollectionAccess
    from aigak.publishing.intake_models import PublicForm
    from aigak.questionnaires.models import Questionnaire

    assert "tell_us" not in {f.form_id for f in client_for(documenter).list_forms()}
    tell_us = Questionnaire.objects.get(name="tell_us")
    closed = PublicForm.objects.create(questionnaire=tell_us, public=False)
    assert "tell_us" in {f.form_id for f in client_for(documenter).list_forms()}
    closed.delete()
    access = CollectionAccess.objects.create(user=documenter, all_forms=False)
    access.forms.add(Questionnaire.objects.get(name="tell_us"))
    assert [f.form_id for f in client_for(documenter).list_forms()] == ["tell_us"]


def test_a_viewer_gets_an_empty_list(client_for, viewer, field_form):
    assert client_for(viewer).list_forms() == []


def test_it_downloads_the_xform_and_its_media_by_the_manifest(client_for, documenter, field_form):
    FormMedia.objects.create(
        questionnaire=field_form,
        filename="beaten.png",
        data=image_bytes(9),
        md5=hashlib.md5(image_bytes(9)).hexdigest(),
    )
    got = _field_kit(client_for(documenter))
    root = ElementTree.fromstring(got.xform)
    instance = root.find(".//{http://www.w3.org/2002/xforms}instance/*")
    assert instance is not None
    assert (instance.get("id"), instance.get("version")) == ("field_kit", "2024010101")
    assert got.media == {"beaten.png": image_bytes(9)}


def test_head_says_how_large_a_post_may_be(client_for, documenter, settings):
    settings.COLLECTION_ACCEPT_LENGTH = 12345
    response = client_for(documenter).head()
    assert response.status_code == 204
    assert response.headers["X-OpenRosa-Accept-Content-Length"] == "12345"


def test_a_submission_with_attachments_in_one_post_makes_a_record(
    client_for, documenter, field_form
):
    client = client_for(documenter, device="collect:AbC123")
    got = _field_kit(client)
    photo, voice = image_bytes(1), wav_bytes()
    xml = fill_instance(
        got.xform,
        {"name": "Dana", "age": "34", "where": "43.2 76.9 800 5", "photo": "p1.jpg",
         "voice": "v1.wav", "kids/kid": "Aru", "kids[2]/kid": "Timur", "harm": "beaten"},
        instance_id="uuid:one-post",
    )  # fmt: skip
    answers = client.submit(xml, {"p1.jpg": photo, "v1.wav": voice})
    assert [a.status for a in answers] == [201]
    assert answers[0].message
    assert answers[0].headers["X-OpenRosa-Accept-Content-Length"]
    record = Record.objects.get(questionnaire=field_form)
    assert record.author == documenter and record.status == "submitted"
    assert record.answers["name"] == "Dana" and record.answers["age"] == 34
    assert record.answers["kids"] == [{"kid": "Aru"}, {"kid": "Timur"}]
    linked = Evidence.objects.filter(records=record)
    assert {e.sha256 for e in linked} == {
        hashlib.sha256(photo).hexdigest(),
        hashlib.sha256(voice).hexdigest(),
    }
    custody = CustodyEvent.objects.filter(evidence__in=linked, action="upload")
    assert {c.reason for c in custody} == {"received from device collect:AbC123 via OpenRosa"}
    assert Submission.objects.get().state == SubmissionState.ACCEPTED


def test_a_submission_split_over_several_posts_makes_one_record(
    client_for, documenter, field_form, settings
):
    client = client_for(documenter)
    got = _field_kit(client)
    photo, voice, extra = image_bytes(80, (300, 300)), wav_bytes(0.5), image_bytes(160, (300, 300))
    settings.COLLECTION_ACCEPT_LENGTH = max(len(photo), len(voice), len(extra)) + 2000
    xml = fill_instance(got.xform, {"name": "Split", "photo": "p.jpg", "voice": "v.wav"})
    answers = client.submit(xml, {"p.jpg": photo, "v.wav": voice, "extra.jpg": extra})
    assert [a.status for a in answers] == [201, 201, 201]
    record = Record.objects.get(questionnaire=field_form)
    assert Evidence.objects.filter(records=record).count() == 3  # unreferenced ones too


def test_sending_the_same_submission_again_makes_no_duplicate(client_for, documenter, field_form):
    client = client_for(documenter)
    got = _field_kit(client)
    xml = fill_instance(got.xform, {"name": "Again", "photo": "p.jpg"}, instance_id="uuid:again")
    assert [a.status for a in client.submit(xml, {"p.jpg": image_bytes(4)})] == [201]
    assert [a.status for a in client.submit(xml, {"p.jpg": image_bytes(4)})] == [202]
    assert Record.objects.filter(questionnaire=field_form).count() == 1
    assert Evidence.objects.count() == 1
    assert Submission.objects.count() == 1


def test_an_edited_submission_makes_a_new_version_of_the_same_record(
    client_for, documenter, field_form
):
    client = client_for(documenter)
    got = _field_kit(client)
    first = fill_instance(got.xform, {"name": "First", "age": "30"}, instance_id="uuid:v1")
    client.submit(first)
    edited = fill_instance(
        got.xform, {"name": "Edited"}, instance_id="uuid:v2", deprecatedID="uuid:v1"
    )
    assert [a.status for a in client.submit(edited)] == [201]
    record = Record.objects.get(questionnaire=field_form)
    assert record.version == 2
    assert record.answers["name"] == "Edited" and "age" not in record.answers


def test_a_revoked_token_is_refused_and_nothing_is_stored(
    live_server, documenter, field_form, token_of
):
    from aigak.accounts.models import ApiToken

    key = token_of(documenter)
    client = Client(f"{live_server.url}/openrosa/key/{key}/")
    got = _field_kit(client)
    revoke_token(None, ApiToken.objects.get(user=documenter))
    xml = fill_instance(got.xform, {"name": "Late"})
    answers = client.submit(xml, {"p.jpg": image_bytes(5)})
    assert [a.status for a in answers] == [401]
    assert client.session.get(client.base + "formList").status_code == 401
    assert not Submission.objects.exists() and not Record.objects.exists()


def test_basic_authentication_works_for_a_user_without_a_second_factor(
    live_server, documenter, coordinator, field_form, settings
):
    settings.TWO_FACTOR_ROLES = ["coordinator"]
    base = f"{live_server.url}/openrosa/"
    forms = Client(base, auth=("documenter", "correct horse battery")).list_forms()
    assert "field_kit" in {f.form_id for f in forms}
    refused = Client(base, auth=("coordinator", "correct horse battery")).session.get(
        base + "formList"
    )
    assert refused.status_code == 401  # the role needs a second factor: token only
    assert refused.headers["WWW-Authenticate"].startswith("Basic")
    wrong = Client(base, auth=("documenter", "wrong")).session.get(base + "formList")
    assert wrong.status_code == 401
