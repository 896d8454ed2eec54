"""How long a web save waits while a big import runs, on SQLite.

    python bench/import_vs_save_bench.py                  # 100,000 rows
    python bench/import_vs_save_bench.py --rows 20000 --every 0.5

A fresh data folder (SQLite) gets the shipped questionnaires and one documenter;
`aigak serve` starts on 127.0.0.1 as a process of its own and the documenter logs in.
Then `python -m aigak import victim FILE` starts, as another process, on `--rows`
Victims rows made as bench/import_bench.py makes them (ids from V-500001, so none is an id
a save takes). From one second before it until two seconds after it ends, a new Victims
record is saved through the web form every `--every` seconds, one after another (a save
that waits delays the next, so the server is never flooded by the bench itself): its
start (seconds since the import started), how long it took, its HTTP status.

Reported: the import's wall and CPU time, the saves by status, the median and the
longest wait, every save that took more than a second (when it started, how long it
waited), 5xx (target 0), and the load average. Every save answered 302 is read back.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from load_bench import CHECK, PASSWORD, _login, start_server  # noqa: E402

from aigak.records.tests.victim_fixture import random_row, write_csv  # noqa: E402

FIRST_ID = 500_001  # the file's ids (V-500001, ...) are not those the saves are given

SETUP = r"""
import django, sys
django.setup()
from aigak.cli import ensure_database
ensure_database()
from aigak.accounts.models import Role, User
from aigak.questionnaires.registry import ensure_shipped
ensure_shipped()
User.objects.create_user("saver", password=sys.argv[1], role=Role.DOCUMENTER)
"""


class Saves:
    def __init__(self, base: str, session: requests.Session):
        self.base = base
        self.session = session
        self.lock = threading.Lock()
        self.done: list[dict[str, Any]] = []
        self.acknowledged: dict[str, str] = {}

    def save(self, since: float) -> None:
        name = f"Сохранение {uuid.uuid4().hex[:8]}"
        path = "/records/victim/new/"
        started = time.monotonic()
        try:
            answer = self.session.post(
                self.base + path,
                data={
                    "full_name": name,
                    "vital_status": "alive",
                    "csrfmiddlewaretoken": self.session.cookies["csrftoken"],
                },
                headers={"Referer": self.base + path},
                timeout=120,
                allow_redirects=False,
            )
            status = answer.status_code
            kept = name in answer.text if status == 503 else None
            location = answer.headers.get("Location", "")
        except requests.RequestException as problem:
            status, kept, location = 0, None, type(problem).__name__
        took = time.monotonic() - started
        with self.lock:
            self.done.append(
                {"at": round(started - since, 2), "took": round(took, 3), "status": status,
                 "kept_typed": kept}
            )  # fmt: skip
            if status == 302:
                self.acknowledged[location.rstrip("/").rsplit("/", 1)[-1]] = name


def bench(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIGAK_", "DATABASE_URL"))}
    env.update(AIGAK_DATA_DIR=str(folder / "data"), DJANGO_SETTINGS_MODULE="aigak.settings")
    csv_path = Path(tempfile.gettempdir()) / f"aigak-victims-from-{FIRST_ID}-{args.rows}.csv"
    if not csv_path.exists():
        rng = random.Random(2022)
        rows = (random_row(rng, n) for n in range(FIRST_ID, FIRST_ID + args.rows))
        write_csv(csv_path, rows)
    subprocess.run([sys.executable, "-c", SETUP, PASSWORD], env=env, check=True, cwd=ROOT)
    server, base = start_server(env)
    try:
        saves = Saves(base, _login(base, "saver"))
        saves.session.get(base + "/records/victim/new/", timeout=60)  # warm the form
        since = time.monotonic() + 1.0
        importer: subprocess.Popen[str] | None = None
        finished: float | None = None
        usage: Any = None
        while finished is None or time.monotonic() < finished + 2.0:
            if importer is None and time.monotonic() >= since:
                importer = subprocess.Popen(
                    [sys.executable, "-m", "aigak", "import", "victim", str(csv_path)],
                    env=env,
                    cwd=ROOT,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            tick = time.monotonic()
            saves.save(since)
            if importer is not None and finished is None:
                pid, status, usage = os.wait4(importer.pid, os.WNOHANG)
                if pid:
                    finished = time.monotonic()
                    importer.returncode = os.waitstatus_to_exitcode(status)
            time.sleep(max(0.0, tick + args.every - time.monotonic()))
    finally:
        server.terminate()
        server.wait(timeout=60)
    assert importer is not None and finished is not None
    out = importer.stdout.read() if importer.stdout else ""
    expected = folder / "expected.json"
    expected.write_text(json.dumps(saves.acknowledged))
    checked = subprocess.run(
        [sys.executable, "-c", CHECK, str(expected)], env=env, cwd=ROOT, capture_output=True,
        text=True,
    )  # fmt: skip
    done = sorted(saves.done, key=lambda s: s["at"])
    during = [s for s in done if 0 <= s["at"] <= finished - since]
    waits = sorted(s["took"] for s in during)
    statuses: dict[int, int] = {}
    for s in during:
        statuses[s["status"]] = statuses.get(s["status"], 0) + 1
    server_log = server.stderr.read() if server.stderr else ""
    return {
        "rows": args.rows,
        "import": {
            "exit": importer.returncode,
            "stdout": out.strip(),
            "wall_s": round(finished - since, 1),
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 1) if usage else None,
        },
        "saves_during_import": len(during),
        "statuses": statuses,
        "wait_median_s": waits[len(waits) // 2] if waits else None,
        "wait_max_s": waits[-1] if waits else None,
        "slow_saves": [s for s in done if s["took"] > 1.0],
        "5xx": sum(n for s, n in statuses.items() if s >= 500 and s != 503),
        "busy_503": statuses.get(503, 0),
        "verified": json.loads(checked.stdout or "{}") or checked.stderr[-2000:],
        "server_tracebacks": server_log.count("Traceback"),
        "bench_cpu_s": round(sum(resource.getrusage(resource.RUSAGE_SELF)[:2]), 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--every", type=float, default=0.5, help="seconds between saves")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="aigak-import-save-"))
    try:
        print(json.dumps(bench(args, folder), indent=1, ensure_ascii=False))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
