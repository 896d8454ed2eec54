"""Evidence in an S3 bucket (django-storages), against moto's in-process S3.

Skipped unless django-storages, boto3 and moto are installed (they are optional).
"""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

pytest.importorskip("storages.backends.s3")
moto = pytest.importorskip("moto")

from aigak.evidence import actions, storage  # noqa: E402
from aigak.evidence.tests.conftest import mp4_bytes  # noqa: E402
from aigak.evidence.verification import verify  # noqa: E402

VIDEO = mp4_bytes(300_000)


@pytest.fixture
def bucket(monkeypatch):
    import boto3

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AIGAK_S3_BUCKET", "aigak-evidence")
    with moto.mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="aigak-evidence")
        storage._store.cache_clear()
        yield boto3.client("s3", region_name="us-east-1")
        storage._store.cache_clear()


def test_evidence_goes_to_the_bucket_and_plays_from_it(bucket, client, documenter, evidence_root):
    evidence = actions.attach_small_file(
        documenter, SimpleUploadedFile("v.mp4", VIDEO), name="v.mp4"
    )
    key = f"evidence/{evidence.sha256[:2]}/{evidence.sha256}"
    assert bucket.get_object(Bucket="aigak-evidence", Key=key)["Body"].read() == VIDEO
    assert not list(evidence_root.glob("??/*"))  # nothing kept on local disk
    client.force_login(documenter)
    part = client.get(f"/evidence/{evidence.pk}/file", headers={"Range": "bytes=1000-1999"})
    assert part.status_code == 206
    assert b"".join(part.streaming_content) == VIDEO[1000:2000]
    assert list(storage.store().names()) == [evidence.sha256]
    assert [f.status for f in verify()] == ["ok"]
    bucket.put_object(Bucket="aigak-evidence", Key=key, Body=b"changed")
    assert [f.status for f in verify()] == ["changed"]
    bucket.delete_object(Bucket="aigak-evidence", Key=key)
    assert [f.status for f in verify()] == ["missing"]
    assert hashlib.sha256(VIDEO).hexdigest() == evidence.sha256
