"""Questionnaires and their versions: each version keeps its XLSForm and definition."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, gettext_noop

from aigak.questionnaires.definition import FormDefinition

# The shipped forms' titles: XLSForm has no title per language, so the catalogue has them.
SHIPPED_TITLES = [gettext_noop("Victims"), gettext_noop("Events"), gettext_noop("Torture")]


class Questionnaire(models.Model):
    name = models.SlugField(max_length=40, unique=True)  # "victim", "torture", "event"
    title = models.CharField(max_length=200)
    current = models.ForeignKey(
        "QuestionnaireVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name

    @property
    def local_title(self) -> str:
        """The title in the language of the request (a title no catalogue has stays)."""
        return gettext(self.title) if self.title else self.name

    @property
    def definition(self) -> FormDefinition:
        assert self.current is not None, f"questionnaire {self.name} has no version"
        return self.current.definition


class QuestionnaireVersion(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="versions"
    )
    version = models.CharField(max_length=60)
    xlsform = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    definition_json = models.JSONField()
    loaded_at = models.DateTimeField(auto_now_add=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "sha256"], name="unique_form_content")
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire_id}@{self.version}"

    @property
    def definition(self) -> FormDefinition:
        return _definition(self.pk, self.sha256, self.definition_json)

    @staticmethod
    def digest(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()


@lru_cache(maxsize=64)
def _cached_definition(pk: int, sha256: str) -> FormDefinition:
    from aigak.questionnaires.media import FormMediaFiles

    version = QuestionnaireVersion.objects.get(pk=pk)
    definition = FormDefinition.from_dict(version.definition_json)
    definition.media = FormMediaFiles(version.questionnaire_id)  # type: ignore[attr-defined]
    return definition


def _definition(pk: int, sha256: str, data: dict) -> FormDefinition:
    # Versions never change once stored, so (pk, hash) is a safe cache key.
    if pk is None:
        return FormDefinition.from_dict(data)
    return _cached_definition(pk, sha256)
