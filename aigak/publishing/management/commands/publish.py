"""`aigak publish QUESTIONNAIRE RECORD_ID...`: put records on the public pages."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from aigak.publishing.actions import Outcome, publish
from aigak.publishing.management.commands._publication_command import PublicationCommand
from aigak.questionnaires.models import Questionnaire


class Command(PublicationCommand):
    help = (
        "Publish records on the public pages (memorial list and person pages). Only "
        "verified records that consent to publication (consent_publish_name = yes) are "
        "published; each other one is refused with its reason, and the exit code is 1."
    )
    verb = "published"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--summary", default=None, help="the short public summary of the records published"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.summary = options["summary"]
        super().handle(*args, **options)

    def change(self, actor: Any, questionnaire: Questionnaire, ids: list[str]) -> list[Outcome]:
        return publish(actor, questionnaire, ids, summary=self.summary)
