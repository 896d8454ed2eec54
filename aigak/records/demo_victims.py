"""579 synthetic Victims records whose report reproduces the published Qantar2022 tables.

``demo_ages`` places breakdown, gender, region of residence and age (the attributes
the tables tie together). Every other table is a marginal per column (or per gender and
column) and is dealt out here exactly, preferring plausible combinations: the detained
survivors are the ones held in a facility, students are young, an appeal subject
belongs to a case that was appealed, an end date never comes before its start. All
draws come from one seeded ``random.Random``: the same seed gives the same records.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from aigak.records import demo_texts as texts
from aigak.records.demo_ages import (
    HELD,
    LOCALITY_REGION,
    RESTRICTED,
    VITAL,
    D,
    Record,
    S,
    Targets,
    solve_ages,
)

SEED = 2022
GENDERS = ("female", "male")


# --- dealing out marginals ------------------------------------------------------------


def deal_single(
    rng: random.Random,
    pool: list[Record],
    field: str,
    quotas: dict[str, int],
    prefer: Callable[[Record], list[str]] | None = None,
    priority: Callable[[Record], float] | None = None,
) -> None:
    """Give `field` to sum(quotas) records of the pool, exactly quota[choice] each."""
    quotas = {k: v for k, v in quotas.items() if v}
    need = sum(quotas.values())
    assert need <= len(pool), (field, need, len(pool))
    order = _ordered(rng, pool, priority)[:need]
    rest = []
    for record in order:
        want = next((w for w in (prefer(record) if prefer else ()) if quotas.get(w)), None)
        if want:
            record[field] = want
            quotas[want] -= 1
        else:
            rest.append(record)
    left = [k for k, n in quotas.items() for _ in range(n)]
    rng.shuffle(left)
    for record, value in zip(rest, left, strict=True):
        record[field] = value


def deal_multiple(
    rng: random.Random,
    pool: list[Record],
    field: str,
    answered: int,
    counts: dict[str, int],
    *,
    priority: Callable[[Record], float] | None = None,
    rank: Callable[[Record, str], float] | None = None,
    exclusive: tuple[str, ...] = (),
    first: tuple[str, ...] = (),
) -> None:
    """Tick choices on `answered` records so each choice has its count and every
    answered record ticks at least one (the least-ticked records are served first)."""
    chosen = _ordered(rng, pool, priority)[:answered]
    ticks: dict[int, list[str]] = {id(r): [] for r in chosen}
    closed: set[int] = set()
    order = [*exclusive, *first, *sorted(set(counts) - set(exclusive) - set(first),
                                         key=lambda k: -counts[k])]  # fmt: skip
    noise = {id(r): rng.random() for r in chosen}
    for choice in order:
        n = counts.get(choice, 0)
        if not n:
            continue
        candidates = [r for r in chosen if id(r) not in closed and choice not in ticks[id(r)]]
        candidates.sort(
            key=lambda r: (len(ticks[id(r)]), -(rank(r, choice) if rank else 0), noise[id(r)])
        )
        assert len(candidates) >= n, (field, choice, n, len(candidates))
        for r in candidates[:n]:
            ticks[id(r)].append(choice)
            if choice in exclusive:
                closed.add(id(r))
    for r in chosen:
        assert ticks[id(r)], (field, "a record ticked nothing")
        r[field] = ticks[id(r)]


def _ordered(
    rng: random.Random, pool: list[Record], priority: Callable[[Record], float] | None
) -> list[Record]:
    keyed = [(priority(r) if priority else 0, rng.random(), i) for i, r in enumerate(pool)]
    return [pool[i] for _, _, i in sorted(keyed)]


def split(people: list[Record]) -> dict[str, list[Record]]:
    return {c: [p for p in people if p["_col"] == c] for c in (D, S)}


def _quotas(pairs: dict[str, tuple[int, int]], column: str, prefix: str = "") -> dict[str, int]:
    return {
        key[len(prefix) :]: value[column == S]
        for key, value in pairs.items()
        if key.startswith(prefix)
    }


def _date(day: dt.date) -> str:
    return day.isoformat()


def victim_answers(seed: int = SEED) -> list[dict[str, Any]]:
    """The 579 answer sets, in order of entry date, with record ids V-000001..."""
    rng = random.Random(seed)
    t = Targets()
    people = solve_ages(t, rng)
    cols = split(people)
    _people(t, rng, cols)
    _events(t, rng, cols)
    _detention(t, rng, cols)
    _what_happened(t, rng, cols)
    _dates(t, rng, people, cols)
    _appeals(t, rng, cols)
    _legal(t, rng, cols)
    _publications(t, rng, cols)
    _documentation(t, rng, people, cols)
    people.sort(key=lambda p: (p["entry_date"], rng.random()))
    out = []
    for number, p in enumerate(people, start=1):
        p["record_id"] = f"V-{number:06d}"
        p["vital_status"] = VITAL[p["_col"]]
        _texts(rng, p)
        out.append({k: v for k, v in p.items() if not k.startswith("_") and v not in (None, [])})
    return out


def _people(t: Targets, rng: random.Random, cols: dict[str, list[Record]]) -> None:
    for field, table in (("ethnicity", "T05"), ("citizenship", "T06")):
        pairs = t.pairs(table)
        for c in (D, S):
            for g in GENDERS:
                pool = [p for p in cols[c] if p["gender"] == g]
                deal_single(rng, pool, field, _quotas(pairs, c, f"{g}/"))
    young = {"student": (16, 25), "schoolchild": (0, 17), "pensioner": (58, 99)}

    def rank(p: Record, choice: str) -> float:
        if choice in young:
            low, high = young[choice]
            return 1.0 if p["_age"] is not None and low <= p["_age"] <= high else -1.0
        if choice == "housewife":
            return 1.0 if p["gender"] == "female" else 0.0
        return 0.0

    pairs = t.pairs("T10")
    answered = t.total("T10")
    for c in (D, S):
        deal_multiple(
            rng, cols[c], "social_status", answered[c == S], _quotas(pairs, c),
            rank=rank, first=("schoolchild", "pensioner", "housewife", "student"),
        )  # fmt: skip


def _events(t: Targets, rng: random.Random, cols: dict[str, list[Record]]) -> None:
    regions, localities, roles = t.pairs("T13"), t.pairs("T14"), t.pairs("T15", (175, 404))
    by_region: dict[str, list[str]] = {}
    for locality, region in LOCALITY_REGION.items():
        by_region.setdefault(region, []).append(locality)
    for c in (D, S):
        deal_single(
            rng, cols[c], "event_region", _quotas(regions, c), lambda p: [p["region_residence"]]
        )

        def near(p: Record) -> list[str]:
            options = list(by_region.get(p["event_region"], []))
            rng.shuffle(options)
            return options + (["almaty"] if p["event_region"] == "almaty_oblast" else [])

        deal_single(rng, cols[c], "event_locality", _quotas(localities, c), near)
        deal_single(rng, cols[c], "role", _quotas(roles, c))
        deal_single(rng, cols[c], "group_or_individual", _quotas(t.pairs("T20"), c))


def _detention(t: Targets, rng: random.Random, cols: dict[str, list[Record]]) -> None:
    located = {r["key"]: r["counts"]["total"] for r in t.rows("T11")}
    deal_single(rng, cols[S], "location_at_interview", located)
    facilities = {r["key"]: r["counts"]["total"] for r in t.rows("T12")}
    names = {r["key"]: r["facility_names"] for r in t.rows("T12")}

    def held_first(p: Record) -> float:
        where = p.get("location_at_interview")
        return 0 if where in HELD else (1 if where in RESTRICTED else 2)

    deal_single(
        rng, cols[S], "facility_region", facilities,
        lambda p: [p["event_region"], p["region_residence"]], held_first,
    )  # fmt: skip
    used: dict[str, int] = {}
    for p in cols[S]:
        if p.get("facility_region"):  # names in turn, so every published name occurs
            region = p["facility_region"]
            p["facility_name"] = names[region][used.get(region, 0) % len(names[region])]
            used[region] = used.get(region, 0) + 1
        if p.get("location_at_interview") in ("at_liberty", "bail") and rng.random() < 0.08:
            p["location_comment"] = rng.choice(texts.LOCATION_COMMENTS)


def _what_happened(t: Targets, rng: random.Random, cols: dict[str, list[Record]]) -> None:
    pairs = t.pairs("T17")
    subtotals = t.tables["T17"]["printed_subtotals"]

    def rank(p: Record, choice: str) -> float:
        where = p.get("location_at_interview")
        if choice in ("detained", "prosecuted", "tortured", "psychological_pressure"):
            return 1.0 if where in HELD or where in RESTRICTED else -1.0
        if choice == "gunshot":
            return 1.0 if where == "hospital" or p["role"] == "bystander" else 0.0
        return 0.0

    for c in (D, S):
        for g in GENDERS:
            pool = [p for p in cols[c] if p["gender"] == g]
            answered = subtotals[g]["counts"][c]
            deal_multiple(
                rng, pool, "essence", answered, _quotas(pairs, c, f"{g}/"), rank=rank,
                first=("died",),
            )  # fmt: skip


def _dates(
    t: Targets, rng: random.Random, people: list[Record], cols: dict[str, list[Record]]
) -> None:
    for c in (D, S):
        deal_single(rng, cols[c], "violation_start", _quotas(t.pairs("T18"), c))
        ends = sorted(day for day, n in _quotas(t.pairs("T19"), c).items() for _ in range(n))
        free = list(cols[c])
        rng.shuffle(free)
        for end in ends:
            # The tightest fit: the latest start on or before the end; else no start.
            fits = [p for p in free if p.get("violation_start") and p["violation_start"] <= end]
            if fits:
                chosen = max(fits, key=lambda p: p["violation_start"])
            else:
                chosen = next(p for p in free if not p.get("violation_start"))
            chosen["violation_end"] = end
            free.remove(chosen)
    months = {r["key"]: r["counts"]["total"] for r in t.rows("T01")}
    deal_single(rng, people, "_month", months)
    for p in people:
        year, month = map(int, p.pop("_month").split("-"))
        first = 4 if (year, month) == (2022, 4) else 1
        last = 30 if month in (4, 6, 9, 11) else (28 if month == 2 else 31)
        p["entry_date"] = _date(dt.date(year, month, rng.randint(first, last)))
    # Ages: birth dates for most, an approximate age for some (as the report's text
    # says: 15 deceased and 7 survivors have an age but no birth date).
    for c, stated in ((D, 15), (S, 7)):
        aged = [p for p in cols[c] if p["_age"] is not None]
        rng.shuffle(aged)
        for i, p in enumerate(aged):
            if i < stated:
                p["age_stated"] = p["_age"]
                continue
            latest = dt.date(2022 - p["_age"], 1, 5)
            earliest = dt.date(2021 - p["_age"], 1, 6)
            p["birth_date"] = _date(
                earliest + dt.timedelta(rng.randint(0, (latest - earliest).days))
            )
    # Deaths: 167 of 175 deceased have a date of death (152 + 15 in the text).
    no_date = [p for p in cols[D] if not p.get("violation_end")]
    rng.shuffle(no_date)
    skipped = {id(p) for p in no_date[:8]}
    for p in cols[D]:
        if id(p) in skipped:
            continue
        if p.get("violation_end"):
            p["death_date"] = p["violation_end"]
        else:
            start = dt.date.fromisoformat(p.get("violation_start") or "2022-01-05")
            p["death_date"] = _date(start + dt.timedelta(rng.randint(0, 2)))


def _appeals(t: Targets, rng: random.Random, cols: dict[str, list[Record]]) -> None:
    subjects, bodies = t.pairs("T22"), t.pairs("T23")
    n_subjects, n_bodies = t.total("T22"), t.total("T23")
    for c in (D, S):
        deal_single(rng, cols[c], "appealed", _quotas(t.pairs("T21"), c))

        def appealed(p: Record) -> float:
            return {"yes": 0, "in_progress": 0, "other": 1}.get(p.get("appealed", ""), 2)

        deal_multiple(
            rng, cols[c], "appeal_subject", n_subjects[c == S], _quotas(subjects, c),
            priority=appealed,
        )  # fmt: skip
        deal_multiple(
            rng, cols[c], "appeal_body", n_bodies[c == S], _quotas(bodies, c),
            priority=lambda p: (0 if p.get("appeal_subject") else 1) + appealed(p)
            + (0 if p.get("appealed") else 1),
        )  # fmt: skip
    yes = [p for c in (D, S) for p in cols[c] if p.get("appealed") == "yes"]
    rng.shuffle(yes)
    results = t.tables["T24"]
    outcomes = [("successful", text) for text in results["successful"]]
    outcomes += [("unsuccessful", text) for text in results["unsuccessful"]]
    outcomes += [("pending", None)] * 14
    for outcome, text in outcomes:
        about_body = text is not None and ("body" in text or "relatives" in text.lower())
        p = next(p for p in yes if (p["_col"] == D) == about_body) if about_body else yes[0]
        yes.remove(p)
        p["appeal_outcome"] = outcome
        if text:
            p["appeal_result"] = text


def _legal(t: Targets, rng: random.Random, cols: dict[str, list[Record]]) -> None:
    articles, codes = t.total("T28"), t.total("T27")
    rights, instruments = t.total("T26"), t.total("T25")
    for c in (D, S):
        pool = cols[c]
        for p in rng.sample(pool, articles[c == S]):
            p["_reviewed"] = True

        def reviewed(p: Record) -> float:
            return 0 if p.get("_reviewed") else 1

        deal_multiple(
            rng, pool, "law_codes", codes[c == S], _quotas(t.pairs("T27"), c), priority=reviewed
        )

        def code_fits(p: Record, choice: str) -> float:
            administrative = "administrative_code" in p.get("law_codes", [])
            return 1.0 if choice.startswith("cao_") == administrative else 0.0

        deal_multiple(
            rng, pool, "articles", articles[c == S], _quotas(t.pairs("T28"), c),
            priority=reviewed, rank=code_fits,
            first=("cao_488", "cao_478", "cao_669", "cao_699"),
        )  # fmt: skip
        deal_multiple(
            rng, pool, "rights_violated", rights[c == S], _quotas(t.pairs("T26"), c),
            priority=reviewed,
        )  # fmt: skip
        deal_multiple(
            rng, pool, "intl_instruments", instruments[c == S], _quotas(t.pairs("T25"), c),
            priority=lambda p: 0 if p.get("rights_violated") else 1,
        )  # fmt: skip


def _publications(t: Targets, rng: random.Random, cols: dict[str, list[Record]]) -> None:
    channels, challenges = t.total("T30"), t.total("T31")
    for c in (D, S):
        deal_single(rng, cols[c], "published", _quotas(t.pairs("T29"), c))
        deal_multiple(
            rng, cols[c], "publication_channels", channels[c == S], _quotas(t.pairs("T30"), c),
            priority=lambda p: {"yes": 0, None: 1}.get(p.get("published"), 2),
        )  # fmt: skip
        deal_multiple(
            rng, cols[c], "challenges", challenges[c == S], _quotas(t.pairs("T31"), c),
            exclusive=("none",),
        )  # fmt: skip
    published = [p for c in (D, S) for p in cols[c] if p.get("published") == "yes"]
    for p in rng.sample(published, 68):
        p["publication_media"] = ", ".join(rng.sample(texts.MEDIA, rng.randint(1, 3)))


SOURCES = {
    "relative": 373, "victim": 104, "media_internet": 44, "lawyer_representative": 28,
    "activist_friend_colleague": 3, "court_documents": 5, "other": 22,
}  # fmt: skip


def _documentation(
    t: Targets, rng: random.Random, people: list[Record], cols: dict[str, list[Record]]
) -> None:
    """Who told: the report's Diagramme 01 (64.4% relatives, 18.0% the victims, ...) and
    57.9% women among the sources; a deceased victim is never the source."""
    deal_single(rng, cols[S], "source_type", {"victim": SOURCES["victim"]})
    rest = [p for p in people if "source_type" not in p]
    deal_single(rng, rest, "source_type", {k: n for k, n in SOURCES.items() if k != "victim"})
    women = 335 - sum(1 for p in people if p["source_type"] == "victim" and p["gender"] == "female")
    others = [p for p in people if p["source_type"] != "victim"]
    for p in people:
        if p["source_type"] == "victim":
            p["source_gender"] = p["gender"]
    deal_single(rng, others, "source_gender", {"female": women, "male": len(others) - women})
    for p in people:
        kind = p["source_type"]
        if kind in ("media_internet", "court_documents"):
            p["interview_mode"] = "publication"
        else:
            p["interview_mode"] = rng.choices(("in_person", "phone", "video_call"), (55, 35, 10))[0]
        p["consent_use"] = "yes" if rng.random() < 0.96 else "no"
        p["consent_publish_name"] = "yes" if rng.random() < 0.6 else "no"
        p["documenter"] = rng.choice(texts.DOCUMENTERS)
        if kind == "relative":
            relations = texts.RELATIONS_DECEASED if p["_col"] == D else texts.RELATIONS_ALIVE
            p["source_relation"] = rng.choice(relations)
        if kind == "other":
            p["source_type_other"] = rng.choice(texts.SOURCE_OTHER)


def _name(rng: random.Random, gender: str) -> str:
    stem = rng.choice(texts.FAMILY_STEMS)
    ending = "ев" if stem[-1] in "аеиоуыэюяй" else "ов"
    family = stem.removesuffix("й") + ending + ("а" if gender == "female" else "")
    first = rng.choice(texts.FEMALE_NAMES if gender == "female" else texts.MALE_NAMES)
    return f"{family} {first}"


def _texts(rng: random.Random, p: Record) -> None:
    """Name, account and the free-text companions of 'other' answers."""
    p["full_name"] = _name(rng, p["gender"])
    she = p["gender"] == "female"
    if p.get("citizenship") in ("foreign_citizen", "kz_residence_permit"):
        p["citizenship_country"] = rng.choice(texts.COUNTRIES)
    companions = {
        "social_status": ("social_status_other", texts.SOCIAL_OTHER),
        "role": ("role_other", texts.ROLE_OTHER),
        "essence": ("essence_other", texts.ESSENCE_OTHER),
        "challenges": ("challenges_other", texts.CHALLENGES_OTHER),
        "appeal_subject": ("appeal_subject_other", texts.SUBJECT_OTHER),
        "appeal_body": ("appeal_body_other", texts.BODY_OTHER),
        "appealed": ("appealed_other", texts.APPEALED_OTHER),
        "region_residence": ("region_residence_other", texts.REGION_OTHER),
        "citizenship": ("citizenship_other", texts.CITIZENSHIP_OTHER),
    }
    for field, (other, choices) in companions.items():
        value = p.get(field)
        if value == "other" or (isinstance(value, list) and "other" in value):
            p[other] = rng.choice(choices)
    when = p.get("violation_start") or "2022-01-05"
    day = dt.date.fromisoformat(when)
    where = texts.LOCALITY_RU.get(p.get("event_locality", ""), "городе")
    what = ", ".join(texts.ESSENCE_RU[e][she] for e in p.get("essence", [])[:3])
    role = texts.ROLE_RU.get(p.get("role", "other"), "")
    subject = "Она" if she else "Он"
    p["narrative"] = (
        f"{day.day} {texts.MONTHS_RU[day.month - 1]} {day.year} года в {where}. "
        f"По словам источника, {('она' if she else 'он')} {role}. {subject} {what}."
    )


def scaled_answers(n: int, seed: int = SEED):
    """n answer sets for benchmarks: the 579 demo records over and over, each with its own
    record id and name, so every table keeps the demo's proportions."""
    base = victim_answers(seed)
    rng = random.Random(seed)
    for i in range(n):
        answers = dict(base[i % len(base)])
        answers["record_id"] = f"V-{i + 1:07d}"
        if i >= len(base):
            answers["full_name"] = _name(rng, answers["gender"])
        yield answers
