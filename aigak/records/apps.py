from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "aigak.records"
    label = "records"
