"""The Torture questionnaire (``torture.xlsx``).

One record per person who was tortured or ill-treated: detention, the places they were
held, methods, perpetrators, medical and forensic documentation, the complaint and the
criminal case under Article 146 of the Criminal Code. Drawn from the torture testimonies
in "Shoot to kill...", Human Rights Watch (May 2022) and IPHR/KIBHR (2022-2023). The
person is linked to the Victims questionnaire by ``victim_record_id``. Row and choice
shapes as in ``victim_form``.
"""

from . import shared_rows
from .shared_lists import (
    APPEAL_BODY,
    GENDER,
    INTERVIEW_MODE,
    LOCALITY,
    OTHER,
    REGION,
    SECURITY_FORCES,
    SOURCE_TYPE,
    UNKNOWN,
    YES_NO,
    YES_NO_UNKNOWN,
    Choice,
    Row,
    with_other,
)
from .shared_rows import NOT_IN_FUTURE, SEVERAL_ANSWERS, not_before, yes_no_unknown

FORM_ID = "torture"
FORM_TITLE = "Torture"
VERSION = "2026.1"

COMPLAINT_FILED = "${complaint_filed} = 'yes'"
CASE_REGISTERED = "${case_registered} = 'yes'"
MEDICAL_EXAM = "${medical_exam} = 'yes'"
FORENSIC_EXAM = "${forensic_exam} = 'yes'"


