"""A project on disk: its root, its configuration, and which paths hold blocks."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pathspec

from cinefile.format.config import CONFIG_NAME, Config, ConfigError, parse_config

from .errors import UserError

DB_NAME = "project.db"
IGNORE_FILES = (".gitignore", ".cinefileignore")
# Top-level folders that never hold blocks: media, outputs and prompt templates.
RESERVED_FOLDERS = frozenset({"assets", "exports", "prompts"})


def find_root(start: Path) -> Path | None:
    """Walk up from `start` to the folder holding cinefile.toml, as git finds .git."""
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    return None


@dataclass
class Project:
    root: Path

    @classmethod
    def find(cls, start: Path | None = None) -> "Project":
        start = Path.cwd() if start is None else start
        root = find_root(start)
        if root is None:
            raise UserError(f"{start}: not inside a cinefile project (no {CONFIG_NAME} here or above): run `cinefile init`")
        return cls(root)

    @cached_property
    def config(self) -> Config:
        path = self.root / CONFIG_NAME
        try:
            return parse_config(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as error:
            raise UserError(f"{path}: cannot read it ({error}): check its permissions and encoding") from None
        except ConfigError as error:
            raise UserError(f"{self.root / str(error)}") from None

    @property
    def db_path(self) -> Path:
        return self.root / DB_NAME

    @property
    def exports(self) -> Path:
        return self.root / "exports"

    @property
    def assets(self) -> Path:
        return self.root / "assets"

    @cached_property
    def ignore_spec(self) -> pathspec.PathSpec | None:
        lines: list[str] = []
        for name in IGNORE_FILES:
            try:
                lines += (self.root / name).read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                continue
        return pathspec.GitIgnoreSpec.from_lines(lines) if any(l.strip() and not l.startswith("#") for l in lines) else None

    def is_excluded(self, rel: str, is_dir: bool = False) -> bool:
        """Whether a path (relative, with /) is outside what cinefile indexes."""
        parts = rel.split("/")
        if any(part.startswith(".") for part in parts) or parts[0] in RESERVED_FOLDERS:
            return True
        if len(parts) == 1 and parts[0].startswith(DB_NAME):
            return True
        spec = self.ignore_spec
        return bool(spec and spec.match_file(rel + "/" if is_dir else rel))

    def relative(self, path: Path | str) -> str:
        return Path(os.path.relpath(Path(path).absolute(), self.root)).as_posix()

    def contains(self, path: str | Path) -> bool:
        real = os.path.realpath(path)
        root = os.path.realpath(self.root)
        return real == root or real.startswith(root + os.sep)
