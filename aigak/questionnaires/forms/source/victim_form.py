"""The Victims questionnaire (``victim.xlsx``).

Field and choice names are the contract in ``victim-questionnaire.md`` (drawn from the
statistical report annexed to "Shoot to kill...", tables T01-T31); labels follow the
wording of the report's tables. A survey row is a dict of XLSForm columns; ``label``,
``hint`` and ``constraint_message`` are ``(English, Russian, Kazakh)``. A choice is
``(name, English, Russian, Kazakh)``. Questions every form asks alike (the Documentation
group, name, birth date...) come from ``shared_rows``, choice lists they share from
``shared_lists``.
"""

from . import shared_rows
from .shared_lists import (
    APPEAL_BODY,
    GENDER,
    INTERVIEW_MODE,
    LOCALITY,
    OTHER,
    REGION,
    REGION_HINT,
    SOURCE_TYPE,
    UNKNOWN,
    YES_NO,
    Choice,
    Row,
    with_other,
)
from .shared_rows import NOT_IN_FUTURE, SEVERAL_ANSWERS

FORM_ID = "victim"
FORM_TITLE = "Victims"
VERSION = "2026.1"

ALIVE = "${vital_status} = 'alive'"
DECEASED = "${vital_status} = 'deceased'"
# Empty `appealed` means "not indicated": the appeal details stay hidden until it is answered.
APPEALED = "${appealed} = 'yes' or ${appealed} = 'in_progress' or ${appealed} = 'other'"
PUBLISHED = "${published} = 'yes'"


