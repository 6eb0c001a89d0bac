"""The tools that read and change blocks, review them and export the film: each one is a
project-API call or two, its arguments in and its result's JSON out.

Every write goes through the guarded write (`api.apply`): refused when the file changed since
the text it was computed from, atomic, with the version it replaces kept in history. A block's
whole text is written only against the `file_hash` the caller read, and a body a person wrote
by hand is replaced only with `overwrite`.
"""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from mcp_types import ToolAnnotations
from pydantic import Field

from ..api import NoSuchBlock, ProjectAPI
from ..errors import UserError
from ..exports import FORMATS

READS = ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False)
CHANGES = ToolAnnotations(read_only_hint=False, destructive_hint=False, open_world_hint=False)
REPLACES = ToolAnnotations(read_only_hint=False, destructive_hint=True, open_world_hint=False)

BlockRef = Annotated[str, Field(min_length=1, max_length=300, description="a block id (`scene-1`) or its path "
                                                                           "(`story/scene-1.md`)")]
Filter = Annotated[str | None, Field(max_length=500)]
Formats = Annotated[list[str] | None, Field(max_length=20, description=", ".join(FORMATS) + ", or all (default: summary "
                                                                     "and json)")]


def block_json(api: ProjectAPI, ref: str) -> dict[str, Any]:
    """A block's card with its file as read now (`text`; None when it is not UTF-8 text):
    `file_hash` is what a write of it must name as `base_hash`."""
    try:
        current = api.read(ref)
    except NoSuchBlock:
        raise
    except UserError:
        return api.card(ref).to_json() | {"text": None}
    return api.card(current.path).to_json() | {"text": current.text}


def add_tools(server: MCPServer, api: ProjectAPI) -> None:
    @server.tool(annotations=READS)
    def list_blocks(type: Filter = None, phase: Filter = None, tag: Filter = None, state: Filter = None,
                    text: Annotated[str | None, Field(max_length=500, description="in the id, title or body, "
                                                                                    "ignoring case")] = None,
                    limit: Annotated[int, Field(ge=1, le=1000)] = 200) -> dict[str, Any]:
        """Search and list blocks, in story order (acts, beats, scenes; shots under their
        scene). Filters: type (scene, shot, character, ...), phase (story, design, shooting),
        tag, state (fresh, stale, unreviewed, broken), text."""
        blocks = api.blocks(type=type, phase=phase, tag=tag, state=state, text=text)
        return {"blocks": [b.to_json() for b in blocks[:limit]], "total": len(blocks)}

    @server.tool(annotations=READS)
    def read_block(block: BlockRef) -> dict[str, Any]:
        """One block: its fields, state and why, problems, links, assets, and its whole file
        (`text`) with the `file_hash` to pass to `write_block` as `base_hash`."""
        return block_json(api, block)

    @server.tool(annotations=CHANGES)
    def create_block(type: Annotated[str, Field(max_length=40, description="scene, shot, character, location, ...")],
                     id: Annotated[str | None, Field(max_length=200, description="default: from the title")] = None,
                     title: Annotated[str | None, Field(max_length=500)] = None,
                     parent: Annotated[str | None, Field(max_length=200, description="e.g. the scene of a shot")] = None,
                     ) -> dict[str, Any]:
        """Create a block from its type's template, under a parent of a type it allows."""
        change = api.new_block(type, id, title=title, parent=parent)
        api.apply(change)
        return block_json(api, change.path)

    @server.tool(annotations=REPLACES)
    def write_block(block: BlockRef, text: Annotated[str, Field(max_length=5 * 2**20, description="the whole file: "
                                                                "frontmatter and body")],
                    base_hash: Annotated[str, Field(min_length=1, max_length=200, description="the `file_hash` "
                                                    "read_block gave")],
                    overwrite: Annotated[bool, Field(description="replace a body a person wrote or edited by hand "
                                                               "(the old version stays in history)")] = False,
                    ) -> dict[str, Any]:
        """Replace a block's whole text, if its file is still the one you read: a write over
        a file that changed since is refused, with the text now on disk."""
        change = api.replace_text(block, text, base_hash)
        reason = None if overwrite else api.own_text_replaced(change.path, text)
        if reason is not None:
            raise UserError(f"{change.path}: {reason}: nothing was written; to replace it, write again with "
                            "overwrite=true (the old version stays in history)")
        api.apply(change)
        return block_json(api, change.path)

    @server.tool(annotations=CHANGES)
    def add_dependency(block: BlockRef, dependency: BlockRef,
                       relation: Annotated[str | None, Field(max_length=40, description="appears_in, set_in, wears, "
                                                             "styled_by, ...")] = None) -> dict[str, Any]:
        """Add a block to another's dependencies (what it is made from), in its file's style."""
        change = api.dependency_change(block, dependency, relation=relation)
        api.apply(change)
        return block_json(api, change.path)

    @server.tool(annotations=READS)
    def impact(block: BlockRef) -> dict[str, Any]:
        """Every block a change to this one would make stale, in story order."""
        return {"id": block, "stale_after_a_change": [b.to_json() for b in api.impact(block)]}

    @server.tool(annotations=CHANGES)
    def mark_fresh(blocks: Annotated[list[BlockRef], Field(min_length=1, max_length=1000)],
                   dry_run: bool = False) -> dict[str, Any]:
        """Record that blocks are up to date with what they are made from, as saved: all are
        written, or none. Says which stay stale, and why."""
        result = api.mark_fresh(blocks, dry_run=dry_run)
        return result.to_json() | {"notes": result.notes()}

    @server.tool(annotations=CHANGES)
    def approve(block: BlockRef,
                kind: Annotated[str | None, Field(max_length=10, description="image, video or audio")] = None,
                asset: Annotated[str | None, Field(max_length=64, description="the start of its sha256")] = None,
                ) -> dict[str, Any]:
        """Approve a generated still, video or audio of a block (the newest waiting, or the
        one named): one approved per kind; video starts from the approved still."""
        return api.approve([block], kind, asset)[0].to_json()

    @server.tool(annotations=CHANGES)
    def export(formats: Formats = None,
               scene_numbers: bool = False,
               slates: Annotated[bool, Field(description="burn shot numbers and scene headings into the "
                                                         "animatic")] = True,
               lock_scene_numbers: Annotated[bool, Field(description="write each scene's number into it first, "
                                                                     "so later scenes never renumber it")] = False,
               ) -> dict[str, Any]:
        """Write the film to exports/ in the formats asked for; a format that cannot be made
        (the animatic without ffmpeg) is skipped with its reason."""
        return api.export(formats, scene_numbers=scene_numbers, lock_scene_numbers=lock_scene_numbers,
                          slates=slates).to_json()
