"""The `cinefile` command: every command module registers itself on the shared app."""

from __future__ import annotations

from . import film_commands, history_commands, project_commands, watch_command  # noqa: F401  (they register their commands)
from .common import app


def main() -> None:
    app(prog_name="cinefile")


if __name__ == "__main__":
    main()
