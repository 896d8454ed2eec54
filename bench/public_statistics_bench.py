"""What a visitor of the public statistics page waits, on the demo data.

    DATABASE_URL=postgres://.../aigak_demo python bench/public_statistics_bench.py [--repeat 20]

The database holds the demo data set (`aigak demo`). Django's test client asks for
`/public/statistics/` as an anonymous visitor, in English, Russian and Kazakh:

- *first visit*: the first visitor after setup. With statistics built in the request,
  the cache is emptied first (a fresh server); with statistics built in the background,
  the build `aigak demo` left is served (one is made first, untimed, when none exists);
- *later visits*: `--repeat` more requests per language (p50 / p95);
- *visit during a rebuild* (background builds only): a record is saved through the
  records actions, which asks for a rebuild; the page is asked again while that rebuild
  runs in a thread of this process (sharing its CPUs).

Wall time and the CPU time of the requesting thread (`time.thread_time`; a rebuild in
another thread is not counted), and the load average of the machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LANGS = ("en", "ru", "kk")


def _visit(client, lang: str) -> tuple[float, float, int]:
    wall, cpu = time.perf_counter(), time.thread_time()
    response = client.get("/public/statistics/", {"lang": lang})
    return (
        (time.perf_counter() - wall) * 1000,
        (time.thread_time() - cpu) * 1000,
        len(response.content),
    )


def _row(name: str, walls: list[float], cpus: list[float]) -> str:
    def p(values: list[float], q: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    return (
        f"| {name} | {p(walls, 0.5):,.1f} / {p(walls, 0.95):,.1f} "
        f"| {p(cpus, 0.5):,.1f} / {p(cpus, 0.95):,.1f} | {len(walls)} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aigak.settings")
    import django

    django.setup()
    from django.core.cache import cache
    from django.test import Client

    try:
        from aigak.publishing import statistics_runs as public
    except ImportError:  # statistics built in the request
        public, background = None, False
    else:
        background = True
    client = Client()
    client.get("/healthz")  # the URL table and the middleware load before any timing
    print(f"load average before: {os.getloadavg()[0]:.1f}; background builds: {background}")
    if background:
        if public.latest_build() is None:
            public.build_now()
    else:
        cache.clear()
    first_w, first_c = [], []
    for lang in LANGS:
        wall, cpu, size = _visit(client, lang)
        first_w.append(wall)
        first_c.append(cpu)
        print(f"first visit {lang}: {wall:,.1f} ms wall, {cpu:,.1f} ms CPU, {size:,} bytes")
    walls, cpus = [], []
    for _ in range(args.repeat):
        for lang in LANGS:
            wall, cpu, _ = _visit(client, lang)
            walls.append(wall)
            cpus.append(cpu)
    print("| visit | wall p50 / p95 (ms) | CPU p50 / p95 (ms) | requests |")
    print("|---|---|---|---|")
    print(_row("first visit (one per language)", first_w, first_c))
    print(_row("later visits", walls, cpus))
    if background:
        _during_rebuild(client, public, args.repeat)
    print(f"load average after: {os.getloadavg()[0]:.1f}")


def _during_rebuild(client, public, repeat: int) -> None:
    from aigak.accounts.models import Role, User
    from aigak.records.actions import set_status
    from aigak.records.models import Record
    from aigak.runs import background as runs

    record = Record.live.filter(questionnaire__name="victim").order_by("pk").first()
    before = public.latest_build()
    walls, cpus = [], []
    old_quiet, public.QUIET_SECONDS = public.QUIET_SECONDS, 0.0
    try:
        started = time.perf_counter()
        status = "submitted" if record.status == "verified" else "verified"
        set_status(User.objects.filter(role=Role.ADMIN).first(), record, status)
        waiting = public.waiting_build()
        for _ in range(repeat):
            for lang in LANGS:
                wall, cpu, _ = _visit(client, lang)
                walls.append(wall)
                cpus.append(cpu)
        if waiting is not None:
            runs.wait(type(waiting), waiting.pk)
        rebuilt = time.perf_counter() - started
    finally:
        public.QUIET_SECONDS = old_quiet
    after = public.latest_build()
    print(_row("visits during a rebuild", walls, cpus))
    print(
        f"rebuild: {rebuilt:.1f} s wall from the save; served build "
        f"{before.pk if before else None} -> {after.pk if after else None}"
    )


if __name__ == "__main__":
    main()
