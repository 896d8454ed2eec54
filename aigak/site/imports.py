"""The import page's work: stage an upload, preview its first rows, import it in the
background with its progress, all rows or none (`records.actions.import_rows`).

Who may import: admins and coordinators (`permissions.can_import_export`), as the import
action itself requires of a user. The problems a failed import stores name the row, the
field, the value and the rule, as `aigak import` prints them; only the importing roles,
who see every field, read them.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from aigak.questionnaires.answer_types import words
from aigak.questionnaires.models import Questionnaire
from aigak.questionnaires.validation import Problem
from aigak.records import tabular
from aigak.records.actions import ImportFailed, import_rows
from aigak.runs.background import RunFailed
from aigak.site.models import RecordImport

PREVIEW_ROWS = 10
KEPT_PROBLEMS = 200  # problems stored with a failed run (the count holds them all)
MAX_FILE_SIZE = 200 * 1024 * 1024
PROGRESS_EVERY = 0.5  # seconds between progress writes
STAGED_FOR = 24 * 3600  # an upload not imported is removed after this long


def staging_dir() -> Path:
    default = Path(settings.DATA_DIR) / "import-uploads"
    path = Path(getattr(settings, "IMPORT_STAGING_DIR", default))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _clear_old() -> None:
    limit = time.time() - STAGED_FOR
    for path in staging_dir().glob("*.upload"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            pass


def stage(upload: UploadedFile, fmt: str) -> str:
    """Keep an upload until it is imported; its token names it (never the user's name)."""
    _clear_old()
    token = secrets.token_urlsafe(16)
    with open(staged_path(token, fmt), "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return token


def staged_path(token: str, fmt: str) -> Path:
    if not token.replace("-", "").replace("_", "").isalnum() or fmt not in tabular.FORMATS:
        raise ValueError("no such upload")
    return staging_dir() / f"{token}.{fmt}.upload"


@dataclass
class Preview:
    columns: list[str]
    rows: list[tuple[int, list[str]]]  # (row number in the file, cells)
    error: str = ""


def preview(path: Path, questionnaire: Questionnaire, fmt: str, name: str = "") -> Preview:
    """The first rows of a file as the import reads them, or why it cannot be read (in
    the active language, naming the file by `name`, the uploaded file's)."""
    definition = questionnaire.definition
    found: list[tuple[int, dict[str, Any]]] = []
    try:
        for number, raw in tabular.read_rows(path, definition, fmt=fmt):
            found.append((number, raw))
            if len(found) >= PREVIEW_ROWS:
                break
    except tabular.TableError as exc:
        return Preview(
            [], [], error=tabular.table_error_in_words(exc.stored(), source=name or None)
        )
    columns: list[str] = []
    for _, raw in found:
        columns += [c for c in raw if c not in columns]
    cells = [(n, [tabular.text_cell("text", raw.get(c)) for c in columns]) for n, raw in found]
    return Preview(columns, cells)


def count_rows(path: Path, questionnaire: Questionnaire, fmt: str) -> int:
    try:
        return sum(1 for _ in tabular.read_rows(path, questionnaire.definition, fmt=fmt))
    except tabular.TableError:
        return 0


def run_import(run: RecordImport) -> dict[str, Any]:
    """The background work: check every row, then write all of them or none."""
    path = Path(run.staged)
    questionnaire = run.questionnaire
    total = count_rows(path, questionnaire, run.file_format)
    RecordImport.objects.filter(pk=run.pk).update(total=total)
    done = 0
    last = time.monotonic()

    def progress(step: int) -> None:
        nonlocal done, last
        done += step
        if time.monotonic() - last >= PROGRESS_EVERY:
            RecordImport.objects.filter(pk=run.pk).update(checked=done)
            last = time.monotonic()

    try:
        rows = tabular.read_rows(path, questionnaire.definition, fmt=run.file_format)
        result = import_rows(
            run.requested_by, questionnaire, rows, source=run.file_name, progress=progress
        )
    except ImportFailed as exc:
        kept = [_problem(p.row, p.problem) for p in exc.problems[:KEPT_PROBLEMS]]
        RecordImport.objects.filter(pk=run.pk).update(
            checked=done, problems=kept, problem_count=len(exc.problems)
        )
        raise RunFailed(f"{len(exc.problems)} problem(s); nothing was imported") from None
    except tabular.TableError as exc:
        raise RunFailed(exc.in_words(english=True), failure=exc.stored()) from None
    finally:
        path.unlink(missing_ok=True)
    return {
        "checked": done,
        "total": max(total, done),
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
    }


def _problem(row: int, problem: Problem) -> dict[str, Any]:
    """A problem as stored: its message in English, and when it is one of ours its
    template and values too (a questionnaire's own: its texts), so the page says it in
    its reader's language."""
    value = tabular.text_cell("text", problem.value) if problem.value is not None else ""
    stored = {"row": row, "field": problem.field, "value": value[:80]}
    if problem.texts:  # the questionnaire's own message, in each of its languages
        return {**stored, "message": problem.message, "texts": problem.texts}
    if not problem.template:
        return {**stored, "message": problem.message}
    english = words(problem.template, problem.params, english=True)
    return {**stored, "message": english, "template": problem.template, "params": problem.params}
