"""Who may see and change what: every object- and field-level rule lives here.

Roles:
- admin: everything.
- coordinator: sees and edits all records, verifies, imports and exports.
- lawyer: sees all records with confidential fields; edits only legal-analysis fields.
- documenter: creates records; sees records of their team (or their own without a team);
  edits their own records unless verified.
- viewer: reads all records without confidential fields; changes nothing.

Estimates (the estimation page): admin, coordinator, lawyer and viewer; from the victim
lists only those who may see the lists (admin, coordinator, lawyer).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from aigak.accounts.models import Role

if TYPE_CHECKING:
    from aigak.accounts.models import User
    from aigak.questionnaires.xlsform import Field, FormDefinition
    from aigak.records.models import Record

CONFIDENTIAL_ROLES = {Role.ADMIN, Role.COORDINATOR, Role.LAWYER}
MANAGING_ROLES = {Role.ADMIN, Role.COORDINATOR}


def role_of(user: Any) -> str:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ""
    if user.is_superuser:
        return Role.ADMIN
    return str(user.role)


def visible_records(user: User, records: QuerySet[Record]) -> QuerySet[Record]:
    """The records a user may open at all."""
    role = role_of(user)
    if not role:
        return records.none()
    if role == Role.DOCUMENTER:
        if user.team_id:
            # A union of two index lookups: `team OR author` made SQLite read every row.
            model = records.model
            ids = (
                model.objects.filter(team_id=user.team_id)
                .values("pk")
                .union(model.objects.filter(author=user).values("pk"), all=True)
            )
            return records.filter(pk__in=ids)
        return records.filter(author=user)
    return records


def can_view_record(user: User, record: Record) -> bool:
    return visible_records(user, type(record).objects.filter(pk=record.pk)).exists()


def can_create_records(user: User) -> bool:
    return role_of(user) in (Role.ADMIN, Role.COORDINATOR, Role.DOCUMENTER)


def can_edit_record(user: User, record: Record) -> bool:
    role = role_of(user)
    if record.deleted_at is not None:
        return False
    if role in MANAGING_ROLES:
        return True
    if role == Role.LAWYER:
        return True  # limited to legal-analysis fields by editable_fields()
    if role == Role.DOCUMENTER:
        return record.author_id == user.pk and record.status != "verified"
    return False


def can_restore_versions(user: User, record: Record) -> bool:
    """Restoring replaces every answer, so lawyers (who edit only legal fields) may not."""
    return can_edit_record(user, record) and role_of(user) != Role.LAWYER


def can_verify(user: User) -> bool:
    return role_of(user) in MANAGING_ROLES


def can_delete_record(user: User, record: Record) -> bool:
    return role_of(user) in MANAGING_ROLES and record.deleted_at is None


def can_import_export(user: User) -> bool:
    return role_of(user) in MANAGING_ROLES


def can_manage_forms(user: Any) -> bool:
    """Install questionnaires (XLSForms) and new versions of them, download their files."""
    return role_of(user) in MANAGING_ROLES


def can_see_confidential(user: User) -> bool:
    return role_of(user) in CONFIDENTIAL_ROLES


def can_see_field(user: User, field: Field) -> bool:
    return not field.confidential or can_see_confidential(user)


def editable_fields(user: User, definition: FormDefinition, record: Record | None) -> set[str]:
    """Names of the fields this user may change on this record (or on a new one)."""
    role = role_of(user)
    names = {
        f.name
        for f in definition.fields.values()
        if f.type not in ("note", "calculate") and not f.read_only and not f.metadata
    }  # read_only and metadata questions: the form or the server sets them
    if record is None:
        return names | _repeats_within(definition, names) if can_create_records(user) else set()
    if not can_edit_record(user, record):
        return set()
    if role == Role.LAWYER:
        names = {n for n in names if definition.fields[n].legal_analysis}
    return names | _repeats_within(definition, names)


def _repeats_within(definition: FormDefinition, names: set[str]) -> set[str]:
    # A repeat's answers are stored under the repeat's own name (a list of entries), so
    # the repeat is editable when every field inside it is.
    return {
        r for r in definition.repeats() if all(f.name in names for f in definition.repeat_fields(r))
    }


def visible_answers(
    user: User, definition: FormDefinition, answers: dict[str, Any]
) -> dict[str, Any]:
    """The answers with confidential fields removed for users who may not see them."""
    if can_see_confidential(user):
        return dict(answers)
    hidden = {f.name for f in definition.fields.values() if f.confidential}
    shown = {k: v for k, v in answers.items() if k not in hidden}
    for repeat in definition.repeats():
        # Entries of a repeat are dicts keyed by the fields inside it.
        if isinstance(shown.get(repeat), list):
            entries = [
                {k: v for k, v in entry.items() if k not in hidden}
                for entry in shown[repeat]
                if isinstance(entry, dict)
            ]
            shown[repeat] = [e for e in entries if e]
            if not shown[repeat]:
                del shown[repeat]
    return shown


def can_see_estimates(user: User) -> bool:
    """The estimation page: estimates from uploaded capture histories.

    Its figures count every victim, so documenters (who see only a team's records) may
    not open it; a viewer reads every record anyway and may.
    """
    return role_of(user) in (Role.ADMIN, Role.COORDINATOR, Role.LAWYER, Role.VIEWER)


def can_estimate_from_lists(user: User) -> bool:
    """Estimates from the database's persons and the victim lists: those who see the lists
    (as aigak.linkage.access says: admins, coordinators and lawyers)."""
    return role_of(user) in CONFIDENTIAL_ROLES


def can_read_reports(user: Any) -> bool:
    """The statistical reports: they count every record, so documenters (who see only a
    team's records) may not read them."""
    return role_of(user) in (Role.ADMIN, Role.COORDINATOR, Role.LAWYER, Role.VIEWER)


def require(allowed: bool, what: str = "this") -> None:
    if not allowed:
        raise PermissionDenied(f"you may not do {what}")


# --- Administration, accounts and the audit log ------------------------------------------


def can_administer(user: Any) -> bool:
    """Users, teams, lockouts, second factors of others: administrators only."""
    return role_of(user) == Role.ADMIN


def can_read_audit(user: Any) -> bool:
    """The audit page and its CSV: administrators only."""
    return role_of(user) == Role.ADMIN


def can_manage_own_account(user: Any) -> bool:
    """Own password, second factor, tokens and sessions: every active signed-in user."""
    return bool(role_of(user))
