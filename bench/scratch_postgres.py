"""A PostgreSQL database of a benchmark's own, made for one run and dropped after it."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def scratch_database(url: str, tag: str) -> Iterator[str]:
    """A fresh database beside the one `url` names (same server, a unique name with
    `tag`); yields its URL and drops it afterwards, with any connections left to it."""
    import psycopg

    root, base = url.rsplit("/", 1)
    name = f"{base}_{tag}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(f"{root}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{root}/{name}"
    finally:
        with psycopg.connect(f"{root}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def on_each_database(db: str, tag: str, run: Callable[[str | None], Any]) -> None:
    """Print run's result as JSON on SQLite (`None`) and/or on a scratch PostgreSQL
    database (`db`: sqlite, postgresql or both; PostgreSQL when DATABASE_URL names one)."""
    import json

    url = os.environ.get("DATABASE_URL", "")
    if db in ("sqlite", "both"):
        print(json.dumps(run(None), ensure_ascii=False))
    if db in ("postgresql", "both") and url.startswith("postgres"):
        with scratch_database(url, tag) as scratch:
            print(json.dumps(run(scratch), ensure_ascii=False))
