"""Tables behind `aigak.lib.names`: letters, spelling variants, suffixes, names, places.

Everything here is data, written the way people write it (Cyrillic, or the Latin spelling
seen in passports and the press). `aigak.lib.names` folds each entry through the same
rules it applies to input, so a table entry and an input spelling meet in one key.

Sources of the letter tables: ICAO Doc 9303 (passports, 2013 table), BGN/PCGN
romanisation of Russian and of Kazakh, the Kazakh Latin alphabets of 2017, 2018 and
2021 (the 2021 one: ä ğ ı ï ñ ö ş ç ū ü), and English-language press habits
(Zh, Kh, -uly, -yev).
"""

from __future__ import annotations

# Kazakh and Russian Cyrillic (lower case) to plain Latin. One choice per letter;
# the spelling rules below then fold the other romanisations onto these choices.
CYRILLIC_TO_LATIN: dict[str, str] = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d",
    "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i", "й": "i", "к": "k",
    "қ": "k", "л": "l", "м": "m", "н": "n", "ң": "n", "о": "o", "ө": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "u", "ү": "u",
    "ф": "f", "х": "kh", "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
    "ъ": "", "ы": "y", "і": "i", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    # Ukrainian and Kyrgyz letters met in lists from the region.
    "є": "ye", "ї": "yi", "ў": "u", "ӊ": "n", "ӯ": "u",
}  # fmt: skip

# Latin letters with marks, from the Kazakh Latin alphabets and from Turkish-style
# spellings, folded to plain letters (ş -> sh keeps Şynğys and Shyngys together).
LATIN_MARKS: dict[str, str] = {
    # GOST 7.79-2000 system A (one letter for one letter): щ ŝ, ю û, я â (Ŝukin, Ûliâ).
    "ŝ": "shch", "û": "yu", "â": "ya",
    "ä": "a", "á": "a", "à": "a", "ã": "a", "å": "a", "æ": "a",
    "ğ": "g", "ǵ": "g", "ñ": "n", "ń": "n", "ŋ": "n",
    "ö": "o", "ó": "o", "ò": "o", "ô": "o", "ø": "o",
    "ş": "sh", "ș": "sh", "š": "sh", "ç": "ch", "č": "ch", "ž": "zh",
    "ū": "u", "ü": "u", "ú": "u", "ù": "u", "ý": "u",
    "ı": "i", "ï": "i", "í": "i", "ì": "i", "î": "i", "İ": "i",
    "é": "e", "è": "e", "ê": "e", "ë": "e", "ē": "e",
}  # fmt: skip

# The 2017 alphabet marked letters with an apostrophe: a' g' n' o' s' c' u' y' i'.
APOSTROPHE_LETTERS: dict[str, str] = {
    "a": "a", "g": "g", "n": "n", "o": "o", "s": "sh", "c": "ch", "u": "u", "y": "u", "i": "i",
}  # fmt: skip

# Spelling rules applied in order to a lower-case Latin word: each folds the
# romanisations of one sound onto one spelling. Regular expressions.
SPELLING_RULES: list[tuple[str, str]] = [
    (r"shch|shh|sch", "sh"),  # щ: BGN shch, GOST 7.79 B shh, German sch
    (r"cz", "ts"),  # ц: GOST 7.79 B cz (Czoj), c before a front vowel (Cyganov)
    (r"ck", "k"),
    (r"c(?=[eiy])", "ts"),
    (r"c(?!h)", "k"),  # English c: Victor, Nicolai
    (r"(?<=[aeiouy])j(?=[^aeiou]|$)", "i"),  # й: GOST 7.79 B j (Ajdos, Sergej, Sulejmenov)
    (r"dzh|dj|j", "zh"),  # Дж/Ж: Dzhumabaev, Djumabaev, Jumabaev (2021 J), Zhumabaev
    (r"kh", "h"),  # Х and Һ: Khasen, Hasen
    (r"gh", "g"),  # Ғ: BGN gh
    (r"q", "k"),  # Қ: Qudaibergen (2021 Latin) and Kudaibergen
    # х is x in GOST 7.79 B (Axmetov, Xasen, Muxtar); English x is ks in a few names.
    (r"(?<=^ale)x|(?<=^ma)x(?=im)|(?<=^o)x|(?<=^ro)x", "ks"),  # Alexander, Maxim, Oxana
    (r"x", "h"),
    (r"w", "v"),
    (r"ng+", "n"),  # Ң: BGN ng (Шыңғыс: Shyngghys -> shynggys)
    (r"y(?=[aeou])", "i"),  # я ю е ё: ya/ia, yu/iu, ye/ie (ICAO writes i)
    (r"(?<=[aeiou])y", "i"),  # й after a vowel: Aydos/Aidos, -bay/-bai, -iy/-ii
    (r"^ie", "e"),  # initial Е: Yerlan/Erlan
    (r"(?<=[aeou])ie", "e"),  # Е after a vowel: Bayev -> baiev -> baev, as Баев
    (r"ii+", "i"),  # Aliyev -> aliiev -> aliev; Юрий -> iurii -> iuri
    (r"(?<=[^aeiouy])y$", "i"),  # final -y after a consonant: Yury/Yuri
    (r"(?<=[oe])ff$", "v"),  # -off, -eff: Akhmetoff, Ibrayeff (French and press habit)
    # Doubled consonants: Assel/Asel, Tussupov/Tusupov; not k, which -қызы doubles
    # (Серікқызы), and no vowels (Андреевич).
    (r"([bdfghlmnprstvz])\1+", r"\1"),
]

