"""The project API's blocks: lists in story order, cards, new blocks, the guarded write,
rename and impact; each through the API and through the command line."""

from __future__ import annotations

import json
import threading

import pytest
from cinefile.daemon.api import FileChange, ProjectAPI, WriteConflict
from cinefile.daemon.errors import UserError

from conftest import block_text, write


@pytest.fixture
def api(sample):
    with ProjectAPI(sample) as opened:
        opened.sync()
        yield opened


def ids(blocks):
    return [b.id for b in blocks]


def test_blocks_come_in_story_order_with_shots_under_their_scene(api):
    order = ids(api.blocks())
    assert order.index("act-1") < order.index("beat-1") < order.index("scene-1") < order.index("scene-1-breakdown") \
        < order.index("shot-1a") < order.index("shot-1b") < order.index("beat-2") < order.index("scene-2") < order.index("shot-2a")
    depth = {b.id: b.depth for b in api.blocks()}
    assert depth["shot-1a"] == depth["scene-1-breakdown"] + 1 == depth["scene-1"] + 2


def test_an_order_field_orders_siblings_before_their_paths(api, sample):
    text = (sample.root / "story/scene-2.md").read_text()
    write(sample.root, "story/scene-2.md", text.replace("type: scene\n", "type: scene\norder: 1\n", 1))
    api.sync()
    order = ids(api.blocks(type="scene"))
    assert order == ["scene-2", "scene-1"] or order.index("scene-2") < order.index("scene-1")


def test_filters_combine(api):
    assert set(ids(api.blocks(type="shot", state="stale"))) == {"shot-1a", "shot-1b"}
    assert set(ids(api.blocks(phase="design", tag="lead"))) == {"mara", "captain-ilse"}
    assert not api.blocks(phase="story", tag="lead")
    assert "scene-1" in ids(api.blocks(text="RAMP")) and "scene-2" not in ids(api.blocks(text="ramp"))


def test_unknown_filters_suggest_the_closest(api):
    with pytest.raises(UserError, match=r"--type scen: unknown \(did you mean `scene`\?\)"):
        api.blocks(type="scen")
    with pytest.raises(UserError, match=r"--state stael: unknown \(did you mean `stale`\?\)"):
        api.blocks(state="stael")


def test_a_card_lists_assets_and_a_path_reaches_a_duplicate(api, sample):
    write(sample.root, "design/twin/mara.md", block_text("character", "Twin.\n", id="mara"))
    api.sync()
    assert api.card("mara").path == "design/mara.md"
    assert api.card("design/twin/mara.md").body == "Twin.\n"
    with pytest.raises(UserError, match="did you mean `mara`"):
        api.card("marra")


def test_a_new_block_comes_from_its_template_under_an_allowed_parent(api, sample):
    change = api.new_block("scene", "scene-3", title="The Wheelhouse", parent="beat-2")
    assert change.old_text is None and change.path == "story/scene-3.md"
    api.apply(change)
    card = api.card("scene-3")
    assert card.parent == "beat-2" and card.title == "The Wheelhouse"
    with pytest.raises(UserError, match="a scene's parent must be: beat, act"):
        api.new_block("scene", "scene-4", parent="mara")
    with pytest.raises(UserError, match="already the id of story/scene-3.md"):
        api.new_block("scene", "scene-3")


def test_an_id_made_from_a_title_is_bounded_and_readable_in_any_script(api, sample):
    long_title = "The night the harbour lights went out over the whole of the northern coast at last"
    change = api.new_block("scene", title=long_title)
    assert change.path == "story/the-night-the-harbour-lights-went-out-over-the-whole-of-the.md"  # cut after a word
    api.apply(change)  # a file name the file system takes
    assert api.new_block("character", title="Ярослав").path == "design/yaroslav.md"


def test_a_write_is_refused_when_the_file_changed_since_it_was_read(api, sample):
    read = api.read("scene-2")
    change = api.replace_text("scene-2", read.text + "\nMine.\n", read.file_hash)
    write(sample.root, "story/scene-2.md", read.text + "\nSomeone else's.\n")  # another editor saves first
    with pytest.raises(WriteConflict) as refused:
        api.apply(change)
    assert "Someone else's" in refused.value.current_text
    assert "Someone else's" in (sample.root / "story/scene-2.md").read_text()  # nothing lost
    with pytest.raises(WriteConflict):
        api.replace_text("scene-2", "x", read.file_hash)  # a stale base hash is refused at once too


def test_the_replaced_version_goes_to_history_even_when_the_index_had_not_seen_it(api, sample):
    read = api.read("scene-2")
    write(sample.root, "story/scene-2.md", read.text + "\nUnsynced edit.\n")
    fresh = api.read("scene-2")
    api.apply(api.replace_text("scene-2", fresh.text + "\nMine.\n", fresh.file_hash))
    texts = [revision.text or "" for revision in api.history("scene-2")]
    assert any("Unsynced edit." in text and "Mine." not in text for text in texts)


