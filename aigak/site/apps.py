from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "aigak.site"
    label = "site"
    verbose_name = "Aigak site"
