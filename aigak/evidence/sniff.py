"""What a file is, judged from its bytes, and whether it is allowed as evidence.

The type comes from the bytes (never the name); the name must then agree with it
(`file_refusal`): a `.jpg` that is a zip is refused. Always refused, whatever
`AIGAK_EVIDENCE_ALLOWED_TYPES` says: executables (by their bytes), names of scripts and
programs (`.bat`, `.ps1`, `.sh`, `.js`, `.jar`, `.exe`...), HTML, SVG and XML markup
(they run scripts when a browser opens them), and zip archives (including Office and
OpenDocument files) holding any of these.

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
import io
import mimetypes
import os
import zipfile
from pathlib import Path
from typing import IO, Any

import filetype
from django.conf import settings
from django.utils.translation import gettext_noop

from aigak.questionnaires.answer_types import said, template_pattern, words

# filetype reads at most this many bytes; a type decision waits until they arrived.
SNIFF_BYTES = 8192

MACH_O = gettext_noop("a Mach-O executable")
EXECUTABLE_MAGIC: list[tuple[bytes, str]] = [
    (b"\x7fELF", gettext_noop("an ELF executable")),
    (b"MZ", gettext_noop("a Windows (PE/MZ) executable")),
    (b"\xfe\xed\xfa\xce", MACH_O),
    (b"\xfe\xed\xfa\xcf", MACH_O),
    (b"\xce\xfa\xed\xfe", MACH_O),
    (b"\xcf\xfa\xed\xfe", MACH_O),
    (b"\xca\xfe\xba\xbe", gettext_noop("a Mach-O universal binary or Java class")),
    (b"#!", gettext_noop("a script (#!)")),
]
# Why a file is refused: English templates, said again in a reader's language
# (`reason_said`). The more particular first: `reason_said` takes the first that fits.
EXECUTABLE = gettext_noop("executables are not accepted: this is %(what)s")
MARKUP = gettext_noop("HTML, SVG and XML files are not accepted: a browser runs them")
NOT_ALLOWED = gettext_noop("files of type %(type)s are not accepted as evidence")
PROGRAM_NAME = gettext_noop(
    "files named %(extension)s are not accepted: they are programs or scripts"
)
MARKUP_NAME = gettext_noop("files named %(extension)s are not accepted: a browser runs them")
MISNAMED = gettext_noop("the name ends in %(extension)s, but the file is %(type)s")
HOLDS_PROGRAM = gettext_noop(
    "the archive holds %(inner)s: programs, scripts and pages are not accepted"
)
UNREADABLE = gettext_noop("the archive's %(inner)s cannot be read (encrypted or damaged)")
TOO_DEEP = gettext_noop("the archive holds %(inner)s, an archive too deep or large to check")
HOLDS_EXECUTABLE = gettext_noop("the archive holds %(inner)s, %(what)s")
REASONS = (
    EXECUTABLE, MARKUP, NOT_ALLOWED, PROGRAM_NAME, MARKUP_NAME, MISNAMED,
    HOLDS_PROGRAM, UNREADABLE, TOO_DEEP, HOLDS_EXECUTABLE,
)  # fmt: skip
EXECUTABLE_NAMES = frozenset(what for _magic, what in EXECUTABLE_MAGIC)
# Enough bytes to decide on every magic above.
EXECUTABLE_BYTES = 4

ZIP_TYPES = frozenset(
    [
        "application/zip",
        "application/epub+zip",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
    ]
)
OLE_TYPES = frozenset(
    ["application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint"]
)
DEFAULT_ALLOWED_TYPES = (
    "image/*",
    "video/*",
    "audio/*",
    "text/plain",
    "application/pdf",
    "application/rtf",
    *sorted(OLE_TYPES),
    *sorted(ZIP_TYPES),
)


# Names a system runs (or installs, or opens as a program) when the file is opened.
PROGRAM_EXTENSIONS = frozenset(
    ".bat .cmd .com .exe .dll .scr .pif .cpl .msi .msp .msc .hta .lnk .reg .inf .gadget "
    ".ps1 .psm1 .psd1 .ps1xml .psc1 .vb .vbs .vbe .js .jse .mjs .cjs .wsf .wsh .ws .sct "
    ".jar .class .sh .bash .zsh .csh .ksh .command .run .elf .so .dylib .app .apk "
    ".deb .rpm .py .pyc .pyw .pl .rb .php .phar .cgi .application .appref-ms .url .iso "
    ".img .vhd .vhdx .docm .dotm .xlsm .xltm .xlam .pptm .potm .ppam .sldm".split()
)
# Names a browser runs as a page (scripts included).
MARKUP_EXTENSIONS = frozenset(
    ".html .htm .xhtml .shtml .xht .mht .mhtml .svg .svgz .xml .xsl .xslt .swf".split()
)
# Inside an archive: Office and OpenDocument files are zips of XML, so XML is no page there.
ARCHIVE_MARKUP = MARKUP_EXTENSIONS - {".xml", ".xsl", ".xslt"}
MARKUP_STARTS = (b"<html", b"<!doctype", b"<svg", b"<script", b"<?xml", b"<head", b"<body")
# The name's extension must belong to the family of the type the bytes show.
FAMILY_EXTENSIONS: dict[str, frozenset[str]] = {
    "text": frozenset(".txt .text .csv .tsv .tab .md .log .json .srt .vtt .eml".split()),
    "pdf": frozenset([".pdf"]),
    "rtf": frozenset([".rtf"]),
    "ole": frozenset(".doc .dot .xls .xlt .ppt .pot .pps .msg".split()),
    "zip": frozenset(".zip .docx .dotx .xlsx .xltx .pptx .potx .ppsx .odt .ods .odp .epub".split()),
    "image": frozenset(".heic .heif .avif .jxr .cr2 .dng .nef .arw .webp .jfif".split()),
    "media": frozenset(
        ".m4a .amr .3gp .3gpp .3g2 .mkv .flac .opus .oga .ogg .ogv .webm .mov .m4v .aac .wma "
        ".wmv .mp4 .mpg .mpeg .mp3 .wav .aiff .avi .flv".split()
    ),
}
# Archives inside archives are opened this deep, when no larger than this.
ARCHIVE_DEPTH = 3
NESTED_ARCHIVE_MAX = 64 * 1024 * 1024


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


def is_markup(head: bytes) -> bool:
    """Whether the bytes start like HTML, SVG or XML (which a browser would run)."""
    start = head[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith(b"<") and any(tag in start for tag in MARKUP_STARTS)


def refusal(head: bytes, complete: bool) -> tuple[str, str | None]:
    """(sniffed type or "", reason to refuse or None) for the bytes that arrived so far.

    The type is "" while too few bytes arrived to decide.
    """
    if len(head) >= EXECUTABLE_BYTES or complete:
        what = refused_executable(head)
        if what:
            return "application/x-executable", EXECUTABLE % {"what": what}
    if len(head) < SNIFF_BYTES and not complete:
        return "", None
    content_type = sniff(head[:SNIFF_BYTES])
    if content_type == "text/plain" and is_markup(head):
        return "text/html", MARKUP
    if not is_allowed(content_type):
        return content_type, NOT_ALLOWED % {"type": content_type}
    return content_type, None


def family(content_type: str) -> str | None:
    """The family of a sniffed type whose extensions are interchangeable."""
    if content_type in ZIP_TYPES:
        return "zip"
    if content_type in OLE_TYPES:
        return "ole"
    major = content_type.split("/")[0]
    if major == "image":
        return "image"
    if major in ("video", "audio"):
        return "media"
    return {"text/plain": "text", "application/pdf": "pdf", "application/rtf": "rtf"}.get(
        content_type
    )


def _extension_family(extension: str) -> str | None:
    for name, extensions in FAMILY_EXTENSIONS.items():
        if extension in extensions:
            return name
    guessed = mimetypes.guess_type(f"file{extension}", strict=False)[0] or ""
    return family(guessed) if guessed.split("/")[0] in ("image", "video", "audio") else None


def name_refusal(name: str, content_type: str) -> str | None:
    """Why a file of this name and sniffed type is refused, or None.

    >>> name_refusal("run.bat", "text/plain")
    'files named .bat are not accepted: they are programs or scripts'
    >>> name_refusal("photo.jpg", "application/zip")
    'the name ends in .jpg, but the file is application/zip'
    >>> name_refusal("IMG_0001.JPEG", "image/jpeg") is None, name_refusal("notes", "text/plain")
    (True, None)
    """
    extension = Path(os.path.basename(name.replace("\\", "/"))).suffix.lower()
    if not extension:
        return None
    if extension in PROGRAM_EXTENSIONS:
        return PROGRAM_NAME % {"extension": extension}
    if extension in MARKUP_EXTENSIONS:
        return MARKUP_NAME % {"extension": extension}
    if _extension_family(extension) != family(content_type) or family(content_type) is None:
        return MISNAMED % {"extension": extension, "type": content_type}
    return None


def archive_refusal(handle: IO[bytes], depth: int = 0) -> str | None:
    """Why a zip archive is refused (a program, script or page inside), or None."""
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError):
        return None  # not a zip after all (the sniffed type decides what else it is)
    with archive:
        for member in archive.infolist():
            if member.is_dir():
                continue
            inner = os.path.basename(member.filename.replace("\\", "/"))
            extension = Path(inner).suffix.lower()
            if extension in PROGRAM_EXTENSIONS or extension in ARCHIVE_MARKUP:
                return HOLDS_PROGRAM % {"inner": repr(inner)}
            try:
                with archive.open(member) as opened:
                    head = opened.read(SNIFF_BYTES)
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
                return UNREADABLE % {"inner": repr(inner)}
            what = refused_executable(head)
            if what:
                return HOLDS_EXECUTABLE % {"inner": repr(inner), "what": what}
            if sniff(head) in ZIP_TYPES:
                if depth + 1 >= ARCHIVE_DEPTH or member.file_size > NESTED_ARCHIVE_MAX:
                    return TOO_DEEP % {"inner": repr(inner)}
                reason = archive_refusal(io.BytesIO(archive.read(member)), depth + 1)
                if reason:
                    return reason
    return None


REASON_PATTERNS = [(template, template_pattern(template)) for template in REASONS]


def reason_said(reason: str) -> dict[str, Any]:
    """A refusal's English reason (as a page or a submission's file keeps it) as data to
    say in any language (`words`); a reason not of ours stays as it is.

    >>> words(**reason_said("the archive holds 'a.exe', an ELF executable"), english=True)
    "the archive holds 'a.exe', an ELF executable"
    >>> reason_said("the archive holds 'a.exe', an ELF executable")["params"]["what"]
    {'template': 'an ELF executable'}
    """
    for template, pattern in REASON_PATTERNS:
        found = pattern.fullmatch(reason)
        if found:
            params: dict[str, Any] = found.groupdict()
            if params.get("what") in EXECUTABLE_NAMES:
                params["what"] = said(params["what"])
            return said(template, **params)
    return {"template": reason}


def reason_in_words(reason: str) -> str:
    """A refusal's English reason in the active language."""
    return words(**reason_said(reason))


def file_refusal(path: str | Path, name: str, content_type: str) -> str | None:
    """The checks of a complete file: its name against its type, and inside archives."""
    reason = name_refusal(name, content_type)
    if reason is None and content_type in ZIP_TYPES:
        with open(path, "rb") as handle:
            reason = archive_refusal(handle)
    return reason


def safe_name(name: str, content_type: str) -> str:
    """A download name that names nothing else: the base name, with characters that
    could mean a path, a header or markup replaced, and an extension of its type.

    >>> safe_name("../../etc/x<script>.jpg", "image/jpeg")
    'x_script_.jpg'
    >>> safe_name("report.html", "text/plain")
    'report.html.txt'
    """
    base = os.path.basename(name.replace("\\", "/")).strip(" .") or "evidence"
    clean = "".join(c if c.isalnum() or c in "-_. " else "_" for c in base)[:150]
    if name_refusal(clean, content_type) is not None or not Path(clean).suffix:
        extension = mimetypes.guess_extension(content_type, strict=False) or ".bin"
        clean = f"{clean}{extension}"
    return clean
