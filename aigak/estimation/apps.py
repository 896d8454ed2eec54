from django.apps import AppConfig


class EstimationConfig(AppConfig):
    name = "aigak.estimation"
    label = "estimation"
