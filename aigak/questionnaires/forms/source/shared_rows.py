"""Survey rows the three shipped forms share.

A row is a dict of XLSForm columns; ``label``, ``hint`` and ``constraint_message`` are
``(English, Russian, Kazakh)``. Each function gives one question (or one block) the way
every form asks it; its parameters are what the forms really vary (the record id prefix,
a hint, a label), and ``**columns`` adds a form's own columns to a row. The names of the
Documentation rows are fixed by the Victims contract (``victim-questionnaire.md``); the
Torture and Event forms keep them so that the three kinds of record read alike. The forms
call these as ``shared_rows.<question>()``, so that what a form asks in its own way stands
out from what it asks like the others.
"""

from .shared_lists import REGION_HINT, Row, with_other

Text = tuple[str, str, str]

NOT_IN_FUTURE: Row = {
    "constraint": ". <= today()",
    "constraint_message": (
        "The date cannot be in the future.",
        "Дата не может быть в будущем.",
        "Күн болашақта болмауы керек.",
    ),
}
SEVERAL_ANSWERS: Text = (
    "Several answers are possible.",
    "Возможно несколько ответов.",
    "Бірнеше жауап белгілеуге болады.",
)


def not_before(start: str) -> Row:
    """The constraint columns of an end date that may not come before the field ``start``."""
    return {
        "constraint": f". >= ${{{start}}}",
        "constraint_message": (
            "The end cannot be before the start.",
            "Окончание не может быть раньше начала.",
            "Аяқталу күні басталу күнінен бұрын болмауы керек.",
        ),
    }


def yes_no_unknown(name: str, en: str, ru: str, kk: str, **columns: object) -> Row:
    """A yes / no / unknown question labelled ``(en, ru, kk)``."""
    return {"type": "select_one yes_no_unknown", "name": name, "label": (en, ru, kk), **columns}


def documentation_group(record_prefix: str, *rows: Row) -> list[Row]:
    """The Documentation group: record id, entry date and documenter, then ``rows``.

    ``record_prefix`` is the letter of the form's record ids (``V`` gives V-000123).
    """
    example = f"{record_prefix}-000123"
    return [
        {
            "type": "begin group",
            "name": "documentation",
            "label": ("Documentation", "Документирование", "Құжаттау"),
        },
        {
            "type": "text",
            "name": "record_id",
            "label": ("Record ID", "Идентификатор анкеты", "Сауалнама идентификаторы"),
            "hint": (
                f"A stable, unique identifier, e.g. {example}.",
                f"Постоянный уникальный идентификатор, например {example}.",
                f"Тұрақты бірегей идентификатор, мысалы {example}.",
            ),
            "required": "yes",
        },
        {
            "type": "date",
            "name": "entry_date",
            "label": (
                "Date the questionnaire was filled in",
                "Дата заполнения анкеты",
                "Сауалнаманың толтырылған күні",
            ),
            **NOT_IN_FUTURE,
        },
        {
            "type": "text",
            "name": "documenter",
            "label": (
                "Documenter (who filled in the questionnaire)",
                "Документатор (кто заполнил анкету)",
                "Құжаттаушы (сауалнаманы кім толтырды)",
            ),
            "confidential": "yes",
        },
        *rows,
        {"type": "end group"},
    ]


def source_type() -> list[Row]:
    """Where the information came from, with its ``source_type_other`` text field."""
    return with_other(
        {
            "type": "select_one source_type",
            "name": "source_type",
            "label": ("Source of information", "Источник информации", "Ақпарат көзі"),
        }
    )


def source_name(**columns: object) -> Row:
    return {
        "type": "text",
        "name": "source_name",
        "label": ("Name of the source", "Имя источника", "Ақпарат көзінің аты-жөні"),
        "confidential": "yes",
        **columns,
    }


def source_contact(**columns: object) -> Row:
    return {
        "type": "text",
        "name": "source_contact",
        "label": (
            "Contact details of the source",
            "Контакты источника",
            "Ақпарат көзінің байланыс деректері",
        ),
        "confidential": "yes",
        **columns,
    }


def interview_mode() -> Row:
    return {
        "type": "select_one interview_mode",
        "name": "interview_mode",
        "label": (
            "How the information was obtained",
            "Как получена информация",
            "Ақпарат қалай алынды",
        ),
    }


def consent(publish_name_en: str, publish_name_ru: str, publish_name_kk: str) -> list[Row]:
    """Consent to use the information, and consent to publish the name (labelled as given)."""
    return [
        {
            "type": "select_one yes_no",
            "name": "consent_use",
            "label": (
                "Informed consent to use the information",
                "Информированное согласие на использование информации",
                "Ақпаратты пайдалануға ақпараттандырылған келісім",
            ),
        },
        {
            "type": "select_one yes_no",
            "name": "consent_publish_name",
            "label": (publish_name_en, publish_name_ru, publish_name_kk),
        },
    ]


def full_name(**columns: object) -> Row:
    return {
        "type": "text",
        "name": "full_name",
        "label": ("Full name", "Фамилия, имя, отчество", "Толық аты-жөні"),
        **columns,
    }


def birth_date() -> Row:
    return {
        "type": "date",
        "name": "birth_date",
        "label": ("Date of birth", "Дата рождения", "Туған күні"),
        **NOT_IN_FUTURE,
    }


def age_stated(**columns: object) -> Row:
    return {
        "type": "integer",
        "name": "age_stated",
        "label": (
            "Approximate age, if the date of birth is unknown",
            "Примерный возраст, если дата рождения неизвестна",
            "Туған күні белгісіз болса, шамамен жасы",
        ),
        "constraint": ". >= 0 and . <= 120",
        "constraint_message": (
            "The age must be between 0 and 120.",
            "Возраст должен быть от 0 до 120.",
            "Жасы 0 мен 120 аралығында болуы керек.",
        ),
        **columns,
    }


def gender() -> Row:
    return {"type": "select_one gender", "name": "gender", "label": ("Gender", "Пол", "Жынысы")}


def region_and_locality(region: str, locality: str) -> list[Row]:
    """The region and the city or locality (with its ``_other`` field) of one place."""
    return [
        {
            "type": "select_one region",
            "name": region,
            "label": ("Region", "Регион", "Өңір"),
            "hint": REGION_HINT,
        },
        *with_other(
            {
                "type": "select_one locality",
                "name": locality,
                "label": (
                    "City or locality",
                    "Город или населённый пункт",
                    "Қала немесе елді мекен",
                ),
            }
        ),
    ]


def narrative(hint: Text) -> Row:
    """The account of what happened, in the words ``hint`` names; confidential."""
    return {
        "type": "text",
        "name": "narrative",
        "label": (
            "Account of what happened",
            "Рассказ о случившемся",
            "Болған оқиғаның баяндамасы",
        ),
        "hint": hint,
        "appearance": "multiline",
        "confidential": "yes",
    }


def documenter_notes() -> Row:
    return {
        "type": "text",
        "name": "documenter_notes",
        "label": ("Documenter's notes", "Заметки документатора", "Құжаттаушының жазбалары"),
        "appearance": "multiline",
        "confidential": "yes",
    }
