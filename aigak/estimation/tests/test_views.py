"""The estimation page through the test client: who may open it, estimates from an uploaded
CSV (good and bad input, no overlap, sparse lists) and from the lists cross-referenced in
the linkage app, and the headline latent-class runs outside the request (asked for, run
through `aigak.estimation.runs.execute` as the background thread does, stored, shown,
failed, seen only by whom the rules allow)."""

from __future__ import annotations

import re
import socket
import subprocess
from dataclasses import asdict

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from aigak.estimation import runs
from aigak.estimation.histories import read_capture_bytes
from aigak.estimation.lcmcr import LcmcrSettings
from aigak.estimation.models import LcmcrRun
from aigak.estimation.tests.pagedata import build_linked_lists
from aigak.runs.background import worker_name
from aigak.runs.models import RunStatus

URL = "/estimation/"
# The example of docs/estimation.md: three lists, 404 people.
GOOD = b"official,activists,centre,count\n1,0,0,120\n0,1,0,95\n0,0,1,40\n1,1,0,60\n"
GOOD += b"1,0,1,22\n0,1,1,31\n1,1,1,36\n"
MODEL_NAMES = [
    "independence",
    "pair:official*activists",
    "pair:official*centre",
    "pair:activists*centre",
    "all_two_way",
    "best_aic",
    "best_bic",
    "Mt",
    "Mth_chao",
    "Mth_poisson2",
    "Mth_darroch",
]
# Shorter than the page's own settings (the command's defaults), to keep these tests quick;
# one test below runs the defaults in a background thread.
QUICK = LcmcrSettings(burnin=1_000, samples=500, thinning=4, chains=4, seed=1)
WAIT = 300  # seconds a background run may take on a busy machine


@pytest.fixture(autouse=True)
def quick_runs(monkeypatch):
    monkeypatch.setattr(runs, "RUN_LCMCR", QUICK)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client: Client, content: bytes, name: str = "lists.csv", follow: bool = True):
    return client.post(
        URL, {"histories": SimpleUploadedFile(name, content, "text/csv")}, follow=follow
    )


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# -- who may open it ---------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(db):
    response = Client().get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("persona", "status", "lists_form"),
    [
        ("admin_user", 200, True),
        ("coordinator", 200, True),
        ("lawyer", 200, True),
        ("viewer", 200, False),
        ("documenter", 403, False),
        ("outsider", 403, False),
    ],
)
def test_roles_see_the_page_and_the_choice_of_lists_as_the_rules_say(
    request, persona, status, lists_form
):
    client = client_for(request.getfixturevalue(persona))
    response = client.get(URL)
    assert response.status_code == status
    if status == 200:
        assert ('class="lists-form"' in response.content.decode()) is lists_form
        assert 'class="upload-form"' in response.content.decode()
    assert upload(client, GOOD).status_code == status


def test_a_viewer_may_not_estimate_from_the_victim_lists(viewer):
    response = client_for(viewer).get(URL, {"estimate": "1", "database": "1"})
    assert response.status_code == 403


