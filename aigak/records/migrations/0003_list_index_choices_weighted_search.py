"""The list's partial index, the choices index for filters, one weighted tsvector.

- Live records of a questionnaire in list order (`-updated_at, -id`), replacing the
  index on (questionnaire, deleted_at, -updated_at) that did not match the order.
- `search_choices`: the answers to select fields as words, filled here for the records
  there are; an FTS5 index of them on SQLite (records.search).
- PostgreSQL: one GIN index on a weighted tsvector instead of two.
"""

from django.db import migrations, models

BATCH = 2000


def fill_choices(apps, schema_editor):
    from aigak.questionnaires.xlsform import FormDefinition
    from aigak.records.search import choice_words

    Record = apps.get_model("records", "Record")
    QuestionnaireVersion = apps.get_model("questionnaires", "QuestionnaireVersion")
    definitions = {}
    pending = []
    connection = schema_editor.connection
    table = connection.ops.quote_name(Record._meta.db_table)

    def write():
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET search_choices = %s WHERE id = %s", pending)
        pending.clear()

    rows = Record.objects.values_list("id", "form_version_id", "answers").order_by("id")
    for pk, version_id, answers in rows.iterator(chunk_size=BATCH):
        if version_id not in definitions:
            version = QuestionnaireVersion.objects.get(pk=version_id)
            definitions[version_id] = FormDefinition.from_dict(version.definition_json)
        words = choice_words(definitions[version_id], answers or {})
        if words:
            pending.append((words, pk))
        if len(pending) >= BATCH:
            write()
    if pending:
        write()


def install(apps, schema_editor):
    from aigak.records.search import install_choices_and_weighted_search

    install_choices_and_weighted_search(schema_editor)


def reinstall_0002(apps, schema_editor):
    from aigak.records.search import install_search

    if schema_editor.connection.vendor == "sqlite":
        install_search(schema_editor)


def uninstall(apps, schema_editor):
    from aigak.records.search import uninstall_choices_and_weighted_search

    uninstall_choices_and_weighted_search(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0002_search"),
        ("questionnaires", "0001_initial"),
    ]

    operations = [
        # Backwards: the column's removal copies the table; its triggers are made again.
        migrations.RunPython(migrations.RunPython.noop, reinstall_0002),
        migrations.RemoveIndex(model_name="record", name="records_rec_questio_eec95d_idx"),
        migrations.AddIndex(
            model_name="record",
            index=models.Index(
                fields=["questionnaire", "-updated_at", "-id"],
                condition=models.Q(deleted_at__isnull=True),
                name="records_live_list",
            ),
        ),
        migrations.AddField(
            model_name="record",
            name="search_choices",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.RunPython(fill_choices, migrations.RunPython.noop),
        migrations.RunPython(install, uninstall),
    ]
