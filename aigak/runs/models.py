"""What every background run records, whatever its kind.

A kind of run is a concrete model derived from `BackgroundRun` in its own app (matching
runs in aigak.linkage, latent-class runs in aigak.estimation). Besides its own fields it
names, as class attributes, what `aigak.runs.background` needs to run it anywhere (a
thread of the web server or `aigak worker`): the function that does the work, the
relations to load with the run, its slot, and what its page says when a restart
interrupted it.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    # Its process stopped (a restart) before it finished; it can be started again.
    INTERRUPTED = "interrupted", _("Interrupted")


ACTIVE_RUN_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)
# Over without a result: the run's page offers to start it again.
ENDED_WITHOUT_RESULT = (RunStatus.FAILED, RunStatus.INTERRUPTED)


class BackgroundRun(models.Model):
    """What every background run records: its status, who asked and when, when it ran,
    in which process, and why it failed."""

    # "module:function" of the work: called with the run, it gives the values stored
    # with the run when it is done, or raises (`background.RunFailed` for a foreseen
    # failure, whose message the run's page shows).
    run_work: ClassVar[str] = ""
    # "module:function" called with the run after it ended (done or failed), if any.
    run_ended: ClassVar[str] = ""
    run_related: ClassVar[tuple[str, ...]] = ()
    # Runs of one slot run one at a time in a process (each uses every core); runs of
    # different slots do not wait for one another.
    run_slot: ClassVar[str] = "default"
    # The reasons shown when a restart stopped the run while it ran, or before it began.
    # (English, marked for translation: a page may say them in its reader's language.)
    run_stopped: ClassVar[str] = gettext_noop(
        "The process running it stopped (was the server restarted?)."
    )
    run_never_started: ClassVar[str] = gettext_noop("It never started (was the server restarted?).")

    status = models.CharField(max_length=12, choices=RunStatus.choices, default=RunStatus.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The process that runs it (host and pid), so a run whose process died is seen.
    worker = models.CharField(max_length=200, blank=True, default="")
    error = models.TextField(blank=True, default="")

    class Meta:
        abstract = True

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_RUN_STATUSES

    @property
    def interrupted(self) -> bool:
        return self.status == RunStatus.INTERRUPTED

    @property
    def elapsed(self) -> int | None:
        """Whole seconds it has run (so far, or in all), None before it started."""
        if self.started_at is None:
            return None
        return int(((self.finished_at or timezone.now()) - self.started_at).total_seconds())
