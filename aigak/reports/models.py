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

    class Meta:
        db_table = "reports_coded"
