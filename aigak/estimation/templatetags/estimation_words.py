"""`{{ model|described }}` and `{{ reason|why_not }}`: the engine's description of a model
and its reason for giving no estimate (`aigak.estimation.texts`, English for the command
and the JSON) in the page reader's language. Formulas and terms stay code, in the lists'
names of the capture histories (the database's is `database`, as in the downloaded file);
a text the page does not know is shown as it is."""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from aigak.estimation import texts

register = template.Library()

# An engine's description and its sentence, with the parts that stay code.
DESCRIPTIONS: dict[str, tuple[str, dict[str, str]]] = {
    texts.INDEPENDENCE: (gettext_noop("main effects only (lists independent)"), {}),
    texts.MT: (gettext_noop("a capture probability per list, no heterogeneity (as independence)"), {}),
    texts.MTH_CHAO: (gettext_noop("%(mt)s plus Chao's lower-bound heterogeneity columns %(columns)s"),
                     {"mt": "Mt", "columns": "max(f - j + 1, 0), j >= 3"}),
    texts.MTH_POISSON2: (gettext_noop("%(mt)s plus heterogeneity %(term)s (%(f)s: lists recording)"),
                         {"mt": "Mt", "term": "2^f - 1", "f": "f"}),
    texts.MTH_DARROCH: (gettext_noop("%(mt)s plus heterogeneity %(term)s (%(f)s: lists recording)"),
                        {"mt": "Mt", "term": "f^2/2", "f": "f"}),
    texts.LCMCR: (gettext_noop(
        "Bayesian non-parametric latent-class model (Manrique-Vallier 2016); posterior median "
        "and 95% credible interval"), {}),
}  # fmt: skip


def _pattern(text: str) -> re.Pattern[str]:
    """A text of the engine with its {fields} as named groups."""
    parts = re.split(r"\{(\w+)[^}]*\}", text)
    return re.compile(
        "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
        + r"\Z"
    )


# An engine's reason and its sentence; the groups named in CODE are shown as code.
REASONS = [
    (_pattern(texts.NOT_IDENTIFIABLE),
     gettext_noop("the model has more parameters than the lists can identify")),
    (_pattern(texts.UNBOUNDED), gettext_noop(
        "the estimate does not exist for this model: the lists overlap too little, so the "
        "number no list recorded is unbounded")),
    (_pattern(texts.INFINITE_TERM), gettext_noop(
        "the estimate does not exist for this model: no one was recorded in the histories that "
        "term %(term)s describes, so it is estimated at infinity")),
    (_pattern(texts.INFINITE), gettext_noop(
        "the estimate does not exist for this model: no one was recorded in the histories that "
        "a term describes, so it is estimated at infinity")),
    (_pattern(texts.NO_MODEL_FITS), gettext_noop("no hierarchical model fits")),
    (_pattern(texts.LCMCR_LISTS), gettext_noop("the latent-class model needs three lists or more")),
    (_pattern(texts.LCMCR_STOPPED), gettext_noop(
        "the sampler was stopped after %(seconds)s s, before it had kept %(draws)s draws per "
        "chain")),
]  # fmt: skip
CODE = {"term"}


def _said(sentence: str, values: dict[str, Any], code: set[str]) -> SafeString:
    """The sentence in the reader's language with the values filled in, those named in
    code as code."""
    translated = escape(_(sentence))
    if not values:
        return translated
    filled = {
        key: format_html("<code>{}</code>", value) if key in code else escape(value)
        for key, value in values.items()
    }
    return mark_safe(translated % filled)  # noqa: S308 - each part escaped above


@register.filter
def described(model: Any) -> str:
    """A model's description: a known one in words, a log-linear model's terms as code."""
    text = str(model.description or "")
    known = DESCRIPTIONS.get(text)
    if known is not None:
        return _said(known[0], known[1], set(known[1]))
    if model.family == "loglinear" and text:
        return mark_safe(  # noqa: S308 - each term escaped by format_html
            ", ".join(format_html("<code>{}</code>", term) for term in text.split(", "))
        )
    return text


@register.filter
def why_not(reason: Any) -> str:
    """Why a model gave no estimate, in words; an unknown reason as it is."""
    text = str(reason or "")
    for pattern, sentence in REASONS:
        found = pattern.match(text)
        if found:
            return _said(sentence, found.groupdict(), CODE)
    return text
