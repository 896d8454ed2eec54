"""`aigak serve [--port 8000] [--host 127.0.0.1] [--demo] [--threads 8] [--workers N]
[--writes-at-once 2]`: the web application.

A real WSGI server (waitress) in front of the Django application; WhiteNoise, already in
the middleware, serves the static files straight from the apps, so there is no
collectstatic step. 127.0.0.1 by default: reaching it from other machines is a choice.
Several processes (one per CPU by default) share the listening socket, and each serves
a few writes at a time while reads pass (`aigak.site.server`).
"""

from __future__ import annotations

import importlib
import os
import signal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import (
    BaseCommand,
    CommandParser,
    OutputWrapper,
    SystemCheckError,
)
from django.db import connections

from aigak.accounts import auditjournal
from aigak.accounts.twofactor import enrolment_help
from aigak.lib.cli_options import OPTIONS
from aigak.questionnaires.registry import ensure_shipped
from aigak.records.models import Record
from aigak.site import server

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


class Command(BaseCommand):
    help = OPTIONS["serve"].help

    def add_arguments(self, parser: CommandParser) -> None:
        OPTIONS["serve"].add(parser)

    def execute(self, *args: Any, **options: Any) -> Any:
        # Django's system checks load every page's module and tag library (0.3 s of
        # CPU): they run once the server answers (`check_when_serving`),
        # not before it listens. Errors still stop it; --skip-checks still skips them.
        self.checks_wanted = not options.get("skip_checks", False)
        return super().execute(*args, **{**options, "skip_checks": True})

    def check_when_serving(self, failed: list[SystemCheckError]) -> None:
        """The system checks, while the server answers: warnings are printed; errors are
        printed when the server has stopped (this process is signalled to stop it)."""
        try:
            self.check()
        except SystemCheckError as error:
            failed.append(error)
            os.kill(os.getpid(), signal.SIGTERM)
        finally:
            # With several processes, this one starts their replacements: no connection
            # a check opened crosses a fork (in a thread, its own connections are closed).
            connections.close_all()

    def handle(self, *args: Any, **options: Any) -> None:
        if (
            not 0 < options["port"] < 65536
            or options["threads"] < 1
            or options["workers"] < 0
            or options["writes_at_once"] < 1
        ):
            self.stderr.write(
                "aigak serve: --port must be 1-65535, --threads and --writes-at-once at "
                "least 1, --workers at least 0"
            )
            raise SystemExit(2)
        ensure_shipped()
        from aigak.evidence.uploads import finish_all_stranded

        finished = finish_all_stranded()  # uploads the last run died finishing
        if finished:
            self.stdout.write(f"Finished {finished} upload(s) the last run had not taken in.")
        from aigak.records.import_runs import clear_abandoned

        removed = clear_abandoned()  # the unseen rows of imports that died writing
        if removed:
            self.stdout.write(f"Removed {removed} record(s) of an import that did not finish.")
        if options["demo"]:
            load_demo_if_empty(self.stdout)
            build_public_statistics(self.stdout)
        from aigak.evidence.receive import make_server
        from aigak.runs.background import recover
        from aigak.wsgi import application

        host, port = options["host"], options["port"]
        shown = f"[{host}]" if ":" in host else host
        self.stdout.write(
            f"Aigak on http://{shown}:{port}/ (data in {settings.DATA_DIR}; Ctrl-C stops)"
        )
        if host not in LOCAL_HOSTS and host not in settings.ALLOWED_HOSTS:
            self.stdout.write(
                "Other machines must call it by a name listed in AIGAK_ALLOWED_HOSTS "
                f"(now: {', '.join(settings.ALLOWED_HOSTS)})."
            )
        workers = options["workers"] or server.default_workers()
        adjustments = server_settings(host, port, options["threads"])
        if workers > 1 and hasattr(os, "fork"):
            del adjustments["host"], adjustments["port"]
            adjustments["sockets"] = server.bind(host, port)  # before the processes start
        from django.urls import get_resolver

        get_resolver().reverse_dict  # noqa: B018 - the URL table, once for every process
        self.stdout.flush()
        connections.close_all()  # no connection crosses a fork

        def make() -> Any:
            admitting = server.AdmittingDispatcher(options["writes_at_once"])
            return make_server(application, dispatcher=admitting, **adjustments)

        def on_start() -> None:
            # In each process: the page reads' audit journal (and the rows of a process
            # that died); runs a restart stopped are marked, waiting ones start (thread
            # mode; a run already taken by another process is left alone).
            auditjournal.start(Path(settings.DATA_DIR) / auditjournal.FOLDER)
            recover()

        failed: list[SystemCheckError] = []
        checks = None
        if getattr(self, "checks_wanted", True):
            checks = lambda: self.check_when_serving(failed)  # noqa: E731
        server.run(workers, make, on_start=on_start, on_stop=auditjournal.stop, after_start=checks)
        if failed:
            raise failed[0]  # as Django's checks before serving: `aigak serve: ...`, code 1


