"""`{{ note|plain }}`: a note the matching wrote for experts ("using fixed m/u priors"), as a
sentence staff can act on; the page keeps the note itself behind a "details" toggle.
`{{ warning|list_warning }}`: a warning stored with a victim list, in the reader's language."""

from __future__ import annotations

import re

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from aigak.linkage.list_warnings import warning_in_words

register = template.Library()

# A pattern of a note (aigak.linkage.training, review, people, lists) and its sentence.
PLAIN = [
    (r"^too few records to train the model", gettext_noop(
        "The lists are too small for the matching to learn from them; it used its built-in "
        "settings, which work but may miss unusual spellings. Review the suggestions carefully.")),
    (r"^could not estimate u from the data", gettext_noop(
        "The matching could not learn how often different people look alike here; it used its "
        "built-in settings.")),
    (r"^EM on .* did not run|^EM could not train", gettext_noop(
        "The matching could not learn from these lists how reliable each field is; it used its "
        "built-in settings.")),
    (r"^no sure matches to estimate the match rate from", gettext_noop(
        "No pair was certain enough to learn how many entries should match; a standard share "
        "was assumed.")),
    (r"^(?P<n>\d+) entries have no name the model can read", gettext_noop(
        "%(n)s entries have no readable name and were not matched; check them by hand.")),
    (r"^the database has no persons with Victims records", gettext_noop(
        "The database has no Victims records yet, so there was nothing to match.")),
    (r": row 1: no column ", gettext_noop(
        "Some columns the matching uses are missing; they were treated as empty.")),
    (r": row 1: ignoring column ", gettext_noop(
        "Some columns of the file are not used by the matching.")),
    (r": empty; skipped$", gettext_noop("Empty rows of the file were skipped.")),
    (r"of the training pairs are expected to be true matches", gettext_noop(
        "Many candidate pairs in these lists are clear matches, so the matching also learnt "
        "from them how often one person's names or birth date are written differently.")),
]  # fmt: skip


@register.filter
def plain(note: object) -> str:
    """The note in plain words, or the note itself when it is not a known one."""
    text = str(note)
    for pattern, sentence in PLAIN:
        found = re.search(pattern, text)
        if found:
            return _(sentence) % found.groupdict() if "%(" in sentence else _(sentence)
    return text


@register.filter
def list_warning(warning: object) -> str:
    """A victim list's warning (kept in English) in the reader's language."""
    return warning_in_words(str(warning))
