"""API keys: handed over for the session (the studio's sidebar, an editor's secret storage) or
found in the environment, kept in memory only.

A key is wrapped in `Secret`, whose str() and repr() never show it, so that a key that ends up
in an f-string, a log line or an exception message shows as `***` instead.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping

# Where each provider's key is looked for in the environment, in order. A key handed over for
# the session comes before all of them: the person typed it for this session, on purpose.
ENV_NAMES: dict[str, tuple[str, ...]] = {
    "openrouter": ("OPENROUTER_API_KEY", "COPILOT_OPENROUTER_API_KEY"),
    "replicate": ("REPLICATE_API_KEY", "REPLICATE_API_TOKEN", "COPILOT_REPLICATE_API_KEY"),
}

# The name and the variable to set that a message about a missing key gives, by provider.
KEY_HINTS: dict[str, tuple[str, str]] = {"openrouter": ("OpenRouter", "OPENROUTER_API_KEY"),
                                         "replicate": ("Replicate", "REPLICATE_API_TOKEN")}


def provider_of(kind: str) -> str:
    """Whose key a kind of generation (or a model list: speech, music) needs."""
    return "openrouter" if kind == "text" else "replicate"


class Secret:
    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __str__(self) -> str:
        return "***"

    __repr__ = __str__

    def __reduce__(self):  # never pickled, never copied into another process by accident
        raise TypeError("a Secret cannot be pickled")


@dataclass(frozen=True)
class Keys:
    openrouter: Secret | None = None
    replicate: Secret | None = None

    def secrets(self) -> list[str]:
        return [s.reveal() for s in (self.openrouter, self.replicate) if s is not None]


def find_keys(session: Mapping[str, str] | None = None, environ: Mapping[str, str] | None = None) -> Keys:
    """The keys to use: those handed over for this session first, then the environment's
    (ENV_NAMES, in order).

    `session` maps a provider name ("openrouter", "replicate") to a key.
    """
    environ = os.environ if environ is None else environ
    session = session or {}
    found: dict[str, Secret | None] = {}
    for provider, names in ENV_NAMES.items():
        value = (session.get(provider) or "").strip() or None
        value = value or next((environ[name].strip() for name in names if environ.get(name, "").strip()), None)
        found[provider] = Secret(value) if value else None
    return Keys(**found)


def redact(text: str, secrets: list[str]) -> str:
    """Text with every key replaced by ***, for anything that may be shown or stored."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text
