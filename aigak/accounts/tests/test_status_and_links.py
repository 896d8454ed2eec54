"""Who changes a record's status and who links evidence to it, through the actions.

Personas: admin, coordinator, lawyer, member (documenter of the owner's team), owner (the
documenter who wrote the record), outsider (a documenter of no team), viewer.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from aigak.accounts.models import Role, Team, User
from aigak.evidence import actions as evidence_actions
from aigak.evidence.models import Evidence, EvidenceRecord
from aigak.records import actions
from aigak.records.models import Record
from aigak.records.tests.sample_forms import install_sample_victim_form, make_record

ROLES = {
    "admin": Role.ADMIN,
    "coordinator": Role.COORDINATOR,
    "lawyer": Role.LAWYER,
    "member": Role.DOCUMENTER,
    "owner": Role.DOCUMENTER,
    "outsider": Role.DOCUMENTER,
    "viewer": Role.VIEWER,
}


@pytest.fixture
def people(db):
    team = Team.objects.create(name="Almaty documenters")
    return {
        name: User.objects.create_user(
            username=name, role=role, team=team if name in ("member", "owner") else None
        )
        for name, role in ROLES.items()
    }


@pytest.fixture
def record(people) -> Record:
    return make_record(people["owner"], install_sample_victim_form())


# fmt: off
STATUS = [
    # persona        from         to           allowed
    ("admin",       "submitted", "verified",  True),
    ("coordinator", "verified",  "submitted", True),
    ("coordinator", "submitted", "draft",     True),
    ("lawyer",      "submitted", "draft",     False),
    ("lawyer",      "draft",     "submitted", False),
    ("lawyer",      "submitted", "verified",  False),
    ("owner",       "draft",     "submitted", True),
    ("owner",       "submitted", "draft",     True),
    ("owner",       "submitted", "verified",  False),
    ("owner",       "verified",  "draft",     False),
    ("member",      "draft",     "submitted", False),
    ("outsider",    "draft",     "submitted", False),
    ("viewer",      "draft",     "submitted", False),
]
# fmt: on


@pytest.mark.parametrize("persona, before, after, allowed", STATUS)
def test_it_lets_only_the_right_people_change_a_status(people, record, persona, before, after,
                                                       allowed):  # fmt: skip
    Record.objects.filter(pk=record.pk).update(status=before)
    record.refresh_from_db()
    try:
        actions.set_status(people[persona], record, after)
    except PermissionDenied:
        assert not allowed
    else:
        assert allowed
    record.refresh_from_db()
    assert record.status == (after if allowed else before)


def test_it_refuses_a_lawyer_status_change_through_the_page(client, people, record):
    client.force_login(people["lawyer"])
    response = client.post(f"/records/victim/{record.record_id}/status/", {"status": "draft"})
    assert response.status_code == 403
    record.refresh_from_db()
    assert record.status == "submitted"


# fmt: off
LINKS = [
    # persona        record status  may link
    ("admin",       "verified",    True),
    ("coordinator", "submitted",   True),
    ("lawyer",      "verified",    True),   # legal papers belong to every record
    ("owner",       "submitted",   True),
    ("owner",       "verified",    False),  # a verified record is frozen for its author
    ("member",      "submitted",   False),  # sees the teammate's record, does not edit it
    ("outsider",    "submitted",   False),
    ("viewer",      "submitted",   False),
]
# fmt: on


@pytest.mark.parametrize("persona, status, allowed", LINKS)
def test_it_lets_only_the_right_people_link_evidence(people, record, persona, status, allowed):
    Record.objects.filter(pk=record.pk).update(status=status)
    record.refresh_from_db()
    evidence = Evidence.objects.create(
        sha256="a" * 64, size=1, content_type="text/plain", uploaded_by=people["admin"]
    )
    try:
        evidence_actions.link(people[persona], evidence, record)
    except PermissionDenied:
        assert not allowed
    else:
        assert allowed
    assert EvidenceRecord.objects.filter(evidence=evidence, record=record).exists() == allowed
