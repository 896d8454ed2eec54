"""Load the demo data set: 579 Victims records, linked Torture and Event records, users.

The Victims records reproduce the published Qantar2022 tables (``demo_victims``); a
few dozen Torture records (about tortured survivors) and Event records (the main
places of January 2022) are filled from their questionnaires and linked to them. One
demo user per role gets a random password, returned and written to
``DATA_DIR/demo-logins.txt`` (mode 0600). Everything is seeded: the same records every
time. A database that already has Victims records is left alone.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import secrets
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings
from django.db import transaction

from aigak.accounts.models import Role, Team, User
from aigak.questionnaires.models import Questionnaire
from aigak.questionnaires.registry import ensure_shipped, get_questionnaire
from aigak.questionnaires.validation import clean_answers
from aigak.questionnaires.xlsform import FormDefinition
from aigak.records.actions import assign_team, import_rows
from aigak.records.demo_victims import SEED, victim_answers
from aigak.records.models import LinkKind, Record, RecordLink

ROLES = (Role.ADMIN, Role.COORDINATOR, Role.LAWYER, Role.DOCUMENTER, Role.VIEWER)
TORTURE_RECORDS = 30
EVENT_PLACES = (
    ("almaty", "almaty", "Площадь Республики"), ("almaty", "almaty", "Здание акимата"),
    ("almaty_oblast", "taldykorgan", "Центральная площадь"), ("zhambyl", "taraz", "Площадь"),
    ("shymkent", "shymkent", "Площадь Аль-Фараби"), ("kyzylorda", "kyzylorda", "Площадь"),
    ("east_kazakhstan", "ust_kamenogorsk", "Площадь Бобровского"),
    ("east_kazakhstan", "semey", "Площадь Абая"), ("aktobe", "aktobe", "Площадь"),
    ("west_kazakhstan", "uralsk", "Площадь Абая"), ("almaty_oblast", "kaskelen", "Трасса"),
    ("atyrau", "atyrau", "Площадь Махамбета"),
)  # fmt: skip


def logins_path() -> Path:
    return Path(settings.DATA_DIR) / "demo-logins.txt"


def load_demo(stdout: TextIO | None = None) -> dict[str, Any]:
    """Load the demo data set into a database without Victims records.

    Returns {"loaded": bool, "victims": n, "torture": n, "events": n, "links": n,
    "users": [{"username", "role", "password"}], "logins": [(username, role, password)],
    "logins_file": path}.
    """
    ensure_shipped()
    victim = get_questionnaire("victim")
    if Record.objects.filter(questionnaire=victim).exists():
        return {"loaded": False, "victims": Record.live.filter(questionnaire=victim).count()}

    def say(text: str) -> None:
        if stdout is not None:
            stdout.write(text + "\n")

    say("Building 579 Victims records ...")
    rows = victim_answers(SEED)
    with transaction.atomic():
        users = _users()
        admin = next(u for u, _ in users if u.role == Role.ADMIN)
        result = import_rows(admin, victim, enumerate(rows, start=1), source="demo data set")
        say(f"Victims: {result.created} records")
        torture, events, links = _linked_records(admin, rows)
        shared = _share_with_team(admin, next(u.team for u, _ in users if u.team))
    say(f"Torture: {torture} records, Event: {events} records, {links} links")
    say(f"{shared} records given to the team 'Demo documenters' (what demo_documenter sees)")
    accounts = [{"username": u.username, "role": u.role, "password": p} for u, p in users]
    path = _write_logins(accounts)
    return {
        "loaded": True,
        "victims": result.created,
        "torture": torture,
        "events": events,
        "links": links,
        "team_records": shared,
        "users": accounts,
        "logins": [(a["username"], a["role"], a["password"]) for a in accounts],
        "logins_file": str(path),
    }


def _users() -> list[tuple[User, str]]:
    team, _ = Team.objects.get_or_create(name="Demo documenters")
    out = []
    for role in ROLES:
        password = secrets.token_urlsafe(12)
        user, _ = User.objects.get_or_create(username=f"demo_{role}", defaults={"role": role})
        user.role = role
        user.team = team if role == Role.DOCUMENTER else None
        user.is_staff = role == Role.ADMIN
        user.set_password(password)
        user.save()
        out.append((user, password))
    return out


def _share_with_team(admin: User, team: Team) -> int:
    """Give every third demo record to the documenters' team.

    The records are imported by the administrator, so without this the demo documenter,
    who sees only the team's records, would find an empty list."""
    records = Record.live.filter(questionnaire__name__in=("victim", "torture", "event"))
    chosen = [
        r for number, r in enumerate(records.order_by("questionnaire_id", "pk")) if number % 3 == 0
    ]
    return assign_team(admin, chosen, team)


