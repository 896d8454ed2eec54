"""Field collection over OpenRosa: who collects with which forms, the submissions phones
sent (kept whole, whatever became of them), their files, the devices, the forms' media."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aigak.questionnaires.models import Questionnaire


class CollectionAccess(models.Model):
    """The forms a user may collect with. Without a row, or with `all_forms`: every
    questionnaire they may create records in, except those open to the public."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="collection_access"
    )
    all_forms = models.BooleanField(default=True)
    forms = models.ManyToManyField(Questionnaire, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )


class SubmissionState(models.TextChoices):
    INCOMPLETE = "incomplete", _("Waiting for the rest of its files")
    ACCEPTED = "accepted", _("Made a record")
    REVIEW = "review", _("Needs review")
    ENCRYPTED = "encrypted", _("Waiting for decryption")


class Submission(models.Model):
    """One instance as a device sent it (every POST of it), kept whole."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT)
    instance_id = models.CharField(max_length=100)
    deprecated_id = models.CharField(max_length=100, blank=True, default="")
    form_version = models.CharField(max_length=60, blank=True, default="")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    device_id = models.CharField(max_length=200, blank=True, default="")
    xml = models.BinaryField()
    # An encrypted submission's own XML (its key and manifest), kept once it is decrypted.
    envelope = models.BinaryField(default=b"", blank=True)
    state = models.CharField(max_length=12, choices=SubmissionState.choices)
    # Why it needs review: each {message (English), template, params}, or, kept before,
    # the English text alone (`problems_in_words`).
    problems = models.JSONField(default=list, blank=True)
    record = models.ForeignKey(
        "records.Record", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "instance_id"], name="unique_instance_per_form"
            )
        ]
        indexes = [models.Index(fields=["state"])]
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.questionnaire_id}:{self.instance_id}"

    @property
    def problems_in_words(self) -> list[str]:
        """Why it needs review, in the active language."""
        # The form's rules load with the page, not when Django starts.
        from aigak.questionnaires.answer_types import words

        return [
            words(p["template"], p.get("params")) if isinstance(p, dict) and "template" in p
            else p["message"] if isinstance(p, dict) else str(p)
            for p in self.problems
        ]  # fmt: skip


class SubmissionFile(models.Model):
    """A file sent with a submission; its bytes sit in the evidence store by hash."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="files")
    name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.BigIntegerField()
    content_type = models.CharField(max_length=120)
    refused = models.CharField(max_length=300, blank=True, default="")  # why not evidence
    evidence = models.ForeignKey(
        "evidence.Evidence", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["submission", "name"], name="unique_submission_file")
        ]

    def refused_in_words(self) -> str:
        """Why the file is not evidence, in the reader's language (it is kept in English)."""
        from aigak.evidence.sniff import reason_in_words  # not at start-up: the form readers

        return reason_in_words(self.refused)


class Device(models.Model):
    """A device that sent submissions (its deviceID is what the device says)."""

    device_id = models.CharField(max_length=200)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    first_seen = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField(auto_now=True)
    submissions = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["device_id", "user"], name="unique_device_user")
        ]


class FormMedia(models.Model):
    """A media file of a form (choice images, CSV for pulldata or select_from_file), given
    to devices through the form's manifest."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(max_length=200)
    data = models.BinaryField()
    md5 = models.CharField(max_length=32)
    uploaded_at = models.DateTimeField(auto_now=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "filename"], name="unique_form_media")
        ]
        ordering = ["filename"]
