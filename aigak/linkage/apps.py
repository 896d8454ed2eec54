from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "aigak.linkage"
    label = "linkage"

    def ready(self) -> None:
        from aigak.linkage.dashboard import matches_waiting
        from aigak.records.hooks import add_dashboard_count

        add_dashboard_count("linkage.matches", matches_waiting)
