"""The publication panel of a record's page (registered in aigak.records.hooks): its
state, the publish and unpublish buttons, and the public photo (marked with its consent,
or the images it can be chosen from), for those who may publish."""

from __future__ import annotations

from typing import Any

from aigak.accounts import permissions as perms
from aigak.publishing.actions import why_not_eligible
from aigak.publishing.models import ConsentBasis, Publication
from aigak.publishing.photo_actions import image_choices, marked_photo, why_no_photo
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
        "photo": marked_photo(record),
        "photo_refusal": why_no_photo(record),
        "photo_images": list(image_choices(record)),
        "consent_bases": ConsentBasis.choices,
    }
