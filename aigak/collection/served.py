"""Which forms a user may collect with, and the files a device downloads for each: the
XForm (the project's own export, pyxform's output for the form's current version) and
its media."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from xml.sax.saxutils import quoteattr

from django.db.models import Q

from aigak.accounts import permissions as perms
from aigak.accounts.models import User
from aigak.collection.models import CollectionAccess, FormMedia
from aigak.questionnaires.models import Questionnaire, QuestionnaireVersion
from aigak.questionnaires.registry import OPEN_TO_PUBLIC, ensure_shipped
from aigak.questionnaires.xlsform import to_xform

# The start tag of the primary instance's root: `<data id="..." version="...">`.
_ROOT = re.compile(r"(<instance>\s*<)([A-Za-z_][\w.-]*)([^>]*)>")
_ATTRIBUTE = r'\s{name}="[^"]*"'


def collectable_forms(user: User) -> list[Questionnaire]:
    """The questionnaires a user may collect with: the ones a coordinator chose for them,
    else every one they may create records in except the forms open to the public (those
    are filled on the public intake page; a coordinator may still choose one)."""
    if not perms.can_create_records(user):
        return []
    ensure_shipped()
    forms = Questionnaire.objects.filter(current__isnull=False).select_related("current")
    access = CollectionAccess.objects.filter(user=user).first()
    if access is not None and not access.all_forms:
        return list(forms.filter(pk__in=access.forms.values("pk")).order_by("name"))
    # Open to the public: a coordinator's choice on the publishing page (its row), else the
    # shipped default.
    public = Q(public_form__public=True) | Q(name__in=OPEN_TO_PUBLIC, public_form__isnull=True)
    return list(forms.exclude(public).order_by("name"))


def collectable_form(user: User, name: str) -> Questionnaire | None:
    return next((q for q in collectable_forms(user) if q.name == name), None)


def xform_bytes(questionnaire: Questionnaire) -> bytes:
    version = questionnaire.current
    assert version is not None
    return _xform(version.pk, version.sha256, questionnaire.name)


@lru_cache(maxsize=32)
def _xform(pk: int, sha256: str, name: str) -> bytes:
    """The XForm with the questionnaire's name as its form id, so that what a device
    sends back names the questionnaire (a form installed under another name keeps its
    own `form_id` in the XLSForm). Versions never change: (pk, hash) is a safe key."""
    version = QuestionnaireVersion.objects.get(pk=pk)
    xml = to_xform(bytes(version.xlsform))
    definition_version = version.definition.version

    def root(match: re.Match[str]) -> str:
        attributes = match.group(3)
        for attribute, value in (("id", name), ("version", definition_version)):
            pattern = _ATTRIBUTE.format(name=attribute)
            attributes = re.sub(pattern, "", attributes)
            attributes += f" {attribute}={quoteattr(value)}"
        return f"{match.group(1)}{match.group(2)}{attributes}>"

    return _ROOT.sub(root, xml, count=1).encode("utf-8")


def md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def media_files(questionnaire: Questionnaire) -> list[FormMedia]:
    return list(FormMedia.objects.filter(questionnaire=questionnaire).defer("data"))
