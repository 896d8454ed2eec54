import pytest
from django.core.exceptions import PermissionDenied

from aigak.accounts.models import AuditEvent
from aigak.questionnaires.registry import install_questionnaire
from aigak.questionnaires.tests.xlsform_factory import mini_form
from aigak.records import actions
from aigak.records.models import Record, RecordVersion
from aigak.records.search import filter_select, search


@pytest.fixture
def mini(db):
    return install_questionnaire("mini", mini_form()).questionnaire


def victim(actor, mini, **raw):
    return actions.create_record(
        actor, mini, {"vital_status": "alive", "full_name": "Айгүл Серікқызы", **raw}
    )


def test_it_creates_a_record_with_a_first_version_and_an_audit_row(documenter, mini):
    record = victim(documenter, mini)
    assert record.record_id == "M-000001"
    assert record.person.display_name == "Айгүл Серікқызы"
    assert list(record.versions.values_list("number", flat=True)) == [1]
    assert (
        AuditEvent.objects.filter(
            action="create", object_type="record", object_id=str(record.pk)
        ).count()
        == 1
    )


def test_every_save_is_a_new_version_and_restore_brings_back_the_old_answers(documenter, mini):
    record = victim(documenter, mini, age_stated=30)
    actions.update_record(documenter, record, {"age_stated": 31})
    actions.restore_version(documenter, record, 1)
    record.refresh_from_db()
    assert record.version == 3
    assert record.answers["age_stated"] == 30
    assert [v.answers["age_stated"] for v in record.versions.order_by("number")] == [30, 31, 30]
    assert record.versions.get(number=3).note == "restored version 1"


def test_an_invalid_edit_changes_nothing(documenter, mini):
    record = victim(documenter, mini, age_stated=30)
    with pytest.raises(actions.RecordInvalid, match="age_stated"):
        actions.update_record(documenter, record, {"age_stated": 500})
    record.refresh_from_db()
    assert record.version == 1 and record.answers["age_stated"] == 30


def test_a_lawyer_changes_only_legal_analysis_fields(documenter, lawyer, mini):
    record = victim(documenter, mini, age_stated=30)
    actions.update_record(lawyer, record, {"rights_violated": "life", "age_stated": 99})
    record.refresh_from_db()
    assert record.answers["rights_violated"] == ["life"]
    assert record.answers["age_stated"] == 30


def test_a_viewer_cannot_create_or_edit(documenter, viewer, mini):
    with pytest.raises(PermissionDenied):
        victim(viewer, mini)
    record = victim(documenter, mini)
    with pytest.raises(PermissionDenied):
        actions.update_record(viewer, record, {"age_stated": 3})


def test_delete_is_soft_needs_a_reason_and_can_be_undone(coordinator, documenter, mini):
    record = victim(documenter, mini)
    with pytest.raises(ValueError, match="reason"):
        actions.delete_record(coordinator, record, "  ")
    with pytest.raises(PermissionDenied):
        actions.delete_record(documenter, record, "duplicate")
    actions.delete_record(coordinator, record, "duplicate of M-000002")
    assert not Record.live.filter(pk=record.pk).exists()
    assert Record.objects.get(pk=record.pk).deleted_reason == "duplicate of M-000002"
    actions.undelete_record(coordinator, record)
    assert Record.live.filter(pk=record.pk).exists()


def test_only_coordinators_verify_and_a_verified_record_is_closed_to_its_documenter(
    coordinator, documenter, mini
):
    record = victim(documenter, mini)
    with pytest.raises(PermissionDenied):
        actions.set_status(documenter, record, "verified")
    actions.set_status(coordinator, record, "verified")
    with pytest.raises(PermissionDenied):
        actions.update_record(documenter, record, {"age_stated": 3})


