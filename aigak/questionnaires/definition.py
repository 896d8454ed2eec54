"""The questionnaire definition: plain data the rest of Aigak reads.

It is stored as JSON with each questionnaire version, so the web form, validation,
import, export and reports all read one thing. `aigak.questionnaires.xlsform` builds it
from an XLSForm through pyxform's reader.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

SUPPORTED_TYPES = {
    "text", "integer", "decimal", "date", "time", "datetime", "select_one",
    "select_multiple", "note", "calculate", "geopoint", "image", "audio", "video", "file",
    "begin group", "end group", "begin repeat", "end repeat",
}  # fmt: skip
ANSWER_TYPES = SUPPORTED_TYPES - {"note", "begin group", "end group", "begin repeat", "end repeat"}
MEDIA_TYPES = {"image", "audio", "video", "file"}
# The key of an inner repeat's entry (a repeat inside a repeat) that names the entry of
# the enclosing repeat it belongs to: its position, from 1, in that repeat's list.
PARENT = "_parent"


@dataclass
class Choice:
    name: str
    label: dict[str, str]
    extra: dict[str, str] = field(default_factory=dict)  # other columns, for choice_filter


@dataclass
class Field:
    name: str
    type: str
    label: dict[str, str] = field(default_factory=dict)
    hint: dict[str, str] = field(default_factory=dict)
    required: str = ""  # "" (no), "yes", or an expression
    required_message: dict[str, str] = field(default_factory=dict)
    relevant: str = ""
    constraint: str = ""
    constraint_message: dict[str, str] = field(default_factory=dict)
    calculation: str = ""
    default: str = ""
    appearance: str = ""
    list_name: str = ""
    choices: list[Choice] = field(default_factory=list)
    confidential: bool = False
    legal_analysis: bool = False
    read_only: bool = False
    group: str = ""  # name of the innermost enclosing group or repeat
    repeat: str = ""  # name of the enclosing repeat, if any
    row: int = 0
    odk_type: str = ""  # the type as the XLSForm spells it after pyxform's aliases
    metadata: str = ""  # start, end, today, deviceid, username, audit...: the server fills it
    choice_filter: str = ""
    trigger: list[str] = field(default_factory=list)
    parameters: dict[str, str] = field(default_factory=dict)
    path: str = ""  # group/.../name as in the XForm instance, without the root
    # select_one_from_file: the form's media file (`places.csv`, `people.xml`) whose
    # items are the choices (`file_choices.choices_of`); `choices` is then empty.
    itemset: str = ""

    @property
    def is_select(self) -> bool:
        return self.type in ("select_one", "select_multiple")

    @property
    def stores_answer(self) -> bool:
        return self.type in ANSWER_TYPES

    def choice_names(self) -> list[str]:
        return [c.name for c in self.choices]


@dataclass
class Section:
    """A group or repeat as the form shows it; children are field names or sections."""

    name: str
    kind: str  # "group", "repeat" or "root"
    label: dict[str, str] = field(default_factory=dict)
    relevant: str = ""
    confidential: bool = False
    legal_analysis: bool = False
    appearance: str = ""
    children: list[Any] = field(default_factory=list)  # str (field name) or Section
    row: int = 0
    repeat_count: str = ""


@dataclass
class FormDefinition:
    form_id: str
    title: str
    version: str
    languages: list[str]
    default_language: str
    fields: dict[str, Field]
    root: Section
    # The base64 RSA public key of an encrypted form (XLSForm settings `public_key`):
    # ODK Collect and web forms encrypt each submission with it.
    public_key: str = ""

    def answer_fields(self) -> list[Field]:
        """Top-level fields that hold an answer, in form order (repeats are one field)."""
        return [f for f in self.fields.values() if f.stores_answer and not f.repeat]

    def repeat_fields(self, repeat: str) -> list[Field]:
        return [f for f in self.fields.values() if f.repeat == repeat and f.stores_answer]

    def repeats(self) -> list[str]:
        seen: list[str] = []
        for f in self.fields.values():
            if f.repeat and f.repeat not in seen:
                seen.append(f.repeat)
        return seen

    def repeat_parent(self, repeat: str) -> str:
        """The repeat that encloses a repeat ("" for one at the top level)."""

        def walk(section: Section, enclosing: str) -> str | None:
            for child in section.children:
                if isinstance(child, Section):
                    if child.name == repeat and child.kind == "repeat":
                        return enclosing
                    found = walk(child, child.name if child.kind == "repeat" else enclosing)
                    if found is not None:
                        return found
            return None

        return walk(self.root, "") or ""

    def repeats_outer_first(self) -> list[str]:
        """The repeats, each after the repeat that encloses it."""
        found: list[str] = []

        def walk(section: Section) -> None:
            for child in section.children:
                if isinstance(child, Section):
                    if child.kind == "repeat":
                        found.append(child.name)
                    walk(child)

        walk(self.root)
        return found

    def repeat_parents(self) -> dict[str, str]:
        """Each repeat inside a repeat -> the repeat around it."""
        found = {r: self.repeat_parent(r) for r in self.repeats_outer_first()}
        return {r: p for r, p in found.items() if p}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FormDefinition:
        fields = {}
        for name, raw in data["fields"].items():
            raw = dict(raw)
            raw["choices"] = [Choice(**c) for c in raw.get("choices", [])]
            fields[name] = Field(**raw)
        root = _section_from_dict(data["root"])
        # PostgreSQL's jsonb does not keep the order of object keys; the sections' lists
        # of children do, so they give the fields back their form order.
        order = [name for name in _field_names(root) if name in fields]
        fields = {**{name: fields[name] for name in order}, **fields}
        return cls(
            form_id=data["form_id"],
            title=data["title"],
            version=data["version"],
            languages=data["languages"],
            default_language=data["default_language"],
            fields=fields,
            root=root,
            public_key=data.get("public_key", ""),
        )

    def label(self, name: str, lang: str) -> str:
        return pick(self.fields[name].label, lang, self.default_language) or name


def prune_entries(
    entries: dict[str, list[dict[str, Any]]], parents: dict[str, str], order: list[str]
) -> dict[str, list[int]]:
    """Drop the repeat entries that hold no answer, in place, and renumber the `PARENT`
    of the inner entries that remain. An enclosing entry is kept when an entry inside it
    is. `order` lists the repeats outer first, `parents` maps an inner repeat to the
    repeat around it. Returns the positions (from 1) of the kept entries of each repeat;
    a repeat left without entries is removed from `entries`."""
    order = [r for r in order if r in entries]
    kept = {r: [bool(set(item) - {PARENT}) for item in entries[r]] for r in order}
    for repeat in reversed(order):
        parent = parents.get(repeat, "")
        for item, keep in zip(entries[repeat], kept[repeat], strict=True):
            number = item.get(PARENT)
            if keep and parent in kept and isinstance(number, int):
                if 1 <= number <= len(kept[parent]):
                    kept[parent][number - 1] = True
    renumbered: dict[str, dict[int, int]] = {}
    positions: dict[str, list[int]] = {}
    for repeat in order:
        numbers = renumbered[repeat] = {}
        out = []
        positions[repeat] = []
        for index, (item, keep) in enumerate(zip(entries[repeat], kept[repeat], strict=True), 1):
            if not keep:
                continue
            if PARENT in item:
                number = renumbered.get(parents.get(repeat, ""), {}).get(item[PARENT])
                if number is None:
                    del item[PARENT]
                else:
                    item[PARENT] = number
            out.append(item)
            positions[repeat].append(index)
            numbers[index] = len(out)
        if out:
            entries[repeat] = out
        else:
            del entries[repeat]
    return positions


def _field_names(section: Section) -> list[str]:
    names: list[str] = []
    for child in section.children:
        names.extend(_field_names(child) if isinstance(child, Section) else [child])
    return names


def _section_from_dict(data: dict[str, Any]) -> Section:
    children = [c if isinstance(c, str) else _section_from_dict(c) for c in data["children"]]
    return Section(**{**data, "children": children})


def pick(texts: dict[str, str], lang: str, default: str = "en") -> str:
    """The text in a language, falling back to the default language, then any."""
    if not texts:
        return ""
    return texts.get(lang) or texts.get(default) or texts.get("en") or next(iter(texts.values()))
