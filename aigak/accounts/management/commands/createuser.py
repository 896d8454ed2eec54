"""`aigak createuser NAME --role ROLE [--password-file F] [--team TEAM]`."""

from __future__ import annotations

import getpass
import secrets
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from aigak.accounts import actions
from aigak.accounts.models import User
from aigak.lib.cli_options import OPTIONS


class Command(BaseCommand):
    # System checks import every view (pandas, matplotlib, ...): seconds and 100+ MB
    # that a command working on records does not need. `aigak manage check` runs them.
    requires_system_checks: list[str] = []
    help = OPTIONS["createuser"].help

    def add_arguments(self, parser: CommandParser) -> None:
        OPTIONS["createuser"].add(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["name"].strip()
        if User.objects.filter(username__iexact=name).exists():
            self._fail(f"a user named {name!r} already exists", 1)  # before asking a password
        generated = False
        if options["password_file"]:
            password = self._read_password_file(options["password_file"])
        elif sys.stdin.isatty():
            password = self._ask_password()
        else:
            password, generated = secrets.token_urlsafe(18), True
        try:
            user = actions.create_user(
                None, name, options["role"], password, team=options["team"], email=options["email"]
            )
        except actions.UserRefused as exc:
            self._fail(str(exc), 1)
        team = f", team {user.team.name}" if user.team else ""
        self.stdout.write(f"created user {user.username} ({user.role}{team})")
        if generated:
            self.stdout.write(f"password: {password}")

    def _read_password_file(self, name: str) -> str:
        try:
            text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self._fail(f"{name}: cannot read the password file ({exc})", 1)
        lines = text.splitlines()
        if not lines or not lines[0]:
            self._fail(f"{name}: the first line (the password) is empty", 1)
        return lines[0]

    def _ask_password(self) -> str:
        for _ in range(3):
            first = getpass.getpass("Password: ")
            if first and first == getpass.getpass("Password (again): "):
                return first
            self.stderr.write("The passwords differ or are empty; try again.")
        self._fail("no password given", 1)
        return ""

    def _fail(self, text: str, code: int) -> Any:
        self.stderr.write(f"aigak createuser: {text}")
        raise SystemExit(code)
