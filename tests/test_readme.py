"""The README's first command does what the README shows."""

import re
import subprocess
import sys
from pathlib import Path

README = (Path(__file__).parent.parent / "README.md").read_text()


def test_the_readme_walkthrough_prints_what_the_readme_shows(tmp_path):
    command = re.search(r"```sh\n(python -m pip install -c constraints.txt -e \. && .+?)\n```", README).group(1)
    shown = re.search(r"```sh\n" + re.escape(command) + r"\n```\n\n```\n(.+?)```", README, re.DOTALL).group(1)
    steps = command.split(" && ")[1:]  # the install step is what this test environment already did
    script = " && ".join(step.replace("python -m", f"{sys.executable} -m") for step in steps)
    result = subprocess.run(script, shell=True, cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    normalise = lambda text: re.sub(r"in \d+\.\d+s", "in N s", text)
    assert normalise(result.stdout) == normalise(shown)
