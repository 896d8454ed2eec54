from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "aigak.reports"
    label = "reports"

    def ready(self) -> None:
        from aigak.records.hooks import ImportPart, on_records_saved

        on_records_saved(_record_saved, _records_saved, ImportPart(_import_coder, _write_imported))


# The coded form (numpy) loads with the first save, not at start-up.
def _record_saved(record) -> None:  # type: ignore[no-untyped-def]
    from aigak.reports import coded

    coded.record_saved(record)


def _records_saved(pks: list[int]) -> None:
    from aigak.reports import coded

    coded.records_saved(pks)


def _import_coder(questionnaire):  # type: ignore[no-untyped-def]
    from aigak.reports import coded

    return coded.import_coder(questionnaire)


def _write_imported(rows) -> None:  # type: ignore[no-untyped-def]
    from aigak.reports import coded

    coded.write_imported(rows)
