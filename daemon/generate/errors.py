"""What can go wrong while generating, as one line each."""

from __future__ import annotations

from cinefile.daemon.errors import UserError


class GenerationError(UserError):
    """A generation could not be made: a bad answer, a refused key, no credit, a timeout.

    Exit code 1: the command ran, and a problem was found."""

    exit_code = 1


class DownloadFailed(GenerationError):
    """An output file could not be downloaded; `status` is the HTTP status when one came back
    (404 or 410: the provider no longer has it)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class Cancelled(Exception):
    """The user aborted; the remote prediction was cancelled and nothing was written."""
