"""A file of records imported on the import page, checked and written in the background."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models

from aigak.questionnaires.models import Questionnaire
from aigak.runs.models import BackgroundRun


class RecordImport(BackgroundRun):
    """One upload of the import page: its preview was seen; this run checks every row
    with the form's rules and writes all of them, or none (`records.actions.import_rows`,
    as `aigak import` does)."""

    run_work: ClassVar[str] = "aigak.site.imports:run_import"
    run_related: ClassVar[tuple[str, ...]] = ("questionnaire", "requested_by")
    run_slot: ClassVar[str] = "import"

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(max_length=255)
    staged = models.CharField(max_length=500)  # the uploaded file, until the run ends
    file_format = models.CharField(max_length=8)
    total = models.PositiveIntegerField(default=0)  # rows in the file
    checked = models.PositiveIntegerField(default=0)  # rows checked so far
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    problems = models.JSONField(
        default=list
    )  # [{row, field, value, message[, template, params | texts]}], the first ones
    problem_count = models.PositiveIntegerField(default=0)
    # Why the file could not be read at all (`TableError.stored`: file, sheet, row, column,
    # the English template and its values), said in the reader's language on the page.
    failure = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.file_name} -> {self.questionnaire_id}"

    @property
    def problems_in_words(self) -> list[dict[str, Any]]:
        """The stored problems with their messages in the active language: ours
        translated, a questionnaire's own in that language if it has it."""
        # The form's rules load with the page, not when Django starts.
        from aigak.questionnaires.answer_types import in_language, words

        out = []
        for p in self.problems:
            if p.get("template"):
                p = {**p, "message": words(p["template"], p.get("params"))}
            elif p.get("texts"):
                p = {**p, "message": in_language(p["texts"]) or p["message"]}
            out.append(p)
        return out

    @property
    def failure_in_words(self) -> str:
        """Why the file could not be read, in the active language, naming the uploaded file."""
        from aigak.records.tabular import table_error_in_words

        return table_error_in_words(self.failure, source=self.file_name) if self.failure else ""

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.checked / self.total)) if self.total else 0
