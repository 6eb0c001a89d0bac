"""Errors a user can act on. Each carries one line: what, where, and what to do."""


class UserError(Exception):
    """A mistake in how cinefile was called or configured (exit code 2)."""

    exit_code = 2