SURVEY: list[Row] = [
    {
        "type": "note",
        "name": "consent_note",
        "label": (
            "Before the interview, explain who we are, why we document violations, how the "
            "information will be stored and used, and that the person may refuse any question "
            "and stop at any time. Do not continue without consent to use the information; "
            "for records compiled from publications, name the publication instead.",
            "Перед интервью объясните, кто мы, зачем мы документируем нарушения, как будет "
            "храниться и использоваться информация, и что собеседник вправе не отвечать на "
            "любой вопрос и прекратить интервью в любой момент. Без согласия на использование "
            "информации не продолжайте; для записей по публикациям укажите публикацию.",
            "Сұхбат алдында біздің кім екенімізді, құқық бұзушылықтарды не үшін құжаттайтынымызды, "
            "ақпараттың қалай сақталып, қалай пайдаланылатынын, әңгімелесушінің кез келген "
            "сұраққа жауап бермеуге және сұхбатты кез келген уақытта тоқтатуға құқылы екенін "
            "түсіндіріңіз. Ақпаратты пайдалануға келісім болмаса, жалғастырмаңыз; жарияланымдар "
            "негізіндегі жазбалар үшін жарияланымды көрсетіңіз.",
        ),
    },
    *shared_rows.documentation_group(
        "V",
        *shared_rows.source_type(),
        shared_rows.source_name(
            hint=(
                "Who gave the information. Seen only by coordinators, lawyers and administrators.",
                "Кто предоставил информацию. Видят только координаторы, юристы и администраторы.",
                "Ақпаратты кім берді. Мұны тек үйлестірушілер, заңгерлер және әкімшілер көреді.",
            ),
        ),
        {
            "type": "select_one gender",
            "name": "source_gender",
            "label": ("Gender of the source", "Пол источника", "Ақпарат көзінің жынысы"),
        },
        {
            "type": "text",
            "name": "source_relation",
            "label": (
                "Source's relation to the victim",
                "Кем источник приходится пострадавшему",
                "Ақпарат көзі жәбірленушіге кім болады",
            ),
            "hint": (
                "e.g. mother, wife, lawyer",
                "например, мать, жена, адвокат",
                "мысалы, анасы, әйелі, адвокаты",
            ),
            "confidential": "yes",
        },
        shared_rows.source_contact(
            hint=(
                "Phone, messenger, address.",
                "Телефон, мессенджер, адрес.",
                "Телефон, мессенджер, мекенжай.",
            ),
        ),
        shared_rows.interview_mode(),
        *shared_rows.consent(
            "Consent to publish the victim's name",
            "Согласие на публикацию имени пострадавшего",
            "Жәбірленушінің есімін жариялауға келісім",
        ),
    ),
    {
        "type": "begin group",
        "name": "victim",
        "label": ("The victim", "Пострадавший", "Жәбірленуші"),
    },
    shared_rows.full_name(
        hint=(
            "As given, in Cyrillic or Latin: surname, name, patronymic.",
            "Как назвал источник, кириллицей или латиницей: фамилия, имя, отчество.",
            "Дереккөз айтқандай, кирилше немесе латынша: тегі, аты, әкесінің аты.",
        ),
    ),
    shared_rows.birth_date(),
    shared_rows.age_stated(
        hint=("Age in January 2022.", "Возраст в январе 2022 года.", "2022 жылғы қаңтардағы жасы."),
    ),
    shared_rows.gender(),
    *with_other(
        {
            "type": "select_one ethnicity",
            "name": "ethnicity",
            "label": ("Ethnicity", "Национальность", "Ұлты"),
        }
    ),
    *with_other(
        {
            "type": "select_one citizenship",
            "name": "citizenship",
            "label": ("Citizenship", "Гражданство", "Азаматтығы"),
        }
    ),
    {
        "type": "text",
        "name": "citizenship_country",
        "label": ("Country of citizenship", "Страна гражданства", "Азаматтық елі"),
        # Holders of a residence permit are foreign citizens too.
        "relevant": "${citizenship} = 'foreign_citizen' or ${citizenship} = 'kz_residence_permit'",
    },
    *with_other(
        {
            "type": "select_one region_residence",
            "name": "region_residence",
            "label": (
                "Region of permanent residence",
                "Регион постоянного проживания",
                "Тұрақты тұратын өңірі",
            ),
            "hint": REGION_HINT,
        }
    ),
    *with_other(
        {
            "type": "select_multiple social_status",
            "name": "social_status",
            "label": ("Social status", "Социальный статус", "Әлеуметтік жағдайы"),
            "hint": SEVERAL_ANSWERS,
        }
    ),
    {
        "type": "select_one vital_status",
        "name": "vital_status",
        "label": (
            "Is the victim alive or deceased?",
            "Пострадавший жив или погиб?",
            "Жәбірленуші тірі ме, әлде қаза тапты ма?",
        ),
        "required": "yes",
    },
    {
        "type": "date",
        "name": "death_date",
        "label": ("Date of death", "Дата смерти", "Қайтыс болған күні"),
        "relevant": DECEASED,
        **NOT_IN_FUTURE,
    },
    {
        "type": "select_one location_at_interview",
        "name": "location_at_interview",
        "label": (
            "Where the victim is at the time of the interview or publication",
            "Где находится пострадавший на момент интервью или публикации",
            "Сұхбат немесе жарияланым кезінде жәбірленуші қайда",
        ),
        "relevant": ALIVE,
    },
    {
        "type": "text",
        "name": "location_comment",
        "label": (
            "Comment on the location and status",
            "Комментарий о местонахождении и статусе",
            "Орналасқан жері мен жағдайы туралы түсініктеме",
        ),
        "relevant": ALIVE,
    },
    {
        "type": "select_one region",
        "name": "facility_region",
        "label": (
            "Region of the facility where the victim is held",
            "Регион учреждения, где содержится пострадавший",
            "Жәбірленуші ұсталып отырған мекеменің өңірі",
        ),
        "relevant": ALIVE,
    },
    {
        "type": "text",
        "name": "facility_name",
        "label": ("Name of the facility", "Название учреждения", "Мекеменің атауы"),
        "hint": (
            "e.g. SI-18, LA-155/18",
            "например, СИ-18, ЛА-155/18",
            "мысалы, ТИ-18, ЛА-155/18",
        ),
        "relevant": ALIVE,
    },
    {"type": "end group"},
    {
        "type": "begin group",
        "name": "what_happened",
        "label": ("What happened", "Что произошло", "Не болды"),
    },
    {
        "type": "select_one region",
        "name": "event_region",
        "label": (
            "Region where most of the events took place",
            "Регион, где происходили основные события",
            "Оқиғалар негізінен болған өңір",
        ),
        "hint": REGION_HINT,
    },
    *with_other(
        {
            "type": "select_one locality",
            "name": "event_locality",
            "label": (
                "Locality where most of the events took place",
                "Населённый пункт, где происходили основные события",
                "Оқиғалар негізінен болған елді мекен",
            ),
        }
    ),
    *with_other(
        {
            "type": "select_one role",
            "name": "role",
            "label": ("Role in the events", "Роль в событиях", "Оқиғалардағы рөлі"),
        }
    ),
    *with_other(
        {
            "type": "select_multiple essence",
            "name": "essence",
            "label": (
                "What happened to the victim",
                "Что произошло с пострадавшим",
                "Жәбірленушімен не болды",
            ),
            "hint": SEVERAL_ANSWERS,
        }
    ),
    {
        "type": "date",
        "name": "violation_start",
        "label": (
            "Date the violations began",
            "Дата начала нарушений",
            "Құқық бұзушылықтардың басталған күні",
        ),
        **NOT_IN_FUTURE,
    },
    {
        "type": "date",
        "name": "violation_end",
        "label": (
            "Date the violations ended",
            "Дата окончания нарушений",
            "Құқық бұзушылықтардың аяқталған күні",
        ),
        # No constraint against violation_start: sources date the two ends separately,
        # and records imported from other tools must not be refused over their order.
        "hint": (
            "Usually on or after the start date.",
            "Обычно не раньше даты начала.",
            "Әдетте басталу күнінен кейін.",
        ),
        **NOT_IN_FUTURE,
    },
    {
        "type": "select_one group_or_individual",
        "name": "group_or_individual",
        "label": ("Alone or in a group", "Один или в группе", "Жалғыз ба, әлде топта ма"),
    },
    shared_rows.narrative(
        ("In the source's own words.", "Словами источника.", "Дереккөздің өз сөзімен.")
    ),
    {"type": "end group"},
    {
        "type": "begin group",
        "name": "appeals",
        "label": ("Appeals", "Обжалование", "Шағымдану"),
    },
    *with_other(
        {
            "type": "select_one appealed",
            "name": "appealed",
            "label": (
                "Was the case appealed?",
                "Обжаловалось ли дело?",
                "Іс бойынша шағым берілді ме?",
            ),
        }
    ),
    *with_other(
        {
            "type": "select_multiple appeal_subject",
            "name": "appeal_subject",
            "label": ("Subject of the appeal", "Предмет обжалования", "Шағымның мәні"),
            "hint": SEVERAL_ANSWERS,
            "relevant": APPEALED,
        }
    ),
    *with_other(
        {
            "type": "select_multiple appeal_body",
            "name": "appeal_body",
            "label": (
                "Where the appeal was filed",
                "Куда обращались",
                "Шағым қайда берілді",
            ),
            "hint": SEVERAL_ANSWERS,
            "relevant": APPEALED,
        }
    ),
    {
        "type": "select_one appeal_outcome",
        "name": "appeal_outcome",
        "label": ("Outcome of the appeal", "Результат обжалования", "Шағымның нәтижесі"),
        "relevant": APPEALED,
    },
    {
        "type": "text",
        "name": "appeal_result",
        "label": (
            "What the appeal achieved",
            "Чего удалось добиться",
            "Шағымның нәтижесінде не өзгерді",
        ),
        "relevant": APPEALED,
        "appearance": "multiline",
    },
    {"type": "end group"},
    {
        "type": "begin group",
        "name": "legal_analysis",
        "label": (
            "Legal analysis (lawyers and human rights defenders)",
            "Правовой анализ (юристы и правозащитники)",
            "Құқықтық талдау (заңгерлер мен құқық қорғаушылар)",
        ),
        "legal_analysis": "yes",
    },
    {
        "type": "select_multiple intl_instruments",
        "name": "intl_instruments",
        "label": (
            "International instruments violated",
            "Нарушенные международные документы",
            "Бұзылған халықаралық құжаттар",
        ),
    },
    {
        "type": "select_multiple rights_violated",
        "name": "rights_violated",
        "label": ("Rights violated", "Нарушенные права", "Бұзылған құқықтар"),
    },
    {
        "type": "select_multiple law_codes",
        "name": "law_codes",
        "label": (
            "Laws of Kazakhstan violated in the view of the authorities",
            "Законы РК, нарушенные, по мнению властей",
            "Билік пікірінше бұзылған ҚР заңдары",
        ),
    },
    {
        "type": "select_multiple articles",
        "name": "articles",
        "label": (
            "Articles under which a case was opened",
            "Статьи, по которым возбуждено дело",
            "Іс қозғалған баптар",
        ),
    },
    {
        "type": "text",
        "name": "legal_comment",
        "label": ("Lawyer's comment", "Комментарий юриста", "Заңгердің түсініктемесі"),
        "appearance": "multiline",
        "confidential": "yes",
    },
    {"type": "end group"},
    {
        "type": "begin group",
        "name": "publication",
        "label": ("Publications", "Публикации", "Жарияланымдар"),
    },
    {
        "type": "select_one yes_no",
        "name": "published",
        "label": (
            "Did the victim or the source publish about the case on social networks or messengers?",
            "Публиковали ли пострадавший или источник информацию о случае в соцсетях или "
            "мессенджерах?",
            "Жәбірленуші немесе дереккөз бұл оқиға туралы әлеуметтік желілерде не "
            "мессенджерлерде жариялады ма?",
        ),
    },
    *with_other(
        {
            "type": "select_multiple publication_channels",
            "name": "publication_channels",
            "label": (
                "Social networks and messengers",
                "Соцсети и мессенджеры",
                "Әлеуметтік желілер мен мессенджерлер",
            ),
            "relevant": PUBLISHED,
        }
    ),
    {
        "type": "text",
        "name": "publication_media",
        "label": (
            "Media and websites that covered the case",
            "СМИ и сайты, писавшие о случае",
            "Бұл оқиға туралы жазған БАҚ пен сайттар",
        ),
        "relevant": PUBLISHED,
    },
    {"type": "end group"},
    {
        "type": "begin group",
        "name": "interview",
        "label": ("About the interview", "Об интервью", "Сұхбат туралы"),
    },
    *with_other(
        {
            "type": "select_multiple challenges",
            "name": "challenges",
            "label": (
                "Challenges during the interview",
                "Трудности при проведении интервью",
                "Сұхбат барысындағы қиындықтар",
            ),
        }
    ),
    shared_rows.documenter_notes(),
    {"type": "end group"},
]


