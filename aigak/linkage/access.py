"""Getters of victim lists, matches and merges, after the rules of
aigak.accounts.permissions (who may read, manage and decide; see its text).

- admin, coordinator: upload lists, run the cross-reference and the deduplication,
  decide matches (accept, reject, undecided), undo merges, download.
- lawyer: sees lists, review queues, merges and overlaps, and downloads them; decides
  nothing.
- documenter, viewer: refused (403).

Getters find an object or answer 404, after the role check (403) so that a refused
user learns nothing about which lists exist.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from aigak.accounts import permissions as perms
from aigak.accounts.permissions import require
from aigak.linkage.models import Match, PersonMerge, VictimList

can_see_lists = perms.can_see_victim_lists
can_manage_lists = perms.can_manage_victim_lists
can_decide = perms.can_decide_matches


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
