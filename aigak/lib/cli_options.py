"""The options of every `aigak` command, without Django.

`aigak COMMAND --help` is answered from here before Django is imported (about 0.03 s of
CPU instead of the 0.4 s of `django.setup()`), and each management command's
`add_arguments` and `help` come from here too, so there is one definition of each.
`parser_for` builds the same parser Django's `BaseCommand.create_parser` does - Django's
common options (--verbosity, --settings, ...) listed last - and
tests/test_cli_options.py checks that both print the same help for every command.

Only the standard library is imported here: no Django, no model, no Aigak module that
loads either. Values the commands share with the code (roles, formats, the sampler's
defaults) are spelt out and tests/test_cli_options.py checks them against their source.
"""

from __future__ import annotations

import argparse
import os

TYPE_CHECKING = False  # as typing.TYPE_CHECKING (mypy reads it so), without importing typing

if TYPE_CHECKING:  # typing costs start-up time; the annotations are only read by mypy
    from collections.abc import Callable
    from typing import Any

    Adder = Callable[[Any], None]

# Django's options common to every management command, in its order: (flags, keywords).
# `--skip-checks` only for commands that run the system checks.
VERBOSITY_HELP = (
    "Verbosity level; 0=minimal output, 1=normal output, 2=verbose output, 3=very verbose output"
)
SETTINGS_HELP = (
    'The Python path to a settings module, e.g. "myproject.settings.main". If this '
    "isn't provided, the DJANGO_SETTINGS_MODULE environment variable will be used."
)
PYTHONPATH_HELP = 'A directory to add to the Python path, e.g. "/home/djangoprojects/myproject".'
COMMON: list[tuple[tuple[str, ...], dict[str, Any]]] = [
    (("--version",), {"action": "version", "help": "Show program's version number and exit."}),
    (
        ("-v", "--verbosity"),
        {"default": 1, "type": int, "choices": [0, 1, 2, 3], "help": VERBOSITY_HELP},
    ),
    (("--settings",), {"help": SETTINGS_HELP}),
    (("--pythonpath",), {"help": PYTHONPATH_HELP}),
    (
        ("--traceback",),
        {"action": "store_true", "help": "Display a full stack trace on CommandError exceptions."},
    ),
    (("--no-color",), {"action": "store_true", "help": "Don't colorize the command output."}),
    (
        ("--force-color",),
        {"action": "store_true", "help": "Force colorization of the command output."},
    ),
]
SKIP_CHECKS = (("--skip-checks",), {"action": "store_true", "help": "Skip system checks."})
COMMON_FLAGS = {flag for flags, _ in [*COMMON, SKIP_CHECKS] for flag in flags if flag != "-v"}

# Values shared with the code; tests/test_cli_options.py compares them with their source.
ROLES = ["admin", "coordinator", "lawyer", "documenter", "viewer"]  # accounts.models.Role
TABLE_FORMATS = ("csv", "xlsx", "json")  # records.tabular.FORMATS
REPORT_FORMATS = ("json", "html", "xlsx", "docx")  # reports.outputs.FORMATS
ENGINES = ("duckdb", "spark")  # linkage.engines.ENGINES
RESULT_TYPES = ("boolean", "number", "string")  # questionnaires.xpath.results.TYPES
# estimation.lcmcr.LcmcrSettings' defaults a user may change: (name, default, what it is).
SAMPLER_OPTIONS = (
    ("samples", 2_500, "lcmcr draws kept per chain"),
    ("burnin", 5_000, "lcmcr iterations discarded first"),
    ("thinning", 15, "lcmcr iterations per kept draw"),
    ("chains", 8, "lcmcr chains, for the convergence check"),
    ("max_classes", 10, "lcmcr truncation level K"),
)
SAMPLER_SEED = 1


