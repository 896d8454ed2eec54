"""Cost of encrypting evidence at rest: the local store with and without a key.

    python bench/evidence_encryption_bench.py [--size-mb 200] [--dir DIR] [--rounds 3]

For each mode (plain, AES-256-GCM in 64 KiB chunks) and round, on a fresh store folder:
- write: `LocalStore.put` of a SIZE file of random bytes (the move into the store for
  plain files; encryption to a new file and an fsync for encrypted ones);
- read: the whole file through `LocalStore.open`, in 4 MiB reads (warm page cache);
- seek: 200 range reads of 1 MiB at random offsets (what video playback does).
Wall and CPU (user + system of this process) are the best of the rounds; the load
average is printed beside them. The JSON on the last line holds every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aigak.evidence.storage import LocalStore, hash_stream  # noqa: E402

MB = 1024**2


def cpu() -> float:
    times = os.times()
    return times.user + times.system


def timed(action) -> tuple[float, float, object]:
    wall, used = time.perf_counter(), cpu()
    result = action()
    return time.perf_counter() - wall, cpu() - used, result


def one_round(folder: Path, key: bytes | None, sample: Path, size: int) -> dict[str, float]:
    store_root = folder / ("sealed" if key else "plain")
    shutil.rmtree(store_root, ignore_errors=True)
    (store_root / "uploads").mkdir(parents=True)
    files = LocalStore(store_root, key)
    source = store_root / "uploads" / "in"
    shutil.copyfile(sample, source)
    sha = hash_stream(open(sample, "rb"))[0]
    write = timed(lambda: files.put(source, sha))

    def read_all() -> str:
        with files.open(sha) as handle:
            return hash_stream(handle)[0]

    read = timed(read_all)
    assert read[2] == sha, "the store gave back other bytes"
    picks = random.Random(1).sample(range(max(1, size - MB)), 200)

    def seek_reads() -> int:
        total = 0
        with files.open(sha) as handle:
            for offset in picks:
                handle.seek(offset)
                total += len(handle.read(MB))
        return total

    seek = timed(seek_reads)
    return {
        "write_wall": write[0],
        "write_cpu": write[1],
        "read_wall": read[0],
        "read_cpu": read[1],
        "seek_wall": seek[0],
        "seek_cpu": seek[1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dir", default=None, help="a folder on the disk to measure")
    args = parser.parse_args()
    size = args.size_mb * MB
    folder = Path(tempfile.mkdtemp(prefix="aigak-encbench-", dir=args.dir))
    results: dict[str, dict[str, float]] = {}
    try:
        sample = folder / "sample"
        with open(sample, "wb") as out:
            for _ in range(args.size_mb):
                out.write(os.urandom(MB))
        for mode, key in (("plain", None), ("aes-256-gcm", os.urandom(32))):
            rounds = [one_round(folder, key, sample, size) for _ in range(args.rounds)]
            best = {name: min(r[name] for r in rounds) for name in rounds[0]}
            results[mode] = best
            load = os.getloadavg()
            print(
                f"{mode:12} write {args.size_mb / best['write_wall']:7.0f} MB/s "
                f"(wall {best['write_wall']:.2f}s, cpu {best['write_cpu']:.2f}s)  "
                f"read {args.size_mb / best['read_wall']:7.0f} MB/s "
                f"(wall {best['read_wall']:.2f}s, cpu {best['read_cpu']:.2f}s)  "
                f"200 x 1 MiB seeks {best['seek_wall']:.2f}s  "
                f"load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps({"size_mb": args.size_mb, "load": os.getloadavg(), **results}))


if __name__ == "__main__":
    main()
