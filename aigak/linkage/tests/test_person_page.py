"""A person's page: their records, evidence, lists, matches and merges, by role.

Personas as in records/tests/test_role_matrix.py: a documenter of team A (who wrote the
first record), a stranger (documenter of team B), an outsider (documenter of no team).
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile

from aigak.accounts.models import AuditEvent, Role, Team, User
from aigak.evidence.actions import attach_small_file
from aigak.linkage.lists import guess_mapping, import_list
from aigak.linkage.models import Match, MatchKind, MatchStatus, PersonMerge
from aigak.linkage.tests.appdata import LIST_HEADER, csv_bytes, list_rows
from aigak.records.models import LinkKind, Person, RecordLink
from aigak.records.tests.sample_forms import install_sample_victim_form, make_record

SECRET = "SECRET-CONTACT-5512"
# persona -> (page, records shown, lists, matches and merges shown, evidence shown)
# fmt: off
MATRIX = {
    "admin":       ("ok",    2, True,  True),
    "coordinator": ("ok",    2, True,  True),
    "lawyer":      ("ok",    2, True,  True),
    "documenter":  ("ok",    1, False, True),
    "stranger":    ("404",   0, False, False),
    "outsider":    ("404",   0, False, False),
    "viewer":      ("ok",    2, False, False),
    "anonymous":   ("login", 0, False, False),
}
# fmt: on


@pytest.fixture
def person_world(db, settings, tmp_path):
    settings.EVIDENCE_ROOT = str(tmp_path / "evidence")
    settings.LINKAGE_STAGING_DIR = str(tmp_path / "staging")
    form = install_sample_victim_form()
    team_a = Team.objects.create(name="Almaty documenters")
    author = User.objects.create_user(username="author", role=Role.DOCUMENTER, team=team_a)
    boss = User.objects.create_user(username="boss", role=Role.COORDINATOR)
    first = make_record(author, form, full_name="Ермеков Нұрлан", source_contact=SECRET)
    second = make_record(boss, form, full_name="Yermekov Nurlan", entry_date="2022-02-03")
    assert first.person is not None and second.person is not None
    PersonMerge.objects.create(from_person=second.person, into_person=first.person, merged_by=boss)
    Person.objects.filter(pk=second.person_id).update(merged_into=first.person)
    RecordLink.objects.create(source=second, target=first, kind=LinkKind.RELATED)
    victim_list = import_list(
        boss, name="Activists", data=csv_bytes(list_rows()), file_name="activists.csv",
        mapping=guess_mapping(LIST_HEADER),
    )  # fmt: skip
    Match.objects.create(
        kind=MatchKind.LINK, entry=victim_list.entries.get(entry_id="1"), person=first.person,
        probability=0.97, status=MatchStatus.ACCEPTED,
    )  # fmt: skip
    attach_small_file(
        author, SimpleUploadedFile("notes.txt", b"Interview notes\n"), name="notes.txt",
        record=first,
    )  # fmt: skip
    return {"first": first, "second": second, "team_a": team_a, "list": victim_list}


def _persona(name: str, team_a: Team):
    if name == "anonymous":
        return AnonymousUser()
    role = {"admin": Role.ADMIN, "stranger": Role.DOCUMENTER, "outsider": Role.DOCUMENTER}
    team = {"documenter": team_a, "stranger": Team.objects.create(name="Aktobe")}.get(name)
    return User.objects.create_user(username=name, role=role.get(name, name), team=team)


@pytest.mark.parametrize("persona", list(MATRIX))
def test_each_role_sees_exactly_its_part_of_the_person(client, person_world, persona):
    user = _persona(persona, person_world["team_a"])
    if user.is_authenticated:
        client.force_login(user)
    url = f"/linkage/persons/{person_world['first'].person_id}/"
    response = client.get(url)
    page, shown, lists, evidence = MATRIX[persona]
    if page == "login":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
        return
    if page == "404":
        assert response.status_code == 404
        assert "Ермеков" not in response.content.decode()
        return
    assert response.status_code == 200
    body = response.content.decode()
    assert len(response.context["records"]) == shown
    assert "Ермеков Нұрлан" in body
    assert ("notes.txt" in body) is evidence
    assert ("Activists" in body) is lists
    assert ("Merged on" in body) is lists
    assert ("Yermekov Nurlan" in body) is (shown == 2)
    assert SECRET not in body
    assert AuditEvent.objects.filter(object_type="person", metadata__page="person").exists()


def test_a_merged_person_sends_to_the_person_it_went_into(client, person_world, coordinator):
    client.force_login(coordinator)
    response = client.get(f"/linkage/persons/{person_world['second'].person_id}/")
    assert response.status_code == 302
    assert response["Location"] == f"/linkage/persons/{person_world['first'].person_id}/"
    assert client.get("/linkage/persons/999999/").status_code == 404


def test_the_record_page_names_linked_records_and_leads_to_the_person(
    client, person_world, coordinator
):
    client.force_login(coordinator)
    first, second = person_world["first"], person_world["second"]
    body = client.get(f"/records/victim/{first.record_id}/").content.decode()
    assert f'href="/linkage/persons/{first.person_id}/"' in body
    assert "1 other record" in body
    # The linked record by name, questionnaire and date, not by bare id.
    assert "Yermekov Nurlan" in body
    assert first.questionnaire.title in body
    assert "02/03/2022" in body or "2022-02-03" in body or "03.02.2022" in body
    body = client.get(f"/records/victim/{second.record_id}/").content.decode()
    assert "Ермеков Нұрлан" in body
