"""The home page's dashboard: counts, work waiting for the user, recent changes.

Every number counts only records the user may open (`permissions.visible_records`), and
nothing shows an answer: the activity names the record, who saved it and what kind of
save it was, never what changed, so the field rule holds for every role. Apps above
records add their waiting work through `records.hooks.add_dashboard_count`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from aigak.accounts import permissions as perms
from aigak.accounts.models import Role, User
from aigak.questionnaires.models import Questionnaire
from aigak.records.access import listed_questionnaires
from aigak.records.hooks import DashboardCount, dashboard_counts
from aigak.records.models import Record, RecordVersion, Status

SHORT_LIST = 8  # drafts, records to verify, changes shown
MONTHS = 12  # records over time: this many months back, this month included
SAVE_KINDS = {
    "created": gettext_lazy("created"),
    "status": gettext_lazy("status changed"),
    "restored": gettext_lazy("earlier version restored"),
    "edited": gettext_lazy("edited"),
}


@dataclass
class StatusRow:
    questionnaire: Questionnaire
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def cells(self) -> list[tuple[str, int]]:
        return [(status, self.counts.get(status, 0)) for status in Status.values]


@dataclass
class Month:
    start: dt.date
    count: int
    share: int = 0  # percent of the busiest month, for the bar's width


@dataclass
class Activity:
    version: RecordVersion
    kind: str

    @property
    def label(self) -> str:
        return str(SAVE_KINDS[self.kind])


@dataclass
class Dashboard:
    by_status: list[StatusRow]
    months: list[Month]
    drafts: list[Record]
    drafts_count: int
    to_verify: list[Record] | None  # None: the user does not verify
    to_verify_count: int
    waiting: list[DashboardCount]
    activity: list[Activity]
    team_name: str = ""
    statuses: list[str] = field(default_factory=lambda: list(Status.values))


def _live(user: User) -> QuerySet[Record]:
    return perms.visible_records(user, Record.live.all())


def status_counts(user: User) -> list[StatusRow]:
    """Records the user may open, by questionnaire and status (one GROUP BY)."""
    counts: dict[int, dict[str, int]] = {}
    rows = _live(user).order_by().values("questionnaire_id", "status").annotate(n=Count("pk"))
    for row in rows:
        counts.setdefault(row["questionnaire_id"], {})[row["status"]] = row["n"]
    return [StatusRow(q, counts.get(q.pk, {})) for q in listed_questionnaires()]


def _month_start(day: dt.date, back: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def months(user: User, today: dt.date | None = None) -> list[Month]:
    """Records entered per month, the last MONTHS months, empty months included.

    One pass over the records with a conditional count per month: plain comparisons of
    created_at, where truncating every row's timestamp to its month (TruncMonth) cost
    SQLite a Python call per row, most of the dashboard's time at 100,000 records.
    """
    today = today or timezone.localdate()
    starts = [_month_start(today, back) for back in range(MONTHS - 1, -1, -1)]
    bounds = [_aware(day) for day in starts] + [_aware(_month_start(today, -1))]
    counts = _live(user).aggregate(
        **{
            f"m{i}": Count("pk", filter=Q(created_at__gte=bounds[i], created_at__lt=bounds[i + 1]))
            for i in range(MONTHS)
        }
    )
    out = [Month(start, counts[f"m{i}"] or 0) for i, start in enumerate(starts)]
    busiest = max((m.count for m in out), default=0)
    for month in out:
        month.share = round(100 * month.count / busiest) if busiest else 0
    return out


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def save_kind(version: RecordVersion) -> str:
    """What kind of save a version was, in words that carry no answer."""
    note = version.note or ""
    if version.number == 1:
        return "created"
    if note.startswith("status "):
        return "status"
    if note.startswith("restored"):
        return "restored"
    return "edited"


def activity(user: User) -> list[Activity]:
    """The latest saves by the user's team (their own saves when they have no team) on
    records they may open; managers, lawyers and viewers see the whole centre's."""
    versions = RecordVersion.objects.filter(record__deleted_at__isnull=True)
    role = perms.role_of(user)
    if role == Role.DOCUMENTER:
        versions = versions.filter(record__in=_live(user))
        versions = (
            versions.filter(author__team_id=user.team_id)
            if user.team_id
            else versions.filter(author=user)
        )
    found = versions.select_related("record__questionnaire", "author").order_by("-id")
    return [Activity(v, save_kind(v)) for v in found[:SHORT_LIST]]


def build(user: User) -> Dashboard:
    mine = Record.live.filter(author=user, status=Status.DRAFT).select_related("questionnaire")
    by_status = status_counts(user)
    to_verify = None
    to_verify_count = 0
    if perms.can_verify(user):  # who verifies sees every record: the counts are theirs
        submitted = Record.live.filter(status=Status.SUBMITTED).select_related("questionnaire")
        to_verify_count = sum(row.counts.get(Status.SUBMITTED, 0) for row in by_status)
        # The first entered first: the primary key's order, found without a sort.
        to_verify = list(submitted.order_by("id")[:SHORT_LIST])
    return Dashboard(
        by_status=by_status,
        months=months(user),
        drafts=list(mine.order_by("-updated_at", "-id")[:SHORT_LIST]),
        drafts_count=mine.count(),
        to_verify=to_verify,
        to_verify_count=to_verify_count,
        waiting=dashboard_counts(user),
        activity=activity(user),
        team_name=user.team.name if user.team_id and user.team else "",
    )
