"""`aigak createuser`: one user, one role, a password from a file, a terminal or generated."""

from __future__ import annotations

import io

import pytest

from aigak.accounts.models import AuditAction, AuditEvent, User

# The command closes database connections when it ends (Django's run_from_argv), which
# a test inside one transaction does not survive on PostgreSQL.
pytestmark = pytest.mark.django_db(transaction=True)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    from aigak.cli import main

    code = main(["createuser", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def password_file(tmp_path):
    path = tmp_path / "password"
    path.write_text("Steppe-wind-2022\nignored second line\n")
    return path


@pytest.mark.parametrize("role", ["admin", "coordinator", "lawyer", "documenter", "viewer"])
def test_it_creates_a_user_with_a_role_and_a_password_from_a_file(db, capsys, password_file, role):
    code, out, err = run(capsys, "aigul", "--role", role, "--password-file", str(password_file))

    assert (code, out, err) == (0, f"created user aigul ({role})\n", "")
    user = User.objects.get(username="aigul")
    assert user.role == role
    assert user.check_password("Steppe-wind-2022")
    assert (user.is_staff, user.is_superuser) == (role == "admin", role == "admin")
    event = AuditEvent.objects.get(action=AuditAction.USER)
    assert (event.object_id, event.metadata["role"]) == (str(user.pk), role)


def test_it_puts_the_user_in_a_team(db, capsys, password_file):
    argv = ["--role", "documenter", "--password-file", str(password_file), "--team", "Almaty"]

    assert run(capsys, "erlan", *argv)[:2] == (0, "created user erlan (documenter, team Almaty)\n")
    assert run(capsys, "dana", *argv)[0] == 0

    assert User.objects.get(username="erlan").team == User.objects.get(username="dana").team


def test_off_a_terminal_it_generates_a_strong_password_and_prints_it(db, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))

    code, out, _ = run(capsys, "viewer1", "--role", "viewer")

    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "created user viewer1 (viewer)"
    password = lines[1].removeprefix("password: ")
    assert len(password) >= 20
    assert User.objects.get(username="viewer1").check_password(password)


def test_on_a_terminal_it_asks_twice(db, capsys, monkeypatch):
    answers = iter(["first-try-password", "a-typo-password", "Qantar-2022-ok", "Qantar-2022-ok"])
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))

    code, out, err = run(capsys, "lawyer1", "--role", "lawyer")

    assert (code, out) == (0, "created user lawyer1 (lawyer)\n")
    assert "differ" in err
    assert User.objects.get(username="lawyer1").check_password("Qantar-2022-ok")


def test_it_reads_the_password_from_stdin_with_a_dash(db, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("Piped-password-77\n"))

    assert run(capsys, "piped", "--role", "viewer", "--password-file", "-")[0] == 0
    assert User.objects.get(username="piped").check_password("Piped-password-77")


def test_an_existing_user_is_bad_input(db, capsys, password_file):
    argv = ["--role", "viewer", "--password-file", str(password_file)]
    assert run(capsys, "aigul", *argv)[0] == 0

    code, out, err = run(capsys, "Aigul", *argv)

    assert (code, out) == (1, "")
    assert "a user named 'Aigul' already exists" in err
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    "argv, code, message",
    [
        (["x", "--role", "king"], 2, "invalid choice: 'king'"),
        (["x"], 2, "the following arguments are required: --role"),
        (["x", "--role", "viewer", "--password-file", "{weak}"], 1, "password refused"),
        (["x", "--role", "viewer", "--password-file", "{missing}"], 1, "cannot read"),
        (["bad name!", "--role", "viewer", "--password-file", "{good}"], 1, "not a valid login"),
    ],
)
def test_bad_arguments_create_nobody(db, capsys, tmp_path, password_file, argv, code, message):
    (tmp_path / "weak").write_text("password\n")
    names = {"weak": tmp_path / "weak", "missing": tmp_path / "nope", "good": password_file}

    got, _, err = run(capsys, *[a.format(**names) for a in argv])

    assert got == code
    assert message in err
    assert not User.objects.exists()
