"""Server CPU per request of the pages the load bench asks for, one request at a time.

    python bench/request_cpu_bench.py                       # SQLite, and PostgreSQL if DATABASE_URL
    python bench/request_cpu_bench.py --db sqlite --repeat 50
    python bench/request_cpu_bench.py --db sqlite --profile list   # cProfile of one kind
    python bench/request_cpu_bench.py --db sqlite --keep /tmp/reqcpu  # set up once, reuse

`bench/load_bench.py` puts 30 writers and 4 readers on a real `aigak serve`; on two cores
its readers' p95 follows the CPU the server spends per request. This bench measures that
CPU without the crowd, so that it holds on a shared machine: for each database, a fresh
data folder (and, on PostgreSQL, a fresh database on the server DATABASE_URL names,
dropped afterwards) gets the demo data set (579 Victims records), a documenter and a
coordinator, as the load bench sets them up. Then a child process with that database's
settings, the read audit journal started as `aigak serve` starts it, and Django's test
client (CSRF checked, the whole middleware stack, no network; the database connections
closed or kept at each request's start and end as under a WSGI server) requests, `--repeat` times
each after two to warm up:

- create GET   `/records/victim/new/` (documenter)
- create POST  the same, a new record (as the load bench's writers)
- edit GET     `/records/victim/<id>/edit/` of a record the documenter created
- edit POST    a save of it, posting the version it started from
- list         `/records/victim/` (coordinator)
- search       `/records/victim/?q=Нагрузка` (coordinator; matches the records created)

and then one build of the public statistics (after one to warm up), which `aigak serve`
runs in the background a few seconds after records change (none runs while the requests
are measured here).

Reported per kind: CPU time of this process (user + sys, `time.process_time`, which
includes the journal's thread) per request, on average (`cpu_ms`) and in the best batch
of ten (`cpu_ms_best`: other work on a shared machine slows a process's own CPU time
too, in bursts, so this is the steadier figure to compare code by), wall time per
request, and the number of queries of one request. The database server's own CPU (PostgreSQL) is not counted, as the
load bench does not count it. `--profile KIND` prints the cProfile of that kind's
requests (sorted by cumulative time) instead.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from load_bench import SETUP  # noqa: E402  (the demo data, writers and a reader)
from scratch_postgres import on_each_database  # noqa: E402

BATCH = 10  # requests timed together; the best batch is the figure least disturbed
KINDS = ["create GET", "create POST", "edit GET", "edit POST", "list", "search"]
PASSWORD = "request bench password 1"


class Pages:
    """The requests of each kind, through a logged-in test client per user."""

    def __init__(self) -> None:
        from django.test import Client

        from aigak.accounts.models import User

        self.writer = Client(enforce_csrf_checks=True)
        self.reader = Client(enforce_csrf_checks=True)
        for client, name in ((self.writer, "writer0"), (self.reader, "reader")):
            client.force_login(User.objects.get(username=name))  # signals as a login
            client.get("/records/victim/")  # the CSRF cookie
        self.created: list[str] = []
        self.edits = 0

    def _post(self, path: str, data: dict[str, str]) -> Any:
        token = self.writer.cookies["csrftoken"].value
        return self.writer.post(path, {**data, "csrfmiddlewaretoken": token})

    def request(self, kind: str) -> Any:
        """One request of `kind`, with the database connections handled as under a WSGI
        server (Django's test client leaves them open between requests)."""
        from django.db import close_old_connections

        close_old_connections()
        try:
            return self._request(kind)
        finally:
            close_old_connections()

    def _request(self, kind: str) -> Any:
        name = f"Нагрузка W0 {uuid.uuid4().hex[:6]}"
        if kind == "create GET":
            return self.writer.get("/records/victim/new/")
        if kind == "create POST":
            answer = self._post(
                "/records/victim/new/", {"full_name": name, "vital_status": "alive"}
            )
            assert answer.status_code == 302, answer.status_code
            self.created.append(answer["Location"].rstrip("/").rsplit("/", 1)[-1])
            return answer
        if kind == "edit GET":
            return self.writer.get(f"/records/victim/{self.created[0]}/edit/")
        if kind == "edit POST":
            # Each record created is edited once, from its first version.
            record_id = self.created[self.edits % len(self.created)]
            self.edits += 1
            answer = self._post(
                f"/records/victim/{record_id}/edit/",
                {"full_name": name, "vital_status": "alive", "_base_version": "1"},
            )
            assert answer.status_code == 302, answer.status_code
            return answer
        if kind == "list":
            return self.reader.get("/records/victim/")
        return self.reader.get("/records/victim/", {"q": "Нагрузка"})


def measure(repeat: int, profile: str, kinds: list[str], statistics: bool) -> dict[str, Any]:
    import cProfile
    import pstats

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from aigak.accounts import auditjournal

    auditjournal.start(Path(settings.DATA_DIR) / auditjournal.FOLDER)
    pages = Pages()
    found: dict[str, Any] = {}
    for kind in kinds:
        if kind.startswith("edit") and "create POST" not in kinds:
            for _ in range(repeat + 3):  # records to edit, each once (not measured)
                pages.request("create POST")
        for _ in range(2):  # warm-up: caches, compiled templates, connections
            answer = pages.request(kind)
            assert answer.status_code in (200, 302), (kind, answer.status_code)
        queries: list[str] = []
        with connection.execute_wrapper(
            lambda run, sql, *rest, seen=queries: seen.append(sql) or run(sql, *rest)
        ):
            pages.request(kind)
        profiler = cProfile.Profile() if kind == profile else None
        if profiler:
            profiler.enable()
        batches = []  # (cpu, wall) of each BATCH requests
        for start in range(0, repeat, BATCH):
            cpu, wall = time.process_time(), time.perf_counter()
            for _ in range(min(BATCH, repeat - start)):
                pages.request(kind)
            batches.append((time.process_time() - cpu, time.perf_counter() - wall))
        if profiler:
            profiler.disable()
        found[kind] = {
            "cpu_ms": round(1000 * sum(c for c, _ in batches) / repeat, 2),
            "cpu_ms_best": round(1000 * min(c for c, _ in batches[: repeat // BATCH]) / BATCH, 2)
            if repeat >= BATCH
            else None,
            "wall_ms": round(1000 * sum(w for _, w in batches) / repeat, 2),
            "queries": len(queries),
        }
        if profiler:
            if os.environ.get("PROFILE_OUT"):  # for pstats, snakeviz and the like
                profiler.dump_stats(os.environ["PROFILE_OUT"])
            stats = pstats.Stats(profiler, stream=sys.stderr)
            stats.sort_stats("cumulative").print_stats(60)
            stats.sort_stats("tottime").print_stats(30)
    auditjournal.stop()
    if statistics:
        found["statistics build"] = _statistics_build()
    return found


def _statistics_build() -> dict[str, Any]:
    """CPU and wall of one build of the public statistics over the records now there,
    after one to warm up (what `aigak serve` does in the background after saves)."""
    from aigak.publishing.statistics_runs import build_now

    build_now()
    cpu, wall = time.process_time(), time.perf_counter()
    build = build_now()
    return {
        "cpu_ms": round(1000 * (time.process_time() - cpu), 1),
        "wall_ms": round(1000 * (time.perf_counter() - wall), 1),
        "status": build.status,
    }


def run(database_url: str | None, args: argparse.Namespace) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="aigak-reqcpu-"))
    kept = Path(args.keep) if args.keep and not database_url else None
    if kept and (kept / "aigak.sqlite3").exists():
        shutil.copytree(kept, folder, dirs_exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIGAK_", "DATABASE_URL"))}
    # No public-statistics build in the background while requests are measured: one is
    # measured on its own at the end (the load bench's server builds them as it goes).
    env.update(
        AIGAK_DATA_DIR=str(folder),
        DJANGO_SETTINGS_MODULE="aigak.settings",
        AIGAK_PUBLIC_STATISTICS="command",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    if not (folder / "aigak.sqlite3").exists() or database_url:
        subprocess.run(
            [sys.executable, "-c", SETUP, "1", PASSWORD], env=env, check=True, cwd=ROOT, timeout=600
        )
        if kept:
            shutil.copytree(folder, kept, dirs_exist_ok=True)
    child = [sys.executable, __file__, "--child", "--repeat", str(args.repeat)]
    child += ["--kinds", args.kinds] + (["--no-statistics"] if args.no_statistics else [])
    if args.profile:
        child += ["--profile", args.profile]
    done = subprocess.run(child, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True)
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        "database": "postgresql" if database_url else "sqlite",
        "repeat": args.repeat,
        "kinds": found,
        "cpu_ms_mean_of_kinds": round(
            sum(v["cpu_ms"] for k, v in found.items() if k in KINDS) / len(KINDS), 2
        ),
        "load_average": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=30, help="requests of each kind")
    parser.add_argument("--profile", choices=KINDS, default="", help="cProfile of one kind")
    parser.add_argument(
        "--keep", default="", help="SQLite: set up this folder once and run on copies of it"
    )
    parser.add_argument("--kinds", default=",".join(KINDS), help="comma-separated, of: "
                        + ", ".join(KINDS))  # fmt: skip
    parser.add_argument("--no-statistics", action="store_true", help="no statistics build")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kinds = [k for k in KINDS if k in args.kinds.split(",")]
        print(json.dumps(measure(args.repeat, args.profile, kinds, not args.no_statistics)))
        return
    on_each_database(args.db, "reqcpu", lambda url: run(url, args))


if __name__ == "__main__":
    main()
