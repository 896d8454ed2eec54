"""The estimation page: choose lists (the database's persons and the cross-referenced victim
lists) or upload a CSV of capture histories; see the overlap, every model's estimate and
fit at once, and the headline latent-class estimate with its convergence check when its
background run is done (`aigak.estimation.runs`).

Chosen lists are estimated on the page itself, which reloads until the run is done; an
upload leads to its run's page (`/estimation/runs/<key>/`), which shows the same and
reloads too. Who may open them is decided in aigak.accounts.permissions
(`can_see_estimates`, `can_estimate_from_lists`): a run asked for only from the lists is
seen only by those who may estimate from the lists. Only the runs are stored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from aigak.accounts.http import AuthenticatedHttpRequest
from aigak.accounts.models import User
from aigak.accounts.permissions import can_estimate_from_lists, can_see_estimates, require
from aigak.estimation import population as populations
from aigak.estimation.models import LcmcrRun
from aigak.lib import lazy
from aigak.linkage.models import VictimList
from aigak.runs.models import ENDED_WITHOUT_RESULT

if TYPE_CHECKING:
    from aigak.estimation import histories, page, runs
    from aigak.estimation.histories import CaptureTable
    from aigak.linkage import overlap
else:  # scipy, numba, pandas and numpy load with the first estimate, not at start-up
    histories = lazy.module("aigak.estimation.histories")
    page = lazy.module("aigak.estimation.page")
    runs = lazy.module("aigak.estimation.runs")
    overlap = lazy.module("aigak.linkage.overlap")

MAX_UPLOAD = 1024 * 1024  # a capture-history table has at most 2^k - 1 rows
RUN_REFRESH = 5  # seconds between reloads of a page while its run waits or runs


def _context(user: User) -> dict[str, Any]:
    from_lists = can_estimate_from_lists(user)
    return {
        "from_lists": from_lists,
        "victim_lists": list(VictimList.objects.order_by("uploaded_at", "pk"))
        if from_lists
        else [],
        "chosen": set(),
        "database_chosen": True,
        "population": populations.Population(),
        "population_choices": populations.choices(get_language() or "en") if from_lists else {},
        "max_lists": page.MAX_LISTS,
        "settings": runs.RUN_LCMCR,
    }


@login_required
@require_http_methods(["GET", "POST"])
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """GET: the choice of lists, and the estimate when lists are chosen (`?list=<pk>` any
    number of times, `database=1` for the database's persons). POST: an uploaded CSV,
    whose estimate is on its run's page when it has a latent-class headline."""
    user = request.user
    require(can_see_estimates(user), "see estimates")
    context = _context(user)
    status = 200
    table: CaptureTable | None = None
    if request.method == "POST":
        table, error = _uploaded_table(request)
        context["source"] = "upload"
        if table is not None and page.needs_lcmcr(table):
            run = runs.start(user, table, from_lists=False)
            return redirect("estimation:run", run.key)
    elif "estimate" in request.GET:
        require(context["from_lists"], "estimate from the victim lists")
        table, error = _chosen_table(request, context)
        context["source"] = "lists"
    else:
        error = None
    if error is not None:
        context["error"] = error
        status = 400
    elif table is not None:
        outcome = page.run(table)
        outcome.warnings = [*context.get("scope_warnings", []), *outcome.warnings]
        if outcome.needs_lcmcr:
            latest = runs.latest_run(table)
            if latest is None or latest.status not in ENDED_WITHOUT_RESULT:
                latest = runs.start(user, table, from_lists=True)
            _attach(outcome, latest, context)
        context["outcome"] = outcome
    return render(request, "estimation/index.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def run_detail(request: AuthenticatedHttpRequest, key: str) -> HttpResponse:
    """GET: a run's table estimated as the page does, with the run's state or result;
    reloads itself until the run is over. POST: start a failed run again."""
    user = request.user
    require(can_see_estimates(user), "see estimates")
    runs.mark_abandoned()
    run = LcmcrRun.objects.filter(key=key).select_related("requested_by").first()
    if run is None:
        raise Http404("no such estimate")
    if not run.uploaded:
        require(can_estimate_from_lists(user), "see estimates from the victim lists")
    table = runs.table_of(run)
    if request.method == "POST":  # again, with the page's settings (the same key unless
        # they changed since)
        if run.status in ENDED_WITHOUT_RESULT:
            run = runs.start(user, table, from_lists=not run.uploaded)
        return redirect("estimation:run", run.key)
    context = _context(user)
    context["source"] = "run"
    outcome = page.run(table)
    _attach(outcome, run, context)
    context["outcome"] = outcome
    return render(request, "estimation/index.html", context)


def _attach(outcome: page.Outcome, run: LcmcrRun, context: dict[str, Any]) -> None:
    outcome.attach(run)
    context["run"] = run
    context["refresh"] = RUN_REFRESH if run.active else None


def _uploaded_table(request: HttpRequest) -> tuple[CaptureTable | None, str | None]:
    upload = request.FILES.get("histories")
    if upload is None:
        return None, _("Choose a CSV file of capture histories to upload.")
    if upload.size is not None and upload.size > MAX_UPLOAD:
        return None, _("The file is larger than 1 MB; a table of capture histories is small.")
    name = upload.name or "upload.csv"
    try:
        tables = histories.read_capture_bytes(upload.read(), name)
    except histories.HistoryError as error:
        return None, str(error)
    return tables[None], None


def _chosen_table(
    request: HttpRequest, context: dict[str, Any]
) -> tuple[CaptureTable | None, str | None]:
    values = request.GET.getlist("list")
    if not all(value.isdigit() for value in values):
        return None, _("A list is given by its number.")
    chosen = [int(value) for value in dict.fromkeys(values)]
    include_database = request.GET.get("database") == "1"
    population = populations.Population.from_query(request.GET)
    context["chosen"] = set(chosen)
    context["database_chosen"] = include_database
    context["population"] = population
    if population.problems:
        return None, " ".join(population.problems)
    if population.everyone:  # the download counts every record, as the page then does
        context["download_query"] = urlencode(
            [("list", pk) for pk in chosen] + [("database", "1" if include_database else "0")]
        )
    if len(chosen) + include_database < 2:
        return None, _("Choose at least two lists (the database counts as one).")
    chosen_lists = list(VictimList.objects.filter(pk__in=chosen).order_by("uploaded_at", "pk"))
    context["scope_warnings"] = populations.warnings(population, chosen_lists, include_database)
    database = population.persons() if include_database and not population.everyone else None
    try:
        frame = overlap.capture_histories(
            chosen, include_database=include_database, database=database
        )
    except ValueError as error:  # a list that does not exist
        return None, str(error)
    if frame.empty:
        return None, _("No one is on the chosen lists.")
    lists = [str(column) for column in frame.columns if column != "count"]
    try:
        table = histories.CaptureTable.from_frame(frame, lists, source=", ".join(lists))
    except histories.HistoryError as error:
        return None, str(error)
    return table, None
