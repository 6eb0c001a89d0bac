"""A person's own text, which generation never replaces without being asked.

Generated text may replace a block's body only when the body is

- empty, or the template a new block starts with (`templates.py`: a heading and the
  type's description), or
- what generation last wrote there, unedited: text generation records the hash of the body it
  wrote as `generated.body`, and the body still hashes to it.

Any other body was written or edited by hand, and is kept unless the caller asks to replace it
(`--overwrite`). The hash is of the body as the content hash sees it (`normalize_body` after
`strip_asset_embeds`), so line endings, trailing spaces and the embed lines media generation
appends do not count as edits.
"""

from __future__ import annotations

import hashlib

from cinefile.format.catalog import TYPES
from cinefile.format.hashing import normalize_body, short_hash, strip_asset_embeds
from cinefile.format.parse import parse_text

OVERWRITE_HINT = ("to replace it, generate with --overwrite (in an editor: \"…, replacing your text\"); "
                  "the old text stays in history")


def body_hash(body: str) -> str:
    """The short hash `generated.body` records: of the body's meaning, not its bytes."""
    return short_hash(hashlib.sha256(_meaning(body).encode("utf-8")).hexdigest())


def _meaning(body: str) -> str:
    return normalize_body(strip_asset_embeds(body))


def is_template(type_name: str, body: str) -> bool:
    """Whether `body` is empty or still the template a new block of this type starts with
    (its heading, whatever the title became, then the type's description)."""
    lines = _meaning(body).split("\n")
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    rest = "\n".join(lines).strip()
    block_type = TYPES.get(type_name)
    return rest == "" or (block_type is not None and rest == block_type.description)


def own_text(path: str, text: str) -> str | None:
    """Whose the block's body is, when it is a person's: "its text was written by hand (never
    generated)" or "... edited by hand since it was generated"; None when generation may
    replace it (empty, the template, or what generation wrote, unedited)."""
    block = parse_text(path, text)
    if is_template(block.type, block.body):
        return None
    generated = block.frontmatter.get("generated")
    recorded = generated.get("body") if isinstance(generated, dict) else None
    if isinstance(recorded, str) and recorded == body_hash(block.body):
        return None
    return f"its text was {'edited by hand since it was generated' if recorded else 'written by hand (never generated)'}"


def kept_reason(path: str, text: str) -> str | None:
    """Why generated text must not replace this block's body without being asked, and how
    to ask, or None when it may: the one rule for the command line and the editor alike."""
    reason = own_text(path, text)
    return None if reason is None else f"kept: {reason}; {OVERWRITE_HINT}"
