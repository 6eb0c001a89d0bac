"""A command starts quickly: it imports only its own module of cli/ (not the studio's, the
language server's or the exports'), while `cinefile --help` still lists every command in
its order, and the table in cli/app.py that says which module holds which command stays
true to what the modules register."""

import json
import os
import re
import subprocess
import sys

import pytest
import typer

from cinefile.cli import app as cli_app

# Runs the command line as the `cinefile` program does, then writes the names of the
# modules it loaded to the file named first.
LOADED_MODULES = """
import json, sys
out, sys.argv = sys.argv[1], ["cinefile", *sys.argv[2:]]
from cinefile.cli.app import main
try:
    main()
finally:
    with open(out, "w") as file:
        json.dump(sorted(sys.modules), file)
"""
COMMAND_MODULES = {f"cinefile.cli.{module}" for module in cli_app.COMMANDS.values()}


@pytest.fixture
def run(make_project, tmp_path):
    """`cinefile ARGS` in a copy of tests/projects/short-film: its result and the modules it loaded."""
    project = make_project("short-film")
    out = tmp_path / "modules.json"
    env = {**os.environ, "COLUMNS": "200"}
    env.pop(cli_app.COMPLETION_VARIABLE, None)

    def run_command(*args: str) -> tuple[subprocess.CompletedProcess, set[str]]:
        out.unlink(missing_ok=True)
        result = subprocess.run([sys.executable, "-c", LOADED_MODULES, str(out), *args], cwd=project.root, env=env,
                                capture_output=True, text=True, check=False)
        return result, set(json.loads(out.read_text()))

    return run_command


@pytest.mark.parametrize(("args", "module"), [
    (("status",), "project_commands"),
    (("history", "logline"), "review_commands"),
    (("export", "--help"), "film_commands"),
    (("lsp", "--help"), "lsp_command"),
])
def test_a_command_loads_only_its_own_module(run, args, module):
    result, loaded = run(*args)
    assert result.returncode == 0, result.stderr
    assert loaded & COMMAND_MODULES == {f"cinefile.cli.{module}"}


def test_status_on_the_short_film_reports_its_blocks_and_not_the_ignored_ones(run):
    result, _ = run("status", "--json")
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    assert status["blocks"] == 2, status  # story/drafts/ and *.notes.md are ignored


def test_status_loads_no_export_format(run):
    _, loaded = run("status")
    # exports.order sorts every list in story order: the block lists need it.
    assert {name for name in loaded if name.startswith("cinefile.daemon.exports.")} <= {"cinefile.daemon.exports.order"}


def test_help_lists_every_command_in_the_tables_order(run):
    for args in (("--help",), ()):
        result, loaded = run(*args)
        assert result.returncode == (2 if not args else 0), result.stderr
        listed = re.findall(r"^│ ([a-z][a-z-]*) ", result.stdout or result.stderr, re.MULTILINE)
        assert listed == list(cli_app.COMMANDS)
        assert COMMAND_MODULES <= loaded


def test_an_unknown_command_is_told_with_every_command_loaded(run):
    result, loaded = run("stauts")
    assert result.returncode == 2 and "Did you mean 'status'?" in result.stderr
    assert COMMAND_MODULES <= loaded


@pytest.mark.parametrize(("args", "module"), [
    (["status", "--json"], "project_commands"),
    (["mark-fresh", "scene-1"], "review_commands"),
    (["assets", "push"], "assets_commands"),
    (["--help"], None),
    (["-h", "status"], None),
    ([], None),
    (["--version"], None),
    (["stauts"], None),
])
def test_the_command_is_found_in_the_arguments(args, module):
    assert cli_app.module_of(args) == module


def test_shell_completion_loads_every_command(monkeypatch):
    monkeypatch.setenv(cli_app.COMPLETION_VARIABLE, "bash_complete")
    assert cli_app.module_of(["status"]) is None


def test_the_table_is_what_the_modules_register():
    """Names and order (the help's), and the module each one is in."""
    app = cli_app.app  # every module loaded
    group = typer.main.get_command(app)
    assert group.list_commands(typer.Context(group)) == list(cli_app.COMMANDS)
    for info in app.registered_commands:
        name = info.name or typer.main.get_command_name(info.callback.__name__)
        assert info.callback.__module__ == f"cinefile.cli.{cli_app.COMMANDS[name]}", name
    for info in app.registered_groups:
        module = sys.modules[f"cinefile.cli.{cli_app.COMMANDS[info.name]}"]
        assert info.typer_instance in vars(module).values(), info.name


# What only a sync that reads files, or an index that needs a migration, uses: a command run
# with nothing changed starts without them.
NOT_FOR_NOTHING_CHANGED = {"sqlite_utils", "multiprocessing"}


def test_status_and_sync_with_nothing_changed_load_no_sqlite_utils_nor_read_workers(run):
    result, loaded = run("sync")  # the first: a new index, made by the fresh schema's script
    assert result.returncode == 0, result.stderr
    assert "sqlite_utils" not in loaded
    for args in (("status",), ("sync",), ("status", "--json")):
        result, loaded = run(*args)
        assert result.returncode == 0, result.stderr
        assert not loaded & NOT_FOR_NOTHING_CHANGED, args
    assert "+0 ~0 -0 >0" in run("sync")[0].stdout


def test_a_sync_after_an_edit_still_finds_it(run):
    run("sync")
    root = json.loads(run("status", "--json")[0].stdout)["root"]
    path = next(p for p in sorted(os.listdir(os.path.join(root, "story"))) if p.endswith(".md"))
    with open(os.path.join(root, "story", path), "a", encoding="utf-8") as file:
        file.write("\nOne more line.\n")
    result, _ = run("sync", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["modified"] == [f"story/{path}"]
    assert "+0 ~0 -0 >0" in run("sync")[0].stdout
