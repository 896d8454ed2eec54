"""Public intake: which questionnaires the public may fill, and what they sent.

A submission waits in the moderation queue until a coordinator accepts it (it becomes a
record) or rejects it with a reason. The sender holds only a receipt code; the code
itself is never stored, only its SHA-256, so the database cannot hand it back.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aigak.questionnaires.models import Questionnaire, QuestionnaireVersion
from aigak.records.models import Record


class PublicForm(models.Model):
    """A coordinator's choice to open (or close) a questionnaire to the public."""

    questionnaire = models.OneToOneField(
        Questionnaire, on_delete=models.CASCADE, related_name="public_form"
    )
    public = models.BooleanField(default=False)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.questionnaire_id}: {'public' if self.public else 'closed'}"


class SubmissionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for moderation")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class Submission(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="intake_submissions"
    )
    form_version = models.ForeignKey(QuestionnaireVersion, on_delete=models.PROTECT)
    answers = models.JSONField(default=dict)
    language = models.CharField(max_length=8, default="en")
    receipt = models.CharField(max_length=64, db_index=True)  # SHA-256 of the receipt code
    sender_key = models.CharField(max_length=64, db_index=True)  # keyed hash of the address
    status = models.CharField(
        max_length=10, choices=SubmissionStatus.choices, default=SubmissionStatus.PENDING
    )
    reason = models.TextField(blank=True, default="")
    record = models.ForeignKey(
        Record, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"submission {self.pk} ({self.status})"


class SubmissionFile(models.Model):
    """A file sent with a submission; it becomes evidence when the submission is accepted."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    data = models.BinaryField()

    def __str__(self) -> str:
        return self.name