def server_settings(host: str, port: int, threads: int) -> dict[str, Any]:
    """waitress settings for an application that takes multi-gigabyte uploads.

    - `recv_bytes`: 1 MiB per socket read instead of 8 KiB; at 8 KiB the reading thread
      spent most of an upload's CPU time in Python, per read.
    - Bodies of tus PATCH requests go straight into their partial file (see
      `aigak.evidence.receive`); other bodies are spooled by waitress as usual, in
      memory up to `inbuf_overflow` (512 KiB) and in a temporary file beyond, which
      keeps the memory of many concurrent requests small.
    - `max_request_body_size`: evidence may be large; the evidence app sets the limit.
    - Output settings stay at waitress's defaults: playback streams in blocks, waitress
      spools what a slow viewer has not taken beyond `outbuf_overflow` (1 MiB) to a
      temporary file and holds the application back at `outbuf_high_watermark` (16 MiB).
    """
    return {
        "host": host,
        "port": port,
        "threads": threads,
        "ident": "aigak",
        "recv_bytes": 1024 * 1024,
        "max_request_body_size": settings.EVIDENCE_MAX_SIZE,
    }


def load_demo_if_empty(stdout: OutputWrapper) -> dict[str, Any] | None:
    """Load the demo data set when there are no Victims records; print the demo logins."""
    try:
        demo = importlib.import_module("aigak.records.demo")
    except ImportError:
        stdout.write("The demo data set is not available in this build; starting without it.")
        return None
    if Record.objects.filter(questionnaire__name="victim").exists():
        stdout.write("The database already holds Victims records; the demo data set is not loaded.")
        path = demo.logins_path()
        if path.exists():
            stdout.write(f"Demo logins written when it was loaded ({path}):")
            for line in path.read_text(encoding="utf-8").splitlines()[1:]:
                stdout.write("  " + " / ".join(line.split("\t")))
            stdout.write(enrolment_help())
        return None
    stdout.write("Loading the demo data set...")
    result = demo.load_demo(stdout=stdout)
    logins = result.get("logins", []) if isinstance(result, dict) else []
    if logins:
        stdout.write("Demo logins (user / role / password):")
        for username, role, password in logins:
            stdout.write(f"  {username} / {role} / {password}")
        stdout.write(enrolment_help())
    return result


def build_public_statistics(stdout: OutputWrapper) -> None:
    """The demo's public statistics, built before the first visitor comes (when none
    are, or its records asked for new ones); and no build's thread crosses the fork of
    the server's processes."""
    from aigak.publishing import statistics_runs
    from aigak.runs.background import wait_all

    if statistics_runs.latest_build() is None or statistics_runs.waiting_build() is not None:
        stdout.write("Building the public statistics...")
        build = statistics_runs.build_now()
        if build.status != "done":
            stdout.write(f"The public statistics were not built: {build.error}")
    wait_all()
