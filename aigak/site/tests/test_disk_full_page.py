"""An error no view handles says "the disk is full" when that is what it is (handler500)."""

from __future__ import annotations

import errno
import sqlite3

import pytest
from django.db import OperationalError
from django.test import Client

from aigak.lib.disk import disk_full
from aigak.site import dashboard


def test_it_tells_a_full_disk_in_every_shape_it_comes():
    assert disk_full(OSError(errno.ENOSPC, "No space left on device"))
    assert disk_full(OSError(errno.EDQUOT, "Disk quota exceeded"))
    assert disk_full(sqlite3.OperationalError("database or disk is full"))
    try:
        try:
            raise sqlite3.OperationalError("database or disk is full")
        except sqlite3.OperationalError as inner:
            raise OperationalError(str(inner)) from inner
    except OperationalError as wrapped:
        assert disk_full(wrapped)
    postgres = OperationalError("could not extend file")
    postgres.__cause__ = type("DiskFull", (Exception,), {"sqlstate": "53100"})()
    assert disk_full(postgres)
    assert not disk_full(OSError(errno.EACCES, "Permission denied"))
    assert not disk_full(sqlite3.OperationalError("database is locked"))
    assert not disk_full(None)


@pytest.mark.parametrize(
    "problem",
    [
        OSError(errno.ENOSPC, "No space left on device"),
        OperationalError("database or disk is full"),
    ],
)
def test_a_full_disk_is_a_507_page_that_says_so(problem, coordinator, monkeypatch, victim):
    def full(user):
        raise problem

    monkeypatch.setattr(dashboard, "build", full)
    client = Client(raise_request_exception=False)
    client.force_login(coordinator)
    page = client.get("/")
    assert page.status_code == 507
    assert "disk is full: nothing was saved" in page.content.decode()


def test_any_other_error_is_still_a_plain_500(coordinator, monkeypatch, victim):
    def broken(user):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(dashboard, "build", broken)
    client = Client(raise_request_exception=False)
    client.force_login(coordinator)
    page = client.get("/")
    assert page.status_code == 500
    assert "disk is full" not in page.content.decode()