class Options:
    """One command's help text, its arguments, and whether it runs Django's checks."""

    __slots__ = ("help", "add", "system_checks")

    def __init__(self, help: str, add: Adder, system_checks: bool = False) -> None:
        self.help = help
        self.add = add
        self.system_checks = system_checks


def _nothing(parser: Any) -> None:
    pass


WRITES_AT_ONCE = 2  # `aigak serve --writes-at-once` by default


def _serve(parser: Any) -> None:
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (0.0.0.0 for every one)"
    )
    parser.add_argument(
        "--threads", type=int, default=8, help="requests each process serves at once"
    )
    parser.add_argument("--demo", action="store_true", help="load the demo data set first")
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="server processes (default: one per CPU; one where there is no fork)",
    )
    parser.add_argument(
        "--writes-at-once",
        type=int,
        default=WRITES_AT_ONCE,
        help="saves each process serves at once; others wait their turn while reads pass",
    )


def _createuser(parser: Any) -> None:
    parser.add_argument("name", help="the login name")
    parser.add_argument("--role", required=True, choices=ROLES)
    parser.add_argument(
        "--password-file", help="a file whose first line is the password ('-' for stdin)"
    )
    parser.add_argument("--team", help="the team the user documents with (created if new)")
    parser.add_argument("--email", default="", help="an e-mail address")


def _import(parser: Any) -> None:
    parser.add_argument("questionnaire", help="victim, torture, event, or a centre's own")
    parser.add_argument("file", help="a .csv, .xlsx or .json file")
    parser.add_argument(
        "--format", choices=TABLE_FORMATS, help="the file's format, if its name does not say"
    )


def _export(parser: Any) -> None:
    parser.add_argument("questionnaire", help="victim, torture, event, or a centre's own")
    parser.add_argument(
        "--format",
        choices=TABLE_FORMATS,
        help="csv (default), xlsx or json; with --out and no --format, the file name decides",
    )
    parser.add_argument("--out", help="file to write (required for xlsx)")


def _decrypt(parser: Any) -> None:
    parser.add_argument("keyfile", nargs="?", help="the form's RSA private key (PEM)")
    parser.add_argument("folder", nargs="?", help="the folder of encrypted submissions")
    parser.add_argument("--out", help="the import file to write (.json)")
    parser.add_argument(
        "--export-waiting",
        metavar="FOLDER",
        help="write the encrypted submissions waiting here into FOLDER (a new folder)",
    )
    parser.add_argument(
        "--form", help="the questionnaire the submissions belong to (default: by form id)"
    )


def _report(parser: Any) -> None:
    parser.add_argument("report", nargs="?", help="report name, e.g. qantar2022")
    parser.add_argument("--format", choices=REPORT_FORMATS, default="json")
    parser.add_argument("--out", help="write to this file instead of stdout")
    parser.add_argument(
        "--where",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="only records where FIELD=VALUE (also FIELD>=DATE, FIELD<=DATE, status=verified); "
        "repeatable",
    )
    parser.add_argument("--lang", choices=("en", "ru", "kk"), default="en")
    parser.add_argument(
        "--timings", action="store_true", help="print read/compute seconds on stderr"
    )
    parser.add_argument(
        "--rebuild-index",
        action="store_true",
        help="code the live records whose coded form (what reports read) is missing or "
        "stale, e.g. after a form upgrade; then build REPORT if one is named",
    )


def _people_common(parser: Any) -> None:
    """What `link` and `dedupe` share."""
    parser.add_argument("--out", metavar="FILE", help="write the CSV here (default: stdout)")
    parser.add_argument(
        "--threshold",
        default="0.5",
        metavar="P",
        help="lowest match probability to report, 0 to 1 (default 0.5)",
    )
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        default="duckdb",
        help="where the model runs: duckdb (default) or spark (needs pyspark and Java)",
    )


def _link(parser: Any) -> None:
    parser.add_argument("left", metavar="LEFT.csv")
    parser.add_argument("right", metavar="RIGHT.csv")
    _people_common(parser)


