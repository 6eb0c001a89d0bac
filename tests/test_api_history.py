"""History, diff and undo: every version is kept, two can be compared, any one can be put back
(through the guarded write), through the project API and `cinefile history/diff/undo`."""

import json

import pytest
from cinefile.daemon.api import ProjectAPI, WriteConflict
from cinefile.daemon.errors import UserError
from conftest import write

V1 = "---\ntype: beat\n---\nFirst version.\r\n"
V2 = "---\ntype: beat\n---\nSecond version.\n"
V3 = "---\ntype: beat\ntags: [x]\n---\nThird version.\n"
PATH = "story/turn.md"


@pytest.fixture
def api(empty):
    """A beat `turn` saved and synced three times: V1, V2, V3."""
    with ProjectAPI(empty) as api:
        for text in (V1, V2, V3):
            write(empty.root, PATH, text)
            api.sync()
        yield api


def on_disk(api) -> str:
    return (api.root / PATH).read_bytes().decode()


def test_history_lists_every_version(api):
    revisions = api.history("turn")
    assert [(r.version, r.action, r.text) for r in revisions] == [(1, "create", V1), (2, "update", V2), (3, "update", V3)]
    assert api.history(PATH) == revisions  # by path too
    assert revisions[1].to_json()["previous"] == V1


def test_undo_restores_the_previous_version_byte_for_byte(api):
    undone = api.undo("turn")
    assert (undone.restored, undone.path, undone.version) == (2, PATH, 4)  # the undo itself is a new version
    assert undone.message == "restored story/turn.md to version 2 (now version 4)"
    assert on_disk(api) == V2
    assert api.history("turn")[-1].previous == V3


def test_undo_to_a_given_version(api):
    api.undo("turn", to=1)
    assert on_disk(api) == V1


def test_undo_change_is_computed_against_the_text_last_synced(api):
    """The change is a plain value: nothing is written until it is applied."""
    change = api.undo_change("turn", to=1)
    assert (change.path, change.old_text, change.new_text) == (PATH, V3, V1)
    assert on_disk(api) == V3


def test_undo_refuses_when_the_file_changed_since_the_last_sync(api):
    """An edit the index has not seen is never overwritten without asking; with force it is,
    and the edit is kept in history first."""
    write(api.root, PATH, "---\ntype: beat\n---\nUnsaved work.\n")
    with pytest.raises(WriteConflict, match="changed on disk since the last sync: nothing was written") as refused:
        api.undo("turn")
    assert "\n" not in str(refused.value) and "--force" in str(refused.value)
    assert refused.value.current_text == on_disk(api) and "Unsaved work" in on_disk(api)
    api.undo("turn", force=True)
    assert on_disk(api) == V2
    assert any(r.text and "Unsaved work" in r.text for r in api.history("turn"))


def test_undo_brings_back_a_deleted_block(api):
    (api.root / PATH).unlink()
    api.sync()
    assert api.index.block("turn") is None
    assert api.history("turn")[-1].action == "delete"
    undone = api.undo("turn")
    assert on_disk(api) == V3 and undone.version == 5


def test_undo_of_a_deleted_block_refuses_a_file_there_again(api):
    (api.root / PATH).unlink()
    api.sync()
    (api.root / PATH).write_text("someone else's file\n")
    with pytest.raises(WriteConflict, match="a file is there again since the block was deleted"):
        api.undo("turn")
    assert on_disk(api) == "someone else's file\n"


def test_undo_explains_unknown_ids_and_versions(api):
    with pytest.raises(UserError, match="no block `nope`"):
        api.undo("nope")
    with pytest.raises(UserError, match="has no version 9: its versions are 1, 2, 3"):
        api.undo("turn", to=9)
    (api.root / PATH).unlink()
    api.sync()
    with pytest.raises(UserError, match="version 4 of `turn` is its deletion"):
        api.undo("turn", to=4)


def test_diff_between_two_versions(api):
    assert api.diff("turn", 2, 3) == (
        "--- story/turn.md (v2)\n+++ story/turn.md (v3)\n@@ -1,4 +1,5 @@\n ---\n type: beat\n+tags: [x]\n ---\n"
        "-Second version.\n+Third version.\n")
    assert api.diff("turn", 3, 3) == ""


def test_diff_to_the_file_now_by_default(api):
    write(api.root, PATH, V3 + "A last line")
    diff = api.diff("turn", 3)
    assert diff.startswith("--- story/turn.md (v3)\n+++ story/turn.md (now)\n")
    assert diff.endswith("+A last line\n\\ No newline at end of file\n")


def test_diff_of_a_deleted_block(api):
    (api.root / PATH).unlink()
    api.sync()
    diff = api.diff("turn", 1)
    assert "+++ story/turn.md (now: deleted)" in diff and "-First version.\r\n" in diff
    assert api.diff("turn", 1, 4).count("\n-") == 4  # version 4 is the deletion: everything goes


def test_cli_history_lists_versions_and_json_has_the_texts(cli, api):
    result = cli("history", "turn", cwd=api.root)
    assert result.exit_code == 0
    assert [line.split()[0] for line in result.output.splitlines()] == ["v1", "v2", "v3"]
    data = json.loads(cli("history", "turn", "--json", cwd=api.root).output)
    assert [r["text"] for r in data] == [V1, V2, V3]


def test_cli_diff(cli, api):
    result = cli("diff", "turn", "2", "3", cwd=api.root)
    assert result.exit_code == 0 and result.output == api.diff("turn", 2, 3)
    result = cli("diff", "turn", "9", cwd=api.root)
    assert result.exit_code == 2
    assert result.output == "cinefile: `turn` has no version 9: its versions are 1, 2, 3\n"


def test_cli_undo_refuses_an_unsynced_edit_in_one_line_and_force_overwrites(cli, api):
    write(api.root, PATH, "---\ntype: beat\n---\nUnsaved work.\n")
    result = cli("undo", "turn", cwd=api.root)
    assert result.exit_code == 1 and result.output.count("\n") == 1
    assert result.output.startswith("cinefile: story/turn.md: changed on disk since the last sync: nothing was written")
    assert "Unsaved work" in on_disk(api)
    result = cli("undo", "turn", "--force", cwd=api.root)
    assert result.exit_code == 0 and result.output.startswith("restored story/turn.md to version 2")
    assert on_disk(api) == V2


def test_history_says_how_each_version_came_and_who_wrote_it(sample):
    """A version written through the API says how (generate, undo, review, create, ...) and by
    whom; one an editor saved says neither, as nothing but the file is known of it."""
    import getpass

    from cinefile.daemon.api import ProjectAPI

    with ProjectAPI(sample) as api:
        api.sync()
        api.apply(api.new_block("scene", "scene-3", parent="beat-2"))
        api.generate([("scene-3", "text")], mock=True)
        path = sample.root / "story/scene-3.md"
        path.write_text(path.read_text() + "\nA line of mine.\n")
        api.sync()
        api.undo("scene-3")
        revisions = api.history("scene-3")
    assert [(r.how, r.by) for r in revisions] == [("create", getpass.getuser()), ("generate", getpass.getuser()),
                                                  ("", None), ("undo", getpass.getuser())]
