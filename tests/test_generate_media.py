"""Stills, video and audio through Replicate, against the fake: predictions, polling, downloads."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from cinefile.daemon.api import ProjectAPI
from cinefile.daemon.generate import GenerationError
from cinefile.daemon.generate.runner import CANCELLED, DONE, FAILED
from cinefile.format.parse import parse_block

from fake_apis import PNG, REPLICATE_KEY, Reply, problem
from fake_replicate import MP4_5S
from generate_fixtures import clock, fake, generator, keys  # noqa: F401  (fixtures)


def approve(project, index, block_id: str) -> None:
    """Approve the block's newest still, through the project API as `cinefile approve` does."""
    ProjectAPI(project, index=index).approve([block_id])


def files_in_assets(project) -> list[str]:
    folder = project.root / "assets"
    return sorted(p.name for p in folder.iterdir() if p.is_file()) if folder.exists() else []


def media_in_assets(project) -> list[str]:
    return [n for n in files_in_assets(project) if not n.endswith(".jsonl")]


def test_still_is_stored_by_hash_linked_and_indexed(sample, generator, fake):
    gen = generator()
    job = gen.plan("shot-1a", "image")
    assert (job.provider, job.model) == ("replicate", "black-forest-labs/flux-schnell")  # draft by name
    assert job.params["aspect_ratio"] == "16:9" and job.params["prompt"] == job.prompt
    assert "Mara" in job.prompt and "sodium orange" in job.prompt  # made from its dependencies
    outcome = gen.run(job)
    assert outcome.status == DONE, outcome.message
    sha = outcome.assets[0]
    assert (sample.root / "assets" / f"{sha}.png").read_bytes() == PNG
    block = parse_block("shooting/shot-1a.md", (sample.root / "shooting/shot-1a.md").read_bytes())
    assert block.frontmatter["assets"] == [{"sha256": sha, "role": "still", "approved": False}]
    assert f"![Still {sha[:12]}: Wide on the car deck](../assets/{sha}.png)" in block.body
    [asset] = gen.index.query("SELECT * FROM assets")
    assert (asset["hash"], asset["path"], asset["mime_type"], asset["size_bytes"]) == (sha, f"assets/{sha}.png", "image/png", len(PNG))
    meta = json.loads(asset["meta_json"])
    assert meta["provider"] == "replicate" and meta["model"] == job.model and meta["seed"] == job.seed
    assert meta["prompt"] == job.prompt and meta["cost"] == 0.003 and meta["params"]["aspect_ratio"] == "16:9"
    [link] = gen.index.query("SELECT role, approved FROM block_assets")
    assert link == {"role": "still", "approved": 0}
    # Prefer: wait was asked for and honoured: no polling was needed.
    create = fake.calls("POST", "/predictions")[0]
    assert create[2]["prefer"] == "wait=5" and create[2]["authorization"] == f"Bearer {REPLICATE_KEY}"
    assert fake.calls("GET", "/v1/predictions/") == []
    # The download carried no key: output files live on other hosts.
    assert "authorization" not in fake.calls("GET", "replicate.delivery")[0][2]


def test_identical_bytes_are_stored_once(sample, generator, fake):
    gen = generator()
    first = gen.run(gen.plan("shot-1a", "image"))
    second = gen.run(gen.plan("shot-1b", "image"))
    assert first.assets == second.assets
    assert len([n for n in media_in_assets(sample) if n.endswith(".png")]) == 1


def test_image_polls_every_half_second_until_done(sample, generator, fake, clock):
    fake.wait_finishes = False
    fake.polls_to_finish = 3
    gen = generator()
    assert gen.run(gen.plan("shot-1a", "image")).status == DONE
    assert clock.slept == [0.5, 0.5, 0.5] and len(fake.calls("GET", "/v1/predictions/")) == 3


def test_video_needs_an_approved_still(sample, generator, fake):
    gen = generator()
    with pytest.raises(GenerationError, match=r"has no approved still.*cinefile approve shot-1a"):
        gen.plan("shot-1a", "video")
    gen.run(gen.plan("shot-1a", "image"))
    with pytest.raises(GenerationError, match="has no approved still"):
        gen.plan("shot-1a", "video")
    assert fake.calls("POST", "/predictions") and not any("wan" in c[1] for c in fake.log)


