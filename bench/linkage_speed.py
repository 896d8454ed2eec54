"""Speed of `aigak dedupe` and `aigak link` on synthetic Kazakh lists.

    python bench/linkage_speed.py dedupe-100k link-240x1m [dedupe-1m] [--workdir DIR]

Each case writes its input CSVs once into the work directory (default
`./aigak-data/bench-linkage`, reused on later runs), then runs the real command in a
fresh process and prints wall time, CPU time (user + system, with its worker
processes), peak resident memory (of the process and its workers: Python, pandas and
DuckDB), the size of the output and its precision and recall against the truth. Figures go to
`docs/performance.md`, section "Linkage".
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from proctree import Memory

from aigak.linkage.synthetic import INITIALS_STYLES, STYLES, population, render_list

CASES = {
    "dedupe-100k": "aigak dedupe of 100,000 rows (goal: under 2 minutes, under 8 GB)",
    "dedupe-1m": "aigak dedupe of 1,000,000 rows (goal: under 20 minutes, under 8 GB)",
    "link-240x1m": "aigak link of 240 initials-only names against 1,000,000 (goal: under 1 minute)",
    "dedupe-1m-independent": "aigak dedupe of 1,000,000 rows of the independent evaluation's"
    " generator, evaluation seed 1001 (goals: precision 0.92, under 3 minutes, under 4 GB)",
}
# Rows of the independent dedupe list; people = rows / 1.45 (30% written 2 or 3 times).
INDEPENDENT_ROWS = 1_000_000


def dedupe_list(rows: int, seed: int) -> pd.DataFrame:
    """`rows` rows in which about 30% of people appear two or three times; the column
    `person` says who each row is."""
    people = population(int(rows / 1.45) + 1, seed)
    rng = np.random.default_rng(seed)
    copies = np.where(rng.random(len(people)) < 0.3, rng.integers(2, 4, len(people)), 1)
    repeated = people.loc[people.index.repeat(copies)].sample(frac=1.0, random_state=seed)
    return render_list(repeated.head(rows).reset_index(drop=True), STYLES, seed, "P")


def official_truth(n_register: int, n_official: int, seed: int) -> pd.DataFrame:
    """Which official-list id is which register id (the rest are not in the register)."""
    rng = np.random.default_rng(seed)
    known = rng.choice(n_register, int(n_official * 0.8), replace=False)
    return pd.DataFrame({"left_id": [f"O{i + 1}" for i in range(len(known))],
                         "right_id": [f"R{k + 1}" for k in known]})  # fmt: skip


def link_lists(n_register: int, n_official: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A register of `n_register` people and an official list of `n_official`, most of
    whom are in the register, written with initials, surname, age and town."""
    people = population(n_register + n_official, seed)
    register = render_list(people.head(n_register), STYLES, seed, "R").drop(columns="person")
    rng = np.random.default_rng(seed)
    known = rng.choice(n_register, int(n_official * 0.8), replace=False)
    unknown = np.arange(n_register, n_register + n_official - len(known))
    chosen = people.iloc[np.concatenate([known, unknown])]
    official = render_list(chosen, INITIALS_STYLES, seed + 1, "O", official=True)
    return official.drop(columns="person"), register


def ensure_inputs(case: str, workdir: Path) -> list[Path]:
    workdir.mkdir(parents=True, exist_ok=True)
    if case == "dedupe-1m-independent":
        return [_independent_input(workdir)]
    if case.startswith("dedupe"):
        rows = 100_000 if case == "dedupe-100k" else 1_000_000
        path = workdir / f"dedupe-{rows}.csv"
        truth = workdir / f"dedupe-{rows}.truth.csv"
        if not (path.exists() and truth.exists()):
            print(f"writing {path} ...", file=sys.stderr)
            frame = dedupe_list(rows, seed=7)
            frame[["id", "person"]].to_csv(truth, index=False)
            frame.drop(columns="person").to_csv(path, index=False)
        return [path]
    official, register = workdir / "official-240.csv", workdir / "register-1000000.csv"
    if not (official.exists() and register.exists()):
        print(f"writing {official} and {register} ...", file=sys.stderr)
        left, right = link_lists(1_000_000, 240, seed=9)
        left.to_csv(official, index=False)
        right.to_csv(register, index=False)
    truth = workdir / "official-240.truth.csv"
    if not truth.exists():
        official_truth(1_000_000, 240, seed=9).to_csv(truth, index=False)
    return [official, register]


