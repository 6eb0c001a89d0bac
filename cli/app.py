"""The `cinefile` command: every command module registers itself on the shared app."""

from __future__ import annotations

from . import (  # noqa: F401  (they register their commands)
    film_commands, generate_commands, history_commands, lsp_command, project_commands, watch_command,
)
from .common import app


def main() -> None:
    app(prog_name="cinefile")


if __name__ == "__main__":
    main()
