"""Evidence pages: list, detail, playback with ranges, thumbnails, form upload, link, delete."""

from __future__ import annotations

import csv
import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aigak.evidence import actions
from aigak.evidence.models import CustodyEvent, Evidence, EvidenceRecord
from aigak.evidence.tests.conftest import mp4_bytes

VIDEO = mp4_bytes(50_000)


@pytest.fixture
def video(documenter):
    return actions.attach_small_file(
        documenter, SimpleUploadedFile("interview.mp4", VIDEO), name="interview.mp4"
    )


def custody_actions(evidence) -> list[str]:
    return list(evidence.custody.values_list("action", flat=True))


def test_the_list_shows_my_evidence(client, documenter, video):
    client.force_login(documenter)
    response = client.get("/evidence/")
    assert response.status_code == 200
    assert b"interview.mp4" in response.content


@pytest.mark.parametrize("persona", ["outsider", "viewer"])
def test_the_list_hides_evidence_from_others(client, request, persona, video):
    client.force_login(request.getfixturevalue(persona))
    response = client.get("/evidence/")
    assert b"interview.mp4" not in response.content


def test_a_teammate_and_a_lawyer_see_it(client, teammate, lawyer, video):
    for user in (teammate, lawyer):
        client.force_login(user)
        assert client.get(f"/evidence/{video.pk}/").status_code == 200


def test_the_detail_page_shows_custody_and_is_logged(client, documenter, video):
    client.force_login(documenter)
    response = client.get(f"/evidence/{video.pk}/")
    assert response.status_code == 200
    assert video.sha256.encode() in response.content
    assert b"Custody log" in response.content
    assert b'id="last-verified"' in response.content
    assert custody_actions(video) == ["upload", "view"]


@pytest.mark.parametrize(
    "path", ["/evidence/{pk}/", "/evidence/{pk}/file", "/evidence/{pk}/thumbnail"]
)
def test_an_outsider_is_refused(client, outsider, video, path):
    url = path.format(pk=video.pk)
    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert custody_actions(video) == ["upload"]


def test_the_file_plays_with_range_requests(client, documenter, video):
    client.force_login(documenter)
    whole = client.get(f"/evidence/{video.pk}/file")
    assert whole.status_code == 200
    assert whole["Accept-Ranges"] == "bytes"
    assert b"".join(whole.streaming_content) == VIDEO
    part = client.get(f"/evidence/{video.pk}/file", headers={"Range": "bytes=1000-1999"})
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 1000-1999/{len(VIDEO)}"
    assert part["Content-Length"] == "1000"
    assert b"".join(part.streaming_content) == VIDEO[1000:2000]
    tail = client.get(f"/evidence/{video.pk}/file", headers={"Range": "bytes=-10"})
    assert b"".join(tail.streaming_content) == VIDEO[-10:]
    beyond = client.get(f"/evidence/{video.pk}/file", headers={"Range": "bytes=99999999-"})
    assert beyond.status_code == 416
    assert beyond["Content-Range"] == f"bytes */{len(VIDEO)}"
    # Playback from the start is logged; seeking inside it is not.
    assert custody_actions(video) == ["upload", "play"]


def test_a_download_is_an_attachment_and_logged(client, documenter, video):
    client.force_login(documenter)
    response = client.get(f"/evidence/{video.pk}/file?download=1")
    assert response["Content-Disposition"].startswith("attachment")
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == video.sha256
    assert custody_actions(video) == ["upload", "download"]


def test_images_get_a_thumbnail_and_the_original_stays(
    client, documenter, png_image, evidence_root
):
    image = actions.attach_small_file(
        documenter, SimpleUploadedFile("p.png", png_image), name="p.png"
    )
    client.force_login(documenter)
    response = client.get(f"/evidence/{image.pk}/thumbnail")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    stored = evidence_root / image.sha256[:2] / image.sha256
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == image.sha256
    assert client.get(f"/evidence/{image.pk}/thumbnail").status_code == 200


def test_a_small_file_is_attached_to_a_record_through_the_form(
    client, documenter, record_of, png_image
):
    record = record_of(documenter)
    client.force_login(documenter)
    response = client.post(
        "/evidence/upload/",
        {
            "file": SimpleUploadedFile("scan.png", png_image),
            "record_id": str(record.pk),
            "captured_where": "Almaty, Republic Square",
        },
    )
    evidence = Evidence.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/evidence/{evidence.pk}/"
    assert (evidence.content_type, evidence.captured_where) == (
        "image/png",
        "Almaty, Republic Square",
    )
    assert list(evidence.records.all()) == [record]
    assert custody_actions(evidence) == ["upload", "link"]


