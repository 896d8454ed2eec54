"""An XForm instance, as ODK Collect writes it, reads into the stored answer shapes.

The XForms are the project's own export (pyxform through `read_xlsform`) of the shipped
victim form and of a form with repeats, media, a geopoint and date-times; the instances
are written as Collect writes them: the primary instance's elements in form order, the
root carrying `id` and `version`, groups nested, one element per repeat entry, empty
elements for unanswered questions, and `meta/instanceID`.
"""

from __future__ import annotations

import io
from pathlib import Path
from xml.etree import ElementTree

import pytest
from pyxform.xls2json_backends import md_table_to_workbook

from aigak.questionnaires.validation import clean_answers
from aigak.questionnaires.xlsform import read_xlsform
from aigak.records.xml_instance import InstanceError, read_header, read_instance

FORMS = Path(__file__).resolve().parents[2] / "questionnaires" / "forms"

VICTIM_INSTANCE = """<?xml version='1.0' ?>
<data id="victim" version="2026.1" xmlns:jr="http://openrosa.org/javarosa"
      xmlns:orx="http://openrosa.org/xforms">
  <consent_note/>
  <documentation>
    <record_id>V-009001</record_id>
    <entry_date>2024-03-05</entry_date>
    <documenter>Aigerim</documenter>
    <source_type>relative</source_type>
    <source_type_other/>
    <source_name>Гульнара Ахметова</source_name>
    <source_gender>female</source_gender>
    <source_relation>mother</source_relation>
    <source_contact/>
    <interview_mode>in_person</interview_mode>
    <consent_use>yes</consent_use>
    <consent_publish_name>no</consent_publish_name>
  </documentation>
  <victim>
    <full_name>Ахметов Ерлан Серикович</full_name>
    <birth_date>1994-07-12</birth_date>
    <age_stated/>
    <gender>male</gender>
    <ethnicity>kazakh</ethnicity>
    <ethnicity_other/>
    <citizenship>kz_citizen</citizenship>
    <citizenship_other/>
    <citizenship_country/>
    <region_residence>almaty</region_residence>
    <region_residence_other/>
    <social_status>hired_worker civil_activist</social_status>
    <social_status_other/>
    <vital_status>alive</vital_status>
    <death_date/>
    <location_at_interview>prison</location_at_interview>
    <location_comment/>
    <facility_region/>
    <facility_name/>
  </victim>
  <what_happened><event_region/><event_locality/><event_locality_other/><role/>
    <role_other/><essence/><essence_other/><violation_start/><violation_end/>
    <group_or_individual/><narrative>Задержан 5 января.</narrative></what_happened>
  <appeals><appealed/><appealed_other/><appeal_subject/><appeal_subject_other/>
    <appeal_body/><appeal_body_other/><appeal_outcome/><appeal_result/></appeals>
  <legal_analysis><intl_instruments/><rights_violated/><law_codes/><articles/>
    <legal_comment/></legal_analysis>
  <publication><published/><publication_channels/><publication_channels_other/>
    <publication_media/></publication>
  <interview><challenges/><challenges_other/><documenter_notes/></interview>
  <meta>
    <instanceID>uuid:5e3d1c4a-8a7e-4b4e-9d0e-0c1f2a3b4c5d</instanceID>
    <instanceName>Ахметов 2024-03-05</instanceName>
  </meta>
</data>
"""

FIELD_FORM = """
| survey |
| | type | name | label | parameters |
| | start | start | | |
| | deviceid | deviceid | | |
| | text | name | Name | |
| | begin group | place | Place | |
| | geopoint | where | Where | |
| | datetime | when | When | |
| | time | at | At | |
| | end group | | | |
| | image | photo | Photo | |
| | audio | voice | Voice | |
| | begin repeat | kids | Kids | |
| | text | kid | Kid | |
| | integer | kid_age | Age | |
| | begin repeat | toys | Toys | |
| | text | toy | Toy | |
| | image | toy_photo | Toy photo | |
| | end repeat | | | |
| | end repeat | | | |
| | select_multiple harm | harm | Harm | |
| | decimal | weight | Weight | |
| choices |
| | list name | name | label |
| | harm | beaten | Beaten |
| | harm | detained | Detained |
| | harm | threatened | Threatened |
| settings |
| | form_id | version |
| | field_kit | 2024010101 |
"""

FIELD_INSTANCE = """<?xml version='1.0' ?>
<field_kit id="field_kit" version="2024010101" xmlns:jr="http://openrosa.org/javarosa"
           xmlns:orx="http://openrosa.org/xforms" xmlns:odk="http://www.opendatakit.org/xforms">
  <start>2024-01-02T10:11:12.345+06:00</start>
  <deviceid>collect:Xy7Qa1</deviceid>
  <name>Dana</name>
  <place>
    <where>43.238949 76.889709 812.0 4.5</where>
    <when>2024-01-02T09:00:00.000+06:00</when>
    <at>09:30:00.000+06:00</at>
  </place>
  <photo>1704165072345.jpg</photo>
  <voice/>
  <kids>
    <kid>Aru</kid>
    <kid_age>7</kid_age>
    <toys><toy>ball</toy><toy_photo>ball.jpg</toy_photo></toys>
    <toys><toy>kite</toy><toy_photo/></toys>
  </kids>
  <kids>
    <kid>Timur</kid>
    <kid_age>x</kid_age>
  </kids>
  <harm>beaten threatened</harm>
  <weight>61.5</weight>
  <meta>
    <instanceID>uuid:new-2</instanceID>
    <deprecatedID>uuid:old-1</deprecatedID>
  </meta>
</field_kit>
"""


@pytest.fixture(scope="module")
def victim():
    return read_xlsform(FORMS / "victim.xlsx")


