"""`aigak publish` and `aigak unpublish`: exit codes, reasons, audit rows."""

from __future__ import annotations

import pytest

from aigak.accounts.models import AuditAction, AuditEvent
from aigak.cli import main
from aigak.publishing.models import Publication
from aigak.publishing.tests.people import make_people


@pytest.fixture
def people(questionnaires):
    return make_people()


def test_it_publishes_the_eligible_and_names_each_refused_with_its_reason(people, capsys):
    code = main(["publish", "victim", "V-000101", "V-000103", "V-000104", "V-009999"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "V-000101: published" in out
    assert "V-000103: refused: no consent to publish the name" in err
    assert "V-000104: refused: the record is not verified (status submitted)" in err
    assert "V-009999: refused: no such record" in err
    assert list(Publication.objects.values_list("record__record_id", flat=True)) == ["V-000101"]


def test_it_exits_0_when_every_record_is_published(people, capsys):
    assert main(["publish", "victim", "V-000101", "V-000102", "--summary", "Died 6 Jan"]) == 0
    assert set(Publication.objects.values_list("summary", flat=True)) == {"Died 6 Jan"}


def test_it_unpublishes_at_once_and_refuses_what_is_not_published(people, capsys):
    main(["publish", "victim", "V-000101"])
    code = main(["unpublish", "victim", "V-000101", "V-000102"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "V-000101: unpublished" in out
    assert "V-000102: refused: not published" in err
    assert not Publication.objects.get(record__record_id="V-000101").is_active
    assert main(["unpublish", "victim", "V-000101"]) == 1  # already withdrawn


def test_republishing_keeps_the_public_identifier(people):
    main(["publish", "victim", "V-000101"])
    first = Publication.objects.get().public_id
    main(["unpublish", "victim", "V-000101"])
    main(["publish", "victim", "V-000101"])
    assert Publication.objects.get().public_id == first
    assert len(first) == 12


def test_it_audits_publish_and_unpublish(people, coordinator):
    main(["publish", "victim", "V-000101", "--user", coordinator.username])
    main(["unpublish", "victim", "V-000101"])
    rows = AuditEvent.objects.filter(action=AuditAction.PUBLISH).order_by("id")
    assert [(r.metadata["change"], r.actor_id) for r in rows] == [
        ("publish", coordinator.pk),
        ("unpublish", None),
    ]
    record = people["V-000101"]
    assert {(r.object_type, r.object_id) for r in rows} == {("record", str(record.pk))}


def test_it_refuses_an_unknown_questionnaire_and_user(people, capsys):
    assert main(["publish", "nothing", "V-000101"]) == 1
    assert main(["publish", "victim", "V-000101", "--user", "nobody"]) == 1
    assert "no such active user" in capsys.readouterr().err


def test_a_documenter_may_not_publish_from_the_command_line(people, documenter, capsys):
    assert main(["publish", "victim", "V-000101", "--user", documenter.username]) == 1
    assert "you may not do publish records" in capsys.readouterr().err
    assert not Publication.objects.exists()
