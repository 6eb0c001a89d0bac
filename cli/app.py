"""The `cinefile` command: each command module registers itself on the shared app, and a
command imports only its own module, so that `cinefile status` does not wait for the studio,
the language server and the export formats to load."""

from __future__ import annotations

import importlib
import os
import sys

from .common import app as _app

# Every command and the module (in cli/) that registers it, in the order `cinefile --help`
# lists them: the everyday ones first. tests/test_command_start.py checks it against what the
# modules register.
COMMANDS: dict[str, str] = {
    "init": "project_commands",
    "sync": "project_commands",
    "status": "project_commands",
    "list": "project_commands",
    "show": "project_commands",
    "graph": "project_commands",
    "snapshot": "project_commands",
    "new": "project_commands",
    "rename": "project_commands",
    "depend": "project_commands",
    "reference": "project_commands",
    "impact": "project_commands",
    "history": "review_commands",
    "diff": "review_commands",
    "undo": "review_commands",
    "mark-fresh": "review_commands",
    "approve": "review_commands",
    "export": "film_commands",
    "import": "film_commands",
    "generate": "generate_commands",
    "models": "generate_commands",
    "cost": "generate_commands",
    "git-setup": "git_commands",
    "merge-driver": "git_commands",
    "watch": "watch_command",
    "lsp": "lsp_command",
    "studio": "studio_command",
    "serve": "serve_command",
    "mcp": "mcp_command",
    # Groups of commands come after the commands in the help.
    "assets": "assets_commands",
}
HELP_OPTIONS = ("-h", "--help")
# Set by a shell asking typer to complete a command line: it needs every command.
COMPLETION_VARIABLE = "_CINEFILE_COMPLETE"


@_app.callback()
def _commands() -> None:
    """A callback keeps the app a group of commands even when one module registers a single
    one (`lsp`): typer would otherwise make that command the whole program."""


def load_commands(modules) -> None:
    """Import these command modules (registering their commands), in the order of COMMANDS."""
    for module in sorted(set(modules), key=list(COMMANDS.values()).index):
        importlib.import_module(f"{__package__}.{module}")


def module_of(args: list[str]) -> str | None:
    """The module of the command these arguments run, or None when every command is needed:
    for help, no command, a name that is none, or shell completion."""
    if COMPLETION_VARIABLE in os.environ:
        return None
    for arg in args:
        if arg in HELP_OPTIONS:
            return None
        if not arg.startswith("-"):
            return COMMANDS.get(arg)
    return None


def main() -> None:
    module = module_of(sys.argv[1:])
    load_commands(COMMANDS.values() if module is None else [module])
    _app(prog_name="cinefile")


def __getattr__(name: str):
    # `from cinefile.cli.app import app` (tests, other programs) gets every command.
    if name == "app":
        load_commands(COMMANDS.values())
        return _app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if __name__ == "__main__":
    main()
