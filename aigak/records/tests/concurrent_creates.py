"""Run by test_concurrent_create: processes that create records at the same moment.

Usage: python concurrent_creates.py WORKERS EACH. The database is the one settings name
(AIGAK_DATA_DIR's SQLite file, or DATABASE_URL); prints one JSON line with the ids made
and the errors met.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aigak.settings")
    import django

    django.setup()


def _work(barrier, each: int, queue) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection

    connection.close()  # a connection of its own, not the parent's
    from aigak.accounts.models import User
    from aigak.questionnaires.models import Questionnaire
    from aigak.records import actions

    user = User.objects.get(username="documenter")
    form = Questionnaire.objects.get(name="mini")
    made, errors = [], []
    barrier.wait()
    for _ in range(each):
        try:
            record = actions.create_record(
                user, form, {"vital_status": "alive", "full_name": "Айгүл"}
            )
            made.append(record.record_id)
        except Exception as exc:  # noqa: BLE001 - every failure is what the test counts
            errors.append(f"{type(exc).__name__}: {exc}")
    queue.put((made, errors))


def main(workers: int, each: int) -> None:
    _setup()
    from django.core.management import call_command
    from django.db import connection

    from aigak.accounts.models import Role, User
    from aigak.questionnaires.registry import install_questionnaire
    from aigak.questionnaires.tests.xlsform_factory import mini_form

    call_command("migrate", interactive=False, verbosity=0)
    User.objects.create_user(username="documenter", password="x" * 12, role=Role.DOCUMENTER)
    install_questionnaire("mini", mini_form())
    connection.close()
    context = multiprocessing.get_context("fork")
    barrier, queue = context.Barrier(workers), context.Queue()
    processes = [context.Process(target=_work, args=(barrier, each, queue)) for _ in range(workers)]
    for p in processes:
        p.start()
    results = [queue.get(timeout=300) for _ in processes]
    for p in processes:
        p.join()
    print(json.dumps({"made": [i for r in results for i in r[0]], "errors": [e for r in results for e in r[1]]}))  # fmt: skip


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
