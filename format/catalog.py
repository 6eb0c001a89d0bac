"""The content types of a film project, their phases, and the rules between them.

This is the one table every other part of cinefile reads: the checks, the index, the
language server's completions and hovers, and the generators' prompt templates.
"""

from __future__ import annotations

from dataclasses import dataclass

PHASES: tuple[str, ...] = ("Story", "Design", "Shooting", "Generate")


@dataclass(frozen=True, slots=True)
class BlockType:
    name: str
    phase: str
    description: str
    # Types a block of this type may name as its `parent`; empty means it has none.
    parents: tuple[str, ...] = ()


TYPES: dict[str, BlockType] = {
    t.name: t
    for t in (
        BlockType("logline", "Story", "The film in one or two sentences: who wants what, and what stands in the way."),
        BlockType("concept", "Story", "The idea behind the film: premise, themes, tone and genre.", ("logline",)),
        BlockType("outline", "Story", "The whole story from start to end, in prose or a numbered list.", ("concept",)),
        BlockType("act", "Story", "One act of the story's structure, holding its beats.", ("outline",)),
        BlockType("beat", "Story", "One turn of the story inside an act: an event that changes something.", ("act", "outline", "beat")),
        BlockType("scene", "Story", "One continuous scene: where and when, action and dialogue.", ("beat", "act")),
        BlockType("character", "Design", "A person in the film: look, voice, wants and history."),
        BlockType("location", "Design", "A place where scenes happen: look, light and sound.", ("location",)),
        BlockType("prop", "Design", "An object that matters on screen.", ("character", "location")),
        BlockType("costume", "Design", "What a character wears, and when.", ("character",)),
        BlockType("style_guide", "Design", "The film's visual language: palette, texture, references, rules."),
        BlockType("shot_breakdown", "Shooting", "A scene broken down into the shots that tell it.", ("scene",)),
        BlockType("cinematography", "Shooting", "Camera, lens, light and movement choices for a scene.", ("scene", "shot_breakdown")),
        BlockType("shot", "Shooting", "One shot: framing, angle, movement, lens, duration and what we see.", ("scene", "shot_breakdown")),
    )
}

TYPE_NAMES: tuple[str, ...] = tuple(TYPES)

# The folder `cinefile init` makes for each phase that holds blocks.
PHASE_FOLDERS: dict[str, str] = {"Story": "story", "Design": "design", "Shooting": "shooting"}

# Frontmatter keys cinefile itself reads; any other key is the user's and is kept untouched.
KNOWN_KEYS: dict[str, str] = {
    "type": "The block's content type (required).",
    "id": "Unique id in the project; defaults to the file name.",
    "title": "Display title; defaults to the first heading or the file name.",
    "tags": "A list of free-form tags.",
    "parent": "The id of the block this one belongs to (act > beat > scene > shot).",
    "dependencies": "Ids this block is made from, or {id, type} mappings for a typed relation.",
    "generated": "What the block was generated or reviewed from; written by cinefile.",
    "assets": "Images, video and audio linked to the block: {sha256, role, approved}.",
    "mode": "draft or final: overrides the project's generation mode for this block.",
}

# Keys that record bookkeeping rather than what a dependent is made from, and why: changing
# them changes no content hash, so no dependent goes stale. Every other key is content.
BOOKKEEPING_KEYS: dict[str, str] = {
    "id": "dependents name it; a new id shows as a reference to fix, not as a change",
    "tags": "for finding and sorting; no prompt and no export reads them",
    "generated": "cinefile's record of what the block was made from; marking it fresh changes nothing",
    "mode": "how this block's own generation runs, not what it says",
    "assets": "linked media; only an approved still of a design block counts (see DESIGN_LOOK_ROLE)",
    "order": "its place among its siblings; reordering scenes changes no scene",
    "scene_number": "a locked number is a label for the screenplay, not content",
    "shot_number": "likewise, a label for the shot list",
    "imported": "which screenplay the block came from and the hash of its text then: a re-import's record",
}

# The asset role that is a design block's look: approving a new one changes what dependents
# are made from. Approving video, audio or references, or a still of a non-design block, does not.
DESIGN_LOOK_ROLE = "still"

ASSET_ROLES: dict[str, str] = {
    "still": "A still image: the shot's frame, or a design's look.",
    "video": "A video clip made from an approved still or a prompt.",
    "audio": "Dialogue, music or ambience.",
    "reference": "Reference material supplied by a person.",
}

# Common relation types for `{id, type}` dependency entries; others are allowed.
RELATION_TYPES: dict[str, str] = {
    "appears_in": "A character or prop that appears in this block.",
    "set_in": "The location this block takes place in.",
    "wears": "A costume worn in this block.",
    "styled_by": "The style guide this block follows.",
    "follows": "A story block this one follows from.",
}

MAX_FILE_BYTES = 5 * 1024 * 1024


def phase_of(type_name: str) -> str | None:
    block_type = TYPES.get(type_name)
    return block_type.phase if block_type else None


def phase_rank(phase: str) -> int:
    """Where a phase comes in the work, for sorting; unknown phases last."""
    return PHASES.index(phase) if phase in PHASES else len(PHASES)


def type_rank(type_name: str) -> int:
    """Where a type comes in the catalogue (logline first, shot last), for sorting."""
    return TYPE_NAMES.index(type_name) if type_name in TYPE_NAMES else len(TYPE_NAMES)


def allowed_parents(type_name: str) -> tuple[str, ...]:
    block_type = TYPES.get(type_name)
    return block_type.parents if block_type else ()
