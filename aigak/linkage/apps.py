from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "aigak.linkage"
    label = "linkage"

    def ready(self) -> None:
        from aigak.linkage.dashboard import matches_waiting
        from aigak.linkage.person_page import record_panel_values
        from aigak.records.hooks import add_dashboard_count, add_record_panel

        add_record_panel("linkage/_record_person.html", record_panel_values)
        add_dashboard_count("linkage.matches", matches_waiting)
