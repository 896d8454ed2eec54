"""Secrets that travel in a URL never reach a log line.

ODK Collect's server address holds the user's token (`/openrosa/key/<token>/`); Django
logs the path of a request that fails ("Unauthorized: /openrosa/key/..."), and the audit
log keeps the path of each page read. Both go through `hide_secrets`.

>>> hide_secrets("Unauthorized: /openrosa/key/Zm9vYmFy-_x/formList")
'Unauthorized: /openrosa/key/…/formList'
>>> hide_secrets("/records/victim/")
'/records/victim/'
"""

from __future__ import annotations

import logging
import re

TOKEN_IN_PATH = re.compile(r"(/openrosa/key/)[^/\s?#\"']+")


def hide_secrets(text: str) -> str:
    return TOKEN_IN_PATH.sub(r"\1…", text)


class HideSecrets(logging.Filter):
    """A logging filter: the message with every token in a path replaced by `…`."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        hidden = hide_secrets(message)
        if hidden != message:
            record.msg, record.args = hidden, ()
        return True
