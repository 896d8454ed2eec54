"""`aigak form list [--format json]`."""

from __future__ import annotations

import json
from typing import Any

from aigak.questionnaires.registry import ensure_shipped, list_forms

NAME = "list"


def handle(command: Any, options: dict[str, Any]) -> None:
    ensure_shipped()
    rows = list_forms()
    if options["format"] == "json":
        command.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    for row in rows:
        command.stdout.write(
            f"{row['name']}\t{row['version']}\t{row['fields']} fields\t"
            f"{row['records']} records\t{','.join(row['languages'])}\t{row['title']}"
        )
