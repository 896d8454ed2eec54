"""ODK Collect's settings QR code: the JSON Collect reads (docs.getodk.org,
"Settings QR codes"), zlib-compressed, then base64, then a QR code.

It sets the server address with the token in it (no password on the phone), makes the
phone's form list match exactly the forms the user may collect with, sends finished
forms when there is a connection and deletes them from the phone once sent: a seized
phone holds as little as possible.
"""

from __future__ import annotations

import base64
import json
import zlib
from typing import Any

import segno


def collect_settings(server_url: str, username: str, project: str = "Aigak") -> dict[str, Any]:
    return {
        "general": {
            "server_url": server_url,
            "form_update_mode": "match_exactly",
            "periodic_form_updates_check": "every_one_hour",
            "autosend": "wifi_and_cellular",
            "delete_send": True,
            "metadata_username": username,
        },
        "admin": {"change_server": False},
        "project": {"name": project, "icon": project[:1].upper() or "A", "color": "#1f5f8b"},
    }


def qr_payload(settings: dict[str, Any]) -> str:
    """What the QR code holds: base64 of the zlib-compressed JSON."""
    return base64.b64encode(zlib.compress(json.dumps(settings).encode("utf-8"))).decode("ascii")


def read_payload(payload: str) -> dict[str, Any]:
    """The settings a payload holds (as Collect reads it back)."""
    data: dict[str, Any] = json.loads(zlib.decompress(base64.b64decode(payload)))
    return data


def qr_svg(payload: str) -> str:
    """An inline SVG QR code (no script, no request elsewhere)."""
    return str(segno.make(payload, error="l", micro=False).svg_inline(scale=4))
