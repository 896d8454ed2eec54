"""PostgreSQL: an import's unseen rows get their words and GIN index entries once, when
they become live (records.search). Nothing changes on SQLite.

The stored tsvector is empty (NULL) while `import_run_id` is set, the search index holds
only rows with words, and the choice-word index has NULL for rows with an import run. The
import's last step rewrites every one of its rows (it changes `deleted_at` and
`import_run_id`), and that rewrite now computes and indexes the words; before, they were
computed and indexed when each row was written and indexed again in the last step. The
column is dropped and added again (PostgreSQL 15 cannot change a generation expression):
the table is rewritten and every live record's words computed again, once.
"""

from django.db import migrations


def install(apps, schema_editor):
    from aigak.records.search import install_words_when_live

    install_words_when_live(schema_editor)


def uninstall(apps, schema_editor):
    from aigak.records.search import uninstall_words_when_live

    uninstall_words_when_live(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("records", "0007_import_run")]

    operations = [migrations.RunPython(install, uninstall)]
