from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "aigak.linkage"
    label = "linkage"
