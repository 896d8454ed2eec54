"""Who may do what with victim lists, matches and merges: every rule of this app is here.

- admin, coordinator: upload lists, run the cross-reference and the deduplication,
  decide matches (accept, reject, undecided), undo merges, download.
- lawyer: sees lists, review queues, merges and overlaps, and downloads them (the
  people they name are the people of the records a lawyer already sees in full); decides
  nothing.
- documenter, viewer: refused (403). Lists hold names from outside the database and
  matches point at every victim record, while a documenter sees only a team's records
  and a viewer none of the confidential fields; neither needs the lists to document.

Getters find an object or answer 404, after the role check (403) so that a refused
user learns nothing about which lists exist.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from aigak.accounts.models import Role
from aigak.accounts.permissions import MANAGING_ROLES, require, role_of
from aigak.linkage.models import Match, PersonMerge, VictimList

READING_ROLES = {Role.ADMIN, Role.COORDINATOR, Role.LAWYER}


def can_see_lists(user: Any) -> bool:
    return role_of(user) in READING_ROLES


def can_manage_lists(user: Any) -> bool:
    """Upload lists and run the matching model."""
    return role_of(user) in MANAGING_ROLES


def can_decide(user: Any) -> bool:
    """Accept, reject or set aside matches; undo merges."""
    return role_of(user) in MANAGING_ROLES


def require_see(user: Any) -> None:
    require(can_see_lists(user), "see victim lists")


def require_manage(user: Any) -> None:
    require(can_manage_lists(user), "upload or match victim lists")


def require_decide(user: Any) -> None:
    require(can_decide(user), "decide matches")


def get_list_for_user(user: Any, pk: int) -> VictimList:
    require_see(user)
    found = VictimList.objects.filter(pk=pk).select_related("uploaded_by", "linked_by").first()
    if found is None:
        raise Http404("no such list")
    return found


def get_match_for_user(user: Any, pk: int) -> Match:
    require_see(user)
    found = (
        Match.objects.filter(pk=pk)
        .select_related("entry__victim_list", "person", "other_person", "reviewer")
        .first()
    )
    if found is None:
        raise Http404("no such match")
    return found


def get_merge_for_user(user: Any, pk: int) -> PersonMerge:
    require_see(user)
    found = PersonMerge.objects.filter(pk=pk).first()
    if found is None:
        raise Http404("no such merge")
    return found
