"""Golden transcripts of the command line: each file in tests/transcripts/ holds commands run
in order in a fresh copy of the sample film, each followed by its exact output.

    # A comment.
    $ cinefile list --type shot
    id       type  ...              <- standard output
    2> cinefile: ...                <- standard error
    ? 1                             <- the exit code, when it is not 0

Commands run in bash, with `cinefile` meaning this Python's `python -m cinefile`, so a
transcript may edit a file between two commands. Timings read `in N s`, timestamps `TIME`, the
user `USER` and the project's folder `$ROOT`. To rewrite the files after a deliberate change of output:
`CINEFILE_UPDATE_TRANSCRIPTS=1 python -m pytest tests/test_transcripts.py`, then read the diff.
"""

from __future__ import annotations

import getpass
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cinefile.daemon.api.scaffold import init_project

TRANSCRIPTS = sorted((Path(__file__).parent / "transcripts").glob("*.tesh"))
UPDATE = bool(os.environ.get("CINEFILE_UPDATE_TRANSCRIPTS"))
_TIMING = re.compile(r"\bin \d+(?:\.\d+)?m?s\b")
_TIMESTAMP = re.compile(r"\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:[+-]\d\d:\d\d|Z)?")


def parse(text: str) -> list[tuple[list[str], str, list[str]]]:
    """(the comment lines before it, the command, its expected output lines) for each command.
    A command's output ends at a blank line followed only by comments before the next one."""
    steps, before, command, chunk = [], [], None, []

    def close() -> list[str]:
        """Split `chunk` into the output and the comments that lead to the next command."""
        cut = len(chunk)
        while cut > 0 and (not chunk[cut - 1].strip() or chunk[cut - 1].startswith("#")):
            cut -= 1
        output, tail = chunk[:cut], chunk[cut:]
        steps.append((before, command, output))
        return [line for line in tail if line.strip()]

    for line in text.splitlines():
        if line.startswith("$ "):
            if command is not None:
                before = close()
            command, chunk = line[2:], []
        elif command is None:
            before.append(line)
        else:
            chunk.append(line)
    if command is not None:
        close()
    return steps


def run(command: str, root: Path) -> list[str]:
    script = f'cinefile() {{ "{sys.executable}" -m cinefile "$@"; }}\n{command}'
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}
    for key in ("OPENROUTER_API_KEY", "REPLICATE_API_TOKEN", "REPLICATE_API_KEY", "COPILOT_OPENROUTER_API_KEY",
                "COPILOT_REPLICATE_API_KEY", "CINEFILE_DEBUG"):
        env.pop(key, None)
    done = subprocess.run(["bash", "-c", script], cwd=root, capture_output=True, text=True, env=env, timeout=300)
    lines = done.stdout.splitlines() + [f"2> {line}" for line in done.stderr.splitlines()]
    user = f" by {getpass.getuser()})"  # history says who wrote a version: the same on any machine here
    lines = [_TIMESTAMP.sub("TIME", _TIMING.sub("in N s", line.replace(str(root), "$ROOT"))).replace(user, " by USER)").rstrip()
             for line in lines]
    return lines + ([f"? {done.returncode}"] if done.returncode else [])


@pytest.mark.parametrize("transcript", TRANSCRIPTS, ids=[p.stem for p in TRANSCRIPTS])
def test_transcript(transcript: Path, tmp_path: Path) -> None:
    root = init_project(tmp_path / "night-ferry", sample=True).root
    written, failures = [], []
    text = transcript.read_text(encoding="utf-8")
    for before, command, expected in parse(text):
        found = run(command, root)
        written += [*before, f"$ {command}", *found, ""]
        if found != expected:
            failures.append(f"$ {command}\n--- expected\n" + "\n".join(expected) + "\n--- found\n" + "\n".join(found))
    if UPDATE:
        transcript.write_text("\n".join(written).rstrip("\n") + "\n", encoding="utf-8")
        return
    assert not failures, f"{transcript.name}:\n\n" + "\n\n".join(failures)


def test_there_are_transcripts_for_the_everyday_commands() -> None:
    commands = {m.group(1) for p in TRANSCRIPTS for m in re.finditer(r"^\$ cinefile (\S+)", p.read_text(), re.MULTILINE)}
    assert commands >= {"status", "list", "show", "sync", "new", "rename", "impact", "depend", "graph", "history", "diff", "undo",
                        "mark-fresh", "approve", "generate", "models", "cost", "export", "import", "snapshot"}
