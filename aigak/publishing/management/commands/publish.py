"""`aigak publish QUESTIONNAIRE RECORD_ID...`: put records on the public pages."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from aigak.lib.cli_options import OPTIONS
from aigak.publishing.actions import Outcome, publish
from aigak.publishing.management.commands._publication_command import PublicationCommand
from aigak.questionnaires.models import Questionnaire


class Command(PublicationCommand):
    help = OPTIONS["publish"].help
    verb = "published"

    def add_arguments(self, parser: CommandParser) -> None:
        OPTIONS["publish"].add(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        self.summary = options["summary"]
        super().handle(*args, **options)

    def change(self, actor: Any, questionnaire: Questionnaire, ids: list[str]) -> list[Outcome]:
        return publish(actor, questionnaire, ids, summary=self.summary)
