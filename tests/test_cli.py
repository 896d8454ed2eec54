"""The `aigak` entry point itself: usage, exit codes, and that it prepares the database."""

import subprocess
import sys

import pytest

from aigak.cli import COMMANDS, main


def test_it_prints_usage_and_exits_2_without_a_command(capsys):
    assert main([]) == 2
    assert "usage: aigak COMMAND" in capsys.readouterr().out


def test_it_exits_2_on_an_unknown_command(capsys):
    assert main(["frobnicate"]) == 2
    assert "unknown command 'frobnicate'" in capsys.readouterr().err


def test_it_lists_every_contract_command():
    contract = {"serve", "demo", "createuser", "import", "export", "report", "link", "dedupe",
                "estimate", "token", "evidence", "verify", "backup", "restore"}  # fmt: skip
    assert contract <= set(COMMANDS)


@pytest.mark.sqlite_run
def test_it_creates_the_database_on_first_use(tmp_path):
    env = {"AIGAK_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "aigak", "manage", "showmigrations", "records"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "[X] 0001_initial" in done.stdout
    assert (tmp_path / "aigak.sqlite3").exists()
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("flag", ["--version", "version"])
def test_it_prints_its_version(flag, capsys):
    assert main([flag]) == 0
    assert capsys.readouterr().out.startswith("aigak ")


@pytest.mark.sqlite_run
@pytest.mark.parametrize("command", [["--help"], ["export", "victim"]])
def test_it_stops_quietly_when_the_reader_goes_away(tmp_path, command):
    """`aigak export victim | head`: the reader closes the pipe; no traceback follows."""
    env = {"AIGAK_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "aigak", *command],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.close()  # the reader is gone before the first line
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1
    assert b"Traceback" not in err and b"BrokenPipeError" not in err, err.decode()


def test_it_lists_the_migration_files_as_djangos_loader_finds_them():
    from django.db.migrations.loader import MigrationLoader

    from aigak.cli import migrations_on_disk

    loader = MigrationLoader(None, ignore_no_migrations=True)
    assert migrations_on_disk() == set(loader.disk_migrations)


@pytest.mark.django_db
def test_it_sees_a_migration_not_yet_applied():
    """The quick check says the database is current only when every migration file is
    recorded as applied; otherwise Django's plan decides (and migrates)."""
    from django.db.migrations.recorder import MigrationRecorder

    from aigak.cli import database_is_current

    assert database_is_current()
    MigrationRecorder.Migration.objects.filter(app="records", name="0001_initial").delete()
    assert not database_is_current()
