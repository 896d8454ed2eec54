from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "aigak.publishing"
    label = "publishing"
