"""A Victims XLSForm built from `victim-questionnaire.md`, and rows another program would write.

The tests of import and export use this form rather than the shipped one, so they pin
the importer's behaviour to the contract's field and choice names and nothing else. The
form adds one repeat (`evidence_items`) so repeats go through the round trip too.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import openpyxl

REGIONS = [
    "astana", "almaty", "shymkent", "akmola", "aktobe", "almaty_oblast", "atyrau",
    "east_kazakhstan", "zhambyl", "west_kazakhstan", "karaganda", "kostanay", "kyzylorda",
    "mangystau", "pavlodar", "north_kazakhstan", "turkestan",
]  # fmt: skip

CHOICES: dict[str, list[str]] = {
    "source_type": [
        "relative", "victim", "media_internet", "lawyer_representative",
        "activist_friend_colleague", "court_documents", "other",
    ],
    "gender": ["female", "male"],
    "interview_mode": ["in_person", "phone", "video_call", "publication"],
    "yes_no": ["yes", "no"],
    "ethnicity": [
        "kazakh", "russian", "korean", "kyrgyz", "tatar", "uzbek", "jewish", "turk",
        "uighur", "ukrainian", "other", "unknown", "prefer_not_to_say",
    ],
    "citizenship": ["kz_citizen", "kz_residence_permit", "foreign_citizen", "unknown", "other"],
    "region_residence": [*REGIONS, "other", "unknown"],
    "region": REGIONS,
    "social_status": [
        "hired_worker", "self_employed", "civil_activist", "student", "entrepreneur", "other",
        "unemployed", "law_enforcement", "journalist", "pensioner", "housewife", "blogger",
        "government_employee", "schoolchild", "lawyer", "human_rights_activist",
        "political_activist",
    ],
    "vital_status": ["deceased", "alive"],
    "location_at_interview": [
        "conditional_sentence", "pretrial_detention", "prison", "at_liberty", "hospital",
        "house_arrest", "undertaking_not_to_leave", "bail", "administrative_supervision",
    ],
    "event_locality": [
        "almaty", "taraz", "taldykorgan", "semey", "ust_kamenogorsk", "shymkent", "kyzylorda",
        "aktobe", "astana", "ekibastuz", "uralsk", "atyrau", "kokshetau", "kostanay",
        "pavlodar", "aktau", "zhambyl_district", "bayanaul", "koshmambet", "petropavlovsk",
        "stepnogorsk", "karaganda", "kaskelen", "other",
    ],
    "role": [
        "voluntary_participant", "bystander", "not_at_scene", "unplanned_participant",
        "observer", "on_route", "unknown_home_or_work", "mercenary", "forced_participant",
        "other",
    ],
    "essence": [
        "died", "gunshot", "cold_weapon", "beaten", "special_means", "truncheons",
        "electric_shock", "detained", "missing", "tortured", "psychological_pressure",
        "prosecuted", "exhumed", "other",
    ],
    "group_or_individual": ["individual", "group"],
    "appealed": ["yes", "no", "in_progress", "other"],
    "appeal_subject": [
        "torture", "illegal_detention", "prosecution", "beatings", "abuse_of_authority",
        "psychological_pressure", "illegal_search", "counterintelligence",
        "pretrial_restrictions", "information_denied", "minor_rights", "stop_prosecution",
        "wrongful_conviction", "death_of_victim", "return_of_property", "other",
    ],
    "appeal_body": [
        "ombudsman", "prosecutor", "anticorruption", "police", "ngo_party", "media", "court",
        "judicial_board", "president", "parliament", "special_commission",
        "internal_security", "npm", "akim", "other",
    ],
    "appeal_outcome": ["successful", "unsuccessful", "pending"],
    "intl_instruments": ["iccpr", "cat"],
    "rights_violated": [
        "free_movement", "equality", "fair_trial", "thought_religion", "expression",
        "assembly", "life", "torture_prohibition", "arbitrary_detention", "privacy",
    ],
    "law_codes": ["criminal_code", "administrative_code"],
    "articles": [
        "cc_24", "cc_28", "cc_99", "cc_105", "cc_126", "cc_146", "cc_174", "cc_187", "cc_188",
        "cc_194", "cc_200", "cc_202", "cc_255", "cc_256", "cc_269", "cc_272", "cc_273",
        "cc_274", "cc_287", "cc_288", "cc_289", "cc_291", "cc_293", "cc_296", "cc_361",
        "cc_362", "cc_378", "cc_379", "cc_380", "cc_405", "cc_451", "cao_478", "cao_488",
        "cao_669", "cao_699", "article_unknown", "case_unknown", "not_involved", "no_case",
    ],
    "publication_channels": [
        "youtube", "facebook", "whatsapp", "instagram", "telegram", "tiktok", "vk", "other",
    ],
    "challenges": [
        "safety_threats", "unreliable_info", "refused_info", "low_awareness", "too_personal",
        "none", "other",
    ],
    "evidence_kind": ["photo", "video", "audio", "document"],
}  # fmt: skip

# (name, XLSForm type, choice list); the order of the contract's tables.
FIELDS: list[tuple[str, str, str]] = [
    ("record_id", "text", ""),
    ("entry_date", "date", ""),
    ("documenter", "text", ""),
    ("source_type", "select_one", "source_type"),
    ("source_gender", "select_one", "gender"),
    ("source_relation", "text", ""),
    ("interview_mode", "select_one", "interview_mode"),
    ("consent_use", "select_one", "yes_no"),
    ("consent_publish_name", "select_one", "yes_no"),
    ("full_name", "text", ""),
    ("birth_date", "date", ""),
    ("age_stated", "integer", ""),
    ("gender", "select_one", "gender"),
    ("ethnicity", "select_one", "ethnicity"),
    ("citizenship", "select_one", "citizenship"),
    ("citizenship_country", "text", ""),
    ("region_residence", "select_one", "region_residence"),
    ("social_status", "select_multiple", "social_status"),
    ("vital_status", "select_one", "vital_status"),
    ("death_date", "date", ""),
    ("location_at_interview", "select_one", "location_at_interview"),
    ("location_comment", "text", ""),
    ("facility_region", "select_one", "region"),
    ("facility_name", "text", ""),
    ("event_region", "select_one", "region"),
    ("event_locality", "select_one", "event_locality"),
    ("role", "select_one", "role"),
    ("essence", "select_multiple", "essence"),
    ("violation_start", "date", ""),
    ("violation_end", "date", ""),
    ("group_or_individual", "select_one", "group_or_individual"),
    ("narrative", "text", ""),
    ("appealed", "select_one", "appealed"),
    ("appeal_subject", "select_multiple", "appeal_subject"),
    ("appeal_body", "select_multiple", "appeal_body"),
    ("appeal_outcome", "select_one", "appeal_outcome"),
    ("appeal_result", "text", ""),
    ("intl_instruments", "select_multiple", "intl_instruments"),
    ("rights_violated", "select_multiple", "rights_violated"),
    ("law_codes", "select_multiple", "law_codes"),
    ("articles", "select_multiple", "articles"),
    ("published", "select_one", "yes_no"),
    ("publication_channels", "select_multiple", "publication_channels"),
    ("publication_media", "text", ""),
    ("challenges", "select_multiple", "challenges"),
]
WITH_OTHER = [name for name, _, lst in FIELDS if lst and "other" in CHOICES[lst]]
RELEVANT = {
    "death_date": "${vital_status} = 'deceased'",
    "location_at_interview": "${vital_status} = 'alive'",
}
CONSTRAINTS = {"age_stated": (". >= 0 and . <= 120", "An age from 0 to 120")}


def column_names() -> list[str]:
    """The CSV columns of the form, in form order (the `_other` texts after their select)."""
    names: list[str] = []
    for name, _, _ in FIELDS:
        names.append(name)
        if name in WITH_OTHER:
            names.append(f"{name}_other")
    return [*names, "evidence_items"]


def run_cli(capsys: Any, *argv: str) -> tuple[int, str, str]:
    """Run `aigak ARGV...` in this process; (exit code, stdout, stderr)."""
    from aigak.cli import main

    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def build_xlsform(form_id: str = "victim") -> bytes:
    book = openpyxl.Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(
        ["type", "name", "label::English (en)", "label::Russian (ru)", "required", "relevant"]
        + ["constraint", "constraint_message::English (en)"]
    )
    for name, kind, list_name in FIELDS:
        xls_type = f"{kind} {list_name}" if list_name else kind
        constraint, message = CONSTRAINTS.get(name, ("", ""))
        required = "yes" if name in ("record_id", "vital_status") else ""
        label = name.replace("_", " ").capitalize()
        survey.append(
            [xls_type, name, label, label, required, RELEVANT.get(name, ""), constraint, message]
        )
        if name in WITH_OTHER:
            survey.append(
                ["text", f"{name}_other", "Other", "Другое", "", f"selected(${{{name}}}, 'other')"]
            )
    survey.append(["begin repeat", "evidence_items", "Evidence", "Доказательства"])
    survey.append(["select_one evidence_kind", "evidence_kind", "Kind", "Вид"])
    survey.append(["text", "evidence_note", "Note", "Примечание"])
    survey.append(["integer", "evidence_pages", "Pages", "Страницы"])
    survey.append(["end repeat"])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label::English (en)", "label::Russian (ru)"])
    for list_name, names in CHOICES.items():
        for choice in names:
            choices.append([list_name, choice, choice, choice])
    settings = book.create_sheet("settings")
    settings.append(["form_id", "form_title", "version", "default_language"])
    settings.append([form_id, "Victims (test)", "1", "English (en)"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def install(name: str = "victim"):
    """Install the fixture form as questionnaire `name`; returns the Questionnaire."""
    from aigak.questionnaires.registry import install_questionnaire

    return install_questionnaire(name, build_xlsform(name)).questionnaire


# --- rows another program would write ----------------------------------------------

SURNAMES = ["Кудайбергенов", "Ахметова", "O'Neil", "Сейткали", "Иванов", "Nurlanuly", "Ким"]
GIVEN = ["Ерлан", "Айгуль", "Нурсултан", "Dana", "Сергей", "Әлия", "Qairat"]
TRICKY = [
    'Сказал: "стреляли без предупреждения", потом ушёл',
    "Задержан 5 января,\nизбит в ИВС;\r\nотпущен 12-го",
    "Quote ' and \" and , and ; in one",
    "  leading and trailing spaces  ",
    "Кавычки «ёлочки», запятые, и переносы\nстрок",
    "Ұлы Дала, Қазақстан — әріптер ә ғ қ ң ө ұ ү һ і",
    "=SUM(A1:A2) is text, not a formula",
    "0012345",
]


def _date(rng: random.Random, start: str, end: str) -> str:
    import datetime as dt

    a, b = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    return (a + dt.timedelta(days=rng.randint(0, (b - a).days))).isoformat()


# Dates in an order a real record keeps: violations start on 4-11 January and end after
# they start; death and interview come later.
DATE_RANGES = {
    "birth_date": ("1940-01-01", "2006-12-31"),
    "violation_start": ("2022-01-04", "2022-01-11"),
    "violation_end": ("2022-01-12", "2022-03-31"),
    "death_date": ("2022-01-12", "2022-03-31"),
    "entry_date": ("2022-04-01", "2023-12-31"),
}


def _pick_many(rng: random.Random, names: list[str]) -> str:
    chosen = set(rng.sample(names, rng.randint(1, min(4, len(names)))))
    return " ".join(n for n in names if n in chosen)  # the questionnaire's order


def random_row(rng: random.Random, number: int, empty: float = 0.25) -> dict[str, str]:
    """One valid Victims row as text cells; about `empty` of the optional cells are empty."""
    row: dict[str, str] = {}
    for name, kind, list_name in FIELDS:
        if name == "record_id":
            row[name] = f"V-{number:06d}"
            continue
        if name != "vital_status" and rng.random() < empty:
            row[name] = ""
            continue
        if kind == "select_one":
            row[name] = rng.choice(CHOICES[list_name])
        elif kind == "select_multiple":
            row[name] = _pick_many(rng, CHOICES[list_name])
        elif kind == "integer":
            row[name] = str(rng.randint(0, 90))
        elif kind == "date":
            row[name] = _date(rng, *DATE_RANGES[name])
        elif name == "full_name":
            row[name] = f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}"
        else:
            row[name] = rng.choice(TRICKY) if rng.random() < 0.5 else f"текст {number}"
        if name in WITH_OTHER:
            chosen = row[name].split()
            row[f"{name}_other"] = "другое, уточнение" if "other" in chosen else ""
    for name in WITH_OTHER:
        row.setdefault(f"{name}_other", "")
    row["evidence_items"] = ""
    return row


def write_csv(path: Path, rows: Iterable[dict[str, str]], *, encoding: str = "utf-8") -> None:
    """Write rows as a spreadsheet program would: every cell quoted, CRLF line ends."""
    columns = [c for c in column_names() if c != "evidence_items"]
    with open(path, "w", newline="", encoding=encoding) as handle:
        writer = csv.DictWriter(
            handle, fieldnames=columns, quoting=csv.QUOTE_ALL, extrasaction="ignore"
        )
        writer.writeheader()
        writer.writerows(rows)


def read_csv(path: Path) -> list[dict[str, Any]]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))
