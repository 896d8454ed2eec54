"""What coordinators do for field collection: choose a user's forms, issue and revoke
their collection tokens, give forms their media files, take a submission kept for review
again. Each is atomic, checks the actor and writes its audit row."""

from __future__ import annotations

import hashlib
import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from aigak.accounts import permissions as perms
from aigak.accounts.models import ApiToken, AuditAction, User, audit
from aigak.accounts.tokens import issue_token
from aigak.collection.models import CollectionAccess, FormMedia, Submission, SubmissionState
from aigak.collection.receiving import make_record
from aigak.questionnaires.models import Questionnaire

MAX_MEDIA = 20 * 1024 * 1024
# A media file's name as a form names it (jr://images/NAME): no folders, no `..`.
MEDIA_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,199}")


class CollectionRefused(ValueError):
    """Bad input from a coordinator's page; nothing was changed."""


@transaction.atomic
def set_forms(actor: User, user: User, *, all_forms: bool, forms: list[Questionnaire]) -> None:
    perms.require(perms.can_manage_collection(actor), "choose collection forms")
    access, _ = CollectionAccess.objects.get_or_create(user=user)
    access.all_forms, access.updated_by = all_forms, actor
    access.save()
    access.forms.set([] if all_forms else forms)
    audit(
        actor,
        AuditAction.UPDATE,
        access,
        user=user.username,
        forms="all" if all_forms else sorted(q.name for q in forms),
    )


def issue_collection_token(actor: User, user: User) -> str:
    """A new token for the user's phone (shown once, as a QR code)."""
    perms.require(perms.can_manage_collection(actor), "issue collection tokens")
    if not perms.can_create_records(user):
        raise CollectionRefused(
            gettext("%(user)s may not create records") % {"user": user.username}
        )
    return issue_token(user, actor=actor)


@transaction.atomic
def revoke_tokens(actor: User, user: User, pk: int | None = None) -> int:
    """Revoke one token of the user (pk) or all of them; the phones lose access at once."""
    perms.require(perms.can_manage_collection(actor), "revoke collection tokens")
    tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    if pk is not None:
        tokens = tokens.filter(pk=pk)
    prefixes = list(tokens.values_list("prefix", flat=True))
    count = tokens.update(revoked_at=timezone.now())
    audit(actor, AuditAction.TOKEN, user, revoked=prefixes)
    return count


@transaction.atomic
def add_media(actor: User, questionnaire: Questionnaire, filename: str, data: bytes) -> FormMedia:
    perms.require(perms.can_manage_forms(actor), "add form media")
    if not MEDIA_NAME.fullmatch(filename) or ".." in filename:
        raise CollectionRefused(
            gettext("%(file)s: a media file's name is letters, digits and _ . - (no folders)")
            % {"file": repr(filename)}
        )
    if len(data) > MAX_MEDIA:
        raise CollectionRefused(
            gettext("%(file)s: larger than %(mb)s MB")
            % {"file": filename, "mb": MAX_MEDIA // 1024 // 1024}
        )
    media, _ = FormMedia.objects.update_or_create(
        questionnaire=questionnaire,
        filename=filename,
        defaults={
            "data": data,
            "md5": hashlib.md5(data, usedforsecurity=False).hexdigest(),
            "uploaded_by": actor,
        },
    )
    audit(actor, AuditAction.UPLOAD, media, form=questionnaire.name, filename=filename)
    return media


@transaction.atomic
def remove_media(actor: User, media: FormMedia) -> None:
    perms.require(perms.can_manage_forms(actor), "remove form media")
    audit(actor, AuditAction.DELETE, media, filename=media.filename)
    media.delete()


@transaction.atomic
def try_again(actor: User, submission: Submission) -> Submission:
    """Read a submission kept for review again (after the form or the record changed)."""
    perms.require(perms.can_manage_collection(actor), "review submissions")
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.state != SubmissionState.REVIEW:
        raise CollectionRefused(gettext("only a submission that needs review can be tried again"))
    make_record(submission)
    audit(actor, AuditAction.UPDATE, submission, state=submission.state)
    return submission
