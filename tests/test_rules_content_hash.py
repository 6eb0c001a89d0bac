"""What a dependent is made from: content fields go into the hash, bookkeeping fields do not,
so reordering a scene or approving its audio makes nothing stale, and a new look does."""

import re
from pathlib import Path

import pytest
from cinefile.daemon.api import ProjectAPI
from cinefile.daemon.index.sync import sync
from cinefile.format.catalog import BOOKKEEPING_KEYS, KNOWN_KEYS
from cinefile.format.fields import TYPE_FIELDS
from cinefile.format.hashing import content_hash
from cinefile.format.stale import FRESH, STALE
from conftest import write

STILL, AUDIO = "a" * 64, "b" * 64
DOCS = Path(__file__).parent.parent / "docs"

MARA = f"""---
type: character
title: Mara
assets:
  - {{sha256: {STILL}, role: still, approved: false}}
---
Mara, 19, deckhand. Yellow raincoat.
"""
SCENE = f"""---
type: scene
title: The Ramp
parent: beat-1
order: 1
int_ext: EXT
time_of_day: NIGHT
dependencies: [mara]
tags: [rain]
assets:
  - {{sha256: {AUDIO}, role: audio, approved: false}}
---
Rain sheets across the car deck. MARA waves the last car aboard.
"""


@pytest.fixture
def film(empty, index_of):
    """beat-1 > scene-1 > its breakdown > shot-1, all made from mara, and all reviewed."""
    root = empty.root
    write(root, "design/mara.md", MARA)
    write(root, "story/beat-1.md", "---\ntype: beat\n---\nThe last crossing.\n")
    write(root, "story/scene-1.md", SCENE)
    write(root, "shooting/scene-1-breakdown.md", "---\ntype: shot_breakdown\nparent: scene-1\n---\n1. Wide: the ramp.\n")
    write(root, "shooting/shot-1.md", "---\ntype: shot\nparent: scene-1-breakdown\ndependencies: [mara]\nsize: wide\n"
                                      "angle: eye level\nmovement: static\nlens: 24mm\nduration: 3\n---\nThe ramp.\n")
    index = index_of(empty)
    sync(empty, index)
    ProjectAPI(empty, index=index).mark_fresh(["scene-1", "scene-1-breakdown", "shot-1"])
    assert states(index) == {"scene-1": FRESH, "scene-1-breakdown": FRESH, "shot-1": FRESH}
    return empty, index


def states(index):
    return {key: index.block(key)["state"] for key in ("scene-1", "scene-1-breakdown", "shot-1")}


def edit(project, index, rel, old, new):
    path = project.root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    assert sync(project, index).modified == [rel]


@pytest.mark.parametrize("old, new", [
    ("order: 1", "order: 7"),  # reordered
    ("order: 1", "order: 1\nscene_number: 4A"),  # its number locked
    ("role: audio, approved: false", "role: audio, approved: true"),  # its audio approved
    ("tags: [rain]", "tags: [rain, night]"),
])
def test_bookkeeping_on_a_scene_makes_nothing_stale(film, old, new):
    project, index = film
    edit(project, index, "story/scene-1.md", old, new)
    assert states(index) == {"scene-1": FRESH, "scene-1-breakdown": FRESH, "shot-1": FRESH}


@pytest.mark.parametrize("old, new", [
    ("MARA waves the last car aboard.", "MARA waves the last car back."),  # the body
    ("time_of_day: NIGHT", "time_of_day: DAWN"),  # a field of the scene
    ("title: The Ramp", "title: The Gangway"),
])
def test_content_of_a_scene_makes_its_dependents_stale(film, old, new):
    project, index = film
    edit(project, index, "story/scene-1.md", old, new)
    assert states(index) == {"scene-1": FRESH, "scene-1-breakdown": STALE, "shot-1": STALE}
    assert index.block("shot-1")["stale_reason"] == "scene-1 changed (via scene-1-breakdown)"


def test_approving_a_characters_still_makes_what_shows_her_stale(film):
    project, index = film
    edit(project, index, "design/mara.md", "role: still, approved: false", "role: still, approved: true")
    assert states(index) == {"scene-1": STALE, "scene-1-breakdown": STALE, "shot-1": STALE}
    assert index.block("shot-1")["stale_reason"] == "mara changed"


def test_only_a_design_blocks_approved_still_is_content():
    def approved(type_, role):
        return content_hash({"type": type_, "assets": [{"sha256": STILL, "role": role, "approved": True}]}, "Text.")

    def unapproved(type_, role):
        return content_hash({"type": type_, "assets": [{"sha256": STILL, "role": role, "approved": False}]}, "Text.")

    for type_ in ("character", "location", "costume", "prop", "style_guide"):
        assert approved(type_, "still") != unapproved(type_, "still"), type_
        assert approved(type_, "video") == unapproved(type_, "video"), type_
        assert approved(type_, "reference") == unapproved(type_, "reference"), type_
    for type_ in ("scene", "shot", "beat"):
        for role in ("still", "video", "audio"):
            assert approved(type_, role) == unapproved(type_, role), (type_, role)


def test_the_hash_of_unchanged_content_is_the_hash_it_had_before():
    """Hashes from before the rule (records in users' files hold them) for blocks with no
    field the rule moved: a character with an approved still, a plain scene."""
    mara = {"type": "character", "title": "Mara", "assets": [{"sha256": STILL, "role": "still", "approved": True},
                                                             {"sha256": AUDIO, "role": "reference", "approved": False}]}
    scene = {"type": "scene", "parent": "beat-1", "dependencies": ["mara"], "int_ext": "EXT", "time_of_day": "NIGHT"}
    assert content_hash(mara, "Mara, 19.\n") == "02bd05ac6b4941ed377d73defbaac7672e83875282b7c9810e2ea0fe7feea34d"
    assert content_hash(scene, "Rain.\n") == "883290363d5e87fac3e9fa6817d59ab52b50f0283f42cc5c4bd0a3abbb986888"


def test_the_format_doc_table_says_what_the_hash_does():
    text = (DOCS / "format.md").read_text()
    table = text[text.index("| field | content or bookkeeping | why |"):]
    table = table[: table.index("\n\n")]
    rows = {name: kind for names, kind in re.findall(r"^\| ([^|]+) \| (content|bookkeeping) \|", table, re.MULTILINE)
            for name in re.findall(r"`(\w+)`", names)}
    assert {name for name, kind in rows.items() if kind == "bookkeeping"} == set(BOOKKEEPING_KEYS)
    every_field = set(KNOWN_KEYS) | {name for fields in TYPE_FIELDS.values() for name in fields}
    assert every_field <= set(rows), sorted(every_field - set(rows))