def _dedupe(parser: Any) -> None:
    parser.add_argument("file", metavar="FILE.csv")
    _people_common(parser)


def _estimate(parser: Any) -> None:
    parser.add_argument("file", metavar="FILE.csv", help="capture histories with counts")
    parser.add_argument("--format", choices=("json", "text"), default="json")
    parser.add_argument("--out", metavar="FILE", help="write here instead of stdout")
    parser.add_argument(
        "--strata", metavar="COLUMN", help="estimate within each value of COLUMN and add up"
    )
    parser.add_argument(
        "--seed", type=int, default=SAMPLER_SEED, help="random seed of the lcmcr sampler"
    )
    for name, default, text in SAMPLER_OPTIONS:
        parser.add_argument(
            "--" + name.replace("_", "-"),
            type=int,
            default=default,
            help=f"{text} (default {default})",
        )
    parser.add_argument(
        "--no-lcmcr", action="store_true", help="skip the latent-class model (fast)"
    )


def _token(parser: Any) -> None:
    parser.add_argument("name", help="the user's login name")
    parser.add_argument(
        "--revoke-all", action="store_true", help="revoke every token of the user instead"
    )
    parser.add_argument(
        "--days",
        type=int,
        default=None,
        help="days the new token is valid (default AIGAK_TOKEN_DAYS; 0: never expires)",
    )


def _audit(parser: Any) -> None:
    parser.add_argument("what", choices=["verify"])


def _form_eval(parser: Any) -> None:
    parser.add_argument("expression", nargs="?", help='e.g. "${age} >= 18"')
    parser.add_argument("--answers", metavar="JSON", help="answers by field name (an object)")
    parser.add_argument("--value", metavar="JSON", help="the value `.` stands for")
    parser.add_argument("--cases", metavar="FILE", help="JSON lines of cases ('-': stdin)")
    parser.add_argument("--type", choices=RESULT_TYPES, help="convert the result to this type")
    parser.add_argument(
        "--now", metavar="DATETIME", help="the moment now() and today() read (ISO 8601)"
    )
    parser.add_argument(
        "--tz", metavar="ZONE", help="time zone of dates without an offset (default: TIME_ZONE)"
    )


def _form_export(parser: Any) -> None:
    parser.add_argument("name", help="questionnaire name")
    parser.add_argument("--format", choices=["xlsx", "xform"], default="xlsx")
    parser.add_argument("--out", default="", help="file to write (default: standard output)")


def _form_install(parser: Any) -> None:
    parser.add_argument("file", help="the XLSForm (.xlsx or .xls)")
    parser.add_argument("--name", default="", help="questionnaire name (default: form_id)")
    parser.add_argument(
        "--force", action="store_true", help="install even if stored answers are orphaned"
    )


def _form_list(parser: Any) -> None:
    parser.add_argument("--format", choices=["text", "json"], default="text")


# `aigak form`'s subcommands (aigak/questionnaires/commands/: one module each, by name).
FORM_ACTIONS: dict[str, tuple[str, Adder]] = {
    "eval": (
        "evaluate an XLSForm expression (ODK semantics) and print the result as JSON",
        _form_eval,
    ),
    "export": ("write the installed XLSForm, or the XForm generated from it", _form_export),
    "install": ("install a questionnaire from an XLSForm, or a new version of one", _form_install),
    "list": ("list installed questionnaires", _form_list),
}


def _form(parser: Any) -> None:
    actions = parser.add_subparsers(dest="action", required=True)
    for name, (text, add) in FORM_ACTIONS.items():
        add(actions.add_parser(name, help=text))


def _evidence(parser: Any) -> None:
    actions = parser.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="list evidence files")
    listing.add_argument("--format", choices=["text", "json"], default="text")
    actions.add_parser("purge-uploads", help="remove expired unfinished uploads")


def _verify(parser: Any) -> None:
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 2,
        help="files hashed at once (default: one per core)",
    )


