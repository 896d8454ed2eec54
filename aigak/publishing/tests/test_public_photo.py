"""A person's public photo: a copy without metadata, marked with its consent, served to
the public only while the person is published and the photo marked, audited both ways."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, ImageOps

from aigak.accounts.models import AuditAction, AuditEvent, Role, Team, User
from aigak.evidence.actions import attach_small_file, delete_evidence, unlink
from aigak.evidence.models import CustodyAction, CustodyEvent, Evidence
from aigak.evidence.storage import hash_stream, store
from aigak.publishing.actions import publish, unpublish
from aigak.publishing.models import Publication, PublicPhoto
from aigak.publishing.photo_actions import mark_photo, unmark_photo
from aigak.publishing.photos import MAX_SIDE, PhotoRefused, clean_jpeg_problems, derive
from aigak.publishing.tests.people import make_people
from aigak.questionnaires.registry import get_questionnaire
from aigak.records.models import Record

PHOTOS = Path(__file__).parent / "photos"
THIRD_PARTY = ["exif_gps.jpg", "iptc.jpg", "hopper_orientation_6.jpg", "xmp_padded.jpg"]
# A GPS position (Almaty) and other blocks the drawn photo carries.
LATITUDE = (43.0, 14.0, 2.0)
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">XmpMarkerAlmaty</x:xmpmeta>'


def drawn_photo(width: int = 2000, height: int = 1000, orientation: int = 6) -> bytes:
    """A JPEG drawn here: its left half red, right half blue, with EXIF (GPS, camera,
    orientation), XMP, an ICC profile and a comment."""
    from PIL import ImageCms

    image = Image.new("RGB", (width, height), (200, 0, 0))
    image.paste((0, 0, 200), (width // 2, 0, width, height))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "CameraMarker"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = LATITUDE
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (76.0, 53.0, 0.0)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, xmp=XMP, icc_profile=icc, comment=b"CommentMarker")
    return out.getvalue()


def _metadata(data: bytes) -> dict:
    image = Image.open(io.BytesIO(data))
    exif = image.getexif()
    return {
        "exif": dict(exif),
        "gps": dict(exif.get_ifd(ExifTags.IFD.GPSInfo)),
        "info": sorted(
            k
            for k in image.info
            if k not in ("jfif", "jfif_version", "jfif_unit", "jfif_density", "dpi")
        ),  # fmt: skip
        "blocks": clean_jpeg_problems(data),
    }


def _clean(data: bytes) -> None:
    found = _metadata(data)
    assert found == {"exif": {}, "gps": {}, "info": [], "blocks": []}
    for marker in (b"Exif", b"xmpmeta", b"Photoshop", b"ICC_PROFILE", b"CameraMarker",
                   b"CommentMarker", b"Nokia"):  # fmt: skip
        assert marker not in data


# --- the copy -------------------------------------------------------------------------


@pytest.mark.parametrize("name", THIRD_PARTY)
def test_it_strips_every_metadata_block_of_photos_written_elsewhere(name):
    original = (PHOTOS / name).read_bytes()
    before = _metadata(original)
    assert before["blocks"]  # the file does carry metadata (the test can fail)
    if name == "exif_gps.jpg":
        assert before["gps"]  # a GPS block
    derived = derive(io.BytesIO(original))
    _clean(derived.data)
    assert Image.open(io.BytesIO(derived.data)).format == "JPEG"


def test_it_turns_the_photo_upright_then_makes_it_small_and_strips_all():
    original = drawn_photo()
    before = _metadata(original)
    assert before["gps"][ExifTags.GPS.GPSLatitude] == (43.0, 14.0, 2.0)
    assert {"icc_profile", "xmp", "comment"} <= set(before["info"])
    derived = derive(io.BytesIO(original))
    _clean(derived.data)
    # Orientation 6: the 2000 x 1000 picture stands 1000 x 2000; red (left) goes on top.
    assert (derived.width, derived.height) == (MAX_SIDE // 2, MAX_SIDE)
    image = Image.open(io.BytesIO(derived.data)).convert("RGB")
    assert image.size == (derived.width, derived.height)
    top, bottom = image.getpixel((200, 100)), image.getpixel((200, 700))
    assert top[0] > 150 and top[2] < 60, top
    assert bottom[2] > 150 and bottom[0] < 60, bottom


def test_a_third_party_photo_turned_by_its_orientation():
    original = Image.open(PHOTOS / "hopper_orientation_6.jpg")
    expected = ImageOps.exif_transpose(original).convert("RGB")
    derived = Image.open(io.BytesIO(derive(open(PHOTOS / "hopper_orientation_6.jpg", "rb")).data))
    assert derived.size == expected.size
    # JPEG is lossy: compare the mean colour of quarters, which a wrong turn would swap.
    for box in [(0, 0, 64, 64), (64, 64, 128, 128), (0, 64, 64, 128)]:
        a = expected.crop(box).resize((1, 1)).getpixel((0, 0))
        b = derived.convert("RGB").crop(box).resize((1, 1)).getpixel((0, 0))
        assert all(abs(x - y) < 20 for x, y in zip(a, b, strict=True)), box


def test_a_small_photo_is_not_enlarged():
    derived = derive(io.BytesIO(drawn_photo(300, 200, orientation=1)))
    assert (derived.width, derived.height) == (300, 200)


def test_it_refuses_decompression_bombs_and_what_is_not_a_photo():
    bomb = io.BytesIO()
    Image.new("1", (8000, 8000)).save(bomb, "PNG")  # 64 megapixels in a few kB
    with pytest.raises(PhotoRefused, match="too large"):
        derive(io.BytesIO(bomb.getvalue()))
    with pytest.raises(PhotoRefused, match="Only a JPEG"):
        derive(io.BytesIO(b"%PDF-1.4 not an image"))
    with pytest.raises(PhotoRefused, match="Only a JPEG"):
        derive(io.BytesIO(b'<svg xmlns="http://www.w3.org/2000/svg"></svg>'))
    with pytest.raises(PhotoRefused, match="damaged"):
        derive(io.BytesIO(drawn_photo()[:700]))


# --- marking, serving, unmarking ------------------------------------------------------


@pytest.fixture
def world(questionnaires, settings, tmp_path, coordinator):
    settings.EVIDENCE_ROOT = str(tmp_path / "evidence")
    people = make_people()
    for record in people.values():
        Record.objects.filter(pk=record.pk).update(answers={**record.answers, "consent_use": "yes"})
    victim = get_questionnaire("victim")
    publish(None, victim, ["V-000101"])
    record = Record.objects.get(record_id="V-000101")
    files = {
        name: attach_small_file(
            coordinator, SimpleUploadedFile(name, data), name=name, record=record
        )  # fmt: skip
        for name, data in [
            ("gps.jpg", (PHOTOS / "exif_gps.jpg").read_bytes()),
            ("drawn.jpg", drawn_photo()),
            ("notes.txt", b"Interview notes\n"),
        ]  # fmt: skip
    }
    return record, files


def _mark(actor, record, evidence, **more):
    values = {"basis": "written", "note": "Mother, signed form of 2022-03-01", "confirmed": True}
    return mark_photo(actor, record, evidence.pk, **{**values, **more})


def _public_id(record_id: str = "V-000101") -> str:
    return Publication.objects.get(record__record_id=record_id).public_id


def test_the_public_gets_the_copy_only_while_published_consented_and_marked(
    client, world, coordinator
):
    record, files = world
    url = f"/public/victims/{_public_id()}/photo/"
    assert client.get(url).status_code == 404  # nothing marked yet
    page = client.get(f"/public/victims/{_public_id()}/").content.decode()
    assert url not in page
    photo = _mark(coordinator, record, files["drawn.jpg"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response.content == bytes(photo.image)
    _clean(response.content)
    assert response["Cache-Control"] == "public, no-cache"
    assert response["ETag"] == f'"{photo.image_sha256}"'
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert not response.cookies
    again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert client.head(url).status_code == 200
    for lang, alt in [("en", "Photo of"), ("ru", "Фотография:"), ("kk", "Фотосурет:")]:
        page = client.get(f"/public/victims/{_public_id()}/", {"lang": lang}).content.decode()
        assert f'<img src="{url}"' in page
        assert f'alt="{alt}' in page, lang
    # The original evidence file is untouched and never what the public gets.
    evidence = files["drawn.jpg"]
    with store().open(evidence.sha256) as stored:
        assert hash_stream(stored)[0] == evidence.sha256
    assert response.content != drawn_photo()


def test_unpublishing_takes_the_photo_off_at_once_and_unmarks_it(client, world, coordinator):
    record, files = world
    _mark(coordinator, record, files["drawn.jpg"])
    url = f"/public/victims/{_public_id()}/photo/"
    etag = client.get(url)["ETag"]
    unpublish(coordinator, record.questionnaire, ["V-000101"])
    assert client.get(url).status_code == 404
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 404  # no 304 either
    photo = PublicPhoto.objects.get()
    assert photo.unmarked_at is not None and bytes(photo.image) == b""
    # Published again, the person has no photo until one is marked with its consent.
    publish(coordinator, record.questionnaire, ["V-000101"])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "change",
    ["unmark", "consent_publish_name", "consent_use", "status", "unlink", "delete_evidence"],
)
def test_the_photo_is_gone_at_once_when_anything_it_needs_is_lost(
    client, world, coordinator, admin_user, change
):
    record, files = world
    _mark(coordinator, record, files["drawn.jpg"])
    url = f"/public/victims/{_public_id()}/photo/"
    assert client.get(url).status_code == 200
    if change == "unmark":
        assert unmark_photo(coordinator, record, "family asked") == 1
    elif change in ("consent_publish_name", "consent_use"):
        # Even a change made outside the actions (no hook runs).
        Record.objects.filter(pk=record.pk).update(answers={**record.answers, change: "no"})
    elif change == "status":
        Record.objects.filter(pk=record.pk).update(status="submitted")
    elif change == "unlink":
        unlink(coordinator, files["drawn.jpg"], record, "wrong person")
    else:
        delete_evidence(admin_user, files["drawn.jpg"], "identifies a witness")
    assert client.get(url).status_code == 404
    if change in ("unmark", "unlink", "delete_evidence"):
        assert not PublicPhoto.objects.filter(unmarked_at__isnull=True).exists()


def test_a_photo_marked_before_publishing_shows_once_published(client, world, coordinator):
    _, files = world
    other = Record.objects.get(record_id="V-000102")
    evidence = files["gps.jpg"]
    attach = attach_small_file(coordinator, SimpleUploadedFile("p.jpg", (PHOTOS / "iptc.jpg").read_bytes()),
                               name="p.jpg", record=other)  # fmt: skip
    assert evidence.pk != attach.pk
    _mark(coordinator, other, attach)
    publish(coordinator, other.questionnaire, ["V-000102"])
    response = client.get(f"/public/victims/{_public_id('V-000102')}/photo/")
    assert response.status_code == 200
    _clean(response.content)


@pytest.mark.parametrize(
    "problem, expected",
    [
        ({"confirmed": False}, "Confirm that consent"),
        ({"note": "  "}, "Write who gave the consent"),
        ({"basis": "rumour"}, "Say how the consent"),
        ({"evidence": "notes.txt"}, "Only a JPEG"),
        ({"evidence": "elsewhere"}, "Choose an image linked"),
        ({"record": "V-000103"}, "no consent to publish the name"),
        ({"record": "V-000104"}, "not verified"),
        ({"consent_use": "no"}, "no consent to use the information"),
    ],
)
def test_marking_is_refused_without_consent_or_an_image(world, coordinator, problem, expected):
    record, files = world
    if "record" in problem:
        record = Record.objects.get(record_id=problem["record"])
    if "consent_use" in problem:
        Record.objects.filter(pk=record.pk).update(answers={**record.answers, "consent_use": "no"})
        record.refresh_from_db()
    evidence = files.get(problem.get("evidence", "drawn.jpg"))
    if problem.get("evidence") == "elsewhere":
        other = Record.objects.get(record_id="V-000102")
        elsewhere = drawn_photo(1000, 600)  # other bytes: not the evidence linked here
        evidence = attach_small_file(coordinator, SimpleUploadedFile("o.jpg", elsewhere),
                                     name="o.jpg", record=other)  # fmt: skip
    values = {k: v for k, v in problem.items() if k in ("confirmed", "note", "basis")}
    with pytest.raises(PhotoRefused, match=expected):
        _mark(coordinator, record, evidence, **values)
    assert not PublicPhoto.objects.exists()
    assert not AuditEvent.objects.filter(metadata__change="photo").exists()


def test_marking_and_unmarking_are_audited_and_in_the_custody_log(world, coordinator):
    record, files = world
    first = _mark(coordinator, record, files["drawn.jpg"])
    second = _mark(coordinator, record, files["gps.jpg"], basis="recorded", note="Brother, call")
    assert unmark_photo(coordinator, record, "family asked") == 1
    rows = AuditEvent.objects.filter(action=AuditAction.PUBLISH, object_type="record",
                                     object_id=str(record.pk)).order_by("id")  # fmt: skip
    changes = [(r.actor, r.metadata["change"], r.metadata.get("photo")) for r in rows]
    assert changes[1:] == [
        (coordinator, "photo", first.pk),
        (coordinator, "photo_off", first.pk),  # replaced by the second
        (coordinator, "photo", second.pk),
        (coordinator, "photo_off", second.pk),
    ]
    assert rows.last().metadata["reason"] == "family asked"
    assert rows[1].metadata["consent_basis"] == "written"
    for evidence, photo in [(files["drawn.jpg"], first), (files["gps.jpg"], second)]:
        custody = list(
            CustodyEvent.objects.filter(evidence=evidence, action__in=[
                CustodyAction.PUBLIC_PHOTO, CustodyAction.PUBLIC_PHOTO_OFF]).values_list(
                "action", "user", "metadata__copy_sha256")
        )  # fmt: skip
        assert custody == [
            (CustodyAction.PUBLIC_PHOTO, coordinator.pk, photo.image_sha256),
            (CustodyAction.PUBLIC_PHOTO_OFF, coordinator.pk, photo.image_sha256),
        ]
    kept = PublicPhoto.objects.get(pk=second.pk)
    assert (kept.marked_by, kept.consent_basis, kept.consent_note) == (
        coordinator, "recorded", "Brother, call")  # fmt: skip
    assert kept.unmarked_by == coordinator and kept.unmarked_reason == "family asked"


# --- the coordinators' pages ----------------------------------------------------------

PERSONAS = {
    "admin": Role.ADMIN, "coordinator": Role.COORDINATOR, "lawyer": Role.LAWYER,
    "documenter": Role.DOCUMENTER, "outsider": Role.DOCUMENTER, "viewer": Role.VIEWER,
    "anonymous": None,
}  # fmt: skip
MAY_PUBLISH = {"admin", "coordinator"}


def _persona(name: str, record: Record):
    role = PERSONAS[name]
    if role is None:
        return AnonymousUser()
    team = record.team if name == "documenter" else Team.objects.create(name="Other team")
    return User.objects.create_user(username=f"p-{name}", role=role, team=team)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", ["mark", "unmark", "preview"])
def test_only_coordinators_and_admins_mark_unmark_and_preview(
    client, world, coordinator, persona, page
):
    record, files = world
    if page != "mark":
        _mark(coordinator, record, files["gps.jpg"])
    user = _persona(persona, record)
    if user.is_authenticated:
        client.force_login(user)
    base = "/publishing/victim/V-000101/"
    if page == "mark":
        response = client.post(f"{base}photo/", {
            "evidence": files["drawn.jpg"].pk, "consent_basis": "noted",
            "consent_note": "Sister, at the interview", "consent_confirmed": "yes"})  # fmt: skip
    elif page == "unmark":
        response = client.post(f"{base}photo/unmark/", {"reason": "asked"})
    else:
        response = client.get(f"{base}photo.jpg")
    marked = list(PublicPhoto.objects.filter(unmarked_at__isnull=True).values_list(
        "evidence__original_name", flat=True))  # fmt: skip
    if persona in MAY_PUBLISH:
        assert response.status_code == (200 if page == "preview" else 302)
        expected = {"mark": ["drawn.jpg"], "unmark": [], "preview": ["gps.jpg"]}[page]
        if page == "preview":
            _clean(response.content)
            assert response["Cache-Control"] == "no-store"
    elif persona == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        expected = [] if page == "mark" else ["gps.jpg"]
    else:
        assert response.status_code == 403
        assert AuditEvent.objects.filter(action=AuditAction.REFUSED, actor=user).exists()
        expected = [] if page == "mark" else ["gps.jpg"]
    assert marked == expected


def test_the_record_page_offers_the_linked_images_with_the_consent_questions(
    client, world, coordinator
):
    client.force_login(coordinator)
    record, files = world
    body = client.get("/records/victim/V-000101/").content.decode()
    assert "/publishing/victim/V-000101/photo/" in body
    assert f'value="{files["drawn.jpg"].pk}"' in body
    assert f'value="{files["notes.txt"].pk}"' not in body  # not an image
    assert 'name="consent_confirmed"' in body and 'name="consent_note"' in body
    response = client.post("/publishing/victim/V-000101/photo/", {
        "evidence": files["drawn.jpg"].pk, "consent_basis": "written",
        "consent_note": "Mother, signed form", "consent_confirmed": "yes"}, follow=True)  # fmt: skip
    body = response.content.decode()
    assert "/publishing/victim/V-000101/photo.jpg" in body and "Mother, signed form" in body
    assert "/publishing/victim/V-000101/photo/unmark/" in body
    # Without the confirmation nothing is marked, and the page says why.
    PublicPhoto.objects.all().delete()
    response = client.post("/publishing/victim/V-000101/photo/", {
        "evidence": files["drawn.jpg"].pk, "consent_basis": "written",
        "consent_note": "Mother"}, follow=True)  # fmt: skip
    assert "Confirm that consent" in response.content.decode()
    assert not PublicPhoto.objects.exists()
    assert Evidence.objects.filter(pk=files["drawn.jpg"].pk, deleted_at__isnull=True).exists()
