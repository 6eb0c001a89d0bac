"""The sample film the editor tests open."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def night_ferry(tmp_path_factory) -> Path:
    """The sample film, made by the real `cinefile init --sample`."""
    root = tmp_path_factory.mktemp("film") / "night-ferry"
    subprocess.run([sys.executable, "-m", "cinefile", "init", str(root), "--sample"], check=True,
                   capture_output=True, text=True)
    return root
