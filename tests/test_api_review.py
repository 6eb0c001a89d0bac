"""Review: marking blocks up to date and approving generated assets, through the project API
and through `cinefile mark-fresh` and `cinefile approve`."""

import json

import pytest
from cinefile.daemon.api import ProjectAPI, WriteConflict
from cinefile.daemon.errors import UserError
from cinefile.format.hashing import short_hash
from cinefile.format.parse import parse_text
from conftest import write

STALE_IN_SAMPLE = ["scene-1", "scene-1-breakdown", "scene-1-camera", "shot-1a", "shot-1b"]
STILL_A, STILL_B, VIDEO, AUDIO = ("a" * 64, "b" * 64, "c" * 64, "d" * 64)


@pytest.fixture
def api(sample):
    with ProjectAPI(sample) as api:
        api.sync()
        yield api


def text_of(api, rel: str) -> str:
    return (api.root / rel).read_text(encoding="utf-8")


def record_in(text: str) -> dict:
    return parse_text("x.md", text).record


def states(api, ids) -> dict[str, str]:
    return {key: api.index.block(key)["state"] for key in ids}


# -- mark fresh -------------------------------------------------------------------------------

def test_fresh_change_records_the_saved_hashes_of_the_inputs_the_text_names(api):
    """The inputs come from the text being changed (an editor's buffer: here with a dependency
    not saved yet); their hashes from the index, as the files on disk are."""
    saved = text_of(api, "story/scene-1.md")
    buffer = saved.replace("  - {id: style-guide, type: styled_by}\n", "  - {id: style-guide, type: styled_by}\n  - wheelhouse\n")
    change = api.fresh_change("scene-1", buffer)
    assert (change.path, change.old_text) == ("story/scene-1.md", buffer)
    record = record_in(change.new_text)
    assert record["wheelhouse"] == short_hash(api.index.block("wheelhouse")["content_hash"])
    assert record["mara-raincoat"] == short_hash(api.index.block("mara-raincoat")["content_hash"])
    assert list(record) == ["beat-1", "mara", "mara-raincoat", "ferry-deck", "style-guide", "wheelhouse"]
    assert text_of(api, "story/scene-1.md") == saved  # computed, not written


def test_fresh_change_of_a_block_made_from_nothing_is_none_and_of_a_fresh_one_no_change(api):
    assert api.fresh_change("mara") is None
    change = api.fresh_change("scene-2")  # fresh in the sample
    assert change.new_text == change.old_text


def test_mark_fresh_writes_the_record_and_the_block_and_those_made_from_it_turn_fresh(api):
    result = api.mark_fresh(["scene-1"])
    assert (result.fresh, result.marked, result.written, result.still_stale) == (["scene-1"], ["scene-1"], ["story/scene-1.md"], {})
    assert result.summary == "marked 1 fresh"
    assert states(api, ["scene-1", "scene-1-camera", "shot-1b"]) == {"scene-1": "fresh", "scene-1-camera": "fresh",
                                                                     "shot-1b": "stale"}  # shot-1b wears the raincoat itself
    again = api.mark_fresh(["scene-1"])  # up to date already: fresh, nothing to write
    assert (again.fresh, again.marked, again.written, again.summary) == (["scene-1"], [], [], "marked 1 fresh")


def test_a_block_made_from_a_stale_block_stays_stale_and_says_why(api):
    result = api.mark_fresh(["shot-1b"])
    assert (result.fresh, result.written, result.summary) == ([], ["shooting/shot-1b.md"], "marked 0 fresh, 1 still stale")
    assert result.still_stale == {"shot-1b": "mara-raincoat changed (via scene-1 → scene-1-breakdown)"}
    assert api.index.block("shot-1b")["stale_reason"] == result.still_stale["shot-1b"]  # the index agrees
    assert result.notes() == ["`shot-1b` is still stale, through a block it is made from: mara-raincoat changed "
                              "(via scene-1 → scene-1-breakdown): mark or regenerate that one too"]


def test_a_dry_run_says_what_a_run_would_do_and_writes_nothing(api):
    before = {rel: text_of(api, rel) for rel in ("story/scene-1.md", "shooting/shot-1b.md")}
    planned = api.mark_fresh(["shot-1b"], dry_run=True)
    assert (planned.marked, planned.written, planned.summary) == (["shot-1b"], [], "would mark 0 fresh, 1 would stay stale")
    assert {rel: text_of(api, rel) for rel in before} == before
    assert planned.still_stale == api.mark_fresh(["shot-1b"]).still_stale


