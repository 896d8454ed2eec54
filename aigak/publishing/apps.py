from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "aigak.publishing"
    label = "publishing"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from aigak.evidence.models import EvidenceRecord
        from aigak.publishing.actions import record_saved, records_saved
        from aigak.publishing.dashboard import submissions_waiting
        from aigak.publishing.photo_actions import evidence_unlinked
        from aigak.publishing.record_panel import TEMPLATE, record_panel_values
        from aigak.records.hooks import add_dashboard_count, add_record_panel, on_records_saved

        on_records_saved(record_saved, records_saved)
        # An unlink or a deletion of evidence unmarks a public photo made from it.
        post_delete.connect(evidence_unlinked, sender=EvidenceRecord, dispatch_uid="public_photo")
        add_record_panel(TEMPLATE, record_panel_values)
        add_dashboard_count("publishing.intake", submissions_waiting)
