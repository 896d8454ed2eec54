"""select_one_from_file / select_multiple_from_file: the choices of a media file of the
form, offered by the web form (filtered by choice_filter) and checked on the server."""

from __future__ import annotations

import io

import pytest
from pyxform.xls2json_backends import md_table_to_workbook

from aigak.collection.actions import add_media
from aigak.questionnaires.registry import install_form
from aigak.records.actions import RecordInvalid, create_record
from aigak.records.models import Record

pytestmark = pytest.mark.django_db

FORM = """
| survey |
| | type | name | label::English (en) | label::Russian (ru) | choice_filter | parameters |
| | select_one_from_file regions.csv | region | Region | Регион | | |
| | select_one_from_file places.csv | place | Place | Место | region = ${region} | |
| | select_multiple_from_file people.xml | who | Who | Кто | | value=code, label=title |
| settings |
| | form_id | default_language |
| | fromfile | English (en) |
"""
REGIONS = "name,label\nnorth,North\nsouth,South\n"
PLACES = "name;label;label::Russian (ru);region\nalmaty;Almaty;Алматы;south\naktau;Aktau;Актау;south\nastana;Astana;Астана;north\n"
PEOPLE = (
    b"<root><item><code>p1</code><title>Aru</title></item>"
    b"<item><code>p2</code><title>Dias</title></item></root>"
)


@pytest.fixture
def fromfile(coordinator):
    out = io.BytesIO()
    md_table_to_workbook(FORM).save(out)
    questionnaire = install_form(coordinator, out.getvalue()).version.questionnaire
    for name, data in (
        ("regions.csv", REGIONS.encode()),
        ("places.csv", PLACES.encode()),
        ("people.xml", PEOPLE),
    ):
        add_media(coordinator, questionnaire, name, data)
    return questionnaire


def test_the_definition_names_the_file_and_the_columns(fromfile):
    fields = fromfile.definition.fields
    assert (fields["place"].type, fields["place"].itemset) == ("select_one", "places.csv")
    assert fields["who"].type == "select_multiple" and fields["who"].parameters["value"] == "code"


def test_the_web_form_offers_the_files_choices_and_the_filter_narrows_them(
    client, coordinator, fromfile
):
    client.force_login(coordinator)
    page = client.get("/records/fromfile/new/").content.decode()
    assert 'value="north"' in page and ">South<" in page.replace("\n", "").replace(" ", "")
    assert 'value="p2"' in page and "Dias" in page  # value=code, label=title
    assert 'value="almaty"' in page
    state = client.post("/forms/fromfile/evaluate/", {"region": "north"}).json()
    assert state["choices"]["place"] == ["astana"]
    russian = client.get("/records/fromfile/new/?form_lang=ru").content.decode()
    assert "Актау" in russian


def test_the_server_refuses_an_answer_the_file_does_not_offer(coordinator, fromfile):
    record = create_record(
        coordinator, fromfile, {"region": "south", "place": "aktau", "who": "p2 p1"}
    )
    assert record.answers == {"region": "south", "place": "aktau", "who": ["p1", "p2"]}
    with pytest.raises(RecordInvalid) as refused:
        create_record(coordinator, fromfile, {"region": "north", "place": "aktau"})
    assert "place" in str(refused.value) and "not offered" in str(refused.value)
    with pytest.raises(RecordInvalid) as refused:
        create_record(coordinator, fromfile, {"who": "p3"})
    assert "p3" in str(refused.value)
    assert Record.objects.count() == 1


def test_a_new_upload_is_offered_at_once(coordinator, fromfile):
    add_media(coordinator, fromfile, "regions.csv", (REGIONS + "west,West\n").encode())
    assert create_record(coordinator, fromfile, {"region": "west"}).answers == {"region": "west"}
