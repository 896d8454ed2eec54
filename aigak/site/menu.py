"""The main menu, by role: each page is offered only to those it will not refuse.

Every entry asks the same permission function as the page it links to, so the menu and
the pages cannot drift apart (`site/tests/test_menu.py` follows every link for every role).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from aigak.accounts import permissions as perms

# The questionnaire a documentation centre opens first (here, not in aigak.site.views: the
# menu of every page, the login page's too, loads without the dashboard's modules).
HOME_QUESTIONNAIRE = "victim"


@dataclass(frozen=True)
class MenuItem:
    label: str | Promise
    url: str


def _signed_in(user: Any) -> bool:
    return bool(perms.role_of(user))


def _sees_evidence(user: Any) -> bool:
    return perms.can_see_all_evidence(user) or perms.can_upload_evidence(user)


# (label, address or a function giving it, who is offered it), in the menu's order.
ENTRIES: list[tuple[Promise, Callable[[], str], Callable[[Any], bool]]] = [
    (_("Overview"), lambda: reverse("home"), _signed_in),
    (_("Records"), lambda: reverse("records:list", args=[HOME_QUESTIONNAIRE]), _signed_in),
    (_("Reports"), lambda: "/reports/", perms.can_read_reports),
    (_("Evidence"), lambda: "/evidence/", _sees_evidence),
    (_("Lists"), lambda: "/linkage/", perms.can_see_victim_lists),
    (_("Estimates"), lambda: "/estimation/", perms.can_see_estimates),
    (_("Import"), lambda: reverse("import"), perms.can_import_export),
    (_("Trash"), lambda: reverse("records:trash"), perms.can_use_trash),
    (_("Map"), lambda: "/map/", _signed_in),
    (_("Submissions"), lambda: "/intake/", perms.can_verify),
    (_("Forms"), lambda: "/forms/", perms.can_manage_forms),
    (_("Field collection"), lambda: "/collection/", perms.can_manage_collection),
    (_("Publishing"), lambda: "/publishing/", perms.can_publish),
    (_("Administration"), lambda: reverse("accounts:admin-users"), perms.can_administer),
]


def menu(user: Any) -> list[MenuItem]:
    return [MenuItem(label, url()) for label, url, offered in ENTRIES if offered(user)]
