"""What the editor tests share: the sample film they open, an environment that finds `cinefile`
on PATH with a throwaway home (so no user configuration or API key leaks in), and where a
dependency is listed.

Not a conftest.py: the suite's tests import `conftest` by name, and a second one would shadow it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PROBES = Path(__file__).parent / "probes"
KEY_VARIABLES = ("OPENROUTER_API_KEY", "REPLICATE_API_KEY", "REPLICATE_API_TOKEN",
                 "COPILOT_OPENROUTER_API_KEY", "COPILOT_REPLICATE_API_KEY")


def cinefile_bin_dir() -> Path:
    """The folder of the `cinefile` script installed beside this Python."""
    for folder in (Path(sys.executable).parent, Path(sys.executable).resolve().parent):
        if (folder / "cinefile").exists():
            return folder
    found = shutil.which("cinefile")
    assert found, "the `cinefile` script is not installed: pip install -e ."
    return Path(found).parent


def editor_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment for an editor: `cinefile` first on PATH, a fresh home, no API keys."""
    env = {key: value for key, value in os.environ.items() if key not in KEY_VARIABLES}
    env.update({
        "PATH": f"{cinefile_bin_dir()}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "data"),
        "XDG_STATE_HOME": str(home / "state"), "XDG_CACHE_HOME": str(home / "cache"),
        **extra,
    })
    return env


def stale_entry_line(block: Path, dependency: str) -> int:
    """The 0-based line of `dependency`'s entry in the block's `dependencies:` list."""
    lines = block.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines) if line.strip().startswith(f"- {{id: {dependency}"))


@pytest.fixture(scope="module")
def night_ferry(tmp_path_factory) -> Path:
    """The sample film, made by the real `cinefile init --sample`."""
    root = tmp_path_factory.mktemp("film") / "night-ferry"
    subprocess.run([sys.executable, "-m", "cinefile", "init", str(root), "--sample"], check=True,
                   capture_output=True, text=True)
    return root
