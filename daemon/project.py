"""A project on disk: its root, its configuration, and which paths hold blocks."""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Collection, NamedTuple

from cinefile.format.config import CONFIG_NAME, Config, ConfigError, parse_config

from .errors import UserError
from .inside import NotRegularFile, read_regular, within

if TYPE_CHECKING:
    import pathspec

DB_NAME = "project.db"
IGNORE_FILES = (".gitignore", ".cinefileignore")
# Top-level folders that never hold blocks: media, outputs and prompt templates.
RESERVED_FOLDERS = frozenset({"assets", "exports", "prompts"})


class IgnoreFile(NamedTuple):
    """The patterns of the ignore files in one folder, `depth` folders below the root."""

    depth: int
    spec: pathspec.PathSpec
    # What a pattern could match by the path's last part alone: file names, and folder names
    # (`drafts/` names folders only, and so reaches a file only through its folder). None:
    # nothing (see `Project.entries_excluded_in`).
    file_names: str | None
    folder_names: str | None


def name_pattern(line: str, folder: bool = False) -> str | None:
    """A regular expression of the names (of files, or of folders) an ignore line could
    match by the last part of a path alone, or None when it cannot: a comment, or (for a
    file) a folder's pattern. What it cannot read exactly (escapes, classes, `**`, trailing
    blanks) could match every name."""
    pattern = line.removeprefix("!")
    if not pattern.strip() or line.startswith("#") or (pattern.endswith("/") and not folder):
        return None
    last = pattern.rstrip("/").rsplit("/", 1)[-1]
    if "**" in last or "\\" in last or "[" in last or last != last.rstrip() or not last:
        return ".*"
    return fnmatch.translate(last)


def _names_pattern(lines: list[str], folder: bool) -> str | None:
    patterns = [pattern for line in lines if (pattern := name_pattern(line, folder)) is not None]
    return "|".join(patterns) if patterns else None


def never_excluded(name: str, is_dir: bool = False) -> bool:
    """What `entries_excluded_in` gives for a folder whose names no pattern could match."""
    return False


def _no_match(name: str) -> None:
    return None


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
    def ignore_chains(self) -> dict[str, list[IgnoreFile]]:
        """For each folder (relative, "" for the root) asked about so far: the patterns of the
        `.gitignore` and `.cinefileignore` files in it and above it, each with its depth."""
        return {}

    def forget_ignore_files(self) -> None:
        """Read ignore files afresh from now on (one of them may have changed)."""
        self.ignore_chains.clear()

    def _ignore_chain(self, folder: str, names: Collection[str] | None = None) -> list[IgnoreFile]:
        """`names`: what the folder holds, when the caller listed it (ignore files that are
        not there are then not looked for)."""
        chains = self.ignore_chains
        if folder not in chains:
            above = self._ignore_chain(folder.rpartition("/")[0]) if folder else []
            here = self._ignore_file(folder, names)
            chains[folder] = above if here is None else [*above, here]
        return chains[folder]

    def _ignore_file(self, folder: str, names: Collection[str] | None) -> IgnoreFile | None:
        lines: list[str] = []
        for name in IGNORE_FILES if names is None else [name for name in IGNORE_FILES if name in names]:
            try:  # os.path, not pathlib: this runs for every folder of a walk
                # read_regular: a FIFO named .gitignore must not hang the walk.
                data = read_regular(os.path.join(self.root, folder, name), self.root)
                lines += data.decode("utf-8", errors="replace").splitlines()
            except OSError:
                continue
        if not any(line.strip() and not line.startswith("#") for line in lines):
            return None
        import pathspec  # only for a project with ignore patterns (a tenth of a command's imports)

        return IgnoreFile(folder.count("/") + 1 if folder else 0, pathspec.GitIgnoreSpec.from_lines(lines),
                          _names_pattern(lines, folder=False), _names_pattern(lines, folder=True))

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
        for depth, spec, *_ in self._ignore_chain(rel.rpartition("/")[0]):
            below = "/".join(parts[depth:])
            verdict = spec.check_file(below + "/" if is_dir else below).include
            if verdict is not None:
                ignored = verdict
        return ignored

    def entries_excluded_in(self, folder: str, names: Collection[str] | None = None) -> Callable[[str, bool], bool]:
        """`is_excluded` for the entries (name, is_dir) of a folder that is not excluded
        itself, as a walk meets them, made once for the folder and quick for most names:
        what reaches an entry only through a folder above it was decided for that folder,
        so the patterns run only for a name one of them could match by itself.
        `names`: the folder's names, when the caller listed it."""
        chain = self._ignore_chain(folder, names)
        if not folder:  # the root's entries: project.db and the reserved names too
            return self.is_excluded
        file_names = [ignore.file_names for ignore in chain if ignore.file_names is not None]
        folder_names = [ignore.folder_names for ignore in chain if ignore.folder_names is not None]
        if not folder_names:  # and so no file names either
            return never_excluded
        # re caches what it compiles: the folders of one chain share one pattern.
        could_match = (re.compile("|".join(file_names)).match if file_names else _no_match,
                       re.compile("|".join(folder_names)).match)

        def excluded(name: str, is_dir: bool = False) -> bool:
            return could_match[is_dir](name) is not None and self.is_excluded(f"{folder}/{name}", is_dir)

        return excluded

    def relative(self, path: Path | str) -> str:
        return Path(os.path.relpath(Path(path).absolute(), self.root)).as_posix()

    def contains(self, path: str | Path) -> bool:
        return within(self.root, path)
