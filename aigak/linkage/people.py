"""Reading a list of people from CSV, and checking it before any matching.

A list comes from a spreadsheet somebody typed: it may be saved in Windows Cyrillic
(cp1251) or Windows Kazakh (kz1048), with semicolons, with a column missing, with an
empty name or the same id twice. `read_people_csv` decodes what it can and says so;
it raises `PeopleListError` (naming file, row and column) for what it cannot take.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first person
row 2.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv as pa_csv

from aigak.linkage.list_warnings import ENCODINGS, NOT_AGE, NOT_DATE, NOT_UTF8

COLUMNS = ["id", "full_name", "birth_date", "age", "gender", "region", "locality", "event_date"]
REQUIRED = ["id", "full_name"]

# Encodings tried when a file is not UTF-8, in this order, with the words used to name them.
_FALLBACK_ENCODINGS = list(ENCODINGS.items())
_KAZAKH_RUSSIAN = set("абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі")
_WORD = re.compile(r"[^\W\d_]+")


class PeopleListError(ValueError):
    """The list cannot be read as it stands; the message names file, row and column."""

    row: int | None = None  # the row, when a page may say the message in its own words


@dataclass
class PeopleList:
    """A list of people as read: one row per person, every column a string ("" when
    empty), in file order, plus the warnings to show the person who runs the match."""

    name: str
    frame: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    encoding: str = "utf-8"
    # Dates already read while checking, by column, for the matching to reuse.
    dates: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.frame)


def read_people_csv(path: str | Path, label: str | None = None) -> PeopleList:
    """Read and check a CSV list of people (see `docs/linkage.md` for the columns)."""
    path = Path(path)
    label = label or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PeopleListError(f"{label}: cannot read the file ({exc.strerror})") from None
    text, encoding, warnings = decode_text(raw, label)
    return people_from_text(text, label, encoding=encoding, warnings=warnings)


def decode_text(raw: bytes, label: str) -> tuple[str, str, list[str]]:
    """Decode a file's bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else the
    Cyrillic code page whose reading looks most like Kazakh or Russian text."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "utf-16", []
    try:
        return raw.decode("utf-8-sig"), "utf-8", []
    except UnicodeDecodeError as exc:
        bad_at = exc.start
    scored = []
    for codec, words in _FALLBACK_ENCODINGS:
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError:
            continue
        scored.append((_cyrillic_score(text), codec, words, text))
    if scored:
        # The first best wins: cp1251 over kz1048 when the text has no Kazakh letters.
        score, codec, words, text = max(scored, key=lambda s: s[0])
        if score >= 0.6:
            row = raw[:bad_at].count(b"\n") + 1
            note = NOT_UTF8 % {"file": label, "row": row, "encoding": words}
            return text, codec, [note]
    row = raw[:bad_at].count(b"\n") + 1
    error = PeopleListError(
        f"{label}: row {row}: the file is not UTF-8 and does not look like cp1251, "
        "kz1048, KOI8-R or cp866 either; save it as CSV UTF-8"
    )
    error.row = row
    raise error


def _cyrillic_score(text: str) -> float:
    """How much `text` reads like Kazakh or Russian: the share of non-ASCII words made
    of Kazakh and Russian letters in a sane case (Оспанов, ОСПАНОВ, оспанов), less the
    share of non-ASCII symbols. A wrong code page gives box-drawing symbols, Serbian
    letters or capitals in mid-word."""
    words = [w for w in _WORD.findall(text) if not w.isascii()]
    if not words:
        return 0.0
    good = sum(1 for w in words if set(w.lower()) <= _KAZAKH_RUSSIAN and _sane_case(w))
    non_ascii = [c for c in text if ord(c) > 127]
    symbols = sum(1 for c in non_ascii if not c.isalpha())
    return good / len(words) * (1 - symbols / len(non_ascii))


def _sane_case(word: str) -> bool:
    return word.islower() or word.isupper() or (word[0].isupper() and word[1:].islower())


def people_from_text(
    text: str, label: str, encoding: str = "utf-8", warnings: list[str] | None = None
) -> PeopleList:
    """Parse CSV text into a checked `PeopleList` (separator: comma, semicolon or tab)."""
    warnings = list(warnings or [])
    if not text.strip():
        raise PeopleListError(f"{label}: row 1: the file is empty; expected a header row")
    first_line = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first_line.count)
    frame = _read_table(text, delimiter, label)
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise PeopleListError(
            f"{label}: row 1: missing column {', '.join(missing)} "
            f"(the header has: {', '.join(frame.columns)}); expected {', '.join(COLUMNS)}"
        )
    absent = [c for c in COLUMNS if c not in frame.columns]
    if absent:
        warnings.append(f"{label}: row 1: no column {', '.join(absent)}; treated as empty")
    extra = [c for c in frame.columns if c not in COLUMNS]
    if extra:
        warnings.append(f"{label}: row 1: ignoring column {', '.join(extra)}")
    for column in absent:
        frame[column] = ""
    frame = frame[COLUMNS].apply(lambda col: col.str.strip())
    frame.index = pd.RangeIndex(2, len(frame) + 2, name="row")
    _check_ids(frame, label)
    dates = {column: parse_dates(frame[column]) for column in ("birth_date", "event_date")}
    warnings.extend(_check_values(frame, label, dates))
    return PeopleList(name=label, frame=frame, warnings=warnings, encoding=encoding, dates=dates)


