"""The text of a new block of each type: frontmatter with the fields it needs, and a body
that says what to write. Used when an editor creates a block that is referenced but missing."""

from __future__ import annotations

import yaml

from .catalog import PHASE_FOLDERS, TYPES
from .fields import TYPE_FIELDS


def block_path(type_name: str, block_id: str) -> str:
    """Where a new block goes: its phase's folder, named after its id."""
    folder = PHASE_FOLDERS.get(TYPES[type_name].phase, "")
    return f"{folder}/{block_id}.md" if folder else f"{block_id}.md"


def block_template(type_name: str, block_id: str, title: str | None = None) -> str:
    block_type = TYPES[type_name]
    title = title or block_id.replace("-", " ").replace("_", " ").capitalize()
    fields = {"type": type_name, "title": title} | {name: "" for name in TYPE_FIELDS.get(type_name, {})}
    frontmatter = yaml.safe_dump(fields, sort_keys=False, allow_unicode=True, default_flow_style=False).replace(" ''", "")
    return f"---\n{frontmatter}---\n# {title}\n\n{block_type.description}\n"
