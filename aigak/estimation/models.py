"""The latent-class (LCMCR) runs behind the estimation page's headline estimate.

The page fits the log-linear and heterogeneity models in the request (well under a second)
and asks for the LCMCR run with the full default settings in the background
(`aigak.estimation.runs`); the run keeps its input, its settings and its result, keyed by
the input, so the same capture table with the same settings is run once.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_noop

from aigak.runs.models import BackgroundRun, RunStatus

# A run in these states answers for its input: no second run of the same input starts.
CURRENT_RUN_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.DONE)


class LcmcrRun(BackgroundRun):
    """One LCMCR run of one capture table. Status, who asked and when, the process and
    the reason it failed: `BackgroundRun`."""

    run_work = "aigak.estimation.runs:work"
    run_slot = "estimation"
    # English in the database, translated where the page shows them.
    run_stopped = gettext_noop(
        "The process running the estimate stopped (was the server restarted?)."
    )
    run_never_started = gettext_noop("The estimate never started (was the server restarted?).")

    # A keyed hash of the table and the settings (`aigak.estimation.runs.key_of`); also the
    # run's address, so a run's page is found only by someone who has its table.
    key = models.CharField(max_length=64)
    # The capture table: list names, and [history (0/1 per list), count] pairs.
    lists = models.JSONField(default=list)
    histories = models.JSONField(default=list)
    observed = models.PositiveIntegerField(default=0)
    # `LcmcrSettings` as a dict.
    settings = models.JSONField(default=dict)
    # Asked for from the database and the victim lists (seen only by those who may see
    # the lists), from an uploaded file (seen by whoever may see estimates), or both.
    from_lists = models.BooleanField(default=False)
    uploaded = models.BooleanField(default=False)
    # The model's answer as `ModelResult.to_dict()` gives it: median, 95% interval,
    # convergence check, settings, seconds.
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(status__in=CURRENT_RUN_STATUSES),
                name="estimation_one_current_run_per_input",
            )
        ]
        indexes = [models.Index(fields=["key", "-requested_at"], name="estimation_run_key")]

    def __str__(self) -> str:
        return f"LCMCR run {self.pk} ({self.status})"
