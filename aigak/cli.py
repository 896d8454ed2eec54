"""The `aigak` command: one entry point over the project's management commands.

Every command that needs the database creates or migrates it first, so there is no
separate setup step. Exit codes: 0 success, 1 bad input, 2 usage error.
"""

from __future__ import annotations

import os
import sys
from typing import Any

# Commands of the command-line contract, and whether they need the database.
COMMANDS: dict[str, tuple[bool, str]] = {
    "serve": (True, "run the web application"),
    "demo": (True, "load the demo data set"),
    "createuser": (True, "create a user with a role"),
    "import": (True, "import records into a questionnaire"),
    "export": (True, "export records of a questionnaire"),
    "decrypt": (True, "decrypt encrypted ODK submissions into an import file"),
    "report": (True, "build a report over the records"),
    "link": (False, "link two lists of people"),
    "dedupe": (False, "find the same person several times in one list"),
    "estimate": (False, "multiple systems estimation from overlapping lists"),
    "token": (True, "print a new API token for a user, or revoke them all"),
    "audit": (True, "verify the audit log's hash chain"),
    "form": (True, "install, list, export questionnaires; evaluate expressions"),
    "evidence": (True, "list evidence files"),
    "verify": (True, "re-hash every evidence file"),
    "backup": (True, "whole-system backup"),
    "restore": (True, "restore a whole-system backup"),
    "publish": (True, "put verified, consenting records on the public pages"),
    "unpublish": (True, "take records off the public pages"),
    "statistics": (True, "build the public statistics now"),
    "worker": (True, "run the background runs pages ask for (AIGAK_RUNS_IN=worker)"),
    "manage": (True, "run any Django management command"),
}

# Commands that serve until stopped: the runs they leave unfinished are taken up again
# when they start next (`runs.background.recover`), not waited for when they stop.
SERVERS = {"serve", "worker"}

# Subcommands of those that never touch the database.
NO_DATABASE = {("form", ("eval",))}


def usage() -> str:
    lines = ["usage: aigak COMMAND [ARGS...]", "", "commands:"]
    width = max(len(name) for name in COMMANDS)
    for name, (_, text) in COMMANDS.items():
        lines.append(f"  {name.ljust(width)}  {text}")
    lines.append("")
    lines.append("`aigak COMMAND --help` describes one command.")
    return "\n".join(lines)


def migrations_on_disk() -> set[tuple[str, str]]:
    """(app label, name) of every migration file, found by listing the apps' migration
    folders as Django's loader does, without importing the migrations."""
    import importlib.util
    import pkgutil

    from django.apps import apps
    from django.db.migrations.loader import MigrationLoader

    found = set()
    for config in apps.get_app_configs():
        module_name, _ = MigrationLoader.migrations_module(config.label)
        spec = importlib.util.find_spec(module_name) if module_name else None
        if spec is None or not spec.submodule_search_locations:
            continue
        for info in pkgutil.iter_modules(spec.submodule_search_locations):
            if not info.ispkg and info.name[0] not in "_~":
                found.add((config.label, info.name))
    return found


def database_is_current() -> bool:
    """Every migration file is recorded as applied. A quick answer (0.01 s instead of
    importing 100 migration modules for Django's plan); when it says no, the plan
    decides."""
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    applied = MigrationRecorder(connection).applied_migrations()
    return bool(applied) and migrations_on_disk() <= set(applied)


