"""30 concurrent writers and a few readers against a real `aigak serve`, then a check.

    python bench/load_bench.py                    # SQLite, and PostgreSQL if DATABASE_URL
    python bench/load_bench.py --db sqlite --writers 30 --ops 10

For each database: a fresh data folder (and, on PostgreSQL, a fresh database on the
server DATABASE_URL names, dropped afterwards) gets the demo data set (579 Victims
records) and one documenter per writer; `aigak serve` starts on 127.0.0.1. Each writer
logs in and, `--ops` times, creates a Victims record through the web form, or edits the
one it created last (posting the version it started from). Readers request the record
list and a search until the writers are done. Every request has a timeout and the run a
deadline, and the server is stopped at the end. Afterwards every acknowledged write
(a redirect after the save) is read back from the database and compared.

Reported: requests by kind, 5xx count (target 0), p50/p95 of list and search while the
writers write (target p95 < 300 ms), acknowledged writes verified (target all), the
readers' pages answered and their audit rows in the table afterwards (equal: every read
audited, after the server stopped) with the audit chain checked, the public statistics
builds the server ran in the background (by outcome, with their seconds), the CPU
time of the server's processes while the writers write (in all and per request), and
the load average. `--workers N` is passed to `aigak serve` (its default: one per CPU).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import requests
from scratch_postgres import on_each_database

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "load bench password 1"
SETUP = r"""
import django, sys
django.setup()
from aigak.cli import ensure_database
ensure_database()
from aigak.accounts.models import Role, Team, User
from aigak.questionnaires.registry import ensure_shipped
from aigak.records.demo import load_demo
ensure_shipped()
load_demo()
team = Team.objects.create(name="Load")
for n in range(int(sys.argv[1])):
    User.objects.create_user(f"writer{n}", password=sys.argv[2], role=Role.DOCUMENTER, team=team)
User.objects.create_user("reader", password=sys.argv[2], role=Role.COORDINATOR)
"""
CHECK = r"""
import django, json, sys
django.setup()
from aigak.accounts import auditlog
from aigak.accounts.models import AuditEvent
from aigak.records.models import Record
expected = json.load(open(sys.argv[1]))
found = dict(Record.objects.filter(questionnaire__name="victim", record_id__in=list(expected))
             .values_list("record_id", "answers__full_name"))
wrong = [i for i, name in expected.items() if found.get(i) != name]
chain = auditlog.verify(AuditEvent.objects.order_by("id").iterator())
from aigak.publishing.models import StatisticsBuild
builds = {}
for status, started, finished in StatisticsBuild.objects.values_list(
        "status", "started_at", "finished_at"):
    seen = builds.setdefault(status, {"n": 0, "seconds": 0.0})
    seen["n"] += 1
    if started and finished:
        seen["seconds"] = round(seen["seconds"] + (finished - started).total_seconds(), 1)
