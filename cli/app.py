"""The `cinefile` command: every command module registers itself on the shared app."""

from __future__ import annotations

# Commands register in import order, which is the order `cinefile --help` lists them in:
# the everyday ones first.
from . import project_commands  # noqa: F401, I001
from . import review_commands  # noqa: F401
from . import film_commands  # noqa: F401
from . import generate_commands  # noqa: F401
from . import assets_commands  # noqa: F401
from . import git_commands  # noqa: F401
from . import watch_command  # noqa: F401
from . import lsp_command  # noqa: F401
from . import studio_command  # noqa: F401
from . import serve_command  # noqa: F401
from . import mcp_command  # noqa: F401
from .common import app


def main() -> None:
    app(prog_name="cinefile")


if __name__ == "__main__":
    main()
