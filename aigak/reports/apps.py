from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "aigak.reports"
    label = "reports"

    def ready(self) -> None:
        from aigak.records.hooks import on_records_saved

        on_records_saved(_record_saved, _records_saved)


# The coded form (numpy) loads with the first save, not at start-up.
def _record_saved(record) -> None:  # type: ignore[no-untyped-def]
    from aigak.reports import coded

    coded.record_saved(record)


def _records_saved(pks: list[int]) -> None:
    from aigak.reports import coded

    coded.records_saved(pks)
