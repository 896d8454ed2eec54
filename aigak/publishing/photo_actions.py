"""Marking and unmarking a person's public photo: the only writes of `PublicPhoto`.

A coordinator (or administrator) marks one image among the evidence linked to a Victims
record, and confirms the consent to publish it: how it was given (`ConsentBasis`) and a
note of who gave it. The record must be publishable (`why_not_eligible`: verified,
`consent_publish_name = yes`) and consent to the use of its information
(`consent_use = yes`, when the questionnaire asks it). The public copy is made then
(`aigak.publishing.photos`); the evidence file is only read.

Each action is atomic, takes the acting user, writes its audit row (action `publish`,
`change` `photo` or `photo_off`) and a custody event on the evidence, in one transaction.
A photo stops being served at once when it is unmarked, when the record is unpublished
or loses eligibility (`unmark_photos`, called by the publication's withdrawal), and when
the evidence is unlinked from the record or deleted (a signal, see apps.py); every one of
these unmarks it and drops the copy, so a record published again shows no photo until one
is marked again with its consent.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from aigak.accounts.models import AuditAction, audit
from aigak.evidence.actions import log_custody
from aigak.evidence.models import CustodyAction, Evidence, EvidenceRecord
from aigak.evidence.storage import store
from aigak.publishing.actions import eligible_public_ids, why_not_eligible
from aigak.publishing.fields import require_publisher
from aigak.publishing.models import ConsentBasis, Publication, PublicPhoto
from aigak.publishing.photos import FORMATS, PhotoRefused, derive
from aigak.questionnaires.definition import pick
from aigak.records.models import Record

USE_CONSENT_FIELD = "consent_use"
UNMARKED = "unmarked"
NOTE_LENGTH = 1000


def why_no_photo(record: Record) -> str:
    """Why no photo of `record` may be published ("" when one may)."""
    reason = why_not_eligible(record)
    if reason:
        return reason
    field = record.questionnaire.definition.fields.get(USE_CONSENT_FIELD)
    consent = record.answers.get(USE_CONSENT_FIELD)
    if field is not None and consent != "yes":
        # In words of the page's language (the question's own labels), not field names.
        lang = get_language() or "en"
        choices = {c.name: pick(c.label, lang) for c in field.choices}
        return _("no consent to use the information: “%(question)s” is %(answer)s") % {
            "question": pick(field.label, lang).rstrip("?:. ") or USE_CONSENT_FIELD,
            "answer": choices.get(str(consent), str(consent)) if consent else _("empty"),
        }
    return ""


def image_choices(record: Record) -> QuerySet[Evidence]:
    """The live images linked to `record` that a photo can be made from."""
    return Evidence.objects.filter(
        links__record=record, deleted_at__isnull=True, content_type__in=list(FORMATS.values())
    ).order_by("uploaded_at", "pk")


def marked_photo(record: Record) -> PublicPhoto | None:
    return (
        PublicPhoto.objects.filter(record=record, unmarked_at__isnull=True)
        .select_related("marked_by", "evidence")
        .first()
    )


@transaction.atomic
def mark_photo(
    actor: Any, record: Record, evidence_pk: int, basis: str, note: str, confirmed: bool
) -> PublicPhoto:
    """Make the public copy of one image linked to `record` and mark it as its photo
    (replacing the one marked before). PhotoRefused says why it cannot be."""
    require_publisher(actor, "mark a public photo")
    record = Record.objects.select_for_update().select_related("questionnaire").get(pk=record.pk)
    reason = why_no_photo(record)
    if reason:
        raise PhotoRefused(_("No photo can be published: %(reason)s.") % {"reason": reason})
    if not confirmed:
        raise PhotoRefused(_("Confirm that consent to publish this photo was given."))
    if basis not in ConsentBasis.values:
        raise PhotoRefused(_("Say how the consent to publish the photo was given."))
    note = note.strip()[:NOTE_LENGTH]
    if not note:
        raise PhotoRefused(_("Write who gave the consent to publish the photo, and when."))
    evidence = Evidence.objects.filter(links__record=record, deleted_at__isnull=True,
                                       pk=evidence_pk).first()  # fmt: skip
    if evidence is None:
        raise PhotoRefused(_("Choose an image linked to this record."))
    if evidence.content_type not in FORMATS.values():
        raise PhotoRefused(_("Only a JPEG, PNG, WebP, GIF, TIFF or BMP image can be published."))
    with store().open(evidence.sha256) as source:
        derived = derive(source)
    unmark_photos(Q(record=record), actor, _("replaced by another photo"))
    by = actor if getattr(actor, "pk", None) else None
    photo = PublicPhoto.objects.create(
        record=record, evidence=evidence, marked_at=timezone.now(), marked_by=by,
        consent_basis=basis, consent_note=note, image=derived.data,
        image_sha256=derived.sha256, width=derived.width, height=derived.height,
    )  # fmt: skip
    audit(actor, AuditAction.PUBLISH, record, change="photo", evidence=evidence.pk,
          photo=photo.pk, photo_sha256=derived.sha256, consent_basis=basis)  # fmt: skip
    log_custody(evidence, CustodyAction.PUBLIC_PHOTO, actor, record=record.pk,
                copy_sha256=derived.sha256, width=derived.width, height=derived.height)  # fmt: skip
    return photo


@transaction.atomic
def unmark_photo(actor: Any, record: Record, reason: str = "") -> int:
    """Stop showing the record's photo now; the number unmarked (0 or 1)."""
    require_publisher(actor, "unmark a public photo")
    return unmark_photos(Q(record=record), actor, reason.strip() or UNMARKED)


