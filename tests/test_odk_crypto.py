"""ODK encrypted submissions: ODK Collect's own submissions open, and ours round-trip."""

import hashlib
import io
from pathlib import Path

import pytest

from aigak.lib import odk_crypto
from aigak.lib.odk_crypto import (
    EncryptedSubmission,
    OdkCryptoError,
    decrypt_submission,
    encrypt_submission,
    generate_keypair,
)

BRIEFCASE = Path(__file__).parent / "data" / "odk_briefcase"
PHOTOS = {
    "1538040007350.jpg": "9c3041290f1d997fc2e3fd1462919bcb406d3fa2719f8f10089a0da614cc44ac",
    "1538040019351.jpg": "5579cf514ca5fc34e037509c1f573eb30c1291235ad43a0c3427a58ec4ecf4eb",
}
INSTANCE = b"""<?xml version='1.0' ?><victim id="victim_v1" version="2024-05"><name>Asel</name>
<photo>face.jpg</photo><meta><instanceID>uuid:0f2c</instanceID></meta></victim>"""


@pytest.fixture(scope="module")
def keypair():
    return generate_keypair()


def briefcase_key():
    return (BRIEFCASE / "encrypted-form-key.pem").read_bytes()


def briefcase_media_files():
    return {
        "submission.xml.enc": (BRIEFCASE / "encrypted-form-media-submission.xml.enc").read_bytes(),
        **{
            f"{name}.enc": (BRIEFCASE / f"encrypted-form-media-{name}.enc").read_bytes()
            for name in PHOTOS
        },
    }


def test_it_opens_a_submission_made_by_odk_collect():
    manifest = (BRIEFCASE / "encrypted-form-submission.xml").read_bytes()
    encrypted = (BRIEFCASE / "encrypted-form-submission.xml.enc").read_bytes()
    opened = decrypt_submission(briefcase_key(), manifest, {"submission.xml.enc": encrypted})
    assert b"<name>Guillermo</name>" in opened.xml
    assert opened.instance_id == "uuid:494cd080-3bf4-47be-b40f-c706a950d58a"
    assert opened.form_id == "encrypted-form"
    assert opened.version is None
    assert opened.media == {}


def test_it_opens_odk_collect_photos_byte_for_byte():
    manifest = (BRIEFCASE / "encrypted-form-media-submission.xml").read_bytes()
    opened = decrypt_submission(briefcase_key(), manifest, briefcase_media_files())
    assert b"<image1>1538040019351.jpg</image1>" in opened.xml
    assert {name: hashlib.sha256(data).hexdigest() for name, data in opened.media.items()} == (
        PHOTOS
    )


def test_it_refuses_an_odk_collect_photo_swapped_for_another():
    manifest = (BRIEFCASE / "encrypted-form-media-submission.xml").read_bytes()
    files = briefcase_media_files()
    files["1538040007350.jpg.enc"] = files["1538040019351.jpg.enc"]
    with pytest.raises(OdkCryptoError, match="signature does not match"):
        decrypt_submission(briefcase_key(), manifest, files)


def test_it_round_trips_what_it_encrypts(keypair):
    private_pem, public_pem = keypair
    media = {"face.jpg": b"\xff\xd8photo" * 1000, "voice.m4a": b"audio"}
    manifest, files = encrypt_submission(
        public_pem, INSTANCE, media, form_id="victim_v1", version="2024-05", instance_id="uuid:0f2c"
    )
    assert odk_crypto.is_encrypted(manifest)
    assert set(files) == {"face.jpg.enc", "voice.m4a.enc", "submission.xml.enc"}
    assert b"Asel" not in b"".join(files.values()) + manifest
    opened = decrypt_submission(private_pem, manifest, files)
    assert (opened.xml, opened.media) == (INSTANCE, media)
    assert (opened.form_id, opened.version, opened.instance_id) == (
        "victim_v1",
        "2024-05",
        "uuid:0f2c",
    )


