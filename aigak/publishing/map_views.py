"""The map of Kazakhstan and the timeline of January 2022: public and staff versions.

The public pages count every live, non-draft Victims and Events record, show no name and
no free text, suppress counts from 1 to 4 (``map_cells``), and place events only on a
coarse grid. The staff pages (login required) count the records the user may see, with
the fields the user may see, exactly.
"""

from __future__ import annotations

import math
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_GET

from aigak.accounts.http import AuthenticatedHttpRequest
from aigak.accounts.models import AuditAction, audit
from aigak.publishing import mapdata
from aigak.publishing.map_cells import Row, suppress_row
from aigak.publishing.views_public import _context as public_context
from aigak.publishing.views_public import public_page

PARTS = ("deceased", "survivors", "other")
PUBLIC_BASE = "publishing/_public_base.html"
CHART_HEIGHT = 240
CHART_BAR = 26
CHART_STEP = 32
CHART_LEFT = 40


def _lang() -> str:
    return (translation.get_language() or "en")[:2]


def _row(counts: dict[str, int], public: bool) -> Row:
    parts = {name: int(counts.get(name, 0)) for name in PARTS}
    if public:
        return suppress_row(parts)
    text = {name: str(n) for name, n in parts.items()}
    return Row(parts=text, total=str(sum(parts.values())), drawn=dict(parts))


def _single(count: int, public: bool) -> tuple[str, int]:
    row = _row({"other": count}, public)
    return row.parts["other"], row.drawn["other"]


def _bucket(value: int) -> str:
    for limit, name in ((0, "b0"), (4, "b1"), (49, "b2"), (199, "b3")):
        if value <= limit:
            return name
    return "b4"


def map_context(counts: mapdata.Counts, public: bool, lang: str) -> dict[str, Any]:
    names = mapdata.labels(lang)
    paths = mapdata.region_paths()
    regions = []
    for code, path in sorted(paths.items()):
        text, drawn = _single(counts.victims_by_region.get(code, 0), public)
        label = names["region"].get(code, code)
        regions.append({"code": code, "path": path, "label": label, "text": text,
                        "bucket": _bucket(drawn)})  # fmt: skip
    localities: list[dict[str, Any]] = []
    for code, (lat, lon) in mapdata.LOCALITIES.items():
        row = _row(counts.victims_by_locality.get(code, {}), public)
        events, _drawn = _single(counts.events_by_locality.get(code, 0), public)
        drawn = sum(row.drawn.values())
        if not drawn and events == "0":
            continue
        x, y = mapdata.project(lat, lon)
        localities.append({
            "code": code, "label": names["locality"].get(code, code), "x": x, "y": y,
            "r": round(3 + 1.6 * math.sqrt(drawn), 1) if drawn else 0, "row": row,
            "events": events,
        })  # fmt: skip
    localities.sort(key=lambda item: item["label"])
    points = counts.points if not public else mapdata.public_points(counts.points)
    return {
        "width": mapdata.WIDTH,
        "height": mapdata.HEIGHT,
        "regions": regions,
        "localities": localities,
        "points": [(*mapdata.project(lat, lon), day) for lat, lon, day in points],
        "public": public,
        "base": PUBLIC_BASE if public else "base.html",
    }


def timeline_context(counts: mapdata.Counts, public: bool) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    for day in mapdata.days():
        row = _row(counts.victims_by_day.get(day, {}), public)
        events, _drawn = _single(counts.events_by_day.get(day, 0), public)
        rows.append({"day": day, "row": row, "events": events})
    top = max([sum(r["row"].drawn.values()) for r in rows] + [1])
    scale = CHART_HEIGHT / top
    for n, item in enumerate(rows):
        drawn = item["row"].drawn
        x = CHART_LEFT + n * CHART_STEP
        dead = round(drawn["deceased"] * scale, 1)
        alive = round(drawn["survivors"] * scale, 1)
        rest = round(drawn["other"] * scale, 1)
        base = CHART_HEIGHT + 10
        item["bars"] = [
            ("deceased", x, round(base - dead, 1), dead),
            ("survivors", x, round(base - dead - alive, 1), alive),
            ("other", x, round(base - dead - alive - rest, 1), rest),
        ]
        item["x"] = x + CHART_BAR / 2
    return {"days": rows, "base": PUBLIC_BASE if public else "base.html", "chart_width": CHART_LEFT + 31 * CHART_STEP, "bar": CHART_BAR,
            "chart_height": CHART_HEIGHT + 40, "axis_y": CHART_HEIGHT + 10,
            "top": top, "public": public}  # fmt: skip


@require_GET
@public_page
def public_map(request: HttpRequest, lang: str) -> HttpResponse:
    context = map_context(mapdata.public_counts(), public=True, lang=lang)
    return render(request, "publishing/map.html", public_context(request, lang, **context))


@require_GET
@public_page
def public_timeline(request: HttpRequest, lang: str) -> HttpResponse:
    context = timeline_context(mapdata.public_counts(), public=True)
    return render(request, "publishing/timeline.html", public_context(request, lang, **context))


@login_required
@require_GET
def staff_map(request: AuthenticatedHttpRequest) -> HttpResponse:
    audit(request.user, AuditAction.VIEW, object_type="map", page="map")
    context = map_context(mapdata.count(request.user), public=False, lang=_lang())
    return render(request, "publishing/map.html", context)


@login_required
@require_GET
def staff_timeline(request: AuthenticatedHttpRequest) -> HttpResponse:
    audit(request.user, AuditAction.VIEW, object_type="map", page="timeline")
    context = timeline_context(mapdata.count(request.user), public=False)
    return render(request, "publishing/timeline.html", context)
