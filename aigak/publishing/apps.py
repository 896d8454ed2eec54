from typing import Any

from django.apps import AppConfig

# The record page's panel template (aigak.publishing.record_panel.TEMPLATE).
PANEL_TEMPLATE = "publishing/_record_panel.html"


class PublishingConfig(AppConfig):
    name = "aigak.publishing"
    label = "publishing"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from aigak.evidence.models import EvidenceRecord
        from aigak.records.hooks import (
            add_dashboard_count,
            add_record_panel,
            on_import_shown,
            on_record_deletion,
            on_records_saved,
        )

        on_records_saved(_record_saved, _records_saved)
        # A change of the records the statistics count marks them stale.
        on_records_saved(_statistics_record, _statistics_records)
        on_record_deletion(_statistics_record)
        on_import_shown(_statistics_import)
        # An unlink or a deletion of evidence unmarks a public photo made from it.
        post_delete.connect(_evidence_unlinked, sender=EvidenceRecord, dispatch_uid="public_photo")
        add_record_panel(PANEL_TEMPLATE, _record_panel_values)
        add_dashboard_count("publishing.intake", _submissions_waiting)


# What the hooks call loads its module on first use, not when Django starts.
def _record_saved(record: Any) -> None:
    from aigak.publishing.actions import record_saved

    record_saved(record)


def _records_saved(pks: list[int]) -> None:
    from aigak.publishing.actions import records_saved

    records_saved(pks)


def _statistics_record(record: Any) -> None:
    from aigak.publishing.statistics_runs import record_changed

    record_changed(record)


def _statistics_records(pks: list[int]) -> None:
    from aigak.publishing.statistics_runs import records_changed

    records_changed(pks)


def _statistics_import(questionnaire_name: str) -> None:
    from aigak.publishing.statistics_runs import questionnaire_changed

    questionnaire_changed(questionnaire_name)


def _record_panel_values(user: Any, record: Any) -> dict[str, Any]:
    from aigak.publishing.record_panel import record_panel_values

    return record_panel_values(user, record)


def _submissions_waiting(user: Any) -> Any:
    from aigak.publishing.dashboard import submissions_waiting

    return submissions_waiting(user)


def _evidence_unlinked(sender: Any, instance: Any, **kwargs: Any) -> None:
    from aigak.publishing.photo_actions import evidence_unlinked

    evidence_unlinked(sender, instance, **kwargs)
