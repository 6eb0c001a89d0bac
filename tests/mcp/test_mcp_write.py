"""Writes through `cinefile mcp` go through the guarded write: against the hash that was
read (a stale write is refused with the file as it is now), keeping history, and never over
a person's own text without `overwrite`."""

from __future__ import annotations

from cinefile.daemon.api import ProjectAPI
from mcp_session import data_of, error_of, sample_copy, session


async def test_writes_a_block_and_refuses_a_stale_write(tmp_path):
    film = sample_copy(tmp_path)
    async with session(film) as client:
        read = data_of(await client.call_tool("read_block", {"block": "scene-2"}))
        edited = read["text"].replace("title: The Wheelhouse", "title: The Squall", 1)
        own_text = edited + "\nA new line of action.\n"
        kept = error_of(await client.call_tool("write_block", {"block": "scene-2", "text": own_text,
                                                               "base_hash": read["file_hash"]}))
        title_only = data_of(await client.call_tool("write_block", {"block": "scene-2", "text": edited,
                                                                    "base_hash": read["file_hash"]}))
        stale = await client.call_tool("write_block", {"block": "scene-2", "text": own_text,
                                                       "base_hash": read["file_hash"]})
        replaced = data_of(await client.call_tool("write_block", {"block": "scene-2", "text": own_text,
                                                                  "base_hash": title_only["file_hash"],
                                                                  "overwrite": True}))
        created = data_of(await client.call_tool("create_block", {"type": "shot", "id": "shot-2b",
                                                                  "title": "The wave", "parent": "scene-2"}))
        filled = data_of(await client.call_tool("write_block", {"block": "shot-2b", "base_hash": created["file_hash"],
                                                                "text": created["text"] + "\nWater over the rail.\n"}))
        linked = data_of(await client.call_tool("add_dependency", {"block": "shot-2b", "dependency": "mara"}))
    assert kept == ("write_block: story/scene-2.md: its text was written by hand (never generated): nothing was "
                    "written; to replace it, write again with overwrite=true (the old version stays in history)")
    assert title_only["title"] == "The Squall"  # a frontmatter edit leaves the person's body alone
    assert stale.is_error and stale.content[0].text.startswith(
        "write_block: story/scene-2.md: changed on disk since it was read: nothing was written")
    assert stale.content[1].text == edited  # the file as it is now, to compare and choose
    assert stale.structured_content["current_hash"] == title_only["file_hash"]
    assert replaced["text"] == own_text == (film / "story/scene-2.md").read_text()
    assert created["path"] == "shooting/shot-2b.md" and created["parent"] == "scene-2"
    assert filled["body"].rstrip().endswith("Water over the rail.")
    assert [d["id"] for d in linked["dependencies"]] == ["mara"]
    with ProjectAPI.open(film) as api:
        history = api.history("scene-2")
    assert [r.how for r in history] == ["", "review", "edit", "edit"]  # the sample's two, then the two writes
    assert history[-1].previous == edited


async def test_reviews_and_exports(tmp_path):
    film = sample_copy(tmp_path)
    async with session(film) as client:
        fresh = data_of(await client.call_tool("mark_fresh", {"blocks": ["scene-1"]}))
        stale = data_of(await client.call_tool("list_blocks", {"state": "stale"}))
        exported = data_of(await client.call_tool("export", {"formats": ["fountain", "shotlist"]}))
        no_still = error_of(await client.call_tool("approve", {"block": "shot-1a"}))
    assert fresh["fresh"] == ["scene-1"] and fresh["written"] == ["story/scene-1.md"]
    assert "scene-1" not in [b["id"] for b in stale["blocks"]]
    assert exported["written"] == ["exports/screenplay.fountain", "exports/shotlist.csv"]
    assert (film / "exports/screenplay.fountain").is_file()
    assert no_still.startswith("approve: `shot-1a` has no still to approve: generate one first")
