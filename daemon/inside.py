"""The one rule for the files cinefile reads and writes in a project: a path inside the
project folder (once symlinks are followed), and, to be read, a regular file.

A symlink can lead anywhere, so a folder cinefile writes into must resolve inside the root.
A FIFO, socket or device named like a project file would block or misbehave when read, so a
file is opened without blocking and checked with fstat before a byte of it is read.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from .errors import UserError

_OTHER_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
                (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"))


class OutsideProject(UserError):
    """A folder cinefile would write into leads out of the project through a symlink."""


class NotRegularFile(OSError):
    """A path that is not a regular file (a FIFO, socket, device, folder), or that leads
    out of the project: refused before a byte of it is read. An OSError, so that code which
    treats an unreadable file as missing does the same with this one."""

    def __init__(self, path: str | Path, why: str) -> None:
        super().__init__(errno.EINVAL, why, str(path))


def within(root: str | Path, path: str | Path) -> bool:
    """Whether `path`, with every symlink on the way followed, is the root or under it."""
    return _under(os.path.realpath(root), os.path.realpath(path))


def _under(top: str, real: str) -> bool:
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


class Inside:
    """`within` for the many paths of one operation under one root: the root is resolved
    once, and each folder once, rather than every folder of every path again (realpath of
    5,000 files, three times each, was a seventh of marking them fresh). A file that is not
    itself a symlink resolves to its folder's real path plus its name, so the folder's answer
    is the file's. Keep one for one operation only: a folder made a symlink after it was
    checked is seen by the next operation's checker, not by this one."""

    def __init__(self, root: str | Path) -> None:
        self.root = os.path.abspath(root)
        self._top = os.path.realpath(root)
        self._folders: dict[str, bool] = {}

    def __call__(self, path: str | Path) -> bool:
        given = os.fspath(path)
        full = os.path.abspath(given)
        folder = os.path.dirname(full)
        # The long way for the root itself, a path outside, a symlink, and a `..`, which
        # abspath would take back before a symlink on the way is followed.
        if ".." in given or not full.startswith(self.root.rstrip(os.sep) + os.sep) or os.path.islink(full):
            return _under(self._top, os.path.realpath(given))
        verdict = self._folders.get(folder)
        if verdict is None:
            verdict = self._folders[folder] = _under(self._top, os.path.realpath(folder))
        return verdict


def _contains(root: str | Path | Inside, path: str | Path) -> bool:
    return root(path) if isinstance(root, Inside) else within(root, path)


def kind_of(mode: int) -> str:
    """What a file that is not a regular one is, in words: `a FIFO`, `a device`, ..."""
    return next((name for test, name in _OTHER_KINDS if test(mode)), "not a regular file")


def _rel(root: str | Path, path: str | Path) -> str:
    return os.path.relpath(os.path.abspath(path), os.path.abspath(root)).replace(os.sep, "/")


def _link_out(root: str | Path, path: str | Path) -> tuple[str, str]:
    """(the first symlink on the way from root to path that leads out, where it leads)."""
    here = os.path.abspath(root)
    for part in _rel(root, path).split("/"):
        here = os.path.join(here, part)
        if os.path.islink(here) and not within(root, here):
            return _rel(root, here), os.path.realpath(here)
    return _rel(root, path), os.path.realpath(path)


def folder_inside(root: str | Path, path: Path) -> Path:
    """`path`, a folder cinefile writes into (or makes), or a file it writes in place: checked
    to resolve inside the root. A symlinked `assets/` or `exports/` that points elsewhere is
    refused (OutsideProject), so that nothing is ever written outside the project."""
    if within(root, path):
        return path
    link, target = _link_out(root, path)
    if os.path.isdir(target):
        raise OutsideProject(f"{link}/ is a symlink to {target}, outside the project: refused, nothing was written; "
                             f"replace the link with a folder (mv {link} {link}.link && mkdir {link})")
    raise OutsideProject(f"{link} is a symlink to {target}, outside the project: refused, nothing was written; "
                         "replace the link with the file itself")


def regular_file(root: str | Path, path: str | Path) -> os.stat_result | None:
    """The stat of `path` when it is a regular file inside the root (a symlink to one inside
    counts); None when it is missing, leads out (itself or through a linked folder), or is a
    FIFO, socket, device or folder."""
    try:
        info = os.stat(path)  # stat, not open: nothing here can block
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode) or not within(root, path):
        return None
    return info


def read_regular(path: str | Path, root: str | Path | Inside | None = None) -> bytes:
    """The bytes of a regular file. O_NONBLOCK: opening a FIFO
    never waits for a writer; fstat then refuses anything but a regular file, and with `root`
    (a folder, or the `Inside` of an operation reading many files), a path that leads out of
    the project (NotRegularFile, an OSError)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(path, f"{kind_of(mode)}, not a regular file")
        if root is not None and not _contains(root, path):
            raise NotRegularFile(path, f"it leads outside the project, to {os.path.realpath(path)}")
        return handle.read()


def read_regular_text(path: str | Path, root: str | Path | None = None) -> str:
    """read_regular, decoded as UTF-8 (UnicodeDecodeError when it is not)."""
    return read_regular(path, root).decode("utf-8")