def unmark_photos(which: Q, actor: Any, reason: str) -> int:
    """Unmark the marked photos among `which` in the caller's transaction: the copy is
    dropped, the row kept; an audit row and a custody event each."""
    by = actor if getattr(actor, "pk", None) else None
    count = 0
    found = PublicPhoto.objects.select_for_update().filter(which, unmarked_at__isnull=True)
    for photo in found.select_related("record", "evidence"):
        photo.unmarked_at, photo.unmarked_by = timezone.now(), by
        photo.unmarked_reason, photo.image = reason[:200], b""
        photo.save(update_fields=["unmarked_at", "unmarked_by", "unmarked_reason", "image"])
        audit(actor, AuditAction.PUBLISH, photo.record, change="photo_off", photo=photo.pk,
              evidence=photo.evidence_id, reason=reason[:200])  # fmt: skip
        log_custody(photo.evidence, CustodyAction.PUBLIC_PHOTO_OFF, actor, reason=reason[:200],
                    record=photo.record_id, copy_sha256=photo.image_sha256)  # fmt: skip
        count += 1
    return count


def evidence_unlinked(sender: Any, instance: EvidenceRecord, **kwargs: Any) -> None:
    """A link between evidence and a record was removed (an unlink, or the evidence's
    deletion): a photo made from it stops being the record's photo."""
    unmark_photos(
        Q(evidence_id=instance.evidence_id, record_id=instance.record_id),
        None,
        _("the evidence was unlinked from the record or deleted"),
    )


def public_photo(public_id: str) -> PublicPhoto | None:
    """The photo the public may see on this person's page now, checked against the
    database on every call: the publication is active and eligible, the record consents
    to the use of its information, the photo is marked, its evidence live and linked."""
    if not eligible_public_ids([public_id]):
        return None
    record_id = Publication.objects.filter(public_id=public_id).values_list("record_id", flat=True)
    photo = (
        PublicPhoto.objects.filter(
            record_id__in=record_id, unmarked_at__isnull=True, evidence__deleted_at__isnull=True
        )
        .select_related("record__questionnaire")
        .first()
    )
    if photo is None or why_no_photo(photo.record):
        return None
    linked = EvidenceRecord.objects.filter(evidence_id=photo.evidence_id, record_id=photo.record_id)
    return photo if linked.exists() else None