SURVEY: list[Row] = [
    {
        "type": "note",
        "name": "consent_note",
        "label": (
            "Explain who we are and how the information will be used and protected. Ask only "
            "what the person is ready to tell: they may skip any question and stop at any "
            "time. Offer contacts for medical, psychological and legal help.",
            "Объясните, кто мы и как будет использоваться и защищаться информация. "
            "Спрашивайте только о том, что человек готов рассказать: он может пропустить "
            "любой вопрос и остановиться в любой момент. Предложите контакты медицинской, "
            "психологической и юридической помощи.",
            "Біздің кім екенімізді және ақпараттың қалай пайдаланылып, қорғалатынын "
            "түсіндіріңіз. Адам айтуға дайын нәрсені ғана сұраңыз: ол кез келген сұрақты "
            "өткізіп жіберіп, кез келген уақытта тоқтай алады. Медициналық, психологиялық "
            "және заң көмегінің байланыс деректерін ұсыныңыз.",
        ),
    },
    *shared_rows.documentation_group(
        "T",
        *shared_rows.source_type(),
        shared_rows.source_name(),
        shared_rows.source_contact(),
        shared_rows.interview_mode(),
        *shared_rows.consent(
            "Consent to publish the person's name",
            "Согласие на публикацию имени",
            "Есімін жариялауға келісім",
        ),
    ),
    {
        "type": "begin group",
        "name": "person",
        "label": (
            "The person subjected to torture",
            "Лицо, подвергшееся пыткам",
            "Азаптауға ұшыраған адам",
        ),
    },
    {
        "type": "text",
        "name": "victim_record_id",
        "label": (
            "Record ID in the Victims questionnaire",
            "Идентификатор в анкете «Пострадавшие»",
            "«Жәбірленушілер» сауалнамасындағы идентификатор",
        ),
        "hint": (
            "The record_id of the same person among the Victims, e.g. V-000123, if there is one.",
            "Идентификатор того же человека в анкете «Пострадавшие», например V-000123, если есть.",
            "Сол адамның «Жәбірленушілер» сауалнамасындағы идентификаторы, мысалы V-000123, "
            "бар болса.",
        ),
    },
    shared_rows.full_name(),
    shared_rows.birth_date(),
    shared_rows.age_stated(),
    shared_rows.gender(),
    yes_no_unknown(
        "died_as_result",
        "Did the person die as a result of the ill-treatment?",
        "Умер ли человек в результате жестокого обращения?",
        "Адам қатыгездік салдарынан қайтыс болды ма?",
    ),
    yes_no_unknown(
        "charged",
        "Was the person charged with an offence?",
        "Было ли человеку предъявлено обвинение?",
        "Адамға айып тағылды ма?",
    ),
    {
        "type": "text",
        "name": "charges",
        "label": ("Charges (articles)", "Обвинение (статьи)", "Айып (баптар)"),
        "hint": (
            "e.g. CC art. 272 (mass riots)",
            "например, ст. 272 УК (массовые беспорядки)",
            "мысалы, ҚК 272-бап (жаппай тәртіпсіздіктер)",
        ),
        "relevant": "${charged} = 'yes'",
    },
    {"type": "end group"},
    {
        "type": "begin group",
        "name": "detention",
        "label": ("Detention", "Задержание", "Ұстау"),
    },
    {
        "type": "date",
        "name": "detention_date",
        "label": ("Date of detention", "Дата задержания", "Ұсталған күні"),
        **NOT_IN_FUTURE,
    },
    *shared_rows.region_and_locality("region", "locality"),
    *with_other(
        {
            "type": "select_one detention_circumstances",
            "name": "detention_circumstances",
            "label": (
                "Where the person was detained",
                "Где человека задержали",
                "Адам қай жерде ұсталды",
            ),
        }
    ),
    yes_no_unknown(
        "lawyer_access",
        "Could the person see a lawyer of their choice promptly?",
        "Был ли у человека своевременный доступ к адвокату по выбору?",
        "Адам өзі таңдаған адвокатпен дер кезінде кездесе алды ма?",
    ),
    yes_no_unknown(
        "family_informed",
        "Were the relatives told where the person was held?",
        "Сообщили ли родственникам, где содержится человек?",
        "Туыстарына адамның қайда ұсталғаны хабарланды ма?",
    ),
    {"type": "end group"},
    {
        "type": "begin repeat",
        "name": "places",
        "label": (
            "Places of detention and ill-treatment",
            "Места содержания и жестокого обращения",
            "Ұстау және қатыгездік көрсетілген орындар",
        ),
    },
    *with_other(
        {
            "type": "select_one place_type",
            "name": "place_type",
            "label": ("Type of place", "Тип места", "Орынның түрі"),
        }
    ),
    {
        "type": "text",
        "name": "place_name",
        "label": (
            "Name and address of the place",
            "Название и адрес места",
            "Орынның атауы мен мекенжайы",
        ),
        "hint": (
            "e.g. LA-155/18, Almaty; the gym of the Atyrau police",
            "например, ЛА-155/18, Алматы; спортзал полиции Атырау",
            "мысалы, ЛА-155/18, Алматы; Атырау полициясының спортзалы",
        ),
    },
    {
        "type": "date",
        "name": "place_from",
        "label": ("Held there from", "Содержался там с", "Сонда қай күннен бастап ұсталды"),
    },
    {
        "type": "date",
        "name": "place_to",
        "label": ("Held there until", "Содержался там до", "Сонда қай күнге дейін ұсталды"),
        **not_before("place_from"),
    },
    yes_no_unknown(
        "place_ill_treatment",
        "Was the person ill-treated there?",
        "Подвергался ли человек там жестокому обращению?",
        "Адамға сол жерде қатыгездік көрсетілді ме?",
    ),
    {"type": "end repeat"},
    {
        "type": "begin group",
        "name": "ill_treatment",
        "label": (
            "Torture and ill-treatment",
            "Пытки и жестокое обращение",
            "Азаптау және қатыгездік",
        ),
    },
    {
        "type": "date",
        "name": "ill_treatment_start",
        "label": (
            "Date the ill-treatment began",
            "Дата начала жестокого обращения",
            "Қатыгездіктің басталған күні",
        ),
        **NOT_IN_FUTURE,
    },
    {
        "type": "date",
        "name": "ill_treatment_end",
        "label": (
            "Date the ill-treatment ended",
            "Дата окончания жестокого обращения",
            "Қатыгездіктің аяқталған күні",
        ),
        **not_before("ill_treatment_start"),
    },
    *with_other(
        {
            "type": "select_multiple methods",
            "name": "methods",
            "label": (
                "Methods of torture and ill-treatment",
                "Методы пыток и жестокого обращения",
                "Азаптау және қатыгездік әдістері",
            ),
            "hint": SEVERAL_ANSWERS,
        }
    ),
    *with_other(
        {
            "type": "select_multiple purpose",
            "name": "purpose",
            "label": ("Apparent purpose", "Очевидная цель", "Көзделген мақсаты"),
            "hint": SEVERAL_ANSWERS,
        }
    ),
    {
        "type": "text",
        "name": "injuries",
        "label": ("Injuries", "Телесные повреждения", "Дене жарақаттары"),
        "appearance": "multiline",
        "confidential": "yes",
    },
    *with_other(
        {
            "type": "select_multiple health_consequences",
            "name": "health_consequences",
            "label": (
                "Consequences for health",
                "Последствия для здоровья",
                "Денсаулыққа салдары",
            ),
            "hint": SEVERAL_ANSWERS,
            "confidential": "yes",
        }
    ),
    {"type": "end group"},
    {
        "type": "begin repeat",
        "name": "perpetrators",
        "label": ("Perpetrators", "Исполнители", "Орындаушылар"),
        "hint": (
            "One entry per agency or group of perpetrators.",
            "Одна запись на ведомство или группу исполнителей.",
            "Әр ведомство немесе орындаушылар тобы үшін бір жазба.",
        ),
    },
    *with_other(
        {
            "type": "select_one agency",
            "name": "perpetrator_agency",
            "label": ("Agency", "Ведомство", "Ведомство"),
        }
    ),
    {
        "type": "integer",
        "name": "perpetrator_count",
        "label": ("Number of perpetrators", "Число исполнителей", "Орындаушылар саны"),
        "constraint": ". >= 1",
        "constraint_message": ("At least 1.", "Не меньше 1.", "Кемінде 1."),
    },
    yes_no_unknown(
        "perpetrator_uniformed",
        "In uniform?",
        "В форме?",
        "Нысанды киімде ме?",
    ),
    yes_no_unknown(
        "perpetrator_masked",
        "Masked?",
        "В масках?",
        "Бетперде киген бе?",
    ),
    yes_no_unknown(
        "perpetrator_identifiable",
        "Can the person identify them?",
        "Может ли человек их опознать?",
        "Адам оларды тани ала ма?",
    ),
    {
        "type": "text",
        "name": "perpetrator_names",
        "label": (
            "Names, ranks, badge numbers",
            "Имена, звания, номера жетонов",
            "Аты-жөні, атағы, жетон нөмірі",
        ),
        "confidential": "yes",
    },
    {"type": "end repeat"},
    {
        "type": "begin group",
        "name": "medical",
        "label": (
            "Medical and forensic documentation",
            "Медицинская и судебно-медицинская документация",
            "Медициналық және сот-медициналық құжаттама",
        ),
    },
    yes_no_unknown(
        "medical_exam",
        "Was the person examined by a doctor?",
        "Осматривал ли человека врач?",
        "Адамды дәрігер тексерді ме?",
    ),
    {
        "type": "date",
        "name": "medical_exam_date",
        "label": (
            "Date of the medical examination",
            "Дата медицинского осмотра",
            "Медициналық тексеру күні",
        ),
        "relevant": MEDICAL_EXAM,
    },
    *with_other(
        {
            "type": "select_one medical_exam_by",
            "name": "medical_exam_by",
            "label": ("Who examined the person", "Кто проводил осмотр", "Тексеруді кім жүргізді"),
            "relevant": MEDICAL_EXAM,
        }
    ),
    yes_no_unknown(
        "forensic_exam",
        "Was a forensic medical examination carried out?",
        "Проводилась ли судебно-медицинская экспертиза?",
        "Сот-медициналық сараптама жүргізілді ме?",
    ),
    {
        "type": "date",
        "name": "forensic_exam_date",
        "label": (
            "Date of the forensic examination",
            "Дата судебно-медицинской экспертизы",
            "Сот-медициналық сараптама күні",
        ),
        "relevant": FORENSIC_EXAM,
    },
    yes_no_unknown(
        "istanbul_protocol",
        "Did the examination follow the Istanbul Protocol?",
        "Проводилась ли экспертиза по Стамбульскому протоколу?",
        "Сараптама Стамбул хаттамасына сай жүргізілді ме?",
        relevant=FORENSIC_EXAM,
    ),
    {
        "type": "text",
        "name": "medical_findings",
        "label": (
            "Findings of the examinations",
            "Выводы осмотров и экспертиз",
            "Тексерулер мен сараптамалардың қорытындылары",
        ),
        "relevant": f"{MEDICAL_EXAM} or {FORENSIC_EXAM}",
        "appearance": "multiline",
        "confidential": "yes",
    },
    yes_no_unknown(
        "injuries_recorded",
        "Were the injuries photographed or filmed?",
        "Сняты ли телесные повреждения на фото или видео?",
        "Дене жарақаттары суретке немесе бейнеге түсірілді ме?",
    ),
    yes_no_unknown(
        "medical_documents",
        "Are copies of medical documents available?",
        "Есть ли копии медицинских документов?",
        "Медициналық құжаттардың көшірмелері бар ма?",
    ),
    {"type": "end group"},
    {
        "type": "begin group",
        "name": "complaint",
        "label": ("Complaint and investigation", "Жалоба и расследование", "Шағым және тергеу"),
    },
    yes_no_unknown(
        "complaint_filed",
        "Was a complaint about the torture filed?",
        "Подавалась ли жалоба на пытки?",
        "Азаптау туралы шағым берілді ме?",
    ),
    {
        "type": "date",
        "name": "complaint_date",
        "label": ("Date of the complaint", "Дата подачи жалобы", "Шағым берілген күн"),
        "relevant": COMPLAINT_FILED,
    },
    *with_other(
        {
            "type": "select_multiple appeal_body",
            "name": "complaint_body",
            "label": ("Where the complaint was filed", "Куда подана жалоба", "Шағым қайда берілді"),
            "hint": SEVERAL_ANSWERS,
            "relevant": COMPLAINT_FILED,
        }
    ),
    *with_other(
        {
            "type": "select_multiple no_complaint_reason",
            "name": "no_complaint_reason",
            "label": (
                "Why no complaint was filed",
                "Почему жалоба не подавалась",
                "Неліктен шағым берілмеді",
            ),
            "relevant": "${complaint_filed} = 'no'",
        }
    ),
    yes_no_unknown(
        "case_registered",
        "Was a criminal case registered?",
        "Зарегистрировано ли уголовное дело?",
        "Қылмыстық іс тіркелді ме?",
    ),
    *with_other(
        {
            "type": "select_one case_article",
            "name": "case_article",
            "label": ("Article of the case", "Статья дела", "Істің бабы"),
            "relevant": CASE_REGISTERED,
        }
    ),
    {
        "type": "text",
        "name": "case_number",
        "label": (
            "Case number in the Unified Register of Pre-trial Investigations",
            "Номер дела в ЕРДР",
            "Сотқа дейінгі тергеп-тексерулердің бірыңғай тізіліміндегі іс нөмірі",
        ),
        "relevant": CASE_REGISTERED,
    },
    {
        "type": "date",
        "name": "case_date",
        "label": ("Date the case was registered", "Дата регистрации дела", "Істің тіркелген күні"),
        "relevant": CASE_REGISTERED,
    },
    *with_other(
        {
            "type": "select_one investigating_body",
            "name": "investigating_body",
            "label": (
                "Body investigating the case",
                "Орган, расследующий дело",
                "Істі тергейтін орган",
            ),
            "relevant": CASE_REGISTERED,
        }
    ),
    yes_no_unknown(
        "recognised_as_victim",
        "Was the person recognised as a victim in the case?",
        "Признан ли человек потерпевшим по делу?",
        "Адам іс бойынша жәбірленуші деп танылды ма?",
        relevant=CASE_REGISTERED,
    ),
    yes_no_unknown(
        "suspects_identified",
        "Were suspects identified?",
        "Установлены ли подозреваемые?",
        "Күдіктілер анықталды ма?",
        relevant=CASE_REGISTERED,
    ),
    *with_other(
        {
            "type": "select_one investigation_outcome",
            "name": "investigation_outcome",
            "label": ("Outcome of the investigation", "Итог расследования", "Тергеудің нәтижесі"),
            "relevant": CASE_REGISTERED,
        }
    ),
    {
        "type": "date",
        "name": "outcome_date",
        "label": ("Date of the decision", "Дата решения", "Шешім шыққан күн"),
        "relevant": CASE_REGISTERED,
    },
    {
        "type": "text",
        "name": "verdict_details",
        "label": (
            "Verdict: who was convicted and the sentences",
            "Приговор: кто осуждён и к чему",
            "Үкім: кім сотталды және қандай жаза тағайындалды",
        ),
        "relevant": "${investigation_outcome} = 'verdict'",
        "appearance": "multiline",
    },
    yes_no_unknown(
        "compensation",
        "Has the person received compensation?",
        "Получил ли человек компенсацию?",
        "Адам өтемақы алды ма?",
    ),
    {"type": "end group"},
    {
        "type": "begin group",
        "name": "account",
        "label": ("Account", "Рассказ", "Баяндама"),
    },
    shared_rows.narrative(
        ("In the person's own words.", "Словами человека.", "Адамның өз сөзімен.")
    ),
    shared_rows.documenter_notes(),
    {"type": "end group"},
]

