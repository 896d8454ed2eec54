"""Choice lists the three shipped forms share, and the ``<field>_other`` row rule.

A choice is ``(name, English, Russian, Kazakh)``. The names of the region, locality,
source and appeal-body lists are fixed by the Victims contract
(``victim-questionnaire.md``); the Torture and Event forms reuse them so that records of
the three questionnaires can be cross-referenced by place.
"""

Choice = tuple[str, str, str, str]
Row = dict[str, object]

OTHER: Choice = ("other", "Other", "Другое", "Басқа")
UNKNOWN: Choice = ("unknown", "Unknown", "Неизвестно", "Белгісіз")

YES_NO: list[Choice] = [
    ("yes", "Yes", "Да", "Иә"),
    ("no", "No", "Нет", "Жоқ"),
]

YES_NO_UNKNOWN: list[Choice] = [*YES_NO, UNKNOWN]

GENDER: list[Choice] = [
    ("female", "Female", "Женский", "Әйел"),
    ("male", "Male", "Мужской", "Ер"),
]

# The 14 oblasts and 3 cities of January 2022 (Abai, Zhetisu and Ulytau oblasts were
# created in June 2022: Semey then belonged to East Kazakhstan, Taldykorgan to Almaty oblast).
REGION: list[Choice] = [
    (
        "astana",
        "Astana (Nur-Sultan in 2019-2022)",
        "г. Астана (в 2019–2022 гг. Нур-Султан)",
        "Астана қ. (2019–2022 жж. Нұр-Сұлтан)",
    ),
    ("almaty", "Almaty (city)", "г. Алматы", "Алматы қ."),
    ("shymkent", "Shymkent (city)", "г. Шымкент", "Шымкент қ."),
    ("akmola", "Akmola oblast", "Акмолинская область", "Ақмола облысы"),
    ("aktobe", "Aktobe oblast", "Актюбинская область", "Ақтөбе облысы"),
    ("almaty_oblast", "Almaty oblast", "Алматинская область", "Алматы облысы"),
    ("atyrau", "Atyrau oblast", "Атырауская область", "Атырау облысы"),
    (
        "east_kazakhstan",
        "East Kazakhstan oblast",
        "Восточно-Казахстанская область",
        "Шығыс Қазақстан облысы",
    ),
    ("zhambyl", "Zhambyl oblast", "Жамбылская область", "Жамбыл облысы"),
    (
        "west_kazakhstan",
        "West Kazakhstan oblast",
        "Западно-Казахстанская область",
        "Батыс Қазақстан облысы",
    ),
    ("karaganda", "Karaganda oblast", "Карагандинская область", "Қарағанды облысы"),
    ("kostanay", "Kostanay oblast", "Костанайская область", "Қостанай облысы"),
    ("kyzylorda", "Kyzylorda oblast", "Кызылординская область", "Қызылорда облысы"),
    ("mangystau", "Mangystau oblast", "Мангистауская область", "Маңғыстау облысы"),
    ("pavlodar", "Pavlodar oblast", "Павлодарская область", "Павлодар облысы"),
    (
        "north_kazakhstan",
        "North Kazakhstan oblast",
        "Северо-Казахстанская область",
        "Солтүстік Қазақстан облысы",
    ),
    ("turkestan", "Turkestan oblast", "Туркестанская область", "Түркістан облысы"),
]

REGION_HINT = (
    "Regions as of January 2022: Semey belonged to East Kazakhstan oblast, "
    "Taldykorgan to Almaty oblast.",
    "Области на январь 2022 г.: Семей относился к Восточно-Казахстанской области, "
    "Талдыкорган - к Алматинской.",
    "2022 жылғы қаңтардағы облыстар: Семей Шығыс Қазақстан облысына, "
    "Талдықорған Алматы облысына қарасты болатын.",
)

# The 23 settlements of the Documentation Centre's database (report table T14).
LOCALITY: list[Choice] = [
    ("almaty", "Almaty", "Алматы", "Алматы"),
    ("taraz", "Taraz", "Тараз", "Тараз"),
    ("taldykorgan", "Taldykorgan", "Талдыкорган", "Талдықорған"),
    ("semey", "Semey", "Семей", "Семей"),
    ("ust_kamenogorsk", "Ust-Kamenogorsk (Oskemen)", "Усть-Каменогорск", "Өскемен"),
    ("shymkent", "Shymkent", "Шымкент", "Шымкент"),
    ("kyzylorda", "Kyzylorda", "Кызылорда", "Қызылорда"),
    ("aktobe", "Aktobe", "Актобе", "Ақтөбе"),
    ("astana", "Astana (Nur-Sultan)", "Астана (Нур-Султан)", "Астана (Нұр-Сұлтан)"),
    ("ekibastuz", "Ekibastuz", "Экибастуз", "Екібастұз"),
    ("uralsk", "Uralsk (Oral)", "Уральск", "Орал"),
    ("atyrau", "Atyrau", "Атырау", "Атырау"),
    ("kokshetau", "Kokshetau", "Кокшетау", "Көкшетау"),
    ("kostanay", "Kostanay", "Костанай", "Қостанай"),
    ("pavlodar", "Pavlodar", "Павлодар", "Павлодар"),
    ("aktau", "Aktau", "Актау", "Ақтау"),
    (
        "zhambyl_district",
        "Zhambyl district, Almaty oblast",
        "Жамбылский район Алматинской области",
        "Алматы облысы, Жамбыл ауданы",
    ),
    (
        "bayanaul",
        "Bayanaul village, Bayanaul district",
        "с. Баянаул, Баянаульский район",
        "Баянауыл ауданы, Баянауыл ауылы",
    ),
    (
        "koshmambet",
        "Koshmambet village, Karasai district",
        "с. Кошмамбет, Карасайский район",
        "Қарасай ауданы, Қошмамбет ауылы",
    ),
    ("petropavlovsk", "Petropavlovsk", "Петропавловск", "Петропавл"),
    ("stepnogorsk", "Stepnogorsk", "Степногорск", "Степногор"),
    ("karaganda", "Karaganda", "Караганда", "Қарағанды"),
    ("kaskelen", "Kaskelen", "Каскелен", "Қаскелең"),
    ("other", "Other locality", "Другой населённый пункт", "Басқа елді мекен"),
]

