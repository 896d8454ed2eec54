"""Who may see, upload, link and delete evidence. Views reach evidence only through here.

- admin, coordinator, lawyer: see all evidence (files can identify witnesses, so like
  confidential fields they are for these roles).
- documenter: sees evidence they uploaded, evidence uploaded by their team, and evidence
  linked to a record they can see; uploads; links to records they may edit.
- viewer: sees no evidence files.
- deletion: admin only, with a reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404

from aigak.accounts import permissions as perms
from aigak.accounts.models import Role
from aigak.evidence.models import CustodyAction, Evidence, Upload
from aigak.records.models import Record

if TYPE_CHECKING:
    from aigak.accounts.models import User

SEES_ALL = {Role.ADMIN, Role.COORDINATOR, Role.LAWYER}
UPLOADERS = {Role.ADMIN, Role.COORDINATOR, Role.LAWYER, Role.DOCUMENTER}


def visible_evidence(user: User, evidence: QuerySet[Evidence] | None = None) -> QuerySet[Evidence]:
    evidence = Evidence.objects.all() if evidence is None else evidence
    role = perms.role_of(user)
    if role in SEES_ALL:
        return evidence
    if role != Role.DOCUMENTER:
        return evidence.none()
    records = perms.visible_records(user, Record.objects.all())
    mine = Q(uploaded_by=user) | Q(custody__action=CustodyAction.UPLOAD, custody__user=user)
    if user.team_id:
        mine |= Q(team_id=user.team_id)
    return evidence.filter(mine | Q(links__record__in=records)).distinct()


def get_evidence_for_user(user: User, pk: int, *, include_deleted: bool = False) -> Evidence:
    """The evidence, or 404 for anyone who may not see it (no hint that it exists)."""
    found = visible_evidence(user).filter(pk=pk)
    if not include_deleted:
        found = found.filter(deleted_at__isnull=True)
    evidence = found.first()
    if evidence is None:
        raise Http404("no such evidence")
    return evidence


def get_upload_for_user(user: User, upload_id) -> Upload:
    """A tus upload belongs to whoever created it; anyone else gets 404."""
    upload = Upload.objects.filter(pk=upload_id, owner=user).first()
    if upload is None:
        raise Http404("no such upload")
    return upload


def can_upload(user: User) -> bool:
    return perms.role_of(user) in UPLOADERS


def can_link(user: User, record: Record) -> bool:
    """Linking evidence changes a record, so it needs the right to edit that record."""
    return can_upload(user) and perms.can_edit_record(user, record)


def can_investigate(user: User) -> bool:
    """May open a file that failed its integrity check (to examine it)."""
    return perms.role_of(user) in perms.MANAGING_ROLES


def can_delete(user: User) -> bool:
    return perms.role_of(user) == Role.ADMIN


def linkable_record(user: User, pk: int | str | None) -> Record | None:
    """The record a user may attach evidence to, or None."""
    if pk in (None, ""):
        return None
    try:
        record = Record.live.get(pk=int(pk))
    except (ValueError, TypeError, Record.DoesNotExist):
        return None
    if not perms.can_view_record(user, record) or not can_link(user, record):
        return None
    return record
