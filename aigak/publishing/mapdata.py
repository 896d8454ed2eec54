"""What the map and the timeline draw: regions, localities, events and daily counts.

The region outlines ship with the app (``static/vendor/kz-adm1/regions.json``, made by
``scripts/simplify_regions.py``) and are drawn as SVG, so no tile server or third-party
request is needed. Localities are placed at their coordinates (the shipped forms' 23
settlements, latitude and longitude of the town centre). Counts come from the live
Victims and Events records that are not drafts; the staff pages count what the user may
see, the public ones everything, suppressed (``map_cells``).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, QuerySet
from django.db.models.fields.json import KT

from aigak.accounts import permissions as perms
from aigak.questionnaires.registry import UnknownQuestionnaire, get_questionnaire
from aigak.questionnaires.webform import label_of
from aigak.records.models import Record, Status

REGIONS_FILE = Path(settings.BASE_DIR) / "static" / "vendor" / "kz-adm1" / "regions.json"
WIDTH = 1000
WEST, EAST, SOUTH, NORTH = 46.3, 87.5, 40.4, 55.6
SHRINK = math.cos(math.radians(48.0))  # east-west degrees are shorter at these latitudes
SCALE = WIDTH / ((EAST - WEST) * SHRINK)
HEIGHT = round((NORTH - SOUTH) * SCALE)
FIRST_DAY, LAST_DAY = dt.date(2022, 1, 1), dt.date(2022, 1, 31)
CACHE_SECONDS = 600
GRID = 0.1  # degrees: public event points are snapped to this grid and merged

# (latitude, longitude) of the shipped forms' localities.
LOCALITIES: dict[str, tuple[float, float]] = {
    "almaty": (43.24, 76.89), "taraz": (42.90, 71.37), "taldykorgan": (45.02, 78.37),
    "semey": (50.41, 80.25), "ust_kamenogorsk": (49.95, 82.61), "shymkent": (42.32, 69.59),
    "kyzylorda": (44.85, 65.51), "aktobe": (50.28, 57.17), "astana": (51.17, 71.45),
    "ekibastuz": (51.72, 75.32), "uralsk": (51.23, 51.37), "atyrau": (47.11, 51.92),
    "kokshetau": (53.28, 69.39), "kostanay": (53.21, 63.62), "pavlodar": (52.29, 76.97),
    "aktau": (43.65, 51.16), "zhambyl_district": (43.22, 76.31), "bayanaul": (50.79, 75.70),
    "koshmambet": (43.30, 76.73), "petropavlovsk": (54.87, 69.15),
    "stepnogorsk": (52.35, 71.89), "karaganda": (49.80, 73.10), "kaskelen": (43.20, 76.62),
}  # fmt: skip


def project(lat: float, lon: float) -> tuple[float, float]:
    return round((lon - WEST) * SHRINK * SCALE, 1), round((NORTH - lat) * SCALE, 1)


@lru_cache(maxsize=1)
def region_paths() -> dict[str, str]:
    """SVG path data of each region (all its rings, for the even-odd fill rule)."""
    data = json.loads(REGIONS_FILE.read_text(encoding="utf-8"))
    paths = {}
    for region in data["regions"]:
        parts = []
        for ring in region["rings"]:
            points = [project(lat, lon) for lon, lat in ring]
            parts.append("M" + "L".join(f"{x:g},{y:g}" for x, y in points) + "Z")
        paths[region["region"]] = "".join(parts)
    return paths


def _labels(questionnaire: str, field_name: str, lang: str) -> dict[str, str]:
    try:
        definition = get_questionnaire(questionnaire).definition
    except UnknownQuestionnaire:
        return {}
    f = definition.fields.get(field_name)
    if f is None:
        return {}
    return {c.name: label_of(c.label, lang, definition, c.name) for c in f.choices}


@dataclass
class Counts:
    """Victims (by vital status) and events, per locality, per region and per day."""

    victims_by_locality: dict[str, Counter[str]] = field(
        default_factory=lambda: defaultdict(Counter)
    )
    victims_by_region: Counter[str] = field(default_factory=Counter)
    events_by_locality: Counter[str] = field(default_factory=Counter)
    victims_by_day: dict[dt.date, Counter[str]] = field(
        default_factory=lambda: defaultdict(Counter)
    )
    events_by_day: Counter[dt.date] = field(default_factory=Counter)
    points: list[tuple[float, float, str]] = field(default_factory=list)  # lat, lon, date


VICTIM_FIELDS = ("event_locality", "event_region", "vital_status", "violation_start")
EVENT_FIELDS = ("event_locality", "event_date", "coordinates")


def _status_part(vital_status: Any) -> str:
    return {"deceased": "deceased", "alive": "survivors"}.get(str(vital_status or ""), "other")


def _day(value: Any) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None


def _readable(user: Any, questionnaire: str, names: tuple[str, ...]) -> tuple[str, ...]:
    """The fields a staff user may see (the field rule); everything for the public count."""
    if user is None:
        return names
    try:
        definition = get_questionnaire(questionnaire).definition
    except UnknownQuestionnaire:
        return ()
    return tuple(
        n
        for n in names
        if n in definition.fields and perms.can_see_field(user, definition.fields[n])
    )


def _records(user: Any, questionnaire: str) -> QuerySet[Record]:
    records = Record.live.filter(questionnaire__name=questionnaire).exclude(status=Status.DRAFT)
    return perms.visible_records(user, records) if user is not None else records


def _grouped(records: QuerySet[Record], names: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """(value of each named answer as text, number of records) grouped in the database:
    reading every record's answers would take most of the page's time."""
    keys = {f"k{i}": KT(f"answers__{name}") for i, name in enumerate(names)}
    rows = records.annotate(**keys).values(*keys).annotate(n=Count("pk")).order_by()
    return [(*(row[k] for k in keys), row["n"]) for row in rows]


def count(user: Any = None) -> Counts:
    """The counts of the records `user` may see (None: every record, for public pages)."""
    out = Counts()
    victims = _records(user, "victim")
    readable = set(_readable(user, "victim", VICTIM_FIELDS))
    status_field = ("vital_status",) if "vital_status" in readable else ()
    if "event_locality" in readable:
        for locality, *status, n in _grouped(victims, ("event_locality", *status_field)):
            if locality:
                out.victims_by_locality[locality][_status_part(status[0] if status else "")] += n
    if "event_region" in readable:
        for region, n in _grouped(victims, ("event_region",)):
            if region:
                out.victims_by_region[region] += n
    if "violation_start" in readable:
        for start, *status, n in _grouped(victims, ("violation_start", *status_field)):
            day = _day(start)
            if day:
                out.victims_by_day[day][_status_part(status[0] if status else "")] += n
    events = _records(user, "event")
    readable = set(_readable(user, "event", EVENT_FIELDS))
    if "event_locality" in readable:
        for locality, n in _grouped(events, ("event_locality",)):
            if locality:
                out.events_by_locality[locality] += n
    if "event_date" in readable:
        for date, n in _grouped(events, ("event_date",)):
            day = _day(date)
            if day:
                out.events_by_day[day] += n
    if "coordinates" in readable:
        dated = "event_date" in readable
        for where, date, n in _grouped(events, ("coordinates", "event_date" if dated else "x")):
            point = _point(where)
            if point:
                out.points += [(*point, str(date or "")[:10])] * n
    return out


def public_counts() -> Counts:
    """`count(None)`, kept in the cache until a Victims or Events record changes (the key
    is their number and latest change: a cheap query against seconds of counting)."""
    live = Record.live.filter(questionnaire__name__in=("victim", "event"))
    state = live.aggregate(n=Count("pk"), latest=Max("updated_at"))
    latest = state["latest"].isoformat() if state["latest"] else ""
    key = f"publishing:map:{state['n']}:{latest}"
    counts = cache.get_or_set(key, lambda: count(None), CACHE_SECONDS)
    assert isinstance(counts, Counts)
    return counts


def _point(value: Any) -> tuple[float, float] | None:
    try:
        lat, lon = (float(p) for p in str(value or "").split()[:2])
    except ValueError:
        return None
    return (lat, lon) if SOUTH <= lat <= NORTH and WEST <= lon <= EAST else None


def public_points(points: list[tuple[float, float, str]]) -> list[tuple[float, float, str]]:
    """Event points for the public: snapped to the grid and merged, without dates, so
    that neither a place nor a number of events can be read more finely than the grid."""
    cells = {(round(lat / GRID) * GRID, round(lon / GRID) * GRID) for lat, lon, _ in points}
    return [(round(lat, 2), round(lon, 2), "") for lat, lon in sorted(cells)]


def days() -> list[dt.date]:
    return [FIRST_DAY + dt.timedelta(days=n) for n in range((LAST_DAY - FIRST_DAY).days + 1)]


def labels(lang: str) -> dict[str, dict[str, str]]:
    return {
        "region": _labels("victim", "event_region", lang),
        "locality": _labels("victim", "event_locality", lang),
        "event_type": _labels("event", "event_type", lang),
    }
