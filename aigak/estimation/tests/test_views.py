"""The estimation page through the test client: who may open it, estimates from an uploaded
CSV (good and bad input, no overlap, sparse lists) and from the lists cross-referenced in
the linkage app."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from aigak.estimation.histories import read_capture_bytes
from aigak.estimation.tests.pagedata import build_linked_lists

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
    "lcmcr",
]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client: Client, content: bytes, name: str = "lists.csv"):
    return client.post(URL, {"histories": SimpleUploadedFile(name, content, "text/csv")})


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


def test_an_uploaded_table_gives_every_model_the_overlap_and_the_headline(coordinator):
    response = upload(client_for(coordinator), GOOD)
    assert response.status_code == 200
    outcome = response.context["outcome"]
    assert outcome.table.observed == 404
    assert [model.name for model in outcome.models] == MODEL_NAMES
    assert outcome.result.model == "lcmcr"
    html = response.content.decode()
    for name in MODEL_NAMES:
        assert f'data-model="{name}"' in html
    # the overlap table: all 7 histories, the biggest first, and the diagram's 7 bars
    assert [cell.count for cell in outcome.cells] == [120, 95, 60, 40, 36, 31, 22]
    assert html.count('class="bar-rect"') == 7
    assert "<svg" in html and "data-diagram" in html
    # the headline, its interval and convergence check as the estimate gives them
    lcmcr = outcome.lcmcr
    assert lcmcr.ok, lcmcr.reason
    low, high = lcmcr.ci95
    assert 404 < low < lcmcr.estimate < high
    check = lcmcr.details["convergence"]
    text = text_of(response)
    assert f"About {lcmcr.estimate:,.0f} victims in total" in text
    assert f"95% interval {low:,.0f}–{high:,.0f}" in text
    assert f"split R-hat {check['split_rhat']}" in text
    assert ("passed" if check["converged"] else "not passed") in text
    assert lcmcr.details["settings"]["iterations_per_chain"] == 9_000
    # fit beside the estimates: AIC of the independence model, with its deviance and df
    independence = outcome.result.get("independence")
    assert f"{independence.aic:.1f}" in text and f"{independence.deviance:.2f}" in text
    assert "A closed population." in text and "Perfect matching." in text
    assert "List dependence and heterogeneity." in text


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
    assert "no person is on more than one list" in outcome.reason
    text = text_of(response)
    assert "Cannot be estimated:" in text
    assert "About " not in text and 'data-model="' not in text


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
