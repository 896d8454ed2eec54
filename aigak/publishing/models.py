"""What is published: one record's publication state, and which fields the public sees.

A publication alone never puts a name on a public page: the public pages also check, at
every read, that the record is live, verified and consents to publication
(`aigak.publishing.eligibility`). A publication row is kept after it is withdrawn, so
that publishing the record again gives it the same public identifier.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aigak.publishing.intake_models import PublicForm, Submission, SubmissionFile  # noqa: F401
from aigak.questionnaires.models import Questionnaire
from aigak.records.models import Record
from aigak.runs.models import BackgroundRun, RunStatus


def new_public_id() -> str:
    """An opaque identifier for a public page: 12 random URL-safe characters, unrelated
    to the record id (which tells the order of intake)."""
    return secrets.token_urlsafe(9)


class Publication(models.Model):
    record = models.OneToOneField(Record, on_delete=models.PROTECT, related_name="publication")
    public_id = models.CharField(max_length=24, unique=True, default=new_public_id)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A short text written for publication (never the interview narrative).
    summary = models.TextField(blank=True, default="")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Why it was withdrawn: "unpublished", or the eligibility lost by a later edit.
    withdrawn_reason = models.CharField(max_length=120, blank=True, default="")
    # Any change of the publication or a save of its record: the public list's signature.
    changed_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["published_at"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="publishing_active",
            )
        ]

    def __str__(self) -> str:
        return self.public_id

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class PublishingSettings(models.Model):
    """The fields of one questionnaire that public pages show, in this order. Names are
    the questionnaire's fields, `age` (on the reference date) and `summary` (the
    publication's own text); `aigak.publishing.fields` says which may be named."""

    questionnaire = models.OneToOneField(
        Questionnaire, on_delete=models.CASCADE, related_name="publishing_settings"
    )
    fields = models.JSONField(default=list)
    changed_at = models.DateTimeField(auto_now=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.questionnaire_id}: {', '.join(self.fields)}"


class ConsentBasis(models.TextChoices):
    """How the consent to publish a person's photo was given (kept with the marking)."""

    WRITTEN = "written", _("Written consent (signed)")
    RECORDED = "recorded", _("Oral consent, recorded")
    NOTED = "noted", _("Oral consent, noted by the interviewer")


class PublicPhoto(models.Model):
    """One evidence image marked as the public photo of a record, with the consent that
    allowed it. The public sees `image`, a copy without metadata made when it was
    marked (`aigak.publishing.photos`), never the evidence file. A record has at most one
    photo marked at a time; unmarking keeps the row (who, when, why) and drops the copy.
    """

    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="+")
    evidence = models.ForeignKey(
        "evidence.Evidence", on_delete=models.PROTECT, related_name="public_photos"
    )
    marked_at = models.DateTimeField()
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    consent_basis = models.CharField(max_length=20, choices=ConsentBasis.choices)
    # Who consented and how (for the centre; never shown on a public page).
    consent_note = models.TextField()
    image = models.BinaryField(blank=True, default=b"")
    image_sha256 = models.CharField(max_length=64)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    unmarked_at = models.DateTimeField(null=True, blank=True)
    unmarked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unmarked_reason = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["record"],
                condition=models.Q(unmarked_at__isnull=True),
                name="one_public_photo_per_record",
            )
        ]

    def __str__(self) -> str:
        return f"{self.record_id}: {self.image_sha256[:12]}"

    @property
    def is_marked(self) -> bool:
        return self.unmarked_at is None


class StatisticsBuild(BackgroundRun):
    """One build of the public statistics: the report over the live records, suppressed
    as a whole, in every language (`aigak.publishing.statistics_runs`). Asked for when
    records change; the public page serves the newest build that is done. At most one
    build waits and at most one runs, in all processes together (the constraint): a
    change while one waits is read by that one."""

    run_work = "aigak.publishing.statistics_runs:work"
    run_ended = "aigak.publishing.statistics_runs:ended"
    run_slot = "publishing"
    run_stopped = "The process building the statistics stopped (was the server restarted?)."
    run_never_started = "The build never started (was the server restarted?)."

    # Nobody, as a rule: a build is asked for by a change of records (it reads everyone's
    # changes), by the public page when there is none, or by the command line. (Nullable
    # here, unlike other runs, which a person asks for from a page.)
    requested_by = models.ForeignKey(  # type: ignore[assignment]
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # When the build read the records: its figures are as of then.
    as_of = models.DateTimeField(null=True, blank=True)
    # {language: the safe report JSON}; emptied when two newer builds are done.
    reports = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=models.Q(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]),
                name="publishing_one_statistics_build_waiting_one_running",
            )
        ]

    def __str__(self) -> str:
        return f"statistics build {self.pk} ({self.status})"
