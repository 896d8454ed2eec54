"""What the linkage app adds to the home page's dashboard: matches waiting for a decision."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from aigak.accounts import permissions as perms
from aigak.linkage.models import Match, MatchKind, MatchStatus
from aigak.records.hooks import DashboardCount


def matches_waiting(user: Any) -> DashboardCount | None:
    """Candidate matches (list links and duplicates) for those who decide them."""
    if not perms.can_decide_matches(user):
        return None
    waiting = Match.objects.filter(kind__in=MatchKind.values, status=MatchStatus.CANDIDATE).count()
    return DashboardCount(_("Matches waiting for a decision"), waiting, reverse("linkage:index"))
