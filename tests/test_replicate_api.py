"""Replicate as the real service behaves: community models run by version, outputs of any
shape, `Prefer: wait` answers without metrics, costs billed per output or by GPU time, the
base URL as Replicate's client reads it, paid work that is never paid for twice, and
predictions never left running unseen."""

from __future__ import annotations

import hashlib
import json
import struct
import wave
from io import BytesIO

import httpx
import pytest

from cinefile.daemon.generate.costs import price_text, replicate_price
from cinefile.daemon.generate.duration import seconds_of
from cinefile.daemon.generate.providers import replicate
from cinefile.daemon.generate.providers.replicate_output import media_urls, requested_seconds
from cinefile.daemon.generate.runner import CANCELLED, DONE, FAILED

from fake_apis import PNG, REPLICATE_KEY, WAV, Reply, problem
from fake_replicate import CDN_HOST, MP4_5S, mp4_lasting
from generate_fixtures import clock, fake, generator, keys  # noqa: F401  (fixtures)

L40S, A100 = 0.000975, 0.0014


def version_of(model_id: str) -> str:
    return hashlib.sha256(model_id.encode()).hexdigest()  # as the fake makes them


def creates(fake) -> list:
    return [c for c in fake.calls("POST", "/predictions") if not c[1].endswith("/cancel")]


def configure(sample, text: str) -> None:
    (sample.root / "cinefile.toml").write_text('name = "Night Ferry"\n' + text)


# -- community models ------------------------------------------------------------------------

def test_the_fake_runs_community_models_by_version_only(fake):
    kokoro = "jaaari/kokoro-82m"
    with httpx.Client(transport=fake.transport(), base_url="https://api.replicate.com/v1",
                      headers={"Authorization": f"Bearer {REPLICATE_KEY}"}) as api:
        by_name = api.post(f"/models/{kokoro}/predictions", json={"input": {"text": "hi"}})
        bare = api.post("/predictions", json={"version": kokoro, "input": {"text": "hi"}})
        unknown = api.post("/predictions", json={"version": f"{kokoro}:{'0' * 64}", "input": {"text": "hi"}})
        by_version = api.post("/predictions", json={"version": f"{kokoro}:{version_of(kokoro)}", "input": {"text": "hi"}})
        by_id = api.post("/predictions", json={"version": version_of(kokoro), "input": {"text": "hi"}})
        official = api.post("/predictions", json={"version": "black-forest-labs/flux-schnell", "input": {"prompt": "x"}})
    assert by_name.status_code == 404 and by_name.headers["content-type"] == "application/problem+json"
    assert bare.status_code == 422 and bare.json()["title"] == "Invalid version or not permitted"
    assert unknown.status_code == 422
    assert by_version.status_code == by_id.status_code == official.status_code == 201
    assert by_version.json()["version"] == version_of(kokoro) and official.json()["version"] == "hidden"


def test_the_catalogue_reads_official_and_version(sample, generator, fake):
    gen = generator()
    images = {m.id: m for m in gen.catalog.models("image")}
    assert images["black-forest-labs/flux-schnell"].official is True
    sd = images["stability-ai/stable-diffusion"]
    assert sd.official is False and sd.version == version_of("stability-ai/stable-diffusion")


def test_a_final_still_from_a_community_model_runs_by_version_and_bills_gpu_time(sample, generator, fake):
    gen = generator()
    job = gen.plan("shot-1a", "image", "final")
    assert job.model == "stability-ai/stable-diffusion"  # run more than any official final model
    assert job.estimate == pytest.approx(A100 * 15)  # GPU time on an A100 (80GB), about 15 s
    outcome = gen.run(job)
    assert outcome.status == DONE, outcome.message
    [create] = creates(fake)
    assert create[1] == "https://api.replicate.com/v1/predictions"
    assert fake.bodies[-1]["version"] == f"stability-ai/stable-diffusion:{version_of('stability-ai/stable-diffusion')}"
    assert fake.calls("GET", "/v1/models/") == []  # the catalogue said how to run it
    assert outcome.cost == pytest.approx(A100 * fake.predict_time)
    [line] = gen.ledger.entries()
    assert line["cost"] == pytest.approx(A100 * fake.predict_time) and line["prediction_id"] in fake.predictions


