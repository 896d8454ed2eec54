"""Publishing and unpublishing records: the only writes of publication state.

Each is atomic, takes the acting user (None for the command line), and writes its audit
row in the same transaction. A record is eligible when it is a live record of a
questionnaire that asks for consent to publish, verified, and consenting; a later save
that loses any of these withdraws its publication (the `records_saved` hook below), and
the public pages check eligibility again at every read besides.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from aigak.accounts.models import AuditAction, audit
from aigak.publishing.fields import CONSENT_FIELD, require_publisher
from aigak.publishing.models import Publication
from aigak.questionnaires.models import Questionnaire
from aigak.records.models import Record, Status

UNPUBLISHED = "unpublished"


def why_not_eligible(record: Record) -> str:
    """The reason `record` may not be published, or "" when it may."""
    if record.deleted_at is not None:
        return _("the record is deleted")
    if CONSENT_FIELD not in record.questionnaire.definition.fields:
        return _("the questionnaire does not ask %(field)s") % {"field": CONSENT_FIELD}
    if record.status != Status.VERIFIED:
        status = str(Status(record.status).label).lower()
        return _("the record is not verified (status %(status)s)") % {"status": status}
    consent = record.answers.get(CONSENT_FIELD)
    if consent != "yes":
        return _("no consent to publish the name (%(field)s = %(value)s)") % {
            "field": CONSENT_FIELD,
            "value": consent or _("empty"),
        }
    return ""


def active_publications() -> QuerySet[Publication]:
    """Publications that are on public pages now: not withdrawn, record still eligible
    (the same conditions as `eligible`, as a join rather than a subquery)."""
    return Publication.objects.filter(
        withdrawn_at__isnull=True,
        record__deleted_at__isnull=True,
        record__status=Status.VERIFIED,
        **{f"record__answers__{CONSENT_FIELD}": "yes"},
    )


def eligible_public_ids(public_ids: list[str]) -> set[str]:
    """Those of `public_ids` that are on public pages now; by their unique keys, in two
    steps, the conditions checked here (a join lets SQLite read every verified record's
    answers first; PostgreSQL, with statistics a bulk change left behind, picked the
    status index and read every verified record)."""
    found = {
        record_id: public_id
        for record_id, public_id, withdrawn in Publication.objects.filter(
            public_id__in=public_ids
        ).values_list("record_id", "public_id", "withdrawn_at")
        if withdrawn is None
    }
    records = Record.objects.filter(pk__in=list(found)).values_list(
        "pk", "deleted_at", "status", f"answers__{CONSENT_FIELD}"
    )
    return {
        found[pk]
        for pk, deleted, status, consent in records
        if deleted is None and status == Status.VERIFIED and consent == "yes"
    }


@dataclass
class Outcome:
    record_id: str
    done: bool
    reason: str = ""
    public_id: str = ""


def _find(questionnaire: Questionnaire, record_ids: list[str]) -> dict[str, Record]:
    found = Record.objects.filter(questionnaire=questionnaire, record_id__in=record_ids)
    return {r.record_id: r for r in found.select_related("questionnaire")}


@transaction.atomic
def publish(
    actor: Any, questionnaire: Questionnaire, record_ids: list[str], summary: str | None = None
) -> list[Outcome]:
    """Publish the eligible records among `record_ids`; refuse the others with a reason.
    `summary`, when given, replaces the public summary of every one published."""
    require_publisher(actor, "publish records")
    records = _find(questionnaire, record_ids)
    outcomes = []
    for record_id in dict.fromkeys(record_ids):
        record = records.get(record_id)
        reason = _("no such record") if record is None else why_not_eligible(record)
        if record is None or reason:
            outcomes.append(Outcome(record_id, False, reason))
            continue
        outcomes.append(_publish_one(actor, record, summary))
    return outcomes


def _publish_one(actor: Any, record: Record, summary: str | None) -> Outcome:
    publication = Publication.objects.select_for_update().filter(record=record).first()
    now = timezone.now()
    by = actor if getattr(actor, "pk", None) else None
    if publication is None:
        publication = Publication(record=record)
    elif publication.is_active and summary is None:
        return Outcome(record.record_id, True, "already published", publication.public_id)
    publication.published_at = now
    publication.published_by = by
    publication.withdrawn_at = None
    publication.withdrawn_by = None
    publication.withdrawn_reason = ""
    if summary is not None:
        publication.summary = summary.strip()
    publication.save()
    audit(actor, AuditAction.PUBLISH, record, change="publish", public_id=publication.public_id)
    return Outcome(record.record_id, True, "", publication.public_id)


@transaction.atomic
def unpublish(actor: Any, questionnaire: Questionnaire, record_ids: list[str]) -> list[Outcome]:
    """Take the records off the public pages now; refuse those that are not published."""
    require_publisher(actor, "unpublish records")
    records = _find(questionnaire, record_ids)
    outcomes = []
    for record_id in dict.fromkeys(record_ids):
        record = records.get(record_id)
        publication = (
            Publication.objects.select_for_update().filter(record=record).first()
            if record is not None
            else None
        )
        if record is None:
            outcomes.append(Outcome(record_id, False, _("no such record")))
        elif publication is None or not publication.is_active:
            outcomes.append(Outcome(record_id, False, _("not published")))
        else:
            _withdraw(actor, publication, UNPUBLISHED)
            outcomes.append(Outcome(record_id, True, "", publication.public_id))
    return outcomes


def _withdraw(actor: Any, publication: Publication, reason: str) -> None:
    publication.withdrawn_at = timezone.now()
    publication.withdrawn_by = actor if getattr(actor, "pk", None) else None
    publication.withdrawn_reason = reason[:120]
    publication.save(
        update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason", "changed_at"]
    )
    change = "unpublish" if reason == UNPUBLISHED else "withdraw"
    audit(actor, AuditAction.PUBLISH, publication.record, change=change, reason=reason[:120],
          public_id=publication.public_id)  # fmt: skip
    # The photo goes with the publication: publishing again needs its consent again.
    # (Imported here: the photo actions build on this module.)
    from aigak.publishing.photo_actions import unmark_photos

    unmark_photos(Q(record_id=publication.record_id), actor, f"{change}: {reason}")


@transaction.atomic
def set_summary(actor: Any, publication: Publication, summary: str) -> Publication:
    require_publisher(actor, "write the public summary")
    publication.summary = summary.strip()
    publication.save(update_fields=["summary", "published_at", "changed_at"])
    audit(actor, AuditAction.PUBLISH, publication.record, change="summary",
          public_id=publication.public_id)  # fmt: skip
    return publication


# --- the records_saved hook: an edit that loses eligibility withdraws the publication --


def record_saved(record: Record) -> None:
    withdraw_ineligible(Q(record=record))


def records_saved(pks: list[int]) -> None:
    withdraw_ineligible(Q(record_id__in=pks))


def _touch(which: Q) -> None:
    """A published record was saved: its name or shown fields may have changed."""
    Publication.objects.filter(which).update(changed_at=timezone.now())


def withdraw_ineligible(which: Q) -> int:
    """Withdraw the active publications among `which` whose records lost eligibility.
    (Read first: most saved records have no publication, and then this is one query.)"""
    found = list(Publication.objects.filter(which).select_related("record__questionnaire"))
    if not found:
        return 0
    _touch(Q(pk__in=[publication.pk for publication in found]))
    count = 0
    for publication in found:
        if publication.withdrawn_at is not None:
            continue
        reason = why_not_eligible(publication.record)
        if reason:
            _withdraw(None, publication, f"withdrawn: {reason}")
            count += 1
    return count
