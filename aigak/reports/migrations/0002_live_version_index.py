"""An index of the live records' ids and versions per questionnaire, so that a report
joins its coded rows to the live records from the index alone (not the records table,
whose rows hold the whole answers)."""

from django.db import migrations

INDEX = "reports_live_version"


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX {INDEX} ON records_record (questionnaire_id, id, version) "
            "WHERE deleted_at IS NULL",
            f"DROP INDEX {INDEX}",
        )
    ]
