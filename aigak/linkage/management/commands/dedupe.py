"""`aigak dedupe FILE.csv`: the rows of one list of people that are the same person."""

from __future__ import annotations

from django.core.management.base import CommandParser

from aigak.lib.cli_options import OPTIONS
from aigak.linkage.management.commands._people_command import PeopleCommand, _probability
from aigak.linkage.matching import DedupeResult, dedupe_list


class Command(PeopleCommand):
    help = OPTIONS["dedupe"].help

    def add_arguments(self, parser: CommandParser) -> None:
        OPTIONS["dedupe"].add(parser)

    def handle(self, *args, **options):
        threshold = _probability(options["threshold"])
        people = self.read_list(options["file"])
        step, close = self.progress()
        try:
            result = self.run_engine(
                lambda: dedupe_list(people, threshold, options["engine"], progress=step)
            )
        finally:
            close()
        assert isinstance(result, DedupeResult)
        self.report_training(result.training)
        self.write_csv(result.clusters, options["out"])
        people_count = result.clusters["cluster_id"].nunique()
        self.say(
            f"{len(result.clusters)} rows, {people_count} "
            f"{'person' if people_count == 1 else 'people'} (threshold {threshold:g})"
        )
