from typing import Any

from django.apps import AppConfig

# The record page's panel template (aigak.publishing.record_panel.TEMPLATE).
PANEL_TEMPLATE = "publishing/_record_panel.html"


class PublishingConfig(AppConfig):
    name = "aigak.publishing"
    label = "publishing"

    def ready(self) -> None:
        from aigak.records.hooks import add_dashboard_count, add_record_panel, on_records_saved

        on_records_saved(_record_saved, _records_saved)
        add_record_panel(PANEL_TEMPLATE, _record_panel_values)
        add_dashboard_count("publishing.intake", _submissions_waiting)


# What the hooks call loads its module on first use, not when Django starts.
def _record_saved(record: Any) -> None:
    from aigak.publishing.actions import record_saved

    record_saved(record)


def _records_saved(pks: list[int]) -> None:
    from aigak.publishing.actions import records_saved

    records_saved(pks)


def _record_panel_values(user: Any, record: Any) -> dict[str, Any]:
    from aigak.publishing.record_panel import record_panel_values

    return record_panel_values(user, record)


def _submissions_waiting(user: Any) -> Any:
    from aigak.publishing.dashboard import submissions_waiting

    return submissions_waiting(user)
