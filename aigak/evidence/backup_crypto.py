"""Backup encryption in the age format (pyrage), keyed from the environment.

- `AIGAK_BACKUP_PASSPHRASE`: a passphrase (age's scrypt recipient). pyrage encrypts and
  decrypts passphrase files as whole byte strings, so a passphrase backup passes through
  memory once; recipients stream.
- `AIGAK_BACKUP_RECIPIENTS`: age public keys (`age1...`), comma-separated.
- `AIGAK_BACKUP_IDENTITY`: a file of age secret keys (`AGE-SECRET-KEY-1...`), to restore
  a backup made for recipients.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pyrage
from pyrage import passphrase as age_passphrase
from pyrage import x25519

AGE_MAGIC = b"age-encryption.org/v1\n"


class BackupKeyError(Exception):
    """The keys given cannot be used (exit 2: a usage problem, nothing was written)."""


class DecryptFailed(Exception):
    """Wrong passphrase or identity, or a damaged encrypted file."""


@dataclass
class Keys:
    passphrase: str = ""
    recipients: list[x25519.Recipient] = field(default_factory=list)
    identities: list[x25519.Identity] = field(default_factory=list)

    @property
    def can_encrypt(self) -> bool:
        return bool(self.passphrase or self.recipients)


def keys_from_environment() -> Keys:
    keys = Keys(passphrase=os.environ.get("AIGAK_BACKUP_PASSPHRASE", ""))
    for text in os.environ.get("AIGAK_BACKUP_RECIPIENTS", "").split(","):
        if text.strip():
            try:
                keys.recipients.append(x25519.Recipient.from_str(text.strip()))
            except pyrage.RecipientError:
                raise BackupKeyError(
                    f"AIGAK_BACKUP_RECIPIENTS: {text.strip()[:12]}... is not an age public key"
                ) from None
    identity_file = os.environ.get("AIGAK_BACKUP_IDENTITY", "")
    if identity_file:
        try:
            lines = Path(identity_file).read_text().splitlines()
        except OSError as problem:
            raise BackupKeyError(f"AIGAK_BACKUP_IDENTITY: {problem.strerror}") from None
        for line in lines:
            if line.strip().startswith("AGE-SECRET-KEY-"):
                try:
                    keys.identities.append(x25519.Identity.from_str(line.strip()))
                except pyrage.IdentityError:
                    raise BackupKeyError(
                        "AIGAK_BACKUP_IDENTITY holds a key age cannot read"
                    ) from None
        if not keys.identities:
            raise BackupKeyError("AIGAK_BACKUP_IDENTITY holds no AGE-SECRET-KEY line")
    return keys


def is_encrypted(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(len(AGE_MAGIC)) == AGE_MAGIC


def encrypt_file(plain: Path, target: Path, keys: Keys) -> None:
    """Encrypt plain into target (created 0600): to the recipients, else the passphrase."""
    with open(private_file(target), "wb") as out:
        if keys.recipients:
            with open(plain, "rb") as source:
                pyrage.encrypt_io(source, out, keys.recipients)
        else:
            out.write(age_passphrase.encrypt(plain.read_bytes(), keys.passphrase))
        out.flush()
        os.fsync(out.fileno())


def decrypt_file(sealed: Path, target: Path, keys: Keys) -> None:
    """Decrypt sealed into target, with the identities or else the passphrase."""
    if not keys.identities and not keys.passphrase:
        raise BackupKeyError(
            "the backup is encrypted: set AIGAK_BACKUP_PASSPHRASE or AIGAK_BACKUP_IDENTITY"
        )
    try:
        with open(private_file(target), "wb") as out:
            if keys.identities:
                with open(sealed, "rb") as source:
                    pyrage.decrypt_io(source, out, keys.identities)
            else:
                out.write(age_passphrase.decrypt(sealed.read_bytes(), keys.passphrase))
    except pyrage.DecryptError as problem:
        raise DecryptFailed(
            f"cannot decrypt: wrong passphrase or identity, or a damaged file ({problem})"
        ) from None


def private_file(path: Path) -> Path:
    """path created empty, readable by its owner only whatever the umask."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    os.close(fd)
    return path
