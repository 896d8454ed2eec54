"""Numbers for readers: comma decimals in Russian and Kazakh, a point in English.

>>> number(56.3, "ru"), number(56.3, "en"), number(None, "kk"), number(1234, "ru")
('56,3', '56.3', '–', '1\\xa0234')
"""

from __future__ import annotations

from typing import Any

COMMA_DECIMALS = {"ru", "kk"}


def number(value: Any, lang: str) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        text = f"{value:.1f}"
    elif isinstance(value, int):
        text = f"{value:,}".replace(",", "\xa0" if lang in COMMA_DECIMALS else ",")
        return text
    else:
        return str(value)
    return text.replace(".", ",") if lang in COMMA_DECIMALS else text