print(json.dumps({"expected": len(expected), "wrong": wrong[:10], "n_wrong": len(wrong),
                  "records": Record.objects.filter(questionnaire__name="victim").count(),
                  "reads_audited": AuditEvent.objects.filter(
                      action="read", actor__username="reader").count(),
                  "audit_chain_broken_at": chain.broken_id,
                  "statistics_builds": builds}))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env: dict[str, str], *options: str) -> tuple[subprocess.Popen[str], str]:
    """`aigak serve` on a free port with these options, once it answers its login page;
    the server and its address."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "aigak", "serve", "--port", str(port), *options],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            requests.get(base + "/accounts/login/", timeout=5)
            return server, base
        except requests.ConnectionError:
            time.sleep(0.1)
    server.kill()
    server.communicate()
    raise RuntimeError("aigak serve did not answer within a minute")


def _tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process and its live descendants, with the
    children it has already waited for; from /proc (Linux), 0.0 elsewhere."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the name: state, ppid, ..., utime (14th field of the line), stime,
        # cutime, cstime.
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = sum(int(v) for v in fields[11:15]) / tick
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        total += times.get(current, 0.0)
        todo.extend(child for child, parent in parents.items() if parent == current)
    return total


def _login(base: str, username: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{base}/accounts/login/", timeout=30)
    token = session.cookies["csrftoken"]
    done = session.post(
        f"{base}/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=30,
        allow_redirects=False,
    )
    assert done.status_code == 302, f"login of {username}: {done.status_code}"
    return session


class Run:
    def __init__(self, base: str, deadline: float):
        self.base = base
        self.deadline = deadline
        self.lock = threading.Lock()
        self.statuses: dict[str, dict[int, int]] = {}
        self.read_ms: dict[str, list[float]] = {"list": [], "search": []}
        self.acknowledged: dict[str, str] = {}  # record id -> full name last saved
        self.errors: list[str] = []
        self.writing = True

    def count(self, kind: str, status: int) -> None:
        with self.lock:
            self.statuses.setdefault(kind, {}).setdefault(status, 0)
            self.statuses[kind][status] += 1

    def post(self, session: requests.Session, path: str, data: dict[str, str]) -> Any:
        data = {**data, "csrfmiddlewaretoken": session.cookies["csrftoken"]}
        return session.post(
            self.base + path,
            data=data,
            headers={"Referer": self.base + path},
            timeout=60,
            allow_redirects=False,
        )

    def writer(self, n: int, ops: int, session: requests.Session) -> None:
        try:
            mine: tuple[str, int] | None = None
            for op in range(ops):
                if time.monotonic() > self.deadline:
                    return
                name = f"Нагрузка W{n} O{op} {uuid.uuid4().hex[:6]}"
                if mine is None or op % 2 == 0:
                    kind = "create"
                    answer = self.post(
                        session,
                        "/records/victim/new/",
                        {"full_name": name, "vital_status": "alive"},
                    )
                else:
                    kind, (record_id, version) = "edit", mine
                    answer = self.post(
                        session,
                        f"/records/victim/{record_id}/edit/",
                        {"full_name": name, "vital_status": "alive", "_base_version": str(version)},
                    )
                self.count(kind, answer.status_code)
                if answer.status_code == 302:
                    record_id = answer.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
                    with self.lock:
                        self.acknowledged[record_id] = name
                    mine = (record_id, 1 if kind == "create" else mine[1] + 1)  # type: ignore[index]
        except Exception as problem:  # noqa: BLE001 - a bench reports every failure
            with self.lock:
                self.errors.append(f"writer{n}: {type(problem).__name__}: {problem}")

    def reader(self, session: requests.Session) -> None:
        try:
            turn = 0
            while self.writing and time.monotonic() < self.deadline:
                kind = "list" if turn % 2 == 0 else "search"
                path = "/records/victim/" if kind == "list" else "/records/victim/?q=Нагрузка"
                start = time.perf_counter()
                answer = session.get(self.base + path, timeout=60)
                elapsed = (time.perf_counter() - start) * 1000
                self.count(kind, answer.status_code)
                with self.lock:
                    self.read_ms[kind].append(elapsed)
                turn += 1
        except Exception as problem:  # noqa: BLE001
            with self.lock:
                self.errors.append(f"reader: {type(problem).__name__}: {problem}")


def _p(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def bench(database_url: str | None, args: argparse.Namespace) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="aigak-load-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIGAK_", "DATABASE_URL"))}
    env.update(AIGAK_DATA_DIR=str(folder), DJANGO_SETTINGS_MODULE="aigak.settings")
    if database_url:
        env["DATABASE_URL"] = database_url
    python = [sys.executable, "-c"]
    subprocess.run(
        [*python, SETUP, str(args.writers), PASSWORD], env=env, check=True, cwd=ROOT, timeout=600
    )
    workers = ["--workers", str(args.workers)] if args.workers else []
    if args.writes_at_once:
        workers += ["--writes-at-once", str(args.writes_at_once)]
    server, base = start_server(env, "--threads", str(args.threads), *workers)
    try:
        # Logged in first, one after another: password hashing is not what is measured.
        sessions = [_login(base, f"writer{n}") for n in range(args.writers)]
        readers_in = [_login(base, "reader") for _ in range(args.readers)]
        run = Run(base, time.monotonic() + args.deadline)
        writers = [
            threading.Thread(target=run.writer, args=(n, args.ops, sessions[n]))
            for n in range(args.writers)
        ]
        readers = [threading.Thread(target=run.reader, args=(s,)) for s in readers_in]
        started = time.perf_counter()
        cpu_before = _tree_cpu(server.pid)
        for t in readers + writers:
            t.start()
        for t in writers:
            t.join()
        run.writing = False
        for t in readers:
            t.join()
        seconds = time.perf_counter() - started
        server_cpu = _tree_cpu(server.pid) - cpu_before
    finally:
        server.terminate()
        server.wait(timeout=60)
    expected = folder / "expected.json"
    expected.write_text(json.dumps(run.acknowledged))
    checked = subprocess.run(
        [*python, CHECK, str(expected)], env=env, cwd=ROOT, capture_output=True, text=True
    )
    requests_made = sum(n for kinds in run.statuses.values() for n in kinds.values())
    five = sum(n for kinds in run.statuses.values() for s, n in kinds.items() if s >= 500)
    return {
        "database": "postgresql" if database_url else "sqlite",
        "writers": args.writers,
        "readers": args.readers,
        "workers": args.workers or "default",
        "writes_at_once": args.writes_at_once or "default",
        "seconds": round(seconds, 1),
        "server_cpu_s": round(server_cpu, 1),
        "server_cpu_ms_per_request": round(1000 * server_cpu / max(1, requests_made), 1),
        "statuses": run.statuses,
        "5xx": five,
        "list_ms": {"n": len(run.read_ms["list"]), "p50": _p(run.read_ms["list"], 0.5),
                    "p95": _p(run.read_ms["list"], 0.95)},
        "search_ms": {"n": len(run.read_ms["search"]), "p50": _p(run.read_ms["search"], 0.5),
                      "p95": _p(run.read_ms["search"], 0.95)},
        "verified": json.loads(checked.stdout or "{}") or checked.stderr[-2000:],
        "reads_answered": sum(run.statuses.get(k, {}).get(200, 0) for k in ("list", "search")),
        "errors": run.errors[:10],
        "load_average": os.getloadavg(),
        "server_tracebacks": len(re.findall("Traceback", server.stderr.read() if server.stderr else "")),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--writers", type=int, default=30)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--ops", type=int, default=10, help="saves per writer")
    parser.add_argument("--threads", type=int, default=16, help="server threads")
    parser.add_argument(
        "--workers", type=int, default=0, help="server processes (default: serve's own)"
    )
    parser.add_argument(
        "--writes-at-once", type=int, default=0, help="per process (default: serve's own)"
    )
    parser.add_argument("--deadline", type=float, default=600, help="seconds, at most")
    args = parser.parse_args()
    on_each_database(args.db, "load", lambda url: bench(url, args))


if __name__ == "__main__":
    main()