def test_a_configured_community_model_is_run_by_its_latest_version(sample, generator, fake):
    configure(sample, '[models]\nimage = "stability-ai/sdxl"\n')
    gen = generator()
    outcome = gen.run(gen.plan("shot-1a", "image", "final"))
    assert outcome.status == DONE, outcome.message
    assert fake.bodies[-1]["version"] == f"stability-ai/sdxl:{version_of('stability-ai/sdxl')}"
    assert not fake.calls("POST", "/v1/models/stability-ai/sdxl/predictions")


def test_a_configured_version_goes_to_predictions(sample, generator, fake):
    pinned = f"stability-ai/sdxl:{version_of('stability-ai/sdxl')}"
    configure(sample, f'[models]\nimage = "{pinned}"\n')
    gen = generator()
    outcome = gen.run(gen.plan("shot-1a", "image", "final"))
    assert outcome.status == DONE, outcome.message
    assert fake.bodies[-1]["version"] == pinned and creates(fake)[0][1].endswith("/v1/predictions")


def test_a_catalogue_cached_by_an_older_cinefile_still_loads_and_runs(sample, generator, fake):
    gen = generator()
    gen.catalog.models("speech")
    with gen.index.write() as db:  # as an older cinefile wrote it: no `official`, no `version`
        row = db["model_catalog"].get("speech")
        old = [{k: v for k, v in m.items() if k not in ("official", "version")} for m in json.loads(row["data"])]
        db["model_catalog"].upsert({"kind": "speech", "fetched_at": row["fetched_at"], "data": json.dumps(old)}, pk="kind")
    kokoro = next(m for m in gen.catalog.cached("speech")[1] if m.id == "jaaari/kokoro-82m")
    assert kokoro.official is None and kokoro.version is None
    outcome = gen.run(gen.plan("scene-1", "audio", "final"))
    assert outcome.status == DONE, outcome.message  # looked up, then run by version
    assert len(fake.calls("GET", "/v1/models/jaaari/kokoro-82m")) == 1
    assert fake.bodies[-1]["version"] == f"jaaari/kokoro-82m:{version_of('jaaari/kokoro-82m')}"


# -- outputs of any shape --------------------------------------------------------------------

def test_media_is_found_in_any_output_shape():
    url, thumb = "https://replicate.delivery/a/out.mp4", "https://replicate.delivery/a/thumb.png"
    assert media_urls(url, "video") == [url] and media_urls([url, thumb], "video") == [url, thumb]
    assert media_urls("data:audio/wav;base64,AAAA", "audio") == ["data:audio/wav;base64,AAAA"]
    assert media_urls({"thumbnail": thumb, "video": url}, "video") == [url, thumb]
    assert media_urls({"spectrogram": thumb, "audio_out": url}, "audio") == [url, thumb]
    assert media_urls({"seed": 7, "text": "a caption", "files": [{"urls": [[url]]}]}, "video") == [url]
    assert media_urls({"text": "no files"}, "image") == [] and media_urls(None, "image") == []
    assert requested_seconds({"duration": 15}) == 15 and requested_seconds({"num_frames": 81, "frames_per_second": 16}) \
        == pytest.approx(81 / 16) and requested_seconds({"prompt": "x"}) is None


@pytest.mark.parametrize("shape", ["object", "nested"])
def test_an_object_output_is_stored_by_its_media(sample, generator, fake, shape):
    fake.output_shapes["wan-video/wan-2.2-t2v-fast"] = shape
    gen = generator()
    outcome = gen.run(gen.plan("ferry-deck", "video"))
    assert outcome.status == DONE, outcome.message
    assert (sample.root / "assets" / f"{outcome.assets[0]}.mp4").read_bytes() == MP4_5S  # not the thumbnail


def test_an_audio_object_output_is_stored(sample, generator, fake):
    fake.output_shapes["jaaari/kokoro-82m"] = "object"
    gen = generator()
    outcome = gen.run(gen.plan("scene-1", "audio", "final"))
    assert outcome.status == DONE, outcome.message
    assert (sample.root / "assets" / f"{outcome.assets[0]}.wav").read_bytes() == WAV


# -- Prefer: wait, answered while processing -------------------------------------------------

def test_a_processing_answer_with_output_is_billed_per_image(sample, generator, fake):
    fake.wait_answers_early = True
    gen = generator()
    outcome = gen.run(gen.plan("shot-1a", "image"))
    assert outcome.status == DONE and outcome.cost == pytest.approx(0.003)
    assert gen.ledger.entries()[0]["cost"] == pytest.approx(0.003)
    assert fake.calls("GET", "/v1/predictions/") == []  # per image: the output says what it cost


