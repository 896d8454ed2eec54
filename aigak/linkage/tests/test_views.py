"""The linkage pages through the test client: who may open what, upload with column
mapping, review decisions by POST, merges, downloads."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from django.test import Client

from aigak.accounts.models import AuditEvent
from aigak.linkage.lists import guess_mapping, import_list
from aigak.linkage.models import (
    ListEntry,
    Match,
    MatchingRun,
    MatchKind,
    MatchStatus,
    PersonMerge,
    VictimList,
)
from aigak.linkage.tests.appdata import (
    LIST_HEADER,
    LIST_ROWS,
    add_victims,
    csv_bytes,
    install_victim_form,
    list_rows,
    xlsx_bytes,
)
from aigak.records.models import Person
from aigak.runs.models import RunStatus


@pytest.fixture(autouse=True)
def _staging(settings, tmp_path):
    settings.LINKAGE_STAGING_DIR = str(tmp_path / "staging")


@pytest.fixture
def world(db, coordinator):
    """A list, victims, a link candidate, a dedupe candidate and a merge, made directly."""
    form = install_victim_form()
    records = add_victims(form)
    victim_list = import_list(
        coordinator,
        name="Activists",
        data=csv_bytes(list_rows()),
        file_name="activists.csv",
        mapping=guess_mapping(LIST_HEADER),
    )
    entry = victim_list.entries.get(entry_id="1")
    link = Match.objects.create(
        kind=MatchKind.LINK,
        entry=entry,
        person=records[0].person,
        probability=0.97,
        fields={"weights": {"surname": 7.0}, "agreed": ["surname"]},
    )
    a, b = sorted([records[4].person_id, records[5].person_id])
    pair = Match.objects.create(
        kind=MatchKind.DEDUPE, person_id=a, other_person_id=b, probability=0.6
    )
    merged = Person.objects.create(display_name="Someone")
    merge = PersonMerge.objects.create(
        from_person=merged, into_person=records[6].person, merged_by=coordinator
    )
    Person.objects.filter(pk=merged.pk).update(merged_into=records[6].person)
    run = MatchingRun.objects.create(
        kind=MatchKind.LINK,
        victim_list=victim_list,
        target=f"list:{victim_list.pk}",
        threshold=0.1,
        requested_by=coordinator,
        status=RunStatus.DONE,
        summary={"candidates": 1, "created": 1, "updated": 0, "removed": 0, "notes": []},
    )
    return {
        "list": victim_list,
        "link": link,
        "pair": pair,
        "merge": merge,
        "records": records,
        "run": run,
    }


def _urls(world) -> tuple[list[str], list[str]]:
    pk, link, merge = world["list"].pk, world["link"].pk, world["merge"].pk
    run = world["run"].pk
    gets = [
        "/linkage/",
        "/linkage/lists/new/",
        "/linkage/lists/new/aaaaaaaaaaaaaaaaaaaaaaaa/",
        f"/linkage/lists/{pk}/",
        f"/linkage/lists/{pk}/review/",
        f"/linkage/lists/{pk}/overlap/",
        f"/linkage/lists/{pk}/overlap/both.csv",
        f"/linkage/matches/{link}/",
        "/linkage/duplicates/",
        "/linkage/merges/",
        "/linkage/capture-histories.csv",
        f"/linkage/runs/{run}/",
    ]
    posts = [
        "/linkage/lists/new/",
        "/linkage/lists/new/aaaaaaaaaaaaaaaaaaaaaaaa/",
        f"/linkage/lists/{pk}/cross-reference/",
        f"/linkage/matches/{link}/decide/",
        "/linkage/duplicates/run/",
        f"/linkage/merges/{merge}/undo/",
    ]
    return gets, posts


def test_every_page_sends_anonymous_visitors_to_the_login(client, world):
    gets, posts = _urls(world)
    for url in gets:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url
    for url in posts:
        response = client.post(url, {"decision": "accepted"})
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url


@pytest.mark.parametrize("role", ["documenter", "viewer"])
def test_every_page_refuses_documenters_and_viewers(client, world, role, request):
    client.force_login(request.getfixturevalue(role))
    gets, posts = _urls(world)
    for url in gets:
        assert client.get(url).status_code == 403, url
    for url in posts:
        assert client.post(url, {"decision": "accepted"}).status_code == 403, url
    world["link"].refresh_from_db()
    assert world["link"].status == MatchStatus.CANDIDATE
    assert PersonMerge.objects.get().undone_at is None


def test_lawyers_read_everything_and_change_nothing(client, world, lawyer):
    client.force_login(lawyer)
    gets, posts = _urls(world)
    for url in gets:
        if "/lists/new/" in url:
            assert client.get(url).status_code == 403, url
        else:
            assert client.get(url).status_code == 200, url
    for url in posts:
        assert client.post(url, {"decision": "accepted"}).status_code == 403, url
    page = client.get(f"/linkage/lists/{world['list'].pk}/review/").content.decode()
    assert "Kudaibergenov Kazybek" in page and 'name="decision"' not in page
    world["link"].refresh_from_db()
    assert world["link"].status == MatchStatus.CANDIDATE


def test_missing_objects_are_404_for_those_who_may_see_lists(client, world, coordinator):
    client.force_login(coordinator)
    for url in ["/linkage/lists/999/", "/linkage/matches/999/", "/linkage/lists/999/review/"]:
        assert client.get(url).status_code == 404, url
    assert client.get(f"/linkage/lists/{world['list'].pk}/overlap/nothing.csv").status_code == 404


def test_upload_a_cp1251_csv_map_its_columns_and_store_it(client, db, coordinator):
    client.force_login(coordinator)
    rows = [r for r in list_rows() if "Өскемен" not in r]
    data = csv_bytes(rows, encoding="cp1251", delimiter=";")
    response = client.post(
        "/linkage/lists/new/",
        {
            "file": _file(data, "Список МВД.csv"),
            "name": "Official, August 2022",
            "source": "Ministry of Internal Affairs",
            "published_on": "2022-08-15",
        },
    )
    assert response.status_code == 302
    mapping_url = response["Location"]
    assert mapping_url.startswith("/linkage/lists/new/")
    assert not VictimList.objects.exists()  # nothing stored before the mapping is confirmed

    page = client.get(mapping_url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "cp1251" in text and "Оспанов Ерлан" in text
    selects = {key: chosen for key, _, chosen, _ in page.context["selects"]}
    assert selects["map_full_name_0"] == "ФИО" and selects["map_locality"] == "Город"
    assert selects["map_event_date"] == "Дата гибели" and selects["map_id"] == "№"

    response = client.post(mapping_url, {**selects, "map_region": ""})
    assert response.status_code == 302
    victim_list = VictimList.objects.get()
    assert response["Location"] == f"/linkage/lists/{victim_list.pk}/"
    assert (victim_list.name, victim_list.source, str(victim_list.published_on)) == (
        "Official, August 2022",
        "Ministry of Internal Affairs",
        "2022-08-15",
    )
    assert victim_list.encoding == "cp1251" and victim_list.row_count == 5
    assert "region" not in victim_list.column_mapping
    assert ListEntry.objects.get(entry_id="2").full_name == "Оспанов Ерлан"
    assert client.get(mapping_url).status_code == 404  # the staged file is gone
    detail = client.get(response["Location"]).content.decode()
    assert "Official, August 2022" in detail and "cp1251" in detail


def test_upload_an_xlsx_whose_names_are_in_three_columns(client, db, coordinator):
    client.force_login(coordinator)
    data = xlsx_bytes(
        [["Фамилия", "Имя", "Отчество", "Возраст"], ["Оспанов", "Ерлан", "Маратович", 31]]
    )
    response = client.post(
        "/linkage/lists/new/", {"file": _file(data, "list.xlsx"), "name": "Three columns"}
    )
    page = client.get(response["Location"])
    selects = {key: chosen for key, _, chosen, _ in page.context["selects"]}
    assert [selects[f"map_full_name_{i}"] for i in range(3)] == ["Фамилия", "Имя", "Отчество"]
    client.post(response["Location"], selects)
    entry = ListEntry.objects.get()
    assert (entry.full_name, entry.age, entry.entry_id) == ("Оспанов Ерлан Маратович", "31", "2")


def test_a_bad_file_is_refused_on_the_upload_page_naming_the_row(client, db, coordinator):
    client.force_login(coordinator)
    data = "ФИО,Возраст\nИванов,30\nПетров, Иван,40\n".encode()
    response = client.post("/linkage/lists/new/", {"file": _file(data, "bad.csv"), "name": "Bad"})
    assert response.status_code == 400
    assert "row 3: 3 cells but the header has 2 columns" in response.content.decode()
    response = client.post(
        "/linkage/lists/new/",
        {"file": _file(b"\xd0\xcf\x11\xe0" + b"\0" * 64, "a.xls"), "name": "X"},
    )
    assert response.status_code == 400 and ".xls" in response.content.decode()
    assert not VictimList.objects.exists()


def test_a_duplicate_id_is_refused_on_the_mapping_page_and_nothing_stored(client, db, coordinator):
    client.force_login(coordinator)
    rows = list_rows() + [["2", "Повтор", "", "", "", "", "", ""]]
    response = client.post(
        "/linkage/lists/new/", {"file": _file(csv_bytes(rows), "dup.csv"), "name": "Dup"}
    )
    url = response["Location"]
    selects = {key: chosen for key, _, chosen, _ in client.get(url).context["selects"]}
    response = client.post(url, selects)
    assert response.status_code == 400
    assert "row 8, column &#x27;№&#x27;: duplicate id &#x27;2&#x27; (first in row 3)" in (
        response.content.decode()
    )
    assert not VictimList.objects.exists() and not ListEntry.objects.exists()
    # Without the id column the same file goes in, each entry known by its row.
    response = client.post(url, {**selects, "map_id": ""})
    assert response.status_code == 302
    assert VictimList.objects.get().row_count == len(LIST_ROWS) + 1
    response = client.post("/linkage/lists/new/", {"file": _file(b"x", "a.csv"), "name": "Dup"})
    assert "A list with this name exists" in response.content.decode()


def test_cancelling_a_mapping_stores_nothing(client, db, coordinator):
    client.force_login(coordinator)
    response = client.post(
        "/linkage/lists/new/", {"file": _file(csv_bytes(list_rows()), "a.csv"), "name": "A"}
    )
    response = client.post(response["Location"], {"cancel": "1"})
    assert response.status_code == 302 and not VictimList.objects.exists()


def test_deciding_through_the_page_logs_the_reviewer(client, world, coordinator):
    client.force_login(coordinator)
    link = world["link"]
    queue = f"/linkage/lists/{world['list'].pk}/review/"
    page = client.get(queue)
    assert page.status_code == 200
    assert f'data-match="{link.pk}"' in page.content.decode()
    response = client.post(
        f"/linkage/matches/{link.pk}/decide/", {"decision": "accepted", "next": queue}
    )
    assert response.status_code == 302 and response["Location"] == queue
    link.refresh_from_db()
    assert (link.status, link.reviewer) == (MatchStatus.ACCEPTED, coordinator)
    event = AuditEvent.objects.get(action="decide")
    assert event.actor == coordinator and event.metadata["decision"] == "accepted"
    detail = client.get(f"/linkage/matches/{link.pk}/").content.decode()
    assert "coordinator" in detail and "accepted" in detail
    # An unknown decision, and a redirect elsewhere, are refused.
    assert (
        client.post(f"/linkage/matches/{link.pk}/decide/", {"decision": "maybe"}).status_code == 400
    )
    response = client.post(
        f"/linkage/matches/{link.pk}/decide/",
        {"decision": "undecided", "next": "https://evil.example/"},
    )
    assert response["Location"] == f"/linkage/matches/{link.pk}/"
    assert client.get(f"{queue}?status=undecided").context["items"][0].match.pk == link.pk


def test_a_refused_decision_says_why(client, world, coordinator):
    client.force_login(coordinator)
    link = world["link"]
    rival = Match.objects.create(
        kind=MatchKind.LINK, entry=link.entry, person=world["records"][1].person, probability=0.4
    )
    client.post(f"/linkage/matches/{link.pk}/decide/", {"decision": "accepted"})
    response = client.post(
        f"/linkage/matches/{rival.pk}/decide/", {"decision": "accepted"}, follow=True
    )
    assert "already accepted as person" in response.content.decode()
    rival.refresh_from_db()
    assert rival.status == MatchStatus.SUPERSEDED


def test_decisions_need_the_csrf_token(world, coordinator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    link = world["link"]
    response = client.post(f"/linkage/matches/{link.pk}/decide/", {"decision": "accepted"})
    assert response.status_code == 403
    link.refresh_from_db()
    assert link.status == MatchStatus.CANDIDATE


def test_dedupe_pairs_merge_and_undo_through_the_pages(client, world, admin_user):
    client.force_login(admin_user)
    pair = world["pair"]
    page = client.get("/linkage/duplicates/")
    assert f'data-match="{pair.pk}"' in page.content.decode()
    client.post(f"/linkage/matches/{pair.pk}/decide/", {"decision": "accepted"})
    merged = Person.objects.get(pk=pair.other_person_id)
    assert merged.merged_into_id == pair.person_id
    merge = PersonMerge.objects.get(match=pair)
    assert f'data-merge="{merge.pk}"' in client.get("/linkage/merges/").content.decode()
    response = client.post(f"/linkage/merges/{merge.pk}/undo/")
    assert response.status_code == 302
    merged.refresh_from_db()
    assert merged.merged_into_id is None
    pair.refresh_from_db()
    assert pair.status == MatchStatus.UNDECIDED
    response = client.post(f"/linkage/merges/{merge.pk}/undo/", follow=True)
    assert "undone already" in response.content.decode()


def test_overlap_page_and_downloads(client, world, coordinator):
    client.force_login(coordinator)
    client.post(f"/linkage/matches/{world['link'].pk}/decide/", {"decision": "accepted"})
    pk = world["list"].pk
    page = client.get(f"/linkage/lists/{pk}/overlap/")
    assert page.context["counts"] == {"both": 1, "list_only": 5, "database_only": 7}
    response = client.get(f"/linkage/lists/{pk}/overlap/both.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    both = pd.read_csv(io.StringIO(response.content.decode("utf-8-sig")), dtype=str)
    assert list(both["entry_id"]) == ["1"]
    assert list(both["record_ids"]) == ["V-000001"]
    only = client.get(f"/linkage/lists/{pk}/overlap/list_only.csv").content.decode("utf-8-sig")
    assert "Мухамедиев Талгат Ержанович" in only
    assert AuditEvent.objects.filter(action="export", metadata__part="list_only").exists()
    response = client.get(f"/linkage/capture-histories.csv?list={pk}&database=0&database=1")
    histories = pd.read_csv(io.StringIO(response.content.decode("utf-8-sig")))
    assert list(histories.columns) == ["Activists", "database", "count"]
    assert histories["count"].sum() == 1 + 5 + 7
    response = client.get(f"/linkage/capture-histories.csv?list={pk}&database=0")
    assert list(pd.read_csv(io.StringIO(response.content.decode("utf-8-sig"))).columns) == [
        "Activists",
        "count",
    ]
    assert client.get("/linkage/capture-histories.csv?list=x").status_code == 400
    assert client.get("/linkage/capture-histories.csv?list=999").status_code == 400


def _file(data: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_downloads_make_formula_cells_inert(client, world, coordinator):
    """A list's cells (and a list's name, a column of the capture histories) that a
    spreadsheet would run come out with an apostrophe in front."""
    rows = [
        LIST_HEADER,
        ["=1+1", '=HYPERLINK("http://example.org","x")', "", "-1+2", "", "", "@Тараз", ""],
        ["2", "Сапаров Нурлан", "", "45", "м", "+Жамбыл", "-3", ""],
    ]
    hostile = import_list(
        coordinator,
        name="-Official",
        data=csv_bytes(rows),
        file_name="hostile.csv",
        mapping=guess_mapping(LIST_HEADER),
    )
    client.force_login(coordinator)
    response = client.get(f"/linkage/lists/{hostile.pk}/overlap/list_only.csv")
    text = response.content.decode("utf-8-sig")
    only = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    assert list(only["entry_id"]) == ["'=1+1", "2"]
    assert list(only["full_name"]) == ['\'=HYPERLINK("http://example.org","x")', "Сапаров Нурлан"]
    assert list(only["age"]) == ["'-1+2", "45"]
    assert list(only["locality"]) == ["'@Тараз", "-3"]  # a plain number stays a number
    assert list(only["region"]) == ["", "'+Жамбыл"]
    response = client.get(f"/linkage/capture-histories.csv?list={hostile.pk}&database=0")
    histories = pd.read_csv(io.StringIO(response.content.decode("utf-8-sig")))
    assert list(histories.columns) == ["'-Official", "count"]
