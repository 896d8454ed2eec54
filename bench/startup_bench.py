"""Benchmark: how long `aigak` takes to start.

    python bench/startup_bench.py [--runs 5]

Light commands (`aigak --help`, `--version`, the `--help` of commands that need no
heavy library, and commands that read the database: `form list`, `export victim`,
`evidence list`) run --runs times each as child processes: median and lowest wall time,
median CPU time (user + sys). `aigak serve` starts on a free port over a data folder
already migrated (one start beforehand creates it): the time from starting the process to
the first answer of GET /healthz (polled every 10 ms), then to the first answer of the
login page (a real page: its template, the URL table reversed, the session and CSRF
machinery), and the server's own CPU time (user + sys, from /proc: the process and its
server processes) at that answer; then the process is stopped. The floors are measured in the same run: `python -c
pass`, `python -c "import django; django.setup()"` with Aigak's settings, Aigak's own
set-up as its commands do it (`aigak.cli.set_up_django`: the garbage collector paused,
then what set-up made frozen), and `django.setup()` with three of Django's own apps and no
Aigak (contenttypes, auth, sessions). The load average is printed beside each figure.

Aigak's modules are compiled to bytecode first (`compileall`, into their `__pycache__`
folders), as a pip install does and as Python does at the first start of a working copy:
with PYTHONDONTWRITEBYTECODE set, every one of them would otherwise be compiled from
source at each start (0.14-0.18 s of CPU more for `aigak form list`).
"""

from __future__ import annotations

import argparse
import compileall
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
    ["form", "list"],
    ["export", "victim"],
    ["evidence", "list"],
]
FLOORS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "django.setup()": [sys.executable, "-c", "import django; django.setup()"],
    # As every command that runs Django sets it up (the collector paused, then frozen).
    "aigak's set-up": [sys.executable, "-c", "from aigak import cli; cli.set_up_django()"],
    # Django alone: three of its own apps, no Aigak (settings written by main()).
    "django.setup(), 3 apps": [
        sys.executable,
        "-c",
        "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'bare_settings'; import django; "
        "django.setup()",
    ],
}
BARE_SETTINGS = """
SECRET_KEY = "startup-bench-" * 4
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "django.contrib.sessions"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
USE_TZ = True
"""


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


def _cpu_of(pid: int) -> float:
    """User + system CPU seconds of a running process and of its running child processes
    (the server's processes; Linux /proc)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # a process that ended meanwhile
            continue
        if stat.parent.name == str(pid) or fields[1] == str(pid):
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def serve_once(env: dict[str, str]) -> tuple[float, float, float]:
    """Seconds from starting `aigak serve` to its first answer of /healthz, to its first
    answer of the login page, and the server's CPU seconds then."""
    port = _free_port()
    command = [sys.executable, "-m", "aigak.cli", "serve", "--port", str(port)]
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        healthz = _first_answer(process, f"http://127.0.0.1:{port}/healthz") - started
        page = _first_answer(process, f"http://127.0.0.1:{port}/accounts/login/") - started
        return healthz, page, _cpu_of(process.pid)
    finally:
        process.terminate()
        process.wait()


def _first_answer(process: subprocess.Popen, url: str) -> float:
    """The moment of the first 200 answer from url, polling every 10 ms."""
    while True:
        if process.poll() is not None:
            raise SystemExit(f"aigak serve stopped: {process.stderr.read().decode()}")  # type: ignore[union-attr]
        try:
            with urllib.request.urlopen(url, timeout=30) as answer:
                if answer.status == 200:
                    return time.perf_counter()
        except OSError:
            time.sleep(0.01)


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    import aigak

    compileall.compile_dir(Path(aigak.__file__).parent, quiet=1)
    data = tempfile.mkdtemp(prefix="aigak-startup-")
    Path(data, "bare_settings.py").write_text(BARE_SETTINGS)
    path = os.pathsep.join(p for p in (os.environ.get("PYTHONPATH"), data) if p)
    env = dict(os.environ, AIGAK_DATA_DIR=data, DJANGO_SETTINGS_MODULE="aigak.settings")
    env["PYTHONPATH"] = path
    env.pop("DATABASE_URL", None)
    serve_once(env)  # creates and migrates the database, installs the forms
    rows = []
    for name, command in [*FLOORS.items(), *((f"aigak {' '.join(a)}", [sys.executable, "-m", "aigak.cli", *a]) for a in LIGHT)]:  # fmt: skip
        walls, cpus = zip(*(_timed(command, env) for _ in range(args.runs)), strict=True)
        rows.append((name, statistics.median(walls), min(walls), statistics.median(cpus), _load()))
    serves = [serve_once(env) for _ in range(args.runs)]
    healthz, page, cpu = zip(*serves, strict=True)
    for name, walls in (("serve: first /healthz", healthz), ("serve: first login page", page)):
        rows.append(
            (f"aigak {name}", statistics.median(walls), min(walls), statistics.median(cpu), _load())
        )
    print(f"{'what':34} {'median':>8} {'lowest':>8} {'CPU':>6}  load")
    for name, median, lowest, cpu_median, load in rows:
        print(f"{name:34} {median:7.2f}s {lowest:7.2f}s {cpu_median:5.2f}s  {load}")
    Path(data, "aigak.sqlite3").unlink(missing_ok=True)
    Path(data, "bare_settings.py").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
