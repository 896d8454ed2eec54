"""Evidence getters: views reach evidence only through here.

The rules (who sees, uploads, links and deletes evidence) are in
aigak.accounts.permissions; these functions apply them to querysets and objects.
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


def visible_evidence(user: User, evidence: QuerySet[Evidence] | None = None) -> QuerySet[Evidence]:
    evidence = Evidence.objects.all() if evidence is None else evidence
    if perms.can_see_all_evidence(user):
        return evidence
    if perms.role_of(user) != Role.DOCUMENTER:
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


can_upload = perms.can_upload_evidence
can_link = perms.can_link_evidence
can_delete = perms.can_delete_evidence
can_investigate = perms.can_investigate_evidence


def linkable_record(user: User, ref: int | str | None) -> Record | None:
    """The record a user may attach evidence to, or None. `ref` is the record's id as
    pages show it ("V-000579"; "victim/V-000579" where two questionnaires share it) or
    its internal number (an int, or digits that no visible record id is)."""
    if ref in (None, ""):
        return None
    record = _record_by_id(user, ref) if isinstance(ref, str) else None
    if record is None:
        try:
            record = Record.live.get(pk=int(ref))  # type: ignore[arg-type]
        except (ValueError, TypeError, Record.DoesNotExist):
            return None
    if not perms.can_view_record(user, record) or not can_link(user, record):
        return None
    return record


def _record_by_id(user: User, ref: str) -> Record | None:
    questionnaire, _, record_id = ref.strip().rpartition("/")
    found = perms.visible_records(user, Record.live.filter(record_id__iexact=record_id))
    if questionnaire:
        found = found.filter(questionnaire__name=questionnaire)
    matches = list(found[:2])
    return matches[0] if len(matches) == 1 else None
