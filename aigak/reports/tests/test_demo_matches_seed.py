"""The demo data set reproduces the published tables, except the listed deviations.

Loading the demo takes a few seconds, so one test loads it and checks everything.
"""

from __future__ import annotations

import json
import stat

import pytest

from aigak.accounts.models import User
from aigak.accounts.permissions import visible_records
from aigak.records.demo import load_demo, logins_path
from aigak.records.models import Record, RecordLink
from aigak.reports.build import build_report
from aigak.reports.tests.seed_compare import differences, load_deviations, seed_path, unexplained


@pytest.fixture
def seed():
    # The published figures live in the repository: a missing file fails, never skips.
    return json.loads(seed_path().read_text(encoding="utf-8"))


@pytest.mark.slow
def test_it_reproduces_the_published_tables(db, seed, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    demo = load_demo()
    report = build_report("qantar2022").data

    assert demo["victims"] == 579
    t02 = next(t for t in report["tables"] if t["id"] == "T02")
    assert t02["denominator"] == {"deceased": 175, "survivors": 404, "total": 579}
    # every published cell, except the listed deviations, which hold their demo value
    assert unexplained(report, seed) == []
    found = {cell for cell, _, _ in differences(report, seed)}
    listed = {cell for cell, d in load_deviations().items() if d["published"] is not None}
    assert found == listed

    # Torture and Event records are linked to victims
    kinds = set(RecordLink.objects.values_list("kind", flat=True))
    assert ("about_victim" in kinds) == bool(demo["torture"])
    assert ("at_event" in kinds) == bool(demo["events"])

    # one user per role; logins readable by the owner only
    assert {u["role"] for u in demo["users"]} == {
        "admin", "coordinator", "lawyer", "documenter", "viewer"
    }  # fmt: skip
    path = logins_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text(encoding="utf-8")
    for user in demo["users"]:
        assert f"{user['username']}\t{user['role']}\t{user['password']}" in text

    # the demo documenter sees the team's third of the records, the coordinator all
    everything = Record.live.filter(questionnaire__name__in=("victim", "torture", "event"))
    documenter = User.objects.get(username="demo_documenter")
    seen = visible_records(documenter, everything).count()
    assert demo["team_records"] == seen == (everything.count() + 2) // 3
    assert (
        visible_records(User.objects.get(username="demo_coordinator"), everything).count()
        == everything.count()
    )

    # a second load changes nothing
    assert load_demo() == {"loaded": False, "victims": 579}
    assert Record.objects.filter(questionnaire__name="victim").count() == 579


def test_the_generator_is_deterministic():
    from aigak.records.demo_victims import victim_answers

    first, second = victim_answers(7), victim_answers(7)
    assert first == second
    assert len(first) == 579
