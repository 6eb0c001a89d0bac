"""The folder walk: every block file under the root, with the stat that sync compares.

Only regular files inside the root are indexed. A symlink that leads out, or a FIFO, socket or
device named like a block, is refused with a line that says what to do, and is never opened:
a FIFO would block its reader forever.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from typing import Callable, Iterable, NamedTuple

from ..inside import kind_of
from ..project import RESERVED_FOLDERS, Project, never_excluded


class FileStat(NamedTuple):
    mtime_ns: int
    size: int


@dataclass
class Walk:
    files: dict[str, FileStat] = field(default_factory=dict)
    # Paths that look like blocks but are not indexed: rel path -> why, and what to do.
    refused: dict[str, str] = field(default_factory=dict)


def outside(target: str) -> str:
    return f"symlink points outside the project ({target}); refused: copy the file in instead"


def not_regular(mode: int) -> str:
    return f"{kind_of(mode)}, not a regular file; not indexed: remove it, or put a Markdown file there"


def folder_outside(target: str) -> str:
    return (f"symlink points outside the project ({target}); refused: nothing is read or written there; "
            "replace the link with a folder")


BAD_NAME = "file name is not valid UTF-8; not indexed: rename the file"
# The endings of a block file's name, in the case a name is usually written in (a quick test
# first: `is_block_name` has the last word, for `.Md` and the like).
_BLOCK_SUFFIXES = (".md",)
# A FileStat made without its class's Python-level __new__: a fifth of the cost, 100,000 times.
_file_stat = tuple.__new__
# An asset file's name: its bytes' SHA-256 and an extension.
_ASSET_NAME = re.compile(r"[0-9a-f]{64}\.[a-z0-9]+")


def _valid_name(rel: str) -> bool:
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes in a name arrive as lone surrogates
        return False
    return True


def _printable(rel: str) -> str:
    return rel.encode("utf-8", "replace").decode("utf-8")


def is_block_name(name: str) -> bool:
    return name.lower().endswith(".md") and not name.startswith(".")


def walk(project: Project, scope: Iterable[str] | None = None) -> Walk:
    """Stat every block file under the root, or only under the relative paths in `scope`."""
    result = Walk()
    root = str(project.root)
    starts = [""] if scope is None else sorted(set(scope))
    for start in starts:
        full = os.path.join(root, start) if start else root
        try:
            st = os.stat(full, follow_symlinks=False)
        except OSError:
            continue
        is_dir = os.path.isdir(full)
        if start and project.is_excluded(start, is_dir=is_dir):
            continue  # asked as what it is: `drafts/` in an ignore file names a folder only
        if start and not is_dir:
            _visit_file(project, full, start, st, result)
            continue
        _walk_tree(project, root, start, result)
    if scope is None:
        _check_reserved(project, root, result)
    return result


def _check_reserved(project: Project, root: str, result: Walk) -> None:
    """assets/, exports/ and prompts/ are not indexed, but cinefile reads and writes them: a
    link out of the project there, or an asset file that leads out or is no regular file,
    is said at each full sync (generation and export refuse them too)."""
    for name in sorted(RESERVED_FOLDERS):
        full = os.path.join(root, name)
        if os.path.islink(full) and not project.contains(full):
            result.refused[name] = folder_outside(os.path.realpath(full))
    assets = os.path.join(root, "assets")
    if not project.contains(assets):
        return
    try:
        entries = os.scandir(assets)
    except OSError:
        return
    with entries:
        for entry in entries:
            if entry.is_file(follow_symlinks=False) or not _ASSET_NAME.fullmatch(entry.name):
                continue  # a regular file (the usual case, told by the listing alone) or no asset
            rel = f"assets/{entry.name}"
            try:
                if entry.is_symlink() and not project.contains(entry.path):
                    result.refused[rel] = outside(os.path.realpath(entry.path)) + "; it is never uploaded or exported"
                elif not stat.S_ISREG(mode := entry.stat().st_mode):
                    result.refused[rel] = f"{kind_of(mode)}, not a regular file; not used: remove it"
            except OSError:
                continue


def _visit_file(project: Project, full: str, rel: str, st: os.stat_result, result: Walk) -> None:
    if not is_block_name(rel.rsplit("/", 1)[-1]):
        return
    if not _valid_name(rel):
        result.refused[_printable(rel)] = BAD_NAME
        return
    if os.path.islink(full):
        if not project.contains(full):
            result.refused[rel] = outside(os.path.realpath(full))
            return
        try:
            st = os.stat(full)
        except OSError:
            return
    if not stat.S_ISREG(st.st_mode):
        result.refused[rel] = not_regular(st.st_mode)
        return
    result.files[rel] = FileStat(st.st_mtime_ns, st.st_size)


def _walk_tree(project: Project, root: str, start: str, result: Walk) -> None:
    """Every folder entered is one `is_excluded` let in, so each of its names is checked
    alone: its own validity, and the ignore patterns that could match it by name."""
    if not _valid_name(start):  # a path given to sync (its scope) that is no UTF-8
        result.refused[_printable(start)] = BAD_NAME
        return
    stack = [start]
    while stack:
        rel_dir = stack.pop()
        try:
            with os.scandir(os.path.join(root, rel_dir) if rel_dir else root) as entries:
                listing = list(entries)
        except OSError:
            continue  # vanished or unreadable folder: nothing in it to index
        # Its hidden names tell which ignore files to read: none, in most folders.
        excluded = project.entries_excluded_in(rel_dir, {entry.name for entry in listing if entry.name.startswith(".")})
        quick = excluded is never_excluded
        prefix = f"{rel_dir}/" if rel_dir else ""
        for entry in listing:
            name = entry.name
            # The usual case, told by the listing alone: a regular block file with a plain
            # name, in a few C calls and no more tests, as it runs for every file.
            if (name.endswith(_BLOCK_SUFFIXES) and entry.is_file(follow_symlinks=False) and name.isascii()
                    and name[0] != "." and (quick or not excluded(name))):
                try:
                    _add_file(entry, prefix + name, result)
                except OSError:
                    continue  # deleted between listing and stat
            elif not name.startswith("."):
                _visit_entry(project, entry, prefix + name, excluded, stack, result)


def _visit_entry(project: Project, entry: os.DirEntry, rel: str, excluded: Callable[..., bool], stack: list[str],
                 result: Walk) -> None:
    """Any other entry of a folder: a folder to walk, or a name that is refused or indexed."""
    name = entry.name
    try:
        if entry.is_file(follow_symlinks=False) and name.isascii():
            if is_block_name(name) and not excluded(name):  # (not a block name, or one with a capital: `.Md`)
                _add_file(entry, rel, result)
        elif not (name.isascii() or _valid_name(name)):
            if is_block_name(name) or entry.is_dir(follow_symlinks=False):
                result.refused[_printable(rel)] = BAD_NAME
        elif entry.is_symlink() and not project.contains(entry.path):
            if is_block_name(name) or os.path.isdir(entry.path):
                result.refused[rel] = outside(os.path.realpath(entry.path))
        elif entry.is_symlink() and os.path.isdir(entry.path):
            return  # its target is walked on its own; following it could loop
        elif entry.is_dir():
            if not excluded(name, True):
                stack.append(rel)
        elif is_block_name(name) and not excluded(name):
            _add_file(entry, rel, result)
    except OSError:
        return  # deleted between listing and stat


def _add_file(entry: os.DirEntry, rel: str, result: Walk) -> None:
    st = entry.stat()
    if stat.S_ISREG(st.st_mode):
        result.files[rel] = _file_stat(FileStat, (st.st_mtime_ns, st.st_size))
    else:
        result.refused[rel] = not_regular(st.st_mode)
