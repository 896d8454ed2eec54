"""Installing questionnaires (the shipped ones and a centre's own) and finding them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction

from aigak.accounts.models import AuditAction, audit
from aigak.questionnaires.models import Questionnaire, QuestionnaireVersion
from aigak.questionnaires.xlsform import load_xlsform

FORMS_DIR = Path(__file__).parent / "forms"
SHIPPED = ("victim", "torture", "event")


class UnknownQuestionnaire(LookupError):
    pass


@transaction.atomic
def install_questionnaire(name: str, data: bytes, actor: Any = None) -> QuestionnaireVersion:
    """Load an XLSForm as the current version of a questionnaire (idempotent per content)."""
    definition = load_xlsform(data)
    questionnaire, _ = Questionnaire.objects.get_or_create(
        name=name, defaults={"title": definition.title}
    )
    digest = QuestionnaireVersion.digest(data)
    version = QuestionnaireVersion.objects.filter(
        questionnaire=questionnaire, sha256=digest
    ).first()
    if version is None:
        version = QuestionnaireVersion.objects.create(
            questionnaire=questionnaire,
            version=definition.version,
            xlsform=data,
            sha256=digest,
            definition_json=definition.to_dict(),
            loaded_by=actor if getattr(actor, "pk", None) else None,
        )
        audit(actor, AuditAction.CREATE, version, questionnaire=name, version=definition.version)
    if questionnaire.current_id != version.pk:
        questionnaire.current = version
        questionnaire.title = definition.title
        questionnaire.save(update_fields=["current", "title"])
    return version


def ensure_shipped() -> None:
    """Install the shipped questionnaires whose file changed or that are missing."""
    for name in SHIPPED:
        path = FORMS_DIR / f"{name}.xlsx"
        if not path.exists():
            continue
        data = path.read_bytes()
        current = Questionnaire.objects.filter(name=name).select_related("current").first()
        if (
            current
            and current.current
            and current.current.sha256 == QuestionnaireVersion.digest(data)
        ):
            continue
        install_questionnaire(name, data)


def get_questionnaire(name: str) -> Questionnaire:
    questionnaire = Questionnaire.objects.select_related("current").filter(name=name).first()
    if questionnaire is None and name in SHIPPED:
        ensure_shipped()
        questionnaire = Questionnaire.objects.select_related("current").filter(name=name).first()
    if questionnaire is None or questionnaire.current is None:
        known = sorted(set(Questionnaire.objects.values_list("name", flat=True)) | set(SHIPPED))
        raise UnknownQuestionnaire(f"unknown questionnaire {name!r} (known: {', '.join(known)})")
    return questionnaire
