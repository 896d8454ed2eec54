"""Benchmark: how long `aigak` takes to start.

    python bench/startup_bench.py [--runs 5]

Light commands (`aigak --help`, `--version`, and the `--help` of commands that need no
heavy library) run --runs times each as child processes: median and lowest wall time,
median CPU time (user + sys). `aigak serve` starts on a free port over a data folder
already migrated (one start beforehand creates it): the time from starting the process to
the first answer of GET /healthz (polled every 10 ms; Django loads the URL table, hence
every page's module, on that first request), then the process is stopped. The floors are
measured in the same run: `python -c pass` and `python -c "import django;
django.setup()"` with Aigak's settings. The load average is printed beside each figure.
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

LIGHT = [
    ["--help"],
    ["--version"],
    ["token", "--help"],
    ["report", "--help"],
    ["export", "--help"],
    ["evidence", "--help"],
    ["link", "--help"],
]
FLOORS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "django.setup()": [sys.executable, "-c", "import django; django.setup()"],
}


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_once(env: dict[str, str]) -> float:
    """Seconds from starting `aigak serve` to its first answer of /healthz."""
    port = _free_port()
    command = [sys.executable, "-m", "aigak.cli", "serve", "--port", str(port)]
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while True:
            if process.poll() is not None:
                raise SystemExit(f"aigak serve stopped: {process.stderr.read().decode()}")  # type: ignore[union-attr]
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/healthz", timeout=5
                ) as answer:
                    if answer.status == 200:
                        return time.perf_counter() - started
            except OSError:
                time.sleep(0.01)
    finally:
        process.terminate()
        process.wait()


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    data = tempfile.mkdtemp(prefix="aigak-startup-")
    env = dict(os.environ, AIGAK_DATA_DIR=data, DJANGO_SETTINGS_MODULE="aigak.settings")
    env.pop("DATABASE_URL", None)
    serve_once(env)  # creates and migrates the database, installs the forms
    rows = []
    for name, command in [*FLOORS.items(), *((f"aigak {' '.join(a)}", [sys.executable, "-m", "aigak.cli", *a]) for a in LIGHT)]:  # fmt: skip
        walls, cpus = zip(*(_timed(command, env) for _ in range(args.runs)), strict=True)
        rows.append((name, statistics.median(walls), min(walls), statistics.median(cpus), _load()))
    serves = [serve_once(env) for _ in range(args.runs)]
    rows.append(
        ("aigak serve: first answer", statistics.median(serves), min(serves), float("nan"), _load())
    )
    print(f"{'what':34} {'median':>8} {'lowest':>8} {'CPU':>6}  load")
    for name, median, lowest, cpu, load in rows:
        print(f"{name:34} {median:7.2f}s {lowest:7.2f}s {cpu:5.2f}s  {load}")
    Path(data, "aigak.sqlite3").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
