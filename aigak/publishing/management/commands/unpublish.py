"""`aigak unpublish QUESTIONNAIRE RECORD_ID...`: take records off the public pages."""

from __future__ import annotations

from typing import Any

from aigak.publishing.actions import Outcome, unpublish
from aigak.publishing.management.commands._publication_command import PublicationCommand
from aigak.questionnaires.models import Questionnaire


class Command(PublicationCommand):
    help = (
        "Take records off the public pages at once. A record that is not published is "
        "refused with its reason, and the exit code is 1."
    )
    verb = "unpublished"

    def change(self, actor: Any, questionnaire: Questionnaire, ids: list[str]) -> list[Outcome]:
        return unpublish(actor, questionnaire, ids)