def test_video_starts_from_the_approved_still_found_in_the_schema(sample, generator, fake, clock, index_of):
    gen = generator()
    still = gen.run(gen.plan("shot-1a", "image")).assets[0]
    approve(gen.project, gen.index, "shot-1a")
    job = gen.plan("shot-1a", "video")
    assert job.model == "wan-video/wan-2.2-i2v-fast" and job.params["image"] == f"asset:{still}"
    assert job.inputs == (still,)
    clock.slept.clear()
    outcome = gen.run(job)
    assert outcome.status == DONE, outcome.message
    sent = fake.bodies[-1]["input"]["image"]
    assert sent == "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert clock.slept == [1.5, 1.5]  # video polls every 1.5 s
    assert (sample.root / "assets" / f"{outcome.assets[0]}.mp4").read_bytes() == MP4_5S  # a single-URL output
    final = gen.plan("shot-1a", "video", "final")
    assert final.model == "minimax/video-01" and final.params["first_frame_image"] == f"asset:{still}"


def test_audio_speaks_a_scenes_dialogue_and_scores_a_location(sample, generator, fake):
    gen = generator()
    speech = gen.plan("scene-1", "audio")
    assert speech.purpose == "speech" and speech.params["text"].startswith("Captain Ilse: That's the lot.")
    assert gen.run(speech).status == DONE
    music = gen.plan("ferry-deck", "audio")
    assert music.purpose == "music" and music.model == "stackadoc/stable-audio-turbo"  # draft by name
    assert "duration" not in music.params and "seed" not in music.params  # only what its schema takes
    assert gen.plan("ferry-deck", "audio", "final").params["duration"] == 15  # meta/musicgen takes it
    outcome = gen.run(music)  # a community model: billed by GPU time, on an L40S for a draft
    assert outcome.status == DONE and music.estimate == pytest.approx(0.000975 * 15)
    assert outcome.cost == pytest.approx(0.000975 * fake.predict_time)  # per second of predict_time


def test_a_model_failure_with_200_is_a_clear_error(sample, generator, fake):
    fake.prediction_ends = "failed"
    gen = generator()
    before = (sample.root / "shooting/shot-1a.md").read_bytes()
    outcome = gen.run(gen.plan("shot-1a", "image"))
    assert outcome.status == FAILED and "the model failed (CUDA out of memory)" in outcome.message
    assert (sample.root / "shooting/shot-1a.md").read_bytes() == before and media_in_assets(sample) == []


def test_422_invalid_input_is_not_retried(sample, generator, fake):
    fake.queued["create"].append(problem(422, "Input validation failed", "- input: prompt is required",
                                         invalid_fields=[{"type": "required", "field": "input", "description": "prompt is required"}]))
    gen = generator()
    outcome = gen.run(gen.plan("shot-1a", "image"))
    assert outcome.status == FAILED and "rejected the input (422: - input: prompt is required)" in outcome.message
    assert len(fake.calls("POST", "/predictions")) == 1


def test_the_fake_validates_input_against_the_schema(fake):
    with httpx.Client(transport=fake.transport(), headers={"Authorization": f"Bearer {REPLICATE_KEY}"}) as client:
        bad = client.post("https://api.replicate.com/v1/models/black-forest-labs/flux-schnell/predictions",
                          json={"input": {"num_outputs": 9}})
        good = client.post("https://api.replicate.com/v1/models/black-forest-labs/flux-schnell/predictions",
                           json={"input": {"prompt": "a corgi"}})
        extra = client.post("https://api.replicate.com/v1/predictions", json={"version": "x", "input": {}, "surprise": 1})
    assert bad.status_code == 422 and {f["type"] for f in bad.json()["invalid_fields"]} == {"required", "number"}
    assert good.status_code == 201 and good.json()["status"] == "starting"
    assert extra.status_code == 422 and bad.headers["content-type"] == "application/problem+json"


def test_bad_token_gets_401_and_no_retry(sample, generator, fake):
    from cinefile.daemon.generate.keys import Keys, Secret

    gen = generator(keys=Keys(None, Secret("r8_expired")))
    with pytest.raises(GenerationError, match=r"Replicate refused the API key \(You did not pass a valid authentication token\)"):
        gen.plan("shot-1a", "image")  # the catalog is read first
    assert len(fake.calls("GET", "/collections/text-to-image")) == 1


def test_no_credit_402_on_create(sample, generator, fake):
    fake.queued["create"].append(problem(402, "Insufficient credit", "You have insufficient credit to run this model."))
    gen = generator()
    outcome = gen.run(gen.plan("shot-1a", "image"))
    assert outcome.status == FAILED and "Replicate: no credit left (You have insufficient credit" in outcome.message
    assert len(fake.calls("POST", "/predictions")) == 1


