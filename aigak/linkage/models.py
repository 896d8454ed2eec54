"""Victim lists, their entries, candidate matches under review, and merges of persons.

Nothing here changes a record. A list and its entries are what was uploaded; a `Match`
is a question for a reviewer ("is this entry that person?", "are these two persons one
person?"); only an accepted dedupe match changes anything outside this app, and then
only `Person.merged_into`, which a `PersonMerge` remembers so it can be undone.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from aigak.records.models import Person
from aigak.runs.models import ACTIVE_RUN_STATUSES, BackgroundRun

# The people columns of a list, as `aigak.linkage.people.COLUMNS` names them.
PEOPLE_FIELDS = (
    "full_name",
    "birth_date",
    "age",
    "gender",
    "region",
    "locality",
    "event_date",
)
# What the people columns are called on the pages (column mapping, review).
FIELD_LABELS = {
    "id": _("Id in the list"),
    "full_name": _("Full name"),
    "birth_date": _("Date of birth"),
    "age": _("Age"),
    "gender": _("Gender"),
    "region": _("Region"),
    "locality": _("Town or village"),
    "event_date": _("Date of the event (death, detention)"),
}
# Column names of the capture histories (`overlap.capture_histories`), not list names.
RESERVED_LIST_NAMES = ("database", "count")


class VictimList(models.Model):
    """A list of victims from outside the database (an official list, an activists' list),
    kept as uploaded under a name, with where it came from and when it was published."""

    name = models.CharField(max_length=200, unique=True)
    source = models.CharField(max_length=500, blank=True, default="")
    published_on = models.DateField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    file_format = models.CharField(max_length=8)  # "csv" or "xlsx"
    encoding = models.CharField(max_length=40, blank=True, default="")
    # {field: [header, ...]}: which columns of the file gave each field (a full name may
    # be put together from surname, given name and patronymic columns).
    column_mapping = models.JSONField(default=dict)
    row_count = models.PositiveIntegerField(default=0)
    warnings = models.JSONField(default=list, blank=True)
    # The last cross-reference with the database: when, by whom, what the model said.
    linked_at = models.DateTimeField(null=True, blank=True)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    link_notes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.name


class ListEntry(models.Model):
    """One row of a list: its id in the file, the people fields as written, the whole row."""

    victim_list = models.ForeignKey(VictimList, on_delete=models.CASCADE, related_name="entries")
    row_number = models.PositiveIntegerField()  # as a spreadsheet shows it; the header is 1
    entry_id = models.CharField(max_length=200)
    full_name = models.TextField(blank=True, default="")
    birth_date = models.CharField(max_length=60, blank=True, default="")
    age = models.CharField(max_length=20, blank=True, default="")
    gender = models.CharField(max_length=60, blank=True, default="")
    region = models.TextField(blank=True, default="")
    locality = models.TextField(blank=True, default="")
    event_date = models.CharField(max_length=60, blank=True, default="")
    raw = models.JSONField(default=dict)  # {header: cell} for every column of the row
    matchable = models.BooleanField(default=True)  # False: no name the model can read

    class Meta:
        ordering = ["victim_list", "row_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["victim_list", "entry_id"], name="linkage_unique_entry_id_per_list"
            )
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.full_name}"


class MatchKind(models.TextChoices):
    LINK = "link", _("List entry and person")
    DEDUPE = "dedupe", _("Two persons")


class MatchStatus(models.TextChoices):
    CANDIDATE = "candidate", _("To review")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    UNDECIDED = "undecided", _("Undecided")
    # A link whose entry or person was accepted with someone else in the same list;
    # it comes back as a candidate when that acceptance is withdrawn.
    SUPERSEDED = "superseded", _("Superseded")


OPEN_STATUSES = (MatchStatus.CANDIDATE, MatchStatus.UNDECIDED)


class Match(models.Model):
    """A candidate pair the model found: a list entry and a person (`link`), or two
    persons (`dedupe`, `person` the one with the lower id). `fields` holds what the
    model compared: `weights` {comparison: log2 Bayes factor} and the comparisons that
    `agreed`, `disagreed`, were `neutral` or `missing`."""

    kind = models.CharField(max_length=8, choices=MatchKind.choices)
    entry = models.ForeignKey(
        ListEntry, null=True, blank=True, on_delete=models.CASCADE, related_name="matches"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    other_person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    probability = models.FloatField()
    match_weight = models.FloatField(default=0.0)
    fields = models.JSONField(default=dict)
    suggested = models.BooleanField(default=False)  # the model's own one-to-one choice
    status = models.CharField(
        max_length=12, choices=MatchStatus.choices, default=MatchStatus.CANDIDATE
    )
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="superseding"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-probability", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "person"],
                condition=Q(kind="link"),
                name="linkage_unique_link_pair",
            ),
            models.UniqueConstraint(
                fields=["person", "other_person"],
                condition=Q(kind="dedupe"),
                name="linkage_unique_dedupe_pair",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="link", entry__isnull=False, other_person__isnull=True)
                    | Q(kind="dedupe", entry__isnull=True, person__lt=F("other_person"))
                ),
                name="linkage_match_shape",
            ),
        ]
        indexes = [models.Index(fields=["kind", "status", "-probability"])]

    def __str__(self) -> str:
        other = self.entry_id if self.kind == MatchKind.LINK else self.other_person_id
        return f"{self.kind} {other}~{self.person_id} {self.status}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class PersonMerge(models.Model):
    """`from_person` was pointed at `into_person` (Person.merged_into); undone when
    `undone_at` is set. Both persons and all their records stay as they were."""

    from_person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    into_person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    match = models.ForeignKey(
        Match, null=True, blank=True, on_delete=models.PROTECT, related_name="merges"
    )
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    merged_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-merged_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["from_person"],
                condition=Q(undone_at__isnull=True),
                name="linkage_one_live_merge_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_person_id} -> {self.into_person_id}"

    @property
    def is_live(self) -> bool:
        return self.undone_at is None


# Why a matching run failed when its engine could not run (the reason stays as said).
MODEL_FAILED = gettext_noop("The matching model could not run: %(reason)s")


class MatchingRun(BackgroundRun):
    """One run of the matching model, asked for from a page and run outside the request
    (`aigak.linkage.runs`): cross-referencing a list with the database, or looking for
    duplicate persons. The page that asked shows its status until it is done. At most one
    run per target (a list, or the persons) waits or runs at a time."""

    run_work = "aigak.linkage.runs:work"
    run_related = ("requested_by", "victim_list")
    run_slot = "matching"
    run_stopped = gettext_noop(
        "The process running the match stopped (was the server restarted?). Start it again."
    )
    run_never_started = gettext_noop(
        "The run never started (was the server restarted?). Start it again."
    )

    kind = models.CharField(max_length=8, choices=MatchKind.choices)
    victim_list = models.ForeignKey(
        VictimList, null=True, blank=True, on_delete=models.CASCADE, related_name="runs"
    )
    # status, who asked and when, the process and the error: `BackgroundRun`.
    # "list:<pk>" or "persons": what the run matches, for the one-at-a-time constraint.
    target = models.CharField(max_length=40)
    threshold = models.FloatField()
    # candidates, created, updated, removed and notes, as `review.RunSummary` gives them.
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["target"],
                condition=Q(status__in=ACTIVE_RUN_STATUSES),
                name="linkage_one_active_run_per_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} run {self.pk} ({self.status})"

    def error_in_words(self) -> str:
        """Why the run failed, in the reader's language (it is kept in English)."""
        opening = MODEL_FAILED.split("%(")[0]
        if self.error.startswith(opening):
            return gettext(MODEL_FAILED) % {"reason": self.error[len(opening) :]}
        return gettext(self.error)
