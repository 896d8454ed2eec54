"""`aigak form install FILE [--name NAME] [--force]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from aigak.questionnaires.registry import OrphanedAnswers, install_form
from aigak.questionnaires.xlsform import XLSFormError


def handle(command: Any, options: dict[str, Any]) -> None:
    path = Path(options["file"])
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CommandError(f"{path}: {exc.strerror or exc}", returncode=1) from None
    try:
        installed = install_form(
            None, data, options["name"], filename=path.name, force=options["force"]
        )
    except XLSFormError as exc:
        for problem in exc.problems:
            command.stderr.write(f"{path}: {problem}")
        raise CommandError(
            f"{path}: refused ({len(exc.problems)} problems)", returncode=1
        ) from None
    except OrphanedAnswers as exc:
        for line in exc.change.lines():
            command.stderr.write(line)
        raise CommandError(f"{path}: {exc}; --force installs it anyway", returncode=1) from None
    version = installed.version
    if installed.change is not None:
        for line in installed.change.lines():
            command.stdout.write(line)
    command.stdout.write(f"{version.questionnaire.name} {version.version}")
