"""A person's page: everything known about one human being, as far as the user may see.

A person is an identity records point at (`records.Person`); merging two persons points
one at the other, so a person's page gathers the records of every person merged into it
and a merged person's address sends to the one it went into. The page shows:

- the records about them that the user may open (name, questionnaire, date);
- the evidence attached to those records that the user may see;
- for those who may see victim lists: the lists they appear on (accepted links), the
  matches waiting for a decision or decided, and the merges that made the identity.

A user who may open none of the person's records gets 404: the page does not tell
whether the person exists.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from aigak.accounts import permissions as perms
from aigak.accounts.http import AuthenticatedHttpRequest
from aigak.accounts.models import AuditAction, audit
from aigak.evidence.access import visible_evidence
from aigak.linkage import access
from aigak.linkage.models import Match, MatchKind, MatchStatus, PersonMerge
from aigak.records.models import Person, Record
from aigak.records.summaries import summaries


def identity(person: Person) -> list[int]:
    """The person's id and the ids of every person merged into it, directly or not."""
    group = [person.pk]
    frontier = [person.pk]
    while frontier:
        frontier = list(
            Person.objects.filter(merged_into__in=frontier)
            .exclude(pk__in=group)
            .values_list("pk", flat=True)
        )
        group += frontier
    return group


def visible_person_records(user: Any, group: list[int]) -> list[Record]:
    records = perms.visible_records(user, Record.live.filter(person__in=group))
    return list(
        records.select_related("questionnaire", "form_version").order_by("created_at", "id")
    )


def _linkage(group: list[int]) -> dict[str, Any]:
    links = Match.objects.filter(kind=MatchKind.LINK, person__in=group).select_related(
        "entry__victim_list", "reviewer"
    )
    dedupe = Match.objects.filter(
        Q(person__in=group) | Q(other_person__in=group), kind=MatchKind.DEDUPE
    ).select_related("reviewer")
    merges = PersonMerge.objects.filter(
        Q(from_person__in=group) | Q(into_person__in=group)
    ).select_related("merged_by", "undone_by")
    return {
        "lists": [m for m in links if m.status == MatchStatus.ACCEPTED],
        "matches": list(links.exclude(status=MatchStatus.ACCEPTED)) + list(dedupe),
        "merges": list(merges.order_by("-merged_at")),
    }


@login_required
@require_GET
def person_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    person = Person.objects.filter(pk=pk).first()
    if person is None:
        raise Http404("no such person")
    canonical = person.canonical()
    group = identity(canonical)
    records = visible_person_records(user, group)
    if not records:
        raise Http404("no such person")
    if canonical.pk != person.pk:
        return redirect("linkage:person", canonical.pk)
    about = summaries(user, records)
    evidence = (
        visible_evidence(user)
        .filter(links__record__in=records, deleted_at__isnull=True)
        .distinct()
        .order_by("uploaded_at")
    )
    sees_lists = access.can_see_lists(user)
    audit(
        user,
        AuditAction.VIEW,
        canonical,
        page="person",
        records=[r.record_id for r in records],
    )
    return render(
        request,
        "linkage/person.html",
        {
            "person": canonical,
            "name": next((s.name for s in about if s.name), ""),
            "records": about,
            "evidence": list(evidence),
            "sees_lists": sees_lists,
            **(_linkage(group) if sees_lists else {}),
        },
    )


def record_panel_values(user: Any, record: Record) -> dict[str, Any]:
    """For the record's page: the person it is about, and how many other records of
    theirs this user may open."""
    if record.person_id is None:
        return {"person_page": None}
    person = record.person.canonical() if record.person else None
    if person is None:
        return {"person_page": None}
    others = [r for r in visible_person_records(user, identity(person)) if r.pk != record.pk]
    return {"person_page": person, "person_other_records": len(others)}
