"""The age rule: a person's age in whole years on a reference date.

The age on the reference date comes from the birth date; where there is none, the age
the person or a relative stated. The Victims questionnaire's rule (its contract,
victim-questionnaire.md) is `VICTIM_AGE_RULE`: the report spec of the Qantar 2022 report
states the same rule (a test holds them equal), and list matching reads ages by it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AgeRule:
    birth_field: str
    stated_field: str
    reference: dt.date

    def age(self, answers: dict[str, Any]) -> int | None:
        """The age in `answers` by this rule, None when neither field gives one.

        >>> rule = AgeRule("birth_date", "age_stated", dt.date(2022, 1, 5))
        >>> rule.age({"birth_date": "2000-01-06", "age_stated": 40})
        21
        >>> rule.age({"birth_date": "", "age_stated": "33"})
        33
        >>> rule.age({}) is None
        True
        """
        birth = answers.get(self.birth_field)
        if birth:
            age = age_on(birth, self.reference)
            if age is not None:
                return age
        return whole_years(answers.get(self.stated_field))


def age_on(birth: Any, reference: dt.date) -> int | None:
    """Whole years from an ISO birth date to `reference`; None for no date or a birth
    after it.

    >>> age_on("1990-01-05", dt.date(2022, 1, 5)), age_on("1990-01-06", dt.date(2022, 1, 5))
    (32, 31)
    >>> age_on("2023-01-01", dt.date(2022, 1, 5)) is None, age_on("5 May", dt.date(2022, 1, 5))
    (True, None)
    """
    try:
        born = dt.date.fromisoformat(str(birth)[:10])
    except ValueError:
        return None
    age = reference.year - born.year - ((reference.month, reference.day) < (born.month, born.day))
    return age if age >= 0 else None


def whole_years(value: Any) -> int | None:
    """A stated age as whole years; None when empty, not a number or negative.

    >>> whole_years("41.5"), whole_years(""), whole_years(True), whole_years(-3)
    (41, None, None, None)
    """
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = int(float(value))
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


# The Victims questionnaire's rule: ages on 5 January 2022, the events of January 2022.
VICTIM_AGE_RULE = AgeRule("birth_date", "age_stated", dt.date(2022, 1, 5))
