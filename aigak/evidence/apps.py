from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "aigak.evidence"
    label = "evidence"
