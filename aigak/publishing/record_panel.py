"""The publication panel of a record's page (registered in aigak.records.hooks): its
state for every reader who may see it, the publish and unpublish buttons for those who
may publish."""

from __future__ import annotations

from typing import Any

from aigak.accounts import permissions as perms
from aigak.publishing.actions import why_not_eligible
from aigak.publishing.models import Publication
from aigak.records.models import Record

TEMPLATE = "publishing/_record_panel.html"


def record_panel_values(user: Any, record: Record) -> dict[str, Any]:
    if not perms.can_publish(user):
        return {"publication_panel": False}
    if "consent_publish_name" not in record.questionnaire.definition.fields:
        return {"publication_panel": False}
    return {
        "publication_panel": True,
        "publication": Publication.objects.filter(record=record).first(),
        "publish_refusal": why_not_eligible(record),
    }
