from django.apps import AppConfig


class RunsConfig(AppConfig):
    name = "aigak.runs"
    label = "runs"
    verbose_name = "Background runs"
