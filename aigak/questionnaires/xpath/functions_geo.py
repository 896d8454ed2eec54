"""Geographic functions: distance along a trace, area of a shape, point in a shape.

Points are ODK's ``latitude longitude [altitude accuracy]``, a trace or shape the points
separated by ``;``, or a node-set of points. Distances use a sphere of ODK's radius.
"""

from __future__ import annotations

import math
from typing import Any

from aigak.questionnaires.xpath.library import Context, function
from aigak.questionnaires.xpath.values import (
    ExpressionError,
    NodeSet,
    from_answer,
    gettext_noop,
    to_string,
)

EARTH_RADIUS = 6378100.0  # metres, as JavaRosa and Enketo


def points(*values: Any) -> list[tuple[float, float]]:
    texts: list[str] = []
    for value in values:
        items = value if isinstance(value, NodeSet) else [value]
        for item in items:
            texts.extend(p for p in to_string(from_answer(item)).split(";") if p.strip())
    out = []
    for text in texts:
        parts = text.split()
        try:
            lat, lon = float(parts[0]), float(parts[1])
        except (IndexError, ValueError):
            raise ExpressionError.said(
                gettext_noop("%(value)s is not a point (latitude longitude)"),
                value=repr(text.strip()),
            ) from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ExpressionError.said(
                gettext_noop("%(value)s is not a point on the Earth"), value=repr(text.strip())
            )
        out.append((lat, lon))
    return out


def _haversine(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS * math.asin(math.sqrt(min(1.0, h)))


@function("distance", 1, None)
def _distance(ctx: Context, *values: Any) -> float:
    """Length of a trace in metres, to the centimetre (as Enketo); NaN if not a trace."""
    try:
        trace = points(*values)
    except ExpressionError:
        return math.nan
    if len(trace) < 2:
        return math.nan
    total = sum(_haversine(a, b) for a, b in zip(trace, trace[1:], strict=False))
    return round(total, 2)


@function("area", 1)
def _area(ctx: Context, value: Any) -> float:
    """Area of a shape on the sphere (the method of Chamberlain and Duquette, as ODK)."""
    try:
        shape = points(value)
    except ExpressionError:
        return math.nan
    if len(shape) < 3:
        return 0.0 if shape else math.nan
    total = 0.0
    for i in range(len(shape)):
        lat1, lon1 = shape[i]
        lat2, lon2 = shape[(i + 1) % len(shape)]
        total += math.radians(lon2 - lon1) * (
            2 + math.sin(math.radians(lat1)) + math.sin(math.radians(lat2))
        )
    return round(abs(total * EARTH_RADIUS * EARTH_RADIUS / 2.0), 2)


@function("geofence", 2)
def _geofence(ctx: Context, point: Any, shape: Any) -> bool:
    """Whether a point lies inside a closed shape (ray casting, as JavaRosa)."""
    where = points(point)
    polygon = points(shape)
    if len(where) != 1 or len(polygon) < 3:
        raise ExpressionError.said(
            gettext_noop("expects one point and a shape of three points or more")
        )
    y, x = where[0]
    inside = False
    for (y1, x1), (y2, x2) in zip(polygon, polygon[1:] + polygon[:1], strict=False):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside
