from django.apps import AppConfig


class CollectionConfig(AppConfig):
    name = "aigak.collection"
    label = "collection"