def test_the_public_key_may_be_the_bare_base64_of_a_form(keypair):
    private_pem, public_pem = keypair
    bare = odk_crypto.base64_public_key(public_pem)
    manifest, files = encrypt_submission(
        bare, INSTANCE, {}, form_id="victim_v1", version=None, instance_id="uuid:1"
    )
    assert decrypt_submission(private_pem, manifest, files).xml == INSTANCE


def encrypted(public_pem, media=None):
    return encrypt_submission(
        public_pem,
        INSTANCE,
        media if media is not None else {"face.jpg": b"photo bytes"},
        form_id="victim_v1",
        version="1",
        instance_id="uuid:0f2c",
    )


def test_a_wrong_key_is_named(keypair):
    manifest, files = encrypted(keypair[1])
    other_private, _ = generate_keypair()
    with pytest.raises(OdkCryptoError, match="wrong private key"):
        decrypt_submission(other_private, manifest, files)


def test_a_missing_file_is_named(keypair):
    manifest, files = encrypted(keypair[1])
    del files["face.jpg.enc"]
    with pytest.raises(OdkCryptoError, match=r"missing file: face\.jpg\.enc"):
        decrypt_submission(keypair[0], manifest, files)


@pytest.mark.parametrize("name", ["face.jpg.enc", "submission.xml.enc"])
def test_a_flipped_byte_is_caught(keypair, name):
    manifest, files = encrypted(keypair[1])
    damaged = bytearray(files[name])
    damaged[3] ^= 0x01
    files[name] = bytes(damaged)
    with pytest.raises(OdkCryptoError, match="altered"):
        decrypt_submission(keypair[0], manifest, files)


def test_an_altered_manifest_is_caught(keypair):
    manifest, files = encrypted(keypair[1])
    with pytest.raises(OdkCryptoError, match="signature does not match"):
        decrypt_submission(keypair[0], manifest.replace(b'version="1"', b'version="2"'), files)


@pytest.mark.parametrize(
    ("manifest", "reason"),
    [
        (b"<data", "not well-formed"),
        (b'<data id="f"><base64EncryptedKey>x</base64EncryptedKey></data>', "encrypted="),
        (b'<data encrypted="yes"/>', "no form id"),
        (b'<data id="f" encrypted="yes"/>', "no meta/instanceID"),
        (
            b'<!DOCTYPE d [<!ENTITY a "aaaa">]><data id="f" encrypted="yes">&a;</data>',
            "document type",
        ),
        (
            b'<data id="f" encrypted="yes" instanceID="uuid:1"><base64EncryptedKey>a'
            b"</base64EncryptedKey><media><file>../x.enc</file></media><encryptedXmlFile>"
            b"submission.xml.enc</encryptedXmlFile><base64EncryptedElementSignature>a"
            b"</base64EncryptedElementSignature></data>",
            "not a plain name",
        ),
    ],
)
def test_a_bad_manifest_is_refused_with_the_reason(manifest, reason):
    with pytest.raises(OdkCryptoError, match=reason):
        odk_crypto.parse_manifest(manifest)


def test_a_large_file_streams_in_chunks(keypair):
    private_pem, public_pem = keypair
    video = bytes(range(256)) * 40_000 + b"tail"
    manifest, files = encrypted(public_pem, {"clip.mp4": video})
    opened = EncryptedSubmission.open(private_pem, manifest)
    out = io.BytesIO()
    size = opened.decrypt_stream("clip.mp4.enc", io.BytesIO(files["clip.mp4.enc"]), out, 4096)
    assert size == len(video) and out.getvalue() == video
    with pytest.raises(OdkCryptoError, match="missing file: submission.xml.enc"):
        opened.verify()
    opened.decrypt_stream(
        "submission.xml.enc", io.BytesIO(files["submission.xml.enc"]), io.BytesIO()
    )
    opened.verify()


def test_the_iv_steps_one_byte_per_file():
    seed = hashlib.md5(b"uuid:1" + bytes(32)).digest()
    third = odk_crypto.file_iv("uuid:1", bytes(32), 2)
    assert [(third[i] - seed[i]) % 256 for i in range(16)] == [1, 1, 1] + [0] * 13
