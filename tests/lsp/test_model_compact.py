"""The server's model keeps what every block must answer in memory and reads the rest (a
body's first lines, assets, problems) from the index only when a block is shown: a start
reads no body or frontmatter, a closed block's body is nowhere in the model, yet its hover
shows its first lines, as the index has them now."""

from __future__ import annotations

from collections import deque

import pytest

from cinefile.daemon.index.sync import sync
from cinefile.daemon.lsp.hover import card_text
from cinefile.daemon.lsp.model import IndexRows, Model, node_of_block
from cinefile.format.parse import parse_text
from cinefile.daemon.lsp.server import CinefileServer

COSTUME = "design/mara-raincoat.md"
FIRST_LINE = "A yellow oilskin faded to mustard"


@pytest.fixture
def server(sample):
    server = CinefileServer()
    assert server.open_project([sample.root]) is None
    yield server
    server.stop()


def strings_held_by(model: Model) -> set[str]:
    """Every string the model holds, following containers and cinefile's own objects (nodes,
    blocks, problems); not into the index a node reads its details through."""
    found, seen, todo = set(), set(), deque([model])
    while todo:
        value = todo.popleft()
        if isinstance(value, str):
            found.add(value)
        elif id(value) in seen or isinstance(value, IndexRows):
            continue
        elif isinstance(value, (dict, list, tuple, set, frozenset)):
            seen.add(id(value))
            todo.extend([*value.keys(), *value.values()] if isinstance(value, dict) else value)
        elif type(value).__module__.startswith("cinefile."):
            seen.add(id(value))
            slots = [slot for cls in type(value).__mro__ for slot in getattr(cls, "__slots__", ())]
            todo.extend(getattr(value, slot) for slot in slots if hasattr(value, slot))
            todo.extend(getattr(value, "__dict__", {}).values())
    return found


def test_a_start_reads_no_body_or_frontmatter(server):
    statements = []
    server.reads.db.conn.set_trace_callback(statements.append)
    server.load()
    server.reads.db.conn.set_trace_callback(None)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT") and "FROM blocks" in s]
    assert selects and not [s for s in selects if "content," in s or "frontmatter" in s]
    assert len(server.model.nodes) == 20


def test_a_closed_block_body_is_not_held_yet_its_hover_shows_its_first_lines(server):
    server.load()
    held = strings_held_by(server.model)
    assert "costume" in held and "mara-raincoat" in held  # the traversal does reach the nodes
    assert not [text for text in held if FIRST_LINE in text]
    server.model.set_buffer(node_of_block(parse_text(COSTUME, (server.project.root / COSTUME).read_text())))
    assert [text for text in strings_held_by(server.model) if FIRST_LINE in text]  # an open block's is
    server.model.drop_buffer(COSTUME)
    card = card_text(server, server.model.owner("mara-raincoat"))
    assert "**Mara's oilskin** · `mara-raincoat` · costume" in card and FIRST_LINE in card


def test_details_are_the_index_s_of_now(server):
    """A node read at start shows the body a later sync indexed (its first four lines), and
    the problems the index has for it; a block gone from the index shows none."""
    server.load()
    node = server.model.owner("mara-raincoat")
    path = server.project.root / COSTUME
    text = path.read_text().replace(FIRST_LINE, "A green coat\n\nwith\nfive\nshort lines\nand more,")
    path.write_text(text)
    sync(server.project, server.index)
    assert node.head == "A green coat\nwith\nfive\nshort lines" and node.problems == []
    path.write_text(text.replace("type: costume\n", "type: costume\nsize: [\n"))
    sync(server.project, server.index)
    assert [p.code for p in node.problems] == ["yaml"]
    path.unlink()
    sync(server.project, server.index)
    assert node.head == "" and node.problems == [] and node.assets == []


def test_broken_blocks_and_staleness_agree_with_the_index(server, index_of):
    """The model reads problems only of blocks with errors, and still knows which cannot be
    read: every block's state is the one sync stored, the broken one's and its dependents' too."""
    (server.project.root / COSTUME).write_text("---\ntype: costume\ndependencies: [mara\n---\nTorn.\n")
    sync(server.project, server.index)
    server.load()
    stored = {row["path"]: row["state"] for row in server.reads.query("SELECT path, state FROM blocks")}
    assert {path: server.model.staleness(node).state for path, node in server.model.nodes.items()} == stored
    assert stored[COSTUME] == "broken" and stored["story/scene-1.md"] == "stale"


def test_nodes_at_paths_after_a_sync_are_those_of_the_index(server):
    server.load()
    path = server.project.root / COSTUME
    path.write_text(path.read_text().replace("title: Mara's oilskin", "title: Mara's coat").replace("[mara]", "[mara, wheelhouse]"))
    sync(server.project, server.index)
    (node,) = IndexRows(server.reads).nodes_at([COSTUME, "story/missing.md"])
    assert (node.title, node.inputs, [ref.target for ref in node.refs]) == ("Mara's coat", ["mara", "wheelhouse"],
                                                                            ["mara", "mara", "wheelhouse"])
    server.model.update_disk([node], [])
    assert (server.model.owner("mara-raincoat").title, ("dependency" in dict((u.path, k) for u, k in server.model.dependents("wheelhouse")).get(COSTUME, ""))) == ("Mara's coat", True)
