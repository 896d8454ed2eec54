"""Getters that find an object only if the user may see it, and answer 404 otherwise.

Views reach questionnaires, records and versions through these, never through a bare
``Model.objects.get()``: a record the user may not see is indistinguishable from one
that does not exist.
"""

from __future__ import annotations

from django.http import Http404

from aigak.accounts import permissions as perms
from aigak.accounts.models import User
from aigak.questionnaires.models import Questionnaire, without_heavy
from aigak.questionnaires.registry import SHIPPED, UnknownQuestionnaire, get_questionnaire
from aigak.questionnaires.xlsform import FormDefinition
from aigak.records.models import Record, RecordVersion


def get_questionnaire_or_404(name: str) -> Questionnaire:
    try:
        return get_questionnaire(name)
    except UnknownQuestionnaire:
        raise Http404("no such questionnaire") from None


def get_record_for_user(user: User, questionnaire_name: str, record_id: str) -> Record:
    """A live record of the questionnaire that the user may open, or 404. (One query: a
    questionnaire that does not exist, or has no version, has no record either.)"""
    records = Record.live.filter(
        questionnaire__name=questionnaire_name,
        questionnaire__current__isnull=False,
        record_id=record_id,
    )
    record = (
        perms.visible_records(user, records)
        .select_related("questionnaire__current", "form_version", "author")
        .defer(*without_heavy("questionnaire__current", "form_version"))
        .first()
    )
    if record is None:
        raise Http404("no such record")
    return record


def get_version_for_record(record: Record, number: int) -> RecordVersion:
    version = RecordVersion.objects.filter(record=record, number=number).first()
    if version is None:
        raise Http404("no such version")
    return version


def visible_field_names(user: User, definition: FormDefinition) -> set[str]:
    """Fields (and repeats holding any of them) whose answers this user may see."""
    names = {n for n, f in definition.fields.items() if perms.can_see_field(user, f)}
    repeats = {f.repeat for f in definition.fields.values() if f.repeat and f.name in names}
    return names | repeats


def listed_questionnaires() -> list[Questionnaire]:
    """Questionnaires that have a version to fill in, the shipped ones first, for tabs."""
    found = Questionnaire.objects.filter(current__isnull=False)
    order = {name: i for i, name in enumerate(SHIPPED)}
    return sorted(found, key=lambda q: (order.get(q.name, len(order)), q.name))
