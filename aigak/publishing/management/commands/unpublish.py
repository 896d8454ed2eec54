"""`aigak unpublish QUESTIONNAIRE RECORD_ID...`: take records off the public pages."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from aigak.lib.cli_options import OPTIONS
from aigak.publishing.actions import Outcome, unpublish
from aigak.publishing.management.commands._publication_command import PublicationCommand
from aigak.questionnaires.models import Questionnaire


class Command(PublicationCommand):
    help = OPTIONS["unpublish"].help

    def add_arguments(self, parser: CommandParser) -> None:
        OPTIONS["unpublish"].add(parser)

    verb = "unpublished"

    def change(self, actor: Any, questionnaire: Questionnaire, ids: list[str]) -> list[Outcome]:
        return unpublish(actor, questionnaire, ids)
