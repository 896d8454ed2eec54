"""Column blocks of the coded form (aigak.reports.blocks): a digest per coded row, an
index that sums them without reading the rows, and the blocks' table."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('questionnaires', '0002_versions_light_base_manager'),
        ('records', '0001_initial'),  # as 0001: the records table alone
        ('reports', '0002_live_version_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='CodedBlock',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('block', models.BigIntegerField()),
                ('stamp', models.CharField(max_length=16)),
                ('live_check', models.CharField(max_length=200)),
                ('coded_check', models.CharField(max_length=200)),
                ('blob', models.BinaryField()),
            ],
            options={
                'db_table': 'reports_coded_block',
            },
        ),
        migrations.AddField(
            model_name='codedrecord',
            name='digest',
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddIndex(
            model_name='codedrecord',
            index=models.Index(fields=['record', 'version', 'digest'], name='reports_coded_digest'),
        ),
        migrations.AddField(
            model_name='codedblock',
            name='questionnaire',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='questionnaires.questionnaire'),
        ),
        migrations.AddConstraint(
            model_name='codedblock',
            constraint=models.UniqueConstraint(fields=('questionnaire', 'block'), name='reports_block_span'),
        ),
    ]
