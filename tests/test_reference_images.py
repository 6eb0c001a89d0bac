"""Consistent characters and places: a shot's still goes with the approved looks of the
characters, locations, costumes and props it names, through a model whose schema takes
reference images; the plan says which (JSON, dry run, editor titles, studio), the mock draws
them, a new look is a new request and makes the shots made from it stale."""

from __future__ import annotations

import base64
import io
import os
import types
from pathlib import Path

import pytest
from cinefile.daemon.api import ProjectAPI
from cinefile.daemon.api.core import FileChange
from cinefile.daemon.generate.assets import AssetStore
from cinefile.daemon.generate.catalog import ModelInfo
from cinefile.daemon.generate.reference_images import (
    ReferenceImage,
    fit_references,
    reference_field,
)
from cinefile.daemon.generate.runner import CACHED, DONE
from cinefile.daemon.generate.writeback import text_with_asset
from fake_replicate import COLLECTIONS
from generate_fixtures import clock, fake, generator, keys  # noqa: F401  (fixtures)
from PIL import Image

URI = {"type": "string", "format": "uri"}
URIS = {"type": "array", "items": URI}
MARA, DECK, COAT, COMPASS = (200, 40, 40), (40, 160, 60), (40, 60, 200), (230, 200, 40)


def png(colour: tuple[int, int, int], size: tuple[int, int] = (32, 18)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def noise_png(size: int = 400) -> bytes:
    """An image too big for a data: URI (over 256 KB): noise does not compress."""
    out = io.BytesIO()
    Image.frombytes("RGB", (size, size), os.urandom(size * size * 3)).save(out, format="PNG")
    return out.getvalue()


def approve_look(project, index, block_id: str, data: bytes) -> str:
    """Give a design block a still of these bytes and approve it, as `cinefile approve` does."""
    api = ProjectAPI(project, index=index)
    asset = AssetStore(project.root).put(data, "a test still")
    current = api.read(block_id)
    api.apply([FileChange(current.path, current.text, text_with_asset(current.text, current.path, asset, "still"))])
    api.approve([block_id], asset=asset.sha256)
    return asset.sha256


def name_dependencies(project, index, shot: str, dependencies: str) -> None:
    api = ProjectAPI(project, index=index)
    current = api.read(shot)
    start = current.text.index("dependencies:")
    end = current.text.index("\n", start)
    new = current.text[:start] + f"dependencies: {dependencies}" + current.text[end:]
    api.apply([FileChange(current.path, current.text, new)])


def image_inputs(monkeypatch, properties: dict) -> None:
    """google/nano-banana in the fake, with its reference input replaced by `properties`."""
    model = next(m for m in COLLECTIONS["text-to-image"] if m["name"] == "nano-banana")
    schema = model["latest_version"]["openapi_schema"]["components"]["schemas"]["Input"]["properties"]
    monkeypatch.delitem(schema, "image_input")
    for name, spec in properties.items():
        monkeypatch.setitem(schema, name, spec)


@pytest.fixture
def looks(sample, index_of):
    """shot-1a names, out of order, a prop, a costume, a location, a character and the style
    guide; all but the style guide have an approved still. Returns their hashes by id."""
    index = index_of(sample)
    name_dependencies(sample, index, "shot-1a", "[brass-compass, mara-raincoat, ferry-deck, mara, style-guide]")
    found = {block: approve_look(sample, index, block, png(colour))
             for block, colour in (("mara", MARA), ("ferry-deck", DECK), ("mara-raincoat", COAT),
                                   ("brass-compass", COMPASS))}
    approve_look(sample, index, "style-guide", png((0, 0, 0)))
    return found


def data_of(uri: str) -> bytes:
    return base64.b64decode(uri.split(",", 1)[1])


# -- which input takes them ------------------------------------------------------------------


def test_the_reference_input_is_read_from_the_schema():
    assert reference_field({"prompt": {}, "image_input": URIS}).name == "image_input"
    assert reference_field({"input_images": URIS | {"maxItems": 3}}).capacity == 3
    single = reference_field({"input_image": URI})
    assert (single.name, single.many, single.capacity) == ("input_image", False, 1)
    assert reference_field({"subject_reference": URI}).name == "subject_reference"
    assert reference_field({"reference_image_urls": URIS}).name == "reference_image_urls"  # named like them
    # A start image for image-to-image is no reference, nor is an input of another shape.
    assert reference_field({"image": URI, "mask": URI}) is None
    assert reference_field({"image_input": {"type": "string"}, "images": {"type": "integer"}}) is None
    assert reference_field({}) is None


def test_fitting_respects_max_items_and_a_single_input():
    images = [ReferenceImage(k, t, k.title(), c * 64) for k, t, c in
              (("mara", "character", "a"), ("deck", "location", "b"), ("coat", "costume", "c"))]
    two = ModelInfo("x/two", "replicate", "image", False, inputs={"images": URIS | {"maxItems": 2}})
    fitted = fit_references(two, images, "final", [])
    assert fitted.inputs == {"images": ["asset:" + "a" * 64, "asset:" + "b" * 64]}
    assert [i.id for i in fitted.images] == ["mara", "deck"]
    assert fitted.note == "2 of 3 reference images: `x/two` takes at most 2; left out: coat"
    one = ModelInfo("x/one", "replicate", "image", False, inputs={"input_image": URI})
    assert fit_references(one, images, "final", []).inputs == {"input_image": "asset:" + "a" * 64}
    assert fit_references(None, images, "draft", []).images == images  # the mock takes them all


# -- through Replicate -----------------------------------------------------------------------


def test_a_shot_still_goes_with_its_approved_looks_in_order(sample, generator, fake, looks):
    """Final mode: the most-run final model that takes references (not the usual pick, run
    more, which takes none); characters, locations, costumes, props; the style guide is no look."""
    gen = generator()
    job = gen.plan("shot-1a", "image", "final")
    assert job.model == "google/nano-banana"
    order = ["mara", "ferry-deck", "mara-raincoat", "brass-compass"]
    assert [image.id for image in job.reference_images] == order
    assert job.params["image_input"] == [f"asset:{looks[k]}" for k in order]
    assert set(job.inputs) == set(looks.values())
    assert job.to_json()["reference_images"][0] == {"id": "mara", "type": "character", "title": "Mara",
                                                    "sha256": looks["mara"]}
    outcome = gen.run(job)
    assert outcome.status == DONE, outcome.message
    sent = fake.bodies[-1]["input"]["image_input"]
    assert [data_of(uri) for uri in sent] == [png(c) for c in (MARA, DECK, COAT, COMPASS)]
    assert "seed" not in fake.bodies[-1]["input"]  # only what the schema lists
    # Only a shot's still takes references: a costume's own look keeps the usual pick, run more.
    costume = gen.plan("mara-raincoat", "image", "final")
    assert costume.model == gen.catalog.choose("image", "final", None).id != "google/nano-banana"
    assert costume.reference_images == []


def test_a_model_that_takes_none_keeps_the_text_only_path_with_a_note(sample, index_of, fake, keys, looks):
    api = ProjectAPI(sample, index=index_of(sample))
    plan = api.plan_generation([("shot-1a", "image"), ("shot-1b", "image")], keys=keys)  # draft: flux-schnell
    assert [job.model for job in plan.jobs] == ["black-forest-labs/flux-schnell"] * 2
    assert all(job.reference_images == [] and "image_input" not in job.params for job in plan.jobs)
    assert plan.notes == [("shot-1a, shot-1b: no reference images: `black-forest-labs/flux-schnell` takes none; "
                           "set [models.draft] image in cinefile.toml to one that does, e.g. google/nano-banana")]
    config = sample.root / "cinefile.toml"
    config.write_text(config.read_text().replace('# image = "black-forest-labs/flux-1.1-pro"',
                                                 'image = "black-forest-labs/flux-1.1-pro"'))
    with ProjectAPI.open(sample.root) as reopened:  # reads cinefile.toml afresh
        final = reopened.plan_generation([("shot-1b", "image")], "final", keys=keys)
    assert final.jobs[0].model == "black-forest-labs/flux-1.1-pro" and final.jobs[0].reference_images == []
    assert final.to_json()["notes"] == [("shot-1b: no reference images: `black-forest-labs/flux-1.1-pro` takes none; "
                                         "set [models] image in cinefile.toml to one that does, e.g. google/nano-banana")]


def test_max_items_is_respected(sample, generator, fake, looks, monkeypatch):
    image_inputs(monkeypatch, {"image_input": URIS | {"maxItems": 2}})
    gen = generator()
    job = gen.plan("shot-1a", "image", "final")
    assert [image.id for image in job.reference_images] == ["mara", "ferry-deck"]
    assert job.notes == [("2 of 4 reference images: `google/nano-banana` takes at most 2; "
                          "left out: mara-raincoat, brass-compass")]
    assert set(job.inputs) == {looks["mara"], looks["ferry-deck"]}
    outcome = gen.run(job)
    assert outcome.status == DONE, outcome.message  # four would be refused with a 422
    assert len(fake.bodies[-1]["input"]["image_input"]) == 2


def test_a_single_reference_input_takes_the_first_look(sample, generator, fake, looks, monkeypatch):
    image_inputs(monkeypatch, {"input_image": URI})
    gen = generator()
    job = gen.plan("shot-1a", "image", "final")
    assert job.params["input_image"] == f"asset:{looks['mara']}"
    assert gen.run(job).status == DONE
    assert data_of(fake.bodies[-1]["input"]["input_image"]) == png(MARA)


def test_a_big_look_goes_up_through_the_files_api(sample, generator, fake, index_of):
    big = noise_png()
    assert len(big) > 256 * 1024
    approve_look(sample, index_of(sample), "mara", big)
    gen = generator()
    job = gen.plan("shot-1b", "image", "final")  # names mara and mara-raincoat, which has no look
    assert [image.id for image in job.reference_images] == ["mara"]
    assert gen.run(job).status == DONE
    assert len(fake.uploads) == 1
    assert fake.bodies[-1]["input"]["image_input"] == [f"https://api.replicate.com/v1/files/{fake.uploads[0]}"]


# -- a new look ------------------------------------------------------------------------------


def test_a_new_look_is_a_new_request_and_makes_the_shot_stale(sample, generator, index_of, looks):
    gen = generator(mock=True)
    api = ProjectAPI(sample, index=gen.index)
    first = gen.plan("shot-1a", "image")
    assert first.provider == "mock" and len(first.reference_images) == 4
    made = gen.run(first)
    assert made.status == DONE
    assert gen.run(gen.plan("shot-1a", "image")).status == CACHED
    api.mark_fresh(stale=True)  # the sample's edits, and the looks just approved, reviewed
    assert "shot-1a" not in {row["id"] for row in api.status().stale}

    approve_look(sample, gen.index, "mara", png((250, 250, 250)))
    stale = {row["id"]: row for row in api.status().stale}
    assert stale["shot-1a"]["cause"] == "mara"
    again = gen.plan("shot-1a", "image")
    assert again.cache_key != first.cache_key
    outcome = gen.run(again)
    assert outcome.status == DONE and outcome.assets != made.assets  # not the still made from the old look


def test_the_mock_draws_the_looks_it_was_given(sample, generator, index_of):
    gen = generator(mock=True)
    plain = gen.run(gen.plan("shot-1b", "image"))
    mara = approve_look(sample, gen.index, "mara", png(MARA))
    coat = approve_look(sample, gen.index, "mara-raincoat", png(COAT))
    job = gen.plan("shot-1b", "image")
    assert list(job.inputs) == [mara, coat]
    with_looks = gen.run(job)
    assert with_looks.assets != plain.assets
    store = AssetStore(sample.root)
    image = Image.open(store.path_of(store.find(with_looks.assets[0]))).convert("RGB")
    # Along the bottom right, in order: mara's look, then the costume's.
    assert image.getpixel((640 - 2 * 104 + 48, 360 - 54 - 22 + 27)) == MARA
    assert image.getpixel((640 - 104 + 48, 360 - 54 - 22 + 27)) == COAT
    approve_look(sample, gen.index, "mara", png((250, 250, 250)))
    assert gen.run(gen.plan("shot-1b", "image")).assets != with_looks.assets


# -- what the plan shows -----------------------------------------------------------------------


def test_the_dry_run_lists_the_references(sample, cli, fake, looks):
    result = cli("generate", "shot-1a", "--kind", "image", "--dry-run", cwd=sample.root)
    assert result.exit_code == 0, result.output
    line = (f"with 4 references: mara (character, {looks['mara'][:12]}), ferry-deck (location, "
            f"{looks['ferry-deck'][:12]}), mara-raincoat (costume, {looks['mara-raincoat'][:12]}), "
            f"brass-compass (prop, {looks['brass-compass'][:12]})")
    lines = result.stdout.splitlines()
    assert lines[0].startswith("== shot-1a (image, draft) -> mock mock") and lines[1] == line


def test_the_editor_action_says_how_many_references(sample, index_of, fake):
    from cinefile.daemon.lsp.generation import generate_actions

    index = index_of(sample)
    approve_look(sample, index, "mara", png(MARA))
    api = ProjectAPI(sample, index=index)
    node = types.SimpleNamespace(id="shot-1b", type="shot", path="shooting/shot-1b.md", content_hash="h")
    model = types.SimpleNamespace(generation=1, owns=lambda n: True, buffers={}, disk={})
    ls = types.SimpleNamespace(api=api, keys={}, model=model, estimates={},
                               lines_of=lambda path: (sample.root / path).read_text().splitlines(True))
    titles = [action.title for action in generate_actions(ls, node)]
    assert "Generate still (draft) with 1 reference · mock, free" in titles
    assert "Generate audio (ambience) (draft) · mock, free" in titles
    approve_look(sample, index, "mara-raincoat", png(COAT))
    model.generation = 2  # the server bumps it on every change: a new look is seen
    assert "Generate still (draft) with 2 references · mock, free" in [a.title for a in generate_actions(ls, node)]


def test_the_studio_storyboard_says_which_looks_the_next_still_goes_with(sample, index_of, fake, tmp_path, monkeypatch):
    import cinefile.studio
    from cinefile.studio.context import ROOT_VARIABLE, forget_project
    from streamlit.testing.v1 import AppTest

    mara = approve_look(sample, index_of(sample), "mara", png(MARA))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv(ROOT_VARIABLE, str(sample.root))
    try:
        at = AppTest.from_file(str(Path(cinefile.studio.__file__).parent / "app.py"), default_timeout=30).run()
        at.switch_page("views/generate.py").run()
        assert not at.exception, at.exception
        captions = [caption.value for caption in at.caption]
        assert f"Next still with 1 reference: mara (character, {mara[:12]})" in captions
    finally:
        forget_project()
