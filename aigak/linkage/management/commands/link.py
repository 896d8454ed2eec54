"""`aigak link LEFT.csv RIGHT.csv`: who on one list of people is who on the other."""

from __future__ import annotations

from django.core.management.base import CommandParser

from aigak.lib.cli_options import OPTIONS
from aigak.linkage.management.commands._people_command import PeopleCommand, _probability
from aigak.linkage.matching import LinkResult, link_lists


class Command(PeopleCommand):
    help = OPTIONS["link"].help

    def add_arguments(self, parser: CommandParser) -> None:
        OPTIONS["link"].add(parser)

    def handle(self, *args, **options):
        threshold = _probability(options["threshold"])
        left = self.read_list(options["left"])
        right = self.read_list(options["right"])
        step, close = self.progress()
        try:
            result = self.run_engine(
                lambda: link_lists(left, right, threshold, options["engine"], progress=step)
            )
        finally:
            close()
        assert isinstance(result, LinkResult)
        self.report_training(result.training)
        self.write_csv(result.links, options["out"])
        self.say(
            f"linked {len(result.links)} people: {len(left)} on {options['left']}, "
            f"{len(right)} on {options['right']} (threshold {threshold:g})"
        )
