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


# A version's stored XLSForm and definition (hundreds of kB of JSON for the shipped
# forms): a page reads the definition through `definition`, parsed once per process, so
# loading these columns with every version (a record's, a questionnaire's current one)
# only cost a JSON decode per request. Left out of such loads; read when asked for.
HEAVY_FIELDS = ("xlsform", "definition_json")


def without_heavy(*relations: str) -> list[str]:
    """For `defer()`: the heavy columns of the versions reached through `relations`
    (e.g. "current", "form_version")."""
    return [f"{relation}__{name}" for relation in relations for name in HEAVY_FIELDS]


class LightVersions(models.Manager["QuestionnaireVersion"]):
    """A version reached from a record or a questionnaire (`record.form_version`,
    `questionnaire.current`) comes without its heavy columns (Django loads related
    objects through the base manager)."""

    def get_queryset(self) -> models.QuerySet[QuestionnaireVersion]:
        return super().get_queryset().defer(*HEAVY_FIELDS)


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

    objects = models.Manager()
    light = LightVersions()

    class Meta:
        base_manager_name = "light"
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "sha256"], name="unique_form_content")
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire_id}@{self.version}"

    @property
    def definition(self) -> FormDefinition:
        # Versions never change once stored, so (pk, hash) is a safe cache key; a stored
        # version's `definition_json` is not touched here (it may be deferred).
        if self.pk is None:
            return FormDefinition.from_dict(self.definition_json)
        return _cached_definition(self.pk, self.sha256)

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
