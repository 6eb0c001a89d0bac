"""Prompt templates for the work a film takes, each pulling the blocks it needs in as context
(embedded `cinefile://blocks/{id}` resources, as a client would read them):

- develop a scene from its beat: the scene, the beat and act above it, what it depends on;
- break a scene into shots: the scene, what it depends on, its breakdown, camera and shots;
- check a character's continuity: the character, what belongs to it, everywhere it appears.
"""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import MCPServer, UserMessage
from mcp_types import EmbeddedResource, TextResourceContents
from pydantic import Field

from ..api import BlockCard, ProjectAPI
from ..errors import UserError
from .markdown import block_uri
from .resources import MARKDOWN, block_markdown

BlockId = Annotated[str, Field(min_length=1, max_length=200)]
MAX_BLOCKS = 60  # a prompt's context stays readable; the rest is one resource read away

DEVELOP = """\
Develop the scene `{id}` ("{title}") from its beat. The blocks below are the scene as it is now,
the beat and act it belongs to, and what it is made from (characters, costumes, locations, the
style guide). Write the scene's body: where and when, action and dialogue, in screenplay style,
true to the beat and to the characters as they are described. Keep the frontmatter as it is.
Then save it: `read_block` gives the `file_hash` to pass to `write_block` as `base_hash`. If its
body was written by hand, show the person your version and ask before writing with `overwrite`."""

SHOTS = """\
Break the scene `{id}` ("{title}") into shots. The blocks below are the scene, what it is made
from (characters, locations, props, the style guide) and the breakdown, camera notes and shots
it has already. Propose the shots that tell the scene, in order: for each, its size, angle,
movement, lens, duration in seconds and what we see. Create each with `create_block`
(type `shot`, parent `{parent}`), then write its fields and body with `read_block` and
`write_block`, and add the characters, location and props it shows with `add_dependency`.
Keep the shots that are there unless the person agrees to change them."""

CONTINUITY = """\
Check the continuity of the character `{id}` ("{title}"). The blocks below are the character,
what belongs to it (costumes, props), and every block it appears in, in story order. Compare
them: name, age, look, costume, props, voice, what they know and want, scene to scene and shot to
shot. List each inconsistency with the ids of the blocks involved and a short quote of each, and
propose a fix. Change nothing without the person's go-ahead."""


def add_prompts(server: MCPServer, api: ProjectAPI) -> None:
    def messages(instructions: str, ids: list[str]) -> list[UserMessage]:
        wanted = list(dict.fromkeys(ids))[:MAX_BLOCKS]
        return [UserMessage(instructions)] + [UserMessage(_embedded(api, block_id)) for block_id in wanted]

    @server.prompt(title="Develop a scene from its beat")
    def develop_scene(scene: BlockId) -> list[UserMessage]:
        """Write a scene's action and dialogue from its beat, its characters and its places."""
        card = _card_of_type(api, scene, "scene")
        ids = [card.id, *_ancestors(api, card), *(d["id"] for d in card.dependencies)]
        return messages(DEVELOP.format(id=card.id, title=card.title), ids)

    @server.prompt(title="Break a scene into shots")
    def break_into_shots(scene: BlockId) -> list[UserMessage]:
        """Propose the shots that tell a scene, and make them as shot blocks."""
        card = _card_of_type(api, scene, "scene")
        children = [d["id"] for d in card.dependents if d["kind"] == "child"]
        breakdown = next((c for c in children if api.card(c).type == "shot_breakdown"), card.id)
        shots = [d["id"] for child in children for d in api.card(child).dependents if d["kind"] == "child"]
        ids = [card.id, *(d["id"] for d in card.dependencies), *children, *shots]
        return messages(SHOTS.format(id=card.id, title=card.title, parent=breakdown), ids)

    @server.prompt(title="Check a character's continuity")
    def check_continuity(character: BlockId) -> list[UserMessage]:
        """Compare a character across every scene and shot it appears in."""
        card = _card_of_type(api, character, "character")
        appears = {d["id"] for d in card.dependents}
        in_order = [b.id for b in api.blocks() if b.id in appears]  # story order
        return messages(CONTINUITY.format(id=card.id, title=card.title), [card.id, *in_order])


def _card_of_type(api: ProjectAPI, ref: str, type_name: str) -> BlockCard:
    card = api.card(ref)
    if card.type != type_name:
        raise UserError(f"`{card.id}` is a {card.type or 'block with no type'}: give the id of a {type_name}")
    return card


def _ancestors(api: ProjectAPI, card: BlockCard) -> list[str]:
    """The parents above a block, nearest first (a scene's beat, then its act, ...)."""
    found, parent = [], card.parent
    while parent and parent not in found and len(found) < MAX_BLOCKS:
        found.append(parent)
        try:
            parent = api.card(parent).parent
        except UserError:  # a parent named but missing: its problem is on the card already
            break
    return found


def _embedded(api: ProjectAPI, block_id: str) -> EmbeddedResource:
    try:
        text = block_markdown(api, block_id)
    except UserError as error:  # a dependency named but missing: say so where it would be
        text = f"`{block_id}`: {error}\n"
    return EmbeddedResource(type="resource", resource=TextResourceContents(uri=block_uri(block_id), text=text,
                                                                           mime_type=MARKDOWN))