def test_two_writers_from_one_read_one_wins_and_nothing_is_lost(api, sample):
    read = api.read("scene-2")
    outcomes = []

    def save(line: str) -> None:
        try:
            api.apply(FileChange(read.path, read.text, read.text + line))
            outcomes.append("written")
        except WriteConflict:
            outcomes.append("refused")

    threads = [threading.Thread(target=save, args=(f"\nWriter {n}.\n",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused"] * 3 + ["written"]


def test_rename_changes_every_reference_and_moves_the_file(api, sample, cli):
    result = cli("rename", "mara", "mara-voss", cwd=sample.root)
    assert result.exit_code == 0, result.output
    assert "moved design/mara.md -> design/mara-voss.md" in result.output
    assert not (sample.root / "design/mara.md").exists()
    scene = (sample.root / "story/scene-1.md").read_text()
    assert "mara-voss" in scene and "id: mara," not in scene
    api.sync()
    assert api.card("mara-voss").dependents and not api.problems()
    assert cli("rename", "mara-voss", "ferry-deck", cwd=sample.root).exit_code == 2


def test_impact_lists_what_would_go_stale(api, cli, sample):
    assert set(ids(api.impact("mara-raincoat"))) == {"scene-1", "scene-1-breakdown", "scene-1-camera", "shot-1a", "shot-1b"}
    result = cli("impact", "mara-raincoat", "--json", cwd=sample.root)
    assert {b["id"] for b in json.loads(result.output)} == set(ids(api.impact("mara-raincoat")))


def test_the_command_line_lists_shows_and_creates(cli, sample):
    listed = cli("list", "--type", "shot", "--state", "stale", "--json", cwd=sample.root)
    assert {b["id"] for b in json.loads(listed.output)} == {"shot-1a", "shot-1b"}
    tree = cli("list", "--tree", cwd=sample.root).output
    assert "\n      act-1 " in tree and "\n            scene-1-breakdown " in tree
    created = cli("new", "shot", "shot-2b", "--parent", "scene-2", cwd=sample.root)
    assert created.exit_code == 0 and "created shooting/shot-2b.md" in created.output
    refused = cli("new", "shot", "shot-2c", "--parent", "mara", cwd=sample.root)
    assert refused.exit_code == 2 and "a shot's parent must be: scene, shot_breakdown" in refused.output
    missing = cli("show", "scene-l", cwd=sample.root)
    assert missing.exit_code == 2 and "did you mean" in missing.output


def test_a_rename_makes_nothing_stale(api):
    """The dependency lists that name the id change, so their blocks' hashes do; the records
    of what was made from them follow, since nothing they say changed."""
    before = {b.id: b.state for b in api.blocks()}
    api.apply(api.rename("captain-ilse", "ilse"))
    after = {b.id: b.state for b in api.blocks()}
    assert after.pop("ilse") == before.pop("captain-ilse") and after == before


def test_a_rename_leaves_a_stale_record_stale(api, sample):
    """scene-1 was stale from its costume before; renaming the costume does not review it."""
    api.apply(api.rename("mara-raincoat", "oilskin"))
    assert api.card("scene-1").state == "stale"


@pytest.mark.parametrize("listed, expected", [
    ("dependencies: [mara]\n", "dependencies: [mara, {id: wheelhouse, type: set_in}]\n"),
    ("dependencies:\n  - mara\n", "dependencies:\n  - mara\n  - {id: wheelhouse, type: set_in}\n"),
    ("", "dependencies:\n- id: wheelhouse\n  type: set_in\n"),
])
def test_a_dependency_is_added_in_the_style_of_the_list(api, sample, listed, expected):
    write(sample.root, "shooting/shot-9.md", f"---\ntype: shot\nparent: scene-2\n{listed}---\nThe door.\n")
    api.sync()
    api.apply(api.dependency_change("shot-9", "wheelhouse", relation="set_in"))
    assert (sample.root / "shooting/shot-9.md").read_text() == f"---\ntype: shot\nparent: scene-2\n{expected}---\nThe door.\n"
    assert "wheelhouse" in [d["id"] for d in api.card("shot-9").dependencies]
    with pytest.raises(UserError, match="among its dependencies already"):
        api.dependency_change("shot-9", "wheelhouse")
    with pytest.raises(UserError, match=r"--as sett_in: unknown \(did you mean `set_in`\?\)"):
        api.dependency_change("shot-9", "ferry-deck", relation="sett_in")


def test_a_reference_image_is_size_and_type_checked_and_linked(api, sample, cli):
    import io

    from PIL import Image

    with pytest.raises(UserError, match="not a PNG, JPEG, WebP or GIF image"):
        api.reference_change("mara", b"GIF89", name="fake.gif")
    with pytest.raises(UserError, match="over the 10 MB"):
        api.reference_change("mara", b"\x89PNG\r\n\x1a\n" + b"0" * (10 * 1024 * 1024), name="huge.png")
    assert not list((sample.root / "assets").glob("*.png"))
    image = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(image, format="JPEG")
    path = sample.root / "look.jpg"
    path.write_bytes(image.getvalue())
    result = cli("reference", "ferry-deck", str(path), cwd=sample.root)
    assert result.exit_code == 0, result.output
    [link] = api.card("ferry-deck").assets
    assert link.role == "reference" and link.path and (sample.root / link.path).read_bytes() == image.getvalue()
    assert api.history("ferry-deck")[-1].how == "reference"
