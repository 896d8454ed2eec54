"""`aigak form eval`: evaluate XLSForm expressions with the evaluator the forms use.

``aigak form eval EXPRESSION [--answers JSON] [--value JSON]`` prints the result as JSON.
``aigak form eval --cases FILE`` reads JSON lines ``{"expression": ..., "answers": {...},
"value": ...}`` (and optionally ``"type"``: ``boolean``, ``number`` or ``string``, the
type the result is converted to) and prints ``{"result": R}`` or ``{"error": "why"}`` for
each, in order; it exits 0 even when cases fail.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import zoneinfo
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import CommandError

from aigak.questionnaires.xpath import ExpressionError, evaluate
from aigak.questionnaires.xpath.results import as_type, to_json
from aigak.questionnaires.xpath.values import ZONE, parse_datetime

NAME = "eval"


def handle(command: Any, options: dict[str, Any]) -> None:
    out = command.stdout
    token = ZONE.set(_zone(options["tz"])) if options.get("tz") else None
    try:
        _handle(options, out)
    finally:
        if token is not None:
            ZONE.reset(token)


def _handle(options: dict[str, Any], out: TextIO) -> None:
    now = _now(options.get("now"))
    if options.get("cases"):
        if options.get("expression"):
            raise CommandError("give an EXPRESSION or --cases FILE, not both", returncode=2)
        for line in run_cases(_read_cases(options["cases"]), now):
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
        return
    if not options.get("expression"):
        raise CommandError("give an EXPRESSION or --cases FILE", returncode=2)
    answers = _json_option(options.get("answers"), "--answers", {})
    if not isinstance(answers, dict):
        raise CommandError("--answers: expected a JSON object of answers by field name")
    value = _json_option(options.get("value"), "--value", None)
    try:
        result = evaluate(options["expression"], answers, value, now=now)
        result = as_type(result, options.get("type"))
    except ExpressionError as exc:
        raise CommandError(f"expression {options['expression']!r}: {exc}") from None
    out.write(json.dumps(to_json(result), ensure_ascii=False) + "\n")


def run_case(case: Any, now: dt.datetime | None = None) -> dict[str, Any]:
    """One case's line of output."""
    if not isinstance(case, dict) or not isinstance(case.get("expression"), str):
        return {"error": "expected an object with an expression"}
    answers = case.get("answers") or {}
    if not isinstance(answers, dict):
        return {"error": "answers: expected an object of answers by field name"}
    try:
        result = evaluate(case["expression"], answers, case.get("value"), now=now)
        return {"result": to_json(as_type(result, case.get("type")))}
    except ExpressionError as exc:
        return {"error": str(exc)}
    except RecursionError:
        return {"error": "the expression is nested too deeply"}


def run_cases(lines: Iterator[str], now: dt.datetime | None = None) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
        except json.JSONDecodeError as exc:
            yield {"error": f"line {number}: not JSON: {exc.msg}"}
            continue
        yield run_case(case, now)


def _read_cases(name: str) -> Iterator[str]:
    if name == "-":
        yield from sys.stdin
        return
    path = Path(name)
    try:
        with path.open(encoding="utf-8") as handle:
            yield from handle
    except OSError as exc:
        raise CommandError(f"{name}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise CommandError(f"{name}: not UTF-8 text") from None


def _json_option(text: str | None, option: str, default: Any) -> Any:
    if text is None:
        return default
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(f"{option}: not JSON: {exc.msg} at character {exc.pos}") from None


def _now(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    moment = parse_datetime(text)
    if moment is None:
        raise CommandError(f"--now: {text!r} is not a date-time (YYYY-MM-DDTHH:MM:SS)")
    return moment


def _zone(name: str) -> dt.tzinfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise CommandError(f"--tz: unknown time zone {name!r} (e.g. Asia/Almaty, UTC)") from None
