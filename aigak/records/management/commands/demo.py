"""`aigak demo`: load the demo data set and print the demo logins."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from aigak.records.demo import load_demo


class Command(BaseCommand):
    help = (
        "Load the demo data set: 579 synthetic Victims records consistent with the published "
        "Qantar2022 tables, linked Torture and Event records, one demo user per role."
    )

    def handle(self, *args, **options) -> None:
        result = load_demo(stdout=self.stdout)  # type: ignore[arg-type]
        if not result["loaded"]:
            self.stdout.write(
                f"The demo data set is already loaded ({result['victims']} Victims records); "
                "nothing changed."
            )
            return
        self.stdout.write("Demo logins (also in " + result["logins_file"] + "):")
        for user in result["users"]:
            self.stdout.write(f"  {user['username']:<18} {user['role']:<12} {user['password']}")