def _article(code: str, number: int, en: str, ru: str, kk: str) -> Choice:
    """A criminal (``cc``) or administrative (``cao``) code article as a choice."""
    en_code, ru_code, kk_code = {
        "cc": ("CC", "УК", "ҚК"),
        "cao": ("CAO", "КоАП", "ӘҚБтК"),
    }[code]
    return (
        f"{code}_{number}",
        f"{en_code} art. {number}: {en}",
        f"{ru_code}, ст. {number}: {ru}",
        f"{kk_code} {number}-бап: {kk}",
    )


CHOICES: dict[str, list[Choice]] = {
    "source_type": SOURCE_TYPE,
    "gender": GENDER,
    "interview_mode": INTERVIEW_MODE,
    "yes_no": YES_NO,
    "ethnicity": [
        ("kazakh", "Kazakh", "Казах", "Қазақ"),
        ("russian", "Russian", "Русский", "Орыс"),
        ("korean", "Korean", "Кореец", "Кәріс"),
        ("kyrgyz", "Kyrgyz", "Кыргыз", "Қырғыз"),
        ("tatar", "Tatar", "Татарин", "Татар"),
        ("uzbek", "Uzbek", "Узбек", "Өзбек"),
        ("jewish", "Jewish", "Еврей", "Еврей"),
        ("turk", "Turk", "Турок", "Түрік"),
        ("uighur", "Uighur", "Уйгур", "Ұйғыр"),
        ("ukrainian", "Ukrainian", "Украинец", "Украин"),
        OTHER,
        (
            "unknown",
            "Unknown, unable to identify",
            "Неизвестно, невозможно определить",
            "Белгісіз, анықтау мүмкін емес",
        ),
        ("prefer_not_to_say", "Prefer not to say", "Предпочли не отвечать", "Айтқысы келмеді"),
    ],
    "citizenship": [
        ("kz_citizen", "Citizen of Kazakhstan", "Гражданин Казахстана", "Қазақстан азаматы"),
        (
            "kz_residence_permit",
            "Residence permit in Kazakhstan",
            "Вид на жительство в Казахстане",
            "Қазақстанда тұруға ықтиярхаты бар",
        ),
        ("foreign_citizen", "Foreign citizen", "Иностранный гражданин", "Шетел азаматы"),
        UNKNOWN,
        OTHER,
    ],
    "region_residence": [*REGION, OTHER, UNKNOWN],
    "social_status": [
        ("hired_worker", "Hired worker", "Наёмный работник", "Жалдамалы жұмыскер"),
        ("self_employed", "Self-employed", "Самозанятый", "Өзін-өзі жұмыспен қамтыған"),
        ("civil_activist", "Civil activist", "Гражданский активист", "Азаматтық белсенді"),
        ("student", "Student", "Студент", "Студент"),
        ("entrepreneur", "Entrepreneur, businessman", "Предприниматель, бизнесмен", "Кәсіпкер"),
        OTHER,
        ("unemployed", "Unemployed, homeless", "Безработный, бездомный", "Жұмыссыз, баспанасыз"),
        (
            "law_enforcement",
            "Law enforcement (police, KNB, military, cadets)",
            "Сотрудник силовых структур (полиция, КНБ, военные, курсанты)",
            "Құқық қорғау органының қызметкері (полиция, ҰҚК, әскери, курсант)",
        ),
        ("journalist", "Journalist", "Журналист", "Журналист"),
        ("pensioner", "Pensioner", "Пенсионер", "Зейнеткер"),
        ("housewife", "Housewife", "Домохозяйка", "Үй шаруасындағы әйел"),
        (
            "blogger",
            "Blogger outside the media (citizen journalist)",
            "Блогер вне СМИ (гражданский журналист)",
            "БАҚ-тан тыс блогер (азаматтық журналист)",
        ),
        (
            "government_employee",
            "Civil servant (not law enforcement)",
            "Госслужащий (не из силовых структур)",
            "Мемлекеттік қызметші (құқық қорғау органдарынан емес)",
        ),
        ("schoolchild", "Schoolchild", "Школьник", "Мектеп оқушысы"),
        (
            "lawyer",
            "Lawyer, legal consultant",
            "Юрист, правовой консультант",
            "Заңгер, заң кеңесшісі",
        ),
        ("human_rights_activist", "Human rights defender", "Правозащитник", "Құқық қорғаушы"),
        (
            "political_activist",
            "Social and political activist",
            "Общественно-политический активист",
            "Қоғамдық-саяси белсенді",
        ),
    ],
    "vital_status": [
        ("deceased", "Deceased", "Погиб", "Қаза тапты"),
        ("alive", "Alive (survivor)", "Жив (выживший)", "Тірі (аман қалған)"),
    ],
    "location_at_interview": [
        (
            "conditional_sentence",
            "Received a suspended sentence",
            "Получил условный срок",
            "Шартты түрде сотталды",
        ),
        (
            "pretrial_detention",
            "In a pre-trial or temporary detention facility",
            "В СИЗО или ИВС",
            "Тергеу изоляторында немесе уақытша ұстау изоляторында",
        ),
        (
            "prison",
            "Sentenced to prison, in a penitentiary institution",
            "Осуждён к лишению свободы, в исправительном учреждении",
            "Бас бостандығынан айыруға сотталды, түзеу мекемесінде",
        ),
        ("at_liberty", "At liberty, at home", "На свободе, дома", "Бостандықта, үйде"),
        ("hospital", "In hospital", "В больнице", "Ауруханада"),
        ("house_arrest", "Under house arrest", "Под домашним арестом", "Үйқамақта"),
        (
            "undertaking_not_to_leave",
            "Undertaking not to leave",
            "Подписка о невыезде",
            "Кетпеу туралы қолхат",
        ),
        (
            "bail",
            "Pre-trial restriction: bail",
            "Мера пресечения: залог",
            "Бұлтартпау шарасы: кепіл",
        ),
        (
            "administrative_supervision",
            "Administrative supervision",
            "Административный надзор",
            "Әкімшілік қадағалау",
        ),
    ],
    "region": REGION,
    "locality": LOCALITY,
    "role": [
        (
            "voluntary_participant",
            "Voluntary participant in a peaceful rally, march or assembly",
            "Сознательный добровольный участник мирного митинга, шествия, собрания",
            "Бейбіт митингіге, шеруге, жиналысқа саналы түрде өз еркімен қатысушы",
        ),
        (
            "bystander",
            "Bystander passing by",
            "Случайный прохожий",
            "Кездейсоқ өтіп бара жатқан адам",
        ),
        (
            "not_at_scene",
            "Was not at the rally or march at all",
            "Вообще не был на месте митинга, шествия",
            "Митинг, шеру өткен жерде мүлдем болмаған",
        ),
        (
            "unplanned_participant",
            "Unplanned participant (came and stayed voluntarily)",
            "Незапланированный участник (пришёл и остался добровольно)",
            "Жоспарламаған қатысушы (келіп, өз еркімен қалған)",
        ),
        (
            "observer",
            "Observer, present on purpose",
            "Наблюдатель, присутствовал намеренно",
            "Әдейі келген бақылаушы",
        ),
        (
            "on_route",
            "Was on the route of the march",
            "Оказался на пути шествия",
            "Шеру жолында болған",
        ),
        (
            "unknown_home_or_work",
            "Unknown; was at home or at work during the events",
            "Неизвестно; во время событий был дома или на работе",
            "Белгісіз; оқиға кезінде үйде немесе жұмыста болған",
        ),
        ("mercenary", "Paid participant", "Участник акции за плату", "Акцияға ақы алып қатысушы"),
        (
            "forced_participant",
            "Unplanned participant (forced to take part)",
            "Незапланированный участник (принуждён участвовать)",
            "Жоспарламаған қатысушы (қатысуға мәжбүрленген)",
        ),
        OTHER,
    ],
    "essence": [
        ("died", "Died", "Погиб", "Қаза тапты"),
        (
            "gunshot",
            "Wounded or killed by gunfire",
            "Ранен или убит из огнестрельного оружия",
            "Атыс қаруынан жараланды немесе қаза тапты",
        ),
        (
            "cold_weapon",
            "Wounded with a cold weapon",
            "Ранен холодным оружием",
            "Суық қарумен жараланды",
        ),
        ("beaten", "Beaten", "Избит", "Ұрып-соғылды"),
        (
            "special_means",
            "Special means (stun grenades, tear gas, water cannon...)",
            "Спецсредства (светошумовые гранаты, слезоточивый газ, водомёт...)",
            "Арнайы құралдар (жарқылды-дыбыстық граната, көзден жас ағызатын газ, су атқыш...)",
        ),
        (
            "truncheons",
            "Truncheons (kinetic special means)",
            "Дубинки (кинетические спецсредства)",
            "Резеңке таяқтар (кинетикалық арнайы құралдар)",
        ),
        (
            "electric_shock",
            "Electric shocks (electrical special means)",
            "Электрошокеры (электрические спецсредства)",
            "Электршокерлер (электр арнайы құралдары)",
        ),
        ("detained", "Detained", "Задержан", "Ұсталды"),
        ("missing", "Went missing", "Пропал без вести", "Хабар-ошарсыз кетті"),
        ("tortured", "Tortured", "Подвергся пыткам", "Азапталды"),
        (
            "psychological_pressure",
            "Psychological pressure from the authorities",
            "Психологическое давление со стороны властей",
            "Билік тарапынан психологиялық қысым",
        ),
        (
            "prosecuted",
            "Prosecuted administratively and/or criminally",
            "Привлечён к административной и/или уголовной ответственности",
            "Әкімшілік және/немесе қылмыстық жауапкершілікке тартылды",
        ),
        ("exhumed", "The body was exhumed", "Тело эксгумировано", "Мәйіт эксгумацияланды"),
        OTHER,
    ],
    "group_or_individual": [
        ("individual", "Alone", "Один", "Жалғыз"),
        (
            "group",
            "In a group of two or more",
            "В группе из двух и более человек",
            "Екі немесе одан көп адамнан тұратын топта",
        ),
    ],
    "appealed": [
        *YES_NO,
        ("in_progress", "Appeal in progress", "Обжалование в процессе", "Шағым қаралу үстінде"),
        OTHER,
    ],
    "appeal_subject": [
        ("torture", "Torture", "Пытки", "Азаптау"),
        (
            "illegal_detention",
            "Illegal detention and arrest",
            "Незаконное задержание и арест",
            "Заңсыз ұстау және қамауға алу",
        ),
        ("prosecution", "Prosecution", "Уголовное преследование", "Қылмыстық қудалау"),
        (
            "beatings",
            "Beatings, injuries, use of force",
            "Побои, телесные повреждения, применение силы",
            "Ұрып-соғу, дене жарақаттары, күш қолдану",
        ),
        (
            "abuse_of_authority",
            "Abuse of authority, illegal actions of police and prosecutors",
            "Превышение полномочий, незаконные действия полиции и прокуроров",
            "Өкілеттікті асыра пайдалану, полиция мен прокурорлардың заңсыз әрекеттері",
        ),
        (
            "psychological_pressure",
            "Moral and psychological pressure",
            "Морально-психологическое давление",
            "Моральдық-психологиялық қысым",
        ),
        ("illegal_search", "Illegal search", "Незаконный обыск", "Заңсыз тінту"),
        (
            "counterintelligence",
            "Illegality of counter-intelligence measures",
            "Незаконность контрразведывательных мероприятий",
            "Қарсы барлау іс-шараларының заңсыздығы",
        ),
        ("pretrial_restrictions", "Pre-trial restrictions", "Мера пресечения", "Бұлтартпау шарасы"),
        (
            "information_denied",
            "Information denied or not provided",
            "Непредоставление информации",
            "Ақпарат бермеу",
        ),
        (
            "minor_rights",
            "Violation of a minor's rights",
            "Нарушение прав несовершеннолетнего",
            "Кәмелетке толмаған адамның құқықтарын бұзу",
        ),
        (
            "stop_prosecution",
            "To stop criminal prosecution",
            "Прекращение уголовного преследования",
            "Қылмыстық қудалауды тоқтату",
        ),
        ("wrongful_conviction", "Wrongful conviction", "Незаконное осуждение", "Заңсыз соттау"),
        (
            "death_of_victim",
            "Death of the victim (including reasons for suicide)",
            "Гибель пострадавшего (в том числе причины самоубийства)",
            "Жәбірленушінің қазасы (соның ішінде өзіне қол жұмсау себептері)",
        ),
        (
            "return_of_property",
            "Return of belongings and other evidence",
            "Возврат вещей и других доказательств",
            "Заттар мен өзге де айғақтарды қайтару",
        ),
        OTHER,
    ],
    "appeal_body": APPEAL_BODY,
    "appeal_outcome": [
        (
            "successful",
            "Successful (fully or partly)",
            "Успешно (полностью или частично)",
            "Сәтті (толық немесе ішінара)",
        ),
        ("unsuccessful", "Unsuccessful", "Безуспешно", "Сәтсіз"),
        ("pending", "Pending", "На рассмотрении", "Қаралу үстінде"),
    ],
    "intl_instruments": [
        (
            "iccpr",
            "International Covenant on Civil and Political Rights (ICCPR)",
            "Международный пакт о гражданских и политических правах (МПГПП)",
            "Азаматтық және саяси құқықтар туралы халықаралық пакт (АСҚХП)",
        ),
        (
            "cat",
            "Convention against Torture (CAT)",
            "Конвенция против пыток (КПП)",
            "Азаптауларға қарсы конвенция",
        ),
    ],
    "rights_violated": [
        ("free_movement", "Freedom of movement", "Свобода передвижения", "Еркін жүріп-тұру құқығы"),
        ("equality", "Equality before the law", "Равенство перед законом", "Заң алдындағы теңдік"),
        (
            "fair_trial",
            "Fair and public trial",
            "Справедливое и публичное судебное разбирательство",
            "Әділ және ашық сот талқылауы",
        ),
        (
            "thought_religion",
            "Freedom of thought, conscience and religion",
            "Свобода мысли, совести и религии",
            "Ой, ар-ождан және дін бостандығы",
        ),
        (
            "expression",
            "Freedom of opinion and expression",
            "Свобода мнений и их выражения",
            "Пікір және оны білдіру бостандығы",
        ),
        ("assembly", "Peaceful assembly", "Право на мирные собрания", "Бейбіт жиналыстар құқығы"),
        ("life", "Right to life", "Право на жизнь", "Өмір сүру құқығы"),
        (
            "torture_prohibition",
            "Prohibition of torture and cruel, inhuman or degrading treatment",
            "Запрет пыток и жестокого, бесчеловечного или унижающего достоинство обращения",
            "Азаптауға және қатыгез, адамгершілікке жатпайтын немесе ар-намысты қорлайтын "
            "қарым-қатынасқа тыйым салу",
        ),
        (
            "arbitrary_detention",
            "Prohibition of arbitrary arrest and detention",
            "Запрет произвольного ареста и задержания",
            "Озбырлықпен қамауға алуға және ұстауға тыйым салу",
        ),
        (
            "privacy",
            "Prohibition of arbitrary interference with privacy",
            "Запрет произвольного вмешательства в частную жизнь",
            "Жеке өмірге озбырлықпен араласуға тыйым салу",
        ),
    ],
    "law_codes": [
        ("criminal_code", "Criminal Code (CC)", "Уголовный кодекс (УК)", "Қылмыстық кодекс (ҚК)"),
        (
            "administrative_code",
            "Code of Administrative Offences (CAO)",
            "Кодекс об административных правонарушениях (КоАП)",
            "Әкімшілік құқық бұзушылық туралы кодекс (ӘҚБтК)",
        ),
    ],
    "articles": [
        _article(
            "cc",
            24,
            "preparation for and attempt at a crime",
            "приготовление к преступлению и покушение на преступление",
            "қылмысқа дайындалу және қылмыс жасауға оқталу",
        ),
        _article(
            "cc",
            28,
            "accomplices in a criminal offence",
            "виды соучастников уголовного правонарушения",
            "қылмыстық құқық бұзушылыққа қатысушылардың түрлері",
        ),
        _article("cc", 99, "murder", "убийство", "кісі өлтіру"),
        _article(
            "cc",
            105,
            "incitement to suicide",
            "доведение до самоубийства",
            "өзіне-өзі қол жұмсауға дейін жеткізу",
        ),
        _article(
            "cc",
            126,
            "illegal deprivation of liberty",
            "незаконное лишение свободы",
            "бостандығынан заңсыз айыру",
        ),
        _article("cc", 146, "torture", "пытки", "азаптау"),
        _article("cc", 174, "inciting discord", "возбуждение розни", "алауыздықты қоздыру"),
        _article("cc", 187, "petty theft", "мелкое хищение", "ұсақ ұрлау"),
        _article("cc", 188, "theft", "кража", "ұрлық"),
        _article("cc", 194, "extortion", "вымогательство", "қорқытып алушылық"),
        _article(
            "cc",
            200,
            "taking a vehicle without intent to steal it",
            "неправомерное завладение транспортным средством без цели хищения",
            "көлік құралын ұрлау мақсатынсыз заңсыз иеленіп алу",
        ),
        _article(
            "cc",
            202,
            "deliberate destruction of or damage to property",
            "умышленные уничтожение или повреждение чужого имущества",
            "бөтеннің мүлкін қасақана жою немесе бүлдіру",
        ),
        _article("cc", 255, "act of terrorism", "акт терроризма", "террорлық акт"),
        _article(
            "cc",
            256,
            "propaganda of or public calls for terrorism",
            "пропаганда терроризма или публичные призывы к его совершению",
            "терроризмді насихаттау немесе оған жария түрде шақыру",
        ),
        _article(
            "cc",
            269,
            "attack on or seizure of buildings, means of communication",
            "нападение на здания, сооружения, средства сообщения и связи или их захват",
            "ғимараттарға, құрылыстарға, қатынас және байланыс құралдарына шабуыл жасау "
            "немесе оларды басып алу",
        ),
        _article("cc", 272, "mass riots", "массовые беспорядки", "жаппай тәртіпсіздіктер"),
        _article(
            "cc",
            273,
            "knowingly false report of an act of terrorism",
            "заведомо ложное сообщение об акте терроризма",
            "террорлық акт туралы көрінеу жалған хабарлау",
        ),
        _article(
            "cc",
            274,
            "spreading knowingly false information",
            "распространение заведомо ложной информации",
            "көрінеу жалған ақпарат тарату",
        ),
        _article(
            "cc",
            287,
            "illegal acquisition, storage or carrying of weapons, ammunition, explosives",
            "незаконные приобретение, хранение, ношение оружия, боеприпасов, взрывчатых веществ",
            "қаруды, оқ-дәрілерді, жарылғыш заттарды заңсыз сатып алу, сақтау, алып жүру",
        ),
        _article(
            "cc",
            288,
            "illegal manufacture of weapons",
            "незаконное изготовление оружия",
            "қаруды заңсыз жасау",
        ),
        _article(
            "cc",
            289,
            "negligent storage of firearms",
            "небрежное хранение огнестрельного оружия",
            "атыс қаруын абайсыз сақтау",
        ),
        _article("cc", 291, "theft of weapons", "хищение оружия", "қаруды ұрлау"),
        _article("cc", 293, "hooliganism", "хулиганство", "бұзақылық"),
        _article(
            "cc",
            296,
            "illegal handling of narcotics",
            "незаконный оборот наркотических средств",
            "есірткі құралдарының заңсыз айналымы",
        ),
        _article(
            "cc",
            361,
            "abuse of official authority",
            "злоупотребление должностными полномочиями",
            "лауазымдық өкілеттіктерді теріс пайдалану",
        ),
        _article(
            "cc",
            362,
            "exceeding power or official authority",
            "превышение власти или должностных полномочий",
            "билікті немесе лауазымдық өкілеттіктерді асыра пайдалану",
        ),
        _article(
            "cc",
            378,
            "insulting a public official",
            "оскорбление представителя власти",
            "билік өкілін қорлау",
        ),
        _article(
            "cc",
            379,
            "refusal to obey a public official",
            "неподчинение представителю власти",
            "билік өкіліне бағынбау",
        ),
        _article(
            "cc",
            380,
            "violence against a public official",
            "применение насилия в отношении представителя власти",
            "билік өкіліне қатысты күш қолдану",
        ),
        _article(
            "cc",
            405,
            "taking part in an organisation recognised as extremist",
            "участие в деятельности организации, признанной экстремистской",
            "экстремистік деп танылған ұйымның қызметіне қатысу",
        ),
        _article(
            "cc",
            451,
            "abuse of power (military)",
            "злоупотребление властью (воинское)",
            "билікті теріс пайдалану (әскери)",
        ),
        _article(
            "cao",
            478,
            "acts provoking breaches of order under a state of emergency",
            "действия, провоцирующие нарушение правопорядка в условиях чрезвычайного положения",
            "төтенше жағдай кезінде құқықтық тәртіпті бұзуға арандататын әрекеттер",
        ),
        _article(
            "cao",
            488,
            "breach of the rules on peaceful assemblies",
            "нарушение порядка организации и проведения мирных собраний",
            "бейбіт жиналыстарды ұйымдастыру және өткізу тәртібін бұзу",
        ),
        _article(
            "cao",
            669,
            "failure to comply with a court verdict or ruling",
            "неисполнение приговора, решения или иного акта суда",
            "сот үкімін, шешімін немесе өзге де актісін орындамау",
        ),
        _article(
            "cao",
            699,
            "bodies of the Ministry of Defence",
            "органы Министерства обороны",
            "Қорғаныс министрлігінің органдары",
        ),
        (
            "article_unknown",
            "The source does not know the article or prefers not to say",
            "Источник не знает статью или не хочет отвечать",
            "Дереккөз бапты білмейді немесе жауап бергісі келмейді",
        ),
        (
            "case_unknown",
            "The source does not know whether a case was opened",
            "Источник не знает, возбуждено ли дело",
            "Дереккөз іс қозғалғанын білмейді",
        ),
        (
            "not_involved",
            "The victim was not involved in a case",
            "Не привлекался по делу",
            "Іске тартылмаған",
        ),
        ("no_case", "No case was opened", "Дело не возбуждалось", "Іс қозғалмаған"),
    ],
    "publication_channels": [
        ("youtube", "YouTube", "YouTube", "YouTube"),
        ("facebook", "Facebook", "Facebook", "Facebook"),
        ("whatsapp", "WhatsApp", "WhatsApp", "WhatsApp"),
        ("instagram", "Instagram", "Instagram", "Instagram"),
        ("telegram", "Telegram", "Telegram", "Telegram"),
        ("tiktok", "TikTok", "TikTok", "TikTok"),
        ("vk", "VK (VKontakte)", "ВКонтакте", "ВКонтакте"),
        OTHER,
    ],
    "challenges": [
        (
            "safety_threats",
            "Safety threats to witnesses",
            "Угрозы безопасности свидетелей",
            "Куәгерлердің қауіпсіздігіне қатер",
        ),
        (
            "unreliable_info",
            "Unreliable information collected",
            "Собрана недостоверная информация",
            "Жиналған ақпарат сенімсіз",
        ),
        (
            "refused_info",
            "Witnesses refused to give some information",
            "Свидетели отказались сообщить часть информации",
            "Куәгерлер кейбір ақпаратты беруден бас тартты",
        ),
        (
            "low_awareness",
            "Insufficient awareness of human rights",
            "Недостаточная осведомлённость о правах человека",
            "Адам құқықтары туралы хабардарлық жеткіліксіз",
        ),
        (
            "too_personal",
            "Some questions were deemed too personal",
            "Некоторые вопросы сочли слишком личными",
            "Кейбір сұрақтар тым жеке деп саналды",
        ),
        ("none", "No challenges", "Трудностей не было", "Қиындық болған жоқ"),
        OTHER,
    ],
}
