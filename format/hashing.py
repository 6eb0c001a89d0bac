"""Content hashes: what a block means, not how its file happens to be typed."""

from __future__ import annotations

import hashlib
import json
import re
from json.encoder import encode_basestring_ascii
from typing import Any

from .catalog import BOOKKEEPING_KEYS, DESIGN_LOOK_ROLE, phase_of

SHORT_HASH_LENGTH = 12
# Built once: json.dumps with any non-default option builds a new encoder on every call,
# which was a tenth of a cold sync (profiled). Same options, same output.
_DEPENDENCY_JSON = json.JSONEncoder(sort_keys=True, default=str).encode
_CANONICAL_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode
# A line that only embeds or links a generated asset, `![Still 6099a1b2c3d4: ...](../assets/<sha256>.png)`: the
# body's view of frontmatter `assets`, which is bookkeeping (but for a design block's approved still).
ASSET_EMBED_LINE = re.compile(r"^[ \t]*!?\[[^\]\n]*\]\([^)\n]*assets/[0-9a-f]{64}\.\w+\)[ \t]*$", re.MULTILINE)


def strip_asset_embeds(body: str) -> str:
    return ASSET_EMBED_LINE.sub("", body)


def normalize_body(body: str) -> str:
    """CRLF, trailing spaces and blank lines at either end carry no meaning."""
    lines = [line.rstrip() for line in body.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip("\n")


def _dependency_json(dependency: Any) -> str:
    # For a string, what the encoder itself calls (most dependencies are plain ids): same text.
    return encode_basestring_ascii(dependency) if type(dependency) is str else _DEPENDENCY_JSON(dependency)


def _meaningful_fields(frontmatter: dict[str, Any]) -> dict[str, Any]:
    fields = {key: value for key, value in frontmatter.items() if key not in BOOKKEEPING_KEYS}
    deps = fields.get("dependencies")
    if isinstance(deps, list):
        # Order of dependencies carries no meaning either.
        fields["dependencies"] = sorted(_dependency_json(d) for d in deps)
    looks = _approved_looks(frontmatter)
    if looks:
        fields["approved_assets"] = looks  # the key hashes had before: a design block's hash stays the same
    return fields


def _approved_looks(frontmatter: dict[str, Any]) -> list[str]:
    """The approved stills of a design block: a new look of a character should reach the shots
    made from it. Other approvals (a scene's audio, a shot's video) are bookkeeping."""
    block_type, assets = frontmatter.get("type"), frontmatter.get("assets")
    if not isinstance(block_type, str) or phase_of(block_type) != "Design" or not isinstance(assets, list):
        return []
    return sorted(str(a.get("sha256")) for a in assets
                  if isinstance(a, dict) and a.get("approved") and a.get("role") == DESIGN_LOOK_ROLE)


def content_hash(frontmatter: dict[str, Any], body: str) -> str:
    canonical = _CANONICAL_JSON([_meaningful_fields(frontmatter), normalize_body(strip_asset_embeds(body))])
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def short_hash(full_hash: str) -> str:
    return full_hash[:SHORT_HASH_LENGTH]


def bytes_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