@pytest.mark.parametrize(
    "content", [b"\x7fELF\x02\x01" + b"\x00" * 100, b"#!/usr/bin/env python\nprint()\n"]
)
def test_the_form_refuses_executables(client, documenter, content, evidence_root):
    client.force_login(documenter)
    response = client.post("/evidence/upload/", {"file": SimpleUploadedFile("a.pdf", content)})
    assert response.status_code == 400
    assert b"executables are not accepted" in response.content
    assert not Evidence.objects.exists()
    assert not [p for p in evidence_root.rglob("*") if p.is_file()]


def test_the_form_refuses_a_record_of_another_team(
    client, documenter, outsider, record_of, png_image
):
    record = record_of(outsider)
    client.force_login(documenter)
    response = client.post(
        "/evidence/upload/",
        {"file": SimpleUploadedFile("p.png", png_image), "record_id": str(record.pk)},
    )
    assert response.status_code == 400
    assert not Evidence.objects.exists()


def test_a_viewer_may_not_upload(client, viewer):
    client.force_login(viewer)
    assert client.get("/evidence/upload/").status_code == 403


def test_link_and_unlink_with_a_reason(client, documenter, record_of, video):
    record = record_of(documenter)
    client.force_login(documenter)
    client.post(f"/evidence/{video.pk}/link", {"record_id": str(record.pk)})
    assert EvidenceRecord.objects.filter(evidence=video, record=record).exists()
    client.post(f"/evidence/{video.pk}/unlink", {"record_id": str(record.pk), "reason": ""})
    assert EvidenceRecord.objects.filter(evidence=video).exists()  # a reason is required
    client.post(
        f"/evidence/{video.pk}/unlink", {"record_id": str(record.pk), "reason": "wrong case"}
    )
    assert not EvidenceRecord.objects.filter(evidence=video).exists()
    unlink = video.custody.get(action="unlink")
    assert (unlink.reason, unlink.user, unlink.sha256) == ("wrong case", documenter, video.sha256)


def test_only_an_admin_deletes_and_the_log_keeps_the_hash(
    client, documenter, admin_user, video, evidence_root, django_capture_on_commit_callbacks
):
    stored = evidence_root / video.sha256[:2] / video.sha256
    client.force_login(documenter)
    assert client.post(f"/evidence/{video.pk}/delete", {"reason": "x"}).status_code == 403
    client.force_login(admin_user)
    client.post(f"/evidence/{video.pk}/delete", {"reason": ""})
    assert stored.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/evidence/{video.pk}/delete", {"reason": "consent withdrawn by the witness"})
    assert not stored.exists()
    deletion = CustodyEvent.objects.get(evidence=video, action="delete")
    assert (deletion.reason, deletion.sha256) == ("consent withdrawn by the witness", video.sha256)
    assert client.get(f"/evidence/{video.pk}/").status_code == 404


def test_custody_log_cannot_be_rewritten(video):
    event = video.custody.get()
    event.reason = "edited"
    with pytest.raises(Exception, match="never changed"):
        event.save()
    with pytest.raises(Exception, match="never deleted"):
        event.delete()


def test_the_custody_log_exports_as_csv(client, documenter, video):
    client.force_login(documenter)
    response = client.get(f"/evidence/{video.pk}/custody.csv")
    lines = response.content.decode().splitlines()
    assert lines[0] == "at,action,user,sha256,reason,details"
    assert ",upload,documenter," + video.sha256 in lines[1]
    assert custody_actions(video) == ["upload", "export"]


def test_the_custody_csv_makes_formula_text_inert(client, documenter, video):
    actions.log_custody(video, "view", documenter, reason='=HYPERLINK("http://example.org")')
    client.force_login(documenter)
    response = client.get(f"/evidence/{video.pk}/custody.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[2][4] == '\'=HYPERLINK("http://example.org")'


@pytest.mark.parametrize("persona", ["documenter", "admin_user"])
def test_the_list_finds_by_name_or_hash_prefix(client, request, persona, video):
    client.force_login(request.getfixturevalue(persona))
    for query in ("intervi", video.sha256[:8]):
        assert b"interview.mp4" in client.get("/evidence/", {"q": query}).content
    assert b"interview.mp4" not in client.get("/evidence/", {"q": "nothing"}).content


def test_its_messages_are_in_the_readers_language(client, documenter, admin_user, record_of, video):
    record = record_of(documenter)
    client.force_login(documenter)
    client.cookies["django_language"] = "ru"
    client.post(f"/evidence/{video.pk}/link", {"record_id": str(record.pk)})
    unlink = {"record_id": str(record.pk), "reason": ""}
    page = client.post(f"/evidence/{video.pk}/unlink", unlink, follow=True).content.decode()
    assert "чтобы отвязать доказательство, нужна причина" in page
    client.force_login(admin_user)
    client.cookies["django_language"] = "kk"
    gone = {"reason": "consent withdrawn"}
    page = client.post(f"/evidence/{video.pk}/delete", gone, follow=True).content.decode()
    assert f"{video.sha256[:12]} дәлелі жойылды; оның сақтау журналы қалады." in page
