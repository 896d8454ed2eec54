"""The Event questionnaire (``event.xlsx``).

One record per event: what happened at one place and time (a rally, a shooting, a raid
on a hospital...), the forces involved, known casualties and the sources that report
it. Drawn from the eyewitness accounts and timelines in "Shoot to kill...", Human Rights
Watch and IPHR/KIBHR. Victims and torture records are linked to events by the
application, not by fields here. Row and choice shapes as in ``victim_form``.
"""

from . import shared_rows
from .shared_lists import (
    LOCALITY,
    OTHER,
    REGION,
    SECURITY_FORCES,
    UNKNOWN,
    YES_NO_UNKNOWN,
    Choice,
    Row,
    with_other,
)
from .shared_rows import NOT_IN_FUTURE, SEVERAL_ANSWERS, not_before, yes_no_unknown

FORM_ID = "event"
FORM_TITLE = "Events"
VERSION = "2026.1"

NOT_NEGATIVE = {
    "constraint": ". >= 0",
    "constraint_message": (
        "The number cannot be negative.",
        "Число не может быть отрицательным.",
        "Сан теріс болмауы керек.",
    ),
}


def _count(name: str, en: str, ru: str, kk: str) -> Row:
    """A count of people; empty when not known."""
    return {
        "type": "integer",
        "name": name,
        "label": (en, ru, kk),
        "hint": (
            "Leave empty if not known; 0 means none.",
            "Оставьте пустым, если неизвестно; 0 означает «ни одного».",
            "Белгісіз болса, бос қалдырыңыз; 0 «ешкім» дегенді білдіреді.",
        ),
        **NOT_NEGATIVE,
    }


SURVEY: list[Row] = [
    {
        "type": "note",
        "name": "event_note",
        "label": (
            "Describe one event: what happened at one place and time. Record every source; "
            "names of eyewitnesses stay confidential.",
            "Опишите одно событие: что произошло в одном месте и в одно время. Укажите все "
            "источники; имена очевидцев остаются конфиденциальными.",
            "Бір оқиғаны сипаттаңыз: бір жерде, бір уақытта не болды. Барлық дереккөздерді "
            "көрсетіңіз; куәгерлердің есімдері құпия сақталады.",
        ),
    },
    *shared_rows.documentation_group("E"),
    {
        "type": "begin group",
        "name": "when_where",
        "label": ("When and where", "Когда и где", "Қашан және қайда"),
    },
    {
        "type": "date",
        "name": "event_date",
        "label": ("Date of the event", "Дата события", "Оқиға күні"),
        **NOT_IN_FUTURE,
    },
    {
        "type": "time",
        "name": "event_time",
        "label": ("Time (approximate)", "Время (примерно)", "Уақыты (шамамен)"),
    },
    {
        "type": "date",
        "name": "event_end_date",
        "label": (
            "End date, if the event lasted several days",
            "Дата окончания, если событие длилось несколько дней",
            "Оқиға бірнеше күнге созылса, аяқталған күні",
        ),
        **not_before("event_date"),
    },
    *shared_rows.region_and_locality("event_region", "event_locality"),
    {
        "type": "text",
        "name": "address",
        "label": ("Address or landmark", "Адрес или ориентир", "Мекенжай немесе бағдар"),
        "hint": (
            "e.g. Republic Square; corner of Satpayev and Furmanov streets",
            "например, площадь Республики; угол улиц Сатпаева и Фурманова",
            "мысалы, Республика алаңы; Сәтбаев және Фурманов көшелерінің қиылысы",
        ),
    },
    {
        "type": "geopoint",
        "name": "coordinates",
        "label": ("Location on the map", "Место на карте", "Картадағы орны"),
    },
    {"type": "end group"},
    {
        "type": "begin group",
        "name": "what_happened",
        "label": ("What happened", "Что произошло", "Не болды"),
    },
    *with_other(
        {
            "type": "select_one event_type",
            "name": "event_type",
            "label": ("Type of event", "Тип события", "Оқиға түрі"),
        }
    ),
    *with_other(
        {
            "type": "select_one target",
            "name": "target",
            "label": (
                "Building or property targeted",
                "Здание или имущество, подвергшееся нападению",
                "Шабуылға ұшыраған ғимарат немесе мүлік",
            ),
            "relevant": "${event_type} = 'attack_on_building' or ${event_type} = 'arson' "
            "or ${event_type} = 'looting'",
        }
    ),
    *with_other(
        {
            "type": "select_multiple forces",
            "name": "forces_involved",
            "label": ("Forces involved", "Задействованные силы", "Қатысқан күштер"),
            "hint": SEVERAL_ANSWERS,
        }
    ),
    *with_other(
        {
            "type": "select_multiple weapons",
            "name": "weapons_used",
            "label": (
                "Weapons and special means used",
                "Применённое оружие и спецсредства",
                "Қолданылған қару мен арнайы құралдар",
            ),
            "hint": SEVERAL_ANSWERS,
        }
    ),
    yes_no_unknown(
        "warning_given",
        "Was a warning given before force or weapons were used?",
        "Было ли предупреждение перед применением силы или оружия?",
        "Күш немесе қару қолданар алдында ескерту жасалды ма?",
    ),
    {
        "type": "integer",
        "name": "participants_estimate",
        "label": (
            "Approximate number of people present",
            "Примерное число присутствовавших",
            "Шамамен қанша адам болды",
        ),
        **NOT_NEGATIVE,
    },
    {"type": "end group"},
    {
        "type": "begin group",
        "name": "casualties",
        "label": ("Known casualties", "Известные жертвы", "Белгілі құрбандар"),
    },
    _count("killed", "Killed", "Погибли", "Қаза тапқандар"),
    _count("wounded", "Wounded", "Ранены", "Жараланғандар"),
    _count("detained", "Detained", "Задержаны", "Ұсталғандар"),
    {"type": "end group"},
    {
        "type": "begin group",
        "name": "account",
        "label": ("Account", "Описание", "Сипаттама"),
    },
    {
        "type": "text",
        "name": "description",
        "label": ("Description of the event", "Описание события", "Оқиғаның сипаттамасы"),
        "appearance": "multiline",
    },
    {
        "type": "text",
        "name": "witness_accounts",
        "label": ("Eyewitness accounts", "Показания очевидцев", "Куәгерлердің айғақтары"),
        "appearance": "multiline",
        "confidential": "yes",
    },
    {
        "type": "text",
        "name": "witness_contacts",
        "label": (
            "Names and contacts of eyewitnesses",
            "Имена и контакты очевидцев",
            "Куәгерлердің аты-жөні мен байланыс деректері",
        ),
        "confidential": "yes",
    },
    {"type": "end group"},
    {
        "type": "begin repeat",
        "name": "sources",
        "label": ("Sources", "Источники", "Дереккөздер"),
    },
    {
        "type": "text",
        "name": "source_url",
        "label": ("Link", "Ссылка", "Сілтеме"),
        "constraint": "regex(., '^https?://')",
        "constraint_message": (
            "The link must start with http:// or https://.",
            "Ссылка должна начинаться с http:// или https://.",
            "Сілтеме http:// немесе https:// деп басталуы керек.",
        ),
    },
    {
        "type": "text",
        "name": "source_title",
        "label": ("Title and outlet", "Заголовок и издание", "Тақырыбы және басылым"),
    },
    {
        "type": "date",
        "name": "source_date",
        "label": ("Date of publication", "Дата публикации", "Жарияланған күні"),
    },
    {"type": "end repeat"},
    shared_rows.documenter_notes(),
]

