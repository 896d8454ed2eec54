"""Records (filled questionnaires), their versions, and the persons they are about."""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aigak.questionnaires.models import Questionnaire, QuestionnaireVersion


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    VERIFIED = "verified", _("Verified")


class ImportRun(models.Model):
    """An import writing its rows in short transactions (`records.import_runs`).

    Its new records are written soft-deleted and marked with the run, so every read
    leaves them out as it leaves deleted records out; one short last step makes them
    live and removes the run. A run left by an import that died is removed with its rows
    by the next import (or `aigak serve` starting): `host`, `pid` and `beat_at` (the
    last batch written) say whether its process is gone.
    """

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=300, blank=True, default="")
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.source} ({self.host}:{self.pid})"


def IMPORT_RUN() -> models.ForeignKey:  # noqa: N802 - reads as a constant
    """The import still writing a row (see ImportRun); None once it is done. PROTECT is
    kept by Django, not by a constraint in the database: with one, SQLite remakes the
    table to take the column away again (unmigrating), and the search triggers go with
    it."""
    return models.ForeignKey(
        ImportRun,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )


def PENDING_INDEX(name: str) -> models.Index:  # noqa: N802 - reads as a constant
    """The rows of imports still writing: few or none, so the index is small."""
    return models.Index(
        fields=["import_run"], condition=models.Q(import_run__isnull=False), name=name
    )


class Person(models.Model):
    """An identity. Deduplication merges persons by pointing one at another; undoable."""

    display_name = models.CharField(max_length=300, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Made by an import still writing (see ImportRun); None once it is done.
    import_run = IMPORT_RUN()

    class Meta:
        indexes = [PENDING_INDEX("records_person_pending")]

    def __str__(self) -> str:
        return self.display_name or f"person {self.pk}"

    def canonical(self) -> Person:
        person = self
        while person.merged_into_id is not None:
            person = person.merged_into  # type: ignore[assignment]
        return person


class LiveRecords(models.Manager["Record"]):
    def get_queryset(self) -> models.QuerySet[Record]:
        return super().get_queryset().filter(deleted_at__isnull=True)


class Record(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT)
    form_version = models.ForeignKey(QuestionnaireVersion, on_delete=models.PROTECT)
    record_id = models.CharField(max_length=64)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="records"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answers = models.JSONField(default=dict)
    version = models.PositiveIntegerField(default=1)
    search_text = models.TextField(blank=True, default="")
    search_private = models.TextField(blank=True, default="")
    search_choices = models.TextField(blank=True, default="")  # see records.search
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    deleted_reason = models.TextField(blank=True, default="")
    # Written by an import still writing (see ImportRun): soft-deleted until it is done.
    import_run = IMPORT_RUN()

    objects = models.Manager()
    live = LiveRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "record_id"], name="unique_record_id_per_questionnaire"
            )
        ]
        indexes = [
            # The record list: live records of a questionnaire, newest change first.
            models.Index(
                fields=["questionnaire", "-updated_at", "-id"],
                condition=models.Q(deleted_at__isnull=True),
                name="records_live_list",
            ),
            models.Index(fields=["status"]),
            PENDING_INDEX("records_record_pending"),
        ]

    def __str__(self) -> str:
        return self.record_id

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class RecordVersion(models.Model):
    """The whole answer set as it was after one save. Never changed, never deleted."""

    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    answers = models.JSONField()
    status = models.CharField(max_length=12, choices=Status.choices)
    form_version = models.ForeignKey(QuestionnaireVersion, on_delete=models.PROTECT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["record", "number"], name="unique_version_number")
        ]
        ordering = ["-number"]

    @property
    def note_shown(self) -> str:
        """The note in the reader's language: the notes the system writes are stored in
        English (they are part of the record's history) and translated when shown; a note
        an editor typed is shown as typed."""
        return "; ".join(_note_part(part) for part in self.note.split("; ") if part)


# The notes the system writes (records.actions): a pattern and its sentence for the reader.
SYSTEM_NOTES = [
    (re.compile(r"^created$"), _("created")),
    (re.compile(r"^edited$"), _("edited")),
    (re.compile(r"^imported from import$"), _("imported")),
    (re.compile(r"^imported from (?P<source>.+)$"), _("imported from %(source)s")),
    (re.compile(r"^restored version (?P<number>\d+)$"), _("restored version %(number)s")),
    (
        re.compile(
            r"^merged with version (?P<version>\d+) \(started from (?P<base>\w+)\): (?P<fields>.+)$"
        ),
        _("merged with version %(version)s (the editor started from %(base)s): %(fields)s"),
    ),
    (
        re.compile(r"^not relevant, left out: (?P<fields>.+)$"),
        _("no longer asked, left out: %(fields)s"),
    ),
]


def _note_part(part: str) -> str:
    for pattern, sentence in SYSTEM_NOTES:
        found = pattern.match(part)
        if found:
            return str(sentence) % found.groupdict()
    return part


class RecordCounter(models.Model):
    """The last number given to a new record of a questionnaire.

    Creating a record locks this row (select_for_update) for the rest of its transaction,
    so two creates at the same moment get different numbers on every database.
    """

    questionnaire = models.OneToOneField(
        Questionnaire, on_delete=models.CASCADE, related_name="record_counter"
    )
    last = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.questionnaire_id}: {self.last}"


class LinkKind(models.TextChoices):
    ABOUT_VICTIM = "about_victim", _("About the victim of")
    AT_EVENT = "at_event", _("Happened at event")
    RELATED = "related", _("Related")


class RecordLink(models.Model):
    source = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(max_length=20, choices=LinkKind.choices, default=LinkKind.RELATED)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "kind"], name="unique_record_link")
        ]
