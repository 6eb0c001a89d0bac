"""Putting a result into a block's text: generated text into the body (its media links kept,
`generated` recorded), media as links. Pure: `result_change` turns a result and the text the
caller has into a `FileChange`; the project API writes it through its guarded write (the
command line), or the language server sends it to the editor as an edit (so undo works).
"""

from __future__ import annotations

import datetime
import posixpath
import re

from cinefile.daemon.api.core import FileChange
from cinefile.format.edit import EditError, set_body, set_field
from cinefile.format.hashing import ASSET_EMBED_LINE, SHORT_HASH_LENGTH
from cinefile.format.parse import parse_text

from .assets import StoredAsset
from .errors import GenerationError
from cinefile.format.own_text import body_hash, kept_reason

ROLE_OF_KIND = {"image": "still", "video": "video", "audio": "audio"}
_LABELS = {"still": "Still", "video": "Video", "audio": "Audio", "reference": "Reference"}
_BOUNDARY_LINE = re.compile(r"^-{3,}[ \t]*$", re.MULTILINE)
_FENCE = re.compile(r"\A```[a-zA-Z]*\n(.*)\n```\s*\Z", re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LEADING_FRONTMATTER = re.compile(r"\A-{3,}[ \t]*\n.*?\n-{3,}[ \t]*(\n|\Z)", re.DOTALL)


class TextKept(GenerationError):
    """Generated text would replace a person's own text, and no one asked for that."""


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
    """A Markdown image (stills) or link (other media), relative to the block's file. The
    label carries the start of the hash, as `cinefile show` prints it, so two stills of one
    block are told apart."""
    target = posixpath.relpath(f"assets/{asset_name}", posixpath.dirname(block_path) or ".")
    label = f"{_LABELS.get(role, role.title())} {asset_name[:SHORT_HASH_LENGTH]}: {title}".replace("[", "(").replace("]", ")")
    return f"![{label}]({target})" if role == "still" else f"[{label}]({target})"


def result_change(job, result, path: str, text: str, *, overwrite: bool = False) -> FileChange:
    """The change a job's result makes to a block whose text is `text` now: the one write-back
    for every front end. Text replaces the body unless the body is a person's own (TextKept,
    unless `overwrite`); media are linked. Raises GenerationError when the file cannot be
    edited (its frontmatter is broken, say)."""
    if job.kind == "text" and not overwrite:
        reason = kept_reason(path, text)
        if reason is not None:
            raise TextKept(f"{reason}; the result is cached, so that costs nothing")
    try:
        if job.kind == "text":
            new = _with_text(job, path, text, result.text or "")
        else:
            new = text
            for asset in result.assets:
                new = text_with_asset(new, path, asset, job.role or ROLE_OF_KIND.get(job.kind, "reference"))
    except EditError as error:
        raise GenerationError(f"{path}: {error}") from None
    return FileChange(path, text, new, how="generate")


def _with_text(job, path: str, current: str, generated_text: str) -> str:
    block = parse_text(path, current)
    media = [m.group(0).strip() for m in ASSET_EMBED_LINE.finditer(block.body)]
    new_body = clean_generated(generated_text)
    if media:
        new_body += "\n" + "\n".join(media) + "\n"
    earlier = block.frontmatter.get("generated")
    at = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    # Keys of the user's own under `generated` stay.
    generated = (earlier if isinstance(earlier, dict) else {}) | {
        "from": job.record, "model": job.model, "mode": job.mode, "at": at, "body": body_hash(new_body)}
    return set_field(set_body(current, new_body), "generated", generated)


def text_with_asset(current: str, path: str, asset: StoredAsset, role: str) -> str:
    """The text with the asset linked: an entry in `assets` and an embed at the end of the body."""
    block = parse_text(path, current)
    assets = block.frontmatter.get("assets")
    entries = [dict(e) for e in assets or [] if isinstance(e, dict)] if isinstance(assets, list) else []
    if not any(e.get("sha256") == asset.sha256 for e in entries):
        entries.append({"sha256": asset.sha256, "role": role, "approved": False})
    body = block.body
    if asset.name not in body:
        body = body.rstrip("\n") + ("\n\n" if body.strip() else "") + embed_line(path, asset.name, role, block.title) + "\n"
    return set_body(set_field(current, "assets", entries), body)