@pytest.fixture(scope="module")
def field_kit():
    out = io.BytesIO()
    md_table_to_workbook(FIELD_FORM).save(out)
    return read_xlsform(out.getvalue())


def test_it_reads_a_victim_interview_as_collect_submits_it(victim):
    definition, _ = victim
    instance = read_instance(VICTIM_INSTANCE.encode(), definition)
    assert instance.meta.form_id == "victim"
    assert instance.meta.version == "2026.1"
    assert instance.meta.instance_id == "uuid:5e3d1c4a-8a7e-4b4e-9d0e-0c1f2a3b4c5d"
    assert instance.meta.instance_name == "Ахметов 2024-03-05"
    assert instance.meta.deprecated_id == ""
    answers = instance.answers
    assert answers["record_id"] == "V-009001"
    assert answers["full_name"] == "Ахметов Ерлан Серикович"
    assert answers["social_status"] == ["hired_worker", "civil_activist"]
    assert answers["birth_date"] == "1994-07-12"
    assert "age_stated" not in answers and "death_date" not in answers
    assert instance.unknown == [] and instance.attachments == []
    cleaned, problems = clean_answers(definition, answers)
    assert problems == []
    assert cleaned["location_at_interview"] == "prison"


def test_every_field_of_the_exported_xform_is_read(victim):
    """Fill each leaf of the export's primary instance: every one lands on its field."""
    definition, xform = victim
    model = ElementTree.fromstring(xform.encode())
    ns = {"x": "http://www.w3.org/2002/xforms"}
    root = model.find(".//x:instance/*", ns)
    assert root is not None
    filled = 0
    for element in root.iter():
        if len(element) == 0 and not element.tag.endswith("instanceID"):
            element.text = "v"
            filled += 1
    instance = read_instance(ElementTree.tostring(root), definition)
    assert instance.unknown == []
    stored = {f.name for f in definition.fields.values() if f.stores_answer}
    assert set(instance.answers) == stored
    assert filled >= len(stored)


def test_it_reads_groups_repeats_media_geopoints_and_times(field_kit):
    definition, _ = field_kit
    instance = read_instance(FIELD_INSTANCE, definition)
    answers = instance.answers
    assert answers["where"] == "43.238949 76.889709 812.0 4.5"
    assert answers["when"] == "2024-01-02T09:00:00.000+06:00"
    assert answers["at"] == "09:30:00.000+06:00"
    assert answers["start"] == "2024-01-02T10:11:12.345+06:00"
    assert answers["deviceid"] == "collect:Xy7Qa1"
    assert answers["harm"] == ["beaten", "threatened"]
    assert answers["weight"] == 61.5
    assert answers["photo"] == "1704165072345.jpg" and "voice" not in answers
    assert answers["kids"] == [{"kid": "Aru", "kid_age": 7}, {"kid": "Timur", "kid_age": "x"}]
    # both toys were listed under the first kid
    assert answers["toys"] == [
        {"_parent": 1, "toy": "ball", "toy_photo": "ball.jpg"}, {"_parent": 1, "toy": "kite"}
    ]  # fmt: skip
    assert instance.attachments == ["1704165072345.jpg", "ball.jpg"]
    assert instance.meta.deprecated_id == "uuid:old-1"
    assert instance.meta.instance_id == "uuid:new-2"
    _, problems = clean_answers(definition, answers)
    assert [p.field for p in problems] == ["kids[2]/kid_age"]  # kept as sent, named


def test_it_reads_the_openrosa_meta_namespace_and_names_unknown_elements(field_kit):
    definition, _ = field_kit
    xml = """<field_kit xmlns:orx="http://openrosa.org/xforms" id="field_kit">
      <name>A</name><surprise>1</surprise><place><where/><extra>2</extra></place>
      <formhub><uuid>abc</uuid></formhub><__version__>v1</__version__>
      <orx:meta><orx:instanceID>uuid:77</orx:instanceID>
      <orx:deviceID>imei:35</orx:deviceID></orx:meta></field_kit>"""
    instance = read_instance(xml, definition)
    assert instance.meta.instance_id == "uuid:77" and instance.meta.device_id == "imei:35"
    assert instance.meta.version == ""
    assert instance.answers == {"name": "A"}
    assert instance.unknown == ["surprise", "place/extra"]


def test_the_header_of_an_encrypted_submission_is_read_without_a_definition(field_kit):
    xml = """<data id="field_kit" version="3" encrypted="yes"
      xmlns="http://www.opendatakit.org/xforms/encrypted">
      <base64EncryptedKey>AAAA</base64EncryptedKey>
      <meta xmlns="http://openrosa.org/xforms"><instanceID>uuid:e1</instanceID></meta>
      <media><file>a.jpg.enc</file></media>
      <encryptedXmlFile>submission.xml.enc</encryptedXmlFile>
      <base64EncryptedElementSignature>BBBB</base64EncryptedElementSignature></data>"""
    meta = read_header(xml)
    assert (meta.form_id, meta.version, meta.instance_id, meta.encrypted) == (
        "field_kit", "3", "uuid:e1", True,
    )  # fmt: skip
    with pytest.raises(InstanceError, match="encrypted"):
        read_instance(xml, field_kit[0])


@pytest.mark.parametrize(
    ("xml", "reason"),
    [
        ("", "empty"),
        ("<data id='x'><a></data>", "line 1, column"),
        ("<data><a>1</a></data>", "no form id"),
        (
            '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e "x">]><data id="x">&e;</data>',
            "DTD or entities",
        ),
    ],
)
def test_malformed_instances_are_refused_with_a_reason(field_kit, xml, reason):
    with pytest.raises(InstanceError, match=reason):
        read_instance(xml, field_kit[0])
