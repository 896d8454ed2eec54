"""Installing questionnaires (the shipped ones and a centre's own) and finding them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from aigak.accounts.models import AuditAction, audit
from aigak.questionnaires.definition import FormDefinition
from aigak.questionnaires.diff import FormDiff, diff_forms, find_orphans
from aigak.questionnaires.models import Questionnaire, QuestionnaireVersion, without_heavy

# The XLSForm reader (and its expression language) loads when a form is installed, not
# with the registry: `aigak serve`, `form list` and `export` start without it.

FORMS_DIR = Path(__file__).parent / "forms"
SHIPPED = ("victim", "torture", "event", "tell_us")
# Shipped forms open to the public (the intake page) until a coordinator closes them.
OPEN_TO_PUBLIC = ("tell_us",)


class UnknownQuestionnaire(LookupError):
    pass


NAME = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


class OrphanedAnswers(ValueError):
    """A new version would drop answers that records hold; --force confirms it."""

    def __init__(self, change: FormDiff):
        self.change = change
        held = ", ".join(f"{name} ({n} records)" for name, n in sorted(change.orphaned.items()))
        super().__init__(f"the new version drops or retypes answers that records hold: {held}")


@dataclass
class Installed:
    version: QuestionnaireVersion
    change: FormDiff | None  # None for a new questionnaire
    created: bool  # False when this content was installed before


def form_name(definition: FormDefinition, filename: str = "") -> str:
    """NAME when none is given: the settings sheet's form_id, else the file name's stem."""
    candidate = definition.form_id if definition.form_id not in ("", "form", "data") else ""
    candidate = candidate or Path(filename).stem or "form"
    return re.sub(r"[^A-Za-z0-9_-]+", "_", candidate).strip("_")[:40] or "form"


def check_name(name: str) -> None:
    if not NAME.match(name):
        from aigak.questionnaires.xlsform import Problem, XLSFormError

        raise XLSFormError(
            [Problem(sheet="settings", column="form_id", reason=f"{name!r} is not a valid "
                     "questionnaire name (1-40 letters, digits, _ and -)")]
        )  # fmt: skip


def _stored_answers(questionnaire: Questionnaire) -> Iterator[dict[str, Any]]:
    # Through the reverse relation: questionnaires sit below records and do not import them.
    live = questionnaire.record_set.filter(deleted_at__isnull=True)  # type: ignore[attr-defined]
    yield from live.values_list("answers", flat=True)


@transaction.atomic
def install_form(
    actor: Any, data: bytes, name: str = "", *, filename: str = "", force: bool = False
) -> Installed:
    """Install an XLSForm as a new questionnaire or as the new version of one (audited).

    Raises XLSFormError for a form that cannot be honoured and OrphanedAnswers when the
    new version would drop stored answers and `force` is not given. Nothing changes then.
    """
    from aigak.questionnaires.xlsform import read_xlsform

    definition, _ = read_xlsform(data)
    name = name or form_name(definition, filename)
    check_name(name)
    questionnaire = Questionnaire.objects.select_for_update().filter(name=name).first()
    change = None
    if questionnaire is not None and questionnaire.current is not None:
        old = questionnaire.current.definition
        change = diff_forms(old, definition)
        change.orphaned = find_orphans(change, old, _stored_answers(questionnaire))
        if change.orphaned and not force:
            raise OrphanedAnswers(change)
    if questionnaire is None:
        questionnaire = Questionnaire.objects.create(name=name, title=definition.title[:200])
    digest = QuestionnaireVersion.digest(data)
    version = QuestionnaireVersion.objects.filter(
        questionnaire=questionnaire, sha256=digest
    ).first()
    created = version is None
    if version is None:
        version = QuestionnaireVersion.objects.create(
            questionnaire=questionnaire,
            version=definition.version[:60],
            xlsform=data,
            sha256=digest,
            definition_json=definition.to_dict(),
            loaded_by=actor if getattr(actor, "pk", None) else None,
        )
    if questionnaire.current_id != version.pk:
        questionnaire.current = version
        questionnaire.title = definition.title[:200]
        questionnaire.save(update_fields=["current", "title"])
        audit(
            actor,
            AuditAction.CREATE if created else AuditAction.UPDATE,
            version,
            questionnaire=name,
            version=version.version,
            forced=bool(change and change.orphaned),
            changes=len(change.lines()) if change else 0,
        )
    return Installed(version=version, change=change, created=created)


def install_questionnaire(name: str, data: bytes, actor: Any = None) -> QuestionnaireVersion:
    """Install a shipped or test questionnaire (idempotent per content)."""
    return install_form(actor, data, name, force=True).version


def ensure_shipped() -> None:
    """Install the shipped questionnaires whose file changed or that are missing."""
    for name in SHIPPED:
        path = FORMS_DIR / f"{name}.xlsx"
        if not path.exists():
            continue
        data = path.read_bytes()
        current = (
            Questionnaire.objects.filter(name=name)
            .select_related("current")
            .defer(*without_heavy("current"))  # only the hash is compared
            .first()
        )
        if (
            current
            and current.current
            and current.current.sha256 == QuestionnaireVersion.digest(data)
        ):
            continue
        install_questionnaire(name, data)


def list_forms() -> list[dict[str, Any]]:
    """Installed questionnaires as `aigak form list` and the forms page show them."""
    from django.db.models import Count, Q

    rows = []
    questionnaires = (
        Questionnaire.objects.select_related("current")
        .defer(*without_heavy("current"))  # `definition` is parsed once per process
        .annotate(records=Count("record", filter=Q(record__deleted_at__isnull=True)))
        .order_by("name")
    )
    for q in questionnaires:
        if q.current is None:
            continue
        definition = q.current.definition
        rows.append(
            {
                "name": q.name,
                "title": q.local_title,
                "version": q.current.version,
                "fields": sum(1 for f in definition.fields.values() if f.stores_answer),
                "records": q.records,
                "languages": definition.languages,
            }
        )
    return rows


def get_questionnaire(name: str) -> Questionnaire:
    """The questionnaire with its current version (without the version's stored file and
    definition: `definition` reads the one parsed once per process)."""
    found = Questionnaire.objects.select_related("current").defer(*without_heavy("current"))
    questionnaire = found.filter(name=name).first()
    if questionnaire is None and name in SHIPPED:
        ensure_shipped()
        questionnaire = found.filter(name=name).first()
    if questionnaire is None or questionnaire.current is None:
        known = sorted(set(Questionnaire.objects.values_list("name", flat=True)) | set(SHIPPED))
        raise UnknownQuestionnaire(f"unknown questionnaire {name!r} (known: {', '.join(known)})")
    return questionnaire
