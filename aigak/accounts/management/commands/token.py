"""`aigak token NAME`: a new API token for a user, shown once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from aigak.accounts.models import User
from aigak.accounts.tokens import issue_token, revoke_all_tokens


class Command(BaseCommand):
    # System checks import every view (pandas, matplotlib, ...): seconds and 100+ MB
    # that a command working on records does not need. `aigak manage check` runs them.
    requires_system_checks: list[str] = []
    help = (
        "Print a new API token for a user, for the REST API and resumable uploads "
        "(header `Authorization: Token <token>`). Only its hash is stored: keep it now."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="the user's login name")
        parser.add_argument(
            "--revoke-all", action="store_true", help="revoke every token of the user instead"
        )
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="days the new token is valid (default AIGAK_TOKEN_DAYS; 0: never expires)",
        )

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
