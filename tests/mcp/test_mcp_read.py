"""`cinefile mcp` offers the project's resources, tools and prompts, and reads the sample film
through them, over stdio with the SDK's own client."""

from __future__ import annotations

import json

import pytest
from mcp.shared.exceptions import MCPError
from mcp_session import data_of, error_of, sample_copy, session

RESOURCES = {"cinefile://project", "cinefile://story", "cinefile://stale", "cinefile://shots", "cinefile://ledger"}
TOOLS = {"list_blocks", "read_block", "create_block", "write_block", "add_dependency", "impact", "mark_fresh",
         "approve", "plan_generation", "generate", "export"}
PROMPTS = {"develop_scene": ["scene"], "break_into_shots": ["scene"], "check_continuity": ["character"]}


@pytest.fixture
def film(tmp_path):
    return sample_copy(tmp_path)


async def read(client, uri: str) -> str:
    return (await client.read_resource(uri)).contents[0].text


async def test_lists_resources_tools_and_prompts(film):
    async with session(film) as client:
        resources = (await client.list_resources()).resources
        templates = (await client.list_resource_templates()).resource_templates
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        prompts = (await client.list_prompts()).prompts
    assert {str(r.uri) for r in resources} == RESOURCES
    assert [t.uri_template for t in templates] == ["cinefile://blocks/{block_id}"]
    assert set(tools) == TOOLS
    assert all(tool.description for tool in tools.values())
    assert tools["read_block"].annotations.read_only_hint and not tools["write_block"].annotations.read_only_hint
    # The confirmation is asked for, never an argument the model fills in for the user.
    assert "confirmed" not in tools["generate"].input_schema["properties"]
    assert "confirm_cost" in tools["generate"].input_schema["properties"]
    assert {p.name: [a.name for a in p.arguments] for p in prompts} == PROMPTS


async def test_reads_the_sample_film(film):
    async with session(film) as client:
        project = await read(client, "cinefile://project")
        story = await read(client, "cinefile://story")
        scene = await read(client, "cinefile://blocks/scene-1")
        stale = await read(client, "cinefile://stale")
        shots = await read(client, "cinefile://shots")
        ledger = json.loads(await read(client, "cinefile://ledger"))
        listed = data_of(await client.call_tool("list_blocks", {"type": "scene"}))
        block = data_of(await client.call_tool("read_block", {"block": "shot-1a"}))
        impact = data_of(await client.call_tool("impact", {"block": "mara"}))
        with pytest.raises(MCPError, match=r"no block `scene-9` \(did you mean `scene-2`\?\)"):
            await read(client, "cinefile://blocks/scene-9")
    assert project.startswith("# Night Ferry\n") and "20 blocks · draft mode" in project
    assert "- Story: logline 1, concept 1, outline 1, act 1, beat 2, scene 2" in project
    order = [story.index(f"`{key}`") for key in ("logline", "act-1", "beat-1", "scene-1", "beat-2", "scene-2")]
    assert order == sorted(order) and "Rain sheets across the car deck" in story
    assert scene.startswith("# The Ramp (`scene-1`)") and "**stale**: mara-raincoat changed" in scene
    assert (film / "story/scene-1.md").read_text() in scene
    assert "- `shot-1b` (`shooting/shot-1b.md`): mara-raincoat changed" in stale
    assert shots.splitlines()[0].startswith("scene,shot,id,") and ",shot-1a," in shots
    assert ledger["summary"]["total"] == 0 and ledger["calls"] == [] and ledger["budget"]["limit_usd"] is None
    assert [b["id"] for b in listed["blocks"]] == ["scene-1", "scene-2"] and listed["total"] == 2
    assert block["text"] == (film / "shooting/shot-1a.md").read_text() and len(block["file_hash"]) == 64
    assert {"scene-1", "shot-1a"} <= {b["id"] for b in impact["stale_after_a_change"]}


async def test_prompts_pull_in_the_blocks_they_need(film):
    async with session(film) as client:
        develop = await client.get_prompt("develop_scene", {"scene": "scene-1"})
        shots = await client.get_prompt("break_into_shots", {"scene": "scene-1"})
        continuity = await client.get_prompt("check_continuity", {"character": "mara"})
        with pytest.raises(MCPError, match="develop_scene: `mara` is a character: give the id of a scene"):
            await client.get_prompt("develop_scene", {"scene": "mara"})

    def embedded(prompt) -> list[str]:
        return [str(m.content.resource.uri).rpartition("/")[2] for m in prompt.messages[1:]]

    assert develop.messages[0].content.text.startswith("Develop the scene `scene-1`")
    assert embedded(develop)[:3] == ["scene-1", "beat-1", "act-1"] and "mara" in embedded(develop)
    assert "# The Ramp (`scene-1`)" in develop.messages[1].content.resource.text
    assert "parent `scene-1-breakdown`" in shots.messages[0].content.text
    assert {"scene-1", "scene-1-breakdown", "shot-1a", "shot-1b"} <= set(embedded(shots))
    assert embedded(continuity)[0] == "mara" and {"mara-raincoat", "scene-1", "shot-1a"} <= set(embedded(continuity))


async def test_tool_errors_are_one_line(film):
    async with session(film) as client:
        missing = error_of(await client.call_tool("read_block", {"block": "nope"}))
        bad_argument = error_of(await client.call_tool("list_blocks", {"limit": "many"}))
        bad_filter = error_of(await client.call_tool("list_blocks", {"type": "scen"}))
        unknown = error_of(await client.call_tool("no_such_tool", {}))
        not_a_parent = error_of(await client.call_tool("create_block", {"type": "shot", "parent": "mara"}))
    assert missing == "read_block: no block `nope`: check the id with `cinefile list`"
    assert bad_argument.startswith("list_blocks: argument `limit`: Input should be a valid integer")
    assert "(did you mean `scene`?)" in bad_filter
    assert "no_such_tool" in unknown
    assert "`mara` is a character; a shot's parent must be" in not_a_parent
