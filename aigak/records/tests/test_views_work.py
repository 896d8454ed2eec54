"""Drafts with gaps, submitting them, the trash and the print view (records.views_work)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from aigak.accounts.models import AuditAction, AuditEvent
from aigak.records import actions
from aigak.records.models import Record, Status
from aigak.records.tests.sample_forms import make_record, record_url


def test_a_draft_saves_with_required_answers_missing(client, victim, documenter):
    client.force_login(documenter)
    response = client.post("/records/victim/new/", {"status": "draft"})
    assert response.status_code == 302
    record = Record.objects.get()
    assert record.status == Status.DRAFT and "full_name" not in record.answers


def test_a_submitted_record_still_needs_its_required_answers(client, victim, documenter):
    client.force_login(documenter)
    response = client.post("/records/victim/new/", {"status": "submitted"})
    assert response.status_code == 400
    assert not Record.objects.exists()


def test_other_rules_still_hold_for_a_draft(victim, documenter):
    with pytest.raises(actions.RecordInvalid):
        actions.create_record(documenter, victim, {"vital_status": "nonsense"}, status="draft")


def test_submitting_a_draft_with_gaps_is_refused_and_names_them(client, victim, documenter):
    draft = actions.create_record(documenter, victim, {}, status="draft")
    client.force_login(documenter)
    response = client.post(record_url(draft, "status/"), {"status": "submitted"}, follow=True)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert "Full name" in response.content.decode()
    assert response.redirect_chain[-1][0] == record_url(draft, "edit/")


def test_the_edit_form_saves_a_draft_then_submits_it(client, victim, documenter):
    draft = actions.create_record(documenter, victim, {}, status="draft")
    client.force_login(documenter)
    page = client.get(record_url(draft, "edit/")).content.decode()
    assert 'value="draft"' in page and "Save and submit" in page
    gaps = client.post(record_url(draft, "edit/"), {"full_name": "A", "status": "submitted"})
    assert gaps.status_code == 400  # saved as a draft, the missing answer marked
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and draft.answers["full_name"] == "A"
    done = client.post(
        record_url(draft, "edit/"),
        {"full_name": "A", "vital_status": "alive", "status": "submitted"},
    )
    assert done.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED


def test_the_trash_lists_deleted_records_and_restores_them(client, victim, coordinator):
    record = make_record(coordinator, victim)
    actions.delete_record(coordinator, record, "entered twice")
    client.force_login(coordinator)
    page = client.get("/trash/").content.decode()
    assert record.record_id in page and "entered twice" in page
    response = client.post(record_url(record, "undelete/"))
    assert response.status_code == 302 and response["Location"] == record_url(record)
    record.refresh_from_db()
    assert record.deleted_at is None
    assert AuditEvent.objects.filter(action=AuditAction.RESTORE, object_id=str(record.pk)).exists()
    assert client.post(record_url(record, "undelete/")).status_code == 404  # live already


def test_the_print_view_shows_the_answers_and_is_audited(client, victim, coordinator):
    record = make_record(coordinator, victim, source_contact="+7 701 000")
    client.force_login(coordinator)
    page = client.get(record_url(record, "print/")).content.decode()
    assert "Асель Нурланова" in page and "+7 701 000" in page and "data-print" in page
    assert AuditEvent.objects.filter(metadata__page="print").exists()


def test_a_new_record_opens_with_the_entry_date_and_documenter(client, questionnaires, coordinator):
    client.force_login(coordinator)
    page = client.get("/records/victim/new/").content.decode()
    today = timezone.localdate().isoformat()
    assert f'name="entry_date" value="{today}"' in page or f'value="{today}"' in page
    assert 'value="coordinator"' in page


def test_a_documenter_is_the_documenter_of_what_they_save(client, questionnaires, documenter):
    client.force_login(documenter)
    response = client.post("/records/victim/new/", {"status": "draft", "full_name": "A"})
    assert response.status_code == 302
    record = Record.objects.get()
    assert record.answers["documenter"] == "documenter"
