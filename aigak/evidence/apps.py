from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "aigak.evidence"
    label = "evidence"

    def ready(self) -> None:
        from aigak.evidence.record_panel import TEMPLATE, record_panel_values
        from aigak.records.hooks import add_record_panel

        add_record_panel(TEMPLATE, record_panel_values)
        from aigak.evidence.storage import evidence_key

        evidence_key()  # refuse to start with a key that is misplaced or unreadable
