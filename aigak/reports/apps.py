from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "aigak.reports"
    label = "reports"
