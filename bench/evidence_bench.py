"""Evidence benchmark: a multi-gigabyte tus upload and `aigak verify`, against the disk.

    python bench/evidence_bench.py [--size-gb 5] [--verify-gb 10] [--chunk-mb 64] [--dir DIR]

1. Starts `aigak serve` (waitress) as a subprocess on a fresh data folder, with a user
   and an API token.
2. Uploads a SIZE file through tus with tuspy (a real client: PATCH requests of
   --chunk-mb each, or with 0 tuspy's default of one PATCH for the whole file), sampling
   the server's memory (RSS from /proc, and its peak VmHWM); compares the throughput
   with writing the same bytes to the same disk (4 MiB blocks and an fsync at the end,
   like `dd bs=4M conv=fsync`) in the same run.
3. Uploads more files until VERIFY gigabytes are stored, then times `aigak verify` against
   `cat FILES > /dev/null` and against two `cat`s at once (verify hashes two files at
   once), all from a cold page cache when the machine lets us drop it
   (as root: /proc/sys/vm/drop_caches), else both warm.
4. Deletes everything it wrote and prints the figures (JSON on the last line).

It checks free disk space first and scales the sizes down if they do not fit.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

GB = 1024**3
MB = 1024**2
ROOT = Path(__file__).resolve().parent.parent


def rss_kb(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def drop_caches() -> bool:
    subprocess.run(["sync"], check=False)
    try:
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def make_source(path: Path, size: int, seed: int) -> str:
    """A file of `size` bytes that sniffs as MP4; returns its SHA-256."""
    block = bytearray(os.urandom(64 * MB))
    block[:24] = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    block[24:32] = seed.to_bytes(8, "big")
    digest = hashlib.sha256()
    with open(path, "wb") as out:
        written = 0
        while written < size:
            part = memoryview(block)[: min(len(block), size - written)]
            out.write(part)
            digest.update(part)
            written += len(part)
            block[32:40] = written.to_bytes(8, "big")  # no two blocks alike
    return digest.hexdigest()


def disk_write(source: Path, target: Path) -> float:
    """Seconds to copy source to target in 4 MiB blocks with a final fsync (dd-like)."""
    buffer = bytearray(4 * MB)
    started = time.perf_counter()
    with open(source, "rb") as src, open(target, "wb") as out:
        while n := src.readinto(buffer):
            out.write(memoryview(buffer)[:n])
        out.flush()
        os.fsync(out.fileno())
    return time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def aigak(env: dict, *args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "aigak", *args], env=env, capture_output=True, text=True, **kw
    )


class Server:
    """`aigak serve` in a subprocess."""

    def __init__(self, env: dict):
        self.port = free_port()
        command = [sys.executable, "-m", "aigak", "serve", "--port", str(self.port)]
        self.process = subprocess.Popen(
            command,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("aigak serve did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


class MemoryWatch(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0, True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, rss_kb(self.pid))
            time.sleep(0.1)


def upload(url: str, token: str, path: Path, chunk: int) -> float:
    from tusclient.client import TusClient

    client = TusClient(f"{url}/api/v1/uploads/", headers={"Authorization": f"Token {token}"})
    sized = {"chunk_size": chunk} if chunk else {}  # else tuspy's default: one PATCH
    uploader = client.uploader(str(path), metadata={"filename": path.name}, **sized)
    started = time.perf_counter()
    uploader.upload()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-gb", type=float, default=5)
    parser.add_argument("--verify-gb", type=float, default=10)
    parser.add_argument(
        "--chunk-mb", type=int, default=64, help="PATCH size; 0: the whole file in one PATCH"
    )
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()

    args.dir.mkdir(parents=True, exist_ok=True)
    size = int(args.size_gb * GB)
    verify_total = max(int(args.verify_gb * GB), size)
    free = shutil.disk_usage(args.dir).free
    # sources + stored copies + the dd copy, with 5 GB to spare for everyone else
    needed = 2 * verify_total + size + 5 * GB
    scaled = ""
    if needed > free:
        factor = (free - 5 * GB) / (needed - 5 * GB)
        size, verify_total = int(size * factor), int(verify_total * factor)
        scaled = f"scaled down by {factor:.2f} for lack of disk ({free / GB:.1f} GB free)"
        print(scaled, file=sys.stderr)

    work = Path(tempfile.mkdtemp(prefix="evidence-bench-", dir=args.dir))
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIGAK_")}
    env.pop("DATABASE_URL", None)
    env.update(AIGAK_DATA_DIR=str(work / "data"), DJANGO_SETTINGS_MODULE="aigak.settings")
    server = None
    figures: dict = {
        "scaled": scaled,
        "load_average_before": os.getloadavg(),
    }
    try:
        password = work / "password"
        password.write_text("bench password 1234\n")
        made = aigak(
            env, "createuser", "bench", "--role", "documenter", "--password-file", str(password)
        )
        assert made.returncode == 0, made.stderr
        token = aigak(env, "token", "bench").stdout.strip()

        sources = []
        count = max(1, round(verify_total / size))
        for n in range(count):
            path = work / f"source-{n}.mp4"
            sources.append((path, make_source(path, size, n)))

        server = Server(env)
        # Warm up: one small upload so imports and connections are in place.
        small = work / "small.mp4"
        make_source(small, MB, 99)
        upload(server.url, token, small, args.chunk_mb * MB)
        rss_before = rss_kb(server.process.pid)
        watch = MemoryWatch(server.process.pid)
        watch.start()
        server_cpu, client_cpu = cpu_seconds(server.process.pid), own_cpu()
        seconds = upload(server.url, token, sources[0][0], args.chunk_mb * MB)
        server_cpu = cpu_seconds(server.process.pid) - server_cpu
        client_cpu = own_cpu() - client_cpu
        watch.running = False
        watch.join()
        stored = work / "data" / "evidence" / sources[0][1][:2] / sources[0][1]
        assert stored.stat().st_size == size, "the upload did not arrive whole"
        dd_target = work / "dd-copy"
        dd_cpu = own_cpu()
        dd_seconds = disk_write(sources[0][0], dd_target)
        dd_cpu = own_cpu() - dd_cpu
        dd_target.unlink()
        figures["upload"] = {
            "bytes": size,
            "chunk_bytes": args.chunk_mb * MB,
            "seconds": round(seconds, 2),
            "mb_per_s": round(size / MB / seconds, 1),
            "disk_write_seconds": round(dd_seconds, 2),
            "disk_write_mb_per_s": round(size / MB / dd_seconds, 1),
            "ratio_to_disk_write": round(dd_seconds / seconds, 2),
            "server_rss_before_mb": round(rss_before / 1024, 1),
            "server_rss_peak_mb": round(max(watch.peak, rss_before) / 1024, 1),
            "server_rss_growth_mb": round((max(watch.peak, rss_before) - rss_before) / 1024, 1),
            "server_vmhwm_mb": round(rss_kb(server.process.pid, "VmHWM") / 1024, 1),
            "server_cpu_s_per_gb": round(server_cpu / (size / GB), 2),
            "client_cpu_s_per_gb": round(client_cpu / (size / GB), 2),
            "disk_write_cpu_s_per_gb": round(dd_cpu / (size / GB), 2),
        }
        for path, _ in sources[1:]:
            upload(server.url, token, path, args.chunk_mb * MB)
        server.stop()
        server = None
        for path, _ in sources:
            path.unlink()

        files = [str(p) for p in (work / "data" / "evidence").glob("??/*")]
        total = sum(os.path.getsize(f) for f in files)
        cold = drop_caches()
        started, cpu = time.perf_counter(), children_cpu()
        subprocess.run(["cat", *files], stdout=subprocess.DEVNULL, check=True)
        cat_seconds, cat_cpu = time.perf_counter() - started, children_cpu() - cpu
        # The same files read by two `cat`s at once, split as verify's two threads take
        # them (largest first): the raw read with the same parallelism.
        groups: list[list[str]] = [[], []]
        for name in sorted(files, key=os.path.getsize, reverse=True):
            min(groups, key=lambda g: sum(map(os.path.getsize, g))).append(name)
        drop_caches()
        started = time.perf_counter()
        readers = [
            subprocess.Popen(["cat", *group], stdout=subprocess.DEVNULL)
            for group in groups
            if group
        ]
        assert all(reader.wait() == 0 for reader in readers)
        cat2_seconds = time.perf_counter() - started
        drop_caches()
        started, cpu = time.perf_counter(), children_cpu()
        verified = aigak(env, "verify")
        verify_seconds, verify_cpu = time.perf_counter() - started, children_cpu() - cpu
        assert verified.returncode == 0, verified.stdout + verified.stderr
        figures["verify"] = {
            "bytes": total,
            "files": len(files),
            "cold_cache": cold,
            "verify_seconds": round(verify_seconds, 2),
            "verify_mb_per_s": round(total / MB / verify_seconds, 1),
            "cat_seconds": round(cat_seconds, 2),
            "cat_mb_per_s": round(total / MB / cat_seconds, 1),
            "ratio_to_cat": round(cat_seconds / verify_seconds, 2),
            "two_cats_seconds": round(cat2_seconds, 2),
            "two_cats_mb_per_s": round(total / MB / cat2_seconds, 1),
            "ratio_to_two_cats": round(cat2_seconds / verify_seconds, 2),
            "verify_cpu_s_per_gb": round(verify_cpu / (total / GB), 2),
            "cat_cpu_s_per_gb": round(cat_cpu / (total / GB), 2),
            "output": verified.stdout.strip().splitlines()[-1],
        }
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)
    figures["load_average_after"] = os.getloadavg()
    up, ver = figures["upload"], figures["verify"]
    print(
        f"upload {up['bytes'] / GB:.2f} GB: {up['mb_per_s']} MB/s, disk write "
        f"{up['disk_write_mb_per_s']} MB/s (ratio {up['ratio_to_disk_write']}); "
        f"server RSS {up['server_rss_before_mb']} -> peak {up['server_rss_peak_mb']} MB "
        f"(+{up['server_rss_growth_mb']} MB)"
    )
    print(
        f"verify {ver['bytes'] / GB:.2f} GB in {ver['files']} files: {ver['verify_mb_per_s']} MB/s, "
        f"cat {ver['cat_mb_per_s']} MB/s (ratio {ver['ratio_to_cat']}), two cats at once "
        f"{ver['two_cats_mb_per_s']} MB/s (ratio {ver['ratio_to_two_cats']}); "
        f"cold cache: {ver['cold_cache']}"
    )
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
