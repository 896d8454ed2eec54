from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "aigak.accounts"
    label = "accounts"