def test_an_import_with_one_bad_row_writes_nothing(coordinator, mini):
    rows = [
        (2, {"record_id": "M-1", "vital_status": "alive"}),
        (3, {"record_id": "M-2", "vital_status": "zombie"}),
        (4, {"record_id": "M-1", "vital_status": "alive"}),
    ]
    with pytest.raises(actions.ImportFailed) as caught:
        actions.import_rows(coordinator, mini, rows, source="victims.csv")
    text = str(caught.value)
    assert "victims.csv: row 3: field 'vital_status', value 'zombie'" in text
    assert "row 4: field 'record_id', value 'M-1': also on row 2" in text
    assert Record.objects.count() == 0 and RecordVersion.objects.count() == 0


def test_reimporting_a_record_id_makes_a_new_version(coordinator, mini):
    actions.import_rows(coordinator, mini, [(2, {"record_id": "M-1", "vital_status": "alive"})])
    result = actions.import_rows(
        coordinator, mini, [(2, {"record_id": "M-1", "vital_status": "deceased"})]
    )
    assert (result.created, result.updated) == (0, 1)
    record = Record.objects.get(record_id="M-1")
    assert record.version == 2 and record.answers["vital_status"] == "deceased"


def test_search_finds_cyrillic_by_prefix_and_hides_confidential_text(documenter, mini):
    victim(documenter, mini, full_name="Кудайбергенов Ерлан", witness_phone="77010000000")
    victim(documenter, mini, full_name="Иванова Мария")
    live = Record.live.all()
    assert [r.answers["full_name"] for r in search(live, "кудайберг", include_private=False)] == [
        "Кудайбергенов Ерлан"
    ]
    assert search(live, "77010000000", include_private=False).count() == 0
    assert search(live, "77010000000", include_private=True).count() == 1


def test_filters_match_single_and_multiple_choices(documenter, mini):
    victim(documenter, mini, essence="gunshot detained")
    victim(documenter, mini, vital_status="deceased", essence="gunshot")
    live = Record.live.all()
    assert filter_select(live, "vital_status", "deceased", False).count() == 1
    assert filter_select(live, "essence", "gunshot", True).count() == 2
    assert filter_select(live, "essence", "detained", True).count() == 1


def test_filters_follow_edits_restores_and_imports(documenter, coordinator, mini):
    record = victim(documenter, mini, essence="gunshot")
    live = Record.live.all()

    def found(name, value, multiple=False):
        return [r.record_id for r in filter_select(live, name, value, multiple)]

    actions.update_record(documenter, record, {"vital_status": "deceased", "essence": "detained"})
    assert (found("vital_status", "deceased"), found("vital_status", "alive")) == (
        [record.record_id],
        [],
    )
    assert (found("essence", "detained", True), found("essence", "gunshot", True)) == (
        [record.record_id],
        [],
    )
    actions.restore_version(documenter, record, 1)
    assert found("vital_status", "alive") == [record.record_id]
    assert found("essence", "gunshot", True) == [record.record_id]
    rows = [(1, {"record_id": record.record_id, "vital_status": "deceased", "essence": "other",
                 "essence_other": "пропал"}),
            (2, {"record_id": "M-000500", "vital_status": "alive", "essence": "detained other",
                 "essence_other": "задержан"})]  # fmt: skip
    actions.import_rows(coordinator, mini, rows)
    assert found("vital_status", "deceased") == [record.record_id]
    assert sorted(found("essence", "other", True)) == sorted([record.record_id, "M-000500"])
    assert found("essence", "gunshot", True) == []
    assert found("vital_status", "alive") == ["M-000500"]


def test_a_torture_record_links_to_its_victim_and_shares_the_person(coordinator, questionnaires):
    from aigak.questionnaires.registry import get_questionnaire

    victims, torture = get_questionnaire("victim"), get_questionnaire("torture")
    victim_record = actions.create_record(
        coordinator,
        victims,
        {"record_id": "V-000007", "vital_status": "alive", "full_name": "Ерлан Аманов"},
    )
    torture_record = actions.create_record(
        coordinator, torture, {"record_id": "T-000001", "victim_record_id": "V-000007"}
    )
    link = torture_record.links_out.get()
    assert (link.target, link.kind) == (victim_record, "about_victim")
    torture_record.refresh_from_db()
    assert torture_record.person_id == victim_record.person_id
