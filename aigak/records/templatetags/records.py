"""Template filters for record pages."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

STATUS_LABELS = {
    "draft": _("Draft"),
    "submitted": _("Submitted"),
    "verified": _("Verified"),
}
ROLE_LABELS = {
    "admin": _("Administrator"),
    "coordinator": _("Coordinator"),
    "lawyer": _("Lawyer"),
    "documenter": _("Documenter"),
    "viewer": _("Viewer"),
}


@register.filter
def status_label(status: str) -> str:
    """A record status in the reader's language."""
    return str(STATUS_LABELS.get(status, status))


@register.filter
def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))
