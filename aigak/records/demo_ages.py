"""The published figures as demo targets; the ages, regions and genders that meet them.

Targets are the published figures (``demo_targets.json``, a trimmed copy of
``seed-tables.json``) with the cells of ``demo_deviations.json`` replaced where the
published tables contradict themselves.

Breakdown x gender x region of residence x age are tied together by T02-T04 and
T07-T09: ages must fall in the printed brackets and hit every region's printed mean and
standard deviation to one decimal, for all victims and for the deceased. Ages are
placed per region and column with exact sums (so every mean holds from the start) by
a seeded local search whose moves keep the sums, until every sum of squares (standard
deviation) and bracket count is in range; genders are then dealt within brackets.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
D, S = "deceased", "survivors"
VITAL = {D: "deceased", S: "alive"}
REFERENCE = dt.date(2022, 1, 5)
BRACKETS = (
    ("under_16", 0, 15), ("16_25", 16, 25), ("26_35", 26, 35), ("36_45", 36, 45),
    ("46_55", 46, 55), ("56_65", 56, 65), ("66_plus", 66, 85),
)  # fmt: skip
LOCALITY_REGION = {
    "almaty": "almaty", "taraz": "zhambyl", "taldykorgan": "almaty_oblast",
    "semey": "east_kazakhstan", "ust_kamenogorsk": "east_kazakhstan", "shymkent": "shymkent",
    "kyzylorda": "kyzylorda", "aktobe": "aktobe", "astana": "astana", "ekibastuz": "pavlodar",
    "uralsk": "west_kazakhstan", "atyrau": "atyrau", "kokshetau": "akmola",
    "kostanay": "kostanay", "pavlodar": "pavlodar", "aktau": "mangystau",
    "zhambyl_district": "almaty_oblast", "bayanaul": "pavlodar", "koshmambet": "almaty_oblast",
    "petropavlovsk": "north_kazakhstan", "stepnogorsk": "akmola", "karaganda": "karaganda",
    "kaskelen": "almaty_oblast",
}  # fmt: skip
HELD = ("pretrial_detention", "prison")
RESTRICTED = ("house_arrest", "bail", "conditional_sentence", "undertaking_not_to_leave")

Record = dict[str, Any]


# --- the published figures, with the deviations applied ---------------------------------


class Targets:
    def __init__(self) -> None:
        raw = json.loads((HERE / "demo_targets.json").read_text(encoding="utf-8"))
        self.tables = {t["id"]: t for t in raw["tables"]}
        deviations = json.loads((HERE / "demo_deviations.json").read_text(encoding="utf-8"))
        for d in deviations["deviations"]:
            table = self.tables[d["table"]]
            if d["part"] in ("counts", "percent"):
                row = next(r for r in table["rows"] if r["key"] == d["row"])
                row[d["part"]][d["column"]] = d["demo"]
            else:
                part, sub = d["part"].split(".")
                table[part][sub][d["column"]] = d["demo"]

    def rows(self, table_id: str) -> list[dict[str, Any]]:
        return self.tables[table_id]["rows"]

    def total(self, table_id: str) -> tuple[int, int]:
        counts = self.tables[table_id]["printed_total"]["counts"]
        return counts[D], counts[S]

    def pairs(self, table_id: str, denominators: tuple[int, int] | None = None) -> dict:
        """{row key: (deceased, survivors)}, unprinted cells filled from the row's total
        or percent (T15's garbled rows, T14's empty total, T17's '-')."""
        out = {}
        for row in self.rows(table_id):
            c, p = row["counts"], row.get("percent") or {}
            d, s, t = c.get(D), c.get(S), c.get("total")
            for _ in range(2):
                if d is None and t is not None and s is not None:
                    d = t - s
                if s is None and t is not None and d is not None:
                    s = t - d
                if denominators:
                    if d is None and p.get(D) is not None:
                        d = round(p[D] * denominators[0] / 100)
                    if s is None and p.get(S) is not None:
                        s = round(p[S] * denominators[1] / 100)
            out[row["key"]] = (d or 0, s or 0)
        return out


# --- ages, regions and gender: one integer program --------------------------------------


def _bounds_mean(mean: float, n: int) -> tuple[int, int]:
    low = math.ceil((mean - 0.05) * n - 1e-9)
    high = math.ceil((mean + 0.05) * n - 1e-9) - 1
    return low, high


def _bounds_squares(sd: float, n: int, total: int) -> tuple[int, int]:
    base = total * total / n
    low = math.ceil(base + (sd - 0.05) ** 2 * (n - 1) - 1e-9)
    high = math.ceil(base + (sd + 0.05) ** 2 * (n - 1) - 1e-9) - 1
    return low, high


def _sums(targets: Targets) -> tuple[dict, dict]:
    """Per region, the age sums of the deceased and of everyone, hitting every mean."""
    t08 = {r["key"]: r for r in targets.rows("T08")}
    t09 = {r["key"]: r for r in targets.rows("T09")}
    sum_d, sum_all = {}, {}
    for key, row in t08.items():
        if key in t09:
            low, high = _bounds_mean(t09[key]["mean"], t09[key]["n"])
            sum_d[key] = round(t09[key]["mean"] * t09[key]["n"])
            assert low <= sum_d[key] <= high
        low, high = _bounds_mean(row["mean"], row["n"])
        sum_all[key] = max(low, min(high, round(row["mean"] * row["n"])))
    for table, sums in (("T09", sum_d), ("T08", sum_all)):
        total = targets.tables[table]["printed_total"]
        low, high = _bounds_mean(total["mean"], total["n"])
        assert low <= sum(sums.values()) <= high, (table, sum(sums.values()), low, high)
    return sum_d, sum_all


PINNED_DECEASED = (  # what the report's text tells of the deceased: (age, region)
    (4, "almaty"), (12, "zhambyl"), (15, "kyzylorda"), (17, "almaty"),
    (17, "almaty_oblast"), (17, "zhambyl"), (72, "almaty"), (73, "almaty"), (73, "kyzylorda"),
)  # fmt: skip


def _bracket(age: int) -> int:
    return next(i for i, (_, low, high) in enumerate(BRACKETS) if low <= age <= high)


BRACKET_OF = [0] + [_bracket(a) for a in range(1, 86)]
# Free (unpinned) ages: the text's minors and elders among the deceased are all pinned.
AGE_LIMITS = {D: (18, 65), S: (16, 85)}


class AgeSearch:
    """Local search over ages: every move keeps each group's size and age sum (so every
    mean stays exact) and the search ends when every sum of squares (standard
    deviation), bracket count (T03) and total is in range."""

    def __init__(self, targets: Targets, rng: random.Random):
        self.rng = rng
        t07 = targets.pairs("T07")
        t08 = {r["key"]: r for r in targets.rows("T08")}
        t09 = {r["key"]: r for r in targets.rows("T09")}
        t03 = targets.pairs("T03")
        sum_d, sum_all = _sums(targets)
        self.groups: list[tuple[str, str]] = []
        self.ages: list[list[int]] = []
        self.pinned: list[int] = []  # how many leading ages of a group are fixed
        self.q_range: list[tuple[float, float]] = []  # per group (deceased sd) or none
        self.region_of: list[int] = []
        regions = list(t07)
        self.region_range = []
        for r in regions:
            row = t08[r]
            self.region_range.append(
                _bounds_squares(row["sd"], row["n"], sum_all[r]) if row["sd"] is not None
                else (-math.inf, math.inf)
            )  # fmt: skip
            n_d = t09.get(r, {}).get("n", 0)
            for c, n, total in ((D, n_d, sum_d.get(r, 0)), (S, row["n"] - n_d, None)):
                if not n:
                    continue
                if total is None:
                    total = sum_all[r] - sum_d.get(r, 0)
                pins = [a for a, where in PINNED_DECEASED if where == r] if c == D else []
                sd = (t09[r]["sd"] if c == D and r in t09 else row["sd"]) or 5.0
                ages = pins + self._spread(total - sum(pins), n - len(pins), sd, *AGE_LIMITS[c])
                self.groups.append((r, c))
                self.ages.append(ages)
                self.pinned.append(len(pins))
                self.region_of.append(regions.index(r))
                sd = t09[r]["sd"] if c == D and r in t09 else None
                self.q_range.append(
                    _bounds_squares(sd, n, total) if sd is not None else (-math.inf, math.inf)
                )
        self.regions = regions
        self._presolve_small()
        self.bracket_target = {c: [t03[key][c == S] for key, _, _ in BRACKETS] for c in (D, S)}
        self.total_range = {}
        for table, cols, sums in (("T09", (D,), sum_d), ("T08", (D, S), sum_all)):
            total = targets.tables[table]["printed_total"]
            self.total_range[cols] = _bounds_squares(total["sd"], total["n"], sum(sums.values()))
        self._recount()

    SMALL = 5

    def _presolve_small(self) -> None:
        """Groups of at most five free ages are drawn until they meet their own range
        (and their region's, when the region has no large group to absorb it); the
        search then leaves them alone."""
        self.frozen: set[int] = set()
        for g, ages in enumerate(self.ages):
            free = len(ages) - self.pinned[g]
            if free > self.SMALL:
                continue
            region = self.region_of[g]
            others = [h for h in range(len(self.ages)) if self.region_of[h] == region and h != g]
            ranges = [self.q_range[g]]
            if all(len(self.ages[h]) - self.pinned[h] <= self.SMALL for h in others):
                if all(h in self.frozen for h in others):
                    rest = sum(sum(a * a for a in self.ages[h]) for h in others)
                    low, high = self.region_range[region]
                    ranges.append((low - rest, high - rest))
            self.ages[g] = ages[: self.pinned[g]] + self._draw(ages[self.pinned[g] :], ranges, g)
            self.frozen.add(g)

    def _draw(self, ages: list[int], ranges: list[tuple[float, float]], g: int) -> list[int]:
        n, total = len(ages), sum(ages)
        if n <= 1:
            return ages
        pinned_q = sum(a * a for a in self.ages[g][: self.pinned[g]])
        low_age, high_age = AGE_LIMITS[self.groups[g][1]]
        mean = total / n
        for _ in range(400_000):
            draw = [self.rng.randint(low_age, high_age) if self.rng.random() < 0.2
                    else round(self.rng.gauss(mean, 14)) for _ in range(n - 1)]  # fmt: skip
            draw.append(total - sum(draw))
            if min(draw) < low_age or max(draw) > high_age:
                continue
            q = pinned_q + sum(a * a for a in draw)
            if all(low <= q <= high for low, high in ranges):
                return draw
        return ages

    def _spread(self, total: int, n: int, sd: float, low_age: int, high_age: int) -> list[int]:
        """n ages summing to total, drawn around their mean with about the wanted sd."""
        if n == 0:
            return []
        mean = total / n
        ages = [min(high_age, max(low_age, round(self.rng.gauss(mean, sd)))) for _ in range(n)]
        while (gap := total - sum(ages)) != 0:
            i = self.rng.randrange(n)
            step = 1 if gap > 0 else -1
            if low_age <= ages[i] + step <= high_age:
                ages[i] += step
        return ages

    def _recount(self) -> None:
        self.q = [sum(a * a for a in ages) for ages in self.ages]
        self.q_region = [0] * len(self.regions)
        self.brackets = {c: [0] * len(BRACKETS) for c in (D, S)}
        self.q_total = {cols: 0 for cols in self.total_range}
        for g, ages in enumerate(self.ages):
            c = self.groups[g][1]
            self.q_region[self.region_of[g]] += self.q[g]
            for cols in self.total_range:
                if c in cols:
                    self.q_total[cols] += self.q[g]
            for a in ages:
                self.brackets[c][BRACKET_OF[a]] += 1

    @staticmethod
    def _off(value: float, bounds: tuple[float, float]) -> float:
        low, high = bounds
        return low - value if value < low else (value - high if value > high else 0)

    def violations(self) -> list[str]:
        out = []
        for g, (q, r) in enumerate(zip(self.q, self.q_range, strict=True)):
            if self._off(q, r):
                out.append(f"group {self.groups[g]} squares {q} not in {r}")
        for i, (q, r) in enumerate(zip(self.q_region, self.region_range, strict=True)):
            if self._off(q, r):
                out.append(f"region {self.regions[i]} squares {q} not in {r}")
        for c, wanted in self.bracket_target.items():
            if self.brackets[c] != wanted:
                out.append(f"brackets of {c}: {self.brackets[c]} != {wanted}")
        for cols, bounds in self.total_range.items():
            if self._off(self.q_total[cols], bounds):
                out.append(f"total {cols} squares {self.q_total[cols]} not in {bounds}")
        return out

    def cost(self) -> float:
        off = self._off
        total = sum(off(q, r) for q, r in zip(self.q, self.q_range, strict=True))
        total += sum(off(q, r) for q, r in zip(self.q_region, self.region_range, strict=True))
        for c, wanted in self.bracket_target.items():
            total += 50 * sum(abs(h - w) for h, w in zip(self.brackets[c], wanted, strict=True))
        total += sum(off(self.q_total[cols], b) for cols, b in self.total_range.items())
        return total

    def _move_cost(self, g: int, before: tuple[int, int], after: tuple[int, int]) -> float:
        """The change of cost() if group g's two ages went from before to after."""
        off = self._off
        c = self.groups[g][1]
        dq = after[0] ** 2 + after[1] ** 2 - before[0] ** 2 - before[1] ** 2
        region = self.region_of[g]
        delta = off(self.q[g] + dq, self.q_range[g]) - off(self.q[g], self.q_range[g])
        bounds = self.region_range[region]
        delta += off(self.q_region[region] + dq, bounds) - off(self.q_region[region], bounds)
        for cols, b in self.total_range.items():
            if c in cols:
                delta += off(self.q_total[cols] + dq, b) - off(self.q_total[cols], b)
        have, want = self.brackets[c], self.bracket_target[c]
        change = [0] * len(BRACKETS)
        for a in before:
            change[BRACKET_OF[a]] -= 1
        for a in after:
            change[BRACKET_OF[a]] += 1
        for i, d in enumerate(change):
            if d:
                delta += 50 * (abs(have[i] + d - want[i]) - abs(have[i] - want[i]))
        return delta

    def _violated_groups(self) -> list[int]:
        off = self._off
        return [
            g for g in self.movable
            if off(self.q[g], self.q_range[g])
            or off(self.q_region[self.region_of[g]], self.region_range[self.region_of[g]])
        ]  # fmt: skip

    def run(self, max_moves: int = 200_000) -> list[tuple[str, str, int]]:
        rng = self.rng
        self.movable = [
            g for g, ages in enumerate(self.ages)
            if len(ages) - self.pinned[g] >= 2 and g not in self.frozen
        ]  # fmt: skip
        cost = self.cost()
        temperature = 10.0
        focus: list[int] = []
        for step in range(max_moves):
            if cost <= 0:
                break
            if step % 500 == 0:
                focus = self._violated_groups()
                temperature = max(0.3, temperature * 0.99)
            g = rng.choice(focus) if focus and rng.random() < 0.5 else rng.choice(self.movable)
            ages, pins = self.ages[g], self.pinned[g]
            i, j = rng.sample(range(pins, len(ages)), 2)
            k = rng.randint(1, 3) if rng.random() < 0.8 else rng.randint(4, 12)
            low, high = AGE_LIMITS[self.groups[g][1]]
            if ages[i] + k > high or ages[j] - k < low:
                continue
            before = (ages[i], ages[j])
            after = (before[0] + k, before[1] - k)
            delta = self._move_cost(g, before, after)
            if delta <= 0 or rng.random() < math.exp(-delta / temperature):
                ages[i], ages[j] = after
                self._apply(g, before, after)
                cost += delta
        problems = self.violations()
        if problems:
            raise RuntimeError("the demo ages could not be placed: " + "; ".join(problems))
        return [(r, c, a) for (r, c), ages in zip(self.groups, self.ages, strict=True)
                for a in ages]  # fmt: skip

    def _apply(self, g: int, before: tuple[int, int], after: tuple[int, int]) -> None:
        dq = after[0] ** 2 + after[1] ** 2 - before[0] ** 2 - before[1] ** 2
        c = self.groups[g][1]
        self.q[g] += dq
        self.q_region[self.region_of[g]] += dq
        for cols in self.total_range:
            if c in cols:
                self.q_total[cols] += dq
        for a in before:
            self.brackets[c][BRACKET_OF[a]] -= 1
        for a in after:
            self.brackets[c][BRACKET_OF[a]] += 1


def solve_ages(targets: Targets, rng: random.Random) -> list[Record]:
    """People with breakdown, gender, region of residence and age (None where unknown).

    Gender is tied to age (T04) but not to region, so ages are placed per region and
    column first (brackets as T03) and genders dealt within each bracket after.
    """
    t07 = targets.pairs("T07")
    for attempt in range(20):
        try:
            placed = AgeSearch(targets, random.Random(rng.random())).run()
            break
        except RuntimeError:
            if attempt == 19:
                raise
    people: list[Record] = [{"_col": c, "region_residence": r, "_age": a} for r, c, a in placed]
    aged = Counter((p["region_residence"], p["_col"]) for p in people)
    for r in t07:
        for c in (D, S):
            missing = t07[r][c == S] - aged[(r, c)]
            people += [{"_col": c, "region_residence": r, "_age": None} for _ in range(missing)]
    _deal_genders(targets, rng, people)
    return people


def _deal_genders(targets: Targets, rng: random.Random, people: list[Record]) -> None:
    """Genders per column and age bracket as T04; of the unknown ages, as T02 leaves."""
    t04, t02 = targets.pairs("T04"), targets.pairs("T02")
    for c in (D, S):
        for key, low_age, high_age in BRACKETS:
            group = [
                p for p in people
                if p["_col"] == c and p["_age"] is not None and low_age <= p["_age"] <= high_age
            ]  # fmt: skip
            quotas = {g: t04[f"{g}/{key}"][c == S] for g in ("female", "male")}
            _deal(rng, group, "gender", quotas)
        unknown = [p for p in people if p["_col"] == c and p["_age"] is None]
        quotas = {
            g: t02[g][c == S] - sum(t04[f"{g}/{k}"][c == S] for k, _, _ in BRACKETS)
            for g in ("female", "male")
        }
        _deal(rng, unknown, "gender", quotas)
    girl = next(p for p in people if p["_col"] == D and p["_age"] == 4)
    if girl["gender"] != "female":  # the text's deceased girl of 4
        other = next(
            p for p in people if p["_col"] == D and p["_age"] is not None
            and p["_age"] < 16 and p["gender"] == "female"
        )  # fmt: skip
        girl["gender"], other["gender"] = "female", "male"


def _deal(rng: random.Random, pool: list[Record], field: str, quotas: dict[str, int]) -> None:
    values = [k for k, n in quotas.items() for _ in range(n)]
    assert len(values) == len(pool), (field, len(values), len(pool))
    rng.shuffle(values)
    for record, value in zip(pool, values, strict=True):
        record[field] = value
