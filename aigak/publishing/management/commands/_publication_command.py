"""What `aigak publish` and `aigak unpublish` share: arguments, the acting user, the
report of each record and the exit code (1 when any record was refused)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from aigak.accounts.models import User
from aigak.publishing.actions import Outcome
from aigak.questionnaires.models import Questionnaire
from aigak.questionnaires.registry import UnknownQuestionnaire, get_questionnaire


class PublicationCommand(BaseCommand):
    requires_system_checks: list[str] = []
    verb = ""

    def change(self, actor: Any, questionnaire: Questionnaire, ids: list[str]) -> list[Outcome]:
        raise NotImplementedError

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            questionnaire = get_questionnaire(options["questionnaire"])
        except UnknownQuestionnaire:
            raise CommandError(f"unknown questionnaire {options['questionnaire']!r}") from None
        actor = _actor(options["user"])
        try:
            outcomes = self.change(actor, questionnaire, options["record_ids"])
        except PermissionDenied as denied:
            raise CommandError(str(denied)) from None
        refused = 0
        for outcome in outcomes:
            if outcome.done:
                note = f" ({outcome.reason})" if outcome.reason else ""
                self.stdout.write(f"{outcome.record_id}: {self.verb}{note}")
            else:
                refused += 1
                self.stderr.write(f"{outcome.record_id}: refused: {outcome.reason}")
        if refused:
            raise CommandError(f"{refused} of {len(outcomes)} record(s) refused", returncode=1)


def _actor(name: str) -> User | None:
    if not name:
        return None
    user = User.objects.filter(username=name, is_active=True).first()
    if user is None:
        raise CommandError(f"--user {name!r}: no such active user")
    return user
