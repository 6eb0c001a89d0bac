"""Putting results into block files: text into the body, media as links. Atomic, then synced.

Every write checks first that the file is as the index last saw it (an edit the index has not
seen is never overwritten), writes through `write_atomic`, and syncs the file, so that the
previous version goes to history.
"""

from __future__ import annotations

import json
import posixpath
import re

from cinefile.daemon.api.history import ensure_unchanged_on_disk
from cinefile.daemon.atomic import write_atomic
from cinefile.daemon.errors import UserError
from cinefile.daemon.index.db import Index
from cinefile.daemon.index.sync import sync
from cinefile.daemon.project import Project
from cinefile.format.edit import EditError, set_body, set_field
from cinefile.format.hashing import ASSET_EMBED_LINE

from .assets import StoredAsset

ROLE_OF_KIND = {"image": "still", "video": "video", "audio": "audio"}
_LABELS = {"still": "Still", "video": "Video", "audio": "Audio", "reference": "Reference"}
_BOUNDARY_LINE = re.compile(r"^-{3,}[ \t]*$", re.MULTILINE)
_FENCE = re.compile(r"\A```[a-zA-Z]*\n(.*)\n```\s*\Z", re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LEADING_FRONTMATTER = re.compile(r"\A-{3,}[ \t]*\n.*?\n-{3,}[ \t]*(\n|\Z)", re.DOTALL)


def clean_generated(text: str) -> str:
    """Generated text made safe as a body: it can never break the file it goes into.

    A model may wrap its answer in a code fence or add its own frontmatter; both go. A `---`
    line, which other Markdown tools may read as a frontmatter boundary, becomes `* * *`
    (the same thematic break)."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).lstrip("\ufeff").strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1).strip()
    text = _LEADING_FRONTMATTER.sub("", text, count=1).strip()
    text = _BOUNDARY_LINE.sub("* * *", text)
    return text + "\n"


def embed_line(block_path: str, asset_name: str, role: str, title: str) -> str:
    """A Markdown image (stills) or link (other media), relative to the block's file."""
    target = posixpath.relpath(f"assets/{asset_name}", posixpath.dirname(block_path) or ".")
    label = f"{_LABELS.get(role, role.title())}: {title}".replace("[", "(").replace("]", ")")
    return f"![{label}]({target})" if role == "still" else f"[{label}]({target})"


def _read(project: Project, row: dict) -> str:
    ensure_unchanged_on_disk(project, row)
    try:
        return (project.root / row["path"]).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"{row['path']}: cannot read it ({error})") from None


def _write(project: Project, index: Index, row: dict, text: str) -> None:
    write_atomic(project.root / row["path"], text)
    sync(project, index, scope=[row["path"]])


def _edit(row: dict, edit) -> str:
    try:
        return edit()
    except EditError as error:
        raise UserError(f"{row['path']}: {error}") from None


def write_text(project: Project, index: Index, row: dict, generated_text: str, generated: dict) -> None:
    """Fill the body with generated text (keeping media links) and record what it came from."""
    current = _read(project, row)
    earlier = json.loads(row["frontmatter"] or "{}").get("generated")
    if isinstance(earlier, dict):  # keys of the user's own under `generated` stay
        generated = {**earlier, **generated}
    text = _edit(row, lambda: text_with_generated(current, row["content"] or "", generated_text, generated))
    _write(project, index, row, text)


def text_with_generated(current: str, body: str, generated_text: str, generated: dict) -> str:
    """The block's text with `body` replaced by generated text (its media links kept) and
    `generated` recorded. Raises EditError when the frontmatter cannot be edited."""
    media = [m.group(0).strip() for m in ASSET_EMBED_LINE.finditer(body)]
    new_body = clean_generated(generated_text)
    if media:
        new_body += "\n" + "\n".join(media) + "\n"
    return set_field(set_body(current, new_body), "generated", generated)


def attach_asset(project: Project, index: Index, row: dict, asset: StoredAsset, role: str) -> None:
    """Link an asset: an entry in frontmatter `assets` and an embed at the end of the body."""
    current = _read(project, row)
    frontmatter = json.loads(row["frontmatter"] or "{}")
    text = _edit(row, lambda: text_with_asset(current, row["path"], row["title"], row["content"] or "",
                                              frontmatter.get("assets"), asset, role))
    _write(project, index, row, text)


def text_with_asset(current: str, path: str, title: str, body: str, assets, asset: StoredAsset, role: str) -> str:
    """The block's text with the asset linked: an entry in `assets` (the current entries are
    `assets`) and an embed at the end of `body`. Raises EditError as `text_with_generated`."""
    entries = [dict(e) for e in assets or [] if isinstance(e, dict)]
    if not any(e.get("sha256") == asset.sha256 for e in entries):
        entries.append({"sha256": asset.sha256, "role": role, "approved": False})
    line = embed_line(path, asset.name, role, title)
    if asset.name not in body:
        body = body.rstrip("\n") + ("\n\n" if body.strip() else "") + line + "\n"
    return set_body(set_field(current, "assets", entries), body)


def approve(project: Project, index: Index, key: str, sha_prefix: str | None = None) -> dict:
    """Approve one still of a block (the newest, unless a hash prefix picks one); the block's
    other stills are unapproved, so there is one start image for its video."""
    row = index.block(key)
    if row is None:
        raise UserError(f"no block `{key}`: check the id with `cinefile list`")
    entries = [dict(e) for e in json.loads(row["frontmatter"] or "{}").get("assets") or [] if isinstance(e, dict)]
    stills = [e for e in entries if e.get("role") == "still"]
    if not stills:
        raise UserError(f"`{key}` has no still to approve: generate one first with `cinefile generate {key} --kind image`")
    if sha_prefix:
        chosen = [e for e in stills if str(e.get("sha256", "")).startswith(sha_prefix)]
        if len(chosen) != 1:
            raise UserError(f"`{key}`: {'no still' if not chosen else 'more than one still'} starts with {sha_prefix}: "
                            "give more of its hash")
        pick = chosen[0]
    else:
        pick = stills[-1]
    current = _read(project, row)
    approved = with_still_approved(entries, pick["sha256"])
    _write(project, index, row, _edit(row, lambda: set_field(current, "assets", approved)))
    return pick


def with_still_approved(assets: list, sha256: str) -> list:
    """The assets with still `sha256` approved and the block's other stills not, so that its
    video has one start image. Pure: the CLI and the language server both apply it."""
    return [dict(a) | {"approved": a.get("sha256") == sha256} if isinstance(a, dict) and a.get("role") == "still" else a
            for a in assets]
