"""Typed readers of environment settings that fail loudly on bad values.

>>> import os
>>> os.environ["AIGAK_TEST_FLAG"] = "yes"
>>> env_bool("AIGAK_TEST_FLAG")
True
>>> os.environ["AIGAK_TEST_FLAG"] = "maybe"
>>> env_bool("AIGAK_TEST_FLAG")
Traceback (most recent call last):
...
ValueError: AIGAK_TEST_FLAG must be one of 1/0, true/false, yes/no, on/off; got 'maybe'
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer; got {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def env_choice(name: str, choices: tuple[str, ...]) -> str:
    """One of `choices`, the first by default; anything else is an error naming them.

    >>> env_choice("EXAMPLE_NOT_SET", ("thread", "worker"))
    'thread'
    """
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return choices[0]
    if raw not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}; got {raw!r}")
    return raw


# Files this process makes are its owner's alone: 0600, folders 0700 (the database and
# its WAL and SHM, the secret key, evidence, thumbnails, partial uploads, backups).
PRIVATE_UMASK = 0o077


def data_dir() -> Path:
    """The folder holding the SQLite database, evidence files and the secret key.

    Reading it sets the process's umask to PRIVATE_UMASK, whatever it was, and makes the
    folder 0700.
    """
    os.umask(PRIVATE_UMASK)
    path = Path(os.environ.get("AIGAK_DATA_DIR") or "aigak-data").expanduser().resolve()
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    found = path.stat()
    if found.st_mode & 0o077 and found.st_uid == os.getuid():
        path.chmod(0o700)
    return path


def secret_key(folder: Path) -> str:
    """Read the secret key from the data folder, generating it on first run.

    An explicit AIGAK_SECRET_KEY wins, so a deployment can keep it elsewhere.
    """
    explicit = os.environ.get("AIGAK_SECRET_KEY")
    if explicit:
        return explicit
    key_file = folder / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(50)
    # Create with owner-only permissions; never world readable.
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key
