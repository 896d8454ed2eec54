"""The estimate's population: the database's records it counts (deceased only, a region, a
period of the events), the warnings when lists are small, few, or count other people than
the database's records chosen, and the headline's uncertainty in words."""

from __future__ import annotations

import pytest

from aigak.estimation.page import uncertainty_words
from aigak.estimation.results import ModelResult
from aigak.estimation.tests.pagedata import build_linked_lists
from aigak.records.models import Record

URL = "/estimation/"


@pytest.fixture
def lists(db, coordinator):
    """Activists (6 people, 4 matched, all dead) and Official (3); three survivors added to
    the database's eight dead."""
    activists, official = build_linked_lists(coordinator)
    for record in Record.objects.order_by("pk")[5:8]:  # none of them on the lists
        record.answers = {**record.answers, "vital_status": "alive"}
        record.save(update_fields=["answers"])
    return activists, official


def _page(client, user, **params):
    client.force_login(user)
    return client.get(URL, {"estimate": "1", "database": "1", **params})


def test_a_list_of_the_dead_against_survivors_is_warned_about(client, lawyer, lists):
    activists, official = lists
    response = _page(client, lawyer, list=[activists.pk, official.pk])
    assert response.status_code == 200
    warnings = " ".join(response.context["outcome"].warnings)
    assert "“Activists” seems to hold the dead (4 of its 4" in warnings
    assert "“Activists” holds only 6 people" in warnings
    assert "“Official” holds only 3 people" in warnings
    assert "Only two lists" not in warnings  # the database is the third


def test_deceased_only_counts_the_dead_records_and_drops_the_scope_warning(client, lawyer, lists):
    activists, official = lists
    everyone = _page(client, lawyer, list=[activists.pk, official.pk])
    dead = _page(client, lawyer, list=[activists.pk, official.pk], vital="deceased")
    totals = dict(everyone.context["outcome"].list_totals)
    dead_totals = dict(dead.context["outcome"].list_totals)
    assert dead_totals["database"] == totals["database"] - 3
    assert dead.context["population"].vital == "deceased"
    assert not any("seems to hold the dead" in w for w in dead.context["outcome"].warnings)
    assert "download_query" not in dead.context  # the CSV would count every record


def test_survivors_and_the_dead_together_are_named_when_no_list_tells_its_scope(
    client, lawyer, lists
):
    _, official = lists  # two matched people: too few to judge the list's scope
    response = _page(client, lawyer, list=[official.pk])
    warnings = " ".join(response.context["outcome"].warnings)
    assert "survivors (3) and the dead (5)" in warnings
    assert "Only two lists are compared" in warnings


def test_a_region_and_a_period_narrow_the_database(client, lawyer, lists):
    activists, official = lists
    response = _page(
        client, lawyer, list=[activists.pk, official.pk], since="2100-01-01", until="2100-12-31"
    )
    assert response.status_code == 200
    assert dict(response.context["outcome"].list_totals)["database"] == 0


def test_an_unknown_value_is_refused(client, lawyer, lists):
    activists, official = lists
    response = _page(client, lawyer, list=[activists.pk, official.pk], vital="zombie")
    assert response.status_code == 400
    assert "zombie" in response.context["error"]


def _model(estimate, low, high):
    return ModelResult(name="m", family="test", estimate=estimate, ci95=(low, high))


@pytest.mark.parametrize(
    ("low", "high", "warned", "start"),
    [
        (95, 110, False, "Fairly precise"),
        (95, 110, True, "Uncertain"),
        (80, 140, False, "Uncertain"),
        (60, 300, False, "Very uncertain"),
        (60, None, False, "Very uncertain"),
    ],
)
def test_the_headline_says_how_uncertain_it_is(low, high, warned, start):
    assert uncertainty_words(_model(100.0, low, high), warned).startswith(start)