def test_mark_fresh_stale_marks_every_stale_block_at_once(api):
    planned = api.mark_fresh(stale=True, dry_run=True)
    assert sorted(planned.fresh) == STALE_IN_SAMPLE and planned.still_stale == {}
    # The others were stale only through these two: their records are up to date already.
    assert sorted(planned.marked) == ["scene-1", "shot-1b"]
    result = api.mark_fresh(stale=True)
    assert sorted(result.fresh) == STALE_IN_SAMPLE and sorted(result.written) == ["shooting/shot-1b.md", "story/scene-1.md"]
    assert api.index.blocks("state = 'stale'") == []
    assert api.index.block("shot-2a")["state"] == "unreviewed"  # never reviewed: only named, or --all


def test_mark_fresh_all_marks_every_block_made_from_something(api):
    result = api.mark_fresh(all=True)
    assert "shot-2a" in result.marked and "mara" not in result.fresh + result.sourceless
    assert {row["state"] for row in api.index.blocks()} == {"fresh"}


def test_mark_fresh_needs_one_selection(api):
    for kwargs in ({}, {"refs": ["scene-1"], "stale": True}, {"stale": True, "all": True}):
        with pytest.raises(UserError, match="say which blocks to mark fresh"):
            api.mark_fresh(**kwargs)


def test_a_broken_block_is_refused_and_left_as_it_is(api):
    broken = write(api.root, "story/broken.md", "---\ntype: scene\ndependencies: [mara\n---\n")
    api.sync()
    with pytest.raises(UserError, match=r"^story/broken.md: cannot mark it fresh while its frontmatter is broken: .*YAML"):
        api.mark_fresh(["broken"])
    assert broken.read_text() == "---\ntype: scene\ndependencies: [mara\n---\n"
    assert "broken" not in api.mark_fresh(all=True).fresh  # and a bulk run leaves it out


def test_mark_fresh_is_refused_when_a_file_changed_after_it_was_read(api):
    """The change is guarded: a text computed from an older version is never written."""
    change = api.fresh_change("scene-1")
    write(api.root, "story/scene-1.md", change.old_text + "\nA late line.\n")
    with pytest.raises(WriteConflict):
        api.apply(change)
    assert text_of(api, "story/scene-1.md").endswith("A late line.\n")


# -- approve ----------------------------------------------------------------------------------

def with_assets(api, rel: str, *entries: tuple[str, str, bool]) -> str:
    """Give the block these assets (sha256, role, approved), saved and synced."""
    from cinefile.format.edit import set_field

    text = set_field(text_of(api, rel), "assets", [{"sha256": s, "role": r, "approved": a} for s, r, a in entries])
    write(api.root, rel, text)
    api.sync()
    return text


def approvals(api, rel: str) -> dict[str, bool]:
    return {a["sha256"][0]: a["approved"] for a in parse_text(rel, text_of(api, rel)).frontmatter["assets"]}


def test_approve_picks_the_newest_still_waiting_and_unapproves_the_others(api):
    with_assets(api, "shooting/shot-1a.md", (STILL_A, "still", False), (STILL_B, "still", False), (VIDEO, "video", False))
    [approved] = api.approve(["shot-1a"])
    assert (approved.id, approved.role, approved.sha256, approved.already) == ("shot-1a", "still", STILL_B, False)
    assert approved.message == f"approved still {STILL_B[:12]} for shot-1a"
    assert approvals(api, "shooting/shot-1a.md") == {"a": False, "b": True, "c": False}


def test_approving_again_is_nothing_to_do_when_nothing_newer_waits(api):
    """An older still was passed over when a newer one was approved: it is not waiting."""
    text = with_assets(api, "shooting/shot-1a.md", (STILL_A, "still", False), (STILL_B, "still", True))
    [approved] = api.approve(["shot-1a"])
    assert approved.already and approved.sha256 == STILL_B
    assert approved.message == f"`shot-1a`: still {STILL_B[:12]} is approved already: nothing to do"
    assert text_of(api, "shooting/shot-1a.md") == text


def test_approve_one_by_the_start_of_its_hash_and_its_role_from_it(api):
    with_assets(api, "shooting/shot-1a.md", (STILL_A, "still", True), (STILL_B, "still", False), (AUDIO, "audio", False))
    assert api.approve(["shot-1a"], asset="aaaa")[0].already  # approved already, alone of its role
    [approved] = api.approve(["shot-1a"], asset="ddd")
    assert (approved.role, approved.sha256) == ("audio", AUDIO)
    assert approvals(api, "shooting/shot-1a.md") == {"a": True, "b": False, "d": True}  # one per role
    with pytest.raises(UserError, match="no generated asset starts with 9: give another hash"):
        api.approve(["shot-1a"], asset="9")
    with pytest.raises(UserError, match="no video starts with aaaa"):
        api.approve(["shot-1a"], kind="video", asset="aaaa")


