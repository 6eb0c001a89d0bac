"""The Story, Design and Shooting pages: the list with its states and problems, editing a
block's fields and body, creating blocks, and no edit lost (conflicts, live refresh)."""

from __future__ import annotations

from cinefile.format.parse import parse_text
from cinefile.studio import fields

from . import page_text, select_block, wait_for_sync, write_like_an_editor

STORY, DESIGN, SHOOTING = "views/story.py", "views/design.py", "views/shooting.py"


def tree(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_story_lists_its_blocks_in_story_order_with_their_state(studio):
    at = studio(STORY)
    text = tree(at)
    story_order = ("logline", "concept", "outline", "act-1", "beat-1", "scene-1", "beat-2", "scene-2")
    order = [text.index(f"`{key}`") for key in story_order]
    assert order == sorted(order)
    scene_1 = next(line for line in text.splitlines() if "`scene-1`" in line)
    assert ":orange-badge[stale]" in scene_1 and "mara\\-raincoat changed" in scene_1
    assert "`mara`" not in text and "`shot-1a`" not in text  # other phases' blocks are on their pages


def test_the_story_page_reads_its_phase_once_for_the_list_and_the_pickers(studio, monkeypatch):
    """A save reruns the page with every list read again; the Story list and the blocks the
    pickers offer share one read of the phase."""
    from cinefile.daemon.api import ProjectAPI

    read = []
    blocks = ProjectAPI.blocks
    monkeypatch.setattr(ProjectAPI, "blocks", lambda api, **filters: read.append(filters.get("phase")) or blocks(api, **filters))
    at = studio(STORY)
    select_block(at, "scene-1")
    assert read.count("Story") == 1 and read.count("Design") == 1
    assert "`scene-1`" in tree(at) and "`act-1`" in tree(at)


def test_shooting_shows_breakdowns_and_shots_under_their_scene(studio):
    text = tree(studio(SHOOTING))
    ramp, wheelhouse = text.index("**The Ramp** `scene-1`"), text.index("`scene-2`")
    assert ramp < text.index("`scene-1-breakdown`") < text.index("`shot-1a`") < wheelhouse < text.index("`shot-2a`")
    shot_2a = next(line for line in text.splitlines() if "`shot-2a`" in line)
    assert ":blue-badge[never reviewed]" in shot_2a
    indent = {key: next(line for line in text.splitlines() if f"`{key}`" in line).index("-")
              for key in ("scene-1-breakdown", "shot-1a")}
    assert indent["shot-1a"] > indent["scene-1-breakdown"]  # the shot nests under its breakdown


def test_design_lists_characters_locations_and_the_style_guide(studio):
    text = tree(studio(DESIGN))
    design = ("mara", "captain-ilse", "ferry-deck", "wheelhouse", "mara-raincoat", "style-guide")
    assert all(f"`{key}`" in text for key in design)
    assert text.index("`mara`") < text.index("`mara-raincoat`")  # a costume under its character


def test_a_broken_block_is_shown_as_broken_with_its_problem_and_can_be_fixed(studio, film, live_api):
    at = studio(STORY)
    api = live_api(film)
    broken = "---\ntype: scene\ntitle: [unclosed\nparent: beat-1\n---\nThe hold, flooded.\n"
    wait_for_sync(api, lambda: write_like_an_editor(film / "story/scene-9.md", broken))
    at.run()
    line = next(line for line in tree(at).splitlines() if "`scene-9`" in line)
    assert ":red-badge[broken]" in line
    assert "YAML syntax error" in tree(at)
    select_block(at, "scene-9")
    assert at.text_area(key="raw_text").value == broken
    assert any("YAML syntax error" in e.value for e in at.error)
    at.text_area(key="raw_text").set_value(broken.replace("[unclosed", "The Hold")).run()
    at.button(key="save").click().run()
    assert not at.exception
    assert api.card("scene-9").state != "broken" and api.card("scene-9").title == "The Hold"


def test_editing_a_field_and_the_body_keeps_every_other_byte(studio, film):
    at = select_block(studio(STORY), "scene-1")
    before = (film / "story/scene-1.md").read_text()
    assert at.selectbox(key="field_int_ext").value == "EXT" and at.selectbox(key="field_time_of_day").value == "NIGHT"
    assert at.text_area(key="body").value.startswith("Rain sheets across the car deck.")
    at.selectbox(key="field_time_of_day").set_value("DAWN").run()
    at.text_area(key="body").set_value("Grey light on the car deck.\n").run()
    assert "makes 4 blocks stale" in page_text(at) and "`shot-1a`" in page_text(at)  # before the save
    at.button(key="save").click().run()
    after = (film / "story/scene-1.md").read_text()
    head = before[: before.index("---\n", 4) + 4]
    assert after == head.replace("time_of_day: NIGHT", "time_of_day: DAWN") + "Grey light on the car deck.\n"
    assert any("Saved story/scene-1.md" in s.value for s in at.success)
    assert at.button(key="save").disabled  # nothing left to save


def test_shot_fields_have_widgets_that_fit_them(studio, film):
    at = select_block(studio(SHOOTING), "shot-1a")
    assert at.selectbox(key="field_size").value == "wide"
    assert "close-up" in at.selectbox(key="field_size").options
    assert at.selectbox(key="field_angle").value == "high" and at.selectbox(key="field_movement").value == "handheld"
    assert at.selectbox(key="field_lens").value == "24mm"
    assert at.number_input(key="field_duration").value == 4
    at.number_input(key="field_duration").set_value(5.5).run()
    at.selectbox(key="field_lens").set_value("85mm").run()
    at.button(key="save").click().run()
    text = (film / "shooting/shot-1a.md").read_text()
    assert "duration: 5.5\n" in text and "lens: 85mm\n" in text
    assert "dependencies: [mara, ferry-deck, style-guide]\n" in text  # untouched: its flow style kept


def test_the_parent_picker_offers_only_allowed_parents(studio, film):
    at = select_block(studio(STORY), "scene-1")
    assert set(at.selectbox(key="parent").options) == {"(no parent)", "Boarding (beat-1)", "The Storm Turns (beat-2)",
                                                        "Act One: The Crossing (act-1)"}
    at.selectbox(key="parent").set_value("beat-2").run()
    at.button(key="save").click().run()
    assert "parent: beat-2\n" in (film / "story/scene-1.md").read_text()


def test_dependencies_are_picked_by_id_and_title_and_keep_their_relation(studio, film):
    at = select_block(studio(STORY), "scene-1")
    picker = at.multiselect(key="dependencies")
    assert "Brass Compass (brass-compass)" in picker.options or any("brass-compass" in o for o in picker.options)
    picker.set_value(["mara", "mara-raincoat", "ferry-deck", "style-guide", "brass-compass"]).run()
    at.selectbox(key="relation_brass-compass").set_value("appears_in").run()
    at.multiselect(key="tags").set_value(["night", "exterior"]).run()
    at.button(key="save").click().run()
    block = parse_text("story/scene-1.md", (film / "story/scene-1.md").read_text())
    assert [(d.target, d.relation) for d in block.dependencies] == [
        ("mara", "appears_in"), ("mara-raincoat", "wears"), ("ferry-deck", "set_in"), ("style-guide", "styled_by"),
        ("brass-compass", "appears_in")]
    assert block.tags == ["night", "exterior"]


def test_create_a_block_from_its_template_under_an_allowed_parent(studio, film):
    at = studio(STORY)
    at.selectbox(key="new_type").set_value("scene").run()
    assert "The Storm Turns (beat-2)" in at.selectbox(key="new_parent").options
    at.selectbox(key="new_parent").set_value("beat-2").run()
    at.text_input(key="new_title").set_value("The Hold").run()
    at.button(key="create").click().run()
    assert not at.exception
    created = film / "story/the-hold.md"
    assert created.exists() and "parent: beat-2\n" in created.read_text() and "type: scene\n" in created.read_text()
    assert at.selectbox(key="block_select").value == "the-hold"  # opened for editing
    assert "`the-hold`" in tree(at)


def test_a_refused_create_is_one_message_and_the_app_keeps_running(studio):
    at = studio(DESIGN)
    at.selectbox(key="new_type").set_value("character").run()
    at.text_input(key="new_id").set_value("mara").run()
    at.button(key="create").click().run()
    assert not at.exception
    assert any("already the id of design/mara.md" in e.value for e in at.error)
    assert "`mara`" in tree(at)


def test_two_tabs_editing_one_block_the_second_save_is_refused_and_nothing_is_lost(studio, film, live_api):
    first, second = select_block(studio(STORY), "scene-1"), select_block(studio(STORY), "scene-1")
    first.text_area(key="body").set_value("The first tab's scene.\n").run()
    second.text_area(key="body").set_value("The second tab's scene.\n").run()
    first.button(key="save").click().run()
    second.button(key="save").click().run()
    assert not second.exception
    path = film / "story/scene-1.md"
    assert path.read_text().endswith("The first tab's scene.\n")  # the refused save wrote nothing
    shown = [c.value.rstrip() for c in second.code]
    assert any(v.endswith("The second tab's scene.") for v in shown)  # yours
    assert any(v.endswith("The first tab's scene.") for v in shown)  # and the file's now
    assert second.text_area(key="body").value == "The second tab's scene.\n"  # the edit is still in the form
    second.button(key="keep_mine").click().run()
    assert path.read_text().endswith("The second tab's scene.\n")
    texts = [revision.text or "" for revision in live_api(film).history("scene-1")]
    assert texts[-2].endswith("The first tab's scene.\n")  # the version replaced, kept in history
    assert "keep_mine" not in [b.key for b in second.button]  # the conflict is resolved


def test_take_theirs_shows_the_file_as_it_is_now(studio, film):
    first, second = select_block(studio(STORY), "scene-2"), select_block(studio(STORY), "scene-2")
    first.text_area(key="body").set_value("Saved first.\n").run()
    first.button(key="save").click().run()
    second.text_area(key="body").set_value("Typed second.\n").run()
    second.button(key="save").click().run()
    second.button(key="take_theirs").click().run()
    assert second.text_area(key="body").value == "Saved first.\n"
    assert second.button(key="save").disabled
    assert (film / "story/scene-2.md").read_text().endswith("Saved first.\n")


def test_an_edit_in_an_editor_while_the_form_has_edits_is_not_overwritten(studio, film, live_api):
    at = select_block(studio(STORY), "scene-2")
    at.text_area(key="body").set_value("Mine, not saved yet.\n").run()
    path = film / "story/scene-2.md"
    theirs = path.read_text() + "A line added in the editor.\n"
    wait_for_sync(live_api(film), lambda: write_like_an_editor(path, theirs))
    at.run()
    assert any("changed on disk since you opened it" in w.value for w in at.warning)
    assert at.text_area(key="body").value == "Mine, not saved yet.\n"
    at.button(key="save").click().run()
    assert path.read_text() == theirs and "keep_mine" in [b.key for b in at.button]


def test_a_change_made_elsewhere_shows_without_a_reload(studio, film, live_api):
    at = select_block(studio(STORY), "scene-2")
    path = film / "story/scene-2.md"
    text = path.read_text()
    head = text[: text.index("---\n", 4) + 4]
    wait_for_sync(live_api(film), lambda: write_like_an_editor(path, head + "Rewritten in the editor.\n"))
    at.run()  # what the page's one-second fragment triggers when the change count moves
    assert at.text_area(key="body").value == "Rewritten in the editor.\n"
    assert "Rewritten in the editor" not in str(at.warning)  # no edit of its own: shown, not warned about


def test_a_selected_block_offers_generation_with_its_cost_before_the_click(studio):
    at = select_block(studio(SHOOTING), "shot-1a")
    assert at.selectbox(key="gen_kind_shot-1a").options == ["Text", "Still", "Video", "Audio"]
    assert "generate_shot-1a" in [b.key for b in at.button]
    assert "mock" in page_text(at)


def test_a_change_another_process_indexed_first_shows_too(studio, film):
    """An editor's language server may index a save before the studio's watcher sees it,
    leaving the watcher nothing to report: the index's own version still moves."""
    from cinefile.daemon.api import ProjectAPI
    from cinefile.studio.context import live_project_at

    at = select_block(studio(STORY), "scene-2")
    live = live_project_at(film)
    live.watcher.stop()  # as if the other process always came first
    before = live.changes
    path = film / "story/scene-2.md"
    path.write_text(path.read_text().replace("title: The Wheelhouse", "title: The Bridge"))
    with ProjectAPI.open(film) as other:  # its own connection, as another process has
        other.sync()
    assert live.changes != before
    at.run()
    assert "**The Bridge** `scene-2`" in tree(at) and at.text_input(key="title").value == "The Bridge"


def test_edits_left_for_another_block_are_kept_until_the_user_comes_back(studio, film):
    at = select_block(studio(STORY), "scene-1")
    before = (film / "story/scene-1.md").read_text()
    at.text_area(key="body").set_value("Half a thought.\n").run()
    select_block(at, "scene-2")
    assert at.text_area(key="body").value.startswith("The wheelhouse sways.")
    assert any("unsaved edits" in option for option in at.selectbox(key="block_select").options)
    select_block(at, "scene-1")
    assert at.text_area(key="body").value == "Half a thought.\n"
    assert any("unsaved edits to this block are back" in i.value for i in at.info)
    assert (film / "story/scene-1.md").read_text() == before  # nothing written until a save
    at.button(key="save").click().run()
    assert (film / "story/scene-1.md").read_text().endswith("Half a thought.\n")


def test_edits_survive_a_visit_to_another_page(studio, film):
    at = select_block(studio(STORY), "scene-1")
    at.text_area(key="body").set_value("Written before a look at the design.\n").run()
    at.switch_page(DESIGN).run()
    select_block(at, "mara")
    at.switch_page(STORY).run()
    assert any("scene-1" in o and "unsaved edits" in o for o in at.selectbox(key="block_select").options)
    select_block(at, "scene-1")
    assert at.text_area(key="body").value == "Written before a look at the design.\n"


def test_mark_a_never_reviewed_block_up_to_date(studio, live_api, film):
    at = select_block(studio(SHOOTING), "shot-2a")
    at.button(key="mark_fresh").click().run()
    assert any("marked 1 fresh" in s.value.lower() for s in at.success)
    assert live_api(film).card("shot-2a").state == "fresh"


def test_the_state_filter_narrows_the_list(studio):
    at = studio(SHOOTING)
    at.selectbox(key="filter_state").set_value("stale").run()
    text = tree(at)
    assert "`shot-1a`" in text and "`shot-2a`" not in text
    assert not any("shot-2a" in option for option in at.selectbox(key="block_select").options)


def test_compose_rewrites_only_the_fields_that_changed():
    text = ("---\ntype: shot\n# framing\nsize: wide   # from the stairs\nlens: 24mm\nduration: 4\n"
            "custom: {a: 1}\ndependencies: [mara]\n---\nBody\r\nline\r\n")
    block = parse_text("shooting/x.md", text)
    values = fields.form_values(text, block)
    assert fields.compose(text, block, values) == text  # loaded, untouched: the same bytes
    values["body"] = "Body\nline\n"  # a browser's line ends
    assert fields.compose(text, block, values) == text
    values["field_duration"] = 6.0
    assert fields.compose(text, block, values) == text.replace("duration: 4", "duration: 6")


def test_a_reference_image_is_checked_stored_in_the_project_and_linked(studio, film):
    """An image of the user's own: linked to the block as a reference, stored once by hash in
    the project's assets/; a file that is no image is one message and stores nothing."""
    import io

    from PIL import Image

    at = select_block(studio(DESIGN), "mara")
    at.file_uploader(key="reference_upload").set_value(("not-an-image.png", b"plain text", "image/png")).run()
    at.button(key="reference_attach").click().run()
    assert any("not a PNG, JPEG, WebP or GIF image" in e.value for e in at.error)
    assert not list((film / "assets").glob("*.png"))
    png = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(png, format="PNG")
    at.file_uploader(key="reference_upload").set_value(("mara-look.png", png.getvalue(), "image/png")).run()
    at.button(key="reference_attach").click().run()
    assert not at.exception
    stored = list((film / "assets").glob("*.png"))
    assert len(stored) == 1 and stored[0].read_bytes() == png.getvalue()
    assert "role: reference" in (film / "design/mara.md").read_text()
