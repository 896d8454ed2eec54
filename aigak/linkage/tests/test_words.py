"""Matching's messages in the reader's language: a refused decision, a decision taken,
and a run whose model could not run (kept in English, said in Russian or Kazakh)."""

from __future__ import annotations

import html

from aigak.linkage.models import Match, MatchingRun, MatchKind
from aigak.linkage.tests.test_views import world  # noqa: F401 - the fixture
from aigak.runs.models import RunStatus


def _page(response) -> str:
    return html.unescape(response.content.decode())


def test_a_refused_decision_says_why_in_russian(client, world, coordinator):  # noqa: F811
    client.force_login(coordinator)
    client.cookies["django_language"] = "ru"
    link = world["link"]
    rival = Match.objects.create(
        kind=MatchKind.LINK, entry=link.entry, person=world["records"][1].person, probability=0.4
    )
    client.post(f"/linkage/matches/{link.pk}/decide/", {"decision": "accepted"})
    decided = {"decision": "accepted"}
    page = _page(client.post(f"/linkage/matches/{rival.pk}/decide/", decided, follow=True))
    entry, person = link.entry.entry_id, link.person_id
    said = f"Совпадение {rival.pk}: запись {entry} уже принята как лицо {person} (совпадение"
    assert said in page
    assert "сначала отклоните это совпадение или отметьте его как нерешённое" in page


def test_an_undone_merge_and_a_decision_in_kazakh(client, world, admin_user):  # noqa: F811
    client.force_login(admin_user)
    client.cookies["django_language"] = "kk"
    merge = world["merge"]
    client.post(f"/linkage/merges/{merge.pk}/undo/")
    page = _page(client.post(f"/linkage/merges/{merge.pk}/undo/", follow=True))
    assert f"{merge.pk} біріктіруі бұрын болдырылмаған болатын" in page


def test_a_run_whose_model_could_not_run_says_so_in_russian(client, world, coordinator):  # noqa: F811
    reason = "unknown engine 'x'; choose one of duckdb, spark"
    run = MatchingRun.objects.create(
        kind=MatchKind.DEDUPE,
        target="dedupe",
        threshold=0.5,
        requested_by=coordinator,
        status=RunStatus.FAILED,
        error=f"The matching model could not run: {reason}",
    )
    client.force_login(coordinator)
    client.cookies["django_language"] = "ru"
    page = _page(client.get(f"/linkage/runs/{run.pk}/"))
    assert f"Модель сопоставления не удалось запустить: {reason}" in page
    client.cookies["django_language"] = "en"
    assert f"The matching model could not run: {reason}" in _page(
        client.get(f"/linkage/runs/{run.pk}/")
    )
