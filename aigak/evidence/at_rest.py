"""Evidence encrypted at rest: AES-256-GCM in fixed-size chunks, read back chunk by chunk.

When `AIGAK_EVIDENCE_KEY_FILE` names a file holding a 32-byte key (base64 or hex), the
local store writes each file as a header followed by chunks of `CHUNK` plaintext bytes,
each sealed with AES-256-GCM. A chunk's nonce is the file's random 8-byte prefix and the
chunk's 4-byte counter; its associated data is the header, the chunk's index and a flag
marking the last chunk, so chunks can be neither swapped, reordered, nor cut off. A reader
decrypts only the chunks it reads, so range playback seeks as before. The content address
stays the SHA-256 of the plaintext.

The size of the plaintext follows from the size of the stored file:

>>> plain_size(HEADER_SIZE + TAG)  # an empty file is one empty, last chunk
0
>>> plain_size(HEADER_SIZE + 2 * TAG + CHUNK + 10)
65546
"""

from __future__ import annotations

import base64
import binascii
import io
import os
import struct
from pathlib import Path
from typing import BinaryIO

from django.core.exceptions import ImproperlyConfigured

MAGIC = b"AIGAKEV1"
CHUNK = 64 * 1024
TAG = 16
PREFIX_SIZE = 8
HEADER = struct.Struct(">8sI8s")  # magic, chunk size, nonce prefix
HEADER_SIZE = HEADER.size


class DamagedChunk(OSError):
    """A chunk failed its authentication: the stored bytes were changed."""


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def load_key(key_file: str, *folders: str | os.PathLike[str]) -> bytes:
    """The 32-byte key in `key_file`; refused when it is unreadable, malformed or inside
    one of `folders` (the data folder, the evidence folder), where a copy of the data would
    carry its own key."""
    path = Path(key_file).expanduser().resolve()
    for folder in folders:
        if _inside(path, Path(folder).expanduser().resolve()):
            raise ImproperlyConfigured(
                f"AIGAK_EVIDENCE_KEY_FILE {path} is inside {folder}: keep the key outside "
                "the data and evidence folders, or a copy of the data carries its key"
            )
    try:
        text = path.read_bytes().strip()
    except OSError as problem:
        raise ImproperlyConfigured(
            f"AIGAK_EVIDENCE_KEY_FILE {path} cannot be read: {problem.strerror}"
        ) from None
    for decode in (bytes.fromhex, base64.b64decode):
        try:
            key = decode(text.decode("ascii"))  # type: ignore[operator]
        except (ValueError, binascii.Error, UnicodeDecodeError):
            continue
        if len(key) == 32:
            return key
    raise ImproperlyConfigured(
        f"AIGAK_EVIDENCE_KEY_FILE {path} must hold a 32-byte key in hex or base64 "
        "(for example the output of `openssl rand -base64 32`)"
    )


def _associated(header: bytes, index: int, last: bool) -> bytes:
    return header + struct.pack(">QB", index, int(last))


def _nonce(prefix: bytes, index: int) -> bytes:
    return prefix + struct.pack(">I", index)


def encrypt_file(key: bytes, source: BinaryIO, target: BinaryIO, size: int) -> None:
    """Write `size` bytes of `source` to `target`, encrypted chunk by chunk."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    aead = AESGCM(key)
    header = HEADER.pack(MAGIC, CHUNK, os.urandom(PREFIX_SIZE))
    prefix = header[-PREFIX_SIZE:]
    target.write(header)
    count = max(1, -(-size // CHUNK))
    if count >= 2**32:
        raise ValueError("file too large for one chunk counter")
    for index in range(count):
        data = source.read(CHUNK)
        last = index == count - 1
        if len(data) != (size - index * CHUNK if last else CHUNK):
            raise OSError(f"the source ended early at chunk {index}")
        target.write(aead.encrypt(_nonce(prefix, index), data, _associated(header, index, last)))


def is_encrypted(handle: BinaryIO) -> bool:
    """Whether an open stored file starts with the header (leaves it at the start)."""
    start = handle.read(len(MAGIC))
    handle.seek(0)
    return start == MAGIC


def plain_size(stored_size: int) -> int:
    body = stored_size - HEADER_SIZE
    count = max(1, -(-body // (CHUNK + TAG)))
    return body - count * TAG


class EncryptedReader(io.RawIOBase):
    """A seekable read-only view of the plaintext of an encrypted stored file."""

    def __init__(self, raw: BinaryIO, key: bytes):
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self.raw = raw
        self.aead = AESGCM(key)
        self.header = raw.read(HEADER_SIZE)
        magic, chunk, self.prefix = HEADER.unpack(self.header)
        if magic != MAGIC or chunk != CHUNK:
            raise DamagedChunk("not an encrypted evidence file of this format")
        self.length = plain_size(os.fstat(raw.fileno()).st_size)
        self.count = max(1, -(-self.length // CHUNK))
        self.position = 0
        self.cached: tuple[int, bytes] | None = None

    def _chunk(self, index: int) -> bytes:
        if self.cached is not None and self.cached[0] == index:
            return self.cached[1]
        from cryptography.exceptions import InvalidTag

        self.raw.seek(HEADER_SIZE + index * (CHUNK + TAG))
        sealed = self.raw.read(CHUNK + TAG)
        last = index == self.count - 1
        try:
            data = self.aead.decrypt(
                _nonce(self.prefix, index), sealed, _associated(self.header, index, last)
            )
        except InvalidTag:
            raise DamagedChunk(f"chunk {index} of the stored file failed its check") from None
        self.cached = (index, data)
        return data

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self.position, 2: self.length}[whence]
        self.position = max(0, base + offset)
        return self.position

    def tell(self) -> int:
        return self.position

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def, override]
        view = memoryview(buffer).cast("B")
        done = 0
        while done < len(view) and self.position < self.length:
            index, skip = divmod(self.position, CHUNK)
            data = self._chunk(index)[skip : skip + len(view) - done]
            view[done : done + len(data)] = data
            done += len(data)
            self.position += len(data)
        return done

    def read(self, size: int = -1) -> bytes:
        wanted = self.length - self.position if size is None or size < 0 else size
        buffer = bytearray(max(0, min(wanted, self.length - self.position)))
        n = self.readinto(buffer)
        return bytes(buffer[:n])

    def close(self) -> None:
        self.raw.close()
        super().close()