def test_a_processing_answer_polls_on_for_the_gpu_time_after_the_download(sample, generator, fake):
    fake.wait_answers_early = True
    gen = generator()
    outcome = gen.run(gen.plan("shot-1a", "image", "final"))  # a community model: GPU time
    assert outcome.status == DONE, outcome.message
    assert outcome.cost == pytest.approx(A100 * fake.predict_time) and outcome.cost > 0
    urls = [c[1] for c in fake.log]
    download = next(i for i, u in enumerate(urls) if CDN_HOST in u)
    poll = next(i for i, u in enumerate(urls) if "/v1/predictions/gm3" in u)
    assert download < poll  # the files first: they expire
    [line] = gen.ledger.entries()
    assert line["cost"] == pytest.approx(A100 * fake.predict_time) and "cost_estimated" not in line


def test_without_metrics_the_cost_is_the_estimate_and_marked_so(sample, generator, fake, clock):
    fake.wait_answers_early = True
    fake.queued["get"] += [problem(503, "Service unavailable", "x")] * 4  # the poll for metrics fails
    gen = generator()
    outcome = gen.run(gen.plan("shot-1a", "image", "final"))
    assert outcome.status == DONE and outcome.cost == pytest.approx(A100 * 15)
    [line] = gen.ledger.entries()
    assert line["cost"] == pytest.approx(A100 * 15) and line["cost_estimated"] is True
    assert sum(clock.slept) <= replicate.METRICS_WAIT_S + 0.5  # briefly


# -- cost the way it is billed ---------------------------------------------------------------

def test_official_video_is_billed_per_second_of_output(sample, generator, fake):
    fake.video = mp4_lasting(8)
    gen = generator()
    job = gen.plan("ferry-deck", "video")
    assert job.model == "wan-video/wan-2.2-t2v-fast" and job.estimate == pytest.approx(0.01 * 5)
    outcome = gen.run(job)
    assert outcome.status == DONE and outcome.cost == pytest.approx(0.01 * 8)  # read from the MP4's mvhd


def test_official_audio_is_billed_per_second_of_output(sample, generator, fake):
    gen = generator()
    job = gen.plan("scene-1", "audio")
    assert job.model == "x-lance/fast-tts"
    outcome = gen.run(job)
    assert outcome.status == DONE and outcome.cost == pytest.approx(0.001 * 1.2)  # the WAV plays 1.2 s


def test_prices_in_cinefile_toml_override_in_any_unit(sample, generator, fake):
    configure(sample, '[prices."wan-video/wan-2.2-t2v-fast"]\nper_output_second = 0.2\n'
                      '[prices."black-forest-labs/flux-schnell"]\nper_gpu_second = 0.001\nseconds = 3\n'
                      '[prices."stackadoc/stable-audio-turbo"]\nper_second = 0.004\n')
    gen = generator()
    video = gen.plan("ferry-deck", "video")
    assert video.estimate == pytest.approx(0.2 * 5) and gen.run(video).cost == pytest.approx(0.2 * 5)
    still = gen.plan("shot-1a", "image")
    assert still.estimate == pytest.approx(0.003) and gen.run(still).cost == pytest.approx(0.001 * fake.predict_time)
    music = gen.plan("ferry-deck", "audio")  # per_second: the older name of per_gpu_second
    assert music.estimate == pytest.approx(0.004 * 15) and gen.run(music).cost == pytest.approx(0.004 * fake.predict_time)


def test_prices_shown_in_the_unit_billed(sample, generator, fake):
    gen = generator()
    images = {m.id: m for m in gen.catalog.models("image")}
    assert price_text(gen.settings, images["black-forest-labs/flux-schnell"]) == "$0.0030/image (table)"
    assert price_text(gen.settings, images["stability-ai/stable-diffusion"]) == "$0.0014/s of GPU time (table)"
    music = {m.id: m for m in gen.catalog.models("music")}
    assert price_text(gen.settings, music["stackadoc/stable-audio-turbo"]) == "$0.000975/s of GPU time (table)"
    video = {m.id: m for m in gen.catalog.models("video")}
    assert price_text(gen.settings, video["minimax/video-01"]) == "$0.1000/s of output (table)"
    assert replicate_price(gen.settings, "some/model", "image", "draft") == {"per_image": 0.003}


