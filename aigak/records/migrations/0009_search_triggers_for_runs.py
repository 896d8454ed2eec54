"""SQLite: the full-text triggers leave an import run's records to the run, which indexes
them in bulk (`records.search_sqlite`); deletes and updates touch indexed records only."""

from django.db import migrations


def forwards(apps, schema_editor):
    from aigak.records.search_sqlite import install_run_triggers

    install_run_triggers(schema_editor)


def backwards(apps, schema_editor):
    from aigak.records.search_sqlite import uninstall_run_triggers

    uninstall_run_triggers(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("records", "0008_postgres_words_when_live")]

    operations = [migrations.RunPython(forwards, backwards)]
