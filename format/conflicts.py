"""Merge conflict markers left in a file by git: where they are, and either side kept.

A conflict is a `<<<<<<<` line, optionally a `|||||||` line (the base, in git's diff3 style),
a `=======` line and a `>>>>>>>` line, in that order. Only the whole shape counts: a lone
`=======` is also how Markdown underlines a heading.
"""

from __future__ import annotations

from dataclasses import dataclass

from .problems import Position, Problem, Range

MARKER_SIZE = 7  # git's default (`conflict-marker-size`)
OURS, THEIRS = "ours", "theirs"
CODE = "merge-conflict"


@dataclass(frozen=True)
class Conflict:
    """One conflict, by line numbers (0-based) of its marker lines."""

    start: int  # the `<<<<<<<` line
    base: int | None  # the `|||||||` line, when the file has the base too
    middle: int  # the `=======` line
    end: int  # the `>>>>>>>` line

    def side(self, lines: list[str], side: str) -> list[str]:
        """The lines of one side (`ours` or `theirs`), with their line endings."""
        if side == OURS:
            return lines[self.start + 1 : self.middle if self.base is None else self.base]
        return lines[self.middle + 1 : self.end]


def split_lines(text: str) -> list[str]:
    """The lines of `text` with their endings, split at `\n` only: the lines the parser and
    editors count (str.splitlines also splits at form feeds and Unicode separators)."""
    parts = text.split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def _marker(line: str, char: str, size: int, labelled: bool) -> bool:
    text = line.rstrip("\r\n")
    if not text.startswith(char * size):
        return False
    rest = text[size:]
    return not rest or (labelled and rest[0] == " ")


def find_conflicts(text: str, size: int = MARKER_SIZE) -> list[Conflict]:
    """Every complete conflict in `text`, in file order."""
    if "<" * size not in text:  # the common case, at the cost of one search
        return []
    lines = split_lines(text)
    found: list[Conflict] = []
    start = base = middle = None
    for number, line in enumerate(lines):
        if _marker(line, "<", size, True):
            start, base, middle = number, None, None  # a new start forgets an unfinished one
        elif start is None:
            continue
        elif middle is None and base is None and _marker(line, "|", size, True):
            base = number
        elif middle is None and _marker(line, "=", size, False):
            middle = number
        elif middle is not None and _marker(line, ">", size, True):
            found.append(Conflict(start, base, middle, number))
            start = base = middle = None
    return found


def conflict_problems(text: str, conflicts: list[Conflict]) -> list[Problem]:
    """One error per conflict, over its lines from `<<<<<<<` to `>>>>>>>`."""
    lines = split_lines(text)
    problems = []
    for conflict in conflicts:
        ours = conflict.middle - conflict.start - 1 if conflict.base is None else conflict.base - conflict.start - 1
        theirs = conflict.end - conflict.middle - 1
        where = Range(Position(conflict.start, 0), Position(conflict.end, len(lines[conflict.end].rstrip("\r\n"))))
        problems.append(Problem(
            CODE, f"merge conflict: both sides changed this ({_lines(ours)} ours, {_lines(theirs)} theirs): "
                  "keep one side or combine them, and remove the `<<<<<<<`, `=======` and `>>>>>>>` lines", where))
    return problems


def _lines(count: int) -> str:
    return f"{count} line" + ("" if count == 1 else "s")


def keep(text: str, conflict: Conflict, side: str) -> str:
    """`text` with one conflict replaced by one of its sides."""
    lines = split_lines(text)
    kept = conflict.side(lines, side)
    after = lines[conflict.end + 1 :]
    if kept and not after and not lines[conflict.end].endswith(("\n", "\r")):
        kept[-1] = kept[-1].rstrip("\r\n")  # the file ended on the `>>>>>>>` line: it ends on the kept one
    return "".join(lines[: conflict.start] + kept + after)


def keep_all(text: str, side: str) -> str:
    """`text` with every conflict resolved to the same side."""
    for conflict in reversed(find_conflicts(text)):
        text = keep(text, conflict, side)
    return text