def test_duration_is_read_from_mp4_and_wav_headers(tmp_path):
    def write(name: str, data: bytes):
        (tmp_path / name).write_bytes(data)
        return tmp_path / name

    assert seconds_of(write("a.mp4", mp4_lasting(7)), "video/mp4") == 7  # moov after mdat
    mvhd1 = struct.pack(">B3xQQIQ", 1, 0, 0, 600, 600 * 12) + b"\x00" * 80  # version 1: 64-bit fields
    moov = struct.pack(">I4sI4s", 16 + len(mvhd1), b"moov", 8 + len(mvhd1), b"mvhd") + mvhd1
    assert seconds_of(write("b.mov", MP4_5S[:24] + moov), "video/quicktime") == 12
    out = BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(2), wav.setsampwidth(2), wav.setframerate(8000), wav.writeframes(b"\x00" * 4 * 8000 * 3)
    assert seconds_of(write("c.wav", out.getvalue()), "audio/wav") == 3
    assert seconds_of(write("d.mp4", MP4_5S[:24]), "video/mp4") is None
    assert seconds_of(write("e.png", PNG), "image/png") is None


# -- REPLICATE_BASE_URL ----------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    (None, "https://api.replicate.com/v1"),
    ("https://api.replicate.com", "https://api.replicate.com/v1"),
    ("http://127.0.0.1:8123/", "http://127.0.0.1:8123/v1"),
    ("https://proxy.example/v1/", "https://proxy.example/v1"),
])
def test_the_base_url_is_the_host_as_in_replicates_client(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv("REPLICATE_BASE_URL", raising=False)
    else:
        monkeypatch.setenv("REPLICATE_BASE_URL", value)
    assert replicate.base_url() == expected


def test_a_host_base_url_reaches_the_api(sample, generator, fake, monkeypatch):
    monkeypatch.setenv("REPLICATE_BASE_URL", "https://api.replicate.com")
    gen = generator()
    outcome = gen.run(gen.plan("shot-1a", "image"))
    assert outcome.status == DONE, outcome.message
    assert creates(fake)[0][1] == "https://api.replicate.com/v1/models/black-forest-labs/flux-schnell/predictions"
    assert replicate.private_host("http://127.0.0.1:9/v1") and replicate.private_host("http://localhost:9")
    assert not replicate.private_host("https://api.replicate.com/v1")


# -- paid work that is not lost --------------------------------------------------------------

def test_a_failed_download_is_recorded_and_fetched_again_without_paying_twice(sample, generator, fake):
    fake.cdn_failures = [502]
    gen = generator()
    job = gen.plan("shot-1a", "image")
    first = gen.run(job)
    assert first.status == FAILED and "downloading the output failed (HTTP 502)" in first.message
    assert "Replicate keeps its output for about an hour: generate again to fetch it at no new cost" in first.message
    [line] = gen.ledger.entries()
    prediction_id = line["prediction_id"]
    assert line["stored"] is False and line["cost"] == pytest.approx(0.003) and first.cost == pytest.approx(0.003)
    assert gen.cache.pending(job.cache_key)["prediction_id"] == prediction_id
    again = gen.run(gen.plan("shot-1a", "image"))
    assert again.status == DONE and again.cost == 0 and prediction_id in again.message
    assert len(creates(fake)) == 1 and fake.calls("GET", f"/v1/predictions/{prediction_id}")
    assert len(gen.ledger.entries()) == 1 and gen.cache.pending(job.cache_key) is None
    assert gen.cache.get(job.cache_key)["assets"][0]["sha256"] == again.assets[0]
    assert gen.run(gen.plan("shot-1a", "image")).status == "cached"


def test_an_expired_prediction_is_said_and_made_anew(sample, generator, fake):
    fake.cdn_failures = [502]
    gen = generator()
    gen.run(gen.plan("shot-1a", "image"))
    fake.expire(gen.ledger.entries()[0]["prediction_id"])
    again = gen.run(gen.plan("shot-1a", "image"))
    assert again.status == DONE and "is no longer on Replicate" in again.message and "a new one was made" in again.message
    assert len(creates(fake)) == 2 and len(gen.ledger.entries()) == 2 and again.cost == pytest.approx(0.003)


@pytest.mark.parametrize("status", [404, 410])
def test_an_output_file_gone_is_made_anew(sample, generator, fake, status):
    fake.cdn_failures = [502, status]
    gen = generator()
    gen.run(gen.plan("shot-1a", "image"))
    again = gen.run(gen.plan("shot-1a", "image"))
    assert again.status == DONE and "a new one was made" in again.message and len(creates(fake)) == 2


def test_a_prediction_not_found_is_made_anew(sample, generator, fake):
    fake.cdn_failures = [502]
    gen = generator()
    gen.run(gen.plan("shot-1a", "image"))
    fake.predictions.clear()  # GET /predictions/{id} answers 404
    again = gen.run(gen.plan("shot-1a", "image"))
    assert again.status == DONE and "a new one was made" in again.message and len(creates(fake)) == 2


def test_an_abort_during_the_download_keeps_what_was_paid(sample, generator, fake):
    gen = generator()
    fake.on_request = lambda request: gen.cancel.set() if request.url.host == CDN_HOST else None
    job = gen.plan("shot-1a", "image")
    outcome = gen.run(job)
    assert outcome.status == CANCELLED and "cancelled during the download" in outcome.message
    [line] = gen.ledger.entries()
    assert line["stored"] is False and gen.cache.pending(job.cache_key) is not None
    fake.on_request = None
    again = generator()
    assert again.run(again.plan("shot-1a", "image")).status == DONE
    assert len(creates(fake)) == 1 and len(again.ledger.entries()) == 1


@pytest.mark.parametrize("output", ["huge", "garbage"])
def test_output_over_the_limit_or_not_media_is_recorded_as_paid(sample, generator, fake, output):
    configure(sample, "[generate]\nmax_download_mb = 1\n")
    fake.output = output
    gen = generator()
    job = gen.plan("shot-1a", "image")
    assert gen.run(job).status == FAILED
    [line] = gen.ledger.entries()
    assert line["stored"] is False and gen.cache.pending(job.cache_key) is not None


def test_force_makes_a_new_prediction_even_with_one_pending(sample, generator, fake):
    fake.cdn_failures = [502]
    gen = generator()
    gen.run(gen.plan("shot-1a", "image"))
    forced = generator(force=True)
    assert forced.run(forced.plan("shot-1a", "image")).status == DONE and len(creates(fake)) == 2


# -- predictions never left running unseen ---------------------------------------------------

def test_polling_that_keeps_failing_cancels_the_prediction(sample, generator, fake):
    fake.wait_finishes = False
    fake.queued["get"] += [problem(503, "Service unavailable", "x")] * 4  # the first try and 3 retries
    gen = generator()
    outcome = gen.run(gen.plan("shot-1a", "image"))
    assert outcome.status == FAILED and "Replicate is unavailable (503" in outcome.message
    assert len(fake.cancelled) == 1 and f"prediction {fake.cancelled[0]} was cancelled" in outcome.message


@pytest.mark.parametrize("garbage", [Reply(200, b"<html>gateway</html>"), Reply(200, {"id": "x"}), Reply(200, [])])
def test_a_garbage_poll_answer_cancels_the_prediction(sample, generator, fake, garbage):
    fake.wait_finishes = False
    fake.queued["get"].append(garbage)
    gen = generator()
    outcome = gen.run(gen.plan("shot-1a", "image"))
    assert outcome.status == FAILED and "Replicate sent a malformed response" in outcome.message
    assert len(fake.cancelled) == 1 and "was cancelled, so it costs nothing more" in outcome.message


@pytest.mark.parametrize("answer", [Reply(201, b'{"id": "abc", "stat'), Reply(201, {"status": "starting"})])
def test_an_unreadable_create_answer_says_a_prediction_may_still_run(sample, generator, fake, answer):
    fake.queued["create"].append(answer)
    gen = generator()
    outcome = gen.run(gen.plan("shot-1a", "image"))
    assert outcome.status == FAILED and "Replicate sent a malformed response" in outcome.message
    assert "may still run and cost; check https://replicate.com/predictions" in outcome.message
    assert len(creates(fake)) == 1  # not sent again


def test_a_lost_create_answer_says_a_prediction_may_have_started(sample, generator, fake):
    def time_out(request: httpx.Request) -> None:
        if request.method == "POST" and request.url.path.endswith("/predictions"):
            raise httpx.ReadTimeout("timed out")

    fake.on_request = time_out
    gen = generator()
    outcome = gen.run(gen.plan("shot-1a", "image"))
    assert outcome.status == FAILED and "network timeout" in outcome.message
    assert "a prediction may have started anyway and may cost: check https://replicate.com/predictions" in outcome.message