def _independent_input(workdir: Path) -> Path:
    """The dedupe list of `aigak.linkage.evaluation.tasks` (a generator the model was not
    tuned on) at a million rows, with its truth beside it."""
    from aigak.linkage.evaluation import generator, tasks

    path = workdir / "dedupe-independent-1000000.csv"
    truth = workdir / "dedupe-independent-1000000.truth.csv"
    if not (path.exists() and truth.exists()):
        print(f"writing {path} ...", file=sys.stderr)
        people = int(INDEPENDENT_ROWS / 1.45) + 1
        frame = tasks.dedupe_list(people, generator.EVALUATION_SEEDS[0])
        frame = frame.head(INDEPENDENT_ROWS)
        frame[["id", "person"]].to_csv(truth, index=False)
        frame.drop(columns="person").to_csv(path, index=False)
    return path


def quality(case: str, workdir: Path) -> dict[str, float]:
    """Precision and recall of a case's output against the truth written beside it."""
    out = pd.read_csv(workdir / f"{case}.out.csv", dtype=str)
    if case.startswith("link"):
        truth = pd.read_csv(workdir / "official-240.truth.csv", dtype=str)
        found = set(out[["left_id", "right_id"]].itertuples(index=False, name=None))
        true = set(truth.itertuples(index=False, name=None))
    else:
        rows = 100_000 if case == "dedupe-100k" else 1_000_000
        name = "dedupe-independent" if case == "dedupe-1m-independent" else "dedupe"
        truth = pd.read_csv(workdir / f"{name}-{rows}.truth.csv", dtype=str)
        found, true = _pairs(out["id"], out["cluster_id"]), _pairs(truth["id"], truth["person"])
    hits = len(found & true)
    precision, recall = hits / max(len(found), 1), hits / max(len(true), 1)
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    return {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3)}


def _pairs(ids: pd.Series, groups: pd.Series) -> set[tuple[str, str]]:
    frame = pd.DataFrame({"id": ids.to_numpy(), "g": groups.to_numpy()})
    joined = frame.merge(frame, on="g")
    joined = joined[joined["id_x"] < joined["id_y"]]
    return set(joined[["id_x", "id_y"]].itertuples(index=False, name=None))


def run(case: str, inputs: list[Path], workdir: Path) -> dict[str, float | str]:
    """Run the real command in a fresh process: wall seconds, CPU seconds (user + system,
    with its worker processes), peak memory of it and its workers, output size."""
    out = workdir / f"{case}.out.csv"
    command = "dedupe" if case.startswith("dedupe") else "link"
    aigak = Path(sys.executable).with_name("aigak")
    argv = [str(aigak), command, *map(str, inputs), "--out", str(out)]
    with tempfile.TemporaryFile("w+") as err:
        started = time.monotonic()
        process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err, text=True)
        with Memory(process.pid) as memory:
            _, status, usage = os.wait4(process.pid, 0)  # includes its reaped workers
        wall = time.monotonic() - started
        err.seek(0)
        stderr = err.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{case} failed:\n{stderr}")
    result = pd.read_csv(out, dtype=str)
    summary = [line for line in stderr.splitlines() if line.strip()]
    return {
        "case": case,
        "wall_s": round(wall, 1),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_gb": round(memory.peak_kb / 1024 / 1024, 2),
        "output_rows": len(result),
        "summary": summary[-1] if summary else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cases", nargs="+", choices=sorted(CASES))
    parser.add_argument("--workdir", type=Path, default=Path("aigak-data/bench-linkage"))
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()}")
    for case in args.cases:
        inputs = ensure_inputs(case, args.workdir)
        print(f"{case}: {CASES[case]}", flush=True)
        print(f"  load average before: {os.getloadavg()}", flush=True)
        print(f"  {run(case, inputs, args.workdir)}", flush=True)
        print(f"  load average after: {os.getloadavg()}", flush=True)
        print(f"  quality: {quality(case, args.workdir)}", flush=True)


if __name__ == "__main__":
    main()
