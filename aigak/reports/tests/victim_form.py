"""A FormDefinition of the Victims questionnaire built from victim-questionnaire.md.

Engine tests run on it without a database or the XLSForm file; labels are the names.
"""

from __future__ import annotations

from aigak.questionnaires.xlsform import Choice, Field, FormDefinition, Section

REGIONS = (
    "astana almaty shymkent akmola aktobe almaty_oblast atyrau east_kazakhstan zhambyl "
    "west_kazakhstan karaganda kostanay kyzylorda mangystau pavlodar north_kazakhstan turkestan"
)

SELECTS = {
    "source_type": ("one", "relative victim media_internet lawyer_representative "
                    "activist_friend_colleague court_documents other"),
    "source_gender": ("one", "female male"),
    "gender": ("one", "female male"),
    "ethnicity": ("one", "kazakh russian korean kyrgyz tatar uzbek jewish turk uighur ukrainian "
                  "other unknown prefer_not_to_say"),
    "citizenship": ("one", "kz_citizen kz_residence_permit foreign_citizen unknown other"),
    "region_residence": ("one", REGIONS + " other unknown"),
    "social_status": ("multiple", "hired_worker self_employed civil_activist student entrepreneur "
                      "other unemployed law_enforcement journalist pensioner housewife blogger "
                      "government_employee schoolchild lawyer human_rights_activist "
                      "political_activist"),
    "vital_status": ("one", "deceased alive"),
    "location_at_interview": ("one", "conditional_sentence pretrial_detention prison at_liberty "
                              "hospital house_arrest undertaking_not_to_leave bail "
                              "administrative_supervision"),
    "facility_region": ("one", REGIONS),
    "event_region": ("one", REGIONS),
    "event_locality": ("one", "almaty taraz taldykorgan semey ust_kamenogorsk shymkent kyzylorda "
                       "aktobe astana ekibastuz uralsk atyrau kokshetau kostanay pavlodar aktau "
                       "zhambyl_district bayanaul koshmambet petropavlovsk stepnogorsk karaganda "
                       "kaskelen other"),
    "role": ("one", "voluntary_participant bystander not_at_scene unplanned_participant observer "
             "on_route unknown_home_or_work mercenary forced_participant other"),
    "essence": ("multiple", "died gunshot cold_weapon beaten special_means truncheons "
                "electric_shock detained missing tortured psychological_pressure prosecuted "
                "exhumed other"),
    "group_or_individual": ("one", "individual group"),
    "appealed": ("one", "yes no in_progress other"),
    "appeal_subject": ("multiple", "torture illegal_detention prosecution beatings "
                       "abuse_of_authority psychological_pressure illegal_search "
                       "counterintelligence pretrial_restrictions information_denied "
                       "minor_rights stop_prosecution wrongful_conviction death_of_victim "
                       "return_of_property other"),
    "appeal_body": ("multiple", "ombudsman prosecutor anticorruption police ngo_party media court "
                    "judicial_board president parliament special_commission internal_security "
                    "npm akim other"),
    "appeal_outcome": ("one", "successful unsuccessful pending"),
    "intl_instruments": ("multiple", "iccpr cat"),
    "rights_violated": ("multiple", "free_movement equality fair_trial thought_religion "
                        "expression assembly life torture_prohibition arbitrary_detention "
                        "privacy"),
    "law_codes": ("multiple", "criminal_code administrative_code"),
    "articles": ("multiple", "cc_24 cc_28 cc_99 cc_105 cc_126 cc_146 cc_174 cc_187 cc_188 "
                 "cc_194 cc_200 cc_202 cc_255 cc_256 cc_269 cc_272 cc_273 cc_274 cc_287 cc_288 "
                 "cc_289 cc_291 cc_293 cc_296 cc_361 cc_362 cc_378 cc_379 cc_380 cc_405 "
                 "cc_451 cao_478 cao_488 cao_669 cao_699 article_unknown case_unknown "
                 "not_involved no_case"),
    "published": ("one", "yes no"),
    "publication_channels": ("multiple", "youtube facebook whatsapp instagram telegram tiktok "
                             "vk other"),
    "challenges": ("multiple", "safety_threats unreliable_info refused_info low_awareness "
                   "too_personal none other"),
}  # fmt: skip
DATES = ("entry_date", "birth_date", "death_date", "violation_start", "violation_end")
TEXTS = (
    "record_id documenter source_relation full_name citizenship_country location_comment "
    "facility_name narrative appeal_result publication_media"
).split()


def victim_form() -> FormDefinition:
    fields: dict[str, Field] = {}
    for name in TEXTS:
        fields[name] = Field(name=name, type="text", label={"en": name})
    for name in DATES:
        fields[name] = Field(name=name, type="date", label={"en": name})
    fields["age_stated"] = Field(name="age_stated", type="integer", label={"en": "age"})
    for name, (kind, choices) in SELECTS.items():
        names = choices.split()
        fields[name] = Field(
            name=name,
            type=f"select_{kind}",
            label={"en": name},
            list_name=name,
            choices=[Choice(c, {"en": c.replace("_", " ").capitalize()}) for c in names],
        )
        if "other" in names:
            fields[f"{name}_other"] = Field(name=f"{name}_other", type="text")
    root = Section(name="", kind="root", children=list(fields))
    return FormDefinition("victim", "Victims", "1", ["en"], "en", fields, root)