def test_approve_video_and_several_blocks_at_once(api):
    with_assets(api, "shooting/shot-1a.md", (STILL_A, "still", True), (VIDEO, "video", False))
    with_assets(api, "shooting/shot-1b.md", (VIDEO, "video", False))
    result = api.approve(["shot-1a", "shot-1b"], kind="video")
    assert [(a.id, a.role, a.already) for a in result] == [("shot-1a", "video", False), ("shot-1b", "video", False)]
    assert approvals(api, "shooting/shot-1a.md") == {"a": True, "c": True}
    with pytest.raises(UserError, match="--asset cc names one asset of one block"):
        api.approve(["shot-1a", "shot-1b"], asset="cc")


def test_approve_says_what_to_do_and_writes_nothing_when_it_cannot(api):
    with_assets(api, "shooting/shot-1a.md", (STILL_A, "still", False))
    before = text_of(api, "shooting/shot-1b.md")
    with pytest.raises(UserError, match=r"`shot-1b` has no still to approve: generate one first with "
                                        r"`cinefile generate shot-1b --kind image`"):
        api.approve(["shot-1a", "shot-1b"])
    assert approvals(api, "shooting/shot-1a.md") == {"a": False}  # all or nothing
    assert text_of(api, "shooting/shot-1b.md") == before
    with pytest.raises(UserError, match=r"--kind picture: unknown; use one of image, video, audio"):
        api.approve(["shot-1a"], kind="picture")


def test_approve_change_works_on_the_text_given_and_is_guarded(api):
    """The language server passes the open buffer: the change is computed from it, and
    applying it to a file that is not that text is refused."""
    saved = with_assets(api, "shooting/shot-1a.md", (STILL_A, "still", False))
    buffer = saved.replace("approved: false", "approved: false\n- sha256: " + STILL_B + "\n  role: still\n  approved: false")
    change = api.approve_change("shot-1a", text=buffer)
    assert change.old_text == buffer
    assert {a["sha256"][0]: a["approved"] for a in parse_text("s.md", change.new_text).frontmatter["assets"]} == {"a": False, "b": True}
    with pytest.raises(WriteConflict):
        api.apply(change)
    assert api.awaiting_approval("shot-1a", buffer) == [("still", STILL_A), ("still", STILL_B)]


# -- the command line -------------------------------------------------------------------------

def test_cli_mark_fresh_ids_stale_all_and_dry_run(cli, api):
    result = cli("mark-fresh", "--stale", "--dry-run", cwd=api.root)
    assert result.exit_code == 0 and result.output == "would mark 5 fresh\n"
    assert len(api.index.blocks("state = 'stale'")) == 5
    result = cli("mark-fresh", "--stale", cwd=api.root)
    assert result.exit_code == 0 and result.output == "marked 5 fresh\n"
    result = cli("mark-fresh", "shot-2a", "mara", cwd=api.root)
    assert result.output.splitlines() == ["marked 1 fresh",
                                          "`mara` is made from nothing (no parent, no dependencies), so it is always fresh"]
    result = cli("mark-fresh", "--all", "--json", cwd=api.root)
    data = json.loads(result.output)
    made_from_something = len(api.index.blocks("refs != '[]'"))
    assert data["marked"] == [] and data["summary"] == f"marked {made_from_something} fresh" == f"marked {len(data['fresh'])} fresh"
    result = cli("mark-fresh", cwd=api.root)
    assert result.exit_code == 2 and result.output.startswith("cinefile: say which blocks to mark fresh")


def test_cli_mark_fresh_says_what_stays_stale(cli, api):
    result = cli("mark-fresh", "shot-1b", cwd=api.root)
    assert result.exit_code == 0
    assert result.output.splitlines() == ["marked 0 fresh, 1 still stale", "`shot-1b` is still stale, through a block it is made from: "
                                          "mara-raincoat changed (via scene-1 → scene-1-breakdown): mark or regenerate that one too"]


def test_cli_approve_several_kinds_and_nothing_to_do(cli, api):
    with_assets(api, "shooting/shot-1a.md", (STILL_A, "still", False), (VIDEO, "video", False))
    with_assets(api, "shooting/shot-1b.md", (VIDEO, "video", False))
    result = cli("approve", "shot-1a", "shot-1b", "--kind", "video", cwd=api.root)
    assert result.exit_code == 0
    assert result.output.splitlines() == [f"approved video {VIDEO[:12]} for shot-1a", f"approved video {VIDEO[:12]} for shot-1b"]
    result = cli("approve", "shot-1b", "--kind", "video", cwd=api.root)
    assert result.exit_code == 0 and result.output == f"`shot-1b`: video {VIDEO[:12]} is approved already: nothing to do\n"
    result = cli("approve", "shot-1a", "--asset", "aa", cwd=api.root)
    assert result.exit_code == 0 and result.output == f"approved still {STILL_A[:12]} for shot-1a\n"
