"""The search texts again, now with the keys of the names in them (records.search).

Before this, "Ermekov" did not find "Ермеков": the texts held the names only as written.
The texts are computed by today's `search_texts`, as an import or an edit would.
"""

from django.db import migrations

BATCH = 2000


def fill_name_keys(apps, schema_editor):
    from aigak.questionnaires.xlsform import FormDefinition
    from aigak.records.search import search_texts

    Record = apps.get_model("records", "Record")
    QuestionnaireVersion = apps.get_model("questionnaires", "QuestionnaireVersion")
    definitions = {}
    pending = []
    connection = schema_editor.connection
    table = connection.ops.quote_name(Record._meta.db_table)

    def write():
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET search_text = %s, search_private = %s WHERE id = %s",
                pending,
            )
        pending.clear()

    rows = Record.objects.values_list(
        "id", "form_version_id", "answers", "record_id", "search_text", "search_private"
    ).order_by("id")
    for pk, version_id, answers, record_id, old_public, old_private in rows.iterator(
        chunk_size=BATCH
    ):
        if version_id not in definitions:
            version = QuestionnaireVersion.objects.get(pk=version_id)
            definitions[version_id] = FormDefinition.from_dict(version.definition_json)
        public, private = search_texts(definitions[version_id], answers or {}, record_id)
        if (public, private) != (old_public, old_private):
            pending.append((public, private, pk))
        if len(pending) >= BATCH:
            write()
    if pending:
        write()


class Migration(migrations.Migration):
    dependencies = [("records", "0005_record_counter")]

    operations = [migrations.RunPython(fill_name_keys, migrations.RunPython.noop, elidable=True)]
