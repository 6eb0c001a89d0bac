"""`python -m cinefile.daemon.git.driver %O %A %B %L %P`: the merge driver as git runs it, once
for every file both sides changed, so it loads only what a merge needs: 0.1 s a file, where
starting `cinefile merge-driver` (which does the same) loads every command in 1.3 s (docs/teams.md).

Exit 0 when the merge is clean, 1 when conflicts are left in the file, 2 when it could not
merge at all (git then reports a conflict and leaves our version).
"""

from __future__ import annotations

import sys
from pathlib import Path

from cinefile.format.conflicts import MARKER_SIZE

from .merge import MergeFailed, merge_files

USAGE = "usage: merge-driver BASE OURS THEIRS [MARKER_SIZE] [PATH]  (git passes %O %A %B %L %P)"


def run(base: str, ours: str, theirs: str, marker_size: str | int | None = None, name: str | None = None) -> int:
    """The exit code for git; problems go to stderr as one line, naming the file."""
    shown = name or ours
    try:
        size = int(marker_size) if marker_size not in (None, "") else MARKER_SIZE
    except ValueError:
        print(f"cinefile merge-driver: {shown}: conflict marker size `{marker_size}` is not a number", file=sys.stderr)
        return 2
    try:
        conflicts = merge_files(Path(base), Path(ours), Path(theirs), size)
    except (MergeFailed, OSError) as error:
        print(f"cinefile merge-driver: {shown}: {error}", file=sys.stderr)
        return 2
    return 1 if conflicts else 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not 3 <= len(args) <= 5:
        print(USAGE, file=sys.stderr)
        return 2
    return run(*args)


if __name__ == "__main__":
    sys.exit(main())
