"""docs/cli.md says what the commands' `--help` says (datasette's habit): a changed
option or help text fails here until `scripts/cli_reference.py` is run again."""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "cli_reference.py"


def load_script():
    spec = importlib.util.spec_from_file_location("cli_reference", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_it_documents_every_command_as_its_help_says():
    script = load_script()
    written = script.TARGET.read_text(encoding="utf-8")
    assert written == script.render(), "docs/cli.md is stale: run scripts/cli_reference.py"


def test_it_has_a_section_for_each_command():
    from aigak.cli import COMMANDS

    script = load_script()
    written = script.TARGET.read_text(encoding="utf-8")
    for name in set(COMMANDS) - script.LEFT_OUT:
        assert f"\n## aigak {name}\n" in written
        assert f"usage: aigak {name}" in written


def test_the_check_fails_when_the_reference_is_stale(tmp_path, monkeypatch, capsys):
    script = load_script()
    monkeypatch.setattr(script, "TARGET", tmp_path / "cli.md")
    (tmp_path / "cli.md").write_text("# out of date\n", encoding="utf-8")
    assert script.main(["--check"]) == 1
    assert "stale" in capsys.readouterr().err
    assert script.main([]) == 0
    assert script.main(["--check"]) == 0