def ensure_database() -> None:
    """Create or migrate the database; quiet when it is already current."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    if database_is_current():
        return
    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    if executor.migration_plan(targets):
        call_command("migrate", interactive=False, verbosity=0)


def main(argv: list[str] | None = None) -> int:
    try:
        code = _main(argv)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`aigak export victim | head`): stop quietly. Standard
        # output is pointed at /dev/null so Python's own flush at exit finds no pipe.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    return code


def _main(argv: list[str] | None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        print(usage())
        return 0 if args else 2
    if args[0] in ("--version", "version"):
        from aigak import __version__

        print(f"aigak {__version__}")
        return 0
    command, rest = args[0], args[1:]
    if command not in COMMANDS:
        print(f"aigak: unknown command {command!r}\n\n{usage()}", file=sys.stderr)
        return 2
    needs_db, _ = COMMANDS[command]
    if (command, tuple(rest[:1])) in NO_DATABASE:
        needs_db = False

    help_only = any(a in ("-h", "--help") for a in rest)
    if help_only and command != "manage" and "--version" not in rest:
        # The same parser as Django's, without Django: it prints the help and stops.
        from aigak.lib.cli_options import parser_for

        try:
            parser_for(command).parse_args(rest)
        except SystemExit as stop:  # argparse: --help (0) or a usage error (2)
            return stop.code if isinstance(stop.code, int) else 2
        # "-h" was an option's value: go on to the command itself.

    set_up_django()
    from django.core.management import execute_from_command_line

    if needs_db and not help_only:
        ensure_database()
    if command == "manage":
        if not rest:
            rest = ["help"]
        execute_from_command_line(["aigak manage", *rest])
        finish_background_runs()
        return 0
    from django.core.management import get_commands, load_command_class

    # `import` and `export` are Python keywords, awkward as module names.
    name = {"import": "import_records", "export": "export_records"}.get(command, command)
    app = get_commands().get(name)
    if app is None:
        print(f"aigak: command {command!r} is not available in this build", file=sys.stderr)
        return 2
    handler = load_command_class(app, name)
    code = run_command(handler, command, rest)
    if command not in SERVERS:
        finish_background_runs()
    return code


def set_up_django() -> None:
    """`django.setup()` with the cyclic garbage collector paused. Set-up makes some 95,000
    objects that live as long as the process (modules, classes, models) and no garbage to
    speak of; the collector walked them again and again while they were made, and once
    more at exit (together 0.1 s of CPU and more, docs/performance.md). Afterwards they
    are frozen (`gc.freeze`): the command's own collections, the one at exit and those of
    the server's forked processes skip them."""
    import gc

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aigak.settings")
    registry = sys.modules.get("django.apps")
    if registry is not None and registry.apps.ready:  # a test calling main(): set up
        return
    collecting = gc.isenabled()
    gc.disable()
    try:
        import django

        django.setup()
    finally:
        gc.freeze()
        if collecting:
            gc.enable()


def finish_background_runs() -> None:
    """Wait for the background runs the command's changes asked for (the public
    statistics after an import): they run in threads that would die with the process.
    Those still in their delay start at once (`wait_all`'s `hurry`)."""
    runs = sys.modules.get("aigak.runs.background")
    if runs is None or not runs.started_here():
        return
    if sys.stderr.isatty():
        print("aigak: finishing the background work it started ...", file=sys.stderr)
    runs.wait_all(hurry=True)


def run_command(handler: Any, command: str, rest: list[str]) -> int:
    """Parse and run one command as Django's run_from_argv does, but leave the database
    connections open (the caller may be a test holding a transaction) and return the
    exit code instead of leaving the process."""
    from django.core.management.base import CommandError, handle_default_options

    handler._called_from_command_line = True
    parser = handler.create_parser("aigak", command)
    try:
        options = parser.parse_args(rest)
    except SystemExit as stop:  # argparse: --help (0) or a usage error (2)
        return stop.code if isinstance(stop.code, int) else 2
    handle_default_options(options)
    cmd_options = vars(options)
    args = cmd_options.pop("args", ())
    try:
        handler.execute(*args, **cmd_options)
    except CommandError as error:
        if cmd_options.get("traceback"):
            raise
        print(f"aigak {command}: {error}", file=sys.stderr)
        return error.returncode
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else 1
    except KeyboardInterrupt:
        print("aigak: interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        from aigak.lib.disk import disk_full

        if cmd_options.get("traceback") or not disk_full(error):
            raise
        # A clear message instead of a traceback; the command's transaction rolled back.
        print(
            f"aigak {command}: the disk is full ({error}); free some space and run it again",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
