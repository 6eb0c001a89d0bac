"""The Replicate half of the fake (see fake_apis.py): collections with input schemas,
predictions with their state machine, files, cancel, problem+json errors, and the output CDN."""

from __future__ import annotations

import base64
import json
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
WAN_INPUT = {
    "prompt": {"type": "string"}, "num_frames": {"type": "integer", "minimum": 81, "maximum": 100},
    "aspect_ratio": {"enum": ["16:9", "9:16"]}, "resolution": {"enum": ["480p"]},
    "frames_per_second": {"type": "integer", "minimum": 5, "maximum": 24}, "seed": {"type": "integer"},
}


def _model(owner: str, name: str, runs: int, properties: dict, required: list[str]) -> dict:
    return {"url": f"https://replicate.com/{owner}/{name}", "owner": owner, "name": name, "description": "…",
            "visibility": "public", "run_count": runs, "cover_image_url": "https://example.invalid/c.png",
            "is_official": True, "default_example": None,
            "latest_version": {"id": "c846a699" * 8, "created_at": "2025-01-01T00:00:00Z", "cog_version": "0.9.x",
                               "openapi_schema": _schema(properties, required)}}


COLLECTIONS = {
    "text-to-image": [
        _model("black-forest-labs", "flux-schnell", 500_000_000, FLUX_INPUT, ["prompt"]),
        _model("black-forest-labs", "flux-1.1-pro", 50_000_000, {k: v for k, v in FLUX_INPUT.items() if k != "num_outputs"},
               ["prompt"]),
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
        _model("jaaari", "kokoro-82m", 60_000_000, {"text": {"type": "string"}, "voice": {"type": "string"}}, ["text"]),
        _model("x-lance", "fast-tts", 1_000_000, {"text": {"type": "string"}}, ["text"]),
    ],
    "ai-music-generation": [
        _model("meta", "musicgen", 3_000_000, {"prompt": {"type": "string"}, "duration": {"type": "integer"},
                                              "seed": {"type": "integer"}}, ["prompt"]),
        _model("stackadoc", "stable-audio-turbo", 100_000, {"prompt": {"type": "string"}}, ["prompt"]),
    ],
}
# Models that exist but are in none of the collections above.
OTHER_MODELS = {"other": [_model("stability-ai", "sdxl", 80_000_000, {"prompt": {"type": "string"}, "seed": {"type": "integer"}},
                                 ["prompt"])]}
OUTPUTS = {"text-to-image": ("png", PNG), "text-to-video": ("mp4", MP4), "text-to-speech": ("wav", WAV),
           "ai-music-generation": ("wav", WAV), "other": ("png", PNG)}



def problem(status: int, title: str, detail: str, **extra) -> Reply:
    return Reply(status, {"title": title, "detail": detail, "status": status, **extra},
                 {"content-type": "application/problem+json"})


class FakeReplicate:
    """State and routes of the fake Replicate; FakeAPIs mixes it in."""

    def init_replicate(self) -> None:
        self.polls_to_finish = 2
        self.prediction_ends = "succeeded"  # or "failed"
        self.wait_finishes = True  # a Prefer: wait request gets the finished prediction
        self.output = "url"  # url, data, http, huge, none, garbage
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
        for slug, models in (COLLECTIONS | OTHER_MODELS).items():
            for model in models:
                if f"{model['owner']}/{model['name']}" == model_id:
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
        if model_id is None:
            model_id = str(body.get("version", "")).partition(":")[0]
        found = self.find_model(model_id)
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
        prediction = {"id": prediction_id, "model": model_id, "version": "hidden", "input": body["input"], "logs": "",
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
            if self.wait_finishes:
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
        return invalid

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
            data["output"] = self.output_value(entry["slug"], prediction_id)

    def output_value(self, slug: str, prediction_id: str) -> Any:
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
        ext = path.rsplit(".", 1)[-1]
        content = {"png": PNG, "mp4": MP4, "wav": WAV}.get(ext)
        if content is None:
            return httpx.Response(404)
        return httpx.Response(200, content=content)
