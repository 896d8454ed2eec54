from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "aigak.accounts"
    label = "accounts"

    def ready(self) -> None:
        from aigak.accounts import signals  # noqa: F401 - connects the audit receivers
