import pytest

from aigak.records.models import Record
from aigak.records.tests.sample_forms import (
    make_record,
)

URL = "/records/victim/"


def _listed(response) -> list[str]:
    return [row.record.record_id for row in response.context["rows"]]


def test_the_front_page_links_to_the_victims_list(client, victim, viewer):
    client.force_login(viewer)
    response = client.get("/")
    assert response.status_code == 200
    assert f'href="{URL}"' in response.content.decode()


def test_it_refuses_anonymous_visitors(client, victim):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_lists_records_with_their_columns(client, victim, documenter, viewer):
    record = make_record(documenter, victim, vital_status="deceased")
    client.force_login(viewer)
    response = client.get(URL)
    assert response.status_code == 200
    assert _listed(response) == [record.record_id]
    assert response.context["columns"] == ["Full name", "Alive or deceased"]
    assert response.context["rows"][0].cells == [
        ("Full name", "Асель Нурланова"),
        ("Alive or deceased", "Deceased"),
    ]
    assert b'class="wide records"' in response.content


def test_it_shows_documenters_only_their_team(client, victim, documenter, teammate, outsider):
    ours = make_record(teammate, victim)
    theirs = make_record(outsider, victim)
    client.force_login(documenter)
    assert _listed(client.get(URL)) == [ours.record_id]
    client.force_login(outsider)
    assert _listed(client.get(URL)) == [theirs.record_id]


def test_it_leaves_out_deleted_records(client, victim, coordinator):
    from aigak.records.actions import delete_record

    record = make_record(coordinator, victim)
    delete_record(coordinator, record, "duplicate")
    client.force_login(coordinator)
    assert _listed(client.get(URL)) == []


def test_it_paginates_by_fifty(client, victim, coordinator):
    for _ in range(51):
        make_record(coordinator, victim)
    client.force_login(coordinator)
    first = client.get(URL)
    assert len(_listed(first)) == 50
    assert b"?page=2" in first.content
    second = client.get(URL + "?page=2")
    assert len(_listed(second)) == 1


def test_it_searches_cyrillic_names_by_prefix(client, victim, coordinator):
    wanted = make_record(coordinator, victim, full_name="Кудайбергенов Ержан")
    make_record(coordinator, victim, full_name="Смагулова Айгуль")
    client.force_login(coordinator)
    response = client.get(URL, {"q": "кудайберг"})
    assert _listed(response) == [wanted.record_id]


def test_it_searches_confidential_answers_only_for_those_who_may_see_them(
    client, victim, coordinator, viewer
):
    record = make_record(coordinator, victim, source_contact="Бауыржан телефон")
    client.force_login(coordinator)
    assert _listed(client.get(URL, {"q": "Бауыржан"})) == [record.record_id]
    client.force_login(viewer)
    assert _listed(client.get(URL, {"q": "Бауыржан"})) == []


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"f_vital_status": "alive"}, ["alive"]),
        ({"f_vital_status": "deceased"}, ["deceased"]),
        ({"f_social_status": "journalist"}, ["alive"]),
        ({"f_social_status": "journalist", "f_vital_status": "deceased"}, []),
        ({"f_vital_status": "nonsense"}, ["alive", "deceased"]),
        ({"status": "draft"}, ["deceased"]),
    ],
)
def test_it_filters_on_select_fields_and_status(client, victim, coordinator, params, expected):
    from aigak.records.actions import set_status

    make_record(coordinator, victim, full_name="alive", social_status=["student", "journalist"])
    dead = make_record(coordinator, victim, full_name="deceased", vital_status="deceased")
    set_status(coordinator, dead, "draft")
    client.force_login(coordinator)
    response = client.get(URL, params)
    names = sorted(Record.objects.get(record_id=i).answers["full_name"] for i in _listed(response))
    assert names == expected