def _read_table(text: str, delimiter: str, label: str) -> pd.DataFrame:
    """Every cell as a string: Arrow's CSV reader (fast on a million rows), and pandas'
    when Arrow refuses the file, for a message with the line at fault."""
    header = next(csv.reader([text.split("\n", 1)[0].strip("\r")], delimiter=delimiter))
    try:
        table = pa_csv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            parse_options=pa_csv.ParseOptions(delimiter=delimiter),
            convert_options=pa_csv.ConvertOptions(
                column_types={name: pa.string() for name in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        return table.to_pandas().fillna("")
    except (pa.ArrowInvalid, ValueError):
        pass
    try:
        return pd.read_csv(
            io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False,
            skip_blank_lines=True, quoting=csv.QUOTE_MINIMAL,
        )  # fmt: skip
    except (pd.errors.ParserError, csv.Error) as exc:
        raise PeopleListError(f"{label}: {_parser_message(exc)}") from None


def _parser_message(exc: Exception) -> str:
    found = re.search(r"line (\d+)", str(exc))
    where = f"row {found[1]}: " if found else ""
    return f"{where}cannot read the CSV ({str(exc).strip()})"


def _check_ids(frame: pd.DataFrame, label: str) -> None:
    empty = frame.index[frame["id"] == ""]
    if len(empty):
        raise PeopleListError(f"{label}: row {empty[0]}, column id: the id is empty")
    duplicated = frame["id"].duplicated(keep="first")
    if duplicated.any():
        row = frame.index[duplicated.to_numpy()][0]
        value = frame.at[row, "id"]
        first = frame.index[(frame["id"] == value).to_numpy()][0]
        count = int(duplicated.sum())
        more = f" ({count} repeated ids in all)" if count > 1 else ""
        raise PeopleListError(
            f"{label}: row {row}, column id: duplicate id {value!r} (first in row {first}){more}"
        )


def _check_values(frame: pd.DataFrame, label: str, dates: dict[str, pd.DataFrame]) -> list[str]:
    out = []
    empty = frame.index[frame["full_name"] == ""]
    if len(empty):
        out.append(
            f"{label}: {_rows(empty)}, column full_name: empty name; "
            "these rows cannot be matched and are kept on their own"
        )
    for column, bad, why in unreadable_values(frame, dates):
        out.append(f"{label}: {_rows(frame.index[bad])}, column {column}: {why}")
    return out


def unreadable_values(
    frame: pd.DataFrame, dates: dict[str, pd.DataFrame] | None = None
) -> list[tuple[str, np.ndarray, str]]:
    """The ages and dates of a list of people that matching cannot read, as (column, rows
    (a boolean mask), why); the one check of both a list given to the command line and a
    victim list uploaded to the site. `dates`: the date columns already parsed."""
    out = []
    age = frame["age"]
    bad = (~age.str.fullmatch(r"\d{1,3}(?:[.,]0+)?") & (age != "")).to_numpy()
    if bad.any():
        out.append(("age", bad, NOT_AGE))
    for column in ("birth_date", "event_date"):
        values = frame[column]
        parsed = dates[column] if dates is not None else parse_dates(values)
        bad = (parsed["year"].isna() & (values != "")).to_numpy()
        if bad.any():
            out.append((column, bad, NOT_DATE))
    return out


def _rows(index: pd.Index, show: int = 5) -> str:
    rows = [str(r) for r in index[:show]]
    more = f" and {len(index) - show} more" if len(index) > show else ""
    word = "row" if len(index) == 1 else "rows"
    return f"{word} {', '.join(rows)}{more}"


_DATE_FORMS = [
    re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})(?:[T ].*)?$"),
    re.compile(r"^(?P<day>\d{1,2})[./-](?P<month>\d{1,2})[./-](?P<year>\d{4})$"),
    re.compile(r"^(?P<year>\d{4})$"),
]


def parse_dates(values: pd.Series) -> pd.DataFrame:
    """Year, month and day (nullable integers) of dates written YYYY-MM-DD, DD.MM.YYYY,
    DD/MM/YYYY or a bare year. A month over 12 with a day up to 12 is taken as day and
    month swapped; any other impossible date gives nothing."""
    text = pa.array(values.astype("str").str.strip(), type=pa.string())
    parts: dict[str, pa.Array] = {}
    for form in _DATE_FORMS:
        found = pc.extract_regex(text, form.pattern)
        for name in ("year", "month", "day"):
            if found.type.get_field_index(name) < 0:
                continue
            field_values = pc.struct_field(found, name)
            parts[name] = (
                field_values if name not in parts else pc.coalesce(parts[name], field_values)
            )
    out = pd.DataFrame(
        {
            name: pc.cast(parts[name], pa.int64()).to_pandas().astype("Int64").array
            for name in ("year", "month", "day")
        },
        index=values.index,
    )
    swap = ((out["month"] > 12) & (out["day"] <= 12)).fillna(False).to_numpy()
    out.loc[swap, ["month", "day"]] = out.loc[swap, ["day", "month"]].to_numpy()
    impossible = (out["month"] > 12) | (out["day"] > 31) | (out["month"] < 1) | (out["day"] < 1)
    impossible = (impossible.fillna(False) | (out["year"] < 1880).fillna(False)).to_numpy()
    out.loc[impossible, ["year", "month", "day"]] = pd.NA
    return out[["year", "month", "day"]]