# Letters whose first sound varies between spellings, for comparing initials.
# "Y." in Latin lists mostly stands for Е (Yerlan); Ю and Я fold to the same class.
INITIAL_CLASSES: dict[str, str] = {"y": "e", "i_vowel": "e"}

# Surname endings, longest first once folded. Gender: "m", "f" or "" (either).
SURNAME_SUFFIXES: list[tuple[str, str]] = [
    ("ұлы", "m"), ("uly", "m"), ("uulu", "m"), ("ulu", "m"),
    ("қызы", "f"), ("kyzy", "f"), ("kizi", "f"), ("gyzy", "f"),
    ("ская", "f"), ("ский", "m"), ("sky", "m"), ("ski", "m"),
    ("ова", "f"), ("ева", "f"), ("ёва", "f"), ("ина", "f"), ("ына", "f"),
    ("ов", "m"), ("ев", "m"), ("ёв", "m"), ("ин", "m"), ("ын", "m"),
]  # fmt: skip

# Patronymic endings: Russian -ович/-овна and Kazakh -ұлы/-қызы (a Kazakh
# "Серікұлы" is a patronymic beside an -ов surname, and a surname on its own).
PATRONYMIC_SUFFIXES: list[tuple[str, str]] = [
    ("ович", "m"), ("евич", "m"), ("ьевич", "m"), ("ич", "m"),
    ("овна", "f"), ("евна", "f"), ("ьевна", "f"), ("ична", "f"), ("инична", "f"),
    ("ұлы", "m"), ("uly", "m"), ("ulu", "m"), ("uulu", "m"),
    ("қызы", "f"), ("kyzy", "f"), ("kizi", "f"), ("gyzy", "f"),
]  # fmt: skip

# Words that follow a father's name when written apart: "Серік ұлы", "Serik kyzy".
PATRONYMIC_PARTICLES: list[str] = [
    "ұлы", "улы", "uly", "uli", "ulu", "uulu", "қызы", "кызы", "kyzy", "kizi", "qyzy", "gyzy",
]  # fmt: skip

# Common given names in Kazakhstan (Kazakh and Russian), in Cyrillic. Used only to tell
# the given name from the surname when neither carries a telling ending.
GIVEN_NAMES: list[str] = """
Абай Абдулла Абзал Абылай Адилет Адиль Азамат Айбар Айбек Айбол Айдар Айдос Айдын Айсултан
Акжол Алибек Алихан Алмас Алмат Алпамыс Амир Амангельды Арман Арсен Арслан Асан Асет Аскар
Аслан Асхат Ахмет Бауыржан Бахыт Бакыт Бейбит Бекзат Бекарыс Болат Бахтияр Габит Галым
Даулет Дамир Данияр Дархан Даурен Досжан Дулат Ербол Ерболат Ержан Еркебулан Еркин Ерлан
Ермек Ернар Есет Есим Жандос Жанболат Жасулан Жомарт Жумабек Замир Ильяс Ислам Кайрат
Канат Касым Казыбек Кудайберген Куаныш Марат Максат Мади Мейрам Мейржан Мирас Мукагали
Мурат Мухтар Нурбол Нурлан Нурсултан Нуржан Олжас Оспан Рустам Руслан Рахат Сабит Сакен
Самат Санжар Серик Серикбол Сергазы Султан Талгат Тимур Токтар Улан Шокан Ырыс
Айгерим Айгуль Айжан Айнур Айсулу Акмарал Алия Асель Аружан Балжан Ботагоз Гаухар
Гульмира Гульнар Гульнара Дана Динара Жанар Жанна Жулдыз Зарина Индира Камила Карлыгаш
Куралай Лаура Мадина Мира Назерке Назым Перизат Салтанат Сауле Сания Томирис
Улжан Умит Эльмира Асем Анель Даяна Молдир Малика Мерей Раушан Айдана Жансая
Александр Алексей Андрей Анатолий Артем Борис Вадим Валерий Василий Виктор Виталий Владимир
Вячеслав Геннадий Денис Дмитрий Евгений Иван Игорь Константин Максим Михаил Никита Николай
Олег Павел Роман Сергей Станислав Юрий Ярослав Анна Анастасия Валентина Галина Екатерина
Елена Ирина Ксения Людмила Марина Мария Наталья Ольга Светлана Татьяна Юлия
""".split()

