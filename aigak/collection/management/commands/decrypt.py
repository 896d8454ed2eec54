"""`aigak decrypt KEYFILE FOLDER --out FILE.json [--form NAME]`: encrypted ODK submissions
into an import file, offline, with the form's private key; and
`aigak decrypt --export-waiting FOLDER [--form NAME]`: the encrypted submissions waiting
in this Aigak written out, still encrypted, for that."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from aigak.lib.cli_options import OPTIONS
from aigak.lib.odk_crypto import OdkCryptoError, load_private_key
from aigak.questionnaires.definition import FormDefinition
from aigak.questionnaires.models import Questionnaire
from aigak.questionnaires.registry import UnknownQuestionnaire, get_questionnaire
from aigak.records.decrypt import DecryptFailed, decrypt_folder


class Command(BaseCommand):
    requires_system_checks: list[str] = []
    help = OPTIONS["decrypt"].help

    def add_arguments(self, parser: CommandParser) -> None:
        OPTIONS["decrypt"].add(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["export_waiting"]:
            self._export(Path(options["export_waiting"]), options["form"])
            return
        if not (options["keyfile"] and options["folder"] and options["out"]):
            self._fail("give KEYFILE FOLDER --out FILE.json, or --export-waiting FOLDER", 2)
        keyfile, folder = Path(options["keyfile"]), Path(options["folder"])
        out = Path(options["out"])
        if not keyfile.is_file():
            self._fail(f"{keyfile}: no such file", 1)
        if not folder.is_dir():
            self._fail(f"{folder}: no such folder", 1)
        if not out.parent.is_dir():
            self._fail(f"{out.parent}: no such folder", 1)
        key = keyfile.read_bytes()
        try:
            load_private_key(key)
        except OdkCryptoError as error:
            self._fail(f"{keyfile}: {error}", 1)
        try:
            result = decrypt_folder(key, folder, out, self._definition_for(options["form"]))
        except DecryptFailed as error:
            self._fail(str(error), 1)
        summary = f"decrypted {result.submissions} submission(s) into {out}"
        if result.media_folder:
            summary += f", {result.media_files} attachment(s) into {result.media_folder}"
        if result.plain_skipped:
            summary += f"; {result.plain_skipped} unencrypted submission(s) left as they are"
        self.stdout.write(summary)
        self.stdout.write(f"next: aigak import {self.questionnaire} {out}")

    def _export(self, folder: Path, name: str | None) -> None:
        from aigak.collection.export_waiting import export_waiting

        if folder.exists():
            self._fail(f"{folder}: already exists; name a new folder", 1)
        try:
            questionnaire = get_questionnaire(name) if name else None
        except UnknownQuestionnaire as error:
            self._fail(str(error), 2)
        count = export_waiting(folder, questionnaire)
        self.stdout.write(f"wrote {count} encrypted submission(s) into {folder}")

    def _definition_for(self, name: str | None) -> Any:
        def definition_for(form_id: str) -> FormDefinition:
            try:
                questionnaire = _questionnaire(name, form_id)
            except UnknownQuestionnaire as error:
                raise DecryptFailed(str(error)) from None
            self.questionnaire = questionnaire.name
            return questionnaire.definition

        return definition_for

    def _fail(self, text: str, code: int) -> Any:
        self.stderr.write(f"aigak decrypt: {text}")
        raise SystemExit(code)


def _questionnaire(name: str | None, form_id: str) -> Questionnaire:
    """The questionnaire named, else the one whose name or XForm id is the form id."""
    if name:
        return get_questionnaire(name)
    for questionnaire in Questionnaire.objects.select_related("current").exclude(current=None):
        if questionnaire.name == form_id or questionnaire.definition.form_id == form_id:
            return questionnaire
    raise UnknownQuestionnaire(
        f"no installed questionnaire has the form id {form_id!r}; name one with --form"
    )
