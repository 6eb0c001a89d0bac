"""What can go wrong while generating, as one line each."""

from __future__ import annotations

from cinefile.daemon.errors import UserError


class GenerationError(UserError):
    """A generation could not be made: a bad answer, a refused key, no credit, a timeout.

    Exit code 1: the command ran, and a problem was found."""

    exit_code = 1


class Cancelled(Exception):
    """The user aborted; the remote prediction was cancelled and nothing was written."""
