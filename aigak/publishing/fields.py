"""Which fields the public pages show: the publishing settings and what they may name.

A name is a field of the questionnaire, or `age` (the age rule's age on its reference
date) or `summary` (the publication's own text). Confidential fields can never be named,
and neither can free text other than the person's name: a free-text answer (a comment,
the narrative) is written for the centre, not for the public; the summary is written for
publication. The rule is checked when the settings are saved and again when a page is
drawn, so a field later marked confidential in a new form version disappears at once.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from aigak.accounts import permissions as perms
from aigak.accounts.models import AuditAction, audit
from aigak.publishing.models import PublishingSettings
from aigak.questionnaires.definition import FormDefinition
from aigak.questionnaires.models import Questionnaire

NAME_FIELD = "full_name"
CONSENT_FIELD = "consent_publish_name"
EXTRA_NAMES = ("age", "summary")
SHOWN_TYPES = {"select_one", "select_multiple", "date", "integer"}
DEFAULT_FIELDS = [
    NAME_FIELD,
    "age",
    "vital_status",
    "event_region",
    "event_locality",
    "violation_start",
    "death_date",
    "summary",
]


class SettingsRefused(ValueError):
    """Publishing settings that name a field the public may not see, with the reasons."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def refusal(definition: FormDefinition, name: str) -> str:
    """Why `name` may not be shown on a public page ("" when it may)."""
    if name in EXTRA_NAMES:
        return ""
    field = definition.fields.get(name)
    if field is None or not field.stores_answer:
        return _("%(name)s: no such field") % {"name": name}
    if field.confidential:
        return _("%(name)s: a confidential field is never published") % {"name": name}
    if field.type == "text" and name != NAME_FIELD:
        return _("%(name)s: free text is not published (write the public summary instead)") % {
            "name": name
        }
    if field.type not in SHOWN_TYPES and name != NAME_FIELD:
        return _("%(name)s: a %(type)s field is not published") % {"name": name, "type": field.type}
    return ""


def shown_fields(questionnaire: Questionnaire) -> list[str]:
    """The names public pages show for this questionnaire, in order, re-checked now."""
    found = PublishingSettings.objects.filter(questionnaire=questionnaire).first()
    names = list(found.fields) if found is not None else list(DEFAULT_FIELDS)
    definition = questionnaire.definition
    return [n for n in names if not refusal(definition, n)]


def require_publisher(actor: Any, what: str) -> None:
    """The command line (actor None) runs with the database's own authority."""
    if actor is not None:
        perms.require(perms.can_publish(actor), what)


@transaction.atomic
def save_settings(actor: Any, questionnaire: Questionnaire, names: list[str]) -> PublishingSettings:
    """Name the fields public pages show; refused whole if any name may not be shown."""
    require_publisher(actor, "change the publishing settings")
    definition = questionnaire.definition
    problems = [p for p in (refusal(definition, n) for n in names) if p]
    if NAME_FIELD not in names:
        problems.append(f"{NAME_FIELD}: the memorial list shows names; it must be named")
    if len(set(names)) != len(names):
        problems.append("a field is named twice")
    if problems:
        raise SettingsRefused(problems)
    found, _created = PublishingSettings.objects.get_or_create(questionnaire=questionnaire)
    before = list(found.fields)
    found.fields = list(names)
    found.changed_by = actor if getattr(actor, "pk", None) else None
    found.save()
    audit(actor, AuditAction.PUBLISH, found, change="settings", before=before, after=names)
    return found
