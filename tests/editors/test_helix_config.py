"""editors/helix/languages.toml is valid TOML in Helix's shape and starts `cinefile lsp` for Markdown.

Helix itself is not packaged for Debian 12, so this checks the file rather than running Helix."""

from __future__ import annotations

import tomllib

from editor_harness import REPO

CONFIG = tomllib.loads((REPO / "editors" / "helix" / "languages.toml").read_text(encoding="utf-8"))


def test_the_server_is_cinefile_lsp():
    server = CONFIG["language-server"]["cinefile"]
    assert [server["command"], *server["args"]] == ["cinefile", "lsp"]
    assert server["config"]["mode"] in ("draft", "final")  # sent as initializationOptions


def test_markdown_uses_it_with_the_project_folder_as_root():
    [markdown] = [language for language in CONFIG["language"] if language["name"] == "markdown"]
    assert "cinefile" in markdown["language-servers"]
    assert markdown["roots"] == ["cinefile.toml"]