def test_the_page_speaks_russian_and_kazakh(coordinator, settings):
    client = client_for(coordinator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    assert "Сколько жертв не записал ни один список?" in upload(client, GOOD).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "kk"
    assert "Тізімдердің қиылысуы" in upload(client, GOOD).content.decode()


def test_the_navigation_links_to_the_page(coordinator):
    response = client_for(coordinator).get("/linkage/")
    assert 'href="/estimation/"' in response.content.decode()


# -- an uploaded CSV ---------------------------------------------------------------------


def test_an_upload_shows_the_models_at_once_and_the_headline_when_its_run_is_done(
    coordinator,
):
    client = client_for(coordinator)
    response = upload(client, GOOD, follow=False)
    run = LcmcrRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/estimation/runs/{run.key}/"
    assert (run.status, run.requested_by, run.uploaded, run.from_lists) == (
        RunStatus.QUEUED,
        coordinator,
        True,
        False,
    )
    assert run.lists == ["official", "activists", "centre"] and run.observed == 404
    assert run.settings == asdict(QUICK)
    # while the run waits: the overlap and the other models at once, the page reloads
    response = client.get(response["Location"])
    outcome = response.context["outcome"]
    assert outcome.table.observed == 404
    assert [model.name for model in outcome.models] == MODEL_NAMES
    assert outcome.lcmcr_pending and outcome.headline is None
    html = response.content.decode()
    for name in MODEL_NAMES:
        assert f'data-model="{name}"' in html
    assert 'data-run-status="queued"' in html and 'http-equiv="refresh"' in html
    assert "The headline estimate is waiting to start." in text_of(response)
    assert "data-headline" not in html and 'data-model="lcmcr"' not in html
    # the overlap table: all 7 histories, the biggest first, and the diagram's 7 bars
    assert [cell.count for cell in outcome.cells] == [120, 95, 60, 40, 36, 31, 22]
    assert html.count('class="bar-rect"') == 7
    assert "<svg" in html and "data-diagram" in html

    done = runs.execute(run.pk)  # what the background thread runs
    assert done.status == RunStatus.DONE, done.error
    assert done.started_at and done.finished_at and done.worker == worker_name()
    stored = done.result
    low, high = stored["ci95"]
    assert 404 < low < stored["estimate"] < high
    assert stored["settings"]["iterations_per_chain"] == QUICK.iterations
    assert stored["seconds"] > 0 and isinstance(stored["convergence"]["converged"], bool)

    response = client.get(f"/estimation/runs/{run.key}/")
    outcome = response.context["outcome"]
    assert [model.name for model in outcome.models] == [*MODEL_NAMES, "lcmcr"]
    assert outcome.result.model == "lcmcr"
    lcmcr = outcome.lcmcr
    assert (lcmcr.estimate, list(lcmcr.ci95)) == (stored["estimate"], stored["ci95"])
    check = lcmcr.details["convergence"]
    html = response.content.decode()
    text = text_of(response)
    assert 'http-equiv="refresh"' not in html and "data-run-status" not in html
    assert f"About {lcmcr.estimate:,.0f} victims in total" in text
    assert f"95% interval {low:,.0f}–{high:,.0f}" in text
    assert f"split R-hat {check['split_rhat']}" in text
    assert ("passed" if check["converged"] else "not passed") in text
    assert f"{QUICK.chains} chains, {QUICK.burnin} iterations of burn-in" in text
    assert f"; {stored['seconds']} s" in text
    # fit beside the estimates: AIC of the independence model, with its deviance and df
    independence = outcome.result.get("independence")
    assert f"{independence.aic:.1f}" in text and f"{independence.deviance:.2f}" in text
    assert "A closed population." in text and "Perfect matching." in text
    assert "List dependence and heterogeneity." in text

    # the same table again (rows in another order, another file): the same run, not rerun
    again = b"official,activists,centre,count\n1,1,1,36\n0,1,1,31\n1,0,1,22\n1,1,0,60\n"
    again += b"0,0,1,40\n0,1,0,95\n1,0,0,120\n"
    response = upload(client_for(coordinator), again, "again.csv", follow=False)
    assert response["Location"] == f"/estimation/runs/{run.key}/"
    assert LcmcrRun.objects.count() == 1
    assert runs.execute(run.pk).finished_at == done.finished_at  # done already: left alone


@pytest.mark.sqlite_run
@pytest.mark.django_db(transaction=True)
def test_the_run_goes_in_a_background_thread_with_the_default_settings(
    client, coordinator, monkeypatch
):
    monkeypatch.setattr(runs, "RUN_LCMCR", LcmcrSettings())
    client.force_login(coordinator)
    response = upload(client, GOOD)
    run = LcmcrRun.objects.get()
    assert response.context["run"] == run
    runs.wait(run.pk, WAIT)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    assert run.result["settings"]["iterations_per_chain"] == 42_500
    assert run.result["settings"]["chains"] == 8
    assert run.result["convergence"]["converged"]
    page = client.get(f"/estimation/runs/{run.key}/")
    assert page.context["outcome"].headline.name == "lcmcr"
    assert "data-headline" in page.content.decode()


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_a_failed_run_shows_its_reason_and_can_be_started_again(coordinator, settings):
    client = client_for(coordinator)
    upload(client, GOOD)
    run = LcmcrRun.objects.get()
    # settings no sampler accepts: the run fails with the sampler's reason
    LcmcrRun.objects.filter(pk=run.pk).update(settings={**run.settings, "chains": 0})
    failed = runs.execute(run.pk)
    assert failed.status == RunStatus.FAILED and failed.result == {}
    assert failed.error == "ValueError: chains must be at least 1"
    response = client.get(f"/estimation/runs/{run.key}/")
    html = response.content.decode()
    assert 'data-run-status="failed"' in html and 'http-equiv="refresh"' not in html
    failure = re.search(r"data-run-error>(.*?)</div>", html, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", failure) == (
        "The latent-class run failed: ValueError: chains must be at least 1"
    )
    assert f'action="/estimation/runs/{run.key}/"' in html
    assert "data-headline" not in html and 'data-model="best_aic"' in html
    # started again: a new run of the same table
    response = client.post(f"/estimation/runs/{run.key}/")
    assert response.status_code == 302
    assert LcmcrRun.objects.count() == 2
    new = LcmcrRun.objects.exclude(pk=run.pk).get()
    assert new.status == RunStatus.QUEUED and new.key == run.key
    assert 'data-run-status="queued"' in client.get(response["Location"]).content.decode()
    # a run whose process is gone is interrupted, with a reason in the reader's language
    LcmcrRun.objects.filter(pk=new.pk).update(
        status=RunStatus.RUNNING, worker=f"{socket.gethostname()}:{_dead_pid()}"
    )
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    html = client.get(f"/estimation/runs/{run.key}/").content.decode()
    new.refresh_from_db()
    assert new.status == RunStatus.INTERRUPTED and "server restarted" in new.error
    assert 'data-run-status="interrupted"' in html and "перезапущен" in html
    assert f'action="/estimation/runs/{run.key}/"' in html  # and can be started again
    client.post(f"/estimation/runs/{run.key}/")
    assert LcmcrRun.objects.filter(key=run.key, status=RunStatus.QUEUED).count() == 1


def test_runs_keep_to_the_rules_of_who_may_see_estimates(
    coordinator, lawyer, viewer, documenter, outsider, linked
):
    activists, official = linked
    query = {"estimate": "1", "database": "1", "list": [activists.pk, official.pk]}
    assert client_for(lawyer).get(URL, query).status_code == 200
    from_lists = LcmcrRun.objects.get()
    assert (from_lists.from_lists, from_lists.uploaded) == (True, False)
    upload(client_for(viewer), GOOD)
    uploaded = LcmcrRun.objects.get(uploaded=True)
    lists_url = f"/estimation/runs/{from_lists.key}/"
    upload_url = f"/estimation/runs/{uploaded.key}/"
    for persona in (documenter, outsider):
        for url in (lists_url, upload_url):
            assert client_for(persona).get(url).status_code == 403
            assert client_for(persona).post(url).status_code == 403
    # a viewer sees estimates from uploads, not from the victim lists
    assert client_for(viewer).get(upload_url).status_code == 200
    assert client_for(viewer).get(lists_url).status_code == 403
    for persona in (coordinator, lawyer):
        assert client_for(persona).get(lists_url).status_code == 200
        assert client_for(persona).get(upload_url).status_code == 200
    assert client_for(coordinator).get("/estimation/runs/no-such-key/").status_code == 404
    assert Client().get(upload_url).status_code == 302  # to log in
    # a viewer who uploads the lists' very table has it: its run becomes theirs to see
    table = runs.table_of(from_lists)
    rows = (
        ",".join(table.lists)
        + ",count\n"
        + "".join(
            ",".join(str(x) for x in history) + f",{count}\n"
            for history, count in zip(table.histories.tolist(), table.counts.tolist(), strict=True)
        )
    )
    response = upload(client_for(viewer), rows.encode(), follow=False)
    assert response["Location"] == lists_url
    assert client_for(viewer).get(lists_url).status_code == 200
    assert LcmcrRun.objects.count() == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"official,activists,count\n1,0,5\n0,2,4\n1,1,3\n", "row 3, column 'activists'"),
        (b"official,activists,count\n1,0,5\n0,1,-4\n1,1,3\n", "negative"),
        (b"official,activists,count\n1,0,5\n0,0,4\n1,1,3\n", "all zeros"),
        (b"official,count\n1,5\n", "at least two list columns"),
        (b"official,activists\n1,0\n0,1\n", "no 'count' column"),
        ("official,activists,count\n1,0,5\n".encode("utf-16"), "not UTF-8"),
        (b"", "empty"),
    ],
)
def test_bad_uploads_are_refused_with_the_reason(coordinator, content, message):
    response = upload(client_for(coordinator), content, "bad.csv")
    assert response.status_code == 400
    assert "outcome" not in response.context
    assert message in response.context["error"]
    assert "bad.csv" in response.context["error"]
    assert "The input cannot be used:" in text_of(response)


