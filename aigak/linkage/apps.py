from typing import Any

from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "aigak.linkage"
    label = "linkage"

    def ready(self) -> None:
        from aigak.records.hooks import add_dashboard_count, add_record_panel

        add_record_panel("linkage/_record_person.html", _record_panel_values)
        add_dashboard_count("linkage.matches", _matches_waiting)


# The record page's panel and the dashboard's count load their modules (views, queries)
# on first use, not when Django starts: every command starts without them.
def _record_panel_values(user: Any, record: Any) -> dict[str, Any]:
    from aigak.linkage.person_page import record_panel_values

    return record_panel_values(user, record)


def _matches_waiting(user: Any) -> Any:
    from aigak.linkage.dashboard import matches_waiting

    return matches_waiting(user)
