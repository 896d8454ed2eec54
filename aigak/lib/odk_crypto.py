"""ODK's encrypted submissions: opened with the form's private key, or made as ODK Collect does.

The scheme is the one ODK publishes ("Encrypted forms" in the ODK documentation; ODK
Collect's and ODK Briefcase's sources are the reference this module was checked against):

- The form's `<submission base64RsaPublicKey="...">` holds an RSA public key
  (X.509 SubjectPublicKeyInfo, base64 DER).
- For each submission the phone draws a random 256-bit AES key and wraps it with
  RSA-OAEP (SHA-256, MGF1 with SHA-256): `base64EncryptedKey`.
- Each file (the attachments first, in the manifest's order, then `submission.xml`
  last) is encrypted with AES-256 in CFB mode (128-bit feedback) with PKCS#5 padding,
  as `NAME.enc`. The IV of the n-th file (n from 1) is the MD5 of the instanceID's UTF-8
  bytes followed by the key, with bytes 0..n-1 of it each increased by one (mod 256).
- The submission itself is a plain manifest: a root element with `encrypted="yes"`,
  `id` and `version`, `base64EncryptedKey`, `meta/instanceID`, one `media/file` per
  attachment, `encryptedXmlFile` and `base64EncryptedElementSignature`.
- The "signature" is the MD5 of the lines form id, version (when the form has one),
  `base64EncryptedKey`, instanceID, then `NAME::md5hex` of each *plaintext* file
  (name without `.enc`), each line ending in a newline; that digest is RSA-OAEP
  encrypted with the public key. It proves the files are those the phone wrote and
  catches a wrong or damaged file; anyone holding the public key could make a new,
  consistent submission, so it is no proof of who wrote it.

Files are decrypted chunk by chunk (`EncryptedSubmission.decrypt_stream`), so a video of
any size never has to fit in memory.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import os
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import BinaryIO
from xml.etree import ElementTree
from xml.sax.saxutils import escape, quoteattr

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.decrepit.ciphers.modes import CFB
from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import MGF1, OAEP
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms

MANIFEST_NAMESPACE = "http://www.opendatakit.org/xforms/encrypted"
OPENROSA_NAMESPACE = "http://openrosa.org/xforms"
ENCRYPTED_XML_NAME = "submission.xml.enc"
CHUNK_SIZE = 1 << 20
_KEY_BYTES = 32
_BLOCK_BITS = 128
_OAEP = OAEP(mgf=MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


class OdkCryptoError(ValueError):
    """An encrypted submission that cannot be opened: the message says which part and why."""


@dataclass(frozen=True)
class Manifest:
    """What the plain submission manifest of an encrypted submission says."""

    form_id: str
    version: str | None
    instance_id: str
    base64_encrypted_key: str
    media: tuple[str, ...]
    encrypted_xml_file: str
    base64_signature: str

    @property
    def files(self) -> tuple[str, ...]:
        """Every encrypted file of the submission, in the order the phone encrypted them."""
        return (*self.media, self.encrypted_xml_file)


@dataclass
class DecryptedSubmission:
    """The submission as the phone saw it: the instance XML and its attachments by name."""

    xml: bytes
    media: dict[str, bytes]
    instance_id: str
    form_id: str
    version: str | None


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _child_text(element: ElementTree.Element, name: str) -> str | None:
    for child in element:
        if _local(child.tag) == name:
            return (child.text or "").strip()
    return None


def _instance_id(root: ElementTree.Element) -> str | None:
    for child in root:
        if _local(child.tag) == "meta":
            found = _child_text(child, "instanceID")
            if found:
                return found
    return root.get("instanceID")


def parse_xml(document: bytes, what: str) -> ElementTree.Element:
    """Parse XML from a device, refusing document types (no entity expansion from outside)."""
    if b"<!DOCTYPE" in document[:4096].upper() or b"<!ENTITY" in document.upper():
        raise OdkCryptoError(f"{what}: a document type or entity declaration is not allowed")
    try:
        return ElementTree.fromstring(document)
    except ElementTree.ParseError as error:
        raise OdkCryptoError(f"{what} is not well-formed XML: {error}") from None


def is_encrypted(submission_xml: bytes) -> bool:
    """True when a submission is an encrypted-submission manifest (`encrypted="yes"`)."""
    try:
        root = parse_xml(submission_xml, "submission")
    except OdkCryptoError:
        return False
    return (root.get("encrypted") or "").lower() == "yes"


def parse_manifest(submission_xml: bytes) -> Manifest:
    """The parts of an encrypted-submission manifest, or an error naming the missing one."""
    root = parse_xml(submission_xml, "submission manifest")
    if (root.get("encrypted") or "").lower() != "yes":
        raise OdkCryptoError('submission manifest: the root element has no encrypted="yes"')
    form_id = root.get("id") or ""
    if not form_id:
        raise OdkCryptoError("submission manifest: the root element has no form id")
    instance_id = _instance_id(root)
    if not instance_id:
        raise OdkCryptoError("submission manifest: no meta/instanceID")
    parts = {}
    for name in ("base64EncryptedKey", "encryptedXmlFile", "base64EncryptedElementSignature"):
        value = _child_text(root, name)
        if not value:
            raise OdkCryptoError(f"submission manifest: no {name}")
        parts[name] = value
    media = tuple(
        (_child_text(child, "file") or "") for child in root if _local(child.tag) == "media"
    )
    names = (*media, parts["encryptedXmlFile"])
    for name in names:
        _check_file_name(name)
    if len(set(names)) != len(names):
        raise OdkCryptoError("submission manifest: a file is listed twice")
    return Manifest(
        form_id=form_id,
        version=root.get("version") or None,
        instance_id=instance_id,
        base64_encrypted_key=parts["base64EncryptedKey"],
        media=media,
        encrypted_xml_file=parts["encryptedXmlFile"],
        base64_signature=parts["base64EncryptedElementSignature"],
    )


def _check_file_name(name: str) -> None:
    if not name.endswith(".enc") or len(name) <= 4:
        raise OdkCryptoError(f"submission manifest: file {name!r} does not end in .enc")
    if "/" in name or "\\" in name or name.startswith(".") or "\x00" in name:
        raise OdkCryptoError(f"submission manifest: file name {name!r} is not a plain name")


def _b64decode(text: str, what: str) -> bytes:
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise OdkCryptoError(f"{what} is not valid base64") from None


def load_private_key(private_key_pem: bytes) -> rsa.RSAPrivateKey:
    """An RSA private key from PEM (PKCS#1 or PKCS#8, unencrypted)."""
    try:
        key = serialization.load_pem_private_key(private_key_pem, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as error:
        raise OdkCryptoError(f"the private key could not be read: {error}") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise OdkCryptoError("the private key is not an RSA key")
    return key


def load_public_key(public_key: bytes | str) -> rsa.RSAPublicKey:
    """An RSA public key from PEM or from the bare base64 DER that XLSForm settings carry."""
    data = public_key.encode() if isinstance(public_key, str) else public_key
    try:
        if b"-----BEGIN" in data:
            key = serialization.load_pem_public_key(data)
        else:
            key = serialization.load_der_public_key(_b64decode(data.decode(), "public key"))
    except (ValueError, TypeError, UnsupportedAlgorithm) as error:
        raise OdkCryptoError(f"the public key could not be read: {error}") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise OdkCryptoError("the public key is not an RSA key")
    return key


def base64_public_key(public_key: bytes | str) -> str:
    """The form of a public key that a form's `base64RsaPublicKey` attribute holds."""
    der = load_public_key(public_key).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode()


def generate_keypair(bits: int = 2048) -> tuple[bytes, bytes]:
    """A new (private PEM, public PEM) pair for an encrypted form."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private_pem, public_pem


def _iv_seed(instance_id: str, key: bytes) -> bytes:
    return hashlib.md5(instance_id.encode("utf-8") + key, usedforsecurity=False).digest()


def file_iv(instance_id: str, key: bytes, position: int) -> bytes:
    """The IV of the file encrypted at `position` (0 for the first) of a submission."""
    iv = bytearray(_iv_seed(instance_id, key))
    for step in range(position + 1):
        iv[step % len(iv)] = (iv[step % len(iv)] + 1) % 256
    return bytes(iv)


def _signature_source(manifest: Manifest, file_md5s: Iterable[tuple[str, str]]) -> bytes:
    lines = [manifest.form_id]
    if manifest.version is not None:
        lines.append(manifest.version)
    lines += [manifest.base64_encrypted_key, manifest.instance_id]
    lines += [f"{name}::{md5}" for name, md5 in file_md5s]
    return "".join(line + "\n" for line in lines).encode("utf-8")


@dataclass
class EncryptedSubmission:
    """An encrypted submission opened with the private key, its files decrypted one by one.

    `decrypt_stream` decrypts each file (any order) from a file object to another, chunk
    by chunk; `verify` then checks that every file was seen and that the signature
    matches. Use `decrypt_submission` for submissions held in memory.
    """

    manifest: Manifest
    private_key: rsa.RSAPrivateKey
    key: bytes
    plaintext_md5: dict[str, str] = field(default_factory=dict)

    @classmethod
    def open(cls, private_key_pem: bytes, submission_xml: bytes) -> EncryptedSubmission:
        manifest = parse_manifest(submission_xml)
        private_key = load_private_key(private_key_pem)
        wrapped = _b64decode(manifest.base64_encrypted_key, "base64EncryptedKey")
        try:
            key = private_key.decrypt(wrapped, _OAEP)
        except ValueError:
            raise OdkCryptoError(
                "the submission key cannot be unwrapped: wrong private key for this form"
            ) from None
        if len(key) != _KEY_BYTES:
            raise OdkCryptoError("base64EncryptedKey does not hold a 256-bit AES key")
        return cls(manifest=manifest, private_key=private_key, key=key)

    def decrypt_stream(
        self, name: str, source: BinaryIO, target: BinaryIO, chunk_size: int = CHUNK_SIZE
    ) -> int:
        """Decrypt the file `name` (as the manifest lists it) into `target`; bytes written."""
        files = self.manifest.files
        if name not in files:
            raise OdkCryptoError(f"{name}: not a file of this submission")
        iv = file_iv(self.manifest.instance_id, self.key, files.index(name))
        decryptor = Cipher(algorithms.AES(self.key), CFB(iv)).decryptor()
        unpadder = padding.PKCS7(_BLOCK_BITS).unpadder()
        md5 = hashlib.md5(usedforsecurity=False)
        written = 0
        try:
            while chunk := source.read(chunk_size):
                plain = unpadder.update(decryptor.update(chunk))
                md5.update(plain)
                target.write(plain)
                written += len(plain)
            plain = unpadder.update(decryptor.finalize()) + unpadder.finalize()
        except ValueError:
            raise OdkCryptoError(f"{name}: cannot be decrypted (damaged or altered file)") from None
        md5.update(plain)
        target.write(plain)
        self.plaintext_md5[name] = md5.hexdigest()
        return written + len(plain)

    def verify(self) -> None:
        """Check the signature over every file; raise if a file is missing or altered."""
        missing = [name for name in self.manifest.files if name not in self.plaintext_md5]
        if missing:
            raise OdkCryptoError(f"missing file: {', '.join(missing)}")
        source = _signature_source(
            self.manifest,
            ((name[: -len(".enc")], self.plaintext_md5[name]) for name in self.manifest.files),
        )
        expected = hashlib.md5(source, usedforsecurity=False).digest()
        wrapped = _b64decode(self.manifest.base64_signature, "base64EncryptedElementSignature")
        try:
            signed = self.private_key.decrypt(wrapped, _OAEP)
        except ValueError:
            raise OdkCryptoError("the signature cannot be decrypted (altered manifest)") from None
        if not secrets.compare_digest(signed, expected):
            raise OdkCryptoError(
                "the signature does not match: a file or the manifest was altered or replaced"
            )


def decrypt_submission(
    private_key_pem: bytes, submission_xml: bytes, files: Mapping[str, bytes]
) -> DecryptedSubmission:
    """Decrypt a submission whose encrypted files are given by name (`x.jpg.enc`).

    The signature is checked; a wrong key, a missing file or an altered file raises
    OdkCryptoError. Media come back under their plain names (`x.jpg`).
    """
    opened = EncryptedSubmission.open(private_key_pem, submission_xml)
    plain: dict[str, bytes] = {}
    for name in opened.manifest.files:
        if name not in files:
            raise OdkCryptoError(f"missing file: {name}")
        target = io.BytesIO()
        opened.decrypt_stream(name, io.BytesIO(files[name]), target)
        plain[name] = target.getvalue()
    opened.verify()
    manifest = opened.manifest
    return DecryptedSubmission(
        xml=plain[manifest.encrypted_xml_file],
        media={name[: -len(".enc")]: plain[name] for name in manifest.media},
        instance_id=manifest.instance_id,
        form_id=manifest.form_id,
        version=manifest.version,
    )


@dataclass
class SubmissionEncryptor:
    """A submission being encrypted as ODK Collect does, file by file, chunk by chunk.

    `encrypt_stream` each attachment in order, then `submission.xml` last; `manifest()`
    gives the plain manifest with its signature.
    """

    public_key: rsa.RSAPublicKey
    form_id: str
    version: str | None
    instance_id: str
    key: bytes = field(default_factory=lambda: os.urandom(_KEY_BYTES))
    plaintext_md5: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def new(
        cls, public_key_pem: bytes | str, *, form_id: str, version: str | None, instance_id: str
    ) -> SubmissionEncryptor:
        return cls(load_public_key(public_key_pem), form_id, version, instance_id)

    def encrypt_stream(
        self, name: str, source: BinaryIO, target: BinaryIO, chunk_size: int = CHUNK_SIZE
    ) -> None:
        """Encrypt the plain file `name` (written as `name.enc` by the caller)."""
        iv = file_iv(self.instance_id, self.key, len(self.plaintext_md5))
        encryptor = Cipher(algorithms.AES(self.key), CFB(iv)).encryptor()
        padder = padding.PKCS7(_BLOCK_BITS).padder()
        md5 = hashlib.md5(usedforsecurity=False)
        while chunk := source.read(chunk_size):
            md5.update(chunk)
            target.write(encryptor.update(padder.update(chunk)))
        target.write(encryptor.update(padder.finalize()) + encryptor.finalize())
        self.plaintext_md5.append((name, md5.hexdigest()))

    def manifest(self) -> bytes:
        names = [name for name, _ in self.plaintext_md5]
        if not names or names[-1] != "submission.xml":
            raise OdkCryptoError("submission.xml must be encrypted last")
        manifest = Manifest(
            form_id=self.form_id,
            version=self.version,
            instance_id=self.instance_id,
            base64_encrypted_key=base64.b64encode(
                self.public_key.encrypt(self.key, _OAEP)
            ).decode(),
            media=tuple(f"{name}.enc" for name in names[:-1]),
            encrypted_xml_file=ENCRYPTED_XML_NAME,
            base64_signature="",
        )
        source = _signature_source(manifest, self.plaintext_md5)
        digest = hashlib.md5(source, usedforsecurity=False).digest()
        signature = base64.b64encode(self.public_key.encrypt(digest, _OAEP)).decode()
        return _manifest_xml(manifest, signature)


def encrypt_submission(
    public_key_pem: bytes | str,
    instance_xml: bytes,
    media: Mapping[str, bytes],
    *,
    form_id: str,
    version: str | None,
    instance_id: str,
) -> tuple[bytes, dict[str, bytes]]:
    """Encrypt a submission as ODK Collect does: (manifest XML, encrypted files by name)."""
    encryptor = SubmissionEncryptor.new(
        public_key_pem, form_id=form_id, version=version, instance_id=instance_id
    )
    encrypted = {}
    for name, data in [*media.items(), ("submission.xml", instance_xml)]:
        out = io.BytesIO()
        encryptor.encrypt_stream(name, io.BytesIO(data), out)
        encrypted[f"{name}.enc"] = out.getvalue()
    return encryptor.manifest(), encrypted


def _manifest_xml(manifest: Manifest, signature: str) -> bytes:
    version = f" version={quoteattr(manifest.version)}" if manifest.version is not None else ""
    media = "".join(f"<media><file>{escape(name)}</file></media>\n" for name in manifest.media)
    return (
        f"<?xml version='1.0' encoding='UTF-8' ?>"
        f'<data xmlns="{MANIFEST_NAMESPACE}" id={quoteattr(manifest.form_id)}{version}'
        f' encrypted="yes">'
        f"<base64EncryptedKey>{manifest.base64_encrypted_key}</base64EncryptedKey>"
        f'<orx:meta xmlns:orx="{OPENROSA_NAMESPACE}">'
        f"<orx:instanceID>{escape(manifest.instance_id)}</orx:instanceID></orx:meta>\n"
        f"{media}"
        f"<encryptedXmlFile>{ENCRYPTED_XML_NAME}</encryptedXmlFile>"
        f"<base64EncryptedElementSignature>{signature}</base64EncryptedElementSignature>"
        f"</data>"
    ).encode()
