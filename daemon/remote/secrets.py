"""Credentials stay out of every line cinefile prints or keeps.

They come from each backend's own chain (environment variables, a profile, a key file); an
error from a backend could still quote one, so every message about the store goes through
`redact` first."""

from __future__ import annotations

import os
import re

from cinefile.format.config import SECRET_NAME

# Environment variables whose value is a credential, beyond those SECRET_NAME recognises by name.
_ALSO_SECRET = re.compile(r"CONNECTION_STRING|ACCOUNT_KEY", re.IGNORECASE)
_SHORTEST = 6  # shorter values (a region, a flag) would blank out ordinary words


def secret_values() -> list[str]:
    """The values of the environment variables that hold credentials, longest first."""
    values = {value for name, value in os.environ.items()
              if (SECRET_NAME.search(name) or _ALSO_SECRET.search(name)) and len(value) >= _SHORTEST}
    return sorted(values, key=len, reverse=True)


def redact(text: str) -> str:
    """`text` with every credential found in the environment replaced by `***`."""
    for value in secret_values():
        text = text.replace(value, "***")
    return text