def _backup(parser: Any) -> None:
    from pathlib import Path

    parser.add_argument("file", type=Path)
    parser.add_argument(
        "--unencrypted",
        action="store_true",
        help="write a plain tar, not encrypted even when keys are set",
    )


def _restore(parser: Any) -> None:
    from pathlib import Path

    parser.add_argument("file", type=Path)
    parser.add_argument(
        "--force", action="store_true", help="replace a data folder that is not empty"
    )


def _publication(parser: Any) -> None:
    parser.add_argument("questionnaire", help="the questionnaire's name, e.g. victim")
    parser.add_argument("record_ids", nargs="+", metavar="RECORD_ID", help="record ids")
    parser.add_argument(
        "--user",
        default="",
        help="the coordinator or administrator acting (recorded in the audit log); "
        "without it the command line acts",
    )


def _publish(parser: Any) -> None:
    _publication(parser)
    parser.add_argument(
        "--summary", default=None, help="the short public summary of the records published"
    )


def _statistics(parser: Any) -> None:
    parser.add_argument(
        "--status",
        action="store_true",
        help="print what the public page serves and whether a build waits, runs or "
        "failed, and build nothing",
    )


def _worker(parser: Any) -> None:
    parser.add_argument(
        "--once", action="store_true", help="stop when no run is waiting instead of waiting"
    )
    parser.add_argument(
        "--poll", type=float, default=2.0, help="seconds between looks for new runs"
    )