SOURCE_TYPE: list[Choice] = [
    ("relative", "Relative", "Родственник", "Туысы"),
    ("victim", "The victim themself", "Сам пострадавший", "Жәбірленушінің өзі"),
    ("media_internet", "Media, internet", "СМИ, интернет", "БАҚ, интернет"),
    (
        "lawyer_representative",
        "Lawyer or representative",
        "Адвокат или представитель",
        "Адвокат немесе өкіл",
    ),
    (
        "activist_friend_colleague",
        "Civic activist, friend or colleague",
        "Гражданский активист, друг или коллега",
        "Азаматтық белсенді, досы немесе әріптесі",
    ),
    ("court_documents", "Court documents", "Судебные документы", "Сот құжаттары"),
    OTHER,
]

INTERVIEW_MODE: list[Choice] = [
    ("in_person", "In person", "Лично", "Бетпе-бет"),
    ("phone", "By phone", "По телефону", "Телефон арқылы"),
    ("video_call", "Video call", "Видеосвязь", "Бейнебайланыс арқылы"),
    ("publication", "From a publication", "По публикации", "Жарияланым бойынша"),
]

# State forces, the start of both the Torture form's perpetrator agencies and the Event
# form's forces involved; each form adds the ones particular to it.
SECURITY_FORCES: list[Choice] = [
    ("police", "Police", "Полиция", "Полиция"),
    ("national_guard", "National Guard", "Национальная гвардия", "Ұлттық ұлан"),
    (
        "knb",
        "KNB (National Security Committee)",
        "КНБ (Комитет национальной безопасности)",
        "ҰҚК (Ұлттық қауіпсіздік комитеті)",
    ),
    (
        "army",
        "Army (Ministry of Defence)",
        "Армия (Министерство обороны)",
        "Армия (Қорғаныс министрлігі)",
    ),
    (
        "special_forces",
        "Special forces (SOBR, OMON...)",
        "Спецназ (СОБР, ОМОН...)",
        "Арнайы жасақ (СОБР, ОМОН...)",
    ),
]

APPEAL_BODY: list[Choice] = [
    (
        "ombudsman",
        "Commissioner for Human Rights (ombudsman)",
        "Уполномоченный по правам человека",
        "Адам құқықтары жөніндегі уәкіл",
    ),
    ("prosecutor", "Prosecutor's office", "Прокуратура", "Прокуратура"),
    (
        "anticorruption",
        "Anti-corruption agency",
        "Антикоррупционная служба",
        "Сыбайлас жемқорлыққа қарсы қызмет",
    ),
    ("police", "Police", "Полиция", "Полиция"),
    (
        "ngo_party",
        "NGOs, parties and movements",
        "НПО, партии и движения",
        "ҮЕҰ, партиялар мен қозғалыстар",
    ),
    (
        "media",
        "Media, journalists, bloggers",
        "СМИ, журналисты, блогеры",
        "БАҚ, журналистер, блогерлер",
    ),
    ("court", "Court", "Суд", "Сот"),
    ("judicial_board", "Judicial board", "Судебная коллегия", "Сот алқасы"),
    (
        "president",
        "President, Presidential Administration",
        "Президент, Администрация Президента",
        "Президент, Президент Әкімшілігі",
    ),
    ("parliament", "Members of Parliament", "Депутаты Парламента", "Парламент депутаттары"),
    (
        "special_commission",
        "Special commissions (Akikat, Amanat...)",
        "Специальные комиссии («Акикат», «Аманат»...)",
        "Арнайы комиссиялар («Ақиқат», «Аманат»...)",
    ),
    (
        "internal_security",
        "Internal Security Directorate",
        "Управление собственной безопасности",
        "Ішкі қауіпсіздік басқармасы",
    ),
    (
        "npm",
        "National Preventive Mechanism",
        "Национальный превентивный механизм",
        "Ұлттық алдын алу тетігі",
    ),
    ("akim", "Akim", "Аким", "Әкім"),
    (
        "other",
        "Other (which court, international organisations...)",
        "Другое (какой суд, международные организации...)",
        "Басқа (қай сот, халықаралық ұйымдар...)",
    ),
]


def with_other(row: Row) -> list[Row]:
    """The select ``row`` followed by its free-text ``<name>_other`` companion.

    Every select list that has ``other`` is followed by this text field, shown only when
    ``other`` is chosen (the contract's rule; ``or_other`` is not used).
    """
    name = row["name"]
    en, ru, kk = (text.rstrip("?") for text in row["label"])  # type: ignore[attr-defined]
    other: Row = {
        "type": "text",
        "name": f"{name}_other",
        "label": (
            f"{en} (other): please specify",
            f"{ru} (другое): уточните",
            f"{kk} (басқа): нақтылаңыз",
        ),
        "relevant": f"selected(${{{name}}}, 'other')",
    }
    if "confidential" in row:
        other["confidential"] = row["confidential"]
    return [row, other]
