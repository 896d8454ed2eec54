"""The evidence panel of a record's page (registered in aigak.records.hooks)."""

from __future__ import annotations

from typing import Any

from aigak.evidence import access
from aigak.records.models import Record

TEMPLATE = "evidence/_record_panel.html"


def record_panel_values(user: Any, record: Record) -> dict[str, Any]:
    """Evidence attached to the record that this user may see, and whether they may
    attach more."""
    found = access.visible_evidence(user).filter(links__record=record, deleted_at__isnull=True)
    return {
        "evidence": list(found.order_by("uploaded_at")),
        "can_attach": access.can_link(user, record),
    }