# By the command's name on the `aigak` command line (aigak.cli.COMMANDS), `manage` aside.
OPTIONS: dict[str, Options] = {
    "serve": Options(
        "Run the web application with waitress. --demo first loads the demo data set "
        "into an empty database and prints the demo logins.",
        _serve,
        system_checks=True,
    ),
    "demo": Options(
        "Load the demo data set: 579 synthetic Victims records consistent with the published "
        "Qantar2022 tables, linked Torture and Event records, one demo user per role.",
        _nothing,
        system_checks=True,
    ),
    "createuser": Options(
        "Create a user with one role. Without --password-file the password is asked for "
        "twice on a terminal; when not on a terminal a strong one is generated and printed.",
        _createuser,
    ),
    "import": Options(
        "Import records into a questionnaire from CSV, XLSX or JSON (a list of objects, or "
        "a KoBoToolbox/ODK export). Columns are field names (a group path prefix such as "
        "victim/gender is accepted); select_multiple cells hold choice names separated by "
        "spaces. Every row is checked with the form's rules; if any row is wrong nothing "
        "is imported. A row whose record_id exists becomes a new version of that record.",
        _import,
    ),
    "export": Options(
        "Export the records of a questionnaire in the shape `aigak import` reads: record_id "
        "then the form's fields in form order; select_multiple as space-separated choice "
        "names; dates as YYYY-MM-DD; a repeat as JSON (one column in CSV and XLSX). "
        "Deleted records are left out. CSV goes to stdout unless --out is given; a CSV "
        "file written with --out starts with a UTF-8 byte order mark so Excel reads Cyrillic.",
        _export,
    ),
    "decrypt": Options(
        "Decrypt the encrypted ODK submissions in FOLDER (one folder per submission with "
        "its submission.xml and .enc files, as ODK Briefcase keeps them) with the form's "
        "private key, checking each submission's signature, into a JSON file that "
        "`aigak import` reads; attachments are written decrypted to OUT-media/. Nothing is "
        "written if any submission fails (wrong key, missing or altered file). "
        "With --export-waiting FOLDER (no key): write the encrypted submissions waiting in "
        "this Aigak into FOLDER in that layout, still encrypted.",
        _decrypt,
    ),
    "report": Options(
        "Build a report over the live records (qantar2022: the Victims statistical report). "
        "JSON goes to stdout unless --out is given.",
        _report,
    ),
    "link": Options(
        "Link two lists of people (CSV: id, full_name, birth_date, age, gender, region, "
        "locality, event_date). Prints left_id,right_id,probability for each linked pair "
        "at or above the threshold; each id at most once.",
        _link,
    ),
    "dedupe": Options(
        "Find the same person several times in one list (CSV: id, full_name, birth_date, "
        "age, gender, region, locality, event_date). Prints id,cluster_id for every row; "
        "rows of one person share a cluster_id.",
        _dedupe,
    ),
    "estimate": Options(
        "Estimate the total number of people, recorded or not, from lists that overlap. "
        "FILE.csv has one 0/1 column per list and a `count` column; each row is a capture "
        "history and how many people have it.",
        _estimate,
    ),
    "token": Options(
        "Print a new API token for a user, for the REST API and resumable uploads "
        "(header `Authorization: Token <token>`). Only its hash is stored: keep it now.",
        _token,
    ),
    "audit": Options(
        "verify: re-hash every audit row in order and check each carries the hash of the "
        "one before; exit 1 naming the first broken row.",
        _audit,
    ),
    "form": Options(
        "Questionnaires: install, list and export XLSForms; evaluate expressions.", _form
    ),
    "evidence": Options(
        "Evidence files: list them, or remove expired unfinished uploads.", _evidence
    ),
    "verify": Options(
        "Re-hash every evidence file and report any that changed or went missing.", _verify
    ),
    "backup": Options(
        "Write a whole-system backup (database and evidence) to FILE.", _backup, system_checks=True
    ),
    "restore": Options(
        "Restore a whole-system backup into an empty AIGAK_DATA_DIR (or --force).",
        _restore,
        system_checks=True,
    ),
    "publish": Options(
        "Publish records on the public pages (memorial list and person pages). Only "
        "verified records that consent to publication (consent_publish_name = yes) are "
        "published; each other one is refused with its reason, and the exit code is 1.",
        _publish,
    ),
    "unpublish": Options(
        "Take records off the public pages at once. A record that is not published is "
        "refused with its reason, and the exit code is 1.",
        _publication,
    ),
    "statistics": Options(
        "Build the public statistics (/public/statistics/: the Qantar 2022 report over the "
        "live records, small counts suppressed) now, in this process, and wait for them. "
        "The server builds them in the background after records change; this is for "
        "changes made outside Aigak and for AIGAK_PUBLIC_STATISTICS=command. Exit 1 if "
        "the build failed (the page keeps the last statistics built).",
        _statistics,
    ),
    "worker": Options(
        "Run the background runs (matching, the latent-class estimate) that pages ask for, "
        "outside the web server; for AIGAK_RUNS_IN=worker. --once stops when none is waiting.",
        _worker,
        system_checks=True,
    ),
}


class _CommonLastFormatter(argparse.HelpFormatter):
    """Lists a command's own options first and Django's common ones last, in usage and
    in the option list, as Django's help does."""

    @staticmethod
    def _own_first(actions: Any) -> list[Any]:
        return sorted(actions, key=lambda a: bool(set(a.option_strings) & COMMON_FLAGS))

    def add_usage(self, usage: Any, actions: Any, *args: Any, **kwargs: Any) -> None:
        super().add_usage(usage, self._own_first(actions), *args, **kwargs)

    def add_arguments(self, actions: Any) -> None:
        super().add_arguments(self._own_first(actions))


def parser_for(command: str, prog: str = "aigak") -> argparse.ArgumentParser:
    """The parser of `aigak COMMAND`, as Django builds it, without Django: for --help
    and usage errors only (the `version` Django's --version prints is left out)."""
    options = OPTIONS[command]
    parser = argparse.ArgumentParser(
        prog=f"{prog} {command}", description=options.help, formatter_class=_CommonLastFormatter
    )
    common = [*COMMON, SKIP_CHECKS] if options.system_checks else COMMON
    for flags, keywords in common:
        parser.add_argument(*flags, **keywords)
    options.add(parser)
    return parser
