"""A coordinator's day of work in Russian on a phone (390 px), in a real Chromium: the
dashboard; a search in Latin letters that finds a name written in Cyrillic; the person's
page; evidence attached by the record's visible id; a draft saved with gaps, then
submitted; a bulk verify; the filtered list exported; an import with one bad row refused
with its row and field; a deleted record restored; the report's table of contents; an
estimate on the deceased only, with its warnings. No page scrolls sideways, and no page
shows a word of English the translation test would not allow."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aigak.accounts.models import Role, User
from aigak.estimation import runs
from aigak.estimation.lcmcr import LcmcrSettings
from aigak.estimation.tests.pagedata import build_linked_lists
from aigak.evidence.actions import attach_small_file
from aigak.records import actions
from aigak.records.models import Record
from aigak.records.search import choice_words, search_texts
from aigak.site.tests.test_phone_browser import OVERFLOW, phone_page
from aigak.site.tests.test_translations import english_words

QUICK = LcmcrSettings(burnin=1_000, samples=500, thinning=4, chains=4, seed=1)
# Latin words of the test's own data: list names, the user, the import file and its bad value
TEST_DATA = {"Activists", "Official", "dana", "people", "nonsense"}
# names of statistics a Russian text keeps: information criteria, degrees of freedom, split R-hat
STATISTICS = {"AIC", "BIC", "df", "R-hat", "split"}
RUN_TIMEOUT = 180_000  # ms: a background run and the page's reloads on a busy machine
ONE_BAD = (
    "record_id,full_name,vital_status\n"
    "V-000201,Асель Нурланова,alive\n"
    "V-000202,Болат Серикович,nonsense\n"
)


def _indexed(records) -> None:
    """The test's records were written straight to the table: give them their search text
    as a save does."""
    for record in records:
        definition = record.questionnaire.definition
        record.search_text, record.search_private = search_texts(
            definition, record.answers, record.record_id
        )
        record.search_choices = choice_words(definition, record.answers)
        record.save(update_fields=["search_text", "search_private", "search_choices"])


# What a closed "details" toggle holds (a model's formula, a raw message) is technical by
# design: the words a reader sees first are what must be Russian.
CLOSED_DETAILS = """() => {
  for (const box of document.querySelectorAll("details:not([open])")) {
    for (const child of [...box.children]) if (child.tagName !== "SUMMARY") child.remove();
  }
}"""


def _fits_and_speaks_russian(page) -> None:
    assert page.evaluate(OVERFLOW) <= 0, f"{page.url} scrolls sideways at 390 px"
    page.evaluate(CLOSED_DETAILS)
    english = english_words(page.content()) - TEST_DATA - STATISTICS
    assert not english, f"{page.url}: {sorted(english)}"


@pytest.mark.browser
def test_a_day_of_work_in_russian_on_a_phone(
    live_server, transactional_db, chromium, monkeypatch, settings, tmp_path
):
    from playwright.sync_api import expect

    settings.EVIDENCE_ROOT = str(tmp_path / "evidence")
    settings.IMPORT_STAGING_DIR = str(tmp_path / "imports")
    monkeypatch.setattr(runs, "RUN_LCMCR", QUICK)
    dana = User.objects.create_user(username="dana", role=Role.COORDINATOR)
    build_linked_lists(dana)
    victims = list(Record.objects.order_by("pk"))
    for record in victims[5:8]:  # survivors, on no list
        record.answers = {**record.answers, "vital_status": "alive"}
        record.save(update_fields=["answers"])
    _indexed(victims)
    notes = attach_small_file(dana, SimpleUploadedFile("notes.txt", b"notes\n"), name="notes.txt")
    page = phone_page(chromium, live_server, dana, "ru")
    base = live_server.url

    # 1. the dashboard
    page.goto(base + "/")
    expect(page.locator('[data-panel="by-status"]')).to_be_visible()
    _fits_and_speaks_russian(page)

    # 2. a search in Latin letters finds the name written in Cyrillic
    page.goto(base + "/records/victim/?q=Kudaibergenov")
    found = page.locator("table tbody tr", has_text="Кудайбергенов")
    expect(found).to_have_count(1)
    _fits_and_speaks_russian(page)

    # 3. the person: the record, then everything about the person (the lists they are on)
    found.locator("a", has_text="V-000001").first.click()
    expect(page).to_have_url(re.compile(r"/records/victim/V-000001/$"))
    page.locator("section.person a").click()
    expect(page.locator("section.person-records")).to_contain_text("V-000001")
    expect(page.locator("section.person-lists")).to_contain_text("Activists")
    _fits_and_speaks_russian(page)

    # 4. evidence attached by the record's visible id, through the picker
    page.goto(f"{base}/evidence/{notes.pk}/")
    picker = page.locator("input[data-record-picker]")
    picker.press_sequentially("Kudaibergenov", delay=30)
    option = page.locator("#record-choices option")
    option.first.wait_for(state="attached")
    assert option.first.get_attribute("value") == "victim/V-000001"
    picker.fill("V-000001")
    page.locator("form[action$='/link'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/evidence/{notes.pk}/$"))
    assert [r.record_id for r in notes.records.all()] == ["V-000001"]
    _fits_and_speaks_russian(page)

    # 5. a draft saved with its required answers missing
    page.goto(base + "/records/victim/new/")
    expect(page.locator("form[data-ready]")).to_have_count(1)
    _fits_and_speaks_russian(page)
    page.click('button[name="status"][value="draft"]')
    expect(page).to_have_url(re.compile(r"/records/victim/V-\d+/$"))
    draft = Record.objects.get(status="draft")

    # 6. submitted: the missing answer is asked for by name, then given
    page.locator("form[action$='/status/']:has(input[value='submitted']) button").click()
    expect(page.locator(".messages li.error")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/edit/$"))
    page.fill('input[name="full_name"]', "Ермеков Нұрлан")
    page.check('input[name="vital_status"][value="deceased"]')
    page.click('button[name="status"][value="submitted"]')
    expect(page.locator("h1 .status-submitted")).to_be_visible()
    draft.refresh_from_db()
    assert draft.status == "submitted"
    _fits_and_speaks_russian(page)

    # 7. a bulk verify of the survivors
    page.goto(base + "/records/victim/?f_vital_status=alive")
    survivors = [r.record_id for r in victims[5:8]]
    for record_id in survivors:
        page.check(f'input[name="ids"][value="{record_id}"]')
    page.click('button[name="action"][value="verify"]')
    expect(page.locator(".messages li")).to_be_visible()
    verified = Record.objects.filter(record_id__in=survivors, status="verified")
    assert verified.count() == 3
    _fits_and_speaks_russian(page)

    # 8. the filtered list exported: exactly the records the list shows
    with page.expect_download() as info:
        page.locator(".exports a", has_text="CSV").click()
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    assert sorted(r["record_id"] for r in csv.DictReader(io.StringIO(text))) == survivors

    # 9. an import with one bad row: nothing imported, the row and the field named
    page.goto(base + "/import/")
    _fits_and_speaks_russian(page)
    page.select_option('select[name="questionnaire"]', "victim")
    page.set_input_files(
        'input[name="file"]',
        {"name": "people.csv", "mimeType": "text/csv", "buffer": ONE_BAD.encode()},
    )
    page.click("form[enctype] button[type=submit]")
    expect(page.locator("[data-preview] tbody tr")).to_have_count(2)
    page.click("form[action$='/import/start/'] button[type=submit]")
    expect(page.locator('[data-import-status="failed"]')).to_be_visible(timeout=RUN_TIMEOUT)
    problem = page.locator("table.import-problems tbody tr")
    expect(problem).to_have_count(1)
    expect(problem).to_contain_text("3")
    expect(problem).to_contain_text("vital_status")
    expect(problem).to_contain_text("нет среди вариантов списка")  # the form's rule, in Russian
    assert not Record.objects.filter(record_id="V-000201").exists()
    _fits_and_speaks_russian(page)

    # 10. a deleted record brought back from the trash
    gone = Record.objects.get(record_id="V-000008")
    actions.delete_record(dana, gone, "внесена дважды")
    page.goto(base + "/trash/")
    row = page.locator('tr[data-record="V-000008"]')
    expect(row).to_contain_text("внесена дважды")
    _fits_and_speaks_russian(page)
    row.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/records/victim/V-000008/$"))
    assert Record.live.filter(record_id="V-000008").exists()

    # 11. the report's table of contents
    page.goto(base + "/reports/qantar2022/")
    contents = page.locator("nav[data-toc]")
    expect(contents.get_by_role("heading", name="Содержание")).to_be_visible()
    contents.locator("a[href='#T05']").click()
    expect(page.locator("section#T05 h2")).to_be_in_viewport()
    assert page.evaluate(OVERFLOW) <= 0

    # 12. an estimate on the deceased records only, with its warnings in words
    page.goto(base + "/estimation/")
    form = page.locator("form.lists-form")
    form.locator("select[name=vital]").select_option("deceased")
    form.get_by_label("Activists").check()
    form.get_by_label("Official").check()
    form.locator("button[name=estimate]").click()
    warnings = page.locator("[data-warnings]")
    expect(warnings).to_contain_text("«Official» только 3 человека")
    # How uncertain depends on the sampler's draws; every wording says "точно" in some form.
    expect(page.locator("[data-uncertainty]")).to_contain_text(
        re.compile("точно", re.IGNORECASE), timeout=RUN_TIMEOUT
    )
    # The table comparing the models: the engine's descriptions in words, formulas as code.
    expect(page.locator('table[data-models] tr[data-model="Mt"]')).to_contain_text(
        "без неоднородности"
    )
    _fits_and_speaks_russian(page)
