"""Prompts: built from the block and from what it is made from, through a per-type template.

A template is text with `$variables` (Python's string.Template: `$name` or `${name}`, `$$` for
a dollar sign). The built-in ones are in TEMPLATES. A project overrides one with a file in its
`prompts/` folder: `prompts/<type>.md` for text (for example `prompts/scene.md`), and
`prompts/<type>.<kind>.md` for media, where kind is image, video, speech or music (for example
`prompts/shot.image.md`). VARIABLES lists what a template can use.

What a block is made from is followed transitively through parents and dependencies, so a shot
sees its scene's characters, location and style guide.
"""

from __future__ import annotations

import json
import re
import string
from dataclasses import dataclass
from pathlib import Path

from cinefile.daemon.index.db import Index
from cinefile.daemon.inside import NotRegularFile, read_regular_text
from cinefile.format.catalog import KNOWN_KEYS, TYPES
from cinefile.format.hashing import strip_asset_embeds

from .errors import GenerationError

PROMPTS_FOLDER = "prompts"
MAX_DEPTH = 4
MAX_EXCERPT = 1200
MAX_STORY_BLOCKS = 3
STORY_TYPES = ("scene", "beat", "act", "outline", "concept", "logline", "shot_breakdown", "cinematography")
DESIGN_GROUPS = {"style_guide": "style_guide", "character": "characters", "location": "locations", "prop": "props",
                 "costume": "costumes"}

VARIABLES: dict[str, str] = {
    "project": "the film's name, from cinefile.toml",
    "type": "the block's type, for example scene",
    "type_description": "what a block of that type holds",
    "id": "the block's id",
    "title": "the block's title",
    "body": "the block's current text (its notes), without embedded media",
    "fields": "its other frontmatter fields as `key: value` lines (size, angle, lens, ...)",
    "guidance": "cinefile's advice on how to write this type",
    "parent": "the parent block: title and text",
    "story": "the story blocks above it (its parent chain), nearest first",
    "style_guide": "the style guides it follows, directly or through its parents",
    "characters": "the characters in it, directly or through its parents",
    "locations": "the locations, likewise",
    "props": "the props, likewise",
    "costumes": "the costumes, likewise",
    "context": "all of parent, story and design above that are not empty, as labelled sections",
    "dialogue": "the dialogue in its text, as `NAME: line` (for speech)",
}

GUIDANCE: dict[str, str] = {
    "logline": "One or two sentences: who wants what, and what stands in the way.",
    "concept": "Premise, themes, tone and genre, in a few short paragraphs.",
    "outline": "The whole story from start to end as a numbered list of events.",
    "act": "What happens in this act and how it turns, in a few paragraphs.",
    "beat": "One event that changes something, in a short paragraph.",
    "scene": "Screenplay form: action lines, character names in capitals before their dialogue. "
             "No scene heading: it is written from the scene's fields.",
    "character": "Look, voice, wants and history, in short paragraphs.",
    "location": "Look, light and sound of the place.",
    "prop": "What it looks like and why it matters.",
    "costume": "What is worn, its state, and when.",
    "style_guide": "A list of rules: palette, texture, camera, references.",
    "shot_breakdown": "A numbered list of shots, each with framing and what we see.",
    "cinematography": "Camera, lens, light and movement choices, as a list.",
    "shot": "Framing, angle, movement, lens, duration and what we see, in two or three sentences.",
}

TEMPLATES: dict[str, str] = {
    "text": """You are writing one part of a film project, "$project": a $type ($type_description)

Title: $title
$fields

The notes so far:
$body

What it is made from; stay consistent with it:
$context

$guidance
Answer with the text of this $type only, in Markdown: no frontmatter, no title line, no comments.
""",
    "image": """Cinematic film still, 16:9, from "$project": $title.
$body
$fields
Style: $style_guide
Characters: $characters
Location: $locations
No text or captions in the image.
""",
    "video": """$title. $body
$fields
Style: $style_guide
Slow, steady camera; keep the start frame's look.
""",
    "speech": "$dialogue\n",
    "music": """Ambience and music for "$title" in "$project". $body
Mood and texture: $style_guide
""",
}

_CUE = re.compile(r"^[A-Z][A-Z .'\-]{1,40}(\s*\([A-Z.' ]+\))?$")


@dataclass
class PromptContext:
    variables: dict[str, str]
    references: list[str]  # titles of what the block is made from


def strip_media(body: str) -> str:
    return strip_asset_embeds(body).strip()


def _excerpt(row: dict) -> str:
    text = strip_media(row["content"] or "")
    if len(text) > MAX_EXCERPT:
        text = text[:MAX_EXCERPT].rsplit(" ", 1)[0] + " …"
    return f"{row['title']}: {text}" if text else row["title"]


