"""What the publishing app adds to the home page's dashboard: public submissions waiting
for moderation."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from aigak.accounts import permissions as perms
from aigak.publishing.intake_models import Submission, SubmissionStatus
from aigak.records.hooks import DashboardCount


def submissions_waiting(user: Any) -> DashboardCount | None:
    """Public submissions not yet accepted or rejected, for those who moderate them."""
    if not perms.can_verify(user):
        return None
    waiting = Submission.objects.filter(status=SubmissionStatus.PENDING).count()
    return DashboardCount(
        _("Public submissions waiting for moderation"), waiting, reverse("intake:queue")
    )
