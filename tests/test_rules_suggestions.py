""""Did you mean" for a parent offers only blocks the parent rule allows; for a dependency, any."""

import json

from cinefile.daemon.index.sync import sync
from cinefile.format.links import check_links
from cinefile.format.parse import parse_text
from conftest import write

# `bet-1` is closest to the character `bet-10` (one letter more) than to the beat `beat-01` (two).
PROJECT = {
    "design/bet-10.md": "---\ntype: character\n---\nA gambler.\n",
    "story/beat-01.md": "---\ntype: beat\n---\nThe last crossing.\n",
    "story/act-one.md": "---\ntype: act\n---\nAct one.\n",
}


def unknown_ref_messages(problems):
    return [p["message"] for p in problems if p["code"] == "unknown-ref"]


def test_a_missing_parent_is_matched_only_with_blocks_of_an_allowed_type(empty, index_of):
    for rel, text in PROJECT.items():
        write(empty.root, rel, text)
    write(empty.root, "story/scene-1.md", "---\ntype: scene\nparent: bet-1\ndependencies: [bet-1]\nint_ext: EXT\n"
                                          "time_of_day: NIGHT\n---\nRain.\n")
    index = index_of(empty)
    sync(empty, index)
    assert unknown_ref_messages(json.loads(index.block("scene-1")["link_problems"])) == [
        "parent `bet-1` names no block: did you mean `beat-01`?",
        "dependency `bet-1` names no block: did you mean `bet-10`?",
    ]
    # The same after a change relinks only what it reaches.
    write(empty.root, "story/scene-2.md", "---\ntype: scene\nparent: bet-1\nint_ext: EXT\ntime_of_day: DAY\n---\nDry.\n")
    sync(empty, index)
    assert unknown_ref_messages(json.loads(index.block("scene-2")["link_problems"])) == [
        "parent `bet-1` names no block: did you mean `beat-01`?"]


def test_no_suggestion_when_no_block_of_an_allowed_type_is_close():
    blocks = [parse_text(rel, text) for rel, text in PROJECT.items()]
    blocks.append(parse_text("shooting/shot.md", "---\ntype: shot\nparent: bet-1\n---\n"))
    [problem] = [p for p in check_links(blocks)["shooting/shot.md"] if p.code == "unknown-ref"]
    assert problem.message == "parent `bet-1` names no block: create that block or fix the id"
