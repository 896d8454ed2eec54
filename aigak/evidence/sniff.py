"""What a file is, judged from its first bytes (never its name), and whether it is allowed.

>>> refused_executable(b"\\x7fELF\\x02\\x01")
'an ELF executable'
>>> refused_executable(b"#!/bin/sh\\n")
'a script (#!)'
>>> refused_executable(b"\\x89PNG") is None
True
>>> sniff(b"Interview notes, 5 January\\n")
'text/plain'
>>> sniff(b"\\x00\\x01\\x02 binary junk")
'application/octet-stream'
"""

from __future__ import annotations

import codecs

import filetype
from django.conf import settings

# filetype reads at most this many bytes; a type decision waits until they arrived.
SNIFF_BYTES = 8192

EXECUTABLE_MAGIC: list[tuple[bytes, str]] = [
    (b"\x7fELF", "an ELF executable"),
    (b"MZ", "a Windows (PE/MZ) executable"),
    (b"\xfe\xed\xfa\xce", "a Mach-O executable"),
    (b"\xfe\xed\xfa\xcf", "a Mach-O executable"),
    (b"\xce\xfa\xed\xfe", "a Mach-O executable"),
    (b"\xcf\xfa\xed\xfe", "a Mach-O executable"),
    (b"\xca\xfe\xba\xbe", "a Mach-O universal binary or Java class"),
    (b"#!", "a script (#!)"),
]
# Enough bytes to decide on every magic above.
EXECUTABLE_BYTES = 4

DEFAULT_ALLOWED_TYPES = (
    "image/*",
    "video/*",
    "audio/*",
    "text/plain",
    "application/pdf",
    "application/rtf",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "application/epub+zip",
    "application/zip",
)


def refused_executable(head: bytes) -> str | None:
    """What kind of executable the first bytes show, or None."""
    for magic, what in EXECUTABLE_MAGIC:
        if head.startswith(magic):
            return what
    return None


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        # final=False: the sample may end inside a multi-byte character.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def sniff(head: bytes) -> str:
    """The MIME type the content shows; text/plain for UTF-8 text, else octet-stream."""
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime
    if head and _looks_like_text(head):
        return "text/plain"
    return "application/octet-stream"


def allowed_types() -> tuple[str, ...]:
    """`AIGAK_EVIDENCE_ALLOWED_TYPES` when set, else the shipped list."""
    return tuple(settings.EVIDENCE_ALLOWED_TYPES or DEFAULT_ALLOWED_TYPES)


def is_allowed(content_type: str) -> bool:
    for pattern in allowed_types():
        if pattern.endswith("/*"):
            if content_type.startswith(pattern[:-1]):
                return True
        elif content_type == pattern:
            return True
    return False


def refusal(head: bytes, complete: bool) -> tuple[str, str | None]:
    """(sniffed type or "", reason to refuse or None) for the bytes that arrived so far.

    The type is "" while too few bytes arrived to decide.
    """
    if len(head) >= EXECUTABLE_BYTES or complete:
        what = refused_executable(head)
        if what:
            return "application/x-executable", f"executables are not accepted: this is {what}"
    if len(head) < SNIFF_BYTES and not complete:
        return "", None
    content_type = sniff(head[:SNIFF_BYTES])
    if not is_allowed(content_type):
        return content_type, f"files of type {content_type} are not accepted as evidence"
    return content_type, None
