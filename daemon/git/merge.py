"""The merge driver: git hands it three versions of a file that both sides changed, and it
leaves the merge in ours (`%A`). A block file is merged key by key and line by line
(format/merge.py); anything else, or a file that does not decode, by `git merge-file` alone.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from cinefile.format.conflicts import MARKER_SIZE, OURS, THEIRS
from cinefile.format.merge import merge_block

from .command import run_git

_LABELS = ("-L", OURS, "-L", "base", "-L", THEIRS)


class MergeFailed(Exception):
    """`git merge-file` could not run (git is missing, or it failed): nothing was merged."""


def merge_files(base: Path, ours: Path, theirs: Path, marker_size: int = MARKER_SIZE) -> int:
    """Merge `theirs` into `ours` (written in place) from their common `base`; returns how many
    conflicts are left in it, each between standard conflict markers."""
    texts = [_text(path) for path in (base, ours, theirs)]
    merged = None
    if all(text is not None for text in texts):
        merged = merge_block(*texts, merge_body=lambda *body: _merge_texts(*body, marker_size), marker_size=marker_size)
    if merged is None:
        return _merge_file(base, ours, theirs, marker_size)
    ours.write_bytes(merged.text.encode("utf-8"))
    return merged.conflicts


def _text(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return None


def _merge_file(base: Path, ours: Path, theirs: Path, marker_size: int) -> int:
    """`git merge-file` on the whole file: ours is written in place; exits with the number of conflicts."""
    done = run_git(base.parent, "merge-file", f"--marker-size={marker_size}", *_LABELS, str(ours), str(base), str(theirs))
    if done is None or done.returncode < 0 or done.returncode > 127:
        raise MergeFailed(_why(done))
    return done.returncode


def _merge_texts(base: str, ours: str, theirs: str, marker_size: int) -> tuple[str, bool]:
    """Three texts merged line by line by `git merge-file -p`: (the merge, whether it has conflicts)."""
    with tempfile.TemporaryDirectory(prefix="cinefile-merge-") as folder:
        paths = []
        for name, text in (("ours", ours), ("base", base), ("theirs", theirs)):
            path = Path(folder) / name
            path.write_bytes(text.encode("utf-8"))
            paths.append(str(path))
        done = run_git(Path(folder), "merge-file", "-p", f"--marker-size={marker_size}", *_LABELS, *paths)
    if done is None or done.returncode < 0 or done.returncode > 127:
        raise MergeFailed(_why(done))
    return done.stdout.decode("utf-8"), done.returncode > 0


def _why(done) -> str:
    if done is None:
        return "git is not installed (or not on PATH): it merges the lines"
    return f"git merge-file failed: {done.stderr.decode('utf-8', 'replace').strip() or f'exit {done.returncode}'}"
