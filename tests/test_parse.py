"""Parsing a block: fields, defaults, positions and the content hash."""

import json
from pathlib import Path

from cinefile.format.parse import parse_block, parse_text
from cinefile.format.block import slugify
from cinefile.format.problems import Range

SCENE = """---
type: scene
title: The Ramp
tags: [night, rain]
parent: beat-1
dependencies:
  - mara
  - {id: ferry-deck, type: set_in}
int_ext: EXT
time_of_day: NIGHT
---
Body text.
"""


def test_fields_and_positions():
    block = parse_text("story/scene-1.md", SCENE)
    assert (block.id, block.type, block.title, block.tags, block.phase) == ("scene-1", "scene", "The Ramp", ["night", "rain"], "Story")
    assert block.parent.target == "beat-1" and block.parent.range == Range.of(4, 8, 4, 14)
    assert [(d.target, d.relation) for d in block.dependencies] == [("mara", None), ("ferry-deck", "set_in")]
    assert block.dependencies[1].range == Range.of(7, 9, 7, 19)
    assert block.inputs == ["beat-1", "mara", "ferry-deck"]
    assert block.body == "Body text.\n" and block.body_line == 11
    assert block.problems == []


def test_defaults_come_from_the_heading_and_the_file_name():
    block = parse_text("design/Mara Lind.md", "---\ntype: character\n---\n\n## Mara, the deckhand\n")
    assert block.id == "mara-lind"
    assert block.title == "Mara, the deckhand"
    assert parse_text("design/x.md", "---\ntype: prop\n---\nno heading").title == "x"


def test_slugify_handles_odd_names():
    assert slugify("Scène 4 (draft)") == "scene-4-draft"
    assert slugify("日本") == "riben"  # other scripts are transliterated: ids are ASCII
    assert (slugify("ЯРОСЛАВ"), slugify("Σοφία")) == ("yaroslav", "sofia")
    assert slugify("!!!") == "block"


def test_content_hash_ignores_what_carries_no_meaning():
    """Key order, trailing whitespace, CRLF, tags and the generated record are not a change."""
    base = parse_text("a.md", "---\ntype: beat\ntitle: T\ntags: [a]\n---\nLine one\nLine two\n").content_hash
    same = [
        "---\ntitle: T\ntype: beat\n---\nLine one\nLine two\n",
        "---\r\ntype: beat\r\ntitle: T\r\n---\r\nLine one  \r\nLine two\r\n\r\n",
        "---\ntype: beat\ntitle: T\ntags: [b, c]\ngenerated: {from: {x: abcdefabcdef}}\n---\n\nLine one\nLine two",
    ]
    for text in same:
        assert parse_text("a.md", text).content_hash == base, text
    different = [
        "---\ntype: beat\ntitle: T2\n---\nLine one\nLine two\n",
        "---\ntype: beat\ntitle: T\n---\nLine one\nLine 2\n",
        "---\ntype: beat\ntitle: T\nmood: grim\n---\nLine one\nLine two\n",
    ]
    for text in different:
        assert parse_text("a.md", text).content_hash != base, text


def test_parse_block_never_raises_on_bytes():
    for data in (b"", b"\xff\xfe", b"---\n\x00", b"---\ntype: scene\n---\n" + "é".encode()):
        parse_block("x.md", data)


def test_byte_order_mark_is_accepted():
    assert parse_block("x.md", "\ufeff---\ntype: beat\n---\n".encode()).problems == []


def test_content_hashes_of_the_sample_never_change(sample):
    """`generated.from` records hold these hashes: a parser change that moved them would
    make every reviewed block in every project stale."""
    expected = json.loads((Path(__file__).parent / "golden" / "sample-content-hashes.json").read_text())
    found = {p.relative_to(sample.root).as_posix(): parse_block(p.name, p.read_bytes()).content_hash
             for p in sorted(sample.root.rglob("*.md"))}
    assert found == expected


def test_closest_gives_difflibs_answer():
    """The fast shortlist never changes the suggestion: checked against difflib over typos
    of ids in a pool with many look-alikes."""
    import difflib
    import random
    import string

    from cinefile.format.parse import closest

    rng = random.Random(7)
    pool = [f"{kind}-{i:03d}" for kind in ("scene", "shot", "beat", "character") for i in range(300)]
    pool += ["mara", "captain-ilse", "ferry-deck", "brass-compass", "style-guide", "night-ferry"]

    def typo(word: str) -> str:
        letters = list(word)
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(letters))
            roll = rng.random()
            if roll < 0.4:
                letters[at] = rng.choice(string.ascii_lowercase + "-0123456789")
            elif roll < 0.7:
                letters.insert(at, rng.choice(string.ascii_lowercase))
            elif len(letters) > 2:
                del letters[at]
        return "".join(letters)

    for word in rng.sample(pool, 60) + pool[-6:]:
        query = typo(word)
        for cutoff in (0.5, 0.6, 0.8):
            expected = difflib.get_close_matches(query, pool, n=1, cutoff=cutoff)
            assert closest(query, pool, cutoff) == (expected[0] if expected else None), query