# fmt: off
# Places: key -> (region key, spellings). Old Soviet names, Russian, Kazakh Cyrillic and
# Latin spellings of one place share a key. Region keys are those of REGIONS.
PLACES: dict[str, tuple[str, list[str]]] = {
    "almaty": ("almaty_city", ["Алматы", "Алма-Ата", "Almaty", "Alma-Ata", "Alma Ata", "Верный"]),
    "astana": ("astana_city", ["Астана", "Нур-Султан", "Нұр-Сұлтан", "Nur-Sultan", "Nursultan",
                               "Astana", "Акмола", "Akmola city", "Целиноград", "Tselinograd"]),
    "shymkent": ("shymkent_city", ["Шымкент", "Чимкент", "Shymkent", "Chimkent"]),
    "oskemen": ("east_kazakhstan", ["Өскемен", "Усть-Каменогорск", "Oskemen", "Öskemen",
                                    "Ust-Kamenogorsk", "Ust Kamenogorsk"]),
    "semey": ("abai", ["Семей", "Семипалатинск", "Semey", "Semei", "Semipalatinsk"]),
    "kyzylorda": ("kyzylorda", ["Қызылорда", "Кызылорда", "Кзыл-Орда", "Kyzylorda", "Qyzylorda",
                                "Kzyl-Orda", "Ak-Mechet"]),
    "taldykorgan": ("zhetysu", ["Талдықорған", "Талдыкорган", "Талды-Курган", "Taldykorgan",
                                "Taldyqorgan", "Taldy-Kurgan"]),
    "kunaev": ("almaty", ["Қонаев", "Конаев", "Капчагай", "Қапшағай", "Kunayev", "Konaev",
                          "Qonaev", "Kapchagay", "Kapshagay", "Qapshagai"]),
    "taraz": ("zhambyl", ["Тараз", "Джамбул", "Жамбыл", "Аулие-Ата", "Taraz", "Dzhambul",
                          "Zhambyl city", "Aulie-Ata"]),
    "oral": ("west_kazakhstan", ["Орал", "Уральск", "Oral", "Uralsk"]),
    "aktobe": ("aktobe", ["Ақтөбе", "Актобе", "Актюбинск", "Aktobe", "Aqtobe", "Aktyubinsk"]),
    "atyrau": ("atyrau", ["Атырау", "Гурьев", "Atyrau", "Guryev"]),
    "aktau": ("mangystau", ["Ақтау", "Актау", "Шевченко", "Aktau", "Aqtau", "Shevchenko"]),
    "zhanaozen": ("mangystau", ["Жаңаөзен", "Жанаозен", "Новый Узень", "Zhanaozen", "Janaozen",
                                "Zhanaozen", "Novy Uzen"]),
    "karaganda": ("karaganda", ["Қарағанды", "Караганда", "Karaganda", "Karagandy", "Qaraghandy",
                                "Qaragandy"]),
    "temirtau": ("karaganda", ["Теміртау", "Темиртау", "Temirtau"]),
    "zhezkazgan": ("ulytau", ["Жезқазған", "Жезказган", "Джезказган", "Zhezkazgan",
                              "Jezqazgan", "Dzhezkazgan"]),
    "pavlodar": ("pavlodar", ["Павлодар", "Pavlodar"]),
    "ekibastuz": ("pavlodar", ["Екібастұз", "Экибастуз", "Ekibastuz"]),
    "petropavl": ("north_kazakhstan", ["Петропавл", "Петропавловск", "Petropavl",
                                       "Petropavlovsk"]),
    "kostanai": ("kostanay", ["Қостанай", "Костанай", "Кустанай", "Kostanay", "Qostanai",
                              "Kustanai"]),
    "kokshetau": ("akmola", ["Көкшетау", "Кокшетау", "Кокчетав", "Kokshetau", "Kokchetav"]),
    "turkistan": ("turkistan", ["Түркістан", "Туркестан", "Turkistan", "Turkestan"]),
    "talgar": ("almaty", ["Талғар", "Талгар", "Talgar"]),
    "esik": ("almaty", ["Есік", "Есик", "Иссык", "Esik", "Issyk"]),
    "kaskelen": ("almaty", ["Қаскелең", "Каскелен", "Kaskelen", "Qaskeleng"]),
    "uzynagash": ("almaty", ["Ұзынағаш", "Узынагаш", "Uzynagash"]),
    "tekeli": ("zhetysu", ["Текелі", "Текели", "Tekeli"]),
    "zharkent": ("zhetysu", ["Жаркент", "Панфилов", "Zharkent", "Panfilov"]),
    "ridder": ("east_kazakhstan", ["Риддер", "Лениногорск", "Ridder", "Leninogorsk"]),
    "balkhash": ("karaganda", ["Балқаш", "Балхаш", "Balkhash", "Balqash"]),
    "satpaev": ("ulytau", ["Сәтбаев", "Сатпаев", "Satpayev", "Satbayev", "Satpaev"]),
    "stepnogorsk": ("akmola", ["Степногорск", "Stepnogorsk"]),
    "rudny": ("kostanay", ["Рудный", "Rudny", "Rudnyi"]),
    "kentau": ("turkistan", ["Кентау", "Kentau"]),
    "baikonur": ("kyzylorda", ["Байқоңыр", "Байконур", "Baikonur", "Baikonyr", "Baykonur"]),
    "shchuchinsk": ("akmola", ["Щучинск", "Shchuchinsk", "Shchuchinsk"]),
    "aksu": ("pavlodar", ["Ақсу", "Аксу", "Ермак", "Aksu", "Ermak"]),
    "kulsary": ("atyrau", ["Құлсары", "Кульсары", "Kulsary", "Qulsary"]),
    "beineu": ("mangystau", ["Бейнеу", "Beineu", "Beyneu"]),
}

