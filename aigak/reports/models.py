"""The coded form of records for reports (``aigak.reports.coded``)."""

from __future__ import annotations

from django.db import models


class CodedRecord(models.Model):
    """The fields the reports read of one record, as small integer codes packed in bytes
    (one fixed-width row per record, ``data``) and its few free-text answers (``texts``,
    JSON, empty when it has none). Valid only while ``stamp`` is the layout the report
    expects and ``version`` the record's version: otherwise the report reads the
    record's answers instead."""

    record = models.OneToOneField(
        "records.Record", primary_key=True, on_delete=models.CASCADE, related_name="coded"
    )
    stamp = models.CharField(max_length=16)
    version = models.PositiveIntegerField()
    data = models.BinaryField()
    texts = models.TextField(blank=True, default="")
    # crc32 of stamp, data and texts: what a block's coded_check sums (aigak.reports.blocks)
    digest = models.BigIntegerField(default=0)

    class Meta:
        db_table = "reports_coded"
        indexes = [
            models.Index(fields=["record", "version", "digest"], name="reports_coded_digest")
        ]


class CodedBlock(models.Model):
    """The valid coded rows of one questionnaire's live records in a span of record ids
    (``aigak.reports.blocks``), packed as one blob: a report reads a block in one
    statement. Valid only while the layout is ``stamp`` and the live records' ids and
    versions (``live_check``) and the coded rows (``coded_check``) of the span are as
    they were when it was made; otherwise the report reads the span's coded rows and
    makes the block again."""

    questionnaire = models.ForeignKey("questionnaires.Questionnaire", on_delete=models.CASCADE)
    block = models.BigIntegerField()  # record id // blocks.BLOCK
    stamp = models.CharField(max_length=16)
    live_check = models.CharField(max_length=200)
    coded_check = models.CharField(max_length=200)
    blob = models.BinaryField()

    class Meta:
        db_table = "reports_coded_block"
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "block"], name="reports_block_span")
        ]
