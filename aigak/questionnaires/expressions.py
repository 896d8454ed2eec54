"""The one evaluator of XLSForm expressions (relevant, constraint, calculation, default).

It serves the web form (through the evaluate endpoint), the server-side validation, the
importer and ``aigak form eval``, so a rule means the same everywhere. The evaluator
itself lives in :mod:`aigak.questionnaires.xpath`; this module is its public face.

>>> evaluate("${age} >= 18 and selected(${roles}, 'student')", {"age": 20, "roles": ["student"]})
True
>>> evaluate("${age} >= 18", {"age": None})
False
>>> evaluate(". <= 120", {}, current=130)
False
>>> evaluate("if(${a} = 'x', 1, 2) + 3", {"a": "x"})
4.0
>>> evaluate("substr('hello', 1, 4)", {})
'ell'
>>> parse("${a} >")
Traceback (most recent call last):
...
aigak.questionnaires.xpath.values.ExpressionError: unexpected end of expression in '${a} >'
"""

from __future__ import annotations

from aigak.questionnaires.xpath import (  # noqa: F401  (re-exported)
    ExpressionError,
    NodeSet,
    evaluate,
    holds,
    parse,
    references,
    to_bool,
    to_number,
    to_string,
)
