"""Links between records that the answers themselves state.

A field named `<questionnaire>_record_id` (the Torture form's `victim_record_id`, say)
refers to a record of that questionnaire by its record_id. Saving the record keeps a
RecordLink to the referred record, and a Torture record about a victim shares the
victim's person, so deduplication and lists see one identity.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aigak.records.models import LinkKind, Record, RecordLink

SUFFIX = "_record_id"
KIND_FOR = {"victim": LinkKind.ABOUT_VICTIM, "event": LinkKind.AT_EVENT}


def reference_fields(field_names: Iterable[str]) -> dict[str, str]:
    """Map field name -> questionnaire name for fields that refer to other records.

    >>> reference_fields(["record_id", "victim_record_id", "full_name"])
    {'victim_record_id': 'victim'}
    """
    return {
        name: name[: -len(SUFFIX)]
        for name in field_names
        if name.endswith(SUFFIX) and name != "record_id" and len(name) > len(SUFFIX)
    }


def sync_links(record: Record, actor: Any = None) -> list[RecordLink]:
    """Create the links this record's answers state; unknown targets are left unlinked."""
    refs = reference_fields(record.form_version.definition.fields)
    made: list[RecordLink] = []
    for field, questionnaire in refs.items():
        target_id = record.answers.get(field)
        if not target_id:
            continue
        target = (
            Record.live.filter(questionnaire__name=questionnaire, record_id=str(target_id))
            .exclude(pk=record.pk)
            .first()
        )
        if target is None:
            continue
        kind = KIND_FOR.get(questionnaire, LinkKind.RELATED)
        link, _ = RecordLink.objects.get_or_create(
            source=record,
            target=target,
            kind=kind,
            defaults={"created_by": actor if getattr(actor, "pk", None) else None},
        )
        made.append(link)
        if questionnaire == "victim" and target.person_id and record.person_id != target.person_id:
            Record.objects.filter(pk=record.pk).update(person_id=target.person_id)
            record.person_id = target.person_id
    return made
