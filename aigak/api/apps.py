from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "aigak.api"
    label = "api"
    verbose_name = "REST API"