CHOICES: dict[str, list[Choice]] = {
    "region": REGION,
    "locality": LOCALITY,
    "event_type": [
        (
            "peaceful_rally",
            "Peaceful rally or march",
            "Мирный митинг или шествие",
            "Бейбіт митинг немесе шеру",
        ),
        ("shooting", "Shooting", "Стрельба", "Атыс"),
        ("detention", "Detentions", "Задержания", "Ұстаулар"),
        ("raid_on_hospital", "Raid on a hospital", "Рейд в больницу", "Ауруханаға рейд"),
        (
            "attack_on_building",
            "Attack on or seizure of a building",
            "Нападение на здание или его захват",
            "Ғимаратқа шабуыл немесе оны басып алу",
        ),
        ("looting", "Looting", "Мародёрство", "Тонау"),
        ("arson", "Arson", "Поджог", "Өртеу"),
        ("checkpoint", "Incident at a checkpoint", "Инцидент на блокпосту", "Бекеттегі оқиға"),
        (
            "dispersal",
            "Dispersal with special means",
            "Разгон с применением спецсредств",
            "Арнайы құралдармен тарату",
        ),
        OTHER,
    ],
    "target": [
        ("akimat", "Akimat", "Акимат", "Әкімдік"),
        ("police_building", "Police building", "Здание полиции", "Полиция ғимараты"),
        ("knb_building", "KNB building", "Здание КНБ", "ҰҚК ғимараты"),
        ("residence", "Presidential residence", "Резиденция Президента", "Президент резиденциясы"),
        ("airport", "Airport", "Аэропорт", "Әуежай"),
        (
            "media_building",
            "TV or radio station",
            "Теле- или радиостанция",
            "Теле- немесе радиостанция",
        ),
        ("prosecutor_office", "Prosecutor's office", "Прокуратура", "Прокуратура"),
        ("gun_shop", "Gun shop", "Оружейный магазин", "Қару-жарақ дүкені"),
        (
            "shop",
            "Shop, bank or business",
            "Магазин, банк или бизнес",
            "Дүкен, банк немесе кәсіпорын",
        ),
        ("vehicle", "Vehicle", "Автомобиль", "Көлік"),
        OTHER,
    ],
    "forces": [
        *SECURITY_FORCES,
        ("csto", "CSTO troops", "Войска ОДКБ", "ҰҚШҰ әскерлері"),
        (
            "plain_clothes_armed",
            "Armed people in plain clothes without insignia",
            "Вооружённые люди в гражданском без знаков различия",
            "Айырым белгісі жоқ, азаматша киінген қарулы адамдар",
        ),
        ("private_security", "Private security", "Частная охрана", "Жеке күзет"),
        UNKNOWN,
        OTHER,
    ],
    "weapons": [
        ("live_ammunition", "Live ammunition", "Боевые патроны", "Жауынгерлік оқ"),
        ("rubber_bullets", "Rubber bullets", "Резиновые пули", "Резеңке оқ"),
        ("stun_grenades", "Stun grenades", "Светошумовые гранаты", "Жарқылды-дыбыстық гранаталар"),
        ("tear_gas", "Tear gas", "Слезоточивый газ", "Көзден жас ағызатын газ"),
        ("water_cannon", "Water cannon", "Водомёт", "Су атқыш"),
        ("batons", "Batons", "Дубинки", "Резеңке таяқтар"),
        ("armoured_vehicles", "Armoured vehicles", "Бронетехника", "Бронетехника"),
        UNKNOWN,
        OTHER,
    ],
    "yes_no_unknown": YES_NO_UNKNOWN,
}