def _refs(row: dict) -> list[str]:
    return list(dict.fromkeys(ref[0] for ref in json.loads(row["refs"] or "[]")))


def dialogue_of(body: str) -> str:
    """`NAME: line` for each line of dialogue in a screenplay-style text."""
    lines, speaker = [], None
    for raw in body.splitlines():
        line = raw.strip()
        if not line:
            speaker = None
        elif speaker is None and _CUE.match(line):
            speaker = re.sub(r"\s*\(.*\)$", "", line).title()
        elif speaker and not (line.startswith("(") and line.endswith(")")):
            lines.append(f"{speaker}: {line}")
    return "\n".join(lines)


def gather(index: Index, row: dict) -> tuple[list[dict], list[dict]]:
    """The story chain above a block (nearest first) and the design blocks it reaches."""
    story: list[dict] = []
    parent_key = row["parent_key"]
    seen_parents = {row["key"]}
    while parent_key and parent_key not in seen_parents and len(story) < MAX_STORY_BLOCKS:
        seen_parents.add(parent_key)
        parent = index.block(parent_key)
        if parent is None:
            break
        story.append(parent)
        parent_key = parent["parent_key"]
    design: list[dict] = []
    seen = {row["key"]}
    frontier = [row]
    for _ in range(MAX_DEPTH):
        following = []
        for current in frontier:
            for key in _refs(current):
                if key in seen:
                    continue
                seen.add(key)
                found = index.block(key)
                if found is None:
                    continue
                following.append(found)
                if found["type"] in DESIGN_GROUPS:
                    design.append(found)
        frontier = following
    return story, design


def build_context(index: Index, row: dict, project_name: str) -> PromptContext:
    story, design = gather(index, row)
    frontmatter = json.loads(row["frontmatter"] or "{}")
    fields = "\n".join(f"{k}: {v}" for k, v in frontmatter.items() if k not in KNOWN_KEYS and not isinstance(v, (dict, list)))
    groups = {name: [] for name in DESIGN_GROUPS.values()}
    for item in design:
        groups[DESIGN_GROUPS[item["type"]]].append(_excerpt(item))
    variables = {
        "project": project_name, "type": row["type"], "id": row["key"], "title": row["title"],
        "type_description": TYPES[row["type"]].description if row["type"] in TYPES else "",
        "body": strip_media(row["content"] or ""), "fields": fields, "guidance": GUIDANCE.get(row["type"], ""),
        "parent": _excerpt(story[0]) if story else "",
        "story": "\n\n".join(_excerpt(s) for s in story),
        **{name: "\n\n".join(items) for name, items in groups.items()},
        "dialogue": dialogue_of(row["content"] or ""),
    }
    sections = [("Story", variables["story"]), *((name.replace("_", " ").capitalize(), variables[name])
                                                 for name in DESIGN_GROUPS.values())]
    variables["context"] = "\n\n".join(f"## {label}\n{text}" for label, text in sections if text) or "(nothing yet)"
    # Characters first: the mock gives the first one the scene's line.
    design.sort(key=lambda d: d["type"] != "character")
    references = [d["title"] for d in design] + [s["title"] for s in story]
    return PromptContext(variables, list(dict.fromkeys(references)))


def template_for(root: Path, block_type: str, template_kind: str) -> tuple[str, str]:
    """(where it came from, template text): the project's override, else the built-in one."""
    name = f"{block_type}.md" if template_kind == "text" else f"{block_type}.{template_kind}.md"
    path = root / PROMPTS_FOLDER / name
    try:  # only a regular file inside the project: a link out of it is never read, nor sent
        return f"{PROMPTS_FOLDER}/{name}", read_regular_text(path, root)
    except FileNotFoundError:
        return f"built-in {template_kind} template", TEMPLATES[template_kind]
    except NotRegularFile as error:
        raise GenerationError(f"{PROMPTS_FOLDER}/{name}: {error.strerror}: not read; put the template itself "
                              f"in {PROMPTS_FOLDER}/") from None
    except (OSError, UnicodeDecodeError) as error:
        raise GenerationError(f"{PROMPTS_FOLDER}/{name}: cannot read it ({error}): check the file") from None


def render(template: str, variables: dict[str, str], source: str) -> str:
    try:
        text = string.Template(template).substitute(variables)
    except KeyError as error:
        raise GenerationError(f"{source}: unknown variable ${error.args[0]}: use one of "
                              f"{', '.join('$' + v for v in VARIABLES)} (write $$ for a dollar sign)") from None
    except ValueError as error:
        raise GenerationError(f"{source}: {error}: write $$ for a dollar sign") from None
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
