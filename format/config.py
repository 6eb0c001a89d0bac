"""`cinefile.toml`: the project's name, its default generation mode, models and budget."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from typing import Any

CONFIG_NAME = "cinefile.toml"
MODES = ("draft", "final")


class ConfigError(ValueError):
    """cinefile.toml is unreadable or holds a wrong value."""


@dataclass(frozen=True)
class Config:
    name: str
    mode: str = "draft"
    models: dict[str, Any] = field(default_factory=dict)
    budget: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)


def parse_config(text: str) -> Config:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{CONFIG_NAME}: {error}: fix the TOML syntax") from None
    name = data.get("name", "Untitled film")
    if not isinstance(name, str):
        raise ConfigError(f'{CONFIG_NAME}: `name` must be text, for example name = "Night Ferry"')
    mode = data.get("mode", "draft")
    if mode not in MODES:
        raise ConfigError(f'{CONFIG_NAME}: `mode` must be "draft" or "final", not {mode!r}')
    for table in ("models", "budget"):
        if not isinstance(data.get(table, {}), dict):
            raise ConfigError(f"{CONFIG_NAME}: `{table}` must be a table: write [{table}] on its own line")
    return Config(name=name, mode=mode, models=data.get("models", {}), budget=data.get("budget", {}), raw=data)


def toml_value(value: str | list[str]) -> str:
    """A TOML basic string, or an array of them. JSON's string escapes are all valid TOML
    ones, and it escapes every control character TOML forbids."""
    return json.dumps(value, ensure_ascii=False)


def table_text(name: str, values: dict[str, str | list[str]]) -> str:
    """A TOML table of strings and arrays of strings, to append to cinefile.toml."""
    return f"[{name}]\n" + "".join(f"{key} = {toml_value(value)}\n" for key, value in values.items())


def config_text(name: str, mode: str = "draft") -> str:
    """The cinefile.toml that `cinefile init` writes."""
    return f'''# The cinefile project file. Its folder is the project root.
name = {toml_value(name)}
# Generation mode: "draft" uses cheap models to iterate, "final" the best ones.
mode = "{mode}"

[models]
# Models for final mode; draft models are picked from the cheapest available.
# text = "anthropic/claude-sonnet-4.5"
# image = "black-forest-labs/flux-1.1-pro"

[budget]
# Stop any generation that would take total spend over this many US dollars.
# limit_usd = 10.0
'''
