"""Encrypted ODK submissions with a large video: decryption speed and memory.

    python bench/odk_crypto_bench.py                # a 1 GiB video
    python bench/odk_crypto_bench.py --mib 256

A submission is made as ODK Collect makes it (aigak.lib.odk_crypto.SubmissionEncryptor:
a video of MIB MiB, then submission.xml), written to a scratch folder; then, in a fresh
child process, the files are decrypted file to file with
`EncryptedSubmission.decrypt_stream` (as `aigak decrypt` does) and the signature is
checked. It reports wall time, MiB/s and the child's peak resident memory (ru_maxrss)
against its memory before the work, so "never whole in memory" is a number. The load average is printed with the results.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHUNK = os.urandom(1 << 20)


def make_submission(folder: Path, mib: int) -> bytes:
    from aigak.lib.odk_crypto import SubmissionEncryptor, generate_keypair

    private_pem, public_pem = generate_keypair()
    instance = folder / "uuid0001"
    instance.mkdir(parents=True)
    encryptor = SubmissionEncryptor.new(
        public_pem, form_id="bench_video", version="1", instance_id="uuid:0001"
    )

    class Video:
        left = mib

        def read(self, size: int = -1) -> bytes:
            if self.left == 0:
                return b""
            self.left -= 1
            return CHUNK

    with open(instance / "clip.mp4.enc", "wb") as out:
        encryptor.encrypt_stream("clip.mp4", Video(), out)  # type: ignore[arg-type]
    xml = (
        b"<data id='bench_video' version='1'><name>x</name><clip>clip.mp4</clip>"
        b"<meta><instanceID>uuid:0001</instanceID></meta></data>"
    )
    with open(instance / "submission.xml.enc", "wb") as out:
        encryptor.encrypt_stream("submission.xml", io.BytesIO(xml), out)
    (instance / "submission.xml").write_bytes(encryptor.manifest())
    return private_pem


def child_decrypt(folder: str, key_path: str) -> None:
    """In a fresh process: decrypt the video file to file; print seconds and memory."""
    from aigak.lib.odk_crypto import EncryptedSubmission

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    instance = Path(folder) / "uuid0001"
    start = time.perf_counter()
    opened = EncryptedSubmission.open(
        Path(key_path).read_bytes(), (instance / "submission.xml").read_bytes()
    )
    for name in opened.manifest.files:
        with open(instance / name, "rb") as source, open(instance / name[:-4], "wb") as out:
            opened.decrypt_stream(name, source, out)
    opened.verify()
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{seconds:.2f} {(peak - before) / 1024:.1f}")


def run_child(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True
    )
    return done.stdout.strip().splitlines()[-1]


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child-decrypt":
        child_decrypt(sys.argv[2], sys.argv[3])
        return 0
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=int, default=1024)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    scratch = Path(tempfile.mkdtemp(prefix="aigak-odk-crypto-bench-"))
    try:
        folder = scratch / "submissions"
        start = time.perf_counter()
        key = make_submission(folder, args.mib)
        made = time.perf_counter() - start
        key_path = scratch / "form.pem"
        key_path.write_bytes(key)
        print(f"video {args.mib} MiB; load average {os.getloadavg()[0]:.2f}")
        print(f"encrypt (as Collect): {made:.2f} s, {args.mib / made:.0f} MiB/s")
        seconds, grown = map(
            float, run_child("--child-decrypt", str(folder), str(key_path)).split()
        )
        print(
            f"decrypt_stream + verify: {seconds:.2f} s, {args.mib / seconds:.0f} MiB/s, "
            f"peak memory growth {grown:.1f} MiB"
        )
        for name in ("clip.mp4", "submission.xml"):
            (folder / "uuid0001" / name).unlink()
        print(f"load average {os.getloadavg()[0]:.2f}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
