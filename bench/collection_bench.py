"""Field collection benchmark: many phones sending at once, and one very large video.

    python bench/collection_bench.py [--phones 50] [--each 5] [--photo-mb 2] [--video-gb 1]

1. Starts `aigak serve` (waitress, its default 8 threads) on a fresh data folder with
   SQLite, installs a form with a photo question, makes a documenter and a token.
2. PHONES threads start together (a barrier) and each sends EACH submissions one after
   the other, as ODK Collect does: `HEAD submission`, then a multipart POST with the
   instance XML and a PHOTO-MB photo (random bytes behind a JPEG header, so every photo
   is different). Counts the answers by status and times them; then counts the records
   (`aigak export`) and the evidence files (`aigak evidence list`): none may fail, none
   may be lost.
3. Sends one submission with a VIDEO-GB video in a single POST, streamed from disk by a
   hand-written multipart body (http.client), sampling the server's resident memory
   (/proc) every 50 ms: the growth over the resident size before the POST is the figure.
4. Deletes everything it wrote; prints the figures (JSON on the last line).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from evidence_bench import Server, aigak, rss_kb  # noqa: E402

MB = 1024**2
FORM = """
| survey |
| | type | name | label |
| | text | name | Name |
| | image | photo | Photo |
| | video | film | Film |
| settings |
| | form_id | version |
| | bench_kit | 1 |
"""


def instance(name: str, photo: str = "", film: str = "") -> bytes:
    return (
        f"<bench_kit id='bench_kit' version='1'><name>{name}</name><photo>{photo}</photo>"
        f"<film>{film}</film><meta><instanceID>uuid:{uuid.uuid4()}</instanceID></meta>"
        "</bench_kit>"
    ).encode()


def photo_bytes(size: int) -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + os.urandom(
        size - 20
    )


def phone(base: str, each: int, size: int, barrier: threading.Barrier, out: list) -> None:
    session = requests.Session()
    headers = {"X-OpenRosa-Version": "1.0"}
    barrier.wait()
    for n in range(each):
        started = time.perf_counter()
        head = session.head(base + "submission", headers=headers, timeout=600)
        name = f"p{uuid.uuid4().hex[:8]}.jpg"
        files = {
            "xml_submission_file": ("submission.xml", instance(f"phone {n}", name), "text/xml"),
            name: (name, photo_bytes(size), "image/jpeg"),
        }
        try:
            response = session.post(base + "submission", files=files, headers=headers, timeout=600)
            status = response.status_code
        except requests.RequestException as exc:
            status = f"error {type(exc).__name__}"
        out.append((head.status_code, status, time.perf_counter() - started))


def many_phones(base: str, phones: int, each: int, size: int) -> dict:
    barrier = threading.Barrier(phones)
    results: list = []
    threads = [
        threading.Thread(target=phone, args=(base, each, size, barrier, results))
        for _ in range(phones)
    ]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    times = sorted(r[2] for r in results)
    statuses: dict[str, int] = {}
    for _, status, _ in results:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    return {
        "submissions": len(results),
        "statuses": statuses,
        "seconds": round(elapsed, 1),
        "per_second": round(len(results) / elapsed, 2),
        "median_s": round(times[len(times) // 2], 2),
        "p95_s": round(times[int(len(times) * 0.95) - 1], 2),
        "max_s": round(times[-1], 2),
    }


def big_video(base: str, path: Path, pid: int) -> dict:
    """One POST holding the video, streamed from disk; the server's memory sampled."""
    boundary = uuid.uuid4().hex
    xml = instance("video", film="film.mp4")
    head = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="xml_submission_file"; '
            f'filename="submission.xml"\r\nContent-Type: text/xml\r\n\r\n'
        ).encode()
        + xml
        + (
            f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="film.mp4"; '
            f'filename="film.mp4"\r\nContent-Type: video/mp4\r\n\r\n'
        ).encode()
    )
    tail = f"\r\n--{boundary}--\r\n".encode()
    length = len(head) + path.stat().st_size + len(tail)
    url = urlsplit(base + "submission")
    baseline = rss_kb(pid)
    hwm_before = rss_kb(pid, "VmHWM")
    peak = [baseline]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], rss_kb(pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.perf_counter()
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=3600)
    connection.putrequest("POST", url.path)
    connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    connection.putheader("Content-Length", str(length))
    connection.putheader("X-OpenRosa-Version", "1.0")
    connection.endheaders()
    connection.send(head)
    with open(path, "rb") as handle:
        while chunk := handle.read(4 * MB):
            connection.send(chunk)
    connection.send(tail)
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter() - started
    time.sleep(0.3)
    done.set()
    sampler.join()
    return {
        "status": response.status,
        "size_mb": round(path.stat().st_size / MB),
        "seconds": round(elapsed, 1),
        "rss_before_mb": round(baseline / 1024, 1),
        "rss_peak_mb": round(peak[0] / 1024, 1),
        "growth_mb": round((peak[0] - baseline) / 1024, 1),
        # the kernel's own peak of the resident size, since the server started
        "hwm_before_mb": round(hwm_before / 1024, 1),
        "hwm_after_mb": round(rss_kb(pid, "VmHWM") / 1024, 1),
    }


def make_video(path: Path, size: int) -> None:
    head = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    block = os.urandom(4 * MB)
    with open(path, "wb") as out:
        out.write(head)
        written = len(head)
        while written < size:
            piece = block[: min(len(block), size - written)]
            out.write(piece)
            written += len(piece)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--phones", type=int, default=50)
    parser.add_argument("--each", type=int, default=5)
    parser.add_argument("--photo-mb", type=float, default=2)
    parser.add_argument("--video-gb", type=float, default=1)
    parser.add_argument("--dir", default=None)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="aigak-collection-", dir=args.dir))
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)  # SQLite, as the issue asks
    env.update(AIGAK_DATA_DIR=str(work / "data"), DJANGO_SETTINGS_MODULE="aigak.settings")
    server = None
    try:
        from pyxform.xls2json_backends import md_table_to_workbook

        md_table_to_workbook(FORM).save(work / "bench_kit.xlsx")
        aigak(env, "form", "install", str(work / "bench_kit.xlsx"), check=True)
        (work / "pw").write_text("a long bench password 42\n")
        aigak(env, "createuser", "phone", "--role", "documenter", "--password-file",
              str(work / "pw"), check=True)  # fmt: skip
        token = aigak(env, "token", "phone", check=True).stdout.strip().split()[-1]
        server = Server(env)
        base = f"http://127.0.0.1:{server.port}/openrosa/key/{token}/"
        figures: dict = {"load_before": os.getloadavg()}
        figures["phones"] = many_phones(base, args.phones, args.each, int(args.photo_mb * MB))
        figures["phones"].update(phones=args.phones, each=args.each, photo_mb=args.photo_mb)
        exported = json.loads(aigak(env, "export", "bench_kit", "--format", "json").stdout)
        evidence = json.loads(aigak(env, "evidence", "list", "--format", "json").stdout)
        figures["phones"]["records"] = len(exported)
        figures["phones"]["evidence"] = len(evidence)
        if args.video_gb > 0:
            video = work / "film.mp4"
            make_video(video, int(args.video_gb * 1024 * MB))
            figures["video"] = big_video(base, video, server.process.pid)
            video.unlink()
        figures["load_after"] = os.getloadavg()
        print(json.dumps(figures))
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