def test_a_post_without_a_file_is_refused(coordinator):
    response = client_for(coordinator).post(URL, {})
    assert response.status_code == 400
    assert "Choose a CSV file" in response.context["error"]


def test_lists_without_overlap_cannot_be_estimated(coordinator):
    content = b"a,b,c,count\n1,0,0,40\n0,1,0,30\n0,0,1,20\n"
    response = upload(client_for(coordinator), content)
    assert response.status_code == 200
    outcome = response.context["outcome"]
    assert outcome.result is None
    assert "No one is on more than one list" in outcome.reason  # the reason in words
    text = text_of(response)
    assert "Cannot be estimated:" in text
    assert "About " not in text and 'data-model="' not in text
    assert not LcmcrRun.objects.exists()  # nothing to run


def test_small_and_sparse_lists_are_warned_about(coordinator):
    content = b"a,b,c,d,count\n1,0,0,0,9\n0,1,0,0,7\n0,0,1,0,5\n0,0,0,1,6\n1,1,0,0,3\n"
    content += b"0,0,1,1,2\n1,0,1,0,1\n"
    response = upload(client_for(coordinator), content)
    assert response.status_code == 200
    warnings = " ".join(response.context["outcome"].warnings)
    assert "Only 33 people are on the lists together" in warnings
    assert "List “a” shares only 4 people with the other lists" in warnings
    assert "8 of the 15 possible overlaps are empty" in warnings
    assert "data-warnings" in response.content.decode()


