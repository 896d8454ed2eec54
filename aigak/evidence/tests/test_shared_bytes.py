"""Identical bytes from someone who may not see the existing evidence reveal nothing about it.

The file is stored once, but each such uploader gets their own evidence row (own name,
provenance, team, records and custody log); deleting one row keeps the bytes for others.
"""

from __future__ import annotations

import hashlib

import pytest

from aigak.evidence import actions
from aigak.evidence.models import Evidence
from aigak.evidence.tests.conftest import mp4_bytes
from aigak.evidence.tests.test_tus import Tus
from aigak.evidence.verification import OK, verify

DATA = mp4_bytes(30_000, seed=7)
SHA = hashlib.sha256(DATA).hexdigest()
SECRET = {
    "filename": "witness-K-interview.mp4",
    "captured_by": "Field team North",
    "captured_where": "Village of Kerbulak",
    "source": "phone of the witness's brother",
    "description": "the witness names the officer",
}


@pytest.fixture
def first(client, documenter, token_of, record_of):
    """The documenter's evidence, with provenance and a record, uploaded through tus."""
    documenter.username = "amina_k"  # a name the stranger's pages would not show otherwise
    documenter.save(update_fields=["username"])
    record = record_of(documenter)
    location, done = Tus(client, token_of(documenter)).upload(DATA, record=str(record.pk), **SECRET)
    assert done.status_code == 204, done.content
    evidence = Evidence.objects.get()
    assert evidence.links.get().record == record
    client.logout()
    return evidence


def test_a_stranger_uploading_the_same_bytes_learns_nothing(
    client, first, outsider, token_of, evidence_root
):
    tus = Tus(client, token_of(outsider))
    location, done = tus.upload(DATA, filename="my-copy.mp4")
    assert done.status_code == 204, done.content
    own = Evidence.objects.exclude(pk=first.pk).get()
    assert done["Aigak-Evidence-Url"] == f"/evidence/{own.pk}/"
    assert (own.sha256, own.original_name, own.uploaded_by, own.team) == (
        SHA,
        "my-copy.mp4",
        outsider,
        None,
    )
    assert (own.captured_by, own.source, own.description) == ("", "", "")
    assert not own.links.exists()
    uploads = own.custody.filter(action="upload")
    assert [(e.user, e.metadata["duplicate"]) for e in uploads] == [(outsider, False)]

    client.force_login(outsider)
    page = client.get(f"/evidence/{own.pk}/").content.decode()
    listing = client.get("/evidence/").content.decode()
    head = client.head(location, headers=tus.headers)
    shown = page + listing + str(dict(head.headers))
    for secret in [
        *SECRET.values(),
        first.uploaded_by.username,
        first.links.get().record.record_id,
    ]:
        assert secret not in shown
    assert "my-copy.mp4" in page
    assert client.get(f"/evidence/{first.pk}/").status_code == 404
    assert client.get(f"/evidence/{first.pk}/file").status_code == 404
    # Stored once all the same.
    assert [p.name for p in evidence_root.glob("??/*")] == [SHA]


def test_a_teammate_uploading_the_same_bytes_gets_the_same_evidence(
    client, first, teammate, token_of
):
    Tus(client, token_of(teammate)).upload(DATA, filename="again.mp4")
    assert Evidence.objects.get() == first
    uploads = first.custody.filter(action="upload")
    assert [e.metadata["duplicate"] for e in uploads] == [False, True]


def test_deleting_one_keeps_the_bytes_of_the_other(
    client, first, outsider, admin_user, token_of, evidence_root, django_capture_on_commit_callbacks
):
    Tus(client, token_of(outsider)).upload(DATA, filename="my-copy.mp4")
    own = Evidence.objects.exclude(pk=first.pk).get()
    stored = evidence_root / SHA[:2] / SHA
    with django_capture_on_commit_callbacks(execute=True):
        actions.delete_evidence(admin_user, first, "consent withdrawn")
    assert stored.exists()
    [finding] = verify()
    assert (finding.evidence, finding.status) == (own, OK)
    with django_capture_on_commit_callbacks(execute=True):
        actions.delete_evidence(admin_user, own, "consent withdrawn")
    assert not stored.exists()


def test_verify_hashes_a_shared_file_once_and_reports_on_both(
    client, first, outsider, token_of, monkeypatch
):
    Tus(client, token_of(outsider)).upload(DATA, filename="my-copy.mp4")
    from aigak.evidence import verification

    hashed = []
    original = verification.hash_stored
    monkeypatch.setattr(
        verification, "hash_stored", lambda sha: hashed.append(sha) or original(sha)
    )
    findings = verify()
    assert hashed == [SHA]
    assert sorted((f.evidence.pk, f.status) for f in findings) == sorted(
        (e.pk, OK) for e in Evidence.objects.all()
    )
