"""History and undo: every version is kept, and any one can be put back."""

import pytest
from cinefile.daemon.api.history import history, undo
from cinefile.daemon.errors import UserError
from cinefile.daemon.index.sync import sync
from conftest import write

V1 = "---\ntype: beat\n---\nFirst version.\r\n"
V2 = "---\ntype: beat\n---\nSecond version.\n"
V3 = "---\ntype: beat\ntags: [x]\n---\nThird version.\n"


@pytest.fixture
def versions(empty, index_of):
    index = index_of(empty)
    for text in (V1, V2, V3):
        write(empty.root, "story/turn.md", text)
        sync(empty, index)
    return empty, index


def test_history_lists_every_version(versions):
    _, index = versions
    revisions = history(index, "turn")
    assert [(r.version, r.action, r.text) for r in revisions] == [(1, "create", V1), (2, "update", V2), (3, "update", V3)]


def test_undo_restores_the_previous_version_byte_for_byte(versions):
    project, index = versions
    restored, path = undo(project, index, "turn")
    assert restored.version == 2 and path == "story/turn.md"
    assert (project.root / path).read_bytes() == V2.encode()
    assert index.block("turn")["version"] == 4  # the undo itself is a new version
    assert history(index, "turn")[-1].previous == V3


def test_undo_to_a_given_version(versions):
    project, index = versions
    undo(project, index, "turn", to_version=1)
    assert (project.root / "story/turn.md").read_bytes() == V1.encode()


def test_undo_refuses_when_the_file_changed_since_the_last_sync(versions):
    project, index = versions
    write(project.root, "story/turn.md", "---\ntype: beat\n---\nUnsaved work.\n")
    with pytest.raises(UserError, match="changed on disk since the last sync"):
        undo(project, index, "turn")
    assert "Unsaved work" in (project.root / "story/turn.md").read_text()
    undo(project, index, "turn", force=True)
    assert (project.root / "story/turn.md").read_text() == V2


def test_undo_brings_back_a_deleted_block(versions):
    project, index = versions
    (project.root / "story/turn.md").unlink()
    sync(project, index)
    assert index.block("turn") is None
    undo(project, index, "turn")
    assert (project.root / "story/turn.md").read_text() == V3
    assert index.block("turn")["version"] == 5


def test_undo_explains_unknown_ids_and_versions(versions):
    project, index = versions
    with pytest.raises(UserError, match="no block `nope`"):
        undo(project, index, "nope")
    with pytest.raises(UserError, match="has no version 9: its versions are 1, 2, 3"):
        undo(project, index, "turn", to_version=9)
