"""`aigak form eval`: one expression, or JSON-lines cases, with the contract's encodings."""

import json

import pytest

from aigak.cli import main

pytestmark = pytest.mark.sqlite_run  # no database: the SQLite run covers it


def run(capsys, *args):
    code = main(["form", "eval", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("expression", "options", "printed"),
    [
        ("${age} >= 18", ["--answers", '{"age": null}'], False),
        ("${age} >= 18", ["--answers", '{"age": 20}'], True),
        ("${age} >= 18", [], False),
        ("1 div 0", [], "Infinity"),
        ("-1 div 0", [], "-Infinity"),
        ("0 div 0", [], "NaN"),
        ("number('x')", [], "NaN"),
        ("10 div 4", [], 2.5),
        ("2 + 2", [], 4),
        ("substr('hello', 1, 4)", [], "ell"),
        ("date('2024-02-29') + 1", ["--tz", "UTC"], 19783),
        ("date(${d})", ["--answers", '{"d": "2024-02-29"}'], "2024-02-29"),
        ("date-time('2024-02-29T10:20:30Z')", ["--tz", "UTC"], "2024-02-29T10:20:30.000+00:00"),
        ("today()", ["--now", "2025-03-04T10:00:00+05:00", "--tz", "Asia/Almaty"], "2025-03-04"),
        ("now() > date('2025-01-01')", ["--now", "2025-03-04T10:00:00Z"], True),
        (". + 1", ["--value", "41"], 42),
        ("count-selected(${s})", ["--answers", '{"s": ["a", "b"]}'], 2),
        ("sum(${n})", ["--answers", '{"r": [{"n": 1}, {"n": 2.5}]}'], 3.5),
        ("concat('Ай', 'гүл')", [], "Айгүл"),
        ("'7'", ["--type", "number"], 7),
    ],
)
def test_it_prints_the_result_as_json(capsys, expression, options, printed):
    code, out, err = run(capsys, expression, *options)
    assert (code, err) == (0, "")
    assert json.loads(out) == printed


@pytest.mark.parametrize(
    ("args", "code", "reason"),
    [
        (["${a} >"], 1, "unexpected end of expression"),
        (["frobnicate(1)"], 1, "unsupported function frobnicate()"),
        (["1", "--answers", "{nope"], 1, "--answers: not JSON"),
        (["1", "--answers", "[1]"], 1, "--answers: expected a JSON object"),
        (["1", "--value", "nope"], 1, "--value: not JSON"),
        (["1", "--tz", "Mars/Olympus"], 1, "unknown time zone"),
        (["1", "--now", "yesterday"], 1, "--now"),
        ([], 2, "give an EXPRESSION or --cases FILE"),
        (["1", "--cases", "x.jsonl"], 2, "not both"),
        (["--cases", "/no/such/file.jsonl"], 1, "cannot read"),
    ],
)
def test_it_refuses_bad_input_saying_why(capsys, args, code, reason):
    got, out, err = run(capsys, *args)
    assert got == code
    assert out == ""
    assert reason in err


def test_it_evaluates_cases_in_order_and_exits_0_when_some_fail(capsys, tmp_path):
    cases = tmp_path / "cases.jsonl"
    lines = [
        {"expression": "${a} * 2", "answers": {"a": 21}},
        {"expression": "${a} >"},
        {"expression": ". = 'x'", "value": "x"},
        {"expression": "string(1 div 0)"},
        {"answers": {}},
        {"expression": "1", "answers": [1]},
        {"expression": "'12'", "type": "number"},
        {"expression": "today()", "answers": {}},
    ]
    text = "\n".join(json.dumps(line) for line in lines) + "\nnot json\n\n"
    cases.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "--cases", str(cases), "--now", "2025-03-04T10:00:00Z")
    assert (code, err) == (0, "")
    printed = [json.loads(line) for line in out.splitlines()]
    assert printed[:4] == [
        {"result": 42},
        {"error": "unexpected end of expression in '${a} >'"},
        {"result": True},
        {"result": "Infinity"},
    ]
    assert "error" in printed[4] and "error" in printed[5]
    assert printed[6] == {"result": 12}
    assert printed[7]["result"].startswith("2025-03-0")
    assert printed[8] == {"error": "line 9: not JSON: Expecting value"}
    assert len(printed) == 9
