"""`aigak dedupe FILE.csv`: the rows of one list of people that are the same person."""

from __future__ import annotations

from aigak.linkage.management.commands._people_command import PeopleCommand, _probability
from aigak.linkage.matching import DedupeResult, dedupe_list


class Command(PeopleCommand):
    help = (
        "Find the same person several times in one list (CSV: id, full_name, birth_date, "
        "age, gender, region, locality, event_date). Prints id,cluster_id for every row; "
        "rows of one person share a cluster_id."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE.csv")
        self.add_common_arguments(parser)

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
