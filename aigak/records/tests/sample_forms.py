"""A small Victims-like XLSForm for page tests, built with openpyxl.

It uses the contract's field names (record_id, full_name, vital_status,
location_at_interview, social_status, rights_violated) and exercises what the web form
must render: groups, a repeat, relevance, a constraint, a calculation, `*_other`, a
confidential field and a legal-analysis group.
"""

from __future__ import annotations

import io
from functools import lru_cache

import openpyxl
import pytest

SURVEY = [
    ["type", "name", "label::English (en)", "label::Russian (ru)", "label::Kazakh (kk)",
     "hint::English (en)", "required", "relevant", "constraint", "constraint_message::English (en)",
     "calculation", "appearance", "confidential", "legal_analysis"],
    ["begin group", "documentation", "Documentation", "Документирование", "Құжаттау"],
    ["text", "record_id", "Record ID", "Номер анкеты", "Сауалнама нөмірі",
     "Leave empty to assign one"],
    ["date", "entry_date", "Date of the interview", "Дата интервью", "Сұхбат күні"],
    ["select_one source_type", "source_type", "Source", "Источник", "Дереккөз"],
    ["text", "source_type_other", "Other source", "Другой источник", "Басқа дереккөз",
     "", "", "selected(${source_type}, 'other')"],
    ["text", "source_contact", "Contact of the source", "Контакт источника",
     "Дереккөздің байланысы", "", "", "", "", "", "", "", "yes"],
    ["end group"],
    ["begin group", "victim", "The victim", "Пострадавший", "Жәбірленуші"],
    ["text", "full_name", "Full name", "ФИО", "Аты-жөні", "", "yes"],
    ["date", "birth_date", "Date of birth", "Дата рождения", "Туған күні"],
    ["integer", "age_stated", "Age", "Возраст", "Жасы", "", "", "", ". >= 0 and . <= 120",
     "Age must be between 0 and 120"],
    ["calculate", "age_years", "Age on 5 January 2022", "", "", "", "", "", "", "",
     "if(${birth_date} = '', ${age_stated}, int((date('2022-01-05') - date(${birth_date})) div 365.25))"],
    ["select_one gender", "gender", "Gender", "Пол", "Жынысы"],
    ["select_multiple social_status", "social_status", "Social status", "Социальный статус",
     "Әлеуметтік мәртебесі"],
    ["text", "social_status_other", "Other status", "Другой статус", "Басқа мәртебе",
     "", "", "selected(${social_status}, 'other')"],
    ["select_one vital_status", "vital_status", "Alive or deceased", "Жив или погиб",
     "Тірі ме, қаза тапты ма", "", "yes"],
    ["date", "death_date", "Date of death", "Дата смерти", "Қайтыс болған күні", "", "",
     "${vital_status} = 'deceased'"],
    ["select_one location", "location_at_interview", "Where now", "Где сейчас", "Қазір қайда",
     "", "", "${vital_status} = 'alive'"],
    ["text", "narrative", "Account", "Рассказ", "Әңгіме", "", "", "", "", "", "", "multiline"],
    ["end group"],
    ["begin repeat", "sources_list", "Other sources", "Другие источники", "Басқа дереккөздер"],
    ["text", "source_name", "Name of the source", "Имя источника", "Дереккөздің аты"],
    ["select_one source_kind", "source_kind", "Kind", "Вид", "Түрі"],
    ["end repeat"],
    ["begin group", "legal", "Legal analysis", "Правовой анализ", "Құқықтық талдау",
     "", "", "", "", "", "", "", "", "yes"],
    ["select_multiple rights", "rights_violated", "Rights violated", "Нарушенные права",
     "Бұзылған құқықтар"],
    ["text", "legal_comment", "Lawyer's comment", "Комментарий юриста", "Заңгердің пікірі"],
    ["end group"],
]  # fmt: skip

CHOICES = [
    ["list_name", "name", "label::English (en)", "label::Russian (ru)", "label::Kazakh (kk)"],
    ["source_type", "relative", "Relative", "Родственник", "Туысы"],
    ["source_type", "victim", "The victim", "Сам пострадавший", "Жәбірленушінің өзі"],
    ["source_type", "other", "Other", "Другое", "Басқа"],
    ["gender", "female", "Female", "Женский", "Әйел"],
    ["gender", "male", "Male", "Мужской", "Ер"],
    ["social_status", "student", "Student", "Студент", "Студент"],
    ["social_status", "journalist", "Journalist", "Журналист", "Журналист"],
    ["social_status", "other", "Other", "Другое", "Басқа"],
    ["vital_status", "deceased", "Deceased", "Погиб", "Қаза тапты"],
    ["vital_status", "alive", "Alive", "Жив", "Тірі"],
    ["location", "prison", "Prison", "Колония", "Колония"],
    ["location", "at_liberty", "At liberty", "На свободе", "Бостандықта"],
    ["location", "hospital", "Hospital", "Больница", "Аурухана"],
    ["source_kind", "media", "Media", "СМИ", "БАҚ"],
    ["source_kind", "person", "Person", "Человек", "Адам"],
    ["rights", "life", "Right to life", "Право на жизнь", "Өмір сүру құқығы"],
    ["rights", "assembly", "Freedom of assembly", "Свобода собраний", "Жиналыс бостандығы"],
]

SETTINGS = [
    ["form_id", "form_title", "version", "default_language"],
    ["victim", "Victims", "test-1", "English (en)"],
]


@lru_cache(maxsize=1)
def sample_victim_xlsform() -> bytes:
    book = openpyxl.Workbook()
    sheets = {"survey": SURVEY, "choices": CHOICES, "settings": SETTINGS}
    book.active.title = "survey"
    for name, rows in sheets.items():
        sheet = book[name] if name in book.sheetnames else book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@lru_cache(maxsize=1)
def _sample_definition() -> dict:
    from aigak.questionnaires.xlsform import load_xlsform

    return load_xlsform(sample_victim_xlsform()).to_dict()


def install_sample_victim_form():
    """Install the sample as the `victim` questionnaire and return it.

    The XLSForm is checked once per test session (pyxform takes a while); each test
    stores the same definition as install_questionnaire would.
    """
    from aigak.questionnaires.models import Questionnaire, QuestionnaireVersion

    data = sample_victim_xlsform()
    questionnaire = Questionnaire.objects.create(name="victim", title="Victims")
    questionnaire.current = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire,
        version="test-1",
        xlsform=data,
        sha256=QuestionnaireVersion.digest(data),
        definition_json=_sample_definition(),
    )
    questionnaire.save(update_fields=["current"])
    return questionnaire


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Personas log in with force_login; hashing their passwords slowly only costs time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def record_url(record, tail: str = "") -> str:
    """A record's page, or one below it (`tail`, such as "history/")."""
    return f"/records/{record.questionnaire.name}/{record.record_id}/{tail}"


def make_record(author, questionnaire, **answers):
    """A record of the sample form through the create action (answers as a save gets them)."""
    from aigak.records.actions import create_record

    raw = {"full_name": "Асель Нурланова", "vital_status": "alive", **answers}
    return create_record(author, questionnaire, raw)
