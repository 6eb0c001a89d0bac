"""`cinefile.toml`: the project's name, its default generation mode, models and budget, and
the remote store its assets live in."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

CONFIG_NAME = "cinefile.toml"
MODES = ("draft", "final")
# Where `[remote]` may point: the fsspec protocols cinefile knows the backend package of.
REMOTE_SCHEMES = ("s3", "gs", "gcs", "az", "abfs", "sftp", "file")
DEFAULT_WORKERS = 8
# Option names that hold a secret: those come from each backend's own chain (environment,
# profile, key file), never from a file that goes into git.
SECRET_NAME = re.compile(r"secret|password|passwd|passphrase|token|credential|signature|sas|(^|_)key$|_key_?id$",
                          re.IGNORECASE)


class ConfigError(ValueError):
    """cinefile.toml is unreadable or holds a wrong value."""


@dataclass(frozen=True)
class RemoteConfig:
    """`[remote]`: the store's address, how many transfers run at once, and the backend's
    non-secret options (`endpoint_url`, `region_name`, ...), passed to it as they are."""

    url: str
    workers: int = DEFAULT_WORKERS
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def scheme(self) -> str:
        return self.url.partition("://")[0]


@dataclass(frozen=True)
class Config:
    name: str
    mode: str = "draft"
    models: dict[str, Any] = field(default_factory=dict)
    budget: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
    remote: RemoteConfig | None = None


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
    for table in ("models", "budget", "remote"):
        if not isinstance(data.get(table, {}), dict):
            raise ConfigError(f"{CONFIG_NAME}: `{table}` must be a table: write [{table}] on its own line")
    remote = parse_remote(data["remote"]) if "remote" in data else None
    return Config(name=name, mode=mode, models=data.get("models", {}), budget=data.get("budget", {}), raw=data,
                  remote=remote)


def parse_remote(table: dict[str, Any]) -> RemoteConfig:
    """`[remote]`, checked: a known scheme, no password in the address, no secret among the options."""
    options = dict(table)
    url = options.pop("url", None)
    if not isinstance(url, str) or "://" not in url:
        raise ConfigError(f'{CONFIG_NAME}: [remote] needs `url`, the store\'s address, for example url = "s3://bucket/film"')
    check_remote_url(url)
    workers = options.pop("workers", DEFAULT_WORKERS)
    if isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= 64:
        raise ConfigError(f"{CONFIG_NAME}: [remote] `workers` must be a whole number from 1 to 64, not {workers!r}")
    if secrets := _secret_names(options):
        raise ConfigError(f"{CONFIG_NAME}: [remote] `{secrets[0]}` looks like a secret: remove it; the store's credentials "
                          "come from its usual place (environment variables, a profile), never from this file")
    return RemoteConfig(url.rstrip("/"), workers, options)


def check_remote_url(url: str) -> None:
    scheme, _, rest = url.partition("://")
    if ":" in rest.partition("/")[0].rpartition("@")[0]:
        raise ConfigError(f"{CONFIG_NAME}: [remote] url: a password in the address is refused: remove it; "
                          "use the store's usual credentials (an SSH key or agent for sftp://)")
    if scheme not in REMOTE_SCHEMES:
        raise ConfigError(f"{CONFIG_NAME}: [remote] url {url!r}: unknown kind of store `{scheme}://`; "
                          f"use one of {', '.join(s + '://' for s in REMOTE_SCHEMES)}")
    if scheme == "file" and not rest.startswith("/"):
        raise ConfigError(f"{CONFIG_NAME}: [remote] url {url!r}: a shared folder needs its absolute path, "
                          "as in file:///mnt/team/film-assets")
    if scheme != "file" and not rest.strip("/"):
        raise ConfigError(f"{CONFIG_NAME}: [remote] url {url!r}: name the bucket or host, as in {scheme}://name/folder")


def _secret_names(options: dict[str, Any], above: str = "") -> list[str]:
    """The option names (dotted, in nested tables too) that look like they hold a secret."""
    found = []
    for name, value in options.items():
        if SECRET_NAME.search(name):
            found.append(above + name)
        elif isinstance(value, dict):
            found += _secret_names(value, f"{above}{name}.")
    return found


def toml_value(value: str | list[str]) -> str:
    """A TOML basic string, or an array of them. JSON's string escapes are all valid TOML
    ones, and it escapes every control character TOML forbids."""
    return json.dumps(value, ensure_ascii=False)


def table_text(name: str, values: dict[str, str | list[str]]) -> str:
    """A TOML table of strings and arrays of strings, to append to cinefile.toml."""
    return f"[{name}]\n" + "".join(f"{key} = {toml_value(value)}\n" for key, value in values.items())


def remote_text(url: str) -> str:
    """The [remote] table for a store's address, to write into cinefile.toml."""
    return ("\n[remote]\n# Where the media in assets/ live for the team: `cinefile assets push` and `pull`.\n"
            f"url = {toml_value(url)}\n")


def config_text(name: str, mode: str = "draft", remote: str | None = None) -> str:
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
''' + (remote_text(remote) if remote else "")
