"""PostgreSQL: select-field filters use a GIN index of the choice words as an array.

`string_to_array(search_choices, ' ')` (the words of migration 0003, "gender__female")
replaces the `jsonb_path_ops` GIN index on all the answers, which only those filters
used and which an import had to keep up to date row by row. Nothing changes on SQLite.
"""

from django.db import migrations


def install(apps, schema_editor):
    from aigak.records.search import install_choices_array

    install_choices_array(schema_editor)


def uninstall(apps, schema_editor):
    from aigak.records.search import uninstall_choices_array

    uninstall_choices_array(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("records", "0003_list_index_choices_weighted_search")]

    operations = [migrations.RunPython(install, uninstall)]