def test_it_offers_a_filter_for_every_visible_select_field(client, victim, viewer):
    client.force_login(viewer)
    response = client.get(URL)
    names = [f.name for f in response.context["filters"]]
    assert names == [
        "source_type",
        "gender",
        "social_status",
        "vital_status",
        "location_at_interview",
        "rights_violated",
    ]
    assert b'name="f_rights_violated"' in response.content


def test_it_answers_404_for_an_unknown_questionnaire(client, victim, viewer):
    client.force_login(viewer)
    assert client.get("/records/nothing/").status_code == 404


def test_it_offers_new_record_only_to_those_who_may_create(client, victim, documenter, viewer):
    client.force_login(documenter)
    assert b"/records/victim/new/" in client.get(URL).content
    client.force_login(viewer)
    assert b"/records/victim/new/" not in client.get(URL).content


@pytest.mark.parametrize(
    "language, words",
    [
        ("ru", ["Новая анкета", "Фильтры", "1 анкета"]),
        ("kk", ["Жаңа сауалнама", "Сүзгілер", "1 сауалнама"]),
        ("en", ["New record", "Filters", "1 record"]),
    ],
)
def test_it_speaks_the_users_language(client, victim, coordinator, language, words):
    make_record(coordinator, victim)
    client.force_login(coordinator)
    text = client.get(URL, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    for word in words:
        assert word in text


def test_it_follows_the_language_the_user_chose(client, victim, coordinator):
    client.force_login(coordinator)
    client.post("/i18n/setlang/", {"language": "ru", "next": URL})
    assert "Новая анкета" in client.get(URL).content.decode()


@pytest.fixture
def small_pages(monkeypatch):
    """Pages of 2 and a count that stops at 5, so a few records show what 100,000 would."""
    from aigak.records import paging, views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    monkeypatch.setattr(views, "COUNT_CAP", 5)
    monkeypatch.setattr(paging, "DEEP", 4)  # from page 3 on, ids first


def _names(response) -> list[str]:
    return [row.record.answers["full_name"] for row in response.context["rows"]]


def test_past_the_cap_it_says_more_than_and_pages_on_while_rows_remain(
    client, victim, coordinator, small_pages
):
    for n in range(1, 8):
        make_record(coordinator, victim, full_name=f"Ержан {n}")
    client.force_login(coordinator)

    first = client.get(URL)
    assert first.context["page"].paginator.capped
    assert "More than 5 records" in first.content.decode()
    assert "Page 1 of" not in first.content.decode()
    pages = [_names(first)] + [_names(client.get(URL, {"page": n})) for n in (2, 3, 4)]
    assert pages == [["Ержан 7", "Ержан 6"], ["Ержан 5", "Ержан 4"], ["Ержан 3", "Ержан 2"], ["Ержан 1"]]  # fmt: skip
    last = client.get(URL, {"page": 4})
    assert not last.context["page"].has_next() and last.context["page"].has_previous()
    assert 'rel="next"' not in last.content.decode()
    assert _names(client.get(URL, {"page": 99})) == ["Ержан 7", "Ержан 6"]  # back to the start


def test_under_the_cap_it_counts_and_sorts_few_matches_newest_first(
    client, victim, coordinator, small_pages
):
    for n in range(1, 8):
        make_record(coordinator, victim, full_name=f"Ержан {n}", gender="male" if n % 2 else "female")  # fmt: skip
    client.force_login(coordinator)

    male = client.get(URL, {"f_gender": "male"})
    assert not male.context["page"].paginator.capped
    assert "4 records" in male.content.decode() and "Page 1 of 2" in male.content.decode()
    assert _names(male) + _names(client.get(URL, {"f_gender": "male", "page": 2})) == [
        "Ержан 7", "Ержан 5", "Ержан 3", "Ержан 1",
    ]  # fmt: skip
    found = client.get(URL, {"q": "Ержан", "f_gender": "female"})
    assert _names(found) == ["Ержан 6", "Ержан 4"]
    assert "3 records" in found.content.decode()
