"""`aigak token NAME`: a new API token for a user, shown once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from aigak.accounts.models import User
from aigak.accounts.tokens import issue_token, revoke_all_tokens
from aigak.lib.cli_options import OPTIONS


class Command(BaseCommand):
    # System checks import every view (pandas, matplotlib, ...): seconds and 100+ MB
    # that a command working on records does not need. `aigak manage check` runs them.
    requires_system_checks: list[str] = []
    help = OPTIONS["token"].help

    def add_arguments(self, parser: CommandParser) -> None:
        OPTIONS["token"].add(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["name"]).first()
        if user is not None and options["revoke_all"]:
            count = revoke_all_tokens(None, user)
            self.stdout.write(f"revoked {count} token(s) of {user.username}")
            return
        if options["days"] is not None and options["days"] < 0:
            self.stderr.write("aigak token: --days must be 0 or more")
            raise SystemExit(2)
        if user is None or not user.is_active:
            what = "no such user" if user is None else "the user is deactivated"
            self.stderr.write(f"aigak token: {options['name']!r}: {what}")
            raise SystemExit(1)
        self.stdout.write(issue_token(user, days=options["days"]))