def _write_logins(accounts: list[dict[str, str]]) -> Path:
    path = logins_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(f"{a['username']}\t{a['role']}\t{a['password']}\n" for a in accounts)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write("username\trole\tpassword\n" + text)
    os.chmod(path, 0o600)
    return path


# --- Torture and Event records ------------------------------------------------------


def _filled(definition: FormDefinition, rng: random.Random, known: dict[str, Any]) -> dict:
    """Answers for every top-level field (known values first), cut back until valid."""
    raw: dict[str, Any] = {}
    day = dt.date(2022, 1, 4)
    for f in definition.answer_fields():
        if f.name in known:
            raw[f.name] = known[f.name]
        elif f.type == "select_one" and f.choices:
            raw[f.name] = rng.choice(f.choices).name
        elif f.type == "select_multiple" and f.choices:
            names = [c.name for c in f.choices if c.name not in ("other", "none", "unknown")]
            raw[f.name] = rng.sample(names, min(len(names), rng.randint(1, 2)))
        elif f.type == "date":
            raw[f.name] = (day + dt.timedelta(days=rng.randint(0, 4))).isoformat()
        elif f.type == "integer":
            raw[f.name] = rng.randint(1, 30)
    for _ in range(10):
        answers, problems = clean_answers(definition, raw)
        if not problems:
            return answers
        for problem in problems:
            raw.pop(problem.field, None)
    return clean_answers(definition, raw)[0]


def _linked_records(admin: User, victims: list[dict[str, Any]]) -> tuple[int, int, int]:
    rng = random.Random(SEED + 1)
    names = set(Questionnaire.objects.values_list("name", flat=True))
    torture_rows, event_rows = [], []
    if "torture" in names:
        definition = get_questionnaire("torture").definition
        tortured = [v for v in victims if "tortured" in v.get("essence", [])]
        for number, v in enumerate(rng.sample(tortured, TORTURE_RECORDS), start=1):
            known: dict[str, Any] = {
                "record_id": f"T-{number:06d}",
                "victim_record_id": v["record_id"],
                "entry_date": v["entry_date"],
                **{k: v[k] for k in ("full_name", "gender", "birth_date") if k in v},
                "region": v.get("event_region"),
                "locality": v.get("event_locality"),
                "narrative": v.get("narrative", ""),
                "died_as_result": "no",
            }
            torture_rows.append((v["record_id"], _filled(definition, rng, known)))
    if "event" in names:
        definition = get_questionnaire("event").definition
        for number, (region, locality, place) in enumerate(EVENT_PLACES, start=1):
            known = {
                "record_id": f"E-{number:06d}",
                "event_region": region,
                "event_locality": locality,
                "address": place,
                "description": f"Массовый митинг, {place}; применение силы, задержания.",
            }
            event_rows.append((locality, _filled(definition, rng, known)))
    if torture_rows:
        import_rows(admin, get_questionnaire("torture"), enumerate([r for _, r in torture_rows], 1))
    if event_rows:
        import_rows(admin, get_questionnaire("event"), enumerate([r for _, r in event_rows], 1))
    records = {
        (r.questionnaire.name, r.record_id): r
        for r in Record.objects.select_related("questionnaire").filter(
            questionnaire__name__in=("victim", "torture", "event")
        )
    }
    links = []
    for victim_id, answers in torture_rows:
        source = records[("torture", answers["record_id"])]
        links.append(RecordLink(source=source, target=records[("victim", victim_id)],
                                kind=LinkKind.ABOUT_VICTIM, created_by=admin))  # fmt: skip
    for locality, answers in event_rows:
        event = records[("event", answers["record_id"])]
        there = [v for v in victims if v.get("event_locality") == locality]
        for v in rng.sample(there, min(8, len(there))):
            links.append(RecordLink(source=records[("victim", v["record_id"])], target=event,
                                    kind=LinkKind.AT_EVENT, created_by=admin))  # fmt: skip
    RecordLink.objects.bulk_create(links, ignore_conflicts=True)
    return len(torture_rows), len(event_rows), len(links)
