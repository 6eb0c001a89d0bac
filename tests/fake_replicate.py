"""The Replicate half of the fake (see fake_apis.py): collections with input schemas,
predictions with their state machine, files, cancel, problem+json errors, and the output CDN."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import struct
from collections.abc import Callable
from typing import Any

import httpx
from fake_common import MP4, PNG, REPLICATE_KEY, WAV, Reply, _json_body

CDN_HOST = "replicate.delivery"
REP_HOST = "api.replicate.com"


def _schema(properties: dict, required: list[str]) -> dict:
    return {"components": {"schemas": {"Input": {"type": "object", "required": required, "properties": properties},
                                       "Output": {"type": "array", "items": {"type": "string", "format": "uri"}}}}}


FLUX_INPUT = {
    "prompt": {"type": "string"},
    "aspect_ratio": {"enum": ["1:1", "16:9", "21:9", "3:2", "2:3", "4:5", "5:4", "3:4", "4:3", "9:16", "9:21"],
                     "default": "1:1"},
    "num_outputs": {"type": "integer", "minimum": 1, "maximum": 4},
    "num_inference_steps": {"type": "integer", "minimum": 1, "maximum": 4},
    "seed": {"type": "integer"},
    "output_format": {"enum": ["webp", "jpg", "png"]},
    "output_quality": {"type": "integer", "minimum": 0, "maximum": 100},
    "go_fast": {"type": "boolean"},
    "megapixels": {"enum": ["1", "0.25"]},
}
SD_INPUT = {
    "prompt": {"type": "string"}, "negative_prompt": {"type": "string"},
    "width": {"enum": [512, 768, 1024]}, "height": {"enum": [512, 768, 1024]},
    "num_outputs": {"type": "integer", "minimum": 1, "maximum": 4}, "seed": {"type": "integer"},
}
WAN_INPUT = {
    "prompt": {"type": "string"}, "num_frames": {"type": "integer", "minimum": 81, "maximum": 100},
    "aspect_ratio": {"enum": ["16:9", "9:16"]}, "resolution": {"enum": ["480p"]},
    "frames_per_second": {"type": "integer", "minimum": 5, "maximum": 24}, "seed": {"type": "integer"},
}


def _model(owner: str, name: str, runs: int, properties: dict, required: list[str], *, official: bool = True) -> dict:
    """A model as the API lists it. A community model (`official=False`) runs only by its version id."""
    version = hashlib.sha256(f"{owner}/{name}".encode()).hexdigest()  # 64 hex, one per model
    return {"url": f"https://replicate.com/{owner}/{name}", "owner": owner, "name": name, "description": "…",
            "visibility": "public", "run_count": runs, "cover_image_url": "https://example.invalid/c.png",
            "is_official": official, "default_example": None,
            "latest_version": {"id": version, "created_at": "2025-01-01T00:00:00Z", "cog_version": "0.9.x",
                               "openapi_schema": _schema(properties, required)}}


COLLECTIONS = {
    "text-to-image": [
        _model("black-forest-labs", "flux-schnell", 500_000_000, FLUX_INPUT, ["prompt"]),
        # A community model run more than any official final one: the final still is a community model's.
        _model("stability-ai", "stable-diffusion", 110_000_000, SD_INPUT, ["prompt"], official=False),
        _model("black-forest-labs", "flux-1.1-pro", 50_000_000, {k: v for k, v in FLUX_INPUT.items() if k != "num_outputs"},
               ["prompt"]),
        # Takes reference images (final by its name; run less than flux-1.1-pro, so picked only for them).
        _model("google", "nano-banana", 30_000_000,
               {"prompt": {"type": "string"},
                "image_input": {"type": "array", "items": {"type": "string", "format": "uri"}, "default": []},
                "aspect_ratio": {"enum": ["match_input_image", "1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16",
                                          "16:9", "21:9"], "default": "match_input_image"},
                "output_format": {"enum": ["jpg", "png"], "default": "jpg"}}, ["prompt"]),
    ],
    "text-to-video": [
        _model("wan-video", "wan-2.2-t2v-fast", 9_000_000, WAN_INPUT, ["prompt"]),
        _model("wan-video", "wan-2.2-i2v-fast", 8_000_000, WAN_INPUT | {"image": {"type": "string", "format": "uri"}},
               ["prompt", "image"]),
        _model("minimax", "video-01", 4_000_000,
               {"prompt": {"type": "string"}, "first_frame_image": {"type": "string", "format": "uri"},
                "prompt_optimizer": {"type": "boolean"}}, ["prompt"]),
        _model("kwaivgi", "kling-v2.1", 3_000_000,
               {"prompt": {"type": "string"}, "start_image": {"type": "string", "format": "uri"}}, ["prompt", "start_image"]),
    ],
    "text-to-speech": [
        _model("jaaari", "kokoro-82m", 60_000_000, {"text": {"type": "string"}, "voice": {"type": "string"}}, ["text"],
               official=False),
        _model("x-lance", "fast-tts", 1_000_000, {"text": {"type": "string"}}, ["text"]),
    ],
    "ai-music-generation": [
        _model("meta", "musicgen", 3_000_000, {"prompt": {"type": "string"}, "duration": {"type": "integer"},
                                              "seed": {"type": "integer"}}, ["prompt"], official=False),
        _model("stackadoc", "stable-audio-turbo", 100_000, {"prompt": {"type": "string"}}, ["prompt"], official=False),
    ],
}
# Models that exist but are in none of the collections above.
OTHER_MODELS = {"other": [_model("stability-ai", "sdxl", 80_000_000, {"prompt": {"type": "string"}, "seed": {"type": "integer"}},
                                 ["prompt"], official=False)]}


def mp4_lasting(seconds: int) -> bytes:
    """An MP4 whose `moov` box says how long it plays (`mvhd`: timescale 1000), after its media data."""
    mvhd = struct.pack(">B3xIIII", 0, 0, 0, 1000, seconds * 1000) + b"\x00" * 80
    moov = struct.pack(">I4s", 16 + len(mvhd), b"moov") + struct.pack(">I4s", 8 + len(mvhd), b"mvhd") + mvhd
    return MP4[:24] + struct.pack(">I4s", 16, b"mdat") + b"\x00" * 8 + moov


MP4_5S = mp4_lasting(5)  # what the video models make
OUTPUTS = {"text-to-image": ("png", PNG), "text-to-video": ("mp4", MP4_5S), "text-to-speech": ("wav", WAV),
           "ai-music-generation": ("wav", WAV), "other": ("png", PNG)}
# The key an object output holds the media under (`output_shapes`), next to a thumbnail.
OBJECT_KEYS = {"text-to-image": "image", "text-to-video": "video", "text-to-speech": "audio_out",
               "ai-music-generation": "audio_out", "other": "image"}
HEX64 = re.compile(r"[0-9a-f]{64}")



def _all_models():
    """(collection slug, model) of every model the fake knows."""
    return [(slug, model) for slug, models in (COLLECTIONS | OTHER_MODELS).items() for model in models]


def problem(status: int, title: str, detail: str, **extra) -> Reply:
    return Reply(status, {"title": title, "detail": detail, "status": status, **extra},
                 {"content-type": "application/problem+json"})


class FakeReplicate:
    """State and routes of the fake Replicate; FakeAPIs mixes it in."""

    def init_replicate(self) -> None:
        self.polls_to_finish = 2
        self.prediction_ends = "succeeded"  # or "failed"
        self.wait_finishes = True  # a Prefer: wait request gets the finished prediction
        # ...or, with this, a `processing` one whose output is there but not its metrics; the next
        # poll finishes it.
        self.wait_answers_early = False
        self.output = "url"  # url, data, http, huge, none, garbage
        self.output_shapes: dict[str, str] = {}  # model id -> "object" or "nested": output as JSON holding URLs
        self.video = MP4_5S  # the bytes of every video output
        self.cdn_failures: list[int] = []  # statuses for the next downloads, one each
        self.expired: set[str] = set()  # predictions whose output Replicate has removed
        self.predict_time = 2.5
        self.predictions: dict[str, dict] = {}
        self.cancelled: list[str] = []
        self.uploads: list[str] = []
        self.on_create: Callable[[dict], None] | None = None

    def replicate(self, request: httpx.Request) -> Reply:
        auth = request.headers.get("authorization", "")
        if auth not in (f"Bearer {REPLICATE_KEY}", f"Token {REPLICATE_KEY}"):
            return problem(401, "Unauthenticated", "You did not pass a valid authentication token")
        parts = request.url.path.strip("/").split("/")  # v1, ...
        if parts[:2] == ["v1", "collections"] and len(parts) == 3 and request.method == "GET":
            if parts[2] not in COLLECTIONS:
                return problem(404, "Not found", "Collection not found")
            return Reply(200, {"name": parts[2].replace("-", " ").capitalize(), "slug": parts[2], "description": "…",
                               "full_description": None, "models": COLLECTIONS[parts[2]]})
        if parts[:2] == ["v1", "models"] and len(parts) == 4 and request.method == "GET":
            found = self.find_model(f"{parts[2]}/{parts[3]}")
            return Reply(200, found[1]) if found else problem(404, "Not found", "Model not found")
        if parts[:2] == ["v1", "models"] and len(parts) == 5 and parts[4] == "predictions" and request.method == "POST":
            found = self.find_model(f"{parts[2]}/{parts[3]}")
            if found and not found[1]["is_official"]:  # community models run by version only
                return problem(404, "Not found", "The requested resource could not be found.")
            return self.create(request, f"{parts[2]}/{parts[3]}", allowed={"input", "webhook", "webhook_events_filter", "stream"})
        if parts == ["v1", "predictions"] and request.method == "POST":
            return self.create(request, None, allowed={"version", "input", "webhook", "webhook_events_filter", "stream"})
        if parts == ["v1", "files"] and request.method == "POST":
            return self.upload(request)
        if parts[:2] == ["v1", "predictions"] and len(parts) == 3 and request.method == "GET":
            queued = self._queued("get")
            if queued:
                return queued
            return self.poll(parts[2])
        if parts[:2] == ["v1", "predictions"] and len(parts) == 4 and parts[3] == "cancel" and request.method == "POST":
            return self.cancel(parts[2])
        return problem(404, "Not found", "Not found")

    def upload(self, request: httpx.Request) -> Reply:
        """POST /files: multipart with the file in `content`; 201 with the file's URLs."""
        content_type = request.headers.get("content-type", "")
        if not content_type.startswith("multipart/form-data") or b'name="content"' not in request.content:
            return problem(400, "Bad request", "The request must be multipart/form-data with a `content` file")
        file_id = f"file{next(self.ids):08d}"
        size = len(request.content)
        self.uploads.append(file_id)
        return Reply(201, {"id": file_id, "name": "upload", "content_type": "application/octet-stream", "size": size,
                           "etag": "x", "checksums": {}, "metadata": {}, "created_at": "2025-01-01T00:00:00Z",
                           "expires_at": "2025-01-02T00:00:00Z",
                           "urls": {"get": f"https://{REP_HOST}/v1/files/{file_id}"}})

    def find_model(self, model_id: str) -> tuple[str, dict] | None:
        return next(((slug, m) for slug, m in _all_models() if f"{m['owner']}/{m['name']}" == model_id), None)

    def find_version(self, version: str) -> tuple[str, dict] | None:
        """POST /predictions takes `owner/name:<id>` or `<id>` of a version, or, since 2025-08,
        `owner/name` of an official model (a community one has no version by that name)."""
        ref, has_id, version_id = version.partition(":")
        if not has_id and HEX64.fullmatch(ref):
            ref, version_id = "", ref
        for slug, model in _all_models():
            named = f"{model['owner']}/{model['name']}" == ref
            if version_id and model["latest_version"]["id"] == version_id and (named or not ref):
                return slug, model
            if named and not has_id and model["is_official"]:
                return slug, model
        return None

    def create(self, request: httpx.Request, model_id: str | None, allowed: set[str]) -> Reply:
        queued = self._queued("create")
        if queued:
            return queued
        body = _json_body(request)
        if body is None:
            return problem(400, "Bad request", "Invalid JSON")
        unknown = set(body) - allowed
        if unknown:
            return problem(422, "Input validation failed", f"- (root): Additional property {sorted(unknown)[0]} is not allowed")
        found = self.find_model(model_id) if model_id is not None else self.find_version(str(body.get("version", "")))
        if found is None:
            return problem(422, "Invalid version or not permitted", "The specified version does not exist (or perhaps you "
                           "don't have permission to use it?)")
        slug, model = found
        invalid = self.validate(model, body.get("input") or {})
        if invalid:
            detail = "\n".join(f"- input: {i['description']}" for i in invalid)
            return problem(422, "Input validation failed", detail, invalid_fields=invalid)
        self.bodies.append(body)
        prediction_id = f"gm3qorzdhgbfurvjtvhg{next(self.ids):06d}"
        model_id = f"{model['owner']}/{model['name']}"
        version = "hidden" if model["is_official"] else model["latest_version"]["id"]
        prediction = {"id": prediction_id, "model": model_id, "version": version, "input": body["input"], "logs": "",
                      "output": None, "data_removed": False, "error": None, "status": "starting", "source": "api",
                      "created_at": "2025-01-01T00:00:00.000Z",
                      "urls": {"get": f"https://{REP_HOST}/v1/predictions/{prediction_id}",
                               "cancel": f"https://{REP_HOST}/v1/predictions/{prediction_id}/cancel",
                               "web": f"https://replicate.com/p/{prediction_id}"}}
        with self.lock:
            self.predictions[prediction_id] = {"data": prediction, "polls": 0, "slug": slug}
        if self.on_create:
            self.on_create(prediction)
        headers = {"location": prediction["urls"]["get"]}
        prefer = request.headers.get("prefer", "")
        if prefer.startswith("wait"):
            headers["preference-applied"] = "wait"
            if self.wait_answers_early:
                self.output_early(prediction_id)
            elif self.wait_finishes:
                self.finish(prediction_id)
        return Reply(201, prediction, headers)

    @staticmethod
    def validate(model: dict, given: dict) -> list[dict]:
        schema = model["latest_version"]["openapi_schema"]["components"]["schemas"]["Input"]
        invalid = [{"type": "required", "field": "input", "description": f"{name} is required"}
                   for name in schema["required"] if name not in given]
        for name, value in given.items():
            spec = schema["properties"].get(name, {})
            if "enum" in spec and value not in spec["enum"]:
                invalid.append({"type": "enum", "field": f"input.{name}",
                                "description": f"{name} must be one of the following: {spec['enum']}"})
            if isinstance(value, int) and not isinstance(value, bool):
                if "minimum" in spec and value < spec["minimum"] or "maximum" in spec and value > spec["maximum"]:
                    invalid.append({"type": "number", "field": f"input.{name}",
                                    "description": f"{name} must be between {spec.get('minimum')} and {spec.get('maximum')}"})
            invalid += FakeReplicate.invalid_files(name, value, spec)
        return invalid

    @staticmethod
    def invalid_files(name: str, value: Any, spec: dict) -> list[dict]:
        """As strict about files as Replicate: an array input takes a list of no more than
        `maxItems`, a URI input an https or data: URI."""
        if spec.get("type") == "array":
            if not isinstance(value, list):
                return [{"type": "invalid_type", "field": f"input.{name}",
                         "description": f"{name}: Invalid type. Expected: array, given: {type(value).__name__}"}]
            if len(value) > spec.get("maxItems", len(value)):
                return [{"type": "array_max_items", "field": f"input.{name}",
                         "description": f"{name}: Array must have at most {spec['maxItems']} items"}]
            items, spec = value, spec.get("items", {})
        else:
            items = [value]
        if spec.get("format") == "uri" and not all(isinstance(v, str) and v.startswith(("https://", "data:")) for v in items):
            return [{"type": "format", "field": f"input.{name}", "description": f"{name}: Does not match format 'uri'"}]
        return []

    def finish(self, prediction_id: str) -> None:
        with self.lock:
            entry = self.predictions[prediction_id]
            data = entry["data"]
            if data["status"] in ("succeeded", "failed", "canceled", "aborted"):
                return
            data["completed_at"] = "2025-01-01T00:00:05.000Z"
            data["metrics"] = {"predict_time": self.predict_time, "total_time": self.predict_time + 0.4}
            if self.prediction_ends == "failed":
                data["status"], data["error"] = "failed", "CUDA out of memory"
                return
            data["status"] = "succeeded"
            data["output"] = self.output_value(entry, prediction_id)

    def output_early(self, prediction_id: str) -> None:
        """What `Prefer: wait` may answer for file outputs: processing, the output there, no metrics."""
        with self.lock:
            entry = self.predictions[prediction_id]
            entry["data"]["status"], entry["data"]["output"] = "processing", self.output_value(entry, prediction_id)
            entry["polls"] = self.polls_to_finish - 1  # the next poll finishes it

    def expire(self, prediction_id: str) -> None:
        """What Replicate does an hour after a prediction made through the API: its output goes."""
        with self.lock:
            data = self.predictions[prediction_id]["data"]
            data["data_removed"], data["output"] = True, None
            self.expired.add(prediction_id)

    def output_value(self, entry: dict, prediction_id: str) -> Any:
        slug = entry["slug"]
        ext, content = OUTPUTS[slug]
        url = f"https://{CDN_HOST}/xezq/{prediction_id}/out-0.{ext}"
        if self.output == "data":
            url = f"data:application/octet-stream;base64,{base64.b64encode(content).decode()}"
        elif self.output == "http":
            url = f"http://{CDN_HOST}/xezq/{prediction_id}/out-0.{ext}"
        elif self.output == "huge":
            url = f"https://{CDN_HOST}/endless/{prediction_id}.{ext}"
        elif self.output == "garbage":
            url = f"https://{CDN_HOST}/garbage/{prediction_id}.{ext}"
        elif self.output == "none":
            return None
        shape = self.output_shapes.get(entry["data"]["model"])
        thumbnail = f"https://{CDN_HOST}/xezq/{prediction_id}/thumbnail.png"
        if shape == "object":  # the thumbnail first: the media is found by its key, not its place
            return {"thumbnail": thumbnail, OBJECT_KEYS[slug]: url}
        if shape == "nested":
            return {"seed": 7, "files": [{"name": "out", "urls": [url]}]}
        return [url] if slug in ("text-to-image", "other") else url

    def poll(self, prediction_id: str) -> Reply:
        with self.lock:
            entry = self.predictions.get(prediction_id)
            if entry is None:
                return problem(404, "Not found", "Prediction not found")
            entry["polls"] += 1
            polls = entry["polls"]
            if entry["data"]["status"] == "starting":
                entry["data"]["status"] = "processing"
        if polls >= self.polls_to_finish:
            self.finish(prediction_id)
        with self.lock:
            return Reply(200, json.loads(json.dumps(entry["data"])))

    def cancel(self, prediction_id: str) -> Reply:
        with self.lock:
            entry = self.predictions.get(prediction_id)
            if entry is None:
                return problem(404, "Not found", "Prediction not found")
            self.cancelled.append(prediction_id)
            if entry["data"]["status"] in ("starting", "processing"):
                entry["data"]["status"] = "canceled"
            return Reply(200, entry["data"])

    def cdn(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.startswith("/endless/"):
            def endless():
                yield PNG
                while True:
                    yield b"\x00" * 65536

            return httpx.Response(200, content=endless(), headers={"content-type": "image/png"})
        if path.startswith("/garbage/"):
            return httpx.Response(200, content=b"<html>not an image</html>", headers={"content-type": "text/html"})
        with self.lock:
            failure = self.cdn_failures.pop(0) if self.cdn_failures else None
        if failure is not None:
            return httpx.Response(failure, content=b"upstream error")
        if any(f"/{prediction_id}/" in path for prediction_id in self.expired):
            return httpx.Response(404, content=b"Not Found")
        ext = path.rsplit(".", 1)[-1]
        content = {"png": PNG, "mp4": self.video, "wav": WAV}.get(ext)
        if content is None:
            return httpx.Response(404)
        return httpx.Response(200, content=content)
