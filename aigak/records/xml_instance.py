"""Reading an XForm instance (the XML that ODK Collect, KoBo Collect and web forms submit)
into the stored answer shapes of the questionnaire it was filled in.

The instance's root element carries the form's `id` and `version`; groups nest their
questions as elements, a repeat writes one element per entry, a `select_multiple` answer
is its choice names separated by spaces, a geopoint is "lat lon alt acc", a media
question holds the name of a file sent beside the XML. The `meta` group (plain or in the
OpenRosa namespace, `orx:meta`) holds the `instanceID`, the `deprecatedID` of an edited
submission and the `instanceName`.

`read_instance(xml, definition)` gives the answers keyed by field name as validation,
import and export read them (docs/forms.md): a repeat as a list of entries, the entries
of a repeat inside a repeat as a list of their own, each naming the enclosing entry it
was written in (`PARENT`, its position from 1). An answer that does not read as its
type is kept as sent, so validation names the problem and nothing of it is lost.
`read_header(xml)` gives the form, version, meta and whether it is encrypted without a
definition (to find the form, or for an encrypted submission).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.utils.translation import gettext_noop

from aigak.questionnaires.definition import (
    MEDIA_TYPES,
    PARENT,
    Field,
    FormDefinition,
    Section,
    prune_entries,
)
from aigak.questionnaires.validation import coerce

# Elements that are not questions: the submission's metadata, and what KoBoToolbox adds.
META_GROUPS = {"meta", "formhub"}
SKIPPED = {"__version__", "_version_", "_version__001"}
META_KEYS = {
    "instanceID": "instance_id",
    "deprecatedID": "deprecated_id",
    "instanceName": "instance_name",
    "deviceID": "device_id",
    "timeStart": "time_start",
    "timeEnd": "time_end",
    "userID": "user_id",
}
TEMPLATE = "{http://openrosa.org/javarosa}template"


class InstanceError(ValueError):
    """The XML is not an XForm instance Aigak can read; the message says where and why,
    in English (a device reads it); its template and values say it again in another."""

    def __init__(self, template: str, **params: Any) -> None:
        super().__init__(template % params if params else template)
        self.template, self.params = template, params


@dataclass
class InstanceMeta:
    form_id: str
    version: str = ""
    instance_id: str = ""
    deprecated_id: str = ""
    instance_name: str = ""
    device_id: str = ""
    time_start: str = ""
    time_end: str = ""
    user_id: str = ""
    encrypted: bool = False


@dataclass
class Instance:
    meta: InstanceMeta
    answers: dict[str, Any]
    attachments: list[str] = field(default_factory=list)  # file names the answers name
    unknown: list[str] = field(default_factory=list)  # element paths that are no field


def local(tag: str) -> str:
    """An element's name without its namespace.

    >>> local("{http://openrosa.org/xforms}instanceID"), local("meta")
    ('instanceID', 'meta')
    """
    return tag.rsplit("}", 1)[-1]


def parse_xml(xml: bytes | str) -> Element:
    """The root element; InstanceError for XML that is malformed or uses entities."""
    if isinstance(xml, str):
        xml = xml.encode("utf-8")
    if not xml.strip():
        raise InstanceError(gettext_noop("the submission XML is empty"))
    try:
        return fromstring(xml, forbid_dtd=True)
    except ParseError as exc:
        line, column = exc.position
        raise InstanceError(
            gettext_noop("not well-formed XML at line %(line)s, column %(column)s"),
            line=line,
            column=column + 1,
        ) from None
    except DefusedXmlException:
        raise InstanceError(
            gettext_noop("the XML declares a DTD or entities, which are not accepted")
        ) from None


def _text(element: Element) -> str:
    return (element.text or "").strip()


def header(root: Element) -> InstanceMeta:
    """The form, version and meta of a parsed instance."""
    form_id = root.get("id") or ""
    if not form_id:
        raise InstanceError(
            gettext_noop("the root element <%(tag)s> has no form id attribute"),
            tag=local(root.tag),
        )
    meta = InstanceMeta(form_id=form_id, version=root.get("version") or "")
    meta.encrypted = (root.get("encrypted") or "").lower() == "yes"
    for child in root:
        if local(child.tag) != "meta":
            continue
        for item in child:
            key = META_KEYS.get(local(item.tag))
            if key:
                setattr(meta, key, _text(item))
    return meta


def read_header(xml: bytes | str) -> InstanceMeta:
    return header(parse_xml(xml))


def _repeat_paths(section: Section, path: tuple[str, ...] = ()) -> Iterator[tuple[str, str]]:
    """(instance path, repeat name) of every repeat of the form."""
    for child in section.children:
        if isinstance(child, Section):
            here = (*path, child.name.rsplit("/", 1)[-1])
            if child.kind == "repeat":
                yield "/".join(here), child.name
            yield from _repeat_paths(child, here)


class _Reader:
    def __init__(self, definition: FormDefinition):
        self.fields: dict[str, Field] = {f.path or f.name: f for f in definition.fields.values()}
        self.repeats = dict(_repeat_paths(definition.root))
        self.parents = definition.repeat_parents()
        self.order = definition.repeats_outer_first()
        self.groups = {p.rsplit("/", 1)[0] for p in self.fields if "/" in p}
        self.groups |= {g for p in list(self.groups) for g in _prefixes(p)}
        self.answers: dict[str, Any] = {}
        self.attachments: list[str] = []
        self.unknown: list[str] = []

    def walk(self, element: Element, path: str, entry: dict[str, Any] | None) -> None:
        for child in element:
            name = local(child.tag)
            if child.get(TEMPLATE) is not None:
                continue  # a repeat's template, as some web forms send it
            here = f"{path}/{name}" if path else name
            if not path and (name in META_GROUPS or name in SKIPPED):
                continue
            if here in self.repeats:
                item: dict[str, Any] = {}
                outer = self.parents.get(self.repeats[here], "")
                if outer and entry is not None:
                    # the position of the enclosing entry in its repeat's list
                    siblings = self.answers.get(outer) or []
                    item[PARENT] = next(
                        (n for n, e in enumerate(siblings, start=1) if e is entry), None
                    )
                self.answers.setdefault(self.repeats[here], []).append(item)
                self.walk(child, here, item)
            elif here in self.fields and len(child) == 0:
                self.answer(self.fields[here], _text(child), entry)
            elif here in self.groups or len(child):
                if here not in self.groups:
                    self.unknown.append(here)
                self.walk(child, here, entry)
            elif _text(child):
                self.unknown.append(here)

    def answer(self, f: Field, text: str, entry: dict[str, Any] | None) -> None:
        if not text or not f.stores_answer:
            return  # a note holds nothing
        try:
            value = coerce(f, text)
        except ValueError:
            value = text  # validation names the problem; the answer is kept as sent
        if f.type in MEDIA_TYPES and text not in self.attachments:
            self.attachments.append(text)
        target = entry if f.repeat and entry is not None else self.answers
        target[f.name] = value

    def result(self) -> dict[str, Any]:
        entries = {n: v for n, v in self.answers.items() if n in self.repeats.values()}
        prune_entries(entries, self.parents, self.order)
        return {
            name: entries[name] if name in self.repeats.values() else value
            for name, value in self.answers.items()
            if name in entries or name not in self.repeats.values()
        }


def _prefixes(path: str) -> Iterator[str]:
    parts = path.split("/")
    for end in range(1, len(parts)):
        yield "/".join(parts[:end])


def read_instance(xml: bytes | str, definition: FormDefinition) -> Instance:
    """The answers, meta and referenced attachments of an instance of `definition`."""
    root = parse_xml(xml)
    meta = header(root)
    if meta.encrypted:
        raise InstanceError(gettext_noop("the submission is encrypted; decrypt it first"))
    reader = _Reader(definition)
    reader.walk(root, "", None)
    return Instance(
        meta=meta,
        answers=reader.result(),
        attachments=reader.attachments,
        unknown=reader.unknown,
    )
