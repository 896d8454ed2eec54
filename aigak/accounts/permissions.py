"""Who may see and change what: every object- and field-level rule lives here.

Roles:
- admin: everything.
- coordinator: sees and edits all records, verifies, imports and exports.
- lawyer: sees all records with confidential fields; edits only legal-analysis fields,
  never a record's status.
- documenter: creates records; sees records of their team (or their own without a team);
  edits their own records unless verified, and submits them.
- viewer: reads all records without confidential fields; changes nothing.

Evidence files (aigak.evidence.access holds the getters): admin, coordinator and lawyer
see all of it (files can identify witnesses, so like confidential fields they are for
these roles); a documenter sees what they or their team uploaded and what is linked to a
record they see; a viewer sees none. Admins, coordinators, lawyers and documenters
upload. Linking evidence to a record (and unlinking it): admins and coordinators on any
live record; lawyers on any live record too (court decisions, complaints and other legal
papers belong to their legal analysis of every record); documenters on the records they
may edit (their own, until verified); viewers never. Deleting evidence: admins only.

Victim lists, matches and merges (aigak.linkage.access holds the getters): admins and
coordinators upload lists, run the matching and decide; lawyers read them and decide
nothing; documenters and viewers are refused (lists name people outside the records a
documenter sees, matches point at every victim record).

Fields: whoever may not see a field may not name it either (filter, sort, search,
report `where`, export or linkage choice): `require_field` refuses it like an unknown
field, so that a filter cannot be used to guess a hidden value.

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
# Those who read every record's counts: reports and estimates.
READING_ROLES = {Role.ADMIN, Role.COORDINATOR, Role.LAWYER, Role.VIEWER}
EVIDENCE_ROLES = CONFIDENTIAL_ROLES  # see all evidence
UPLOADING_ROLES = {Role.ADMIN, Role.COORDINATOR, Role.LAWYER, Role.DOCUMENTER}
LIST_ROLES = CONFIDENTIAL_ROLES  # read victim lists, matches and merges


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


def can_change_status(user: User, record: Record, status: str) -> bool:
    """Verifying (or leaving verified) is for managers; submitting or returning to draft
    is for whoever edits the whole record. A lawyer edits legal-analysis fields only,
    which the status is not."""
    current = record.status
    if "verified" in (status, current):
        return can_verify(user) and record.deleted_at is None
    return can_edit_record(user, record) and role_of(user) != Role.LAWYER


def can_delete_record(user: User, record: Record) -> bool:
    return role_of(user) in MANAGING_ROLES and record.deleted_at is None


def can_import_export(user: User) -> bool:
    return role_of(user) in MANAGING_ROLES


def can_manage_forms(user: Any) -> bool:
    """Install questionnaires (XLSForms) and new versions of them, download their files."""
    return role_of(user) in MANAGING_ROLES


def can_manage_collection(user: Any) -> bool:
    """Field collection: choose who collects with which forms, issue and revoke their
    phones' tokens, review and decrypt what phones sent (submissions hold every answer)."""
    return role_of(user) in MANAGING_ROLES


def can_see_confidential(user: User) -> bool:
    return role_of(user) in CONFIDENTIAL_ROLES


def can_see_field(user: User, field: Field) -> bool:
    return not field.confidential or can_see_confidential(user)


# --- evidence and victim lists (the getters are in evidence/access and linkage/access) --


def can_see_all_evidence(user: Any) -> bool:
    return role_of(user) in EVIDENCE_ROLES


def can_upload_evidence(user: Any) -> bool:
    return role_of(user) in UPLOADING_ROLES


def can_link_evidence(user: Any, record: Record) -> bool:
    """Link evidence to a record or unlink it (see the module's text for who and why)."""
    role = role_of(user)
    if role not in UPLOADING_ROLES or record.deleted_at is not None:
        return False
    if role in CONFIDENTIAL_ROLES:
        return True
    return can_edit_record(user, record)


def can_delete_evidence(user: Any) -> bool:
    return role_of(user) == Role.ADMIN


def can_investigate_evidence(user: Any) -> bool:
    """May open a file that failed its integrity check (to examine it)."""
    return role_of(user) in MANAGING_ROLES


def can_see_victim_lists(user: Any) -> bool:
    return role_of(user) in LIST_ROLES


def can_manage_victim_lists(user: Any) -> bool:
    """Upload lists and run the matching model."""
    return role_of(user) in MANAGING_ROLES


def can_decide_matches(user: Any) -> bool:
    """Accept, reject or set aside matches; undo merges."""
    return role_of(user) in MANAGING_ROLES


# --- the field rule: every place a user names a field --------------------------------

# Columns every record has besides its answers; whoever sees the record sees them.
RECORD_COLUMNS = frozenset({"record_id", "status"})


class FieldRefused(ValueError):
    """A field named in a filter, sort, search or choice that is unknown or hidden from
    the user. Both read the same, so a refusal tells nothing about hidden fields."""

    def __init__(self, name: str, where: str = "filter"):
        self.field = name
        super().__init__(f"{where}: there is no field {name!r} you may use")


def may_name_field(user: Any, definition: FormDefinition, name: str) -> bool:
    """Whether the user may use field `name` in a filter, sort, search or choice."""
    if name in RECORD_COLUMNS:
        return bool(role_of(user))
    found = definition.fields.get(name)
    if found is None or not found.stores_answer:
        return False
    return can_see_field(user, found)


def require_field(user: Any, definition: FormDefinition, name: str, where: str = "filter") -> None:
    """Raise FieldRefused unless the user may name this field (see `may_name_field`)."""
    if not may_name_field(user, definition, name):
        raise FieldRefused(name, where)


def require_fields(
    user: Any, definition: FormDefinition, names: Any, where: str = "filter"
) -> None:
    for name in names:
        require_field(user, definition, name, where)


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
    # the repeat is editable when every field inside it is; its calculations (pyxform's
    # `<repeat>_count` among them) are computed for each entry, never entered.
    out = set()
    for r in definition.repeats():
        entered = [f for f in definition.repeat_fields(r) if f.type != "calculate"]
        if entered and all(f.name in names for f in entered):
            out.add(r)
    return out


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
    return role_of(user) in READING_ROLES


def can_estimate_from_lists(user: User) -> bool:
    """Estimates from the database's persons and the victim lists: those who see the lists
    (admins, coordinators and lawyers)."""
    return can_see_victim_lists(user)


def can_read_reports(user: Any) -> bool:
    """The statistical reports: they count every record, so documenters (who see only a
    team's records) may not read them."""
    return role_of(user) in READING_ROLES


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


def can_use_trash(user: Any) -> bool:
    """See deleted records and bring them back: admins and coordinators, who delete."""
    return role_of(user) in MANAGING_ROLES


def can_assign_teams(user: Any) -> bool:
    """Give records to a team (whose documenters then see them): admins and coordinators."""
    return role_of(user) in MANAGING_ROLES


# --- Publishing ----------------------------------------------------------------------


def can_publish(user: Any) -> bool:
    """Publish and unpublish records, and choose the fields public pages show."""
    return role_of(user) in MANAGING_ROLES
