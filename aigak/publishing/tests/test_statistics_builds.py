"""The public statistics are built in the background after records change, never in a
visitor's request: the page serves the last complete build with its time, says they are
being prepared when there is none, and keeps the last good one when a build fails.

Real database and real builds (the report and its whole-report suppression over a few
records); the builder is watched so that a build in the request would fail the test.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from aigak.accounts.models import Role, User
from aigak.cli import main
from aigak.publishing import statistics_runs
from aigak.publishing.models import StatisticsBuild
from aigak.publishing.tests.people import make_people, victim_row
from aigak.questionnaires.registry import get_questionnaire
from aigak.records.actions import delete_record, import_rows, set_status, undelete_record
from aigak.records.models import Record
from aigak.runs import background
from aigak.runs.models import RunStatus

WAIT = 300  # seconds a build may take on a busy machine
PAGE = "/public/statistics/"
PREPARING = "The statistics are being prepared"


@pytest.fixture
def automatic(settings, monkeypatch):
    """Builds after changes, started at once (no quiet period, no rest after a build)."""
    settings.PUBLIC_STATISTICS = "background"
    monkeypatch.setattr(statistics_runs, "QUIET_SECONDS", 0.0)
    monkeypatch.setattr(statistics_runs, "REST_FACTOR", 0.0)


@pytest.fixture
def asked(monkeypatch):
    """Builds asked for are noted, not started: the test runs them itself."""
    calls: list[int] = []
    monkeypatch.setattr(background, "request", lambda model, pk, delay=0.0: calls.append(pk))
    return calls


@pytest.fixture
def builder(monkeypatch):
    """The report builder, counted by thread; it refuses to run in the test's thread
    once `refuse_here` is set (the test client serves the pages in that thread)."""
    here = threading.get_ident()
    real = statistics_runs.build_module.build_reports
    seen = {"here": 0, "elsewhere": 0, "refuse_here": False}

    def build_reports(*args, **kwargs):
        if threading.get_ident() == here:
            seen["here"] += 1
            if seen["refuse_here"]:
                raise AssertionError("the statistics were built in the test's thread")
        else:
            seen["elsewhere"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(
        statistics_runs, "build_module", SimpleNamespace(build_reports=build_reports)
    )
    return seen


def _as_of(client) -> str:
    return client.get(PAGE, {"format": "json"}).json()["as_of"]


@pytest.mark.django_db(transaction=True)
def test_a_fresh_install_prepares_then_a_change_rebuilds_in_the_background(
    client, questionnaires, settings, automatic, builder, coordinator
):
    settings.PUBLIC_STATISTICS = "command"  # the records come before anything is built
    make_people()
    assert not StatisticsBuild.objects.exists()
    settings.PUBLIC_STATISTICS = "background"
    builder["refuse_here"] = True

    page = client.get(PAGE)
    assert page.status_code == 200 and PREPARING in page.content.decode()
    background.wait_all(WAIT)  # the build the page asked for, in a thread
    first = statistics_runs.latest_build()
    assert first is not None and first.status == RunStatus.DONE, first
    body = client.get(PAGE).content.decode()
    assert (
        "Figures as of" in body
        and f'data-as-of="{timezone.localtime(first.as_of).isoformat()}"' in body
    )
    assert "T01" in body and PREPARING not in body

    record = Record.objects.get(record_id="V-000104")
    set_status(coordinator, record, "draft")  # a change: marked stale, one rebuild
    background.wait_all(WAIT)
    builds = list(StatisticsBuild.objects.order_by("pk"))
    assert [b.status for b in builds] == [RunStatus.DONE, RunStatus.DONE]
    assert builds[1].as_of > first.as_of
    assert _as_of(client) == builds[1].as_of.isoformat()
    assert builder["here"] == 0 and builder["elsewhere"] == 2  # once for all languages, twice


def test_a_burst_of_changes_asks_for_one_build(
    questionnaires, automatic, asked, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_people()
    build = StatisticsBuild.objects.get()
    assert build.status == RunStatus.QUEUED and asked == [build.pk]
    record = Record.objects.get(record_id="V-000104")
    victim = get_questionnaire("victim")
    for change in (
        lambda: set_status(coordinator, record, "draft"),
        lambda: delete_record(coordinator, record, "duplicate"),
        lambda: undelete_record(coordinator, record),
        lambda: import_rows(None, victim, [(9, victim_row("V-000109", "Newcomer", "no"))]),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            change()
    assert StatisticsBuild.objects.count() == 1 and asked == [build.pk]  # all join the one

    assert background.execute(StatisticsBuild, build.pk).status == RunStatus.DONE
    with django_capture_on_commit_callbacks(execute=True):
        delete_record(coordinator, record, "duplicate")  # after it read the records
    assert StatisticsBuild.objects.filter(status=RunStatus.QUEUED).count() == 1
    assert len(asked) == 2


def test_the_page_never_builds_and_serves_the_last_build_while_a_new_one_is_made(
    client, questionnaires, automatic, asked, builder, coordinator,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    make_people()
    page = client.get(PAGE)
    assert page.status_code == 200 and PREPARING in page.content.decode()
    preparing = client.get(PAGE, {"format": "json"})
    assert preparing.status_code == 503 and preparing.json() == {"status": "preparing"}
    assert preparing["Retry-After"] == "60"
    assert builder["here"] == 0
    first = StatisticsBuild.objects.get()  # the page asked for it
    assert asked == [first.pk] and first.status == RunStatus.QUEUED

    background.execute(StatisticsBuild, first.pk)
    built = builder["here"]
    served = client.get(PAGE, {"format": "json", "lang": "ru"}).json()
    first.refresh_from_db()
    assert served["as_of"] == first.as_of.isoformat() and served["tables"]
    with django_capture_on_commit_callbacks(execute=True):
        set_status(coordinator, Record.objects.get(record_id="V-000104"), "draft")
    stale = StatisticsBuild.objects.get(status=RunStatus.QUEUED)
    for status in (RunStatus.QUEUED, RunStatus.RUNNING):
        StatisticsBuild.objects.filter(pk=stale.pk).update(status=status)
        assert client.get(PAGE, {"format": "json", "lang": "ru"}).json() == served
        assert 'data-as-of="' in client.get(PAGE, {"lang": "kk"}).content.decode()
    assert builder["here"] == built  # no page built anything


def _unsuppressed(reports, definition, spec=None):
    return {lang: {"report": d["report"], "n_records": d["n_records"], "tables": d["tables"]}
            for lang, d in reports.items()}  # fmt: skip


def test_a_failed_build_keeps_the_last_good_one_and_coordinators_see_it(
    client, questionnaires, monkeypatch, capsys, coordinator
):
    make_people()
    good = statistics_runs.build_now()
    assert good.status == RunStatus.DONE
    served = client.get(PAGE, {"format": "json"}).json()
    one_woman = victim_row("V-000109", "Newcomer", "no", gender="female", vital_status="alive")
    import_rows(None, get_questionnaire("victim"), [(9, one_woman)])  # counts of 1
    # A build whose suppression left a small count shown fails: never stored, never served.
    monkeypatch.setattr(statistics_runs, "safe_reports", _unsuppressed)
    failed = statistics_runs.build_now()
    assert failed.status == RunStatus.FAILED and "A count of 1-4 was left shown" in failed.error
    assert failed.reports == {}
    assert client.get(PAGE, {"format": "json"}).json() == served
    assert main(["statistics"]) == 1
    assert "were not built" in capsys.readouterr().err

    client.force_login(coordinator)
    body = client.get("/publishing/").content.decode()
    assert "data-statistics-failed" in body and "A count of 1-4 was left shown" in body
    assert f'data-statistics-as-of="{timezone.localtime(good.as_of).isoformat()}"' in body
    lawyer = User.objects.create_user(username="lawyer2", role=Role.LAWYER)
    client.force_login(lawyer)
    assert client.get("/publishing/").status_code == 403


def test_one_build_waits_and_one_runs_at_most_and_the_waiting_one_follows(
    questionnaires, monkeypatch
):
    running = StatisticsBuild.objects.create(status=RunStatus.RUNNING)
    waiting = StatisticsBuild.objects.create()
    with pytest.raises(IntegrityError), transaction.atomic():
        StatisticsBuild.objects.create()
    assert statistics_runs.ask(start=False) == waiting
    # Taken elsewhere while one runs: the constraint leaves it waiting.
    assert background.execute(StatisticsBuild, waiting.pk).status == RunStatus.QUEUED
    launched = []
    monkeypatch.setattr(background, "launch", lambda model, pk, delay=0.0: launched.append(pk))
    StatisticsBuild.objects.filter(pk=running.pk).update(status=RunStatus.FAILED)
    running.refresh_from_db()
    statistics_runs.ended(running)
    assert launched == [waiting.pk]


def test_the_next_build_waits_twice_as_long_as_the_last_one_took(questionnaires, monkeypatch):
    """Under a steady stream of saves, builds take at most a third of a processor."""
    monkeypatch.setattr(statistics_runs, "QUIET_SECONDS", 3.0)
    monkeypatch.setattr(statistics_runs, "REST_FACTOR", 2.0)
    delays: list[float] = []
    monkeypatch.setattr(background, "request", lambda model, pk, delay=0.0: delays.append(delay))
    monkeypatch.setattr(background, "launch", lambda model, pk, delay=0.0: delays.append(delay))
    now = timezone.now()
    # A build that took 10 s and ended a second ago: the next one rests until 19 s from now.
    last = StatisticsBuild.objects.create(
        status=RunStatus.DONE,
        started_at=now - timedelta(seconds=11),
        finished_at=now - timedelta(seconds=1),
    )
    statistics_runs.ask()
    assert 18 < delays[-1] <= 19
    # The build that ended just now, after 1 s: the waiting one starts after its quiet
    # period, which the 2 s of rest do not outlast.
    StatisticsBuild.objects.filter(pk=last.pk).update(
        started_at=timezone.now() - timedelta(seconds=1), finished_at=timezone.now()
    )
    waiting = StatisticsBuild.objects.get(status=RunStatus.QUEUED)
    StatisticsBuild.objects.filter(pk=waiting.pk).update(requested_at=timezone.now())
    last.refresh_from_db()
    statistics_runs.ended(last)
    assert 2.5 < delays[-1] <= 3
    # None before: only the quiet period.
    StatisticsBuild.objects.all().delete()
    statistics_runs.ask()
    assert 2.5 < delays[-1] <= 3


def test_an_interrupted_build_is_asked_for_again_by_the_page(
    client, questionnaires, automatic, asked
):
    gone = StatisticsBuild.objects.create(
        status=RunStatus.INTERRUPTED, finished_at=timezone.now(), error="stopped"
    )
    assert PREPARING in client.get(PAGE).content.decode()
    again = StatisticsBuild.objects.get(status=RunStatus.QUEUED)
    assert again.pk > gone.pk and asked == [again.pk]


def test_the_command_builds_them_now_and_tells_their_state(client, questionnaires, capsys):
    make_people()
    assert main(["statistics", "--status"]) == 0
    assert "served: none yet" in capsys.readouterr().out
    assert main(["statistics"]) == 0
    assert "Public statistics built: as of" in capsys.readouterr().out
    assert main(["statistics", "--status"]) == 0
    assert "served: as of" in capsys.readouterr().out
    data = client.get(PAGE, {"format": "json"}).json()
    assert data["n_records"] == 5 and data["as_of"]
    assert not statistics_runs.small_counts_shown(data)


@pytest.mark.django_db(transaction=True)
def test_a_command_that_changed_records_waits_for_the_build_they_asked_for(
    questionnaires, automatic, tmp_path, capsys
):
    path = tmp_path / "victims.csv"
    path.write_text("record_id,full_name,vital_status,gender\nV-1,Newcomer,alive,male\n")
    assert main(["import", "victim", str(path)]) == 0  # its build ran before it returned
    assert background.started_here() == 0
    assert [b.status for b in StatisticsBuild.objects.all()] == [RunStatus.DONE], [
        b.error for b in StatisticsBuild.objects.all()
    ]


def test_languages_that_count_differently_are_not_published_together(questionnaires):
    from aigak.publishing.statistics import ReportsDiffer, safe_reports
    from aigak.reports.build import build_report

    make_people()
    english, russian = (build_report("qantar2022", lang=lang) for lang in ("en", "ru"))
    import_rows(None, get_questionnaire("victim"), [(9, victim_row("V-000109", "New", "no"))])
    later = build_report("qantar2022", lang="ru")  # read after a change
    with pytest.raises(ReportsDiffer):
        safe_reports({"en": english.data, "ru": later.data}, english.definition)
    both = safe_reports({"en": english.data, "ru": russian.data}, english.definition)

    def counts(lang):
        return [[r.get("counts", r.get("n")) for r in t["rows"]] for t in both[lang]["tables"]]

    assert counts("en") == counts("ru")  # the same cells hidden in both
    assert both["en"]["tables"][0]["title"] != both["ru"]["tables"][0]["title"]


def test_the_languages_are_counted_once_as_each_would_be_alone(questionnaires):
    """One reading and counting gives every language what its own report gives; without
    comments only the comments differ (the statistics never show them)."""
    from aigak.reports.build import build_report, build_reports

    make_people()
    other = victim_row("V-000109", "New", "no", region_residence="other",
                       region_residence_other="Far away")  # fmt: skip
    import_rows(None, get_questionnaire("victim"), [(9, other)])
    together = build_reports("qantar2022", ("en", "ru", "kk"), workers=1)
    lean = build_reports("qantar2022", ("en", "ru", "kk"), workers=1, comments=False)
    for lang in ("en", "ru", "kk"):
        alone = build_report("qantar2022", lang=lang, workers=1).data
        assert together[lang].data == alone
        assert any(t["comments"] for t in alone["tables"])  # else the next check is empty
        uncommented = [{**t, "comments": []} for t in alone["tables"]]
        assert lean[lang].data == {**alone, "tables": uncommented}
    assert together["en"].data["tables"][0]["title"] != together["ru"].data["tables"][0]["title"]
