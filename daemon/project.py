"""A project on disk: its root, its configuration, and which paths hold blocks."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pathspec

from cinefile.format.config import CONFIG_NAME, Config, ConfigError, parse_config

from .errors import UserError
from .inside import NotRegularFile, read_regular, within

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
            return parse_config(read_regular(path, self.root).decode("utf-8"))
        except NotRegularFile as error:
            raise UserError(f"{path}: {error.strerror}: refused; put the file itself here") from None
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
    def ignore_chains(self) -> dict[str, list[tuple[int, pathspec.PathSpec]]]:
        """For each folder (relative, "" for the root) asked about so far: the patterns of the
        `.gitignore` and `.cinefileignore` files in it and above it, each with its depth."""
        return {}

    def forget_ignore_files(self) -> None:
        """Read ignore files afresh from now on (one of them may have changed)."""
        self.ignore_chains.clear()

    def _ignore_chain(self, folder: str) -> list[tuple[int, pathspec.PathSpec]]:
        chains = self.ignore_chains
        if folder not in chains:
            above = self._ignore_chain(folder.rpartition("/")[0]) if folder else []
            spec = self._ignore_spec(folder)
            chains[folder] = above if spec is None else [*above, (folder.count("/") + 1 if folder else 0, spec)]
        return chains[folder]

    def _ignore_spec(self, folder: str) -> pathspec.PathSpec | None:
        lines: list[str] = []
        for name in IGNORE_FILES:
            try:  # os.path, not pathlib: this runs for every folder of a walk
                # read_regular: a FIFO named .gitignore must not hang the walk.
                data = read_regular(os.path.join(self.root, folder, name), self.root)
                lines += data.decode("utf-8", errors="replace").splitlines()
            except OSError:
                continue
        wanted = any(line.strip() and not line.startswith("#") for line in lines)
        return pathspec.GitIgnoreSpec.from_lines(lines) if wanted else None

    def is_excluded(self, rel: str, is_dir: bool = False) -> bool:
        """Whether a path (relative, with /) is outside what cinefile indexes."""
        parts = rel.split("/")
        if any(part.startswith(".") for part in parts) or parts[0] in RESERVED_FOLDERS:
            return True
        if len(parts) == 1 and parts[0].startswith(DB_NAME):
            return True
        # As git does: the ignore files of every folder above the path, each matching the path
        # relative to its folder, the deepest that says anything deciding (`!` re-includes).
        ignored = False
        for depth, spec in self._ignore_chain(rel.rpartition("/")[0]):
            below = "/".join(parts[depth:])
            verdict = spec.check_file(below + "/" if is_dir else below).include
            if verdict is not None:
                ignored = verdict
        return ignored

    def relative(self, path: Path | str) -> str:
        return Path(os.path.relpath(Path(path).absolute(), self.root)).as_posix()

    def contains(self, path: str | Path) -> bool:
        return within(self.root, path)