def test_two_lists_give_lincoln_petersen_and_no_latent_class_model(coordinator):
    content = b"a,b,count\n1,0,60\n0,1,40\n1,1,20\n"
    response = upload(client_for(coordinator), content)
    outcome = response.context["outcome"]
    assert outcome.result.model == "independence"
    assert outcome.headline.estimate == pytest.approx(80 * 60 / 20)  # n1 n2 / m
    assert outcome.lcmcr is None
    assert "Latent-class model" not in text_of(response)
    assert not LcmcrRun.objects.exists()


# -- lists cross-referenced in the linkage app -------------------------------------------


@pytest.fixture
def linked(db, coordinator):
    return build_linked_lists(coordinator)


def test_chosen_lists_give_the_overlap_from_the_accepted_matches(lawyer, linked):
    activists, official = linked
    client = client_for(lawyer)
    page = client.get(URL)
    assert f'value="{activists.pk}"' in page.content.decode()
    response = client.get(
        URL, {"estimate": "1", "database": "1", "list": [activists.pk, official.pk]}
    )
    assert response.status_code == 200
    outcome = response.context["outcome"]
    assert outcome.table.lists == ("Activists", "Official", "database")
    counts = {cell.marks: cell.count for cell in outcome.cells}
    assert counts[(True, True, True)] == 1  # Кудайбергенов: on all three
    assert counts[(True, False, True)] == 3  # activists and database
    assert counts[(False, True, True)] == 1  # Тулегенова: official and database
    assert counts[(False, False, True)] == 3  # database only
    assert counts[(True, False, False)] == 2  # activists' entries matched to no one
    assert counts[(False, True, False)] == 1
    assert counts[(True, True, False)] == 0
    assert outcome.table.observed == 11
    assert response.context["chosen"] == {activists.pk, official.pk}
    html = response.content.decode()
    assert html.count('class="bar-rect"') == 6
    link = re.search(r'href="(/linkage/capture-histories\.csv\?[^"]+)" data-download', html)
    download = client.get(link.group(1).replace("&amp;", "&"))
    assert download.status_code == 200
    downloaded = read_capture_bytes(download.content, "download.csv")[None]
    assert downloaded.lists == outcome.table.lists and downloaded.observed == 11
    # so few people: the page says so
    assert any("Only 11 people" in warning for warning in outcome.warnings)
    # the headline runs outside the request; the page reloads until it is done
    run = LcmcrRun.objects.get()
    assert (run.from_lists, run.uploaded, run.requested_by) == (True, False, lawyer)
    assert response.context["run"] == run and outcome.lcmcr_pending
    assert 'http-equiv="refresh"' in html and 'data-run-status="queued"' in html
    assert f'href="/estimation/runs/{run.key}/" data-run-link' in html
    assert runs.execute(run.pk).status == RunStatus.DONE
    response = client.get(
        URL, {"estimate": "1", "database": "1", "list": [activists.pk, official.pk]}
    )
    assert LcmcrRun.objects.count() == 1  # the same lists: the same run
    outcome = response.context["outcome"]
    assert outcome.headline.name == "lcmcr" and outcome.headline.ok
    assert outcome.headline.estimate == LcmcrRun.objects.get().result["estimate"]
    assert "data-headline" in response.content.decode()
    assert 'http-equiv="refresh"' not in response.content.decode()


def test_one_list_and_the_database_give_lincoln_petersen(coordinator, linked):
    activists, _ = linked
    response = client_for(coordinator).get(
        URL, {"estimate": "1", "database": "1", "list": activists.pk}
    )
    outcome = response.context["outcome"]
    # 8 in the database, 6 on the list, 4 on both: 8 * 6 / 4
    assert outcome.headline.name == "independence"
    assert outcome.headline.estimate == pytest.approx(12.0)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"database": "1"}, "at least two lists"),
        ({"database": "0", "list": "x"}, "by its number"),
        ({"database": "1", "list": "999999"}, "no victim list 999999"),
    ],
)
def test_a_wrong_choice_of_lists_is_refused(coordinator, linked, query, message):
    response = client_for(coordinator).get(URL, {"estimate": "1", **query})
    assert response.status_code == 400
    assert message in response.context["error"]
