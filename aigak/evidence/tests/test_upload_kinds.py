"""Which files become evidence: real files of each kind, through the form and through tus.

The name must agree with the type the bytes show; programs, scripts, HTML, SVG and zip
archives holding any of them are refused and leave nothing stored. Files stored before
these checks are served as inert downloads under a safe name.
"""

from __future__ import annotations

import html
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aigak.evidence import actions
from aigak.evidence.models import Evidence
from aigak.evidence.storage import store
from aigak.evidence.tests.conftest import PNG
from aigak.evidence.tests.test_tus import Tus, nothing_stored

MZ = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(64)
CLASS = b"\xca\xfe\xba\xbe\x00\x00\x00\x34" + bytes(32)


def zipped(**members: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name.replace("__", "/"), data)
    return out.getvalue()


def docx() -> bytes:
    from docx import Document

    out = io.BytesIO()
    document = Document()
    document.add_paragraph("Witness statement, 5 January 2022.")
    document.save(out)
    return out.getvalue()


def jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 20, 30)).save(out, "JPEG")
    return out.getvalue()


SCRIPT = b"@echo off\r\ndel /q C:\\Users\\*\r\n"
# fmt: off
REFUSED = [
    ("wipe.bat", SCRIPT),
    ("wipe.cmd", SCRIPT),
    ("run.ps1", b"Remove-Item -Recurse C:\\Users\n"),
    ("run.sh", b"rm -rf ~\n"),
    ("open.js", b"WScript.CreateObject('WScript.Shell').Run('calc');\n"),
    ("open.vbs", b'CreateObject("WScript.Shell").Run "calc"\n'),
    ("tool.jar", zipped(META_INF__MANIFEST_MF=b"Main-Class: Main\n", Main_class=CLASS)),
    ("tool.zip", zipped(META_INF__MANIFEST_MF=b"Main-Class: Main\n", **{"Main.class": CLASS})),
    ("photos.zip", zipped(**{"setup.exe": MZ, "a.txt": b"hello"})),
    ("photos.zip", zipped(**{"holiday.jpg": MZ})),  # an executable under an image's name
    ("photos.zip", zipped(**{"inner.zip": zipped(**{"run.bat": SCRIPT})})),
    ("page.html", b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"),
    ("page.txt", b"<html><body onload=alert(1)>notes</body></html>"),
    ("image.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    ("image.png", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'),
    ("photo.jpg", zipped(**{"a.txt": b"hello"})),  # the name says image, the bytes zip
    ("scan.pdf", b"Interview notes\n"),
    ("notes.exe.txt", MZ),
]
ACCEPTED = [
    ("photo.png", PNG, "image/png"),
    ("photo.jpeg", jpeg(), "image/jpeg"),
    ("photo.png", jpeg(), "image/jpeg"),  # one image type for another: still an image
    ("statement.docx", docx(),
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("bundle.zip", zipped(**{"notes.txt": b"hello", "scan.png": PNG}), "application/zip"),
    ("notes.txt", "Интервью, 5 января\n".encode(), "text/plain"),
    ("list.csv", b"name,date\nA,2022-01-05\n", "text/plain"),
    ("no-extension", b"Interview notes\n", "text/plain"),
]
# fmt: on


@pytest.mark.parametrize("name, content", REFUSED)
def test_the_form_refuses_programs_markup_and_wrong_names(
    client, documenter, evidence_root, name, content
):
    client.force_login(documenter)
    response = client.post("/evidence/upload/", {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    assert nothing_stored(evidence_root)


@pytest.mark.parametrize("name, content, content_type", ACCEPTED)
def test_the_form_takes_documents_images_and_text(
    client, documenter, evidence_root, name, content, content_type
):
    client.force_login(documenter)
    response = client.post("/evidence/upload/", {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302, response.content
    evidence = Evidence.objects.get()
    assert (evidence.content_type, evidence.original_name) == (content_type, name)


@pytest.mark.parametrize(
    "name, content",
    [("photos.zip", zipped(**{"setup.exe": MZ})), ("wipe.bat", SCRIPT), REFUSED[11]],
)
def test_tus_refuses_them_too(client, documenter, token_of, evidence_root, name, content):
    location, response = Tus(client, token_of(documenter)).upload(content, filename=name)
    assert response.status_code == 415
    assert nothing_stored(evidence_root)


def test_a_file_stored_before_the_checks_downloads_inert(client, documenter, tmp_path):
    """An HTML page taken in as text before names were checked: never shown as a page."""
    page = b"<html><script>alert(1)</script></html>"
    partial = tmp_path / "page.part"
    partial.write_bytes(page)
    sha = __import__("hashlib").sha256(page).hexdigest()
    store().put(partial, sha)
    evidence, _ = actions.take_in(
        documenter, sha, len(page), "text/plain", name="../../Evil<b>.html", via="form"
    )
    client.force_login(documenter)
    for query in ("", "?download=1"):
        response = client.get(f"/evidence/{evidence.pk}/file{query}")
        assert response.status_code == 200
        assert response["Content-Type"] == "text/plain"
        assert response["Content-Disposition"] == 'attachment; filename="Evil_b_.html.txt"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.parametrize("size, thumbnail", [((4000, 3000), True), ((8000, 6500), False)])
def test_no_thumbnail_of_an_image_over_50_megapixels(client, documenter, size, thumbnail):
    from PIL import Image

    out = io.BytesIO()
    Image.new("1", size).save(out, "PNG")  # a bitmap: a few kilobytes however many pixels
    evidence = actions.attach_small_file(
        documenter, SimpleUploadedFile("big.png", out.getvalue()), name="big.png"
    )
    client.force_login(documenter)
    response = client.get(f"/evidence/{evidence.pk}/thumbnail")
    assert response.status_code == (200 if thumbnail else 404)


@pytest.mark.parametrize(
    ("language", "name", "content", "said"),
    [("ru", "photos.zip", zipped(**{"setup.exe": MZ}),
      "архив содержит 'setup.exe': программы, сценарии и веб-страницы не принимаются"),
     ("ru", "photos.zip", zipped(**{"holiday.jpg": MZ}),
      "архив содержит 'holiday.jpg' — исполняемый файл Windows (PE/MZ)"),
     ("ru", "photo.jpg", zipped(**{"a.txt": b"hello"}),
      "имя оканчивается на .jpg, но файл имеет тип application/zip"),
     ("kk", "wipe.bat", SCRIPT,
      ".bat кеңейтімді файлдар қабылданбайды: олар бағдарламалар немесе сценарийлер")],
)  # fmt: skip
def test_why_a_file_is_refused_is_said_in_the_readers_language(
    client, documenter, token_of, evidence_root, language, name, content, said
):
    client.force_login(documenter)
    client.cookies["django_language"] = language
    response = client.post("/evidence/upload/", {"file": SimpleUploadedFile(name, content)})
    assert said in html.unescape(response.content.decode())
    _location, refused = Tus(client, token_of(documenter)).upload(content, filename=name)
    assert refused.status_code == 415 and said in refused.content.decode()