def test_429_on_create_waits_the_body_retry_after(sample, generator, fake, clock):
    fake.queued["create"].append(Reply(429, {"detail": "Request was throttled. Your rate limit resets in ~30s.",
                                             "status": 429, "retry_after": 9}))
    gen = generator()
    assert gen.run(gen.plan("shot-1a", "image")).status == DONE
    assert clock.slept == [9.0] and len(fake.calls("POST", "/predictions")) == 2


def test_503_on_create_is_not_retried_but_503_and_504_on_get_are(sample, generator, fake, clock):
    fake.queued["create"].append(problem(503, "Service unavailable", "Try again"))
    gen = generator()
    outcome = gen.run(gen.plan("shot-1a", "image"))
    assert outcome.status == FAILED and "Replicate is unavailable (503" in outcome.message
    fake.wait_finishes = False
    fake.queued["get"] += [problem(503, "Service unavailable", "x"), problem(504, "Gateway timeout", "x")]
    assert gen.run(gen.plan("shot-1a", "image")).status == DONE


def test_data_uri_output_is_stored(sample, generator, fake):
    fake.output = "data"
    gen = generator()
    outcome = gen.run(gen.plan("shot-1a", "image"))
    assert outcome.status == DONE and (sample.root / "assets" / f"{outcome.assets[0]}.png").read_bytes() == PNG


def test_non_https_output_is_refused(sample, generator, fake):
    fake.output = "http"
    gen = generator()
    outcome = gen.run(gen.plan("shot-1a", "image"))
    assert outcome.status == FAILED and "not https (http:): refused" in outcome.message
    assert fake.calls("GET", "replicate.delivery") == [] and media_in_assets(sample) == []


def test_endless_download_stops_at_the_limit_and_leaves_nothing(sample, generator, fake):
    (sample.root / "cinefile.toml").write_text('name = "Night Ferry"\n[generate]\nmax_download_mb = 1\n')
    fake.output = "huge"
    gen = generator()
    before = (sample.root / "shooting/shot-1a.md").read_bytes()
    outcome = gen.run(gen.plan("shot-1a", "image"))
    assert outcome.status == FAILED and "over the 1 MB download limit" in outcome.message
    assert media_in_assets(sample) == []  # no temp file either (the ledger records what was paid)
    assert (sample.root / "shooting/shot-1a.md").read_bytes() == before


def test_output_that_is_no_media_is_refused(sample, generator, fake):
    fake.output = "garbage"
    gen = generator()
    outcome = gen.run(gen.plan("shot-1a", "image"))
    assert outcome.status == FAILED and "not an image, video or audio file" in outcome.message
    assert media_in_assets(sample) == []


def test_malformed_prediction_is_a_clear_error(sample, generator, fake):
    fake.queued["create"].append(Reply(201, b"{\"id\": \"abc\", \"stat"))
    gen = generator()
    outcome = gen.run(gen.plan("shot-1a", "image"))
    assert outcome.status == FAILED and "Replicate sent a malformed response (not JSON)" in outcome.message
    fake.output = "none"
    outcome = gen.run(gen.plan("shot-1a", "image"))
    assert outcome.status == FAILED and "a finished prediction with no output file" in outcome.message


def test_download_timeout_is_a_clear_error(sample, generator, fake):
    fake.on_request = lambda request: _raise_for_cdn(request)
    gen = generator()
    outcome = gen.run(gen.plan("shot-1a", "image"))
    assert outcome.status == FAILED and "network timeout while downloading" in outcome.message


def _raise_for_cdn(request: httpx.Request) -> None:
    if request.url.host == "replicate.delivery":
        raise httpx.ReadTimeout("timed out")


def test_deadline_cancels_the_prediction(sample, generator, fake, clock):
    fake.wait_finishes = False
    fake.polls_to_finish = 10**9
    gen = generator()
    outcome = gen.run(gen.plan("shot-1a", "image"))
    assert outcome.status == FAILED and "no result after 180 s; prediction gm3" in outcome.message
    assert "was cancelled, so it costs nothing more" in outcome.message
    assert len(fake.cancelled) == 1


