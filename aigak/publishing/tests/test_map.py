"""The map and the timeline: public pages suppress small counts and show no name; the
staff pages count exactly what the user may see."""

from __future__ import annotations

import re

import pytest

from aigak.accounts.models import Role, Team, User
from aigak.publishing import mapdata
from aigak.questionnaires.registry import get_questionnaire
from aigak.records.actions import import_rows
from aigak.records.models import Record

SMALL = {"1", "2", "3", "4"}


def _victims(rows: list[tuple[str, str, str, str]], first: int = 1) -> None:
    """(locality, region, vital status, first day) per victim, each with a unique name."""
    data = [
        (n + 1, {"record_id": f"V-{n + first:06d}", "full_name": f"Secretname{n} Person",
                 "vital_status": status, "gender": "male", "essence": ["died"],
                 "entry_date": "2022-04-04", "event_locality": locality,
                 "event_region": region, "violation_start": day})
        for n, (locality, region, status, day) in enumerate(rows)
    ]  # fmt: skip
    import_rows(None, get_questionnaire("victim"), data)


def _events(rows: list[tuple[str, str, str]]) -> None:
    data = [
        (n + 1, {"record_id": f"E-{n + 1:06d}", "entry_date": "2022-03-01", "event_date": day,
                 "event_locality": locality, "event_region": "almaty", "coordinates": point,
                 "description": f"Secretdescription{n}"})
        for n, (locality, day, point) in enumerate(rows)
    ]  # fmt: skip
    import_rows(None, get_questionnaire("event"), data)


@pytest.fixture
def world(questionnaires):
    _victims(
        [("almaty", "almaty", "deceased", "2022-01-05")] * 7
        + [("almaty", "almaty", "alive", "2022-01-05")] * 2
        + [("taraz", "zhambyl", "deceased", "2022-01-06")] * 3
        + [("aktobe", "aktobe", "alive", "2022-01-07")] * 6
    )
    _events([("almaty", "2022-01-05", "43.2381 76.9452")] * 2 + [("taraz", "2022-01-06", "")])


def _cells(html: str) -> list[str]:
    return [c.strip() for c in re.findall(r"<td>([^<]*)</td>", html)]


@pytest.mark.django_db
def test_the_public_map_suppresses_small_counts_and_names_no_one(client, world):
    response = client.get("/public/map/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Secretname" not in html and "Secretdescription" not in html
    assert not SMALL & set(_cells(html))
    almaty = re.search(r'<tr data-locality="almaty">(.*?)</tr>', html).group(1)
    # 2 survivors: <5, and the total of 9 hidden with them (x); 2 events
    assert _cells(almaty) == ["7", "&lt;5", "x", "&lt;5"]
    aktobe = re.search(r'<tr data-locality="aktobe">(.*?)</tr>', html).group(1)
    assert _cells(aktobe) == ["0", "6", "6", "0"]
    # event points are snapped to a 0.1 degree grid and merged: one square for two events
    assert html.count('class="event-point"') == 1
    assert html.count('<path class="region') == 17


@pytest.mark.django_db
def test_the_public_timeline_counts_days_of_january(client, world):
    html = client.get("/public/timeline/").content.decode()
    assert html.count("<tr data-day=") == 31
    assert not SMALL & set(_cells(html))
    fifth = re.search(r'<tr data-day="5">(.*?)</tr>', html).group(1)
    assert _cells(fifth) == ["7", "&lt;5", "x", "&lt;5"]
    seventh = re.search(r'<tr data-day="7">(.*?)</tr>', html).group(1)
    assert _cells(seventh) == ["0", "6", "6", "0"]
    assert "Secretname" not in html


@pytest.mark.django_db
def test_staff_see_exact_counts_of_what_they_may_see(client, world, coordinator, outsider):
    assert client.get("/map/").status_code == 302  # login first
    assert client.get("/map/timeline/").status_code == 302
    client.force_login(coordinator)
    html = client.get("/map/").content.decode()
    almaty = re.search(r'<tr data-locality="almaty">(.*?)</tr>', html).group(1)
    assert _cells(almaty) == ["7", "2", "9", "2"]
    assert html.count('class="event-point"') == 2
    fifth = re.search(r'<tr data-day="5">(.*?)</tr>', client.get("/map/timeline/").content.decode())
    assert _cells(fifth.group(1)) == ["7", "2", "9", "2"]
    # a documenter of no team sees the counts of their own records only: none here
    client.force_login(outsider)
    html = client.get("/map/").content.decode()
    assert 'data-locality="almaty"' not in html and "event-point" not in html


@pytest.mark.django_db
def test_drafts_are_not_counted(client, world):
    Record.objects.filter(questionnaire__name="victim").update(status="draft")
    counts = mapdata.count(None)
    assert not counts.victims_by_locality and not counts.victims_by_day


def test_the_shipped_regions_cover_the_forms_regions():
    from aigak.questionnaires.forms.source.shared_lists import REGION

    assert set(mapdata.region_paths()) == {name for name, *_ in REGION}


def test_every_locality_of_the_forms_has_a_place():
    from aigak.questionnaires.forms.source.shared_lists import LOCALITY

    assert set(mapdata.LOCALITIES) == {name for name, *_ in LOCALITY} - {"other"}


@pytest.mark.django_db
def test_a_viewer_and_a_documenter_see_the_staff_map(client, world, team):
    for role in (Role.VIEWER, Role.DOCUMENTER):
        user = User.objects.create_user(username=f"u-{role}", role=role, team=Team.objects.first())
        client.force_login(user)
        assert client.get("/map/").status_code == 200


@pytest.mark.django_db
def test_the_public_counts_are_cached_until_a_record_changes(
    client, world, django_assert_max_num_queries
):
    client.get("/public/map/")
    with django_assert_max_num_queries(4):  # the cache key's and the labels', no counting
        html = client.get("/public/map/").content.decode()
    assert 'data-locality="aktobe"><th scope="row">Aktobe</th><td>0</td><td>6</td>' in html
    _victims([("aktobe", "aktobe", "alive", "2022-01-07")] * 2, first=100)
    html = client.get("/public/map/").content.decode()
    assert 'data-locality="aktobe"><th scope="row">Aktobe</th><td>0</td><td>8</td>' in html
