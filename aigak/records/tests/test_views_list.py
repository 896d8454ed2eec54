import pytest

from aigak.records.models import Record
from aigak.records.tests.sample_forms import (  # noqa: F401 - fast_passwords is a fixture
    fast_passwords,
    install_sample_victim_form,
    make_record,
)

URL = "/records/victim/"


@pytest.fixture
def victim(db):
    return install_sample_victim_form()


def _listed(response) -> list[str]:
    return [row.record.record_id for row in response.context["rows"]]


def test_it_sends_the_front_page_to_the_victims_list(client, victim, viewer):
    client.force_login(viewer)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == URL


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