# Regions (oblys) as of January 2022, plus those created in June 2022, and the three
# cities of republican significance.
REGIONS: dict[str, list[str]] = {
    "almaty_city": ["город Алматы", "г. Алматы", "Almaty city"],
    "astana_city": ["город Нур-Султан", "город Астана", "Nur-Sultan city", "Astana city"],
    "shymkent_city": ["город Шымкент", "Shymkent city"],
    "almaty": ["Алматинская", "Алматы облысы", "Almaty Region", "Almaty oblysy", "Almatinskaya"],
    "akmola": ["Акмолинская", "Ақмола", "Акмола", "Akmola", "Aqmola", "Akmolinskaya"],
    "aktobe": ["Актюбинская", "Ақтөбе", "Актобе", "Aktobe", "Aqtobe", "Aktyubinskaya"],
    "atyrau": ["Атырауская", "Атырау", "Atyrau", "Atyrauskaya"],
    "east_kazakhstan": ["Восточно-Казахстанская", "ВКО", "Шығыс Қазақстан", "East Kazakhstan",
                        "Shygys Kazakhstan", "Shyghys Qazaqstan", "Vostochno-Kazakhstanskaya"],
    "zhambyl": ["Жамбылская", "Жамбыл", "Zhambyl", "Jambyl", "Zhambylskaya", "Dzhambulskaya"],
    "west_kazakhstan": ["Западно-Казахстанская", "ЗКО", "Батыс Қазақстан", "West Kazakhstan",
                        "Batys Kazakhstan", "Batys Qazaqstan"],
    "karaganda": ["Карагандинская", "Қарағанды", "Караганда", "Karaganda", "Karagandy",
                  "Qaraghandy", "Karagandinskaya"],
    "kostanay": ["Костанайская", "Қостанай", "Костанай", "Kostanay", "Qostanai", "Kostanaiskaya"],
    "kyzylorda": ["Кызылординская", "Қызылорда", "Кызылорда", "Kyzylorda", "Qyzylorda",
                  "Kyzylordinskaya"],
    "mangystau": ["Мангистауская", "Маңғыстау", "Мангистау", "Мангышлак", "Mangystau",
                  "Mangistau", "Mangghystau", "Mangyshlak", "Mangistauskaya"],
    "pavlodar": ["Павлодарская", "Павлодар", "Pavlodar", "Pavlodarskaya"],
    "north_kazakhstan": ["Северо-Казахстанская", "СКО", "Солтүстік Қазақстан",
                         "North Kazakhstan", "Soltustik Kazakhstan", "Soltustik Qazaqstan"],
    "turkistan": ["Туркестанская", "Түркістан", "Южно-Казахстанская", "ЮКО", "Turkistan",
                  "Turkestan", "South Kazakhstan", "Ontustik Kazakhstan"],
    "abai": ["Абайская", "Абай", "Abai", "Abay"],
    "zhetysu": ["Жетысуская", "Жетісу", "Жетысу", "Zhetysu", "Jetisu", "Zhetisu"],
    "ulytau": ["Улытауская", "Ұлытау", "Улытау", "Ulytau"],
}

# fmt: on

# Words around a place name that say what kind of place it is; dropped before lookup.
CITY_WORDS: list[str] = """
г город гор city town village aul аул село с пос поселок посёлок кала қаласы qalasy kalasy
""".split()
REGION_WORDS: list[str] = """
область обл облысы oblysy oblast region province район р-н audany ауданы district
""".split()
