"""`aigak form export NAME [--format xlsx|xform] [--out FILE]`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from aigak.questionnaires.registry import UnknownQuestionnaire, get_questionnaire
from aigak.questionnaires.xlsform import to_xform


def handle(command: Any, options: dict[str, Any]) -> None:
    try:
        questionnaire = get_questionnaire(options["name"])
    except UnknownQuestionnaire as exc:
        raise CommandError(str(exc), returncode=1) from None
    assert questionnaire.current is not None
    data = bytes(questionnaire.current.xlsform)
    if options["format"] == "xform":
        data = to_xform(data).encode("utf-8")
    if options["out"]:
        Path(options["out"]).write_bytes(data)
        return
    sys.stdout.buffer.write(data)
    sys.stdout.flush()
