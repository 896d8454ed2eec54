"""The "Tell us what you know" questionnaire (``tell_us.xlsx``).

A short form anyone may fill on the public site, without an account: who or what the
information is about, where and when, what happened, and how the centre may reach the
person who sends it. The sender's name and contact details are confidential. Submissions
wait for a coordinator in the moderation queue before they become records. Row and choice
shapes as in ``victim_form``. ``record_id`` and ``victim_record_id`` are never on the public form: a coordinator
fills the second when the information is about a person the centre has a Victims record of, and the
accepted record then shares that person.
"""

from . import shared_rows
from .shared_lists import LOCALITY, OTHER, REGION, Choice, Row, with_other
from .shared_rows import NOT_IN_FUTURE

FORM_ID = "tell_us"
FORM_TITLE = "Tell us what you know"
VERSION = "2026.1"

ABOUT: list[Choice] = [
    ("person_killed", "A person who was killed", "Погибший человек", "Қаза тапқан адам"),
    (
        "person_harmed",
        "A person who was injured, detained or tortured",
        "Человек, который был ранен, задержан или подвергся пыткам",
        "Жараланған, ұсталған немесе азапталған адам",
    ),
    (
        "event",
        "An event I saw or know of",
        "Событие, которое я видел(а) или о котором знаю",
        "Мен көрген немесе білетін оқиға",
    ),  # fmt: skip
    OTHER,
]

RELATION: list[Choice] = [
    ("self", "It happened to me", "Это случилось со мной", "Бұл менің басымнан өтті"),
    ("relative", "A relative", "Родственник", "Туысы"),
    ("witness", "A witness", "Очевидец", "Куәгер"),
    (
        "friend_colleague",
        "A friend, neighbour or colleague",
        "Друг, сосед или коллега",
        "Досы, көршісі немесе әріптесі",
    ),
    OTHER,
]

CONTACT_WAY: list[Choice] = [
    ("phone", "Phone", "Телефон", "Телефон"),
    (
        "messenger",
        "Messenger (WhatsApp, Telegram...)",
        "Мессенджер (WhatsApp, Telegram...)",
        "Мессенджер (WhatsApp, Telegram...)",
    ),  # fmt: skip
    ("email", "E-mail", "Электронная почта", "Электрондық пошта"),
    ("no_contact", "Do not contact me", "Не связывайтесь со мной", "Маған хабарласпаңыз"),
]

SURVEY: list[Row] = [
    {
        "type": "note",
        "name": "tell_us_note",
        "label": (
            "Tell us what you know about the events of January 2022. The Documentation "
            "Centre reads every message; nothing you write is published without checking "
            "and consent. Your name and contact details stay confidential.",
            "Расскажите, что вы знаете о событиях января 2022 года. Центр документирования "
            "читает каждое сообщение; ничего не публикуется без проверки и согласия. Ваше "
            "имя и контакты остаются конфиденциальными.",
            "2022 жылғы қаңтар оқиғалары туралы білетініңізді айтыңыз. Құжаттау орталығы әр "
            "хабарламаны оқиды; ештеңе тексерусіз және келісімсіз жарияланбайды. Сіздің "
            "атыңыз бен байланыс деректеріңіз құпия сақталады.",
        ),
    },
    *with_other(
        {
            "type": "select_one about",
            "name": "about",
            "label": ("What is it about?", "О чём ваше сообщение?", "Хабарлама не туралы?"),
            "required": "yes",
        }
    ),
    {
        "type": "text",
        "name": "person_name",
        "label": (
            "Name of the person it is about, if any",
            "Имя человека, о котором идёт речь (если есть)",
            "Әңгіме болып отырған адамның аты-жөні (бар болса)",
        ),
    },
    {
        "type": "date",
        "name": "happened_on",
        "label": ("When did it happen?", "Когда это произошло?", "Бұл қашан болды?"),
        **NOT_IN_FUTURE,
    },
    *shared_rows.region_and_locality("region", "locality"),
    {
        "type": "text",
        "name": "what_happened",
        "label": ("What happened?", "Что произошло?", "Не болды?"),
        "hint": (
            "In your own words: what you saw or know, and how you know it.",
            "Своими словами: что вы видели или знаете и откуда вам это известно.",
            "Өз сөзіңізбен: не көрдіңіз немесе не білесіз және оны қайдан білесіз.",
        ),
        "appearance": "multiline",
        "required": "yes",
    },
    *with_other(
        {
            "type": "select_one relation",
            "name": "relation",
            "label": (
                "How are you related to what happened?",
                "Как вы связаны с произошедшим?",
                "Болған оқиғаға қандай қатысыңыз бар?",
            ),
        }
    ),
    {
        "type": "begin group",
        "name": "sender",
        "label": ("About you (confidential)", "О вас (конфиденциально)", "Сіз туралы (құпия)"),
    },
    {
        "type": "text",
        "name": "sender_name",
        "label": ("Your name", "Ваше имя", "Сіздің атыңыз"),
        "confidential": "yes",
    },
    {
        "type": "select_one contact_way",
        "name": "contact_way",
        "label": (
            "How may we reach you?",
            "Как с вами связаться?",
            "Сізбен қалай байланысуға болады?",
        ),
        "confidential": "yes",
    },
    {
        "type": "text",
        "name": "sender_contact",
        "label": (
            "Phone number or address",
            "Номер телефона или адрес",
            "Телефон нөмірі немесе мекенжай",
        ),
        "confidential": "yes",
        "relevant": "${contact_way} != 'no_contact'",
    },
    {"type": "end group"},
    {
        "type": "begin group",
        "name": "centre",
        "label": ("For the centre", "Для центра", "Орталық үшін"),
    },
    {
        "type": "text",
        "name": "record_id",
        "label": ("Record ID", "Идентификатор анкеты", "Сауалнама идентификаторы"),
        "hint": (
            "Given when a coordinator accepts the message, e.g. T-000123.",
            "Присваивается, когда координатор принимает сообщение, например T-000123.",
            "Үйлестіруші хабарламаны қабылдағанда беріледі, мысалы T-000123.",
        ),
        "required": "yes",
    },
    {
        "type": "text",
        "name": "victim_record_id",
        "label": (
            "Victims record this information adds to",
            "Запись о пострадавшем, к которой относится информация",
            "Ақпарат қатысты жәбірленуші жазбасы",
        ),
    },
    {"type": "end group"},
]

CHOICES: dict[str, list[Choice]] = {
    "about": ABOUT,
    "region": REGION,
    "locality": LOCALITY,
    "relation": RELATION,
    "contact_way": CONTACT_WAY,
}
