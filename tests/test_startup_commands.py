"""What the commands that read the database no longer pay for at start (issue 18): the
garbage collector's walks over what Django's set-up makes, Django's error reporter, the
expression language and the XLSForm reader. Checked in fresh processes, without a clock;
and that each still loads where it is needed."""

from __future__ import annotations

import gc
import json
import logging
import os
import subprocess
import sys

import pytest

from aigak.accounts.models import AuditAction, AuditEvent


def _run(code: str, tmp_path, **names) -> dict:
    prelude = "".join(f"{k} = {v!r}\n" for k, v in names.items())
    env = dict(os.environ, AIGAK_DATA_DIR=str(tmp_path))
    env.pop("DATABASE_URL", None)  # the data folder's own SQLite database
    done = subprocess.run(
        [sys.executable, "-c", prelude + code], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the garbage collector during set-up -------------------------------------------------

SET_UP = """
import gc, json, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aigak.settings")
from aigak import cli
before = [s["collections"] for s in gc.get_stats()]
SET_UP
after = [s["collections"] for s in gc.get_stats()]
print(json.dumps({"collections": [a - b for a, b in zip(after, before)],
                  "frozen": gc.get_freeze_count(), "enabled": gc.isenabled()}))
"""


def test_the_command_line_sets_django_up_without_a_collection(tmp_path):
    seen = _run(SET_UP.replace("SET_UP", "cli.set_up_django()"), tmp_path)
    assert seen["collections"] == [0, 0, 0]
    assert seen["frozen"] > 20_000  # what set-up made: modules, classes, models
    assert seen["enabled"] is True  # the command itself collects as usual


def test_it_notices_collections(tmp_path):
    """The check itself works: a bare `django.setup()` collects, and freezes nothing."""
    seen = _run(SET_UP.replace("SET_UP", "import django; django.setup()"), tmp_path)
    assert sum(seen["collections"]) > 0
    assert seen["frozen"] == 0


def test_a_process_already_set_up_is_left_as_it_is():
    """A test (or anything) calling `cli.main()` after Django is set up: nothing paused,
    nothing frozen."""
    from aigak import cli

    frozen = gc.get_freeze_count()
    cli.set_up_django()
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen


# --- what the database commands import ---------------------------------------------------

# Loaded by the commands and pages that use them, not by `form list`, `export` and
# `evidence list`: Django's error reporter (with the first error), the expression
# language (with the first expression, media file or problem shown), the XLSForm reader.
NOT_FOR_READING = (
    "django.views.debug",
    "aigak.questionnaires.xpath",
    "aigak.questionnaires.expressions",
    "aigak.questionnaires.xlsform",
)

COMMANDS = """
import contextlib, io, json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aigak.settings")
from aigak import cli
cli.set_up_django()
from aigak.accounts.models import AuditEvent
exports = AuditEvent.objects.filter(action="export").count()
out = io.StringIO()
with contextlib.redirect_stdout(out):
    codes = [cli.main(argv) for argv in ARGVS]
loaded = sorted(m for m in NAMES if m in sys.modules)
AFTER
print(json.dumps({"codes": codes, "out": out.getvalue(), "loaded": loaded,
                  "exports": AuditEvent.objects.filter(action="export").count() - exports,
                  "later": sorted(m for m in NAMES if m in sys.modules)}))
"""
ARGVS = [["form", "list"], ["export", "victim"], ["evidence", "list"]]


@pytest.fixture(scope="module")
def data_folder(tmp_path_factory):
    """A data folder whose database is made and whose shipped questionnaires are installed
    (the first command of a new folder does that, and reads the XLSForms to do it)."""
    folder = tmp_path_factory.mktemp("data")
    env = dict(os.environ, AIGAK_DATA_DIR=str(folder))
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "-m", "aigak.cli", "form", "list"],
        env=env,
        check=True,
        capture_output=True,
    )
    return folder


def _commands(folder, after: str = "pass") -> dict:
    code = COMMANDS.replace("AFTER", after)
    return _run(code, folder, ARGVS=ARGVS, NAMES=NOT_FOR_READING)


