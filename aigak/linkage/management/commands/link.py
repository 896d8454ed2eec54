"""`aigak link LEFT.csv RIGHT.csv`: who on one list of people is who on the other."""

from __future__ import annotations

from aigak.linkage.management.commands._people_command import PeopleCommand, _probability
from aigak.linkage.matching import LinkResult, link_lists


class Command(PeopleCommand):
    help = (
        "Link two lists of people (CSV: id, full_name, birth_date, age, gender, region, "
        "locality, event_date). Prints left_id,right_id,probability for each linked pair "
        "at or above the threshold; each id at most once."
    )

    def add_arguments(self, parser):
        parser.add_argument("left", metavar="LEFT.csv")
        parser.add_argument("right", metavar="RIGHT.csv")
        self.add_common_arguments(parser)

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
