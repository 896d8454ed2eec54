"""`pulldata()` and `instance('name')`: lookups in a form's media files.

A form's CSV (and XML) attachments are its secondary instances, as in ODK: a CSV's first
row names the columns and each further row is an item; an XML file's items are the
children of its root element (ODK's `<root><item>...</item></root>`). Who evaluates
says where the files are by setting `MEDIA` (a function from a file or instance name to
its items, or None when the form has no such file); without it these functions fail with
that reason, so a relevance using them does not hold and a calculation stays empty.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from aigak.questionnaires.xpath.library import Context, function
from aigak.questionnaires.xpath.values import (
    ExpressionError,
    InstanceItem,
    gettext_noop,
    to_string,
)

Items = list[InstanceItem]
Media = Callable[[str], Items | None]

MEDIA: ContextVar[Media | None] = ContextVar("form_media", default=None)


@contextmanager
def form_media(media: Media | None) -> Iterator[None]:
    """Evaluate with these media files (None leaves the ones already set)."""
    if media is None:
        yield
        return
    token = MEDIA.set(media)
    try:
        yield
    finally:
        MEDIA.reset(token)


def read_items(filename: str, data: bytes) -> Items:
    """The items of a media file: CSV rows by column, or an XML instance's items."""
    if filename.lower().endswith(".xml"):
        return _xml_items(data)
    text = data.decode("utf-8-sig", errors="replace")
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = csv.reader(io.StringIO(text), dialect)
    header = [h.strip() for h in next(rows, [])]
    return [
        InstanceItem(
            (name, value.strip()) for name, value in zip(header, row, strict=False) if name
        )
        for row in rows
        if any(cell.strip() for cell in row)
    ]


def _xml_items(data: bytes) -> Items:
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        root = fromstring(data, forbid_dtd=True)
    except (ParseError, DefusedXmlException):
        return []
    items = []
    for item in root:
        items.append(InstanceItem((_local(e.tag), (e.text or "").strip()) for e in item))
    return items


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _items(name: str) -> Items:
    media = MEDIA.get()
    if media is None:
        raise ExpressionError.said(
            gettext_noop("needs the form's media files, which are not at hand here")
        )
    items = media(name)
    if items is None:
        raise ExpressionError.said(
            gettext_noop("the form has no media file %(name)s"), name=repr(name)
        )
    return items


@function("pulldata", 4)
def _pulldata(ctx: Context, name: Any, column: Any, key_column: Any, value: Any) -> str:
    """pulldata('file', 'column', 'key column', value): the column of the first row of
    file.csv whose key column is value; empty when no row is."""
    wanted, key = to_string(column), to_string(key_column)
    value = to_string(value)
    for item in _items(to_string(name)):
        if item.get(key) == value:
            return item.get(wanted, "")
    return ""


@function("instance", 1)
def _instance(ctx: Context, name: Any) -> dict[str, Any]:
    """instance('name'): the secondary instance, to be read as `/root/item[...]/column`."""
    return {"root": {"item": _items(to_string(name))}}