def test_the_database_commands_start_without_the_error_reporter_or_expressions(data_folder):
    seen = _commands(data_folder)
    assert seen["codes"] == [0, 0, 0]
    assert "victim\t" in seen["out"]  # form list's row of the shipped questionnaire
    assert "record_id" in seen["out"]  # the export's header
    assert seen["exports"] == 1  # the export is audited as before
    assert seen["loaded"] == []


def test_it_notices_the_expression_language_and_the_reporter(data_folder):
    """The check itself works, and what was deferred loads where it is needed: a question
    with choices from a media file, a problem shown, an error reported."""
    after = (
        "from aigak.questionnaires.definition import Field\n"
        "from aigak.questionnaires.file_choices import choices_of\n"
        "from aigak.questionnaires.answer_types import Problem\n"
        "from aigak.lib.error_report import exception_reporter\n"
        "assert choices_of(Field(name='place', type='select_one', itemset='places.csv')) == []\n"
        "assert Problem(field='age', value=12.5, message='m', rule='r').shown == '12.5'\n"
        "assert type(exception_reporter(None, None, None, None)).__name__ == 'ExceptionReporter'"
    )
    seen = _commands(data_folder, after)
    assert seen["loaded"] == []
    assert seen["later"] == sorted(NOT_FOR_READING[:3])  # the reader loads with a form


# --- where the deferred parts are needed -------------------------------------------------


@pytest.mark.django_db
def test_an_error_is_still_reported_by_mail_with_its_traceback(settings, mailoutbox):
    settings.ADMINS = [("Ops", "ops@example.org")]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    try:
        raise ValueError("a failure the reporter shows")
    except ValueError:
        logging.getLogger("django.request").error("Internal Server Error", exc_info=True)
    assert len(mailoutbox) == 1
    assert "a failure the reporter shows" in mailoutbox[0].body
    assert "Traceback" in mailoutbox[0].body


def test_the_debug_error_page_uses_the_reporter(rf, settings):
    from django.views.debug import technical_500_response

    settings.DEBUG = True
    try:
        raise ValueError("shown on the debug page")
    except ValueError:
        answer = technical_500_response(rf.get("/x"), *sys.exc_info())
    assert answer.status_code == 500
    assert b"shown on the debug page" in answer.content


@pytest.mark.django_db
def test_the_admin_answers_with_its_models(client):
    from aigak.accounts.models import User

    root = User.objects.create_superuser("root", password="correct horse battery", role="admin")
    client.force_login(root)
    answer = client.get("/admin/")
    assert answer.status_code == 200
    assert b"/admin/accounts/team/" in answer.content  # registered with the URL table
    assert client.get("/admin/accounts/team/").status_code == 200


@pytest.mark.django_db
def test_an_export_from_the_command_line_is_audited(capsys):
    from aigak import cli

    before = AuditEvent.objects.filter(action=AuditAction.EXPORT).count()
    assert cli.main(["export", "victim"]) == 0
    assert "record_id" in capsys.readouterr().out
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT).latest("pk")
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == before + 1
    assert event.object_id == "victim"


@pytest.mark.django_db
def test_the_forms_listing_leaves_the_stored_forms_out_of_its_queries():
    """The listing's count of records grouped by the stored XLSForm and definition too:
    0.24 s over 621 records, growing with them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from aigak.questionnaires.registry import SHIPPED, ensure_shipped, list_forms

    ensure_shipped()  # installs them (a write that does carry the files)
    with CaptureQueriesContext(connection) as queries:
        ensure_shipped()
        rows = list_forms()
    assert {row["name"] for row in rows} == set(SHIPPED)
    assert all(row["fields"] > 0 for row in rows)  # the definitions were read
    # The questionnaires and their current versions (a version read alone by its key, to
    # parse its definition once per process, does carry the definition).
    reads = [q["sql"] for q in queries if 'FROM "questionnaires_questionnaire" ' in q["sql"]]
    assert any("COUNT(" in sql.upper() for sql in reads)
    assert not [sql for sql in reads if "xlsform" in sql or "definition_json" in sql]