def test_abort_cancels_the_remote_prediction_and_writes_nothing(sample, generator, fake):
    fake.wait_finishes = False
    gen = generator()
    fake.on_create = lambda prediction: gen.cancel.set()
    before = (sample.root / "shooting/shot-1a.md").read_bytes()
    outcome = gen.run(gen.plan("shot-1a", "image"))
    assert outcome.status == CANCELLED
    assert len(fake.cancelled) == 1 and fake.predictions[fake.cancelled[0]]["data"]["status"] == "canceled"
    assert (sample.root / "shooting/shot-1a.md").read_bytes() == before and media_in_assets(sample) == []


def test_unknown_replicate_model_is_a_clear_error(sample, generator, fake):
    (sample.root / "cinefile.toml").write_text('name = "Night Ferry"\n[models.draft]\nimage = "nobody/nothing"\n')
    gen = generator()
    with pytest.raises(GenerationError, match=r"Replicate: model `nobody/nothing` does not exist"):
        gen.plan("shot-1a", "image")


def test_configured_model_outside_the_collections_is_looked_up(sample, generator, fake):
    (sample.root / "cinefile.toml").write_text('name = "Night Ferry"\n[models]\nimage = "stability-ai/sdxl"\n')
    gen = generator()
    job = gen.plan("shot-1a", "image", "final")
    assert job.model == "stability-ai/sdxl" and set(job.params) == {"prompt", "seed"}
    assert len(fake.calls("GET", "/v1/models/stability-ai/sdxl")) == 1


def test_catalog_is_cached_in_the_db_until_its_ttl(sample, generator, fake):
    gen = generator()
    gen.plan("shot-1a", "image")
    gen.plan("shot-1b", "image")
    assert len(fake.calls("GET", "/collections/text-to-image")) == 1
    gen.catalog.now = lambda: 10**12  # far in the future: the cached list has expired
    gen.plan("shot-1a", "image")
    assert len(fake.calls("GET", "/collections/text-to-image")) == 2
    assert gen.index.query("SELECT kind FROM model_catalog ORDER BY kind") == [{"kind": "image"}]


def test_catalog_modes(sample, generator, fake):
    gen = generator()
    text = {m.id: m for m in gen.catalog.models("text")}
    assert text["meta-llama/llama-3.2-3b-instruct:free"].draft and text["cheap/tiny-model"].draft
    assert text["openai/gpt-4o-mini"].draft  # 0.00000075 per token, under 0.000001
    assert not text["anthropic/claude-sonnet-4.5"].draft and not text["openrouter/auto"].draft
    assert text["openrouter/auto"].price is None and "google/image-maker" not in text  # text output only
    video = {m.id: m for m in gen.catalog.models("video")}
    assert len(fake.calls("GET", "/collections/image-to-video")) == 1  # a 404 here: skipped
    assert video["wan-video/wan-2.2-t2v-fast"].draft and not video["minimax/video-01"].draft
    assert video["kwaivgi/kling-v2.1"].start_image_field == "start_image"
    assert gen.catalog.choose("video", "draft", None, start_image=False).id == "wan-video/wan-2.2-t2v-fast"


def test_location_video_is_text_to_video(sample, generator, fake):
    gen = generator()
    job = gen.plan("ferry-deck", "video")
    assert job.model == "wan-video/wan-2.2-t2v-fast" and job.inputs == () and "image" not in job.params
    assert gen.run(job).status == DONE


def test_a_new_still_does_not_make_dependents_stale_until_approved(sample, generator, fake):
    gen = generator()
    before = {r["key"]: r["state"] for r in gen.index.blocks()}
    outcome = gen.run(gen.plan("mara", "image"))  # scenes are made from Mara
    assert outcome.status == DONE
    assert {r["key"]: r["state"] for r in gen.index.blocks()} == before
    approve(gen.project, gen.index, "mara")
    assert gen.index.block("scene-1")["stale_cause"] == "mara"


def test_a_big_start_still_goes_up_through_the_files_api(sample, generator, fake, monkeypatch):
    from cinefile.daemon.generate.providers import replicate

    gen = generator()
    gen.run(gen.plan("shot-1a", "image"))
    approve(gen.project, gen.index, "shot-1a")
    monkeypatch.setattr(replicate, "MAX_DATA_URI_BYTES", len(PNG) - 1)  # as if the still were over 256 KB
    outcome = gen.run(gen.plan("shot-1a", "video"))
    assert outcome.status == DONE, outcome.message
    assert fake.uploads and fake.bodies[-1]["input"]["image"] == f"https://api.replicate.com/v1/files/{fake.uploads[0]}"
