from django.db import migrations


def forwards(apps, schema_editor):
    from aigak.records.search import install_search

    install_search(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("records", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
