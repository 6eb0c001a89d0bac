"""Problems found in a block, each with an exact range in its file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


class Position(NamedTuple):
    line: int  # 0-based
    col: int  # 0-based, in characters (code points)


class Range(NamedTuple):
    # Tuples, not dataclasses: sync builds hundreds of thousands of these.
    start: Position
    end: Position

    @staticmethod
    def of(line: int, col: int, end_line: int | None = None, end_col: int | None = None) -> "Range":
        return Range(Position(line, col), Position(line if end_line is None else end_line, col if end_col is None else end_col))

    def to_json(self) -> list[int]:
        return [self.start.line, self.start.col, self.end.line, self.end.col]

    @staticmethod
    def from_json(data: list[int]) -> "Range":
        return Range(Position(data[0], data[1]), Position(data[2], data[3]))


FILE_START = Range.of(0, 0)

ERROR = "error"
WARNING = "warning"

# The problems that leave a file's frontmatter unread (its Block has `readable=False`): the
# index keeps problems, not that flag, so a block with one of these is broken.
UNREADABLE_CODES: frozenset[str] = frozenset({
    "unreadable", "too-large", "binary", "not-utf8",
    "no-frontmatter", "unclosed-frontmatter", "yaml", "not-mapping",
    "merge-conflict",  # conflict markers left by a merge: nothing is made from half a merge
})


@dataclass(frozen=True, slots=True)
class Problem:
    code: str
    message: str
    range: Range = FILE_START
    severity: str = ERROR

    def to_json(self) -> dict:
        return {"code": self.code, "message": self.message, "range": self.range.to_json(), "severity": self.severity}

    @staticmethod
    def from_json(data: dict) -> "Problem":
        return Problem(data["code"], data["message"], Range.from_json(data["range"]), data.get("severity", ERROR))

    def located(self, path: str) -> str:
        """`path:line:col: severity: message`, 1-based like compilers print."""
        return f"{path}:{self.range.start.line + 1}:{self.range.start.col + 1}: {self.severity}: {self.message}"