CHOICES: dict[str, list[Choice]] = {
    "source_type": SOURCE_TYPE,
    "interview_mode": INTERVIEW_MODE,
    "yes_no": YES_NO,
    "gender": GENDER,
    "yes_no_unknown": YES_NO_UNKNOWN,
    "region": REGION,
    "locality": LOCALITY,
    "detention_circumstances": [
        ("at_rally", "At a rally or on the square", "На митинге, на площади", "Митингіде, алаңда"),
        ("in_street", "In the street", "На улице", "Көшеде"),
        ("at_home", "At home", "Дома", "Үйде"),
        ("at_work", "At work", "На работе", "Жұмыста"),
        ("in_hospital", "Taken from a hospital", "Забрали из больницы", "Ауруханадан алып кетті"),
        (
            "summoned",
            "Summoned by the police or an investigator",
            "Вызвали в полицию или к следователю",
            "Полицияға немесе тергеушіге шақырылды",
        ),
        OTHER,
    ],
    "place_type": [
        (
            "police_station",
            "Police department or station",
            "Отдел или департамент полиции",
            "Полиция бөлімі немесе департаменті",
        ),
        (
            "temporary_detention",
            "Temporary detention facility (IVS)",
            "Изолятор временного содержания (ИВС)",
            "Уақытша ұстау изоляторы (УҰИ)",
        ),
        (
            "pretrial_detention",
            "Pre-trial detention centre (SIZO)",
            "Следственный изолятор (СИЗО)",
            "Тергеу изоляторы (ТИ)",
        ),
        ("knb_building", "KNB building", "Здание КНБ", "ҰҚК ғимараты"),
        (
            "improvised",
            "Gym, basement, container or other improvised place",
            "Спортзал, подвал, контейнер или другое приспособленное место",
            "Спортзал, жертөле, контейнер немесе басқа бейімделген орын",
        ),
        (
            "vehicle",
            "Vehicle (police van, bus)",
            "Транспорт (автозак, автобус)",
            "Көлік (автозак, автобус)",
        ),
        ("hospital", "Hospital", "Больница", "Аурухана"),
        (
            "military_site",
            "Military unit or airport",
            "Воинская часть или аэропорт",
            "Әскери бөлім немесе әуежай",
        ),
        ("street", "Street, place of arrest", "Улица, место задержания", "Көше, ұсталған жер"),
        OTHER,
    ],
    "methods": [
        (
            "beating",
            "Beating (fists, kicks)",
            "Избиение (кулаками, ногами)",
            "Ұрып-соғу (жұдырықпен, аяқпен)",
        ),
        (
            "batons",
            "Beating with batons or weapons",
            "Избиение дубинками или оружием",
            "Резеңке таяқпен немесе қарумен ұру",
        ),
        ("electric_shock", "Electric shocks", "Электрошок", "Электр тогымен азаптау"),
        (
            "suffocation_bag",
            "Suffocation (plastic bag, gas mask)",
            "Удушение (пакет, противогаз)",
            "Тұншықтыру (пакет, противогаз)",
        ),
        ("boiling_water", "Boiling water poured over", "Обливание кипятком", "Қайнаған су құю"),
        (
            "burning",
            "Burning (iron, cigarettes)",
            "Ожоги (утюг, сигареты)",
            "Күйдіру (үтік, темекі)",
        ),
        ("needles", "Needles under the nails", "Иглы под ногти", "Тырнақ астына ине сұғу"),
        (
            "threats_to_relatives",
            "Threats to relatives",
            "Угрозы родственникам",
            "Туыстарына қатер төндіру",
        ),
        (
            "death_threats",
            "Death threats, threats with weapons",
            "Угрозы убийством, угрозы оружием",
            "Өлтіремін деп қорқыту, қарумен қорқыту",
        ),
        (
            "sexual_violence",
            "Sexual violence or threats of it",
            "Сексуальное насилие или угрозы им",
            "Жыныстық зорлық-зомбылық немесе онымен қорқыту",
        ),
        (
            "denial_of_medical_care",
            "Denial of medical care",
            "Отказ в медицинской помощи",
            "Медициналық көмек көрсетпеу",
        ),
        (
            "removal_from_hospital",
            "Removal from hospital",
            "Изъятие из больницы",
            "Ауруханадан алып кету",
        ),
        (
            "stress_positions",
            "Stress positions, forced standing",
            "Стрессовые позы, принуждение стоять",
            "Азапты қалыпта ұстау, ұзақ тік тұрғызу",
        ),
        ("sleep_deprivation", "Sleep deprivation", "Лишение сна", "Ұйқыдан айыру"),
        (
            "food_water_deprivation",
            "Little or no food and water",
            "Лишение еды и воды",
            "Тамақ пен судан айыру",
        ),
        (
            "cell_conditions",
            "Cold, damp or overcrowded cell",
            "Холодная, сырая или переполненная камера",
            "Суық, дымқыл немесе адам лық толы камера",
        ),
        ("forced_nudity", "Held without clothes", "Содержание без одежды", "Киімсіз ұстау"),
        ("humiliation", "Humiliation", "Унижение", "Қорлау"),
        OTHER,
    ],
    "purpose": [
        (
            "confession",
            "To extract a confession or testimony",
            "Добиться признания или показаний",
            "Мойындату немесе айғақ алу",
        ),
        ("information", "To obtain information", "Получить информацию", "Ақпарат алу"),
        ("punishment", "Punishment", "Наказание", "Жазалау"),
        ("intimidation", "Intimidation", "Запугивание", "Қорқыту"),
        UNKNOWN,
        OTHER,
    ],
    "health_consequences": [
        ("fractures", "Fractures", "Переломы", "Сүйек сынуы"),
        (
            "head_injury",
            "Head injury, concussion",
            "Травма головы, сотрясение мозга",
            "Бас жарақаты, ми шайқалуы",
        ),
        ("lost_teeth", "Teeth knocked out", "Выбитые зубы", "Тістің қағылуы"),
        ("burns", "Burns", "Ожоги", "Күйік"),
        ("disability", "Disability", "Инвалидность", "Мүгедектік"),
        (
            "psychological_trauma",
            "Psychological trauma",
            "Психологическая травма",
            "Психологиялық жарақат",
        ),
        ("death", "Death", "Смерть", "Қайтыс болу"),
        OTHER,
    ],
    "agency": [
        *SECURITY_FORCES,
        (
            "penitentiary",
            "Detention staff (SIZO, IVS)",
            "Сотрудники мест содержания (СИЗО, ИВС)",
            "Ұстау орындарының қызметкерлері (ТИ, УҰИ)",
        ),
        UNKNOWN,
        OTHER,
    ],
    "medical_exam_by": [
        ("ambulance", "Ambulance", "Скорая помощь", "Жедел жәрдем"),
        (
            "detention_medic",
            "Medical staff of the place of detention",
            "Медработник места содержания",
            "Ұстау орнының медицина қызметкері",
        ),
        ("hospital", "Hospital", "Больница", "Аурухана"),
        ("independent_doctor", "Independent doctor", "Независимый врач", "Тәуелсіз дәрігер"),
        OTHER,
    ],
    "appeal_body": APPEAL_BODY,
    "no_complaint_reason": [
        ("fear_of_reprisal", "Fear of reprisals", "Страх преследования", "Қудалаудан қорқу"),
        (
            "masked_perpetrators",
            "Perpetrators were masked and cannot be identified",
            "Исполнители были в масках, их не опознать",
            "Орындаушылар бетперде киген, оларды тану мүмкін емес",
        ),
        (
            "no_lawyer",
            "No access to a lawyer",
            "Нет доступа к адвокату",
            "Адвокатқа қолжетімділік жоқ",
        ),
        (
            "signs_gone",
            "The signs of torture had faded",
            "Следы пыток уже сошли",
            "Азаптау іздері кетіп қалды",
        ),
        (
            "no_trust",
            "No trust in the authorities",
            "Нет доверия к органам",
            "Органдарға сенім жоқ",
        ),
        OTHER,
    ],
    "case_article": [
        ("cc_146", "CC art. 146: torture", "УК, ст. 146: пытки", "ҚК 146-бап: азаптау"),
        (
            "cc_361",
            "CC art. 361: abuse of official authority",
            "УК, ст. 361: злоупотребление должностными полномочиями",
            "ҚК 361-бап: лауазымдық өкілеттіктерді теріс пайдалану",
        ),
        (
            "cc_362",
            "CC art. 362: exceeding power or official authority",
            "УК, ст. 362: превышение власти или должностных полномочий",
            "ҚК 362-бап: билікті немесе лауазымдық өкілеттіктерді асыра пайдалану",
        ),
        (
            "cc_451",
            "CC art. 451: abuse of power (military)",
            "УК, ст. 451: злоупотребление властью (воинское)",
            "ҚК 451-бап: билікті теріс пайдалану (әскери)",
        ),
        OTHER,
    ],
    "investigating_body": [
        (
            "anticorruption",
            "Anti-corruption agency",
            "Антикоррупционная служба",
            "Сыбайлас жемқорлыққа қарсы қызмет",
        ),
        (
            "special_prosecutor",
            "Special prosecutors",
            "Специальные прокуроры",
            "Арнайы прокурорлар",
        ),
        ("police", "Police", "Полиция", "Полиция"),
        ("knb", "KNB", "КНБ", "ҰҚК"),
        OTHER,
    ],
    "investigation_outcome": [
        ("ongoing", "Investigation ongoing", "Расследование продолжается", "Тергеу жалғасуда"),
        (
            "terminated_no_corpus_delicti",
            "Terminated: no corpus delicti",
            "Прекращено за отсутствием состава преступления",
            "Қылмыс құрамы болмағандықтан тоқтатылды",
        ),
        (
            "terminated_lack_of_evidence",
            "Terminated: lack of evidence",
            "Прекращено за недоказанностью",
            "Дәлелденбегендіктен тоқтатылды",
        ),
        (
            "terminated_plea_bargain",
            "Terminated: procedural agreement (plea bargain)",
            "Прекращено: процессуальное соглашение",
            "Тоқтатылды: процестік келісім",
        ),
        (
            "suspended",
            "Suspended (perpetrators not identified)",
            "Приостановлено (исполнители не установлены)",
            "Тоқтатыла тұрды (орындаушылар анықталмады)",
        ),
        ("in_court", "In court", "В суде", "Сотта"),
        ("verdict", "Verdict delivered", "Вынесен приговор", "Үкім шығарылды"),
        UNKNOWN,
        OTHER,
    ],
}
